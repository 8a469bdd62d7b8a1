// The in-memory state of the row store: per table a map of keys to version
// chains plus an ordered key set; per secondary index a map of entries plus an
// ordered key set. Keys are latin1 strings (one char per byte) of the key
// bytes without the object id prefix, so string order is byte order.
//
// Chain completeness: a chain answers every read at or above the GC horizon
// unless `baseKnown` is false. When a key is first touched by an update or
// delete, the effect's before-image becomes its base version (the state every
// reader older than the effect saw); an insert needs no base (the key was
// absent), except right after a truncate that a pinned reader predates, which
// is the one case where RocksDB still holds the older state (baseKnown false,
// resolved from RocksDB on read and loaded by the next checkpoint).

import { invariant } from '../assert.js';
import { decodeRow, type Row, type RowLayout, type IndexDef } from '../entries/index.js';
import { layoutResolverOf, type TableDef } from '../catalog/index.js';
import { CacheNode } from './lru.js';
import { SortedKeySet } from './sorted-key-set.js';

export interface Version {
  /** The commit log index of the change (a base version from a before-image: the horizon when it was made). */
  readonly index: number;
  /** null: deleted, or known absent. */
  readonly row: Row | null;
  /** The layout `row` is in (null for tombstones). */
  readonly layout: RowLayout | null;
  /**
   * The encoded row while it may still have to be written by a checkpoint,
   * and (newest version only) once written until the entry is packed.
   */
  bytes: Uint8Array | null;
}

/**
 * A row version kept as its encoded row and decoded on each read (a fresh
 * row each time, like a packed entry's), for the rows of a multi-part
 * transaction (apply.ts): they stay dirty until the next checkpoint, and a
 * million-row COPY held decoded was ~1 KB a row of heap. Keeps its own
 * reference to the bytes: a checkpoint drops `bytes` of versions it did not
 * write (markRowClean), which must not lose the row.
 */
export class EncodedVersion implements Version {
  bytes: Uint8Array | null;

  constructor(
    readonly index: number, readonly layout: RowLayout, private readonly encoded: Uint8Array, private readonly resolve: (layoutId: number) => RowLayout | undefined,
  ) {
    this.bytes = encoded;
  }

  get encodedBytes(): number {
    return this.encoded.length;
  }

  get row(): Row {
    return decodeRow(this.encoded, this.resolve).row;
  }
}

/** Whether a version is a tombstone, without decoding an EncodedVersion's row to find out (it never is one). */
export function isTombstone(v: Version): boolean {
  return !(v instanceof EncodedVersion) && v.row === null;
}

/** What visibleVersion answers: a row, known absence (null), or "ask RocksDB" (undefined). */
export type Visibility = Version | null | undefined;

/** Truncation indexes of a table in ascending order, captured by readers when they start. */
export type Truncations = readonly number[];

/** Per-version estimates, for the buffer pool budget: object headers plus decoded values. */
export const versionOverheadBytes = 64;
export const entryOverheadBytes = 160;
/** Decoded values take roughly this many times their encoded bytes. */
export const decodedBytesFactor = 2;
/** A packed entry's row string: its header and the string's own header. */
export const packedOverheadBytes = 32;

/**
 * The `versions` of a packed entry. Frozen, so a mutation that forgot to
 * unpack first throws (ES modules are strict) instead of sharing versions.
 */
export const packedVersions: Version[] = Object.freeze([]) as unknown as Version[];

export class RowEntry extends CacheNode {
  /** Newest first (packedVersions while packed). */
  versions: Version[] = [];
  /**
   * A clean entry whose chain is one row version keeps it encoded, as a
   * latin1 string of its row bytes (one char per byte), and decodes it on
   * each read: one leaf object instead of a version, a row array, its values
   * and a versions array. A bulk load left millions of those decoded, and the
   * GC marked and scavenged over them for every later transaction (issue 4).
   * Strings rather than views into shared slabs: each is freed on its own, so
   * evicting a row frees its bytes (a slab would stay while any row in it
   * lives). Any change unpacks first (StoreCore.unpack).
   */
  packed: string | null = null;
  /** The commit index of the packed version. */
  packedIndex = 0;
  baseKnown = true;
  /** The newest version is not in RocksDB yet. */
  dirty = false;
  /** The checkpoint generation that last wrote this key (0: not written by this process). */
  persistedGeneration = 0;

  constructor(readonly keyString: string, readonly table: TableState) {
    super();
  }

  get newest(): Version | undefined {
    return this.packed === null ? this.versions[0] : unpackedVersion(this);
  }
}

export class IndexEntry extends CacheNode {
  /** Infinity while alive; else the index at which the row stopped having this key. */
  deadIndex = Number.POSITIVE_INFINITY;
  /** RocksDB holds this entry (or may: entries first seen dead are assumed stored). */
  persisted: boolean;
  dirty = false;
  persistedGeneration = 0;

