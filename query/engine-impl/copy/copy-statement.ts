// COPY ... FROM STDIN and COPY ... TO STDOUT. FROM returns a sink: the
// protocol feeds it the client's bytes; records are parsed and converted to
// the column types as they arrive (the first bad line fails the COPY with
// its line number), and finish() loads them all as one statement of the
// session's transaction. TO runs the query and formats every row at once.
// Text and CSV go through the types' text I/O, BINARY through their binary
// send/receive forms (query/types' encodeBinary/decodeBinary).

import type { Catalog, TableDef } from '../../../materializers/index.js';
import type { Copy, Insert, Select } from '../../ast/index.js';
import type { CopyInSink, StatementResult } from '../../engine.js';
import { decodeBinary, encodeBinary, formatText, parseText, SqlError, type SqlType, type SqlValue, type TypeSession } from '../../types/index.js';
import { tableInfo } from '../catalog-view.js';
import { formatKeyValues } from '../constraint-errors.js';
import { requireTable } from '../ddl/ddl-support.js';
import { EngineSqlState, featureNotSupported, serializationFailure, sqlError } from '../errors.js';
import { copyBulkRowsMin, copyOutChunkBytes, copyRowsMax } from '../limits.js';
import type { RunMode, SessionHost } from '../session-host.js';
import type { StatementScope } from '../statement-scope.js';
import { TransactionTableAccess } from '../table-access.js';
import { selectOf } from '../utility/sql-prepared.js';
import { copyFormat, type CopyFormat } from './copy-options.js';
import { BinaryCopyParser, BinaryCopyWriter } from './copy-binary.js';
import { BulkCopy } from './copy-bulk.js';
import { formatCopyHeader, formatCopyLine } from './copy-format.js';
import { CopyLineError, CopyParser } from './copy-parser.js';

/**
 * The parsed rows of one COPY FROM: values and line numbers in parallel
 * arrays (no object per row: a bulk load keeps every row until it commits,
 * and what it keeps is what the garbage collector walks).
 */
interface LoadRows {
  readonly values: SqlValue[][];
  readonly lines: number[];
}

export function copy(host: SessionHost, statement: Copy, mode: RunMode): Promise<StatementResult> | StatementResult {
  if (statement.where !== null) throw featureNotSupported('COPY FROM ... WHERE is not supported');
  const format = copyFormat(statement.options, statement.direction);
  return statement.direction === 'from' ? copyIn(host, statement, format, mode) : copyOut(host, statement, format, mode);
}

function copyColumns(table: TableDef, names: readonly string[]): readonly TableDef['columns'][number][] {
  if (names.length === 0) return table.columns;
  const seen = new Set<string>();
  return names.map((n) => {
    if (seen.has(n)) throw sqlError(EngineSqlState.duplicateColumn, `column "${n}" specified more than once`);
    seen.add(n);
    const c = table.columns.find((col) => col.name === n);
    if (c === undefined) throw sqlError(EngineSqlState.undefinedColumn, `column "${n}" of relation "${table.name}" does not exist`);
    return c;
  });
}

/**
 * A line error (or a value's input error) as the client sees it: context
 * `COPY t, line 3, column a: "x"` (binary data: no value, as in PostgreSQL).
 */
function withContext(error: unknown, table: string, line: number, column?: string, value?: string): Error {
  const where = `COPY ${table}, line ${line}${column === undefined ? '' : `, column ${column}${value === undefined ? '' : `: "${value}"`}`}`;
  if (error instanceof CopyLineError) {
    return sqlError(error.sqlState as EngineSqlState, error.message, { detail: `COPY ${table}, line ${error.line}`, ...(error.hint === undefined ? {} : { hint: error.hint }) });
  }
  if (error instanceof SqlError) return new SqlError(error.sqlState, error.message, { detail: error.detail === undefined ? where : `${error.detail}\n${where}`, hint: error.hint });
  return error instanceof Error ? error : new Error(String(error));
}

