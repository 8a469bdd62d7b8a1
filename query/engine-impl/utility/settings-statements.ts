// SET, SHOW, RESET, SET TRANSACTION and DISCARD.

import type { Discard, Literal, Reset, SetTransaction, SetVariable, Show } from '../../ast/index.js';
import type { StatementResult } from '../../engine.js';
import { EngineSqlState, sqlError, unreachable } from '../errors.js';
import type { SessionHost } from '../session-host.js';
import { settingSpecs, unrecognizedParameter } from '../settings.js';
import { command, textColumn, warning } from './results.js';

/** Settings whose SET may list several values (joined with ', '). */
const listSettings: ReadonlySet<string> = new Set(['search_path', 'datestyle']);

function literalText(literal: Literal, name: string): string {
  const v = literal.value;
  switch (v.type) {
    case 'string': return v.value;
    case 'integer': case 'numeric': return v.text;
    case 'boolean': return v.value ? 'on' : 'off';
    case 'bitString': return v.text;
    case 'null': throw sqlError(EngineSqlState.invalidParameterValue, `invalid value for parameter "${name}": NULL`);
    default: return unreachable(v, 'literal');
  }
}

/** A search_path element as PostgreSQL prints it: quoted unless a plain lowercase identifier. */
function pathElement(text: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(text) ? text : `"${text.replace(/"/g, '""')}"`;
}

function setValueText(statement: SetVariable): string | null {
  if (statement.value.kind === 'default') return null;
  const name = statement.name.toLowerCase();
  const values = statement.value.values;
  if (values.length > 1 && !listSettings.has(name)) throw sqlError(EngineSqlState.syntaxError, `SET ${statement.name} takes only one argument`);
  const texts = values.map((l) => literalText(l, statement.name));
  return name === 'search_path' ? texts.map((t) => (t.startsWith('"') ? t : pathElement(t))).join(', ') : texts.join(', ');
}

export function set(host: SessionHost, statement: SetVariable): StatementResult {
  const name = statement.name.toLowerCase();
  const txn = host.transaction();
  if (statement.local && (txn === null || !txn.explicit)) {
    host.notice(warning(EngineSqlState.noActiveSqlTransaction, 'SET LOCAL can only be used in transaction blocks'));
    return command('SET');
  }
  const value = setValueText(statement);
  if (name === 'transaction_isolation' || name === 'transaction_read_only') {
    const isolation = name === 'transaction_isolation' && value !== null ? (settingSpecs.get(name)?.normalize(value) ?? null) : null;
    const readOnly = name === 'transaction_read_only' && value !== null ? settingSpecs.get(name)?.normalize(value) === 'on' : null;
    return setTransactionCharacteristics(host, isolation, readOnly);
  }
  host.settings.specOf(name); // 42704 for unknown names
  if (value === null) host.settings.reset(name, txn);
  else host.settings.set(name, value, txn, statement.local);
  return command('SET');
}

export function setTransaction(host: SessionHost, statement: SetTransaction): StatementResult {
  const { isolationLevel, readOnly } = statement.options;
  const isolation = isolationLevel === 'read uncommitted' ? 'read committed' : isolationLevel;
  if (statement.scope === 'session') {
    const txn = host.transaction();
    if (isolation !== null) host.settings.set('default_transaction_isolation', isolation, txn, false);
    if (readOnly !== null) host.settings.set('default_transaction_read_only', readOnly ? 'on' : 'off', txn, false);
    return command('SET');
  }
  return setTransactionCharacteristics(host, isolation, readOnly);
}

function setTransactionCharacteristics(host: SessionHost, isolation: string | null, readOnly: boolean | null): StatementResult {
  const txn = host.transaction();
  if (txn === null || !txn.explicit) {
    host.notice(warning(EngineSqlState.noActiveSqlTransaction, 'SET TRANSACTION can only be used in transaction blocks'));
    return command('SET');
  }
  if (isolation !== null && isolation !== txn.isolation) {
    if (txn.dataStatementRan) throw sqlError(EngineSqlState.activeSqlTransaction, 'SET TRANSACTION ISOLATION LEVEL must be called before any query');
    txn.isolation = isolation as typeof txn.isolation;
  }
  if (readOnly !== null) {
    if (!readOnly && txn.readOnly && txn.dataStatementRan) {
      throw sqlError(EngineSqlState.activeSqlTransaction, 'transaction read-write mode must be set before any query');
    }
    txn.readOnly = readOnly;
  }
  return command('SET');
}

export function show(host: SessionHost, statement: Show): StatementResult {
  const name = statement.name.toLowerCase();
  if (name === 'all') {
    const rows = [...host.settings.all()].sort(([a], [b]) => a.localeCompare(b)).map(([n, value]) => {
      const spec = settingSpecs.get(n);
      return [spec?.name ?? n, value, spec?.description ?? ''];
    });
    return { kind: 'rows', columns: [textColumn('name'), textColumn('setting'), textColumn('description')], rows, tag: 'SHOW' };
  }
  const value = host.showValue(name);
  const spec = name === 'transaction_isolation' || name === 'transaction_read_only' ? settingSpecs.get(name) : host.settings.specOf(name);
  if (value === undefined) throw unrecognizedParameter(statement.name);
  return { kind: 'rows', columns: [textColumn(spec?.name ?? name)], rows: [[value]], tag: 'SHOW' };
}

export function reset(host: SessionHost, statement: Reset): StatementResult {
  if (statement.name !== null) {
    const spec = host.settings.specOf(statement.name);
    if (spec?.readOnly === true) throw sqlError(EngineSqlState.cantChangeRuntimeParam, `parameter "${spec.name}" cannot be changed`);
  }
  host.settings.reset(statement.name, host.transaction());
  return command('RESET');
}

export function discard(host: SessionHost, statement: Discard): StatementResult {
  switch (statement.target) {
    case 'all':
      if (host.transaction()?.explicit === true) throw sqlError(EngineSqlState.activeSqlTransaction, 'DISCARD ALL cannot run inside a transaction block');
      host.settings.reset(null, host.transaction());
      host.sqlPrepared.clear();
      return command('DISCARD ALL');
    case 'plans':
      for (const p of host.sqlPrepared.values()) p.cache.compiled = undefined;
      return command('DISCARD PLANS');
    case 'sequences': return command('DISCARD SEQUENCES');
    case 'temp': return command('DISCARD TEMP');
    default: return unreachable(statement.target, 'discard target');
  }
}
