// The process logger: pino, at the configured level, as JSON lines (for log
// shippers) or as plain text lines (for people and journald).
import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogFormat, LogLevel } from './config/types.js';

const levelNames: Readonly<Record<number, string>> = {
  10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL',
};

// Fields pino adds to every line; the text format prints them positionally.
const positionalFields = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'component']);

function formatValue(value: unknown): string {
  if (typeof value === 'string') return /[\s"=]/.test(value) ? JSON.stringify(value) : value;
  return JSON.stringify(value);
}

/** Formats one pino JSON record as `TIME LEVEL [component] msg key=value ...`. */
export function formatTextLine(record: Readonly<Record<string, unknown>>): string {
  const time = typeof record['time'] === 'number' ? new Date(record['time']).toISOString() : '';
  const level = levelNames[Number(record['level'])] ?? String(record['level']);
  const component = typeof record['component'] === 'string' ? ` [${record['component']}]` : '';
  const fields = Object.entries(record)
    .filter(([key]) => !positionalFields.has(key))
    .map(([key, value]) => {
      if (key === 'err' && value !== null && typeof value === 'object') {
        const err = value as { message?: unknown; stack?: unknown };
        return `err=${formatValue(err.message)}`;
      }
      return `${key}=${formatValue(value)}`;
    });
  const msg = typeof record['msg'] === 'string' ? ` ${record['msg']}` : '';
  return `${time} ${level.padEnd(5)}${component}${msg}${fields.length > 0 ? ' ' + fields.join(' ') : ''}\n`;
}

/** A destination that rewrites pino's JSON lines as text before writing them. */
function textDestination(out: NodeJS.WritableStream): DestinationStream {
  return {
    write(line: string): void {
      try {
        out.write(formatTextLine(JSON.parse(line) as Record<string, unknown>));
      } catch {
        out.write(line);
      }
    },
  };
}

export function createLogger(
  options: { level: LogLevel; format: LogFormat },
  out: NodeJS.WritableStream = process.stdout,
): Logger {
  const base = { level: options.level, base: { pid: process.pid } };
  if (options.format === 'json') return pino(base, out as DestinationStream);
  return pino(base, textDestination(out));
}
