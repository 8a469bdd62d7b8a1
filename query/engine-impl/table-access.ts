// TableAccess for one statement of one transaction: reads merge the
// snapshot with the transaction's own writes; writes take row locks, check
// uniqueness against the latest committed state and other writers, detect
// concurrent changes (restart under READ COMMITTED, 40001 otherwise) and
// go into the write set.

import {
  encodeKey, encodeRowIdKey, indexKeyOf, indexKeyTypes, prefixRange, primaryKeyOf, tableKeyTypes,
  type IndexDef, type KeyedRow, type KeyRange, type Row, type TableDef,
} from '../../materializers/index.js';
import type { ColumnInfo, IndexInfo, RowBatches, RowHandle, TableAccess, TableInfo } from '../contract.js';
import type { SqlValue } from '../types/index.js';
import { tableDefOf } from './catalog-view.js';
import { EngineSqlState, invariant, queryCanceled, serializationFailure, sqlError, StatementRestart } from './errors.js';
import { fitKeyValues } from './key-values.js';
import { keyString, rowResource, tableResource } from './keys.js';
import { scanBatchRowsMax } from './limits.js';
import type { LockMode } from './lock-manager.js';
import { mergeScan } from './merge.js';
import { projectOnto } from './projection.js';
import type { StatementScope } from './statement-scope.js';
import { UniquenessChecker } from './uniqueness.js';
import type { WriteOp } from './write-set.js';

async function* noRows(): AsyncGenerator<KeyedRow> {
  // A table created after the snapshot holds nothing the snapshot can see.
}

/** Committed rows of `from` in `to`'s columns (a block's altered definition, projection.ts). */
async function* projected(rows: AsyncIterable<KeyedRow>, from: TableDef, to: TableDef): AsyncGenerator<KeyedRow> {
  if (from === to) {
    yield* rows;
    return;
  }
  for await (const r of rows) yield { key: r.key, row: projectOnto(from, to, r.row) };
}

export class TransactionTableAccess implements TableAccess {
  /**
   * Rows handed out from the latest committed state under a lock (ON
   * CONFLICT), by table and key: the executor builds its own handles, so
   * identity cannot say where a row came from.
   */
  private readonly lockedLatest = new Set<string>();
  private readonly unique: UniquenessChecker;

  constructor(private readonly scope: StatementScope) {
    this.unique = new UniquenessChecker(scope, (resource, mode) => this.lock(resource, mode), (tableId, keyText) => {
      this.lockedLatest.add(rowResource(tableId, keyText));
    });
  }

  scan(table: TableInfo): RowBatches {
    return this.scanRange(table, undefined);
  }

  async lookup(table: TableInfo, index: IndexInfo, values: readonly SqlValue[]): Promise<readonly RowHandle[]> {
    const def = this.defOf(table);
    if (index.primary) {
      const types = tableKeyTypes(def);
      const fitted = fitKeyValues(types, values);
      if (fitted === undefined || def.primaryKey === null) return [];
      if (fitted.length === types.length) return this.pointRead(def, encodeKey(types, fitted));
      return this.collect(this.scanRange(table, prefixRange(encodeKey(types.slice(0, fitted.length), fitted))));
    }
    const indexDef = def.indexes.find((i) => i.id === index.id);
    if (indexDef === undefined) throw sqlError(EngineSqlState.undefinedObject, `index "${index.name}" does not exist`);
    const fitted = fitKeyValues(indexKeyTypes(def, indexDef), values);
    if (fitted === undefined) return [];
    return this.indexRead(def, indexDef, encodeKey(indexKeyTypes(def, indexDef).slice(0, fitted.length), fitted));
  }

  async conflicts(table: TableInfo, row: readonly SqlValue[], index: IndexInfo | null): Promise<readonly RowHandle[]> {
    const def = await this.writableDef(table);
    return this.unique.conflicts(def, row, index === null ? null : index.primary ? 'primary' : index.id);
  }

  async insert(table: TableInfo, row: readonly SqlValue[]): Promise<RowHandle> {
    const def = await this.writableDef(table);
    checkRowShape(def, row);
    let key: Uint8Array;
    if (def.primaryKey === null) {
      invariant(def.rowIdSequenceId !== null, `table ${def.name} has neither a primary key nor a row id sequence`);
      key = encodeRowIdKey(this.nextValue(def.rowIdSequenceId));
    } else {
      key = primaryKeyOf(def, row);
      await this.lock(rowResource(def.id, keyString(key)), 'exclusive');
      await this.unique.checkKeyFree(def, key, row);
    }
    const keyText = keyString(key);
    await this.unique.checkIndexes(def, row, [keyText], null);
    this.record(def, 'insert', key, keyText, undefined, row);
    return this.handle(key, row);
  }

