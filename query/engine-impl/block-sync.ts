// Statements of a transaction block run synchronously (DESIGN.md, "Point
// writes"): a primary-key read, a primary-key UPDATE and a one-row INSERT
// inside BEGIN … COMMIT need no await until COMMIT when their locks are free
// and their rows are in memory. This is their TableAccess equivalent: the
// same reads (own writes first, then the latest applied state), the same
// locks, the same write-set records as TransactionTableAccess, each call
// either complete or refused with nothing recorded, so the statement can
// still take the ordinary path.
//
// Only READ COMMITTED blocks without DDL come here: each statement reads
// the latest applied state, which is what a synchronous call sees, and the
// committed catalog is the block's.

import { encodeKey, encodeRowIdKey, primaryKeyOf, tableKeyTypes, type Row, type TableDef } from '../../materializers/index.js';
import type { CachedLookup, CachedWriteAccess, CatalogView, ColumnInfo, RowHandle, SessionContext, TableAccess, TableInfo } from '../contract.js';
import type { RuntimeContext } from '../contract.js';
import type { SqlValue } from '../types/index.js';
import { tableDefOf } from './catalog-view.js';
import type { EngineCore } from './engine-core.js';
import { EngineSqlState, invariant, sqlError } from './errors.js';
import { fitKeyValues } from './key-values.js';
import { keyString, rowResource, tableResource } from './keys.js';
import type { Transaction } from './transaction.js';

/**
 * One per session, reused by each synchronous statement (`start`): the call
 * is synchronous and never re-entered, and a statement per round trip
 * should not cost an access, a runtime and their closures.
 */
export class BlockSyncAccess implements CachedWriteAccess {
  /** The key `read` encoded last, so the write that follows it does not encode it again. */
  private lastKey: Uint8Array | undefined;
  private lastKeyText = '';
  private txn!: Transaction;
  private command = 0;

  constructor(private readonly core: EngineCore) {}

  /** CachedLookup for a point read in the block: the same visibility as `read`. */
  readonly lookup: CachedLookup = (table, values) => this.read(table, values);

  /** Aims the access at statement `command` of `txn`. */
  start(txn: Transaction, command: number): void {
    this.txn = txn;
    this.command = command;
    this.lastKey = undefined;
  }

  read(table: TableInfo, values: readonly SqlValue[]): RowHandle | null | undefined {
    const def = this.currentDef(table);
    if (def === undefined || def.primaryKey === null) return undefined;
    const types = tableKeyTypes(def);
    const fitted = fitKeyValues(types, values);
    if (fitted === undefined) return null;
    if (fitted.length !== types.length) return undefined;
    const key = encodeKey(types, fitted);
    const keyText = keyString(key);
    this.lastKey = key;
    this.lastKeyText = keyText;
    // The statement sees the versions earlier statements of the block wrote (write-set.ts).
    const own = this.txn.writes.visible(def.id, keyText, this.command);
    if (own !== undefined) return own.row === null ? null : { key, row: own.row };
    const core = this.core;
    const row = core.rowStore.tryGetCached(def.id, key, core.rowStore.appliedIndex());
    if (row === undefined || row === null) return row;
    return { key, row };
  }

  update(table: TableInfo, old: RowHandle, row: readonly SqlValue[]): boolean {
    const def = this.writableDef(table, row);
    if (def === undefined) return false;
    const keyText = this.keyTextOf(old.key);
    if (!this.core.locks.tryAcquire(this.txn.owner, rowResource(def.id, keyText), 'exclusive')) return false;
    // Under the lock, what the write replaces (TransactionTableAccess.lockedBase): the block's newest version, or the latest committed row.
    const own = this.txn.writes.latest(def.id, keyText);
    let before: Row | null;
    if (own !== undefined) {
      before = own.row;
    } else {
      const store = this.core.rowStore;
      const applied = store.appliedIndex();
      const latest = store.tryGetCached(def.id, old.key, applied);
      // Not in memory, or another commit of this row still in flight: the ordinary path decides.
      if (latest === undefined || this.core.tracker.keyChangedAfter(def.id, keyText, applied)) return false;
      before = latest;
    }
    if (before === null) return false;
    this.txn.writes.record({ tableId: def.id, op: 'update', key: old.key, keyText, before, after: row, command: this.command });
    return true;
  }