function copyIn(host: SessionHost, statement: Copy, format: CopyFormat, mode: RunMode): StatementResult {
  if (statement.source.kind !== 'table') throw featureNotSupported('COPY (query) FROM is not supported');
  const table = requireTable(host, host.transaction()?.catalog() ?? host.core.catalog(), statement.source.table);
  const columns = copyColumns(table, statement.source.columns);
  const session = host.typeSession(host.transaction());
  const rows: LoadRows = { values: [], lines: [] };
  const toTableRow = tableRowOf(table, columns.map((c) => c.id));
  const lineContext = (error: unknown, line: number): Error => withContext(error, table.name, line);
  // Past copyBulkRowsMin rows, a plain COPY streams into encoded effects (copy-bulk.ts) instead of holding rows.
  let bulk: BulkCopy | undefined;
  let bulkTried = !plainInsert(table, columns.map((c) => c.id));
  let count = 0;
  const addRow = (values: SqlValue[], line: number): void => {
    if (count >= copyRowsMax) throw new CopyLineError(line, EngineSqlState.programLimitExceeded, `COPY of more than ${copyRowsMax} rows`);
    count++;
    if (bulk !== undefined) {
      bulk.add(toTableRow(values), line);
      return;
    }
    rows.values.push(values);
    rows.lines.push(line);
    if (bulkTried || rows.values.length < copyBulkRowsMin) return;
    bulkTried = true;
    bulk = BulkCopy.tryStart(host.core, () => host.ensureTransaction(), table, session, lineContext);
    if (bulk === undefined) return;
    const started = bulk;
    for (let r = 0; r < rows.values.length; r++) started.add(toTableRow(rows.values[r] as SqlValue[]), rows.lines[r] ?? 0);
    clear();
  };
  /** A value's error: thrown, or held back by a bulk COPY that must first read keys of earlier lines. */
  const valueError = (error: Error, line: number): void => {
    if (bulk === undefined) throw error;
    bulk.fail(line, error);
  };
  const parser = format.binary
    ? new BinaryCopyParser(columns.length, (tuple) => {
      if (bulk?.failed === true) return;
      const values = new Array<SqlValue>(tuple.fields.length);
      for (let i = 0; i < tuple.fields.length; i++) {
        const f = tuple.fields[i] ?? null;
        const column = columns[i];
        if (f === null || column === undefined) {
          values[i] = null;
          continue;
        }
        try {
          values[i] = decodeBinary(f, column.type);
        } catch (error) {
          valueError(withContext(error, table.name, tuple.line, column.name), tuple.line);
          return;
        }
      }
      addRow(values, tuple.line);
    })
    : new CopyParser(format, columns.map((c) => c.name), (record) => {
      if (bulk?.failed === true) return;
      const fields = record.fields;
      const values = new Array<SqlValue>(fields.length);
      for (let i = 0; i < fields.length; i++) {
        const f = fields[i] ?? null;
        const column = columns[i];
        if (f === null || column === undefined) {
          values[i] = null;
          continue;
        }
        try {
          values[i] = parseText(f, column.type, session);
        } catch (error) {
          valueError(withContext(error, table.name, record.line, column.name, f), record.line);
          return;
        }
      }
      addRow(values, record.line);
    });
  let settled = false;
  const clear = (): void => {
    rows.values.length = 0;
    rows.lines.length = 0;
  };
  const fail = (error: unknown): never => {
    settled = true;
    clear();
    host.statementFailed();
    throw error instanceof CopyLineError ? withContext(error, table.name, error.line) : error;
  };
  /** Framing errors (bad line ends, a short binary tuple): held back like a value's error in a bulk COPY. */
  const framingError = (error: unknown): void => {
    if (bulk === undefined || !(error instanceof CopyLineError)) throw error;
    if (!bulk.failed) bulk.fail(error.line, withContext(error, table.name, error.line));
  };
  const sink: CopyInSink = {
    format: wireFormat(format),
    columnCount: columns.length,
    write: (chunk) => {
      if (settled) return;
      try {
        try {
          parser.push(chunk);
        } catch (error) {
          framingError(error);
        }
      } catch (error) {
        fail(error);
      }
    },
    finish: async () => {
      if (settled) throw sqlError(EngineSqlState.internalError, 'COPY already ended');
      try {
        try {
          parser.finish();
        } catch (error) {
          framingError(error);
        }
        settled = true;
        const loading = bulk;
        if (loading !== undefined) {
          return `COPY ${await host.runInStatement(mode, async (scope, catalog) => {
            if (catalog.tableById(table.id) !== table) throw serializationFailure('ddl');
            return loading.finish(scope);
          })}`;
        }
        const loaded = await load(host, table, columns.map((c) => c.id), rows, mode);
        return `COPY ${loaded}`;
      } catch (error) {
        return fail(error);
      }
    },
    abort: () => {
      if (settled) return;
      settled = true;
      clear();
      host.statementFailed();
    },
  };
  return { kind: 'copyIn', copy: sink };
}

