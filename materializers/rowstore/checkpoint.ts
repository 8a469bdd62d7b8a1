// A checkpoint writes, in ONE RocksDB batch with sync: true, everything the
// last checkpoint did not: the newest version of every dirty key, index
// entries added or dead, sequence high-water marks, the catalog, the pending
// markers and the applied index. Restart reads the applied index back and
// replays only the log after it.
//
// Markers (truncate, drop) whose index is at or below the horizon are carried
// out in the same batch: their RocksDB keys are deleted, and once the batch
// is durable their versions leave memory too.
//
// While parts of a multi-part transaction are held (applied but not yet
// visible), a checkpoint is deferred: it writes nothing and reports the last
// durable checkpoint, whose index is below the first part. A restart then
// replays every part from the log, and the WAL is not compacted past them.
// Parts are consecutive entries proposed in one go, so they are held for as
// long as it takes to commit them; an abandoned prefix is dropped by the
// very next entry (see entries/txn-parts.ts).

import { invariant } from '../assert.js';
import { encodeCatalog, layoutResolverOf } from '../catalog/index.js';
import { decodeRow } from '../entries/index.js';
import { metaKey, MetaKind, objectPrefix, objectRange, rowStorageKey } from '../keys/index.js';
import type { StoreCore } from './core.js';
import type { KvBatchOp, KvBatchOps } from './kv-store.js';
import { indexEntryStorageKey } from './reads.js';
import {
  BatchBytes, encodeI64, encodeIds, encodeMarkers, encodeStoredIndexEntry, encodeVaruint, decodeStoredRow, storedIndexOf,
  type Marker,
} from './storage-format.js';
import { entryOverheadBytes, isTombstone, keyBytes, type IndexEntry, type RowEntry, type Version } from './state.js';

export interface CheckpointResult {
  /** The applied index now durable with the data: restart replays after it. */
  readonly appliedIndex: number;
  readonly rowsWritten: number;
  readonly indexEntriesWritten: number;
  /** Keys deleted for truncated tables and their indexes. */
  readonly keysDeleted: number;
  /** Dropped tables and indexes whose whole key range was deleted (clearDroppedObjects). */
  readonly objectsCleared: number;
  /** Nothing was written: a multi-part transaction was being applied (appliedIndex is the previous checkpoint's). */
  readonly deferred: boolean;
}

interface IndexWrite {
  readonly entry: IndexEntry;
  readonly kind: 'put' | 'del' | 'none';
  readonly addedIndex: number;
  readonly deadIndex: number;
}

interface Batch {
  readonly ops: KvBatchOps;
  readonly rows: RowWrites;
  readonly indexEntries: IndexWrite[];
  readonly sequences: ReadonlySet<number>;
  readonly appliedIndex: number;
  readonly catalogVersion: number;
  readonly keysDeleted: number;
}

/**
 * Deletes every RocksDB key of the dropped objects (tables, their indexes,
 * dropped indexes) as one range each, in RocksDB's threads: ids are never
 * reused, so nothing will write those ranges again, and no reader needs them
 * (the markers are at or below the horizon). It runs before the batch that
 * forgets the markers, so a crash in between does it again at the next
 * checkpoint. Deleting key by key cost a scan and a delete per row of a
 * dropped table (ADD PRIMARY KEY drops a table of a million rows, issue 4).
 */
async function clearDroppedObjects(core: StoreCore, markers: readonly Marker[]): Promise<number> {
  let cleared = 0;
  for (const marker of markers) {
    if (marker.kind === 'truncate') continue;
    for (const objectId of marker.objectIds) {
      await core.kv.clear(objectRange(objectId));
      cleared++;
    }
  }
  return cleared;
}

/** RocksDB keys of the truncated tables (and their indexes) written at or below each truncate marker's index. */
async function collectDeletions(core: StoreCore, markers: readonly Marker[]): Promise<Uint8Array[]> {
  const keys: Uint8Array[] = [];
  for (const marker of markers) {
    if (marker.kind !== 'truncate') continue;
    for (const objectId of marker.objectIds) {
      const iterator = core.kv.iterate(objectRange(objectId));
      try {
        for (let kv = await iterator.next(); kv !== undefined; kv = await iterator.next()) {
          if (storedIndexOf(kv[1]) <= marker.index) keys.push(kv[0]);
        }
      } finally {
        await iterator.close();
      }
    }
  }
  return keys;
}