  insert(table: TableInfo, row: readonly SqlValue[]): boolean {
    const def = this.writableDef(table, row);
    if (def === undefined) return false;
    let key: Uint8Array;
    let keyText: string;
    if (def.primaryKey === null) {
      invariant(def.rowIdSequenceId !== null, `table ${def.name} has neither a primary key nor a row id sequence`);
      key = encodeRowIdKey(this.nextValue(def.rowIdSequenceId));
      keyText = keyString(key);
    } else {
      key = primaryKeyOf(def, row);
      keyText = keyString(key);
      if (!this.core.locks.tryAcquire(this.txn.owner, rowResource(def.id, keyText), 'exclusive')) return false;
      // The key must be free (UniquenessChecker.checkKeyFree); a duplicate is reported by the ordinary path.
      const own = this.txn.writes.latest(def.id, keyText);
      if (own !== undefined) {
        if (own.row !== null) return false;
      } else {
        const store = this.core.rowStore;
        if (store.tryGetCached(def.id, key, store.appliedIndex()) !== null) return false;
      }
    }
    this.txn.writes.record({ tableId: def.id, op: 'insert', key, keyText, after: row, command: this.command });
    return true;
  }

  /** Next value of an identity column (TransactionTableAccess.nextIdentity). */
  nextIdentity(table: TableInfo, column: ColumnInfo): bigint {
    const def = tableDefOf(table) ?? this.txn.catalog().tableById(table.id);
    const sequenceId = def?.columns.find((c) => c.id === column.id)?.sequenceId;
    if (sequenceId === undefined) throw sqlError(EngineSqlState.featureNotSupported, `column "${column.name}" is not an identity column`);
    return this.nextValue(sequenceId);
  }

  /** The table's definition when it is the block's (the committed catalog's), else undefined. */
  private currentDef(table: TableInfo): TableDef | undefined {
    const def = tableDefOf(table);
    if (def === undefined || this.core.catalog().tableById(def.id) !== def) return undefined;
    return def;
  }

  /**
   * TransactionTableAccess.writableDef without waiting: the table's shared
   * lock (against DDL) taken now or never. Tables with unique secondary
   * indexes are left to the ordinary path (their checks may read).
   */
  private writableDef(table: TableInfo, row: readonly SqlValue[]): TableDef | undefined {
    const def = this.currentDef(table);
    if (def === undefined || def.indexes.some((i) => i.unique)) return undefined;
    invariant(row.length === def.columns.length, `row of ${row.length} values for table "${def.name}" of ${def.columns.length} columns`);
    const txn = this.txn;
    if (!txn.lockedTables.has(def.id)) {
      if (!this.core.locks.tryAcquire(txn.owner, tableResource(def.id), 'shared')) return undefined;
      txn.lockedTables.add(def.id);
    }
    return def;
  }

  private keyTextOf(key: Uint8Array): string {
    return key === this.lastKey ? this.lastKeyText : keyString(key);
  }

  private nextValue(sequenceId: number): bigint {
    const sequence = this.txn.catalog().sequenceById(sequenceId);
    invariant(sequence !== undefined, `sequence ${sequenceId} of a live table exists`);
    const value = this.core.sequences.next(sequence);
    this.txn.sequencesUsed.add(sequenceId);
    return value;
  }
}

/** The block statement's RuntimeContext: now() is the transaction's start; only identity values go through `access`. */
export class BlockSyncRuntime implements RuntimeContext {
  readonly access: TableAccess;
  private txn!: Transaction;
  catalog!: CatalogView;
  session!: SessionContext;
  parameters: readonly SqlValue[] = [];

  constructor(private readonly core: EngineCore, sync: BlockSyncAccess) {
    this.access = {
      scan: refuse, lookup: refuse, conflicts: refuse, insert: refuse, update: refuse, delete: refuse,
      nextIdentity: (table, column) => sync.nextIdentity(table, column),
    };
  }

  /** Aims the runtime at the next statement (reused like BlockSyncAccess). */
  start(txn: Transaction, catalog: CatalogView, session: SessionContext, parameters: readonly SqlValue[]): void {
    this.txn = txn;
    this.catalog = catalog;
    this.session = session;
    this.parameters = parameters;
  }

  get transactionTimestampMicros(): bigint {
    return this.txn.startMicros;
  }

  clockMicros(): bigint {
    return this.core.nowMicros();
  }

  checkCancelled(): void {
    // A synchronous statement cannot be cancelled while it runs.
  }
}

function refuse(): never {
  throw new Error('invariant violated: a synchronous block statement reads and writes through BlockSyncAccess');
}
