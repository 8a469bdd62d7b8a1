// Uniqueness, checked by the leader (the row store does not enforce it).
//
// Before a row with a unique key is written the writer holds a lock on that
// key: the row lock for the primary key, a value lock for each unique index
// value (NULLs never conflict). So two transactions inserting the same key
// serialise, and the second, once the first committed, sees its row in the
// latest committed state. The check reads the latest committed state (not
// the snapshot) plus this transaction's own writes; a committed row another
// transaction is deleting or changing is waited for (by taking its row lock)
// and looked at again.

import {
  compareBytes, indexKeyHasNull, indexKeyOf, prefixRange, primaryKeyOf, type IndexDef, type KeyedRow, type Row,
  type TableDef,
} from '../../materializers/index.js';
import type { RowHandle } from '../contract.js';
import { uniqueViolation } from './constraint-errors.js';
import { serializationFailure } from './errors.js';
import { keyFromString, keyString, rowResource, uniqueValueResource } from './keys.js';
import type { LockMode } from './lock-manager.js';
import { projectOnto } from './projection.js';
import type { StatementScope } from './statement-scope.js';

type Lock = (resource: string, mode: LockMode) => Promise<void>;
/** Called for each committed row handed out under its lock (ON CONFLICT): an update of it needs no change check. */
type NoteLocked = (tableId: number, keyText: string) => void;

export class UniquenessChecker {
  constructor(private readonly scope: StatementScope, private readonly lock: Lock, private readonly noteLocked: NoteLocked) {}

  /** The newest committed row under `key` (not the snapshot's), in `def`'s columns (projection.ts). */
  async latestCommitted(def: TableDef, key: Uint8Array): Promise<Row | null> {
    // A table this transaction created (DDL in a block) has no committed rows.
    if (this.scope.txn.createdTables.has(def.id)) return null;
    const store = this.scope.core.rowStore;
    const applied = store.appliedIndex();
    const cached = store.tryGetCached(def.id, key, applied);
    if (cached !== undefined) return this.projected(store.catalogAt(applied).tableById(def.id), def, cached);
    const snapshot = this.scope.core.openSnapshot();
    try {
      const row = await snapshot.get(def.id, key);
      return this.projected(snapshot.catalog.tableById(def.id), def, row);
    } finally {
      snapshot.release();
    }
  }

  private projected(committed: TableDef | undefined, def: TableDef, row: Row | null): Row | null {
    if (row === null || committed === undefined) return row;
    return projectOnto(committed, def, row);
  }

  /** The transaction's newest version of the row, or the latest committed one. */
  async latestRow(def: TableDef, key: Uint8Array, keyText: string): Promise<{ row: Row | null; own: boolean }> {
    const own = this.scope.txn.writes.latest(def.id, keyText);
    if (own !== undefined) return { row: own.row, own: true };
    return { row: await this.latestCommitted(def, key), own: false };
  }

  /** With the row lock on `key` held: 23505 when a row already has that primary key. */
  async checkKeyFree(def: TableDef, key: Uint8Array, row: Row): Promise<void> {
    const keyText = keyString(key);
    const found = await this.latestRow(def, key, keyText);
    if (found.row === null) return;
    this.serializableInvisible(def, keyText, found.own);
    throw uniqueViolation(def.primaryKey?.name ?? `${def.name}_pkey`, def, def.primaryKey?.columnIds ?? [], row, this.scope.typeSession);
  }

  /**
   * 23505 when another row holds one of `row`'s unique index values. Values
   * equal to `before`'s are skipped (an update that keeps them); `selfKeys`
   * are the row's own keys (old and new), which never conflict with it.
   */
  async checkIndexes(def: TableDef, row: Row, selfKeys: readonly string[], before: Row | null): Promise<void> {
    for (const index of def.indexes) {
      if (!index.unique || indexKeyHasNull(def, index, row)) continue;
      const value = indexKeyOf(def, index, row);
      if (before !== null && !indexKeyHasNull(def, index, before) && compareBytes(value, indexKeyOf(def, index, before)) === 0) continue;
      const valueText = keyString(value);
      await this.lock(uniqueValueResource(index.id, valueText), 'exclusive');
      const conflict = await this.findConflict(def, index, value, valueText, selfKeys);
      if (conflict === null) continue;
      this.serializableInvisible(def, keyString(conflict.handle.key), conflict.own);
      throw uniqueViolation(index.name, def, index.columnIds, row, this.scope.typeSession);
    }
  }

