// The row store's state and its memory discipline: the version chains and
// index entries of every table, the dirty sets a checkpoint drains, the LRU of
// clean nodes the buffer pool budget evicts, the read pins that bound version
// GC, and the catalog history readers resolve their table definitions from.
//
// Nothing here reads a clock or does I/O; apply (apply.ts) and the GC below
// are deterministic given the entries and the pins.

import { invariant } from '../assert.js';
import type { Catalog } from '../catalog/index.js';
import { TxnPartAssembler } from '../entries/index.js';
import type { HeldPart } from './apply.js';
import { ByteArena } from './byte-arena.js';
import { writeBulk, type BulkWrite } from './bulk-write.js';
import { Fifo } from './fifo.js';
import type { KvStore } from './kv-store.js';
import { LruList, type CacheNode } from './lru.js';
import { PinRegistry } from './registry.js';
import type { Marker } from './storage-format.js';
import {
  IndexEntry, RowEntry, indexEntrySizeBytes, isTombstone, keyString, packedVersions, rowEntrySizeBytes, unpackedVersion,
  type IndexState, type TableState, type Version,
} from './state.js';

/** Eviction looks at most this many LRU nodes per call, so one call stays short when few are evictable. */
export const evictionScanStepsMax = 4096;

interface CatalogAt {
  readonly index: number;
  readonly catalog: Catalog;
}

interface GcItem<T> {
  readonly entry: T;
  readonly index: number;
}

export class StoreCore {
  appliedIndex: number;
  checkpointIndex: number;
  catalog: Catalog;
  /** Catalogs by the index they took effect at, ascending; the first is at or below the horizon. */
  catalogHistory: CatalogAt[];
  /** The catalog version the last checkpoint wrote. */
  catalogPersistedVersion: number;
  readonly tables = new Map<number, TableState>();
  readonly indexes = new Map<number, IndexState>();
  /** Pending physical deletions, in the order they happened. */
  markers: Marker[] = [];
  readonly sequences = new Map<number, bigint>();
  /** The parts of a multi-part transaction applied so far (decoded, not yet visible). Never checkpointed. */
  readonly parts = new TxnPartAssembler<HeldPart>();
  dirtySequences = new Set<number>();
  dirtyRows = new Set<RowEntry>();
  dirtyIndexEntries = new Set<IndexEntry>();
  readonly lru = new LruList();
  /** Where applied rows' encoded bytes are copied until a checkpoint writes them. */
  readonly rowBytes = new ByteArena();
  cachedBytes = 0;
  /** Read indexes pinned by snapshots and in-flight reads. */
  readonly readPins = new PinRegistry();
  /** Checkpoint generations of running scans (their RocksDB iterator snapshots). */
  readonly scanPins = new PinRegistry();
  /** Bumped by every successful checkpoint batch. */
  generation = 0;
  private readonly gcRows = new Fifo<GcItem<RowEntry>>();
  private readonly gcIndexEntries = new Fifo<GcItem<IndexEntry>>();
  evictions = 0;
  storageReads = 0;
  /** Entries kept packed (RowEntry.packed). */
  packedRows = 0;
  /**
   * Indexes whose bulk rows were written to RocksDB ahead of a checkpoint
   * (bulk-write.ts), and, from a crash that left such rows behind, the range
   * (openedCheckpointIndex, aheadAtOpenMax]: a stored row at one of those
   * indexes is a fresh insert, absent for readers below it.
   */
  readonly bulkIndexes = new Set<number>();
  aheadAtOpenMax = 0;
  readonly openedCheckpointIndex: number;
  /** RocksDB holds rows newer than checkpointIndex (a bulk write since the last checkpoint): no Raft snapshot until one. */
  storedAhead = false;
  /** Rows bulk-write.ts has written (a metric). */
  bulkRowsWritten = 0;
  /** Bulk writes started by apply and not finished. */
  bulkWritesPending = 0;
  /** A bulk write failed: readers waiting for it must not read RocksDB (the row store fails). */
  bulkFailure: unknown = undefined;
  /**
   * A multi-part transaction's inserts take the bulk path only past this many
   * entry bytes (the row store sets it; RowStoreOptions.bulkRowsMinBytes).
   * Smaller loads stay resident, warm for point reads.
   */
  bulkRowsMinBytes = 0;
  /** Writes a bulk transaction's rows (set by the row store to run in its checkpoint chain). */
  bulkWriter: (write: BulkWrite) => Promise<unknown> = (write) => writeBulk(this, write);
  /** Starts an index backfill (set by the row store: backfills read through reads.ts). */
  backfill: (index: IndexState, buildIndex: number) => void = () => {
    throw new Error('no backfill hook installed');
  };

