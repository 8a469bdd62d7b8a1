// One session's settings: values by lowercase name, the reset values (what
// the session started with, startup parameters included), and the
// transactional undo of SET (PostgreSQL rolls SET back with its transaction
// and ends SET LOCAL at the transaction's end).

import { parseTimeZoneSetting, type TimeZone } from '../types/index.js';
import { EngineSqlState, sqlError } from './errors.js';
import {
  isCustomSetting, parseDurationMs, parseSearchPath, settingDefaults, settingSpecs, unrecognizedParameter, type SettingSpec,
} from './settings.js';
import type { Transaction } from './transaction.js';

/** Settings a new session elsewhere must not be started with: they belong to a transaction or to the login. */
const notReplayed: ReadonlySet<string> = new Set(['session_authorization', 'transaction_isolation', 'transaction_read_only']);

export class SessionSettings {
  private readonly values: Map<string, string>;
  private readonly resetValues: Map<string, string>;
  private zone: { readonly text: string; readonly zone: TimeZone } | undefined;
  /** Bumped by every change, so callers can cache what they derive from the settings. */
  version = 0;

  constructor(private readonly user: string, startup: Readonly<Record<string, string>>) {
    this.values = new Map(settingDefaults(user));
    for (const [name, value] of startupSettings(startup)) this.assign(name.toLowerCase(), value, true);
    this.resetValues = new Map(this.values);
  }

  get(name: string): string | undefined {
    return this.values.get(name.toLowerCase());
  }

  /** The spec of a known setting; undefined for custom ones; throws 42704 for unknown ones. */
  specOf(name: string): SettingSpec | undefined {
    const spec = settingSpecs.get(name.toLowerCase());
    if (spec !== undefined || isCustomSetting(name)) return spec;
    throw unrecognizedParameter(name);
  }

  /** SET name = value, recording the old value in `txn` (if any) so rollback restores it. */
  set(name: string, value: string, txn: Transaction | null, local: boolean): void {
    const key = name.toLowerCase();
    this.version++;
    if (txn !== null) txn.settingsUndo.push({ name: key, value: this.values.get(key), local });
    this.assign(key, value, false);
  }

  /** RESET name (null: RESET ALL). */
  reset(name: string | null, txn: Transaction | null): void {
    this.version++;
    const names = name === null ? [...this.values.keys()].filter((n) => !(settingSpecs.get(n)?.readOnly ?? false)) : [name.toLowerCase()];
    for (const n of names) {
      const value = this.resetValues.get(n);
      if (txn !== null) txn.settingsUndo.push({ name: n, value: this.values.get(n), local: false });
      if (value === undefined) this.values.delete(n);
      else this.values.set(n, value);
    }
    this.zone = undefined;
  }

  /** Undoes changes recorded after `size` entries (all when `localOnly` is false; SET LOCAL ones otherwise). */
  undo(txn: Transaction, size: number, localOnly: boolean): void {
    // Every commit lands here; most transactions changed nothing.
    if (txn.settingsUndo.length <= size) return;
    this.version++;
    for (let i = txn.settingsUndo.length - 1; i >= size; i--) {
      const entry = txn.settingsUndo[i];
      if (entry === undefined || (localOnly && !entry.local)) continue;
      if (entry.value === undefined) this.values.delete(entry.name);
      else this.values.set(entry.name, entry.value);
    }
    txn.settingsUndo.length = size;
    this.zone = undefined;
  }

  /** Settings that differ from a fresh session's defaults, read-only ones and the transaction's own left out. */
  changed(): Map<string, string> {
    const defaults = settingDefaults(this.user);
    const out = new Map<string, string>();
    for (const [name, value] of this.values) {
      if (defaults.get(name) === value || notReplayed.has(name) || (settingSpecs.get(name)?.readOnly ?? false)) continue;
      out.set(name, value);
    }
    return out;
  }

  /** Every setting, for SHOW ALL. */
  all(): ReadonlyMap<string, string> {
    return this.values;
  }

  timeZone(): TimeZone {
    const text = this.values.get('timezone') ?? 'UTC';
    if (this.zone?.text !== text) this.zone = { text, zone: parseTimeZoneSetting(text) };
    return this.zone.zone;
  }

  searchPath(): string[] {
    return parseSearchPath(this.values.get('search_path') ?? 'public', this.user);
  }

  statementTimeoutMs(): number {
    return parseDurationMs('statement_timeout', this.values.get('statement_timeout') ?? '0');
  }

  private assign(key: string, value: string, atStartup: boolean): void {
    const spec = this.specOf(key);
    if (spec?.readOnly === true && !atStartup) throw sqlError(EngineSqlState.cantChangeRuntimeParam, `parameter "${spec.name}" cannot be changed`);
    if (spec?.readOnly === true) return; // a client cannot override server facts at startup either
    this.values.set(key, spec === undefined ? value : spec.normalize(value));
    if (key === 'timezone') this.zone = undefined;
  }
}

/** Startup parameters that are settings, including `options=-c name=value` (and `--name=value`). */
function startupSettings(startup: Readonly<Record<string, string>>): [string, string][] {
  const out: [string, string][] = [];
  for (const [name, value] of Object.entries(startup)) {
    if (name === 'options') out.push(...parseOptions(value));
    else if (name !== 'user' && name !== 'database' && name !== 'replication') out.push([name, value]);
  }
  return out;
}

function parseOptions(options: string): [string, string][] {
  const out: [string, string][] = [];
  const words = options.match(/(?:\\.|[^\s\\])+/g) ?? [];
  for (let i = 0; i < words.length; i++) {
    const word = (words[i] ?? '').replace(/\\(.)/g, '$1');
    let setting: string | undefined;
    if (word === '-c') setting = (words[++i] ?? '').replace(/\\(.)/g, '$1');
    else if (word.startsWith('-c')) setting = word.slice(2);
    else if (word.startsWith('--')) setting = word.slice(2);
    const eq = setting?.indexOf('=') ?? -1;
    if (setting !== undefined && eq > 0) out.push([setting.slice(0, eq).replace(/-/g, '_'), setting.slice(eq + 1)]);
  }
  return out;
}
