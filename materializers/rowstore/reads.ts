// Reads at a read index: point gets, ordered scans and secondary index
// lookups. Memory answers when it can (a key's chain is complete for every
// index at or above the horizon, see state.ts); otherwise RocksDB does, and a
// point miss fills the cache. Scans merge the in-memory key set with a RocksDB
// iterator (whose snapshot is taken when the scan starts); index lookups merge
// index entries the same way and recheck every candidate against the row at
// the read index, so stale entries are harmless and none is ever missing.

import { invariant, MaterializerInvariantError } from '../assert.js';
import { indexKeyOf, layoutResolverOf, projectRow, type TableDef } from '../catalog/index.js';
import { decodeRow, type IndexDef, type Row } from '../entries/index.js';
import { indexStorageKey, objectPrefix, objectIdBytes, rowStorageKey, withPrefix, type KeyRange } from '../keys/index.js';
import type { StoreCore } from './core.js';
import { ReadIndexAheadError, SnapshotTooOldError, UnknownObjectError } from './errors.js';
import type { KvIterator } from './kv-store.js';
import type { SortedKeySet, StringRange } from './sorted-key-set.js';
import { decodeStoredIndexEntry, decodeStoredRow } from './storage-format.js';
import { keyBytes, keyString, visibleVersion, type TableState, type Truncations, type Version } from './state.js';

export interface KeyedRow {
  /** The primary key (memcomparable, without the table prefix). */
  readonly key: Uint8Array;
  /** The row in the column order of the table as the read index's catalog defines it. */
  readonly row: Row;
}

export interface ScanOptions {
  /** Descending key order. */
  readonly reverse?: boolean;
}

/** Keys the memory side of a merge fetches at a time; the set may change between fetches. */
const memoryScanBatchKeys = 256;

export function checkReadIndex(core: StoreCore, readIndex: number): void {
  if (!Number.isSafeInteger(readIndex) || readIndex > core.appliedIndex) throw new ReadIndexAheadError(readIndex, core.appliedIndex);
  const horizon = core.horizon();
  if (readIndex < horizon) throw new SnapshotTooOldError(readIndex, horizon);
}

interface TableAt {
  readonly def: TableDef;
  readonly state: TableState;
}

export function tableAt(core: StoreCore, tableId: number, readIndex: number): TableAt {
  const def = core.catalogAt(readIndex).tableById(tableId);
  const state = core.tables.get(tableId);
  if (def === undefined || state === undefined) throw new UnknownObjectError('table', tableId, readIndex);
  return { def, state };
}

function project(def: TableDef, v: Version | null): Row | null {
  if (v === null || v.row === null || v.layout === null) return null;
  return projectRow(def, v.layout, v.row);
}

interface StoredVersion {
  readonly version: Version;
  /** The encoded row (a view into RocksDB's value), when there is one. */
  readonly rowBytes: Uint8Array | undefined;
}

function storedVersionWithBytes(state: TableState, value: Uint8Array | undefined): StoredVersion {
  if (value === undefined) return { version: { index: 0, row: null, layout: null, bytes: null }, rowBytes: undefined };
  const stored = decodeStoredRow(value);
  const decoded = decodeRow(stored.rowBytes, layoutResolverOf(state.def));
  return { version: { index: stored.index, row: decoded.row, layout: decoded.layout, bytes: null }, rowBytes: stored.rowBytes };
}

function storedVersion(state: TableState, value: Uint8Array | undefined): Version {
  return storedVersionWithBytes(state, value).version;
}

/**
 * What RocksDB's value means at a read index, with the truncations the
 * reader started with. A row newer than the reader is a bulk row written
 * ahead (bulk-write.ts: a fresh key, so absent for it); any other would be
 * a version memory should have kept.
 */
function visibleStored(core: StoreCore, version: Version, readIndex: number, truncations: Truncations): Version | null {
  if (version.index > readIndex) {
    invariant(core.storedAheadAt(version.index), `RocksDB holds version ${version.index} for a reader at ${readIndex}: a needed version was lost`);
    return null;
  }
  const t = truncations.filter((x) => x <= readIndex).at(-1) ?? 0;
  return version.row === null || version.index <= t ? null : version;
}

/**
 * Waits, for a reader at or above the index of a bulk write of this table
 * still under way, until its rows are in RocksDB (bulk-write.ts). Readers
 * below it need not wait: its rows are absent for them either way.
 */
async function bulkLanded(core: StoreCore, state: TableState, readIndex: number): Promise<void> {
  const pending = state.bulkPending;
  if (pending === null || readIndex < pending.index) return;
  await pending.done;
  if (core.bulkFailure !== undefined) throw new MaterializerInvariantError(`the bulk rows of table ${state.id} were not written: ${String(core.bulkFailure)}`);
}

