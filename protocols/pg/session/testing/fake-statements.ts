// The fake engine's "planner": a handful of statement shapes recognised by
// regular expressions, enough to drive every protocol path from tests and
// real clients. Not SQL: anything else is a syntax error.
import type { ResultColumn, StatementResult } from '../../../../query/engine.js';
import type { SqlType, SqlValue } from '../../../../query/types/index.js';
import { SqlError, SqlTypes, defaultSession, parseText, parseTypeName } from '../../../../query/types/index.js';
import type { FakeEngineSession } from './fake-engine.js';
import { copyInPlan, copyOutPlan, typesTable, usersColumns } from './fake-tables.js';

/** A planned statement: its parameters and columns, and how to run it. */
export interface FakePlan {
  readonly parameterTypes: readonly SqlType[];
  readonly resultColumns: readonly ResultColumn[] | undefined;
  /** Allowed in a failed transaction block (COMMIT, ROLLBACK). */
  readonly endsTransaction?: boolean;
  run(parameters: readonly SqlValue[]): Promise<StatementResult> | StatementResult;
}

/** `sql` is the whole query string, so error positions count from its start, as PostgreSQL's do. */
type Planner = (match: RegExpExecArray, sql: string, declared: readonly (SqlType | undefined)[], s: FakeEngineSession) => FakePlan;

export function computed(name: string, type: SqlType): ResultColumn {
  return { name, type, tableId: 0, columnNumber: 0 };
}

export function rowsResult(columns: readonly ResultColumn[], rows: readonly (readonly SqlValue[])[], tag = `SELECT ${rows.length}`): StatementResult {
  return { kind: 'rows', columns, rows, tag };
}

function command(tag: string, effect: () => void = () => undefined, endsTransaction = false): FakePlan {
  return {
    parameterTypes: [],
    resultColumns: undefined,
    endsTransaction,
    run: () => {
      effect();
      return { kind: 'command', tag };
    },
  };
}

function rowsPlan(columns: readonly ResultColumn[], produce: (params: readonly SqlValue[]) => readonly (readonly SqlValue[])[] | Promise<readonly (readonly SqlValue[])[]>, parameterTypes: readonly SqlType[] = []): FakePlan {
  return {
    parameterTypes,
    resultColumns: columns,
    run: async (params) => rowsResult(columns, await produce(params)),
  };
}