  constructor(
    readonly index: IndexState,
    /** Index key bytes followed by the primary key bytes, as latin1. */
    readonly keyString: string,
    /** How many leading bytes of keyString are the index key. */
    readonly indexKeyBytes: number,
    /** When the row last got this key (index entries are rechecked against the row, so this only bounds cleanup). */
    public addedIndex: number,
    persisted: boolean,
  ) {
    super();
    this.persisted = persisted;
  }

  get alive(): boolean {
    return this.deadIndex === Number.POSITIVE_INFINITY;
  }
}

export class TableState {
  readonly rows = new Map<string, RowEntry>();
  readonly order = new SortedKeySet();
  /** Indexes at which the table was truncated and RocksDB may still hold older rows. */
  truncations: Truncations = [];
  /** Every row of the table is in memory: a miss means absent (no RocksDB read needed). */
  residentComplete: boolean;
  /** The index of the DROP, while old readers and RocksDB may still need the rows. */
  droppedAt: number | null = null;
  /**
   * The highest index whose bulk rows went to RocksDB directly instead of
   * memory (bulk-write.ts): RocksDB may answer rows newer than a reader
   * below it, so such readers do not fill the cache from RocksDB.
   */
  bulkIndexMax = 0;
  /** The last bulk write of this table still under way: readers at or above its index wait for it before reading RocksDB. */
  bulkPending: { readonly index: number; readonly done: Promise<void> } | null = null;

  constructor(public def: TableDef, residentComplete: boolean) {
    this.residentComplete = residentComplete;
  }

  get id(): number {
    return this.def.id;
  }
}

export class IndexState {
  readonly entries = new Map<string, IndexEntry>();
  readonly order = new SortedKeySet();
  ready: boolean;
  droppedAt: number | null = null;
  private readyWaiters: (() => void)[] = [];

  constructor(public def: IndexDef, readonly tableId: number, ready: boolean) {
    this.ready = ready;
  }

  get id(): number {
    return this.def.id;
  }

  markReady(): void {
    this.ready = true;
    for (const resolve of this.readyWaiters.splice(0)) resolve();
  }

  whenReady(): Promise<void> {
    return this.ready ? Promise.resolve() : new Promise((resolve) => this.readyWaiters.push(resolve));
  }
}

/** The newest truncation at or below `readIndex`, or 0. */
export function truncationAt(truncations: Truncations, readIndex: number): number {
  for (let i = truncations.length - 1; i >= 0; i--) {
    const t = truncations[i] as number;
    if (t <= readIndex) return t;
  }
  return 0;
}

/** A packed entry's version, decoded (a fresh object each call: the entry keeps only the string). */
export function unpackedVersion(entry: RowEntry): Version {
  const packed = entry.packed;
  invariant(packed !== null, 'unpackedVersion needs a packed entry');
  const decoded = decodeRow(keyBytes(packed), layoutResolverOf(entry.table.def));
  return { index: entry.packedIndex, row: decoded.row, layout: decoded.layout, bytes: null };
}

/** The version a reader at `readIndex` sees in a chain. */
export function visibleVersion(entry: RowEntry, readIndex: number, truncations: Truncations): Visibility {
  if (entry.packed !== null) {
    // One version, never a tombstone (only rows are packed).
    if (entry.packedIndex > readIndex) return entry.baseKnown ? null : undefined;
    return entry.packedIndex <= truncationAt(truncations, readIndex) ? null : unpackedVersion(entry);
  }
  for (const v of entry.versions) {
    if (v.index > readIndex) continue;
    if (isTombstone(v) || v.index <= truncationAt(truncations, readIndex)) return null;
    return v;
  }
  return entry.baseKnown ? null : undefined;
}

export function versionSizeBytes(v: Version): number {
  // Its bytes are all it keeps (and the getter would decode the row to count it).
  if (v instanceof EncodedVersion) return versionOverheadBytes + v.encodedBytes;
  return versionOverheadBytes + (v.bytes?.length ?? 0) + decodedBytesFactor * estimateEncodedBytes(v);
}

function estimateEncodedBytes(v: Version): number {
  if (v.row === null) return 0;
  // Rows loaded from RocksDB drop their bytes; count a cheap estimate of the decoded values.
  let n = 0;
  for (const value of v.row) n += typeof value === 'string' ? value.length : value instanceof Uint8Array ? value.length : 8;
  return n;
}

export function rowEntrySizeBytes(entry: RowEntry): number {
  let n = entryOverheadBytes + 2 * entry.keyString.length;
  if (entry.packed !== null) n += packedOverheadBytes + entry.packed.length;
  for (const v of entry.versions) n += versionSizeBytes(v);
  return n;
}

export function indexEntrySizeBytes(entry: IndexEntry): number {
  return entryOverheadBytes + 2 * entry.keyString.length;
}

/** Short keys skip `.buffer`, which would move a small on-heap typed array into a fresh ArrayBuffer (see query/engine-impl/keys.ts). */
const shortKeyBytesMax = 64;

export function keyString(bytes: Uint8Array): string {
  // fromCharCode takes numbers; a Uint8Array is an array-like of them.
  if (bytes.length <= shortKeyBytesMax) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

export function keyBytes(key: string): Uint8Array {
  const b = Buffer.from(key, 'latin1');
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}
