// Batch-level values of the vectorized path: one typed array per expression
// and segment, never a JavaScript object per row. Numbers of every SQL
// numeric type live in doubles: integers, dates and timestamps exactly (the
// reader checks they are safe integers), numeric as its integer coefficient
// at `scale` (exact below 2^53; anything larger falls back to the row path).

import { isNullAt, type ColumnVector } from '../../materializers/columnstore/index.js';
import type { SqlType } from '../types/sql-type.js';

export type NumArray = Float64Array | Int32Array | Int16Array | Float32Array;

/**
 * - num: value i is v[i] (numeric: the coefficient at `scale`; others: scale -1).
 *   `rowScales` (numeric from CASE only): each row's own display scale, ≤ scale.
 * - bool: 0 false, 1 true, 2 NULL.
 * - dict: text as codes into `dict` (one dictionary per segment).
 * - str: decoded text (utf8 segments: the slow path, one string per row).
 * nulls: one byte per row, 1 = NULL; null when none is.
 */
export type Vec =
  | { readonly t: 'num'; readonly v: NumArray; readonly nulls: Uint8Array | null; readonly scale: number; readonly rowScales: Uint8Array | null }
  | { readonly t: 'bool'; readonly v: Uint8Array }
  | { readonly t: 'dict'; readonly codes: Uint32Array; readonly dict: readonly string[]; readonly nulls: Uint8Array | null }
  | { readonly t: 'str'; readonly v: readonly (string | null)[] };

/**
 * The vectorized path cannot finish this execution exactly (a value past
 * 2^53, a segment stored generically, an overflow the row path reports with
 * its own SQLSTATE): the statement is run again on the row path. Thrown
 * before any row is returned, so the client never sees a partial result.
 */
export class VectorFallback extends Error {
  constructor(reason: string) {
    super(`vectorized path fell back: ${reason}`);
    this.name = 'VectorFallback';
  }
}

const safeMax = Number.MAX_SAFE_INTEGER;

export function checkSafe(x: number, what: string): void {
  if (!(x <= safeMax && x >= -safeMax)) throw new VectorFallback(`${what} outside ±2^53`);
}

/**
 * Decoded copies of segment arrays, keyed by the array's buffer and byte
 * offset rather than by the array object: the open segment hands out a new
 * view of the same buffer on every scan, and a sealed segment's arrays never
 * change. Rows are only appended to a buffer (growing copies into a new one),
 * so a cached decode of at least `length` rows is still exact. Held weakly:
 * dropped with the segment (compaction, truncate).
 */
class DecodeCache<T extends { readonly length: number }> {
  private readonly byBuffer = new WeakMap<ArrayBufferLike, Map<number, T>>();

  /** `prefix(decoded, n)`: the first n rows of a decode (a view or a copy). */
  constructor(private readonly prefix: (decoded: T, length: number) => T) {}

  get(source: ArrayBufferView, length: number): T | undefined {
    const cached = this.byBuffer.get(source.buffer)?.get(source.byteOffset);
    if (cached === undefined || cached.length < length) return undefined;
    return cached.length === length ? cached : this.prefix(cached, length);
  }

  set(source: ArrayBufferView, decoded: T): void {
    let offsets = this.byBuffer.get(source.buffer);
    if (offsets === undefined) { offsets = new Map(); this.byBuffer.set(source.buffer, offsets); }
    offsets.set(source.byteOffset, decoded);
  }
}

const nullBytesCache = new DecodeCache<Uint8Array>((a, n) => a.subarray(0, n));

/** A bitmap (bit set = NULL) as one byte per row. */
export function nullBytes(bitmap: Uint8Array | null, length: number): Uint8Array | null {
  if (bitmap === null) return null;
  const cached = nullBytesCache.get(bitmap, length);
  if (cached !== undefined) return cached;
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = isNullAt(bitmap, i) ? 1 : 0;
  nullBytesCache.set(bitmap, out);
  return out;
}

const doublesCache = new DecodeCache<Float64Array>((a, n) => a.subarray(0, n));