  constructor(readonly kv: KvStore, readonly budgetBytes: number, appliedIndex: number, catalog: Catalog) {
    this.appliedIndex = appliedIndex;
    this.checkpointIndex = appliedIndex;
    this.openedCheckpointIndex = appliedIndex;
    this.catalog = catalog;
    this.catalogHistory = [{ index: appliedIndex, catalog }];
    this.catalogPersistedVersion = catalog.version;
  }

  /** No reader may start below this index; versions only it needs are collected. */
  horizon(): number {
    return Math.min(this.readPins.min() ?? this.appliedIndex, this.appliedIndex);
  }

  /** Whether a stored row newer than its reader is a bulk row written ahead (absent for that reader), not a lost version. */
  storedAheadAt(index: number): boolean {
    return this.bulkIndexes.has(index) || (index > this.openedCheckpointIndex && index <= this.aheadAtOpenMax);
  }

  catalogAt(readIndex: number): Catalog {
    let found: Catalog | undefined;
    for (const at of this.catalogHistory) {
      if (at.index > readIndex) break;
      found = at.catalog;
    }
    invariant(found !== undefined, `no catalog at index ${readIndex}`);
    return found;
  }

  startBackfill(index: IndexState, buildIndex: number): void {
    this.backfill(index, buildIndex);
  }

  pushCatalog(index: number, catalog: Catalog): void {
    this.catalog = catalog;
    this.catalogHistory.push({ index, catalog });
  }

  /** A node may leave memory once no running scan's RocksDB snapshot predates its write. */
  removable(persistedGeneration: number): boolean {
    return persistedGeneration <= (this.scanPins.min() ?? Number.POSITIVE_INFINITY);
  }

  private resize(node: CacheNode, sizeBytes: number): void {
    this.cachedBytes += sizeBytes - node.sizeBytes;
    node.sizeBytes = sizeBytes;
  }

  // --- rows ---------------------------------------------------------------

  createRowEntry(table: TableState, key: string): RowEntry {
    const entry = new RowEntry(key, table);
    // The size says whether the key was new: a has() first was one more probe
    // of a million-key map per inserted row (issue 5). A duplicate has
    // replaced the old entry by then, but the broken invariant stops the store.
    const sizeBefore = table.rows.size;
    table.rows.set(key, entry);
    if (table.rows.size !== sizeBefore + 1) invariant(false, 'row entry created twice');
    table.order.add(key);
    this.resize(entry, rowEntrySizeBytes(entry));
    return entry;
  }

  removeRowEntry(entry: RowEntry): void {
    const { table } = entry;
    invariant(table.rows.get(entry.keyString) === entry, 'removing a row entry that is not in its table');
    table.rows.delete(entry.keyString);
    table.order.delete(entry.keyString);
    this.lru.unlink(entry);
    this.dirtyRows.delete(entry);
    if (entry.packed !== null) this.packedRows--;
    this.resize(entry, 0);
  }

  /** Adds the newest version; the entry becomes dirty (it must be written). */
  pushVersion(entry: RowEntry, version: Version): void {
    this.unpack(entry);
    const newest = entry.newest;
    // Condition first: the message's template would be built for every version.
    if (newest !== undefined && newest.index >= version.index) invariant(false, `version ${version.index} is not newer than ${newest.index}`);
    entry.versions.unshift(version);
    entry.dirty = true;
    this.dirtyRows.add(entry);
    this.lru.unlink(entry);
    this.pruneChain(entry, this.horizon());
    if (entry.versions.length > 1) this.gcRows.push({ entry, index: version.index });
  }

