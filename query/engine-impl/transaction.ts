// One transaction's state: isolation, snapshot, write set, read set
// (SERIALIZABLE), the tables it locked for writing, the sequences it drew
// from and its savepoints. commit.ts turns it into log entries; the session
// drives its lifetime. Locks are owned by `owner` in the engine's LockManager.

import { applyDdl, decodeRow, readEncodedEffects, type Catalog, type DdlEntry, type EncodedEffectChunk, type RowSnapshot } from '../../materializers/index.js';
import type { EngineCore } from './engine-core.js';
import { EngineSqlState, invariant, sqlError } from './errors.js';
import { savepointsMax } from './limits.js';
import type { IsolationLevel } from './settings.js';
import { keyString } from './keys.js';
import { WriteSet } from './write-set.js';

export interface Savepoint {
  readonly name: string;
  readonly writeMark: number;
  /** DDL statements of the transaction before the savepoint. */
  readonly ddlMark: number;
  /** Session settings as they were, restored by ROLLBACK TO. */
  readonly settingsUndoSize: number;
}

/**
 * A bulk COPY's rows as encoded insert effects (copy/copy-bulk.ts): no row
 * objects, no write-set entries, no row locks (the transaction holds the
 * table exclusively). COMMIT proposes them after the write set's effects;
 * any other statement of the transaction first moves them into the write
 * set (`materializeBulk`), so it reads and writes them as usual.
 */
export interface BulkWrite {
  readonly tableId: number;
  /** The COPY's statement number (its rows are that command's writes). */
  readonly command: number;
  /** Emptied by COMMIT as it copies them into parts. */
  readonly chunks: EncodedEffectChunk[];
  readonly count: number;
}

/** One DDL statement run in a transaction block: its entry and the private catalog after it. */
export interface DeferredDdl {
  readonly entry: DdlEntry;
  readonly catalog: Catalog;
}

/**
 * Versions of private catalogs: negative, so never a committed catalog's
 * (those count up from 0), and unique in the process.
 */
let lastPrivateCatalogVersion = 0;

export interface TransactionOptions {
  readonly sessionId: number;
  readonly explicit: boolean;
  readonly isolation: IsolationLevel;
  readonly readOnly: boolean;
}

export class Transaction {
  readonly owner: number;
  readonly txnId: bigint;
  /** The session running it (recorded in its entries). */
  readonly sessionId: number;
  /** now(): the transaction's start. */
  readonly startMicros: bigint;
  /** An explicit block (BEGIN) rather than an autocommit or implicit multi-statement transaction. */
  explicit: boolean;
  isolation: IsolationLevel;
  readOnly: boolean;
  failed = false;
  /** Its entries are being proposed: ending it now would free locks on rows about to change. */
  committing = false;
  /** The statement counter: each statement reads the writes of earlier ones only. */
  command = 0;
  /** Whether a statement that reads data ran (SET TRANSACTION ISOLATION must come first). */
  dataStatementRan = false;
  readonly writes = new WriteSet();
  /** SERIALIZABLE: keys read (per table) and tables scanned. */
  readonly readKeys = new Map<number, Set<string>>();
  readonly readTables = new Set<number>();
  /** Tables this transaction holds a shared (writer) lock on. */
  readonly lockedTables = new Set<number>();
  readonly sequencesUsed = new Set<number>();
  /**
   * Unique index values this transaction wrote: index id → value → row keys.
   * Never missing an entry (added on every write), possibly stale after a
   * rollback (readers recheck the row), like the row store's index entries.
   */
  private readonly uniqueWrites = new Map<number, Map<string, Set<string>>>();
  readonly savepoints: Savepoint[] = [];
  /** Session settings changed in this transaction and their old values (undefined: unset), oldest first. */
  readonly settingsUndo: { readonly name: string; readonly value: string | undefined; readonly local: boolean }[] = [];
  /**
   * DDL run in this transaction block, in order: folded into a private
   * catalog its statements bind against, proposed with its writes at COMMIT
   * (commit.ts), dropped by ROLLBACK. See DESIGN.md, "DDL".
   */
  readonly ddl: DeferredDdl[] = [];
  /** Tables created by this transaction's DDL (not in the committed catalog: their rows are all in the write set). */
  readonly createdTables = new Set<number>();
  /** A bulk COPY's encoded rows, until COMMIT or the next statement (BulkWrite). */
  bulk: BulkWrite | null = null;
  private snapshot: RowSnapshot | undefined;
  private ended = false;

