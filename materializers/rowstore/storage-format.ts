// What the row store writes to RocksDB, besides the keys of keys/layout.ts:
//
//   row value           [varuint commit index][row bytes (layout-prefixed)]
//   index entry value   [varuint added index][varuint index key bytes]
//   meta AppliedIndex   [varuint applied index]
//   meta Catalog        catalog/encodeCatalog
//   meta Markers        [u8 format][varuint n]{[u8 kind][varuint index][varuint n][object ids]}
//   meta Sequence+id    [i64 high-water mark]
//   meta IndexBuilds    [varuint n][index ids]: indexes whose backfill has not finished

import { invariant } from '../assert.js';
import { ByteReader, ByteWriter, catalogObjectsMax, EntryDecodeError } from '../entries/index.js';

/** A pending physical deletion: RocksDB keys of these objects with a stored index <= `index` go. */
export interface Marker {
  readonly kind: 'truncate' | 'dropTable' | 'dropIndex';
  readonly index: number;
  /** For table markers the table id first, then its index ids; for dropIndex the index id. */
  readonly objectIds: readonly number[];
}

export interface StoredRow {
  readonly index: number;
  readonly rowBytes: Uint8Array;
}

export interface StoredIndexEntry {
  readonly addedIndex: number;
  readonly indexKeyBytes: number;
}

const markersFormat = 1;
const markerKinds: readonly Marker['kind'][] = ['truncate', 'dropTable', 'dropIndex'];

/** A slab of BatchBytes; a key or value larger than this gets a slab of its own. */
const batchSlabBytes = 256 * 1024;

/**
 * Row keys and values of one checkpoint batch, packed into shared slabs as
 * Buffer views: byte for byte what rowStorageKey(tableId, keyBytes(key))
 * and encodeStoredRow give. A checkpoint after pgbench -i writes a million
 * rows; one or two arrays per key and value (and levelup's binary encoding
 * copies every operand that is not a Buffer into a new one) made the
 * synchronous part of that checkpoint take seconds, mostly allocation and
 * garbage collection (issue 4). The views stay valid as long as the batch's
 * ops hold them; RocksDB copies them when they are added to its WriteBatch.
 */
export class BatchBytes {
  private slab = Buffer.allocUnsafeSlow(0);
  private at = 0;

  private take(n: number): Buffer {
    if (this.at + n > this.slab.length) {
      this.slab = Buffer.allocUnsafeSlow(Math.max(batchSlabBytes, n));
      this.at = 0;
    }
    const out = this.slab.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }

  /** `[u32 BE tableId][primary key]`, the key given as its latin1 string (state.ts keyString). */
  rowKey(tableId: number, key: string): Buffer {
    const out = this.take(4 + key.length);
    out.writeUInt32BE(tableId, 0);
    const written = out.write(key, 4, 'latin1');
    if (written !== key.length) throw new Error(`row key of ${key.length} chars wrote ${written} bytes`);
    return out;
  }

  /** rowKey from the key's bytes (bulk-write.ts: no string made per row). */
  rowKeyBytes(tableId: number, key: Uint8Array): Buffer {
    const out = this.take(4 + key.length);
    out.writeUInt32BE(tableId, 0);
    out.set(key, 4);
    return out;
  }

  /** `[varuint commit index][row bytes]`. */
  storedRow(index: number, rowBytes: Uint8Array): Buffer {
    if (!Number.isSafeInteger(index) || index < 0) throw new Error(`stored row index ${index}`);
    let prefixBytes = 1;
    for (let rest = index; rest >= 0x80; rest = Math.floor(rest / 0x80)) prefixBytes++;
    const out = this.take(prefixBytes + rowBytes.length);
    let at = 0;
    let rest = index;
    while (rest >= 0x80) {
      out[at++] = (rest % 0x80) | 0x80;
      rest = Math.floor(rest / 0x80);
    }
    out[at++] = rest;
    out.set(rowBytes, at);
    return out;
  }
}

/**
 * Written straight into one exactly sized array: a checkpoint after a bulk
 * load encodes every row, and a ByteWriter per row (its buffer, view and
 * final copy) showed in the COPY profile.
 */
