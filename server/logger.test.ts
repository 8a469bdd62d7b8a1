import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, formatTextLine } from './logger.js';

describe('text log format', () => {
  it('puts time, level, component and message first, then fields', () => {
    const line = formatTextLine({ level: 40, time: 0, pid: 7, component: 'wal', msg: 'torn tail truncated', file: 'a b.wal', offset: 12 });
    expect(line).toBe('1970-01-01T00:00:00.000Z WARN  [wal] torn tail truncated file="a b.wal" offset=12\n');
  });
  it('prints only an error message, not its stack', () => {
    const line = formatTextLine({ level: 50, time: 0, msg: 'failed', err: { message: 'boom', stack: 'Error: boom\n at x' } });
    expect(line).toContain('err=boom');
    expect(line).not.toContain(' at x');
  });
});

function capture(): { out: PassThrough; text: () => string } {
  const out = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => { text += c.toString(); });
  return { out, text: () => text };
}

describe('createLogger', () => {
  it('writes JSON lines in json format and honours the level', () => {
    const { out, text } = capture();
    const logger = createLogger({ level: 'warn', format: 'json' }, out);
    logger.info('hidden');
    logger.warn({ key: 1 }, 'shown');
    const lines = text().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ level: 40, msg: 'shown', key: 1 });
  });
  it('writes text lines in text format, and a level change applies at once', () => {
    const { out, text } = capture();
    const logger = createLogger({ level: 'info', format: 'text' }, out);
    logger.debug('hidden');
    logger.level = 'debug';
    logger.debug('now shown');
    expect(text()).toMatch(/^\S+ DEBUG now shown/);
  });
});
