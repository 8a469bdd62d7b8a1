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
  applyDdl, EffectTooLargeError, primaryKeyOf, TxnStreamEncoder, type Catalog, type DdlChange, type IndexDef, type Row, type TableDef, type TableDefinition,
} from '../../../materializers/index.js';
import { proposeTxn } from '../commit.js';
import { txnEntryEffectsMax } from '../limits.js';
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
  const copy = copyDefinition(catalog, host.database, table, { name: pkName, columnIds }, taken);
  const create: DdlChange[] = [{ kind: 'createTable', table: copy.temporary }];
  // The copy as its createTable will make it (we hold the DDL lock, so the
  // catalog cannot change before it applies): its layout encodes the rows.
  const target = applyDdl(catalog, { changes: create }).tableById(copy.temporary.id);
  invariant(target !== undefined, 'the rewrite copy exists once its createTable is folded');
  const entries = await keyedEntries(host, table, target, pkName);
  await proposeDdl(host.core, catalog, create);
  const created = host.core.catalog().tableById(target.id);
  invariant(created !== undefined && created.layout.id === target.layout.id, 'the rewrite copy applied with the layout its rows were encoded in');
  if (entries !== null) await proposeTxn(host.core, entries.txnId, entries.data);
  const now = host.core.catalog();
  await proposeDdl(host.core, now, swapChanges(now, table, copy.final));
}

/**
 * The rows, checked (no NULL in a key column, no key twice) and encoded as
 * the copy's inserts in one pass over the table: each row is keyed and
 * encoded into its txn part as it is read and then dropped, so a 1M-row
 * table is never held as rows (pgbench -i -s 10 spent a minute here, much of
 * it in garbage collection, issue 4). Null when the table is empty.
 */
async function keyedEntries(host: SessionHost, table: TableDef, target: TableDef, pkName: string): Promise<{ readonly txnId: bigint; readonly data: Uint8Array[] } | null> {
  const { core } = host;
  const columnIds = target.primaryKey?.columnIds ?? [];
  const positions = columnIds.map((id) => table.columns.findIndex((c) => c.id === id));
  const seen = new KeySet(positions.length === 1 ? table.columns[positions[0] ?? -1]?.type.kind : undefined);
  const txnId = core.newTxnId();
  const stream = new TxnStreamEncoder(
    { txnId, sessionId: host.sessionId, commitTsMicros: core.nowMicros(), sequences: [] },
    () => target.layout, core.txnEntryBytesMax, txnEntryEffectsMax,
  );
  let rows = 0;
  for await (const { row } of latestRows(core, table)) {
    for (let i = 0; i < positions.length; i++) {
      const p = positions[i] ?? -1;
      if ((row[p] ?? null) === null) throw columnContainsNulls(table.columns[p]?.name ?? `#${columnIds[i]}`, table.name);
    }
    const key = primaryKeyOf(target, row);
    if (!seen.add(row, positions, key)) throw duplicateKeys(pkName, table, columnIds, row, host.typeSession(null));
    try {
      stream.add({ tableId: target.id, op: 'insert', key, after: row });
    } catch (error) {
      if (error instanceof EffectTooLargeError) throw sqlError(EngineSqlState.programLimitExceeded, `a row of ${error.effectBytes} bytes of table "${table.name}" does not fit in one log entry (at most ${error.bytesMax} bytes)`);
      throw error;
    }
    rows++;
  }
  return rows === 0 ? null : { txnId, data: stream.finish() };
}

/**
 * The keys seen so far. A one-column integer key is kept as numbers (no
 * string per row: a million of them were a large share of the rewrite's
 * garbage collection); any other key by its memcomparable bytes.
 */
class KeySet {
  private readonly numbers: Set<number> | null;
  private readonly strings = new Set<string>();

  constructor(singleColumnKind: string | undefined) {
    this.numbers = singleColumnKind === 'int2' || singleColumnKind === 'int4' ? new Set<number>() : null;
  }

  /** False if the key was there already. */
  add(row: Row, positions: readonly number[], key: Uint8Array): boolean {
    const set = this.numbers;
    if (set !== null) {
      const value = row[positions[0] ?? -1];
      if (typeof value === 'number') {
        if (set.has(value)) return false;
        set.add(value);
        return true;
      }
    }
    const text = keyString(key);
    if (this.strings.has(text)) return false;
    this.strings.add(text);
    return true;
  }
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