  /** ON CONFLICT: the existing row per violated unique index (`which` narrows to one), locked and latest. */
  async conflicts(def: TableDef, row: Row, which: 'primary' | number | null): Promise<RowHandle[]> {
    const out: RowHandle[] = [];
    const seen = new Set<string>();
    const add = (handle: RowHandle, own: boolean): void => {
      const keyText = keyString(handle.key);
      if (seen.has(keyText)) return;
      seen.add(keyText);
      // REPEATABLE READ cannot update a row its snapshot does not show.
      if (!own && this.scope.txn.isolation !== 'read committed' && this.scope.core.tracker.keyChangedAfter(def.id, keyText, this.scope.snapshot.readIndex)) {
        throw serializationFailure('update');
      }
      out.push(handle);
    };
    if (def.primaryKey !== null && (which === null || which === 'primary')) {
      const key = primaryKeyOf(def, row);
      const keyText = keyString(key);
      await this.lock(rowResource(def.id, keyText), 'exclusive');
      const found = await this.latestRow(def, key, keyText);
      if (found.row !== null) {
        if (!found.own) this.noteLocked(def.id, keyText);
        add({ key, row: found.row }, found.own);
      }
    }
    for (const index of def.indexes) {
      if (!index.unique || (which !== null && which !== index.id) || indexKeyHasNull(def, index, row)) continue;
      const value = indexKeyOf(def, index, row);
      const valueText = keyString(value);
      await this.lock(uniqueValueResource(index.id, valueText), 'exclusive');
      const conflict = await this.findConflict(def, index, value, valueText, []);
      if (conflict !== null) add(conflict.handle, conflict.own);
    }
    return out;
  }

  /** Records a written row's unique values so later checks in this transaction find it. */
  noteWrite(def: TableDef, row: Row, keyText: string): void {
    for (const index of def.indexes) {
      if (index.unique && !indexKeyHasNull(def, index, row)) this.scope.txn.noteUniqueWrite(index.id, keyString(indexKeyOf(def, index, row)), keyText);
    }
  }

  private async findConflict(
    def: TableDef, index: IndexDef, value: Uint8Array, valueText: string, selfKeys: readonly string[],
  ): Promise<{ handle: RowHandle; own: boolean } | null> {
    const { txn } = this.scope;
    const holds = (row: Row | null): row is Row => row !== null && compareBytes(indexKeyOf(def, index, row), value) === 0;
    for (const keyText of txn.uniqueWriteCandidates(index.id, valueText)) {
      if (selfKeys.includes(keyText)) continue;
      const v = txn.writes.latest(def.id, keyText);
      if (v !== undefined && holds(v.row)) return { handle: { key: keyFromString(keyText), row: v.row }, own: true };
    }
    for (const candidate of await this.latestIndexLookup(def, index, value)) {
      const keyText = keyString(candidate.key);
      if (selfKeys.includes(keyText) || txn.writes.latest(def.id, keyText) !== undefined) continue;
      // Another transaction may be deleting or changing it: wait for it, then look again.
      await this.lock(rowResource(def.id, keyText), 'exclusive');
      const latest = await this.latestCommitted(def, candidate.key);
      if (holds(latest)) {
        this.noteLocked(def.id, keyText);
        return { handle: { key: candidate.key, row: latest }, own: false };
      }
    }
    return null;
  }

  /**
   * Candidates (committed rows, keys only are trusted: the caller rereads
   * each under its lock) for `value` in the index. An index this block
   * created on a table that existed before it has no committed entries:
   * its candidates come from a scan of the table's latest committed rows.
   */
  private async latestIndexLookup(def: TableDef, index: IndexDef, value: Uint8Array): Promise<readonly KeyedRow[]> {
    // A table this transaction created (DDL in a block) has no committed rows.
    if (this.scope.txn.createdTables.has(def.id)) return [];
    const range = prefixRange(value);
    const store = this.scope.core.rowStore;
    const indexed = this.scope.core.catalog().indexById(index.id) !== undefined;
    if (indexed) {
      const cached = store.tryLookupIndexCached(index.id, range, store.appliedIndex());
      if (cached !== undefined) return cached;
    }
    const snapshot = this.scope.core.openSnapshot();
    try {
      const out: KeyedRow[] = [];
      if (indexed) {
        for await (const row of snapshot.lookupIndex(index.id, range)) out.push(row);
        return out;
      }
      const committed = snapshot.catalog.tableById(def.id);
      if (committed === undefined) return out;
      for await (const r of snapshot.scan(def.id)) {
        this.scope.checkCancelled();
        if (compareBytes(indexKeyOf(def, index, projectOnto(committed, def, r.row)), value) === 0) out.push(r);
      }
      return out;
    } finally {
      snapshot.release();
    }
  }

  /** SERIALIZABLE: a conflicting row the snapshot cannot see is a serialization failure, as in PostgreSQL. */
  private serializableInvisible(def: TableDef, keyText: string, own: boolean): void {
    const { txn, core, snapshot } = this.scope;
    if (!own && txn.isolation === 'serializable' && core.tracker.keyChangedAfter(def.id, keyText, snapshot.readIndex)) {
      throw serializationFailure('update');
    }
  }
}
