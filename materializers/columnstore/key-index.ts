// The row identity index: primary key (or hidden row id) bytes → the row's
// position (segment id × segmentRowsMax + offset), for deletes and updates
// from the log. An open-addressing hash table over two typed arrays (32-bit
// hashes, float64 positions), linear probing, backward-shift deletion (no
// tombstones). Keys are not stored here: the segment keeps each row's key
// bytes, and a probe confirms a hash match through `keyEquals`. About
// 12 bytes per slot at a load factor between 3/8 and 3/4, i.e. 16–32 bytes
// per row, against ~100+ for a Map keyed by the key as a string.

import { invariant } from '../assert.js';

/** Confirms that the row at `position` has key `key` (a hash match is only a candidate). */
export type KeyEquals = (position: number, key: Uint8Array) => boolean;

const emptySlot = -1;
const initialSlots = 1024;

/** FNV-1a over the key bytes, then a murmur3 finaliser for the high bits. */
export function hashKey(key: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key[i] ?? 0;
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

export class KeyIndex {
  private hashes: Int32Array;
  private positions: Float64Array;
  private mask: number;
  size = 0;

  constructor(private readonly keyEquals: KeyEquals, slots = initialSlots) {
    invariant(slots > 0 && (slots & (slots - 1)) === 0, 'key index slots must be a power of two');
    this.hashes = new Int32Array(slots);
    this.positions = new Float64Array(slots).fill(emptySlot);
    this.mask = slots - 1;
  }

  /** Bytes of the two arrays. */
  get heapBytes(): number {
    return this.hashes.byteLength + this.positions.byteLength;
  }

  private find(key: Uint8Array, hash: number): number {
    for (let slot = hash & this.mask; ; slot = (slot + 1) & this.mask) {
      const position = this.positions[slot] ?? emptySlot;
      if (position === emptySlot) return -1;
      if (this.hashes[slot] === hash && this.keyEquals(position, key)) return slot;
    }
  }

  /** The key's position, or -1. */
  get(key: Uint8Array): number {
    const slot = this.find(key, hashKey(key));
    return slot < 0 ? -1 : (this.positions[slot] ?? emptySlot);
  }

  /** Adds a key that must be absent. */
  insert(key: Uint8Array, position: number): void {
    invariant(position >= 0, 'key index positions are non-negative');
    if ((this.size + 1) * 4 > this.positions.length * 3) this.grow();
    const hash = hashKey(key);
    let slot = hash & this.mask;
    while ((this.positions[slot] ?? emptySlot) !== emptySlot) {
      invariant(!(this.hashes[slot] === hash && this.keyEquals(this.positions[slot] ?? emptySlot, key)), 'key index insert of a key already present');
      slot = (slot + 1) & this.mask;
    }
    this.hashes[slot] = hash;
    this.positions[slot] = position;
    this.size++;
  }

  /** Moves a present key to a new position (compaction). */
  move(key: Uint8Array, position: number): void {
    const slot = this.find(key, hashKey(key));
    invariant(slot >= 0, 'key index move of a key not present');
    this.positions[slot] = position;
  }

  /** Removes a key; returns its position, or -1 when absent. */
  remove(key: Uint8Array): number {
    let hole = this.find(key, hashKey(key));
    if (hole < 0) return -1;
    const removed = this.positions[hole] ?? emptySlot;
    // Backward-shift deletion (Knuth's Algorithm R): pull later entries of the
    // probe run into the hole unless their home slot lies cyclically in (hole, slot].
    for (let slot = (hole + 1) & this.mask; (this.positions[slot] ?? emptySlot) !== emptySlot; slot = (slot + 1) & this.mask) {
      const home = (this.hashes[slot] ?? 0) & this.mask;
      const stays = hole <= slot ? hole < home && home <= slot : hole < home || home <= slot;
      if (stays) continue;
      this.hashes[hole] = this.hashes[slot] ?? 0;
      this.positions[hole] = this.positions[slot] ?? emptySlot;
      hole = slot;
    }
    this.positions[hole] = emptySlot;
    this.size--;
    return removed;
  }

  private grow(): void {
    const oldHashes = this.hashes;
    const oldPositions = this.positions;
    const slots = oldPositions.length * 2;
    this.hashes = new Int32Array(slots);
    this.positions = new Float64Array(slots).fill(emptySlot);
    this.mask = slots - 1;
    for (let i = 0; i < oldPositions.length; i++) {
      const position = oldPositions[i] ?? emptySlot;
      if (position === emptySlot) continue;
      const hash = oldHashes[i] ?? 0;
      let slot = hash & this.mask;
      while ((this.positions[slot] ?? emptySlot) !== emptySlot) slot = (slot + 1) & this.mask;
      this.hashes[slot] = hash;
      this.positions[slot] = position;
    }
  }
}
