// The row store's key space. Every key starts with a big-endian u32 object
// id, so a table, an index or the meta area is one contiguous range:
//
//   [u32 tableId][primary key]                 row      → [varuint commit index][row bytes]
//   [u32 indexId][index key][primary key]      index    → [varuint added index][varuint index key bytes]
//   [u32 0][u8 meta kind][...]                 meta     (applied index, catalog, markers, sequences)
//
// Object ids 1..reservedObjectIdMax are reserved for system objects; user
// objects start at firstUserObjectId (PostgreSQL's FirstNormalObjectId).

import { invariant } from '../assert.js';
import type { KeyRange } from './key-range.js';

export const objectIdBytes = 4;
export const metaObjectId = 0;
export const reservedObjectIdMax = 16383;
export const firstUserObjectId = 16384;
const objectIdMax = 0xffff_ffff;

/** Kinds of meta keys. Written to disk: never renumber. */
export const MetaKind = {
  AppliedIndex: 1,
  Catalog: 2,
  Markers: 3,
  Sequence: 4,
  IndexBuilds: 5,
  /** Rows of a bulk transaction were written ahead of the checkpoint, up to this index (rowstore/bulk-write.ts). */
  BulkAhead: 6,
} as const;
export type MetaKind = (typeof MetaKind)[keyof typeof MetaKind];

export function objectPrefix(objectId: number): Uint8Array {
  invariant(Number.isInteger(objectId) && objectId >= 0 && objectId <= objectIdMax, `object id ${objectId}`);
  const out = new Uint8Array(objectIdBytes);
  new DataView(out.buffer).setUint32(0, objectId, false);
  return out;
}

function concat(...parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * `[u32 objectId][rest]` in one array: a checkpoint builds a key per dirty
 * row, and a prefix array (with its DataView) plus a concat per key showed
 * in the COPY profile.
 */
function prefixed(objectId: number, rest: Uint8Array): Uint8Array {
  invariant(Number.isInteger(objectId) && objectId >= 0 && objectId <= objectIdMax, `object id ${objectId}`);
  const out = new Uint8Array(objectIdBytes + rest.length);
  out[0] = objectId >>> 24;
  out[1] = (objectId >>> 16) & 0xff;
  out[2] = (objectId >>> 8) & 0xff;
  out[3] = objectId & 0xff;
  out.set(rest, objectIdBytes);
  return out;
}

export function rowStorageKey(tableId: number, primaryKey: Uint8Array): Uint8Array {
  return prefixed(tableId, primaryKey);
}

/** `entryKey` is the index key followed by the primary key. */
export function indexStorageKey(indexId: number, entryKey: Uint8Array): Uint8Array {
  return prefixed(indexId, entryKey);
}

/** Every key of one object (table rows or index entries). */
export function objectRange(objectId: number): Required<KeyRange> {
  return { gte: objectPrefix(objectId), lt: objectId === objectIdMax ? new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff]) : objectPrefix(objectId + 1) };
}

export function metaKey(kind: MetaKind, suffix: Uint8Array = new Uint8Array(0)): Uint8Array {
  return concat(objectPrefix(metaObjectId), new Uint8Array([kind]), suffix);
}

/** Every meta key of one kind. */
export function metaRange(kind: MetaKind): Required<KeyRange> {
  return { gte: metaKey(kind), lt: metaKey((kind + 1) as MetaKind) };
}

/** The object id a storage key starts with. */
export function objectIdOf(storageKey: Uint8Array): number {
  invariant(storageKey.length >= objectIdBytes, 'storage key shorter than its object id');
  return new DataView(storageKey.buffer, storageKey.byteOffset, objectIdBytes).getUint32(0, false);
}