/** Inserts written after a truncate that a pinned reader predates: load what RocksDB holds before overwriting it. */
async function loadUnknownBases(core: StoreCore): Promise<void> {
  for (const entry of [...core.dirtyRows]) {
    if (entry.baseKnown) continue;
    const value = await core.kv.get(rowStorageKey(entry.table.id, keyBytes(entry.keyString)));
    if (entry.baseKnown || entry.table.rows.get(entry.keyString) !== entry) continue;
    if (value === undefined) {
      entry.baseKnown = true;
      continue;
    }
    const stored = decodeStoredRow(value);
    const decoded = decodeRow(stored.rowBytes, layoutResolverOf(entry.table.def));
    core.pushBase(entry, { index: stored.index, row: decoded.row, layout: decoded.layout, bytes: null });
  }
}

function eligibleTruncation(markers: readonly Marker[], tableId: number): number {
  let t = 0;
  for (const m of markers) if (m.kind === 'truncate' && m.objectIds[0] === tableId) t = Math.max(t, m.index);
  return t;
}

function droppedObjects(markers: readonly Marker[]): ReadonlySet<number> {
  return new Set(markers.filter((m) => m.kind !== 'truncate').flatMap((m) => m.objectIds));
}

/** The rows a batch writes: each entry with the version written, and whether it is a delete. */
class RowWrites {
  readonly entries: RowEntry[] = [];
  readonly versions: Version[] = [];
  readonly deletes: boolean[] = [];

  get length(): number {
    return this.entries.length;
  }
}

function rowWrites(core: StoreCore, eligible: readonly Marker[]): RowWrites {
  const dropped = droppedObjects(eligible);
  const written = new RowWrites();
  const dirty = core.dirtyRows;
  core.dirtyRows = new Set();
  for (const entry of dirty) {
    const table = entry.table;
    const v = entry.newest;
    if (v === undefined || table.rows.get(entry.keyString) !== entry || dropped.has(table.id)) continue;
    const del = isTombstone(v) || v.index <= eligibleTruncation(eligible, table.id);
    invariant(del || v.bytes !== null, `dirty version ${v.index} of table ${table.id} has no bytes to write`);
    written.entries.push(entry);
    written.versions.push(v);
    written.deletes.push(del);
  }
  return written;
}

/**
 * The batch's ops: marker deletions, then the rows (each op built when the
 * store reads it: see KvBatchOps), then index entries and metadata. Built
 * lazily but from a fixed cut: the entries and versions are captured, and a
 * version's bytes do not change until the batch is written (markRowClean).
 */
class CheckpointOps implements KvBatchOps {
  private readonly bytes = new BatchBytes();

  constructor(private readonly head: readonly KvBatchOp[], private readonly rows: RowWrites, private readonly tail: readonly KvBatchOp[]) {}

  get length(): number {
    return this.head.length + this.rows.length + this.tail.length;
  }

  at(index: number): KvBatchOp | undefined {
    if (index < this.head.length) return this.head[index];
    const i = index - this.head.length;
    if (i >= this.rows.length) return this.tail[i - this.rows.length];
    const entry = this.rows.entries[i] as RowEntry;
    const key = this.bytes.rowKey(entry.table.id, entry.keyString);
    if (this.rows.deletes[i] === true) return { type: 'del', key };
    const v = this.rows.versions[i] as Version;
    invariant(v.bytes !== null, `version ${v.index} lost its bytes before its checkpoint wrote it`);
    return { type: 'put', key, value: this.bytes.storedRow(v.index, v.bytes) };
  }
}

function indexOps(core: StoreCore, eligible: readonly Marker[], ops: KvBatchOp[]): IndexWrite[] {
  const dropped = droppedObjects(eligible);
  const horizon = core.horizon();
  const written: IndexWrite[] = [];
  const dirty = core.dirtyIndexEntries;
  core.dirtyIndexEntries = new Set();
  for (const e of dirty) {
    if (e.index.entries.get(e.keyString) !== e || dropped.has(e.index.id)) continue;
    const record = { entry: e, addedIndex: e.addedIndex, deadIndex: e.deadIndex };
    if (e.alive && !e.persisted) {
      ops.push({ type: 'put', key: indexEntryStorageKey(e.index.id, e.keyString), value: encodeStoredIndexEntry(e.addedIndex, e.indexKeyBytes) });
      written.push({ ...record, kind: 'put' });
    } else if (!e.alive && e.persisted && e.deadIndex > horizon) {
      // A reader at or above the horizon may still reach the entry through RocksDB: delete it later.
      core.dirtyIndexEntries.add(e);
    } else if (!e.alive && e.persisted) {
      ops.push({ type: 'del', key: indexEntryStorageKey(e.index.id, e.keyString) });
      written.push({ ...record, kind: 'del' });
    } else {
      written.push({ ...record, kind: 'none' });
    }
  }
  return written;
}