  /** A later effect of the same entry on the same key: its intermediate state is never visible. */
  replaceNewest(entry: RowEntry, version: Version): void {
    this.unpack(entry);
    invariant(entry.newest?.index === version.index, 'replaceNewest needs a version of the same index');
    entry.versions[0] = version;
    this.resize(entry, rowEntrySizeBytes(entry));
  }

  /** Appends an older version below the chain (a base from a before-image or RocksDB). */
  pushBase(entry: RowEntry, version: Version): void {
    this.unpack(entry);
    const oldest = entry.versions[entry.versions.length - 1];
    invariant(oldest === undefined || oldest.index > version.index, 'base version must be older than the chain');
    entry.versions.push(version);
    entry.baseKnown = true;
    this.resize(entry, rowEntrySizeBytes(entry));
  }

  /** Keeps versions newer than the horizon and the newest at or below it; a clean single row gets packed. */
  pruneChain(entry: RowEntry, horizon: number): void {
    if (entry.packed !== null) return;
    const versions = entry.versions;
    // A loop, not findIndex: this runs for every applied version.
    let keep = -1;
    for (let i = 0; i < versions.length; i++) {
      if ((versions[i] as Version).index <= horizon) {
        keep = i;
        break;
      }
    }
    if (keep >= 0) {
      versions.length = keep + 1;
      entry.baseKnown = true;
    }
    this.pack(entry);
    this.resize(entry, rowEntrySizeBytes(entry));
  }

  /**
   * Keeps a clean entry whose chain is one row version as its encoded bytes
   * (see RowEntry.packed). Needs the bytes the checkpoint wrote: versions
   * decoded from elsewhere (before-images, RocksDB reads) stay as they are.
   */
  private pack(entry: RowEntry): void {
    const only = entry.versions[0];
    if (entry.dirty || entry.versions.length !== 1 || only === undefined || isTombstone(only) || only.bytes === null) return;
    entry.packed = keyString(only.bytes);
    entry.packedIndex = only.index;
    entry.versions = packedVersions;
    this.packedRows++;
  }

  /** Back to a chain of decoded versions, before any change to it. */
  unpack(entry: RowEntry): void {
    if (entry.packed === null) return;
    const version = unpackedVersion(entry);
    entry.packed = null;
    entry.versions = [version];
    this.packedRows--;
  }

  /** After a checkpoint wrote `written` as the entry's newest version. */
  markRowClean(entry: RowEntry, written: Version): void {
    if (entry.newest !== written || entry.table.rows.get(entry.keyString) !== entry) return;
    entry.dirty = false;
    entry.persistedGeneration = this.generation;
    this.dirtyRows.delete(entry);
    // The bytes were kept to be written; the newest keeps them until it is packed.
    for (const v of entry.versions) if (v !== written) v.bytes = null;
    this.pruneChain(entry, this.horizon());
    this.lru.touch(entry);
  }

  /** A clean entry for a row read from RocksDB (or known absent there); `rowBytes`, when given, are its encoded row, kept packed. */
  cacheStoredRow(table: TableState, key: string, version: Version, rowBytes?: Uint8Array): RowEntry {
    const entry = this.createRowEntry(table, key);
    if (rowBytes !== undefined && version.row !== null) {
      entry.packed = keyString(rowBytes);
      entry.packedIndex = version.index;
      entry.versions = packedVersions;
      this.packedRows++;
    } else {
      entry.versions.push(version);
    }
    entry.persistedGeneration = this.generation;
    this.resize(entry, rowEntrySizeBytes(entry));
    this.lru.touch(entry);
    return entry;
  }

  // --- index entries ------------------------------------------------------

  createIndexEntry(index: IndexState, key: string, indexKeyBytes: number, addedIndex: number, persisted: boolean): IndexEntry {
    invariant(!index.entries.has(key), 'index entry created twice');
    const entry = new IndexEntry(index, key, indexKeyBytes, addedIndex, persisted);
    index.entries.set(key, entry);
    index.order.add(key);
    this.resize(entry, indexEntrySizeBytes(entry));
    return entry;
  }

