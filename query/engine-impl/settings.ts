// Session settings (PostgreSQL's GUCs) the engine knows: their canonical
// names, defaults, what values they accept and whether a change is reported
// to the client (ParameterStatus). SET is transactional as in PostgreSQL: a
// transaction that rolls back restores what it changed, and SET LOCAL lasts
// until the transaction ends.

import { parseTimeZoneSetting, type TimeZone } from '../types/index.js';
import { EngineSqlState, sqlError } from './errors.js';
import { applicationNameBytesMax } from './limits.js';

export type IsolationLevel = 'read committed' | 'repeatable read' | 'serializable';

export interface SettingSpec {
  /** The name SHOW prints and ParameterStatus reports. */
  readonly name: string;
  /** Reported to the client whenever it changes (PostgreSQL's GUC_REPORT). */
  readonly reported: boolean;
  readonly readOnly: boolean;
  readonly description: string;
  /** The canonical form of an accepted value; throws 22023 for others. */
  normalize(value: string): string;
}

/** The PostgreSQL version ThunderDB speaks for (the protocol reports the same). */
export const serverVersion = '15.6';
export const serverVersionNum = '150006';

function invalidValue(name: string, value: string, detail?: string): Error {
  return sqlError(EngineSqlState.invalidParameterValue, `invalid value for parameter "${name}": "${value}"`, detail === undefined ? {} : { detail });
}

const anyValue = (value: string): string => value;

function oneOf(name: string, allowed: readonly string[]): (value: string) => string {
  return (value) => {
    const v = value.trim().toLowerCase();
    if (!allowed.includes(v)) throw invalidValue(name, value, `Available values: ${allowed.join(', ')}.`);
    return v;
  };
}

function booleanSetting(name: string): (value: string) => string {
  return (value) => {
    const v = value.trim().toLowerCase();
    if (['on', 'true', 'yes', '1', 't', 'y'].includes(v)) return 'on';
    if (['off', 'false', 'no', '0', 'f', 'n'].includes(v)) return 'off';
    throw sqlError(EngineSqlState.invalidParameterValue, `parameter "${name}" requires a Boolean value`);
  };
}