/** The sync fast path: a row, null (absent), or undefined when only RocksDB knows. */
export function tryGetCached(core: StoreCore, tableId: number, key: Uint8Array, readIndex: number): Row | null | undefined {
  checkReadIndex(core, readIndex);
  const { def, state } = tableAt(core, tableId, readIndex);
  const entry = state.rows.get(keyString(key));
  if (entry === undefined) return state.residentComplete ? null : undefined;
  const v = visibleVersion(entry, readIndex, state.truncations);
  if (v === undefined) return undefined;
  if (!entry.dirty) core.lru.touch(entry);
  return project(def, v);
}

/** Reads one row with the read index pinned by the caller. */
async function readPinned(core: StoreCore, at: TableAt, key: string, readIndex: number, truncations: Truncations, fill: boolean): Promise<Row | null> {
  const { def, state } = at;
  const cached = state.rows.get(key);
  if (cached !== undefined) {
    const v = visibleVersion(cached, readIndex, truncations);
    if (v !== undefined) {
      if (!cached.dirty) core.lru.touch(cached);
      return project(def, v);
    }
  } else if (state.residentComplete) {
    return null;
  }
  await bulkLanded(core, state, readIndex);
  core.storageReads++;
  const value = await core.kv.get(rowStorageKey(state.id, keyBytes(key)));
  // Apply may have touched the key meanwhile; its chain then answers.
  const entry = state.rows.get(key);
  if (entry !== undefined) {
    const v = visibleVersion(entry, readIndex, truncations);
    if (v !== undefined) return project(def, v);
  }
  const { version, rowBytes } = storedVersionWithBytes(state, value);
  const visible = visibleStored(core, version, readIndex, truncations);
  // Only the newest state fills the cache: not what a reader below a bulk write read (RocksDB may hold its rows).
  if (fill && entry === undefined && state.droppedAt === null && readIndex >= state.bulkIndexMax && version.index <= readIndex) {
    // Kept packed (encoded), like any clean row: see RowEntry.packed.
    core.cacheStoredRow(state, key, version, rowBytes);
    core.evictIfOverBudget();
  }
  return project(def, visible);
}

export async function get(core: StoreCore, tableId: number, key: Uint8Array, readIndex: number): Promise<Row | null> {
  checkReadIndex(core, readIndex);
  const at = tableAt(core, tableId, readIndex);
  core.readPins.pin(readIndex);
  try {
    return await readPinned(core, at, keyString(key), readIndex, at.state.truncations, true);
  } finally {
    core.readPins.unpin(readIndex);
    core.collectGarbage();
    core.evictIfOverBudget();
  }
}

/** The memory side of a merge: keys fetched in batches after a cursor. */
class MemoryCursor {
  private buffer: string[] = [];
  private position = 0;
  private last: string | undefined;
  private exhausted = false;

  constructor(private readonly order: SortedKeySet, private readonly range: StringRange, private readonly reverse: boolean) {}

  peek(): string | undefined {
    if (this.position === this.buffer.length && !this.exhausted) {
      this.buffer = this.order.collect(this.range, memoryScanBatchKeys, this.reverse, this.last);
      this.position = 0;
      this.exhausted = this.buffer.length === 0;
    }
    return this.buffer[this.position];
  }

  advance(): void {
    this.last = this.buffer[this.position];
    this.position++;
  }
}

interface StoredItem {
  readonly key: string;
  readonly value: Uint8Array;
}

async function nextStored(iterator: KvIterator | null): Promise<StoredItem | undefined> {
  const kv = iterator === null ? undefined : await iterator.next();
  return kv === undefined ? undefined : { key: keyString(kv[0].subarray(objectIdBytes)), value: kv[1] };
}

function stringRange(range: KeyRange): StringRange {
  return { ...(range.gte === undefined ? {} : { gte: keyString(range.gte) }), ...(range.lt === undefined ? {} : { lt: keyString(range.lt) }) };
}

/** One merged stream of keys of an object: memory and RocksDB, in order, each key once. */
async function* mergedKeys(
  core: StoreCore, objectId: number, order: SortedKeySet, range: KeyRange, reverse: boolean, memoryOnly: boolean,
): AsyncGenerator<{ readonly key: string; readonly stored: Uint8Array | undefined }> {
  // A scan that reads RocksDB pins its generation: nodes written after its
  // iterator's snapshot stay in memory until it ends. One that reads memory
  // only pins generation 0: nothing stored may leave memory meanwhile.
  const generation = memoryOnly ? 0 : core.generation;
  core.scanPins.pin(generation);
  const iterator = memoryOnly ? null : core.kv.iterate(withPrefix(objectPrefix(objectId), range), reverse);
  try {
    const memory = new MemoryCursor(order, stringRange(range), reverse);
    let stored = await nextStored(iterator);
    for (;;) {
      const m = memory.peek();
      if (m === undefined && stored === undefined) return;
      const c = m === undefined ? 1 : stored === undefined ? -1 : m === stored.key ? 0 : (m < stored.key) !== reverse ? -1 : 1;
      if (c > 0 && stored !== undefined) {
        const item = { key: stored.key, stored: stored.value };
        stored = await nextStored(iterator);
        yield item;
        continue;
      }
      memory.advance();
      const item = { key: m as string, stored: c === 0 ? stored?.value : undefined };
      if (c === 0) stored = await nextStored(iterator);
      yield item;
    }
  } finally {
    await iterator?.close();
    core.scanPins.unpin(generation);
  }
}