  removeIndexEntry(entry: IndexEntry): void {
    const { index } = entry;
    if (index.entries.get(entry.keyString) !== entry) return;
    index.entries.delete(entry.keyString);
    index.order.delete(entry.keyString);
    this.lru.unlink(entry);
    this.dirtyIndexEntries.delete(entry);
    this.resize(entry, 0);
  }

  markIndexDirty(entry: IndexEntry): void {
    entry.dirty = true;
    this.dirtyIndexEntries.add(entry);
    this.lru.unlink(entry);
  }

  /** The row stopped having this key at `index`. */
  killIndexEntry(entry: IndexEntry, index: number): void {
    entry.deadIndex = index;
    this.markIndexDirty(entry);
    this.gcIndexEntries.push({ entry, index });
  }

  markIndexEntryClean(entry: IndexEntry): void {
    entry.dirty = false;
    this.dirtyIndexEntries.delete(entry);
    entry.persistedGeneration = this.generation;
    if (entry.alive) this.lru.touch(entry);
    else this.gcIndexEntries.push({ entry, index: entry.deadIndex });
  }

  // --- GC and eviction ----------------------------------------------------

  /** Drops versions and dead index entries no reader can need any more. */
  collectGarbage(): void {
    const horizon = this.horizon();
    for (let item = this.gcRows.peek(); item !== undefined && item.index <= horizon; item = this.gcRows.peek()) {
      this.gcRows.shift();
      if (item.entry.table.rows.get(item.entry.keyString) === item.entry) this.pruneChain(item.entry, horizon);
    }
    const indexItems = this.gcIndexEntries.size;
    for (let n = 0; n < indexItems; n++) {
      const item = this.gcIndexEntries.peek();
      if (item === undefined || item.index > horizon) break;
      this.gcIndexEntries.shift();
      const e = item.entry;
      if (e.alive || e.deadIndex !== item.index || e.index.entries.get(e.keyString) !== e) continue;
      // A stored dead entry waits for a checkpoint to delete it; markIndexEntryClean queues it again.
      if (e.persisted) continue;
      if (this.removable(e.persistedGeneration)) this.removeIndexEntry(e);
      else this.gcIndexEntries.push(item);
    }
    while (this.catalogHistory.length > 1 && (this.catalogHistory[1]?.index ?? Number.POSITIVE_INFINITY) <= horizon) this.catalogHistory.shift();
  }

  /** Evicts clean, least recently used nodes until the cache fits its budget (or nothing more can go). */
  evictIfOverBudget(): void {
    for (let steps = 0; this.cachedBytes > this.budgetBytes && steps < evictionScanStepsMax; steps++) {
      const node = this.lru.oldest();
      if (node === null) return;
      if (!this.tryEvict(node)) this.lru.touch(node);
    }
  }

  private tryEvict(node: CacheNode): boolean {
    if (node instanceof RowEntry) {
      if (node.dirty || !this.removable(node.persistedGeneration)) return false;
      if (node.versions.length > 1) this.pruneChain(node, this.horizon());
      if (node.packed !== null) {
        // A packed entry is one row version.
        if (node.packedIndex > this.horizon()) return false;
        node.table.residentComplete = false;
      } else {
        const only = node.versions[0];
        if (node.versions.length !== 1 || only === undefined || only.index > this.horizon()) return false;
        if (only.row !== null) node.table.residentComplete = false;
      }
      this.removeRowEntry(node);
    } else if (node instanceof IndexEntry) {
      if (node.dirty || !node.alive || !node.persisted || !this.removable(node.persistedGeneration)) return false;
      this.markIndexTableIncomplete(node.index);
      this.removeIndexEntry(node);
    } else {
      return false;
    }
    this.evictions++;
    return true;
  }

  private markIndexTableIncomplete(index: IndexState): void {
    const table = this.tables.get(index.tableId);
    if (table !== undefined) table.residentComplete = false;
  }
}