const timeUnitsMs: Readonly<Record<string, number>> = { us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/** `5000`, `5s`, `1min` → milliseconds. */
export function parseDurationMs(name: string, value: string): number {
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  const unit = m?.[2]?.toLowerCase() || 'ms';
  const factor = timeUnitsMs[unit];
  if (m === null || factor === undefined) {
    throw sqlError(EngineSqlState.invalidParameterValue, `invalid value for parameter "${name}": "${value}"`, { hint: 'Valid units for this parameter are "us", "ms", "s", "min", "h", and "d".' });
  }
  const ms = Math.round(Number(m[1]) * factor);
  if (ms < 0 || ms > 2_147_483_647) throw sqlError(EngineSqlState.invalidParameterValue, `${ms} ms is outside the valid range for parameter "${name}" (0 .. 2147483647)`);
  return ms;
}

function durationSetting(name: string): (value: string) => string {
  return (value) => formatDurationMs(parseDurationMs(name, value));
}

/** PostgreSQL's SHOW form of a duration in ms: `0`, `250ms`, `5s`, `2min`. */
function formatDurationMs(ms: number): string {
  if (ms === 0) return '0';
  if (ms % 60_000 === 0) return ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : `${ms / 60_000}min`;
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

function integerSetting(name: string, min: number, max: number): (value: string) => string {
  return (value) => {
    const v = value.trim();
    if (!/^[-+]?\d+$/.test(v)) throw sqlError(EngineSqlState.invalidParameterValue, `invalid value for parameter "${name}": "${value}"`);
    const n = Number(v);
    if (n < min || n > max) throw sqlError(EngineSqlState.invalidParameterValue, `${n} is outside the valid range for parameter "${name}" (${min} .. ${max})`);
    return String(n);
  };
}

function dateStyle(value: string): string {
  const parts = value.split(',').map((p) => p.trim().toLowerCase()).filter((p) => p !== '');
  if (parts.length === 0 || !parts.every((p) => p === 'iso' || p === 'mdy' || p === 'us' || p === 'noneuropean')) {
    throw invalidValue('DateStyle', value, 'ThunderDB supports only DateStyle "ISO, MDY".');
  }
  return 'ISO, MDY';
}

function clientEncoding(value: string): string {
  const v = value.trim().toLowerCase().replace(/[-_]/g, '');
  if (v === 'utf8' || v === 'unicode') return 'UTF8';
  // libpq in a C locale asks for SQL_ASCII: bytes pass through unconverted, which UTF-8 data survives.
  if (v === 'sqlascii') return 'SQL_ASCII';
  throw invalidValue('client_encoding', value, 'ThunderDB supports only UTF8.');
}

/** The canonical TimeZone value: the zone's own name (`UTC`, `Europe/Paris`, `<+05:30>-05:30`). */
export function timeZoneSetting(value: string): string {
  return parseTimeZoneSetting(value).name;
}

export function timeZoneOf(value: string): TimeZone {
  return parseTimeZoneSetting(value);
}

function applicationName(value: string): string {
  // Non-ASCII becomes '?' in PostgreSQL; cutting to 63 bytes is what matters to clients.
  let out = value.replace(/[^\x20-\x7e]/g, '?');
  while (Buffer.byteLength(out, 'utf8') > applicationNameBytesMax) out = out.slice(0, -1);
  return out;
}

function isolation(value: string): string {
  const v = value.trim().toLowerCase().replace(/\s+/g, ' ');
  if (v === 'read uncommitted') return 'read committed';
  if (v === 'read committed' || v === 'repeatable read' || v === 'serializable') return v;
  throw invalidValue('default_transaction_isolation', value, 'Available values: serializable, repeatable read, read committed, read uncommitted.');
}

function searchPath(value: string): string {
  return value.split(',').map((s) => s.trim()).filter((s) => s !== '').join(', ');
}

type SpecInit = Omit<SettingSpec, 'reported' | 'readOnly' | 'normalize'> & Partial<Pick<SettingSpec, 'reported' | 'readOnly' | 'normalize'>>;

function spec(init: SpecInit): SettingSpec {
  return { reported: false, readOnly: false, normalize: anyValue, ...init };
}

/** Keyed by lowercase name. */
export const settingSpecs: ReadonlyMap<string, SettingSpec> = new Map([
  spec({ name: 'application_name', reported: true, normalize: applicationName, description: 'Sets the application name to be reported in statistics and logs.' }),
  spec({ name: 'client_encoding', reported: true, normalize: clientEncoding, description: "Sets the client's character set encoding." }),
  spec({ name: 'DateStyle', reported: true, normalize: dateStyle, description: 'Sets the display format for date and time values.' }),
  spec({ name: 'IntervalStyle', reported: true, normalize: oneOf('IntervalStyle', ['postgres']), description: 'Sets the display format for interval values.' }),
  spec({ name: 'TimeZone', reported: true, normalize: timeZoneSetting, description: 'Sets the time zone for displaying and interpreting time stamps.' }),
  spec({ name: 'standard_conforming_strings', reported: true, normalize: oneOf('standard_conforming_strings', ['on']), description: "Causes '...' strings to treat backslashes literally." }),
  spec({ name: 'integer_datetimes', reported: true, readOnly: true, description: 'Shows whether datetimes are integer based.' }),
  spec({ name: 'server_version', reported: true, readOnly: true, description: 'Shows the server version.' }),
  spec({ name: 'server_version_num', readOnly: true, description: 'Shows the server version as an integer.' }),
  spec({ name: 'server_encoding', reported: true, readOnly: true, description: 'Shows the server (database) character set encoding.' }),
  spec({ name: 'is_superuser', reported: true, readOnly: true, description: 'Shows whether the current user is a superuser.' }),
  spec({ name: 'session_authorization', reported: true, readOnly: true, description: 'Sets the session user name.' }),
  spec({ name: 'in_hot_standby', reported: true, readOnly: true, description: 'Shows whether hot standby is currently active.' }),
  spec({ name: 'default_transaction_read_only', reported: true, normalize: booleanSetting('default_transaction_read_only'), description: 'Sets the default read-only status of new transactions.' }),
  spec({ name: 'max_identifier_length', readOnly: true, description: 'Shows the maximum identifier length.' }),
  spec({ name: 'search_path', normalize: searchPath, description: 'Sets the schema search order for names that are not schema-qualified.' }),
  spec({ name: 'statement_timeout', normalize: durationSetting('statement_timeout'), description: 'Sets the maximum allowed duration of any statement.' }),
  spec({ name: 'lock_timeout', normalize: durationSetting('lock_timeout'), description: 'Sets the maximum allowed duration of any wait for a lock (accepted, not enforced).' }),
  spec({ name: 'idle_in_transaction_session_timeout', normalize: durationSetting('idle_in_transaction_session_timeout'), description: 'Accepted, not enforced.' }),
  spec({ name: 'default_transaction_isolation', normalize: isolation, description: 'Sets the transaction isolation level of each new transaction.' }),
  spec({ name: 'transaction_isolation', normalize: isolation, description: "Sets the current transaction's isolation level." }),
  spec({ name: 'transaction_read_only', normalize: booleanSetting('transaction_read_only'), description: "Sets the current transaction's read-only status." }),
  spec({ name: 'extra_float_digits', normalize: integerSetting('extra_float_digits', -15, 3), description: 'Sets the number of digits displayed for floating-point values.' }),
  spec({ name: 'client_min_messages', normalize: oneOf('client_min_messages', ['debug5', 'debug4', 'debug3', 'debug2', 'debug1', 'debug', 'log', 'notice', 'warning', 'error']), description: 'Sets the message levels that are sent to the client.' }),
  spec({ name: 'synchronous_commit', normalize: oneOf('synchronous_commit', ['on', 'off', 'local', 'remote_write', 'remote_apply']), description: 'Accepted; commits follow the server\'s sync_commit.' }),
  spec({ name: 'bytea_output', normalize: oneOf('bytea_output', ['hex']), description: 'Sets the output format for bytea.' }),
  spec({ name: 'row_security', normalize: booleanSetting('row_security'), description: 'Accepted, not enforced.' }),
  spec({ name: 'check_function_bodies', normalize: booleanSetting('check_function_bodies'), description: 'Accepted, no effect.' }),
  spec({ name: 'xmloption', normalize: oneOf('xmloption', ['content', 'document']), description: 'Accepted, no effect.' }),
  spec({ name: 'escape_string_warning', normalize: booleanSetting('escape_string_warning'), description: 'Accepted, no effect.' }),
  spec({ name: 'work_mem', description: 'Accepted, no effect.' }),
  spec({ name: 'maintenance_work_mem', description: 'Accepted, no effect.' }),
  spec({ name: 'jit', normalize: booleanSetting('jit'), description: 'Accepted, no effect.' }),
  // query/vectorized: the read path of analytic queries and the column store's freshness bound.
  spec({ name: 'thunderdb.read_path', normalize: oneOf('thunderdb.read_path', ['auto', 'row', 'column']), description: 'Forces the row or the column path for queries, or lets the planner choose (auto).' }),
  spec({ name: 'thunderdb.column_fallback', normalize: booleanSetting('thunderdb.column_fallback'), description: 'Uses the row path when the column store has not caught up within thunderdb.column_wait_timeout (off: the query fails with 57014).' }),
  spec({ name: 'thunderdb.column_wait_timeout', normalize: durationSetting('thunderdb.column_wait_timeout'), description: 'Longest a column-path query waits for the column store to apply its read index.' }),
  // Clusters: reads confirm the leader's commit index first (linearizable) or serve this node's applied state (local, maybe stale).
  spec({ name: 'thunderdb.read_consistency', normalize: oneOf('thunderdb.read_consistency', ['linearizable', 'local']), description: 'linearizable: a read sees every write acknowledged before it began, on any node; local: reads serve this node\'s applied state (faster, maybe stale).' }),
].map((s) => [s.name.toLowerCase(), s]));

/** The value of each setting when a session starts (before startup parameters). */
export function settingDefaults(user: string): ReadonlyMap<string, string> {
  return new Map([
    ['application_name', ''], ['client_encoding', 'UTF8'], ['datestyle', 'ISO, MDY'], ['intervalstyle', 'postgres'],
    ['timezone', 'UTC'], ['standard_conforming_strings', 'on'], ['integer_datetimes', 'on'], ['server_version', serverVersion],
    ['server_version_num', serverVersionNum], ['server_encoding', 'UTF8'], ['is_superuser', 'on'], ['session_authorization', user],
    ['in_hot_standby', 'off'], ['default_transaction_read_only', 'off'], ['max_identifier_length', '63'], ['search_path', '"$user", public'],
    ['statement_timeout', '0'], ['lock_timeout', '0'], ['idle_in_transaction_session_timeout', '0'],
    ['default_transaction_isolation', 'read committed'], ['extra_float_digits', '1'], ['client_min_messages', 'notice'],
    ['synchronous_commit', 'on'], ['bytea_output', 'hex'], ['row_security', 'on'], ['check_function_bodies', 'on'],
    ['xmloption', 'content'], ['escape_string_warning', 'on'], ['work_mem', '4MB'], ['maintenance_work_mem', '64MB'], ['jit', 'off'],
    ['thunderdb.read_path', 'auto'], ['thunderdb.column_fallback', 'off'], ['thunderdb.column_wait_timeout', '5s'],
    ['thunderdb.read_consistency', 'linearizable'],
  ]);
}

/** Custom settings (`thunderdb.x`, any `a.b`) are accepted as PostgreSQL accepts placeholder variables. */
export function isCustomSetting(name: string): boolean {
  return /^[a-z_][a-z0-9_$]*\.[a-z_][a-z0-9_$.]*$/i.test(name);
}

export function unrecognizedParameter(name: string): Error {
  return sqlError(EngineSqlState.undefinedObject, `unrecognized configuration parameter "${name}"`);
}

/** The schemas of a search_path value, `$user` replaced by the user's name. */
export function parseSearchPath(value: string, user: string): string[] {
  return value.split(',').map((s) => s.trim()).filter((s) => s !== '').map((s) => {
    const unquoted = s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1).replace(/""/g, '"') : s.toLowerCase();
    return unquoted === '$user' ? user : unquoted;
  });
}