function metaOps(core: StoreCore, eligible: readonly Marker[], ops: KvBatchOp[]): ReadonlySet<number> {
  const sequences = core.dirtySequences;
  core.dirtySequences = new Set();
  for (const id of sequences) {
    const key = metaKey(MetaKind.Sequence, objectPrefix(id));
    const value = core.sequences.get(id);
    if (core.catalog.sequenceById(id) === undefined || value === undefined) ops.push({ type: 'del', key });
    else ops.push({ type: 'put', key, value: encodeI64(value) });
  }
  if (core.catalog.version !== core.catalogPersistedVersion) ops.push({ type: 'put', key: metaKey(MetaKind.Catalog), value: encodeCatalog(core.catalog) });
  ops.push({ type: 'put', key: metaKey(MetaKind.Markers), value: encodeMarkers(core.markers.filter((m) => !eligible.includes(m))) });
  const building = [...core.indexes.values()].filter((i) => !i.ready && i.droppedAt === null).map((i) => i.id);
  ops.push({ type: 'put', key: metaKey(MetaKind.IndexBuilds), value: encodeIds(building) });
  ops.push({ type: 'put', key: metaKey(MetaKind.AppliedIndex), value: encodeVaruint(core.appliedIndex) });
  // Every bulk write at or below the applied index has landed (runCheckpoint defers otherwise): RocksDB is no longer ahead.
  ops.push({ type: 'del', key: metaKey(MetaKind.BulkAhead) });
  return sequences;
}

/** Builds the batch from the current state, synchronously: it is one consistent cut at the applied index. */
function buildBatch(core: StoreCore, eligible: readonly Marker[], deletions: readonly Uint8Array[]): Batch {
  // Marker deletions first: a later put of the same key (a row inserted after the truncate) wins.
  const head: KvBatchOp[] = deletions.map((key) => ({ type: 'del', key }));
  const rows = rowWrites(core, eligible);
  const tail: KvBatchOp[] = [];
  const indexEntries = indexOps(core, eligible, tail);
  const sequences = metaOps(core, eligible, tail);
  const ops = new CheckpointOps(head, rows, tail);
  return { ops, rows, indexEntries, sequences, appliedIndex: core.appliedIndex, catalogVersion: core.catalog.version, keysDeleted: deletions.length };
}

function restoreDirty(core: StoreCore, batch: Batch): void {
  for (const entry of batch.rows.entries) if (entry.table.rows.get(entry.keyString) === entry && entry.dirty) core.dirtyRows.add(entry);
  for (const { entry } of batch.indexEntries) if (entry.index.entries.get(entry.keyString) === entry) core.dirtyIndexEntries.add(entry);
  for (const id of batch.sequences) core.dirtySequences.add(id);
}

function commitIndexWrite(core: StoreCore, w: IndexWrite): void {
  const e = w.entry;
  if (w.kind === 'put' && e.addedIndex === w.addedIndex) e.persisted = true;
  if (w.kind === 'del' && e.deadIndex === w.deadIndex) e.persisted = false;
  if (!core.dirtyIndexEntries.has(e) && e.index.entries.get(e.keyString) === e) core.markIndexEntryClean(e);
}

/** Once the batch is durable: drop from memory what the markers made unreachable. */
function sweepMarkers(core: StoreCore, eligible: readonly Marker[]): void {
  for (const marker of eligible) {
    if (marker.kind === 'truncate') sweepTruncation(core, marker);
    for (const id of marker.kind === 'truncate' ? [] : marker.objectIds) {
      const table = core.tables.get(id);
      if (table !== undefined) {
        for (const entry of [...table.rows.values()]) core.removeRowEntry(entry);
        core.tables.delete(id);
      }
      const index = core.indexes.get(id);
      if (index !== undefined) {
        for (const entry of [...index.entries.values()]) core.removeIndexEntry(entry);
        core.indexes.delete(id);
      }
    }
  }
  core.markers = core.markers.filter((m) => !eligible.includes(m));
}