function resolveVisible(core: StoreCore, state: TableState, key: string, stored: Uint8Array | undefined, readIndex: number, truncations: Truncations): Version | null {
  const entry = state.rows.get(key);
  if (entry !== undefined) {
    const v = visibleVersion(entry, readIndex, truncations);
    if (v !== undefined) return v;
  }
  if (stored === undefined) return null;
  return visibleStored(core, storedVersion(state, stored), readIndex, truncations);
}

/** Rows of a table in key order within `range` (over primary keys), at a read index. */
export async function* scan(core: StoreCore, tableId: number, range: KeyRange, readIndex: number, options: ScanOptions = {}): AsyncGenerator<KeyedRow> {
  checkReadIndex(core, readIndex);
  const { def, state } = tableAt(core, tableId, readIndex);
  const truncations = state.truncations;
  core.readPins.pin(readIndex);
  try {
    // Before the iterator takes its snapshot.
    if (!state.residentComplete) await bulkLanded(core, state, readIndex);
    for await (const { key, stored } of mergedKeys(core, tableId, state.order, range, options.reverse === true, state.residentComplete)) {
      const row = project(def, resolveVisible(core, state, key, stored, readIndex, truncations));
      if (row !== null) yield { key: keyBytes(key), row };
    }
  } finally {
    core.readPins.unpin(readIndex);
    core.collectGarbage();
    core.evictIfOverBudget();
  }
}

interface IndexAt {
  readonly table: TableAt;
  readonly index: IndexDef;
}

function indexAt(core: StoreCore, indexId: number, readIndex: number): IndexAt {
  const found = core.catalogAt(readIndex).indexById(indexId);
  if (found === undefined) throw new UnknownObjectError('index', indexId, readIndex);
  return { table: tableAt(core, found.table.id, readIndex), index: found.index };
}

/** The candidate's index key still matches the row at the read index. */
function matches(at: IndexAt, row: Row, candidateIndexKey: string): boolean {
  return keyString(indexKeyOf(at.table.def, at.index, row)) === candidateIndexKey;
}

/**
 * Rows whose index key is in `range` (over index key bytes: equalRange or
 * boundedRange of the index's key types), in index order then primary key
 * order, at a read index. Waits for the index's backfill if it is building.
 */
export async function* lookupIndex(core: StoreCore, indexId: number, range: KeyRange, readIndex: number, options: ScanOptions = {}): AsyncGenerator<KeyedRow> {
  checkReadIndex(core, readIndex);
  const at = indexAt(core, indexId, readIndex);
  const state = core.indexes.get(indexId);
  invariant(state !== undefined, `index ${indexId} has no state`);
  const truncations = at.table.state.truncations;
  core.readPins.pin(readIndex);
  try {
    await state.whenReady();
    const memoryOnly = at.table.state.residentComplete;
    for await (const { key, stored } of mergedKeys(core, indexId, state.order, range, options.reverse === true, memoryOnly)) {
      const indexKeyLength = state.entries.get(key)?.indexKeyBytes ?? (stored === undefined ? -1 : decodeStoredIndexEntry(stored, key.length).indexKeyBytes);
      if (indexKeyLength < 0) continue;
      const primaryKey = key.slice(indexKeyLength);
      const row = await readPinned(core, at.table, primaryKey, readIndex, truncations, true);
      if (row !== null && matches(at, row, key.slice(0, indexKeyLength))) yield { key: keyBytes(primaryKey), row };
    }
  } finally {
    core.readPins.unpin(readIndex);
    core.collectGarbage();
    core.evictIfOverBudget();
  }
}

/** The sync fast path of lookupIndex: answers only when the table is wholly in memory and the index built. */
export function tryLookupIndexCached(core: StoreCore, indexId: number, range: KeyRange, readIndex: number): KeyedRow[] | undefined {
  checkReadIndex(core, readIndex);
  const at = indexAt(core, indexId, readIndex);
  const state = core.indexes.get(indexId);
  if (state === undefined || !state.ready || !at.table.state.residentComplete) return undefined;
  const out: KeyedRow[] = [];
  const keys = state.order.collect(stringRange(range), Number.MAX_SAFE_INTEGER);
  for (const key of keys) {
    const entry = state.entries.get(key);
    if (entry === undefined) continue;
    const primaryKey = key.slice(entry.indexKeyBytes);
    const row = tryGetCached(core, at.table.def.id, keyBytes(primaryKey), readIndex);
    if (row === undefined) return undefined;
    if (row !== null && matches(at, row, key.slice(0, entry.indexKeyBytes))) out.push({ key: keyBytes(primaryKey), row });
  }
  return out;
}

/** The storage key of an index entry (for the checkpoint). */
export function indexEntryStorageKey(indexId: number, key: string): Uint8Array {
  return indexStorageKey(indexId, keyBytes(key));
}