  constructor(private readonly core: EngineCore, options: TransactionOptions) {
    this.owner = core.newOwner();
    this.txnId = core.newTxnId();
    this.startMicros = core.nowMicros();
    this.sessionId = options.sessionId;
    this.explicit = options.explicit;
    this.isolation = options.isolation;
    this.readOnly = options.readOnly;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** The catalog this transaction's statements see: the committed one, or its private one after DDL in the block. */
  catalog(): Catalog {
    return this.ddl.at(-1)?.catalog ?? this.core.catalog();
  }

  /** Folds a validated DDL entry into the private catalog (applyDdl throws CatalogError if it does not apply). */
  addDdl(entry: DdlEntry): Catalog {
    const before = this.catalog();
    const catalog = applyDdl(before, entry).withVersion(--lastPrivateCatalogVersion);
    this.ddl.push({ entry, catalog });
    for (const t of catalog.tables()) if (before.tableById(t.id) === undefined) this.createdTables.add(t.id);
    return catalog;
  }

  /** ROLLBACK TO SAVEPOINT: forgets the DDL run after the savepoint. */
  rollbackDdlTo(mark: number): void {
    const dropped = this.ddl.splice(mark);
    const catalog = this.catalog();
    for (const id of [...this.createdTables]) if (catalog.tableById(id) === undefined) this.createdTables.delete(id);
    for (const { catalog: c } of dropped) this.forgetSequencesNotIn(c, catalog);
  }

  /** Counters of sequences `from` has that `kept` does not (created, then rolled back): their ids may be reused. */
  private forgetSequencesNotIn(from: Catalog, kept: Catalog): void {
    for (const s of from.sequences()) if (kept.sequenceById(s.id) === undefined) this.core.sequences.forget(s.id);
  }

  /** Whether COMMIT has rows to write: the write set's or a bulk COPY's. */
  hasWrites(): boolean {
    return !this.writes.isEmpty() || this.bulk !== null;
  }

  /**
   * Moves a bulk COPY's rows into the write set, as the ordinary path would
   * have recorded them: a statement after the COPY in the same transaction
   * reads and writes them like any own write. O(rows) objects again, only
   * for transactions that do more after a bulk COPY than COMMIT.
   */
  materializeBulk(): void {
    const bulk = this.bulk;
    if (bulk === null) return;
    this.bulk = null;
    const table = this.catalog().tableById(bulk.tableId);
    invariant(table !== undefined, `bulk COPY into table ${bulk.tableId}, which the transaction's catalog lacks (it holds the table exclusively)`);
    const layout = table.layout;
    const resolve = (id: number) => (id === layout.id ? layout : undefined);
    for (const chunk of bulk.chunks) {
      for (const effect of readEncodedEffects(chunk)) {
        invariant(effect.after !== null, 'a bulk COPY effect is an insert');
        const key = effect.key.slice();
        this.writes.record({ tableId: bulk.tableId, op: 'insert', key, keyText: keyString(key), after: decodeRow(effect.after, resolve).row, command: bulk.command });
      }
    }
  }

  /** REPEATABLE READ and SERIALIZABLE read one snapshot, taken by the first statement that reads. */
  usesTransactionSnapshot(): boolean {
    return this.isolation !== 'read committed';
  }

  transactionSnapshot(): RowSnapshot {
    invariant(this.usesTransactionSnapshot(), 'READ COMMITTED has no transaction snapshot');
    invariant(!this.ended, 'snapshot of an ended transaction');
    this.snapshot ??= this.core.openSnapshot();
    return this.snapshot;
  }

  /** The snapshot's read index, if one was taken. */
  snapshotIndex(): number | undefined {
    return this.snapshot?.readIndex;
  }

  noteKeyRead(tableId: number, keyText: string): void {
    if (this.isolation !== 'serializable') return;
    let keys = this.readKeys.get(tableId);
    if (keys === undefined) {
      keys = new Set();
      this.readKeys.set(tableId, keys);
    }
    keys.add(keyText);
  }

  noteTableRead(tableId: number): void {
    if (this.isolation === 'serializable') this.readTables.add(tableId);
  }

  noteUniqueWrite(indexId: number, valueText: string, keyText: string): void {
    let byValue = this.uniqueWrites.get(indexId);
    if (byValue === undefined) {
      byValue = new Map();
      this.uniqueWrites.set(indexId, byValue);
    }
    let keys = byValue.get(valueText);
    if (keys === undefined) {
      keys = new Set();
      byValue.set(valueText, keys);
    }
    keys.add(keyText);
  }

  /** Row keys this transaction may have written with that unique value (recheck each). */
  uniqueWriteCandidates(indexId: number, valueText: string): Iterable<string> {
    return this.uniqueWrites.get(indexId)?.get(valueText) ?? [];
  }

  addSavepoint(name: string, settingsUndoSize: number): void {
    if (this.savepoints.length >= savepointsMax) {
      throw sqlError(EngineSqlState.programLimitExceeded, `too many savepoints (at most ${savepointsMax})`);
    }
    this.savepoints.push({ name, writeMark: this.writes.mark(), ddlMark: this.ddl.length, settingsUndoSize });
  }

  /** The innermost savepoint of that name, and everything above it, or undefined. */
  findSavepoint(name: string): number | undefined {
    for (let i = this.savepoints.length - 1; i >= 0; i--) if (this.savepoints[i]?.name === name) return i;
    return undefined;
  }

  /** Releases locks and the snapshot. The write set is dropped with the object. Idempotent. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.bulk = null;
    // Rolled back (or failed to commit): sequences its DDL created never existed.
    for (const step of this.ddl) this.forgetSequencesNotIn(step.catalog, this.core.catalog());
    this.snapshot?.release();
    this.snapshot = undefined;
    this.core.locks.releaseAll(this.owner);
  }
}
