// The array work of a compaction merge: gathers the kept rows of adjacent
// sealed segments, column by column, into exactly sized arrays. No SQL value
// and no object per row: typed arrays in, typed arrays out.
//
// These functions run inside compaction worker threads (compaction-workers.ts
// sends their source text with Function.prototype.toString), so they must
// stay self-contained: no imports, no module-level names, nothing but their
// own parameters, each other (listed in mergeKernelFunctions) and JavaScript
// built-ins. The same functions run inline when no worker thread is
// configured, so the unit tests exercise the code the workers run.

/** The typed arrays a fixed-width vector holds (int16 … float64, decimal64 as BigInt64Array, bool as bytes). */
export type FixedValues = Int16Array | Int32Array | BigInt64Array | Float32Array | Float64Array | Uint8Array;

/** One source segment's data for one column. */
export type MergeColumnSource =
  | { readonly k: 'fixed'; readonly values: FixedValues; readonly nulls: Uint8Array | null }
  | { readonly k: 'bytes'; readonly offsets: Uint32Array; readonly bytes: Uint8Array; readonly nulls: Uint8Array | null }
  | { readonly k: 'dict'; readonly codes: Uint32Array; readonly dictionary: readonly string[]; readonly nulls: Uint8Array | null };

/**
 * One column of the merge: what it is built as, and its data per source (in
 * source order). 'fixed' sources all have the same array type; 'bytes' takes
 * 'bytes' sources and 'dict' sources (decoded to UTF-8: a text column whose
 * dictionary overflowed in one segment); 'dict' takes 'dict' sources and
 * falls back to 'bytes' when the merged dictionary would pass dictionaryMax.
 */
export interface MergeColumnJob {
  readonly out: 'fixed' | 'bytes' | 'dict';
  readonly dictionaryMax: number;
  readonly sources: readonly MergeColumnSource[];
}

export interface MergeJob {
  /** Per source segment, the offsets of the rows kept, ascending. */
  readonly keep: readonly Uint32Array[];
  readonly columns: readonly MergeColumnJob[];
  /** Per source, its key bytes (row i: bytes[offsets[i] .. offsets[i+1])). */
  readonly keys: readonly { readonly offsets: Uint32Array; readonly bytes: Uint8Array }[];
  /** Per source, the insert index of row 0 and each row's delta from it. */
  readonly inserts: readonly { readonly base: number; readonly deltas: Uint32Array }[];
}

export type MergedColumn =
  | { readonly k: 'fixed'; readonly values: FixedValues; readonly nulls: Uint8Array | null; readonly nullCount: number }
  | { readonly k: 'bytes'; readonly offsets: Uint32Array; readonly bytes: Uint8Array; readonly nulls: Uint8Array | null; readonly nullCount: number }
  | { readonly k: 'dict'; readonly codes: Uint32Array; readonly dictionary: string[]; readonly nulls: Uint8Array | null; readonly nullCount: number };

export interface MergeResult {
  readonly rowCount: number;
  readonly columns: MergedColumn[];
  readonly keyOffsets: Uint32Array;
  readonly keyBytes: Uint8Array;
  /** The insert index of the first kept row; insertDeltas are relative to it. */
  readonly baseIndex: number;
  readonly insertDeltas: Uint32Array;
}

/** Runs a whole merge job. */
export function mergeJob(job: MergeJob): MergeResult {
  let rowCount = 0;
  for (const k of job.keep) rowCount += k.length;
  const columns: MergedColumn[] = [];
  for (const c of job.columns) {
    const nulls = mergeNulls(job.keep, c.sources, rowCount);
    if (c.out === 'fixed') columns.push({ k: 'fixed', values: mergeFixed(job.keep, c.sources, rowCount), nulls: nulls.bits, nullCount: nulls.count });
    else if (c.out === 'dict') columns.push(mergeDict(job.keep, c.sources, rowCount, c.dictionaryMax, nulls.bits, nulls.count));
    else columns.push(mergeBytes(job.keep, c.sources, rowCount, nulls.bits, nulls.count));
  }
  const keys = mergeKeys(job.keep, job.keys, rowCount);
  const inserts = mergeInserts(job.keep, job.inserts, rowCount);
  return { rowCount, columns, keyOffsets: keys.offsets, keyBytes: keys.bytes, baseIndex: inserts.base, insertDeltas: inserts.deltas };
}