/** The COPY's values (in its column list's order) as a row in table column order. */
function tableRowOf(table: TableDef, columnIds: readonly number[]): (values: SqlValue[]) => SqlValue[] {
  const positions = columnIds.map((id) => table.columns.findIndex((c) => c.id === id));
  // Every column listed in table order: the parsed values are the row as they are.
  if (positions.length === table.columns.length && positions.every((p, i) => p === i)) return (values) => values;
  return (values) => {
    const row = new Array<SqlValue>(table.columns.length).fill(null);
    for (let i = 0; i < positions.length; i++) row[positions[i] as number] = values[i] ?? null;
    return row;
  };
}

/** The columns not listed get nothing but NULL: no default, identity or check needs the compiler. */
function plainInsert(table: TableDef, listed: readonly number[]): boolean {
  return table.checkConstraints.length === 0 &&
    table.columns.every((c) => listed.includes(c.id) || (c.defaultExpr === undefined && c.identity === undefined));
}

async function load(host: SessionHost, table: TableDef, columnIds: readonly number[], rows: LoadRows, mode: RunMode): Promise<number> {
  return host.runInStatement(mode, async (scope, catalog) => {
    const current = catalog.tableById(table.id);
    if (current !== table) throw serializationFailure('ddl');
    if (plainInsert(table, columnIds)) await loadDirect(scope, table, columnIds, rows);
    else await loadCompiled(host, scope, catalog, table, columnIds, rows);
    return rows.values.length;
  });
}

/** Rows straight into TableAccess: NOT NULL is the only rule left to check. */
async function loadDirect(scope: StatementScope, table: TableDef, columnIds: readonly number[], rows: LoadRows): Promise<void> {
  const access = new TransactionTableAccess(scope);
  const info = tableInfo(table);
  const positions = columnIds.map((id) => table.columns.findIndex((c) => c.id === id));
  // Every column listed in table order: the parsed values are the row as they are.
  const inTableOrder = positions.length === table.columns.length && positions.every((p, i) => p === i);
  const notNull = table.columns.flatMap((c, i) => (c.notNull ? [i] : []));
  const { values: all, lines } = rows;
  for (let r = 0; r < all.length; r++) {
    const values = all[r] as SqlValue[];
    let row = values;
    if (!inTableOrder) {
      row = new Array<SqlValue>(table.columns.length).fill(null);
      for (let i = 0; i < positions.length; i++) row[positions[i] as number] = values[i] ?? null;
    }
    try {
      for (const i of notNull) if (row[i] === null) throw notNullViolation(table, row, scope.typeSession);
      await access.insert(info, row);
    } catch (error) {
      throw withContext(error, table.name, lines[r] ?? 0);
    }
    if ((r & 1023) === 1023) scope.checkCancelled();
  }
}

function notNullViolation(table: TableDef, row: readonly SqlValue[], session: TypeSession): Error {
  const c = table.columns.find((col, i) => col.notNull && row[i] === null);
  return sqlError(EngineSqlState.notNullViolation, `null value in column "${c?.name ?? ''}" of relation "${table.name}" violates not-null constraint`, {
    detail: `Failing row contains (${formatKeyValues(table, table.columns.map((col) => col.id), row, session)}).`,
  });
}