export function encodeStoredRow(index: number, rowBytes: Uint8Array): Uint8Array {
  invariant(Number.isSafeInteger(index) && index >= 0, `stored row index ${index}`);
  let prefix = 1;
  for (let rest = index; rest >= 0x80; rest = Math.floor(rest / 0x80)) prefix++;
  const out = new Uint8Array(prefix + rowBytes.length);
  let rest = index;
  for (let i = 0; i < prefix - 1; i++) {
    out[i] = (rest % 0x80) | 0x80;
    rest = Math.floor(rest / 0x80);
  }
  out[prefix - 1] = rest;
  out.set(rowBytes, prefix);
  return out;
}

export function decodeStoredRow(value: Uint8Array): StoredRow {
  const r = new ByteReader(value);
  const index = r.varuint();
  return { index, rowBytes: r.raw(r.remaining) };
}

/** The stored index of a row or index entry value (both start with it). */
export function storedIndexOf(value: Uint8Array): number {
  return new ByteReader(value).varuint();
}

export function encodeStoredIndexEntry(addedIndex: number, indexKeyBytes: number): Uint8Array {
  const w = new ByteWriter(12);
  w.varuint(addedIndex);
  w.varuint(indexKeyBytes);
  return w.finish();
}

export function decodeStoredIndexEntry(value: Uint8Array, entryKeyBytes: number): StoredIndexEntry {
  const r = new ByteReader(value);
  const addedIndex = r.varuint();
  const indexKeyBytes = r.varuint();
  r.expectEnd('index entry value');
  if (indexKeyBytes > entryKeyBytes) throw new EntryDecodeError('malformed', 'index key longer than its entry');
  return { addedIndex, indexKeyBytes };
}

export function encodeVaruint(value: number): Uint8Array {
  const w = new ByteWriter(10);
  w.varuint(value);
  return w.finish();
}

export function decodeVaruint(value: Uint8Array): number {
  const r = new ByteReader(value);
  const v = r.varuint();
  r.expectEnd('varuint value');
  return v;
}

export function encodeMarkers(markers: readonly Marker[]): Uint8Array {
  const w = new ByteWriter();
  w.u8(markersFormat);
  w.varuint(markers.length);
  for (const m of markers) {
    w.u8(markerKinds.indexOf(m.kind));
    w.varuint(m.index);
    w.varuint(m.objectIds.length);
    for (const id of m.objectIds) w.varuint(id);
  }
  return w.finish();
}

export function decodeMarkers(value: Uint8Array): Marker[] {
  const r = new ByteReader(value);
  const format = r.u8();
  if (format !== markersFormat) throw new EntryDecodeError('version', `markers format ${format}`);
  const n = r.count(catalogObjectsMax, 'markers');
  const markers: Marker[] = [];
  for (let i = 0; i < n; i++) {
    const kind = markerKinds[r.u8()];
    if (kind === undefined) throw new EntryDecodeError('malformed', 'marker kind');
    const index = r.varuint();
    const ids = Array.from({ length: r.count(catalogObjectsMax, 'marker objects') }, () => r.varuint());
    markers.push({ kind, index, objectIds: ids });
  }
  r.expectEnd('markers');
  return markers;
}

export function encodeI64(value: bigint): Uint8Array {
  const w = new ByteWriter(8);
  w.i64(value);
  return w.finish();
}

export function decodeI64(value: Uint8Array): bigint {
  const r = new ByteReader(value);
  const v = r.i64();
  r.expectEnd('i64 value');
  return v;
}

export function encodeIds(ids: readonly number[]): Uint8Array {
  const w = new ByteWriter();
  w.varuint(ids.length);
  for (const id of ids) w.varuint(id);
  return w.finish();
}

export function decodeIds(value: Uint8Array): number[] {
  const r = new ByteReader(value);
  const ids = Array.from({ length: r.count(catalogObjectsMax, 'ids') }, () => r.varuint());
  r.expectEnd('ids');
  return ids;
}