function sweepTruncation(core: StoreCore, marker: Marker): void {
  const [tableId, ...indexIds] = marker.objectIds;
  const table = tableId === undefined ? undefined : core.tables.get(tableId);
  if (table === undefined) return;
  for (const entry of [...table.rows.values()]) {
    if (entry.packed !== null) {
      // One version: it survives the truncation only if it is newer.
      if (entry.packedIndex <= marker.index) core.removeRowEntry(entry);
      continue;
    }
    const kept = entry.versions.filter((v) => v.index > marker.index);
    if (kept.length === 0) {
      core.removeRowEntry(entry);
    } else if (kept.length !== entry.versions.length) {
      entry.versions = kept;
      entry.baseKnown = true;
      core.pruneChain(entry, core.horizon());
    }
  }
  table.truncations = table.truncations.filter((t) => t !== marker.index);
  for (const id of indexIds) {
    const index = core.indexes.get(id);
    for (const entry of [...(index?.entries.values() ?? [])]) if (entry.addedIndex <= marker.index) core.removeIndexEntry(entry);
  }
}

/**
 * Rows waiting for a checkpoint above which one is due before the interval.
 * Until a checkpoint writes them, a bulk load's rows are held decoded with
 * their encoded bytes (written ones are packed, see state.ts), and a dropped
 * table's rows stay in memory: after `pgbench -i -s 10` that was 1.5 GB of
 * live heap for the GC to mark and scavenge over (TPC-B at 0.4 of PostgreSQL
 * until the 60 s interval came, issue 4). High enough that OLTP keeps the
 * interval: pgbench TPC-B dirties ~2 rows per transaction.
 */
export const checkpointDueRows = 1 << 18;

/** See checkpointDueRows; never while a multi-part transaction is held (the checkpoint would be deferred). */
export function checkpointDue(core: StoreCore): boolean {
  if (mustDefer(core)) return false;
  // Bulk rows are in RocksDB ahead of the checkpoint: one catches up cheaply (and Raft snapshots wait for it).
  if (core.storedAhead) return true;
  // Small buffer pools: due once dirty rows' overhead alone would fill half of it.
  const threshold = Math.min(checkpointDueRows, Math.max(1, Math.floor(core.budgetBytes / (2 * entryOverheadBytes))));
  let waiting = core.dirtyRows.size;
  const horizon = core.horizon();
  for (const m of core.markers) {
    if (m.kind === 'truncate' || m.index > horizon) continue;
    for (const id of m.objectIds) waiting += core.tables.get(id)?.rows.size ?? 0;
  }
  return waiting >= threshold;
}

/** One checkpoint; the caller serialises them. */
/**
 * A checkpoint cannot cover the applied index while parts are held, nor while
 * bulk rows applied at or below it are not in RocksDB yet (a restart would
 * skip their entries and never write them).
 */
function mustDefer(core: StoreCore): boolean {
  return core.parts.pendingTxn() !== null || core.bulkWritesPending > 0;
}

export async function runCheckpoint(core: StoreCore): Promise<CheckpointResult> {
  if (mustDefer(core)) return deferred(core);
  const eligible = core.markers.filter((m) => m.index <= core.horizon());
  const objectsCleared = await clearDroppedObjects(core, eligible);
  const deletions = await collectDeletions(core, eligible);
  await loadUnknownBases(core);
  // The awaits above let entries apply: parts or a bulk write may have arrived since.
  if (mustDefer(core)) return deferred(core);
  const batch = buildBatch(core, eligible, deletions);
  try {
    await core.kv.batch(batch.ops, { sync: true });
  } catch (error) {
    restoreDirty(core, batch);
    throw error;
  }
  core.generation++;
  core.storedAhead = core.bulkWritesPending > 0;
  const { entries, versions } = batch.rows;
  for (let i = 0; i < entries.length; i++) core.markRowClean(entries[i] as RowEntry, versions[i] as Version);
  for (const w of batch.indexEntries) commitIndexWrite(core, w);
  core.checkpointIndex = batch.appliedIndex;
  core.catalogPersistedVersion = batch.catalogVersion;
  sweepMarkers(core, eligible);
  core.collectGarbage();
  core.evictIfOverBudget();
  return {
    appliedIndex: batch.appliedIndex, rowsWritten: batch.rows.length,
    indexEntriesWritten: batch.indexEntries.filter((w) => w.kind !== 'none').length, keysDeleted: batch.keysDeleted,
    objectsCleared, deferred: false,
  };
}

function deferred(core: StoreCore): CheckpointResult {
  return { appliedIndex: core.checkpointIndex, rowsWritten: 0, indexEntriesWritten: 0, keysDeleted: 0, objectsCleared: 0, deferred: true };
}