/** The kept rows' null bits (null when none is NULL) and how many are set. */
export function mergeNulls(keep: readonly Uint32Array[], sources: readonly MergeColumnSource[], rowCount: number): { bits: Uint8Array | null; count: number } {
  let bits: Uint8Array | null = null;
  let count = 0;
  let at = 0;
  for (let s = 0; s < keep.length; s++) {
    const rows = keep[s] as Uint32Array;
    const source = sources[s];
    const nulls = source === undefined ? null : source.nulls;
    if (nulls !== null) {
      for (let j = 0; j < rows.length; j++) {
        const i = rows[j] as number;
        if ((((nulls[i >> 3] as number) >> (i & 7)) & 1) === 1) {
          if (bits === null) bits = new Uint8Array(Math.ceil(rowCount / 8));
          const o = at + j;
          bits[o >> 3] = (bits[o >> 3] as number) | (1 << (o & 7));
          count++;
        }
      }
    }
    at += rows.length;
  }
  return { bits, count };
}

/** The kept rows of same-typed fixed-width arrays, in a new array of that type. */
export function mergeFixed(keep: readonly Uint32Array[], sources: readonly MergeColumnSource[], rowCount: number): FixedValues {
  const first = sources[0];
  if (first === undefined || first.k !== 'fixed') throw new Error('merge: a fixed-width column without fixed-width sources');
  const Ctor = first.values.constructor as new (n: number) => FixedValues;
  const out = new Ctor(rowCount);
  let at = 0;
  for (let s = 0; s < keep.length; s++) {
    const rows = keep[s] as Uint32Array;
    const source = sources[s];
    if (source === undefined || source.k !== 'fixed' || source.values.constructor !== Ctor) throw new Error('merge: fixed-width sources of different array types');
    const values = source.values;
    // Whole source kept (no deletes at or below the horizon): one copy.
    if (rows.length === values.length && (rows.length === 0 || rows[rows.length - 1] === rows.length - 1)) {
      (out as Float64Array).set(values as Float64Array, at);
    } else {
      // One loop per call site type is not worth it here: compaction is off the query thread.
      for (let j = 0; j < rows.length; j++) (out as Float64Array)[at + j] = (values as Float64Array)[rows[j] as number] as number;
    }
    at += rows.length;
  }
  return out;
}

/** The kept rows of 'bytes' (and dictionary-coded, decoded to UTF-8) sources as offsets + bytes. */
export function mergeBytes(keep: readonly Uint32Array[], sources: readonly MergeColumnSource[], rowCount: number, nulls: Uint8Array | null, nullCount: number): MergedColumn {
  const encoder = new TextEncoder();
  // Dictionary entries as bytes, once per source.
  const encoded: (Uint8Array[] | null)[] = sources.map((src) => (src.k === 'dict' ? src.dictionary.map((v) => encoder.encode(v)) : null));
  let total = 0;
  for (let s = 0; s < keep.length; s++) {
    const rows = keep[s] as Uint32Array;
    const src = sources[s];
    if (src === undefined) throw new Error('merge: a column missing a source');
    const isNull = (i: number): boolean => src.nulls !== null && (((src.nulls[i >> 3] as number) >> (i & 7)) & 1) === 1;
    for (let j = 0; j < rows.length; j++) {
      const i = rows[j] as number;
      if (src.k === 'bytes') total += (src.offsets[i + 1] as number) - (src.offsets[i] as number);
      else if (src.k === 'dict' && !isNull(i)) total += (encoded[s] as Uint8Array[])[src.codes[i] as number]?.length ?? 0;
      else if (src.k === 'fixed') throw new Error('merge: a fixed-width source in a bytes column');
    }
  }
  const offsets = new Uint32Array(rowCount + 1);
  const bytes = new Uint8Array(total);
  let at = 0;
  let pos = 0;
  for (let s = 0; s < keep.length; s++) {
    const rows = keep[s] as Uint32Array;
    const src = sources[s] as MergeColumnSource;
    for (let j = 0; j < rows.length; j++) {
      const i = rows[j] as number;
      if (src.k === 'bytes') {
        const from = src.offsets[i] as number;
        const to = src.offsets[i + 1] as number;
        bytes.set(src.bytes.subarray(from, to), pos);
        pos += to - from;
      } else if (src.k === 'dict' && !(src.nulls !== null && (((src.nulls[i >> 3] as number) >> (i & 7)) & 1) === 1)) {
        const value = (encoded[s] as Uint8Array[])[src.codes[i] as number];
        if (value !== undefined) {
          bytes.set(value, pos);
          pos += value.length;
        }
      }
      offsets[at + j + 1] = pos;
    }
    at += rows.length;
  }
  return { k: 'bytes', offsets, bytes, nulls, nullCount };
}

