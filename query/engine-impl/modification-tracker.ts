// When did a row or a table last change? The row store keeps versions but
// does not say at which index a key last changed, and first-updater-wins
// (REPEATABLE READ), statement restarts (READ COMMITTED) and read-set
// validation (SERIALIZABLE) all ask exactly that: "did this key, or any key
// of this table, change after my snapshot?".
//
// The engine feeds every committed entry through onCommitted, synchronously
// inside committed$ right after the row store applied it, so no reader can
// see an applied entry the tracker has not recorded. Entries of transactions
// that validated and are still being proposed are "pending": they count as
// changed after every snapshot until they commit (or fail), which closes the
// window between one transaction's validation and its apply.
//
// Records at or below every live snapshot's read index answer "no" for every
// reader that can still ask, so they are pruned.
//
// A multi-part transaction changes its keys at its last part's index, as the
// row store applies it: the tracker assembles parts with the same rule
// (materializers' TxnPartAssembler) and records nothing for parts that are
// dropped unfinished. A pending registration ends when its transaction's last
// (or only) entry is recorded, or when the commit fails.

import {
  decodeCommittedEntry, decodeEntry, TxnPartAssembler, type DdlChange, type RawTxnEffect, type RawTxnEntry,
} from '../../materializers/index.js';
import { EntryKind, type LogEntry } from '../../log/index.js';
import { keyString, rowResource } from './keys.js';
import { trackerPruneThresholdMin, trackerTxnKeysPerTableMax } from './limits.js';
import { EngineInvariantError, unreachable } from './errors.js';

interface Pending {
  readonly keys: readonly string[];
  readonly tables: readonly number[];
  /** Tables whose every key counts as pending (more than trackerTxnKeysPerTableMax rows written). */
  readonly bulkTables: readonly number[];
}

function addCount<K>(map: Map<K, number>, key: K, delta: number): void {
  const next = (map.get(key) ?? 0) + delta;
  if (next <= 0) map.delete(key);
  else map.set(key, next);
}

export class ModificationTracker {
  private readonly keys = new Map<string, number>();
  /** Last index at which any row of the table changed. */
  private readonly tables = new Map<number, number>();
  /** Last truncate, drop or alter: every key of the table counts as changed. */
  private readonly tableResets = new Map<number, number>();
  /**
   * Last transaction that changed more than trackerTxnKeysPerTableMax rows of
   * the table (a bulk load, ADD PRIMARY KEY's copy): recorded for the table,
   * so every key counts as changed, instead of a record per key (a million
   * strings and Map entries per million-row load, issue 4). Conservative: a
   * concurrent writer of another key of that table restarts (READ
   * COMMITTED) or gets 40001, as after a truncate.
   */
  private readonly bulkChanges = new Map<number, number>();
  private readonly pendingKeys = new Map<string, number>();
  private readonly pendingTables = new Map<number, number>();
  private readonly pendingBulkTables = new Map<number, number>();
  private readonly pending = new Map<bigint, Pending>();
  /**
   * Entries this node proposed as a whole transaction, by their bytes: when
   * the log hands back the same buffer committed, its keys are the pending
   * registration's and nothing needs decoding again (the row store already
   * decoded it; a second decode and a key string per effect showed in
   * pgbench profiles). A buffer re-read from the WAL is another object and
   * takes the decoding path. Weak: a proposal dropped by a leader change leaves nothing.
   */
  private readonly ownEntries = new WeakMap<Uint8Array, bigint>();
  /**
   * The parts of a multi-part transaction seen so far: a DDL part's changes,
   * a txn part's entry bytes (the log's buffer, not decoded effects: a
   * million-row COPY held as effect objects until its last part was a few
   * hundred MB).
   */
  private readonly parts = new TxnPartAssembler<HeldPart>();
  /** Parts this node proposed for a pending registration (noteOwnParts), by their bytes. */
  private readonly ownParts = new WeakSet<Uint8Array>();
  private pruneAtSize = trackerPruneThresholdMin;

  /** `oldestReadIndex()`: the smallest read index any live snapshot has (the applied index when none). */
  constructor(private readonly oldestReadIndex: () => number) {}

