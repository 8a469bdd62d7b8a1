// An ordered set of byte-string keys (latin1 strings: one char per byte, so
// string order is byte order). A sorted list of sorted chunks, as Python's
// SortedContainers does it: binary search over chunk maxima, then within a
// chunk. Insert and delete cost O(log n) comparisons plus a splice bounded by
// chunkKeysMax; ordered range reads are plain array walks.

import { invariant } from '../assert.js';

/** A chunk splits in two beyond this many keys. */
export const chunkKeysMax = 512;
/** Neighbouring chunks merge when together they hold fewer than this. */
const chunkMergeKeysMax = chunkKeysMax / 2;

export interface StringRange {
  readonly gte?: string;
  readonly lt?: string;
}

/** First index i with items[i] >= key (items.length if none). */
function lowerBound(items: readonly string[], key: string): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((items[mid] as string) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class SortedKeySet {
  private chunks: string[][] = [];
  /** maxes[i] is the last key of chunks[i]. */
  private maxes: string[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  has(key: string): boolean {
    const c = lowerBound(this.maxes, key);
    const chunk = this.chunks[c];
    return chunk !== undefined && chunk[lowerBound(chunk, key)] === key;
  }

  /** Adds a key; false if it was present. */
  add(key: string): boolean {
    if (this.chunks.length === 0) {
      this.chunks.push([key]);
      this.maxes.push(key);
      this.count = 1;
      return true;
    }
    const lastChunk = this.chunks.length - 1;
    if (key > (this.maxes[lastChunk] as string)) {
      // Above every key: ascending keys (serial ids, time-ordered keys) are
      // most inserts. Appended without searching, and a full last chunk
      // starts a new one rather than splitting (which would leave every
      // chunk of an ascending load half full).
      const last = this.chunks[lastChunk] as string[];
      if (last.length < chunkKeysMax) {
        last.push(key);
        this.maxes[lastChunk] = key;
      } else {
        this.chunks.push([key]);
        this.maxes.push(key);
      }
      this.count++;
      return true;
    }
    const c = Math.min(lowerBound(this.maxes, key), lastChunk);
    const chunk = this.chunks[c] as string[];
    const i = lowerBound(chunk, key);
    if (chunk[i] === key) return false;
    chunk.splice(i, 0, key);
    this.maxes[c] = chunk[chunk.length - 1] as string;
    this.count++;
    if (chunk.length > chunkKeysMax) {
      const upper = chunk.splice(chunk.length >>> 1);
      this.chunks.splice(c + 1, 0, upper);
      this.maxes.splice(c, 1, chunk[chunk.length - 1] as string, upper[upper.length - 1] as string);
    }
    return true;
  }

  /** Removes a key; false if it was absent. */
  delete(key: string): boolean {
    const c = lowerBound(this.maxes, key);
    const chunk = this.chunks[c];
    if (chunk === undefined) return false;
    const i = lowerBound(chunk, key);
    if (chunk[i] !== key) return false;
    chunk.splice(i, 1);
    this.count--;
    if (chunk.length === 0) {
      this.chunks.splice(c, 1);
      this.maxes.splice(c, 1);
      return true;
    }
    this.maxes[c] = chunk[chunk.length - 1] as string;
    const next = this.chunks[c + 1];
    if (next !== undefined && chunk.length + next.length < chunkMergeKeysMax) {
      chunk.push(...next);
      this.chunks.splice(c + 1, 1);
      this.maxes.splice(c, 2, chunk[chunk.length - 1] as string);
    }
    return true;
  }

  /**
   * Up to `limit` keys of `range` in order (descending when `reverse`),
   * strictly after `after` in that order when given: a cursor that stays
   * valid however the set changes between calls.
   */
  collect(range: StringRange, limit: number, reverse = false, after?: string): string[] {
    invariant(limit > 0, 'collect limit must be positive');
    return reverse ? this.collectDescending(range, limit, after) : this.collectAscending(range, limit, after);
  }

  private collectAscending(range: StringRange, limit: number, after: string | undefined): string[] {
    const out: string[] = [];
    const from = after !== undefined && (range.gte === undefined || after >= range.gte) ? after : range.gte;
    const strict = from !== undefined && from === after;
    let c = from === undefined ? 0 : lowerBound(this.maxes, from);
    let i = from === undefined ? 0 : lowerBound(this.chunks[c] ?? [], from);
    for (; c < this.chunks.length; c++, i = 0) {
      const chunk = this.chunks[c] as string[];
      for (; i < chunk.length; i++) {
        const key = chunk[i] as string;
        if (strict && key === from) continue;
        if (range.lt !== undefined && key >= range.lt) return out;
        out.push(key);
        if (out.length === limit) return out;
      }
    }
    return out;
  }

  private collectDescending(range: StringRange, limit: number, after: string | undefined): string[] {
    const out: string[] = [];
    // Keys strictly below `bound`: the cursor, or the range's exclusive end.
    const bound = after !== undefined && (range.lt === undefined || after < range.lt) ? after : range.lt;
    let c = bound === undefined ? this.chunks.length - 1 : Math.min(lowerBound(this.maxes, bound), this.chunks.length - 1);
    let i = bound === undefined ? (this.chunks[c]?.length ?? 0) - 1 : lowerBound(this.chunks[c] ?? [], bound) - 1;
    for (; c >= 0; c--, i = (this.chunks[c]?.length ?? 0) - 1) {
      const chunk = this.chunks[c] as string[];
      for (; i >= 0; i--) {
        const key = chunk[i] as string;
        if (range.gte !== undefined && key < range.gte) return out;
        out.push(key);
        if (out.length === limit) return out;
      }
    }
    return out;
  }

  /** Every key in order (tests and debugging). */
  keys(): string[] {
    return this.chunks.flat();
  }
}