  async update(table: TableInfo, old: RowHandle, row: readonly SqlValue[]): Promise<RowHandle> {
    const def = await this.writableDef(table);
    checkRowShape(def, row);
    const base = await this.lockedBase(def, old);
    if (base.row === null) return old; // deleted by this statement already: PostgreSQL skips such rows
    const newKey = def.primaryKey === null ? old.key : primaryKeyOf(def, row);
    const newKeyText = keyString(newKey);
    if (newKeyText === base.keyText) {
      await this.unique.checkIndexes(def, row, [base.keyText], base.row);
      this.record(def, 'update', old.key, base.keyText, base.row, row);
    } else {
      // A new primary key is a new row: delete the old key, insert the new one.
      await this.lock(rowResource(def.id, newKeyText), 'exclusive');
      this.record(def, 'delete', old.key, base.keyText, base.row, undefined);
      await this.unique.checkKeyFree(def, newKey, row);
      await this.unique.checkIndexes(def, row, [base.keyText, newKeyText], null);
      this.record(def, 'insert', newKey, newKeyText, undefined, row);
    }
    return this.handle(newKey, row);
  }

  async delete(table: TableInfo, old: RowHandle): Promise<void> {
    const def = await this.writableDef(table);
    const base = await this.lockedBase(def, old);
    if (base.row === null) return;
    this.record(def, 'delete', old.key, base.keyText, base.row, undefined);
  }

  nextIdentity(table: TableInfo, column: ColumnInfo): bigint {
    const def = this.defOf(table);
    const sequenceId = def.columns.find((c) => c.id === column.id)?.sequenceId;
    if (sequenceId === undefined) throw sqlError(EngineSqlState.featureNotSupported, `column "${column.name}" is not an identity column`);
    return this.nextValue(sequenceId);
  }

  // ------------------------------------------------------------------ reads --

  private scanRange(table: TableInfo, range: KeyRange | undefined): RowBatches {
    const def = this.defOf(table);
    const { txn, snapshot, command } = this.scope;
    txn.noteTableRead(def.id);
    const source = this.snapshotSource(def);
    const base = source === null ? noRows() : projected(snapshot.scan(def.id, range), source, def);
    let writes = txn.writes.visibleRows(def.id, command);
    if (range !== undefined) writes = writes.filter((w) => inRange(w.key, range));
    const batches = mergeScan(base, writes, scanBatchRowsMax, (key, row) => this.handle(key, row));
    const scope = this.scope;
    return (async function* checked() {
      for await (const batch of batches) {
        scope.checkCancelled();
        yield batch;
      }
    })();
  }

  private async pointRead(def: TableDef, key: Uint8Array): Promise<readonly RowHandle[]> {
    const { txn, snapshot, command } = this.scope;
    const keyText = keyString(key);
    txn.noteKeyRead(def.id, keyText);
    const own = txn.writes.visible(def.id, keyText, command);
    if (own !== undefined) return own.row === null ? [] : [this.handle(key, own.row)];
    const source = this.snapshotSource(def);
    if (source === null) return [];
    const cached = snapshot.tryGetCached(def.id, key);
    const row = cached !== undefined ? cached : await snapshot.get(def.id, key);
    return row === null ? [] : [this.handle(key, projectOnto(source, def, row))];
  }

  private async indexRead(def: TableDef, index: IndexDef, prefix: Uint8Array): Promise<readonly RowHandle[]> {
    const { txn, command } = this.scope;
    // A table-level read marker: a key marker per value would miss rows that move into the range.
    txn.noteTableRead(def.id);
    const out: RowHandle[] = [];
    const source = this.snapshotSource(def);
    if (source !== null) {
      for (const r of await this.committedIndexRows(source, def, index, prefix)) {
        if (txn.writes.visible(def.id, keyString(r.key), command) === undefined) out.push(this.handle(r.key, r.row));
      }
    }
    for (const w of txn.writes.visibleRows(def.id, command)) {
      if (w.row !== null && startsWith(indexKeyOf(def, index, w.row), prefix)) out.push(this.handle(w.key, w.row));
    }
    return out;
  }

  /**
   * The snapshot's rows whose index key starts with `prefix`, in `def`'s
   * columns. An index this block created (CREATE INDEX in a transaction
   * block) has no committed entries yet: its lookups scan the table's
   * committed rows and filter, O(rows) until COMMIT builds the index.
   */
  private async committedIndexRows(source: TableDef, def: TableDef, index: IndexDef, prefix: Uint8Array): Promise<readonly KeyedRow[]> {
    const { snapshot } = this.scope;
    if (source.indexes.some((i) => i.id === index.id)) {
      const range = prefixRange(prefix);
      const rows = snapshot.tryLookupIndexCached(index.id, range) ?? await collectRows(snapshot.lookupIndex(index.id, range));
      return source === def ? rows : rows.map((r) => ({ key: r.key, row: projectOnto(source, def, r.row) }));
    }
    const out: KeyedRow[] = [];
    for await (const r of projected(snapshot.scan(def.id), source, def)) {
      this.scope.checkCancelled();
      if (startsWith(indexKeyOf(def, index, r.row), prefix)) out.push(r);
    }
    return out;
  }

  private async collect(batches: RowBatches): Promise<RowHandle[]> {
    const out: RowHandle[] = [];
    for await (const batch of batches) out.push(...batch);
    return out;
  }