  /**
   * Marks a validated transaction's keys and tables as changed until its
   * (last) entry commits; for `bulkTables` (more than
   * trackerTxnKeysPerTableMax rows written, their keys left out of `keys`)
   * every key of the table counts as changed.
   */
  registerPending(txnId: bigint, keys: readonly string[], tables: readonly number[], bulkTables: readonly number[] = []): void {
    this.clearPending(txnId);
    this.pending.set(txnId, { keys, tables, bulkTables });
    for (const k of keys) addCount(this.pendingKeys, k, 1);
    for (const t of tables) addCount(this.pendingTables, t, 1);
    for (const t of bulkTables) addCount(this.pendingBulkTables, t, 1);
  }

  /**
   * Says that `data`, about to be proposed, is the whole of pending
   * transaction `txnId` (one txn entry, no parts): once committed it is
   * recorded from the registration without decoding.
   */
  noteOwnEntry(txnId: bigint, data: Uint8Array): void {
    if (this.pending.has(txnId)) this.ownEntries.set(data, txnId);
  }

  /**
   * Says that `parts`, about to be proposed, are the entries of pending
   * multi-part transaction `txnId`: once the last one commits (the log
   * handing back these very buffers) it is recorded from the registration.
   */
  noteOwnParts(txnId: bigint, parts: readonly Uint8Array[]): void {
    if (this.pending.has(txnId)) for (const data of parts) this.ownParts.add(data);
  }

  /** Idempotent: after the last entry committed, or when proposing failed. */
  clearPending(txnId: bigint): void {
    const p = this.pending.get(txnId);
    if (p === undefined) return;
    this.pending.delete(txnId);
    for (const k of p.keys) addCount(this.pendingKeys, k, -1);
    for (const t of p.tables) addCount(this.pendingTables, t, -1);
    for (const t of p.bulkTables) addCount(this.pendingBulkTables, t, -1);
  }

  onCommitted(entry: LogEntry): void {
    if (entry.kind === EntryKind.Normal && this.parts.pendingTxn() === null) {
      const txnId = this.ownEntries.get(entry.data);
      const p = txnId === undefined ? undefined : this.pending.get(txnId);
      if (txnId !== undefined && p !== undefined) return this.recordPending(txnId, p, entry.index);
    }
    const decoded = entry.kind === EntryKind.Normal ? decodeCommittedEntry(entry.index, entry.data) : null;
    const assembled = this.parts.accept(entry.index, entry.term, decoded, (part): HeldPart =>
      (part.type === 'ddlPart' ? { kind: 'ddl', changes: part.ddl.changes } : { kind: 'txn', data: entry.data }));
    if (assembled.kind === 'complete') {
      for (const part of assembled.parts) {
        if (part.kind === 'ddl') for (const change of part.changes) this.recordDdl(change, entry.index);
      }
      const p = this.pending.get(assembled.txnId);
      if (p !== undefined && assembled.parts.every((part) => part.kind === 'ddl' || this.ownParts.has(part.data))) {
        return this.recordPending(assembled.txnId, p, entry.index);
      }
      return this.recordTxn(assembled.txnId, heldEffects(assembled.parts), entry.index);
    }
    if (assembled.kind !== 'single' || decoded === null) return;
    switch (decoded.type) {
      case 'txn': return this.recordTxn(decoded.txn.txnId, decoded.txn.effects, entry.index);
      case 'ddl':
        for (const change of decoded.ddl.changes) this.recordDdl(change, entry.index);
        return;
      // The engine clears its own pending registration when a commit fails.
      case 'txnAbort': return;
      case 'txnPart': case 'ddlPart': return;
      default: return unreachable(decoded, 'entry type');
    }
  }

  /** Whether the row changed (or is about to) after `readIndex`. */
  keyChangedAfter(tableId: number, key: string, readIndex: number): boolean {
    const resource = rowResource(tableId, key);
    return this.pendingKeys.has(resource) || this.pendingBulkTables.has(tableId) || (this.keys.get(resource) ?? 0) > readIndex || this.tableResetAfter(tableId, readIndex)
      || (this.bulkChanges.get(tableId) ?? 0) > readIndex;
  }

