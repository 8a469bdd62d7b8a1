// CREATE [UNIQUE] INDEX: a new index in the table's definition (an
// alterTable change). A unique index first checks the rows the table holds.
// Expression and partial indexes are refused; DESC and NULLS FIRST change
// only the order PostgreSQL could scan in, never which rows match, and are
// accepted as ascending.

import { indexKeyHasNull, indexKeyOf, type Catalog, type TableDef } from '../../../materializers/index.js';
import type { CreateIndex } from '../../ast/index.js';
import type { StatementResult } from '../../engine.js';
import { EngineSqlState, featureNotSupported, sqlError } from '../errors.js';
import { keyString } from '../keys.js';
import type { SessionHost } from '../session-host.js';
import { duplicateKeys } from '../constraint-errors.js';
import { command, notice } from '../utility/results.js';
import {
  chooseName, definitionOf, IdAllocator, lockTablesForDdl, requireTable, runDdl, withDdl,
} from './ddl-support.js';
import { latestRows } from './existing-rows.js';

export function createIndex(host: SessionHost, statement: CreateIndex): Promise<StatementResult> {
  if (statement.where !== null) throw featureNotSupported('partial indexes are not supported');
  if (statement.method !== 'btree' && statement.method !== 'hash') throw featureNotSupported(`access method "${statement.method}" is not supported`);
  if (statement.nullsNotDistinct) throw featureNotSupported('NULLS NOT DISTINCT is not supported');
  return withDdl(host, async (catalog, lock) => {
    const table = requireTable(host, catalog, statement.table);
    if (statement.name !== null && catalog.relation(table.schemaName, statement.name, host.database) !== undefined) {
      if (!statement.ifNotExists) throw sqlError(EngineSqlState.duplicateTable, `relation "${statement.name}" already exists`);
      host.notice(notice(EngineSqlState.duplicateTable, `relation "${statement.name}" already exists, skipping`));
      return command('CREATE INDEX');
    }
    const columnIds = statement.columns.map((c) => {
      if (c.key.kind !== 'column') throw featureNotSupported('indexes on expressions are not supported');
      const name = c.key.name;
      const column = table.columns.find((col) => col.name === name);
      if (column === undefined) throw sqlError(EngineSqlState.undefinedColumn, `column "${name}" does not exist`);
      return column.id;
    });
    await lockTablesForDdl(host, lock, [table], 'CREATE INDEX on');
    const columnNames = columnIds.map((id) => table.columns.find((c) => c.id === id)?.name ?? '');
    const name = statement.name ?? chooseName(catalog, host.database, table.schemaName, [table.name, ...columnNames], 'idx', new Set());
    const index = { id: new IdAllocator(catalog).take(), name, columnIds, unique: statement.unique };
    const next: TableDef = { ...table, indexes: [...table.indexes, index] };
    // In a block the committed rows are all there is (the block has not written the table: refused above);
    // its reads find them through the new index by a scan until COMMIT builds it (table-access.ts).
    if (statement.unique) await checkUnique(host, catalog, next, index);
    await runDdl(host, catalog, [{ kind: 'alterTable', table: definitionOf(next) }]);
    return command('CREATE INDEX');
  });
}

/** 23505 when two rows already share a value of the new unique index (rows with a NULL in it never do). */
export async function checkUnique(host: SessionHost, catalog: Catalog, table: TableDef, index: { readonly name: string; readonly id: number; readonly columnIds: readonly number[]; readonly unique: boolean }): Promise<void> {
  if (catalog.tableById(table.id) === undefined) return;
  const seen = new Set<string>();
  // Rows in `table`'s columns (it may have columns added by the same statement: ADD COLUMN ... UNIQUE).
  for await (const { row } of latestRows(host.core, table)) {
    if (indexKeyHasNull(table, index, row)) continue;
    const value = keyString(indexKeyOf(table, index, row));
    if (seen.has(value)) throw duplicateKeys(index.name, table, index.columnIds, row, host.typeSession(null));
    seen.add(value);
  }
}