/** The kept rows of dictionary-coded sources under one dictionary; offsets + bytes if it would pass dictionaryMax entries. */
export function mergeDict(keep: readonly Uint32Array[], sources: readonly MergeColumnSource[], rowCount: number, dictionaryMax: number, nulls: Uint8Array | null, nullCount: number): MergedColumn {
  const dictionary: string[] = [];
  const codeOf = new Map<string, number>();
  const codes = new Uint32Array(rowCount);
  let at = 0;
  for (let s = 0; s < keep.length; s++) {
    const rows = keep[s] as Uint32Array;
    const src = sources[s];
    if (src === undefined || src.k !== 'dict') throw new Error('merge: a dictionary column with a source that is not dictionary-coded');
    // Source code → merged code, assigned on first use so dropped rows' values leave the dictionary.
    const remap = new Int32Array(src.dictionary.length).fill(-1);
    for (let j = 0; j < rows.length; j++) {
      const i = rows[j] as number;
      if (src.nulls !== null && (((src.nulls[i >> 3] as number) >> (i & 7)) & 1) === 1) continue;
      const code = src.codes[i] as number;
      let merged = remap[code] as number;
      if (merged < 0) {
        const value = src.dictionary[code] as string;
        const known = codeOf.get(value);
        if (known === undefined) {
          if (dictionary.length >= dictionaryMax) return mergeBytes(keep, sources, rowCount, nulls, nullCount);
          merged = dictionary.length;
          dictionary.push(value);
          codeOf.set(value, merged);
        } else {
          merged = known;
        }
        remap[code] = merged;
      }
      codes[at + j] = merged;
    }
    at += rows.length;
  }
  return { k: 'dict', codes, dictionary, nulls, nullCount };
}

/** The kept rows' key bytes. */
export function mergeKeys(keep: readonly Uint32Array[], keys: MergeJob['keys'], rowCount: number): { offsets: Uint32Array; bytes: Uint8Array } {
  let total = 0;
  for (let s = 0; s < keep.length; s++) {
    const rows = keep[s] as Uint32Array;
    const k = keys[s];
    if (k === undefined) throw new Error('merge: a source without keys');
    for (let j = 0; j < rows.length; j++) total += (k.offsets[(rows[j] as number) + 1] as number) - (k.offsets[rows[j] as number] as number);
  }
  const offsets = new Uint32Array(rowCount + 1);
  const bytes = new Uint8Array(total);
  let at = 0;
  let pos = 0;
  for (let s = 0; s < keep.length; s++) {
    const rows = keep[s] as Uint32Array;
    const k = keys[s] as MergeJob['keys'][number];
    for (let j = 0; j < rows.length; j++) {
      const from = k.offsets[rows[j] as number] as number;
      const to = k.offsets[(rows[j] as number) + 1] as number;
      bytes.set(k.bytes.subarray(from, to), pos);
      pos += to - from;
      offsets[at + j + 1] = pos;
    }
    at += rows.length;
  }
  return { offsets, bytes };
}

/** The kept rows' insert indexes as deltas from the first kept row's (rows stay in log order). */
export function mergeInserts(keep: readonly Uint32Array[], inserts: MergeJob['inserts'], rowCount: number): { base: number; deltas: Uint32Array } {
  const deltas = new Uint32Array(rowCount);
  let base = -1;
  let at = 0;
  for (let s = 0; s < keep.length; s++) {
    const rows = keep[s] as Uint32Array;
    const src = inserts[s];
    if (src === undefined) throw new Error('merge: a source without insert indexes');
    for (let j = 0; j < rows.length; j++) {
      const index = src.base + (src.deltas[rows[j] as number] as number);
      if (base < 0) base = index;
      deltas[at + j] = index - base;
    }
    at += rows.length;
  }
  return { base: base < 0 ? 0 : base, deltas };
}

/** Every function mergeJob calls, for the worker's source text. */
export const mergeKernelFunctions: readonly ((...args: never[]) => unknown)[] = [mergeJob, mergeNulls, mergeFixed, mergeBytes, mergeDict, mergeKeys, mergeInserts];

/** The ArrayBuffers of a result, to transfer (not copy) back from a worker. */
export function resultBuffers(result: MergeResult): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  const add = (a: ArrayBufferView | null): void => {
    if (a !== null && a.buffer instanceof ArrayBuffer) buffers.add(a.buffer);
  };
  for (const c of result.columns) {
    add(c.nulls);
    if (c.k === 'fixed') add(c.values);
    else if (c.k === 'bytes') { add(c.offsets); add(c.bytes); }
    else add(c.codes);
  }
  add(result.keyOffsets);
  add(result.keyBytes);
  add(result.insertDeltas);
  return [...buffers];
}