  /** Whether any row of the table changed (or is about to) after `readIndex`. */
  tableChangedAfter(tableId: number, readIndex: number): boolean {
    return this.pendingTables.has(tableId) || (this.tables.get(tableId) ?? 0) > readIndex || this.tableResetAfter(tableId, readIndex);
  }

  tableResetAfter(tableId: number, readIndex: number): boolean {
    return (this.tableResets.get(tableId) ?? 0) > readIndex;
  }

  /** Records kept, for tests and stats. */
  size(): number {
    return this.keys.size + this.tables.size + this.tableResets.size + this.bulkChanges.size;
  }

  /** Drops records no live reader can ask about. Runs by itself as records accumulate. */
  prune(): void {
    const oldest = this.oldestReadIndex();
    for (const map of [this.keys, this.tables, this.tableResets, this.bulkChanges] as Map<unknown, number>[]) {
      for (const [k, index] of map) if (index <= oldest) map.delete(k);
    }
    this.pruneAtSize = Math.max(trackerPruneThresholdMin, 2 * this.keys.size);
  }

  /** recordTxn for a transaction this node registered: the same records, from its registration. */
  private recordPending(txnId: bigint, p: Pending, index: number): void {
    for (const tableId of p.bulkTables) {
      this.bulkChanges.set(tableId, index);
      this.tables.set(tableId, index);
    }
    for (const k of p.keys) this.keys.set(k, index);
    for (const tableId of p.tables) this.tables.set(tableId, index);
    this.clearPending(txnId);
    if (this.keys.size > this.pruneAtSize) this.prune();
  }

  private recordTxn(txnId: RawTxnEntry['txnId'], effects: readonly RawTxnEffect[], index: number): void {
    const bulk = effects.length > trackerTxnKeysPerTableMax ? bulkTables(effects) : null;
    for (const tableId of bulk ?? []) {
      this.bulkChanges.set(tableId, index);
      this.tables.set(tableId, index);
    }
    for (const effect of effects) {
      if (bulk?.has(effect.tableId) === true) continue;
      this.keys.set(rowResource(effect.tableId, keyString(effect.key)), index);
      this.tables.set(effect.tableId, index);
    }
    this.clearPending(txnId);
    if (this.keys.size > this.pruneAtSize) this.prune();
  }

  private recordDdl(change: DdlChange, index: number): void {
    switch (change.kind) {
      case 'truncateTable':
      case 'dropTable':
        this.tableResets.set(change.tableId, index);
        this.tables.set(change.tableId, index);
        return;
      case 'alterTable':
        this.tableResets.set(change.table.id, index);
        this.tables.set(change.table.id, index);
        return;
      case 'createDatabase': case 'dropDatabase': case 'createSchema': case 'dropSchema': case 'createTable':
      case 'createSequence': case 'alterSequence': case 'dropSequence':
        return;
      default: return unreachable(change, 'ddl change');
    }
  }
}

type HeldPart = { readonly kind: 'ddl'; readonly changes: readonly DdlChange[] } | { readonly kind: 'txn'; readonly data: Uint8Array };

/** The effects of held txn parts, decoded again (a follower's or a replayed transaction). */
function heldEffects(parts: readonly HeldPart[]): RawTxnEffect[] {
  const effects: RawTxnEffect[] = [];
  for (const part of parts) {
    if (part.kind !== 'txn') continue;
    const decoded = decodeEntry(part.data);
    if (decoded.type !== 'txnPart') throw new EngineInvariantError(`a held txn part decodes as ${decoded.type}`);
    for (const effect of decoded.txn.effects) effects.push(effect);
  }
  return effects;
}

/** Tables with more than trackerTxnKeysPerTableMax effects in `effects`. */
function bulkTables(effects: readonly RawTxnEffect[]): ReadonlySet<number> {
  const counts = new Map<number, number>();
  for (const effect of effects) counts.set(effect.tableId, (counts.get(effect.tableId) ?? 0) + 1);
  return new Set([...counts].filter(([, n]) => n > trackerTxnKeysPerTableMax).map(([tableId]) => tableId));
}