  /**
   * The snapshot's definition of the table, which its rows come in, when
   * they can be read in the definition the statement compiled against:
   * the same one, or the block's private alteration of it (projection.ts).
   * A table created after the snapshot has no rows in it (null); one
   * altered by someone else since cannot be read in the compiled shape.
   */
  private snapshotSource(def: TableDef): TableDef | null {
    const { snapshot, txn, core } = this.scope;
    const atSnapshot = snapshot.catalog.tableById(def.id);
    if (atSnapshot === undefined) return null;
    if (atSnapshot === def) return atSnapshot;
    // Altered in this block, from the definition the snapshot has (the block holds the table's exclusive lock).
    if (txn.catalog().tableById(def.id) === def && core.catalog().tableById(def.id) === atSnapshot) return atSnapshot;
    throw this.definitionChanged();
  }

  // ----------------------------------------------------------------- writes --

  private defOf(table: TableInfo): TableDef {
    const def = tableDefOf(table) ?? this.scope.txn.catalog().tableById(table.id);
    if (def === undefined) throw sqlError(EngineSqlState.undefinedTable, `relation "${table.name}" does not exist`);
    return def;
  }

  /** The table's definition, locked against DDL for the rest of the transaction and still current. */
  private async writableDef(table: TableInfo): Promise<TableDef> {
    const { txn } = this.scope;
    invariant(!txn.readOnly, 'writes in a read-only transaction are refused before the statement runs');
    const def = this.defOf(table);
    if (!txn.lockedTables.has(def.id)) {
      await this.lock(tableResource(def.id), 'shared');
      txn.lockedTables.add(def.id);
    }
    // The transaction's catalog: the committed one, or its private one after DDL in the block.
    if (txn.catalog().tableById(def.id) !== def) throw this.definitionChanged();
    return def;
  }

  private definitionChanged(): Error {
    return this.scope.txn.isolation === 'read committed' ? new StatementRestart('tableChanged') : serializationFailure('ddl');
  }

  /**
   * Locks the row `old` names and returns what this transaction may write
   * over: its own newest version, or the row as read if nobody changed it
   * since. A change after the statement's snapshot restarts the statement
   * (READ COMMITTED) or fails it with 40001 (first updater wins).
   */
  private async lockedBase(def: TableDef, old: RowHandle): Promise<{ keyText: string; row: Row | null }> {
    const { txn, snapshot, core } = this.scope;
    const keyText = keyString(old.key);
    await this.lock(rowResource(def.id, keyText), 'exclusive');
    const own = txn.writes.latest(def.id, keyText);
    if (own !== undefined) return { keyText, row: own.row };
    const latest = await this.unique.latestCommitted(def, old.key);
    if (!this.lockedLatest.has(rowResource(def.id, keyText)) && core.tracker.keyChangedAfter(def.id, keyText, snapshot.readIndex)) {
      if (txn.isolation === 'read committed') throw new StatementRestart('rowChanged');
      throw serializationFailure(latest === null ? 'delete' : 'update');
    }
    // The before-image is the latest committed row (under the lock, the truth), not whatever the executor carried.
    return { keyText, row: latest };
  }

  private record(def: TableDef, op: WriteOp, key: Uint8Array, keyText: string, before: Row | undefined, after: Row | undefined): void {
    const { txn, command } = this.scope;
    txn.writes.record({ tableId: def.id, op, key, keyText, before, after, command });
    if (after !== undefined) this.unique.noteWrite(def, after, keyText);
  }

  private nextValue(sequenceId: number): bigint {
    const { core, txn } = this.scope;
    const sequence = txn.catalog().sequenceById(sequenceId);
    invariant(sequence !== undefined, `sequence ${sequenceId} of a live table exists`);
    const value = core.sequences.next(sequence);
    txn.sequencesUsed.add(sequenceId);
    return value;
  }

  private async lock(resource: string, mode: LockMode): Promise<void> {
    const { core, txn } = this.scope;
    this.scope.checkCancelled();
    // The session closed under a running statement: its transaction ended, and no lock may outlive it.
    if (txn.isEnded) throw queryCanceled('user');
    const wait = core.locks.acquire(txn.owner, resource, mode);
    if (wait !== null) await wait;
    if (txn.isEnded) {
      core.locks.releaseAll(txn.owner);
      throw queryCanceled('user');
    }
  }

  private handle(key: Uint8Array, row: Row): RowHandle {
    return { key, row };
  }
}

function checkRowShape(def: TableDef, row: readonly SqlValue[]): void {
  invariant(row.length === def.columns.length, `row of ${row.length} values for table "${def.name}" of ${def.columns.length} columns`);
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

function inRange(key: Uint8Array, range: KeyRange): boolean {
  const s = keyString(key);
  return (range.gte === undefined || s >= keyString(range.gte)) && (range.lt === undefined || s < keyString(range.lt));
}

export async function collectRows(rows: AsyncIterable<KeyedRow>): Promise<KeyedRow[]> {
  const out: KeyedRow[] = [];
  for await (const r of rows) out.push(r);
  return out;
}
