// ParameterStatus: what the server tells the client about its settings at
// startup and whenever one changes. Clients act on these (libpq on
// client_encoding and standard_conforming_strings, drivers parse
// server_version), so the values are PostgreSQL's own spellings.
import type { BufferWriter } from '../codec/index.js';
import { writeParameterStatus } from '../codec/index.js';
import type { SessionStartup } from '../../../query/engine.js';

/**
 * The PostgreSQL version ThunderDB speaks for. Drivers parse it to pick
 * features, so it is a plain PostgreSQL version; "ThunderDB" belongs in
 * version(), not here.
 */
export const serverVersion = '15.6';

/**
 * Bound on a reported value. libpq treats any ParameterStatus over 30,000
 * bytes as lost synchronisation and drops the connection, so a long
 * setting is truncated rather than sent whole.
 */
export const parameterValueBytesMax = 4096;

/** PostgreSQL keeps NAMEDATALEN - 1 bytes of application_name. */
export const applicationNameBytesMax = 63;

/** What PostgreSQL 15 reports at startup (GUC_REPORT settings), before the engine's values. */
export function startupParameters(startup: SessionStartup): Map<string, string> {
  return new Map<string, string>([
    ['server_version', serverVersion],
    ['server_encoding', 'UTF8'],
    ['client_encoding', 'UTF8'],
    ['DateStyle', 'ISO, MDY'],
    ['IntervalStyle', 'postgres'],
    ['TimeZone', 'UTC'],
    ['integer_datetimes', 'on'],
    ['standard_conforming_strings', 'on'],
    ['application_name', truncateUtf8(startup.parameters['application_name'] ?? '', applicationNameBytesMax)],
    ['is_superuser', 'on'],
    ['session_authorization', startup.user],
    ['default_transaction_read_only', 'off'],
    ['in_hot_standby', 'off'],
  ]);
}

/** Remembers what the client was told, so only changes are sent. */
export class ParameterReporter {
  private readonly told = new Map<string, string>();
  /** The map last written from: the engine hands back the same map until a setting changes. */
  private lastSeen: ReadonlyMap<string, string> | undefined;

  /** Writes a ParameterStatus for each parameter whose value differs from what the client last saw. */
  writeChanges(w: BufferWriter, current: ReadonlyMap<string, string>): void {
    if (current === this.lastSeen) return;
    this.lastSeen = current;
    for (const [name, rawValue] of current) {
      const value = truncateUtf8(rawValue, parameterValueBytesMax);
      if (this.told.get(name) === value) continue;
      this.told.set(name, value);
      writeParameterStatus(w, truncateUtf8(name, parameterValueBytesMax), value);
    }
  }
}

/** The longest prefix of `text` that fits `bytesMax` bytes of UTF-8, cut between characters. */
export function truncateUtf8(text: string, bytesMax: number): string {
  // Each UTF-16 unit is at most 3 UTF-8 bytes: short strings need no measuring.
  if (text.length * 3 <= bytesMax || Buffer.byteLength(text, 'utf8') <= bytesMax) return text;
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char, 'utf8');
    if (bytes + size > bytesMax) break;
    bytes += size;
    end += char.length;
  }
  return text.slice(0, end);
}