/** Rows through a compiled INSERT, so defaults, identities and checks apply as in SQL. */
async function loadCompiled(
  host: SessionHost, scope: StatementScope, catalog: Catalog, table: TableDef, columnIds: readonly number[], rows: LoadRows,
): Promise<void> {
  const columns = columnIds.map((id) => table.columns.find((c) => c.id === id));
  const values: Select = {
    kind: 'select', with: null, orderBy: [], limit: null, limitWithTies: false, offset: null, locking: [],
    body: { kind: 'values', rows: [columns.map((_, i) => ({ kind: 'param', number: i + 1, position: -1 }))] },
  };
  const insert: Insert = {
    kind: 'insert', with: null, table: { name: { schema: table.schemaName, name: table.name, position: -1 }, only: false, alias: null },
    columns: columns.map((c) => ({ name: c?.name ?? '', position: -1 })), source: values, overriding: 'systemValue', onConflict: null, returning: [],
  };
  const compiled = host.compile(insert, catalog, columns.map((c) => c?.type));
  for (let r = 0; r < rows.values.length; r++) {
    try {
      await host.execute(compiled, scope, catalog, rows.values[r] ?? []);
    } catch (error) {
      throw withContext(error, table.name, rows.lines[r] ?? 0);
    }
  }
}

function wireFormat(format: CopyFormat): 'text' | 'csv' | 'binary' {
  if (format.binary) return 'binary';
  return format.csv ? 'csv' : 'text';
}

function copyOut(host: SessionHost, statement: Copy, format: CopyFormat, mode: RunMode): Promise<StatementResult> {
  const source = statement.source;
  let query = source.kind === 'query' ? source.query : undefined;
  if (source.kind === 'table') {
    const table = requireTable(host, host.transaction()?.catalog() ?? host.core.catalog(), source.table);
    const columns = copyColumns(table, source.columns);
    const select = selectOf(columns.map((c) => ({ kind: 'columnRef', path: [c.name], position: -1 })));
    query = { ...select, body: { ...(select.body as Extract<Select['body'], { kind: 'selectCore' }>), from: [{ kind: 'table', name: { schema: table.schemaName, name: table.name, position: -1 }, only: false, alias: null }] } };
  }
  const statementToRun = query;
  if (statementToRun === undefined) throw featureNotSupported('COPY TO needs a table or a query');
  return host.runInStatement(mode, async (scope, catalog) => {
    const result = await host.execute(host.compile(statementToRun, catalog, []), scope, catalog, []);
    if (result.kind !== 'rows') throw featureNotSupported('COPY query must have a RETURNING clause');
    const names = result.columns.map((c) => c.name);
    const types = result.columns.map((c) => c.type);
    const chunks = format.binary ? binaryChunks(result.rows, types) : textChunks(result.rows, names, types, format, scope.typeSession);
    const count = result.rows.length;
    return {
      kind: 'copyOut',
      copy: {
        format: wireFormat(format), columnCount: names.length, tag: () => `COPY ${count}`,
        chunks: async function* produce() {
          yield* chunks;
        },
      },
    } satisfies StatementResult;
  });
}

function textChunks(
  rows: readonly (readonly SqlValue[])[], names: readonly string[], types: readonly SqlType[], format: CopyFormat, session: TypeSession,
): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let pending = format.header === true ? formatCopyHeader(names, format) : '';
  for (const row of rows) {
    const texts = row.map((v, i) => {
      const type = types[i];
      return v === null || type === undefined ? null : formatText(v, type, session);
    });
    pending += formatCopyLine(texts, names, format);
    if (pending.length >= copyOutChunkBytes) {
      chunks.push(Buffer.from(pending, 'utf8'));
      pending = '';
    }
  }
  if (pending.length > 0) chunks.push(Buffer.from(pending, 'utf8'));
  return chunks;
}

function binaryChunks(rows: readonly (readonly SqlValue[])[], types: readonly SqlType[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  const writer = new BinaryCopyWriter();
  writer.header();
  for (const row of rows) {
    writer.tuple(row.map((v, i) => {
      const type = types[i];
      return v === null || type === undefined ? null : encodeBinary(v, type);
    }));
    if (writer.bytes >= copyOutChunkBytes) chunks.push(writer.take());
  }
  writer.trailer();
  chunks.push(writer.take());
  return chunks;
}