/** int64 / decimal64 values as doubles (exact: every value is checked to be a safe integer). */
function bigintsAsDoubles(values: BigInt64Array, length: number): Float64Array {
  const cached = doublesCache.get(values, length);
  if (cached !== undefined) return cached;
  const out = new Float64Array(length);
  const max = BigInt(safeMax);
  for (let i = 0; i < length; i++) {
    const b = values[i] as bigint;
    if (b > max || b < -max) throw new VectorFallback('an int64 value outside ±2^53');
    out[i] = Number(b);
  }
  doublesCache.set(values, out);
  return out;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Decoded utf8 (high-cardinality text) columns are kept too, keyed by their
 * offsets array, up to `textCacheBytesMax` bytes of source text in all
 * (Q10 decoded 30k customer strings per query). Past the budget a column is
 * decoded per read, as before. A cached column's bytes count until its
 * buffer is collected (FinalizationRegistry), so the budget is approximate:
 * an open segment re-cached as it grows counts each time.
 */
const textCacheBytesMax = 64 * 1024 * 1024;
let textCacheBytes = 0;
const textCacheFreed = new FinalizationRegistry<number>((bytes) => { textCacheBytes -= bytes; });
const textCache = new DecodeCache<readonly (string | null)[]>((a, n) => a.slice(0, n));

function decodeTexts(vector: ColumnVector & { kind: 'utf8' }, nulls: Uint8Array | null, length: number): readonly (string | null)[] {
  const cached = textCache.get(vector.offsets, length);
  if (cached !== undefined) return cached;
  const v: (string | null)[] = new Array<string | null>(length);
  for (let i = 0; i < length; i++) {
    v[i] = nulls !== null && nulls[i] === 1 ? null : decoder.decode(vector.bytes.subarray(vector.offsets[i] ?? 0, vector.offsets[i + 1] ?? 0));
  }
  const bytes = (vector.offsets[length] ?? 0) - (vector.offsets[0] ?? 0);
  if (textCacheBytes + bytes <= textCacheBytesMax) {
    textCacheBytes += bytes;
    textCacheFreed.register(vector.offsets.buffer, bytes);
    textCache.set(vector.offsets, v);
  }
  return v;
}

/** One column of one segment as a Vec (views where possible). */
export function vecOfColumn(vector: ColumnVector, length: number, type: SqlType): Vec {
  const nulls = nullBytes(vector.nulls, length);
  switch (vector.kind) {
    case 'int16': case 'int32':
      return { t: 'num', v: vector.values, nulls, scale: -1, rowScales: null };
    case 'float32': case 'float64':
      // PostgreSQL orders NaN above every number and equal to itself; JavaScript comparisons do not.
      for (let i = 0; i < length; i++) if (Number.isNaN(vector.values[i])) throw new VectorFallback('a float NaN');
      return { t: 'num', v: vector.values, nulls, scale: -1, rowScales: null };
    case 'int64': return { t: 'num', v: bigintsAsDoubles(vector.values, length), nulls, scale: -1, rowScales: null };
    case 'decimal64': {
      if (type.kind !== 'numeric') throw new VectorFallback('decimal vector for a non-numeric column');
      return { t: 'num', v: bigintsAsDoubles(vector.values, length), nulls, scale: vector.scale, rowScales: null };
    }
    case 'bool': {
      const v = new Uint8Array(length);
      for (let i = 0; i < length; i++) v[i] = nulls !== null && nulls[i] === 1 ? 2 : (vector.values[i] ?? 0);
      return { t: 'bool', v };
    }
    case 'dict': return { t: 'dict', codes: vector.codes, dict: vector.dictionary, nulls };
    case 'utf8': return { t: 'str', v: decodeTexts(vector, nulls, length) };
    case 'generic': throw new VectorFallback(`a ${type.kind} column stored generically in this segment`);
    default: {
      const unknownKind: never = vector;
      throw new Error(`unknown vector kind ${String(unknownKind)}`);
    }
  }
}

export function isNullRow(nulls: Uint8Array | null, i: number): boolean {
  return nulls !== null && nulls[i] === 1;
}

/**
 * Time this thread may run a vectorized operator before letting other work
 * (other sessions, the checkpointer) run: yields are by time, not by a count
 * of segments or batches, so a fast query (Q3's 18 lineitem segments in a few
 * ms) does not wait behind another task's turn at every fourth segment.
 */
const turnMs = 4;
let turnStarted = performance.now();

/** Yields to the event loop when this thread has run at least turnMs since it last did. */
export async function yieldTurn(): Promise<void> {
  if (performance.now() - turnStarted < turnMs) return;
  await new Promise<void>((resolve) => setImmediate(resolve));
  turnStarted = performance.now();
}