const planners: readonly (readonly [RegExp, Planner])[] = [
  [/^$/, () => ({ parameterTypes: [], resultColumns: undefined, run: () => ({ kind: 'empty' }) })],
  [/^(begin|start transaction)$/i, (_m, _sql, _d, s) => command('BEGIN', () => s.begin())],
  [/^(commit|end)$/i, (_m, _sql, _d, s) => ({ ...command('COMMIT'), endsTransaction: true, run: () => ({ kind: 'command', tag: s.commit() }) })],
  [/^(rollback|abort)$/i, (_m, _sql, _d, s) => command('ROLLBACK', () => s.rollback(), true)],
  [/^set\s+(?:session\s+)?time\s+zone\s+(.+)$/i, (m, _sql, _d, s) => command('SET', () => s.set('TimeZone', unquote(m[1] ?? '')))],
  [/^set\s+(?:session\s+)?(\w+)\s*(?:=|\s+to\s+)\s*(.+)$/i, (m, _sql, _d, s) => command('SET', () => s.set(m[1] ?? '', unquote(m[2] ?? '')))],
  [/^show\s+(\w+)$/i, (m, _sql, _d, s) => rowsPlan([computed((m[1] ?? '').toLowerCase(), SqlTypes.text)], () => [[s.show(m[1] ?? '')]])],
  [/^drop\s+table\s+if\s+exists\s+(\w+)$/i, (m, _sql, _d, s) => command('DROP TABLE', () => s.notice('NOTICE', '00000', `table "${m[1] ?? ''}" does not exist, skipping`))],
  [/^select\s+fail\((.*)\)$/i, (m, sql) => failPlan(m[1] ?? '', sql)],
  [/^select\s+crash\(\)$/i, () => command('SELECT', () => { throw new Error('the fake engine crashed on purpose'); })],
  [/^select\s+sleep\((\d+)\)$/i, (m, _sql, _d, s) => rowsPlan([computed('sleep', SqlTypes.int4)], async () => [[await s.sleep(Number(m[1]))]])],
  [/^select\s+notice\('([^']*)'\)$/i, (m, _sql, _d, s) => rowsPlan([computed('notice', SqlTypes.text)], () => {
    s.notice('NOTICE', '00000', m[1] ?? '');
    return [[m[1] ?? '']];
  })],
  [/^select\s+version\(\)$/i, () => rowsPlan([computed('version', SqlTypes.text)], () => [['PostgreSQL 15.6 (ThunderDB fake engine)']])],
  // postgres.js asks for array types when it connects.
  [/from\s+pg_catalog\.pg_type/i, () => rowsPlan([computed('oid', SqlTypes.int4), computed('typarray', SqlTypes.int4)], () => [])],
  [/^select\s+\*\s+from\s+generate_series\((\d+),\s*(\d+)\)$/i, (m) => rowsPlan([computed('generate_series', SqlTypes.int4)], () => series(Number(m[1]), Number(m[2])))],
  [/^select\s+\*\s+from\s+types$/i, () => rowsPlan(typesTable.columns, () => typesTable.rows)],
  [/^select\s+\*\s+from\s+users(?:\s+where\s+id\s*=\s*(\$1|\d+))?(?:\s+order\s+by\s+id)?$/i, (m, _sql, declared, s) => selectUsers(m[1], declared, s)],
  [/^insert\s+into\s+users\s+values\s*\((.+)\)$/i, (m, _sql, declared, s) => insertUser(m[1] ?? '', declared, s)],
  [/^delete\s+from\s+users$/i, (_m, _sql, _d, s) => ({ ...command('DELETE'), run: () => ({ kind: 'command', tag: `DELETE ${s.engine.deleteAllUsers()}` }) })],
  [/^copy\s+users\s+from\s+stdin(.*)$/i, (m, _sql, _d, s) => copyInPlan(s.engine, formatOption(m[1] ?? ''))],
  [/^copy\s+users\s+to\s+stdout(.*)$/i, (m, _sql, _d, s) => copyOutPlan(s.engine, formatOption(m[1] ?? ''))],
  [/^select\s+(.+)$/is, (m, sql, declared) => selectList(m[1] ?? '', sql, declared)],
];

/** Plans one statement of `sql` (no trailing semicolon). Throws SqlError 42601 for anything unknown. */
export function planFake(statement: string, declared: readonly (SqlType | undefined)[], session: FakeEngineSession, sql = statement): FakePlan {
  const text = statement.trim();
  for (const [pattern, planner] of planners) {
    const match = pattern.exec(text);
    if (match !== null) return planner(match, sql, declared, session);
  }
  const token = /^\S*/.exec(text)?.[0] ?? '';
  throw new SqlError('42601', `syntax error at or near "${token.slice(0, 40)}"`, { position: sql.indexOf(token) + 1 });
}

/** Splits a simple query on semicolons outside quotes; empty pieces are dropped. */
export function splitStatements(sql: string): string[] {
  return splitTopLevel(sql, ';').map((s) => s.trim()).filter((s) => s !== '');
}

/** Splits on `separator` outside single quotes, double quotes and parentheses. */
export function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === separator && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

function unquote(value: string): string {
  const trimmed = value.trim();
  return /^'.*'$/s.test(trimmed) ? trimmed.slice(1, -1).replaceAll("''", "'") : trimmed;
}

function formatOption(options: string): 'text' | 'csv' {
  return /csv/i.test(options) ? 'csv' : 'text';
}

function series(from: number, to: number): SqlValue[][] {
  const rows: SqlValue[][] = [];
  for (let i = from; i <= to; i++) rows.push([i]);
  return rows;
}

/** `fail('SQLSTATE', 'message'[, 'detail'[, 'hint']])`: throws that SqlError, positioned at `fail`. */
function failPlan(args: string, sql: string): FakePlan {
  const [code = 'XX000', message = 'failure', detail, hint] = splitTopLevel(args, ',').map(unquote);
  const position = sql.toLowerCase().indexOf('fail(') + 1;
  return command('SELECT', () => {
    throw new SqlError(code, message, { position, ...(detail === undefined ? {} : { detail }), ...(hint === undefined ? {} : { hint }) });
  });
}

