// ALTER TABLE ... ADD PRIMARY KEY: the key a row is stored under changes, so
// the table is rewritten. The catalog cannot change a table's key in place,
// so ThunderDB builds the keyed copy beside it and swaps names:
//
//   A  DDL  createTable (new id, a temporary name, the primary key)
//   B  txn  the rows, inserted under their new keys (several entries if large)
//   C  DDL  drop the old table and its row-id sequence, re-own its other
//           sequences, rename the copy (and its indexes) to the old names
//
// A crash between A and C leaves the old table intact and a stray copy
// under the temporary name (drop it); never a table without its rows. The
// old table stays exclusively locked throughout, so no writer runs; a
// writer that waited restarts and binds to the new table by name.

import {
  primaryKeyOf, type Catalog, type DdlChange, type IndexDef, type Row, type TableDef, type TableDefinition, type TxnEffect,
} from '../../../materializers/index.js';
import { encodeEntries, proposeTxn } from '../commit.js';
import { columnContainsNulls, duplicateKeys } from '../constraint-errors.js';
import { EngineSqlState, invariant, sqlError } from '../errors.js';
import { keyString } from '../keys.js';
import type { SessionHost } from '../session-host.js';
import { chooseName, definitionOf, IdAllocator, proposeDdl } from './ddl-support.js';
import { latestRows } from './existing-rows.js';

export async function addPrimaryKey(host: SessionHost, catalog: Catalog, table: TableDef, name: string | null, columns: readonly string[]): Promise<void> {
  if (table.primaryKey !== null) throw sqlError(EngineSqlState.invalidTableDefinition, `multiple primary keys for table "${table.name}" are not allowed`);
  const columnIds = columns.map((n) => {
    const c = table.columns.find((col) => col.name === n);
    if (c === undefined) throw sqlError(EngineSqlState.undefinedColumn, `column "${n}" of relation "${table.name}" does not exist`);
    return c.id;
  });
  const taken = new Set<string>();
  const pkName = name ?? chooseName(catalog, host.database, table.schemaName, [table.name], 'pkey', taken);
  const rows = await keyedRows(host, table, columnIds, pkName);
  const copy = copyDefinition(catalog, host.database, table, { name: pkName, columnIds }, taken);
  await proposeDdl(host.core, catalog, [{ kind: 'createTable', table: copy.temporary }]);
  await copyRows(host, copy.temporary.id, rows);
  const now = host.core.catalog();
  await proposeDdl(host.core, now, swapChanges(now, table, copy.final));
}

/** The rows, checked: no NULL in a key column, no key twice. */
async function keyedRows(host: SessionHost, table: TableDef, columnIds: readonly number[], pkName: string): Promise<Row[]> {
  const positions = columnIds.map((id) => table.columns.findIndex((c) => c.id === id));
  const keyed: TableDef = { ...table, primaryKey: { name: pkName, columnIds }, rowIdSequenceId: null };
  const seen = new Set<string>();
  const rows: Row[] = [];
  for await (const { row } of latestRows(host.core, table)) {
    positions.forEach((p, i) => {
      if ((row[p] ?? null) === null) throw columnContainsNulls(table.columns[p]?.name ?? `#${columnIds[i]}`, table.name);
    });
    const key = keyString(primaryKeyOf(keyed, row));
    if (seen.has(key)) throw duplicateKeys(pkName, table, columnIds, row, host.typeSession(null));
    seen.add(key);
    rows.push(row);
  }
  return rows;
}

function copyDefinition(
  catalog: Catalog, database: string, table: TableDef, primaryKey: TableDefinition['primaryKey'] & object, taken: Set<string>,
): { readonly temporary: TableDefinition; readonly final: TableDefinition } {
  const ids = new IdAllocator(catalog);
  const id = ids.take();
  const temporaryName = (n: string): string => chooseName(catalog, database, table.schemaName, [n], 'rewrite', taken);
  const mapped = table.indexes.map((index): { temporary: IndexDef; final: IndexDef } => {
    const newId = ids.take();
    return { temporary: { ...index, id: newId, name: temporaryName(index.name) }, final: { ...index, id: newId } };
  });
  const indexIdOf = new Map(table.indexes.map((index, i) => [index.id, mapped[i]?.final.id ?? index.id]));
  const base = definitionOf(table);
  const final: TableDefinition = {
    ...base, id, primaryKey, rowIdSequenceId: null,
    columns: table.columns.map((c) => (primaryKey.columnIds.includes(c.id) ? { ...c, notNull: true } : c)),
    uniqueConstraints: table.uniqueConstraints.map((u) => ({ ...u, indexId: indexIdOf.get(u.indexId) ?? u.indexId })),
    indexes: mapped.map((m) => m.final),
  };
  return { temporary: { ...final, name: temporaryName(table.name), indexes: mapped.map((m) => m.temporary) }, final };
}

async function copyRows(host: SessionHost, tableId: number, rows: readonly Row[]): Promise<void> {
  if (rows.length === 0) return;
  const { core } = host;
  const target = core.catalog().tableById(tableId);
  invariant(target !== undefined, 'the rewrite copy exists once its createTable applied');
  const effects: TxnEffect[] = rows.map((row) => ({ tableId, op: 'insert', key: primaryKeyOf(target, row), after: row }));
  const base = { txnId: core.newTxnId(), sessionId: host.sessionId, commitTsMicros: core.nowMicros() };
  const entries = encodeEntries(base, effects, [], () => target.layout, core.txnEntryBytesMax);
  await proposeTxn(core, base.txnId, entries);
}

function swapChanges(catalog: Catalog, old: TableDef, final: TableDefinition): DdlChange[] {
  const changes: DdlChange[] = [{ kind: 'dropTable', tableId: old.id }];
  for (const sequence of catalog.sequences()) {
    if (sequence.ownedBy?.tableId !== old.id) continue;
    if (sequence.id === old.rowIdSequenceId) changes.push({ kind: 'dropSequence', sequenceId: sequence.id });
    else changes.push({ kind: 'alterSequence', sequence: { ...sequence, ownedBy: { tableId: final.id, columnId: sequence.ownedBy.columnId } } });
  }
  changes.push({ kind: 'alterTable', table: final });
  return changes;
}