function selectUsers(filter: string | undefined, declared: readonly (SqlType | undefined)[], s: FakeEngineSession): FakePlan {
  const byParameter = filter === '$1';
  const parameterTypes = byParameter ? [declared[0] ?? SqlTypes.int4] : [];
  return rowsPlan(usersColumns, (params) => {
    const id = byParameter ? Number(params[0]) : filter === undefined ? undefined : Number(filter);
    return s.engine.users().filter((row) => id === undefined || row[0] === id);
  }, parameterTypes);
}

function insertUser(valuesText: string, declared: readonly (SqlType | undefined)[], s: FakeEngineSession): FakePlan {
  const items = splitTopLevel(valuesText, ',').map((v) => v.trim());
  if (items.length !== 2) throw new SqlError('42601', 'INSERT has more expressions than target columns');
  const parameterTypes: SqlType[] = [];
  const valueOf = (item: string, type: SqlType, params: readonly SqlValue[]): SqlValue => {
    const parameter = /^\$(\d+)$/.exec(item);
    if (parameter !== null) return params[Number(parameter[1]) - 1] ?? null;
    return parseText(unquote(item), type, defaultSession);
  };
  items.forEach((item, i) => {
    if (item.startsWith('$')) parameterTypes.push(declared[parameterTypes.length] ?? (i === 0 ? SqlTypes.int4 : SqlTypes.text));
  });
  return {
    parameterTypes,
    resultColumns: undefined,
    run: (params) => {
      s.engine.insertUser(Number(valueOf(items[0] ?? '', SqlTypes.int4, params)), String(valueOf(items[1] ?? '', SqlTypes.text, params)));
      return { kind: 'command', tag: 'INSERT 0 1' };
    },
  };
}

interface SelectItem {
  readonly column: ResultColumn;
  value(params: readonly SqlValue[]): SqlValue;
}

const itemPattern = /^(\$\d+|'(?:[^']|'')*'|-?\d+(?:\.\d+)?|true|false|null)(?:::([a-z_][a-z0-9_]*(?:\s+precision)?(?:\([0-9, ]+\))?(?:\[\])?))?(?:\s+as\s+("[^"]+"|\w+))?$/i;

/** `SELECT 1, 'x'::text AS name, $1::int8, $2`: literals and parameters, with casts and aliases. */
function selectList(list: string, sql: string, declared: readonly (SqlType | undefined)[]): FakePlan {
  const parameterTypes: SqlType[] = [];
  const items = splitTopLevel(list, ',').map((text) => selectItem(text.trim(), sql, declared, parameterTypes));
  return {
    parameterTypes,
    resultColumns: items.map((item) => item.column),
    run: (params) => rowsResult(items.map((item) => item.column), [items.map((item) => item.value(params))]),
  };
}

function selectItem(text: string, sql: string, declared: readonly (SqlType | undefined)[], parameterTypes: SqlType[]): SelectItem {
  const m = itemPattern.exec(text);
  if (m === null) {
    throw new SqlError('42601', `syntax error at or near "${text.slice(0, 40)}"`, { position: sql.indexOf(text) + 1 });
  }
  const [, expr = '', typeName, alias] = m;
  const cast = typeName === undefined ? undefined : parseTypeName(typeName);
  const name = alias?.replaceAll('"', '') ?? (typeName === undefined ? '?column?' : typeName.replace(/\(.*$/, ''));
  const parameter = /^\$(\d+)$/.exec(expr);
  if (parameter !== null) {
    const index = Number(parameter[1]) - 1;
    const type = declared[index] ?? cast ?? SqlTypes.text;
    parameterTypes[index] = type;
    for (let i = 0; i < index; i++) parameterTypes[i] ??= declared[i] ?? SqlTypes.text;
    return { column: computed(name, type), value: (params) => params[index] ?? null };
  }
  const type = cast ?? literalType(expr);
  const value = /^null$/i.test(expr) ? null : parseText(literalText(expr), type, defaultSession);
  return { column: computed(name, type), value: () => value };
}

function literalType(expr: string): SqlType {
  if (expr.startsWith("'") || /^null$/i.test(expr)) return SqlTypes.text;
  if (/^(true|false)$/i.test(expr)) return SqlTypes.bool;
  if (expr.includes('.')) return SqlTypes.numeric;
  return Math.abs(Number(expr)) > 2147483647 ? SqlTypes.int8 : SqlTypes.int4;
}

function literalText(expr: string): string {
  return expr.startsWith("'") ? expr.slice(1, -1).replaceAll("''", "'") : expr;
}
