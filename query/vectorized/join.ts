// Batches of gathered columns and the vectorized inner hash join over them.
//
// A Batch is a set of equally long column vectors computed on demand: a
// join's output batch gathers each column from its probe or build input
// only when an expression above reads it (late materialization), so the
// 16 columns of lineitem cost nothing unless used. No JavaScript object is
// made per row: keys are numbers or strings in one array per batch, matches
// are two Int32Arrays of row numbers.

import type { ExecEnv } from '../executor/index.js';
import type { SegmentContext, VNode } from './expr.js';
import type { SqlType } from '../types/sql-type.js';
import { VectorFallback, yieldTurn, type NumArray, type Vec } from './vec.js';

export interface Batch {
  readonly length: number;
  /** Column `i` of the batch's relation (computed once, then cached). */
  column(i: number): Vec;
  /**
   * Column `i` not yet gathered: a vector and the row numbers of this batch
   * in it (a scan's selection), or null when the column is at hand. A join
   * output then gathers its matched rows straight from the segment, instead
   * of gathering every selected row first and the matches from that.
   */
  source(i: number): { readonly vec: Vec; readonly rows: Uint32Array } | null;
  /**
   * Row `row` of column `i`: the vector holding it and its index there, followed down the join inputs
   * without gathering or concatenating anything (a group's determined keys, read for the groups output).
   */
  point(i: number, row: number): { readonly vec: Vec; readonly index: number };
}

export function lazyBatch(
  length: number, make: (i: number) => Vec, sourceOf?: (i: number) => { readonly vec: Vec; readonly rows: Uint32Array } | null,
  pointOf?: (i: number, row: number) => { readonly vec: Vec; readonly index: number },
): Batch {
  const cache = new Map<number, Vec>();
  const column = (i: number): Vec => {
    let v = cache.get(i);
    if (v === undefined) { v = make(i); cache.set(i, v); }
    return v;
  };
  return {
    length,
    column,
    source: (i) => (sourceOf === undefined || cache.has(i) ? null : sourceOf(i)),
    point: (i, row) => {
      const v = cache.get(i);
      return v !== undefined || pointOf === undefined ? { vec: v ?? column(i), index: row } : pointOf(i, row);
    },
  };
}

/** Rows `rows` of column `c` of a batch, gathered once from its source when it has one. */
function gatherColumn(batch: Batch, c: number, rows: Int32Array): Vec {
  const source = batch.source(c);
  if (source === null) return gather(batch.column(c), rows);
  const composed = new Uint32Array(rows.length);
  const inner = source.rows;
  for (let k = 0; k < rows.length; k++) composed[k] = inner[rows[k] as number] as number;
  return gather(source.vec, composed);
}

/**
 * Sources of a join output's columns from one side: the side's own source
 * composed with the matched rows (once per distinct source, shared by its
 * columns), else the side's column and the matched rows. A join above then
 * gathers its matches of, say, l_extendedprice straight from the lineitem
 * segment instead of first gathering every row of this join's output.
 */
function sideSources(batch: Batch, rows: Int32Array): (c: number) => { readonly vec: Vec; readonly rows: Uint32Array } {
  const composed = new Map<Uint32Array, Uint32Array>();
  let plain: Uint32Array | null = null;
  return (c) => {
    const source = batch.source(c);
    if (source === null) {
      plain ??= new Uint32Array(rows);
      return { vec: batch.column(c), rows: plain };
    }
    let r = composed.get(source.rows);
    if (r === undefined) {
      r = new Uint32Array(rows.length);
      const inner = source.rows;
      for (let k = 0; k < rows.length; k++) r[k] = inner[rows[k] as number] as number;
      composed.set(source.rows, r);
    }
    return { vec: source.vec, rows: r };
  };
}

/**
 * Column `i` of batches that all read it from one vector (a one-segment table under them: Q10's customer) as
 * that vector and their rows concatenated; else null (the column is concatenated). A join above then reads
 * customer rows by their segment index: equal c_custkey is the same index, so Q10's other customer keys are
 * determined without comparing them, and nothing is gathered twice.
 */
function concatSources(batches: readonly Batch[], i: number, total: number, shared: Map<Uint32Array, { parts: readonly Uint32Array[]; rows: Uint32Array }[]>): { readonly vec: Vec; readonly rows: Uint32Array } | null {
  let vec: Vec | null = null;
  const parts: Uint32Array[] = [];
  for (const b of batches) {
    const source = b.source(i);
    if (source === null || (vec !== null && source.vec !== vec)) return null;
    vec = source.vec;
    parts.push(source.rows.length === b.length ? source.rows : source.rows.subarray(0, b.length));
  }
  const first = parts[0];
  if (vec === null || first === undefined) return null;
  // Columns whose batches share row arrays (one side's columns) share the concatenation, so the joins and
  // group keys above compose it once.
  const candidates = shared.get(first) ?? [];
  for (const c of candidates) if (c.parts.length === parts.length && c.parts.every((r, k) => r === parts[k])) return { vec, rows: c.rows };
  const rows = new Uint32Array(total);
  let at = 0;
  for (const r of parts) { rows.set(r, at); at += r.length; }
  candidates.push({ parts, rows });
  shared.set(first, candidates);
  return { vec, rows };
}

export function batchContext(batch: Batch, constants: SegmentContext['constants'], env: ExecEnv): SegmentContext {
  return { length: batch.length, column: (i) => batch.column(i), source: (i) => batch.source(i), point: (i, row) => batch.point(i, row), constants, env, cache: new Map() };
}

/** The rows `rows` of `vec`, in that order. */
export function gather(vec: Vec, rows: Uint32Array | Int32Array): Vec {
  const n = rows.length;
  switch (vec.t) {
    case 'num': {
      const v = new Float64Array(n);
      gatherNumbers(vec.v, rows, v);
      return { t: 'num', v, nulls: gatherBytes(vec.nulls, rows), scale: vec.scale, rowScales: gatherBytes(vec.rowScales, rows) };
    }
    case 'bool': return { t: 'bool', v: gatherBytes(vec.v, rows) ?? new Uint8Array(0) };
    case 'dict': {
      const codes = new Uint32Array(n);
      for (let k = 0; k < n; k++) codes[k] = vec.codes[rows[k] ?? 0] ?? 0;
      return { t: 'dict', codes, dict: vec.dict, nulls: gatherBytes(vec.nulls, rows) };
    }
    case 'str': {
      const v = new Array<string | null>(n);
      for (let k = 0; k < n; k++) v[k] = vec.v[rows[k] ?? 0] ?? null;
      return { t: 'str', v };
    }
  }
}

/*
 * out[k] = src[rows[k]], one loop per array-type pair: a single loop over the
 * NumArray and row-array unions was megamorphic (gather led Q5's profile).
 */
function gatherF64ByU32(src: Float64Array, rows: Uint32Array, out: Float64Array): void {
  for (let k = 0; k < out.length; k++) out[k] = src[rows[k] as number] as number;
}
function gatherI32ByU32(src: Int32Array, rows: Uint32Array, out: Float64Array): void {
  for (let k = 0; k < out.length; k++) out[k] = src[rows[k] as number] as number;
}
function gatherF64ByI32(src: Float64Array, rows: Int32Array, out: Float64Array): void {
  for (let k = 0; k < out.length; k++) out[k] = src[rows[k] as number] as number;
}
function gatherI32ByI32(src: Int32Array, rows: Int32Array, out: Float64Array): void {
  for (let k = 0; k < out.length; k++) out[k] = src[rows[k] as number] as number;
}

function gatherNumbers(src: NumArray, rows: Uint32Array | Int32Array, out: Float64Array): void {
  if (rows instanceof Uint32Array) {
    if (src instanceof Float64Array) return gatherF64ByU32(src, rows, out);
    if (src instanceof Int32Array) return gatherI32ByU32(src, rows, out);
  } else {
    if (src instanceof Float64Array) return gatherF64ByI32(src, rows, out);
    if (src instanceof Int32Array) return gatherI32ByI32(src, rows, out);
  }
  for (let k = 0; k < out.length; k++) out[k] = src[rows[k] ?? 0] ?? 0;
}

function gatherBytes(bytes: Uint8Array | null, rows: Uint32Array | Int32Array): Uint8Array | null {
  if (bytes === null) return null;
  const out = new Uint8Array(rows.length);
  for (let k = 0; k < rows.length; k++) out[k] = bytes[rows[k] ?? 0] ?? 0;
  return out;
}

/** One vector of the rows of several (the build side's batches, one per segment), dictionaries merged. */
export function concat(vecs: readonly Vec[], lengths: readonly number[]): Vec {
  const total = lengths.reduce((a, b) => a + b, 0);
  const first = vecs[0];
  if (vecs.length === 1 && first !== undefined) return first;
  if (first === undefined) return { t: 'num', v: new Float64Array(0), nulls: null, scale: -1, rowScales: null };
  if (vecs.every((v) => v.t === 'num')) {
    const nums = vecs as readonly (Vec & { t: 'num' })[];
    const scale = first.t === 'num' ? first.scale : -1;
    if (nums.some((v) => v.scale !== scale)) throw new VectorFallback('join input segments at different numeric scales');
    const v = new Float64Array(total);
    const anyNulls = nums.some((x) => x.nulls !== null);
    const anyScales = nums.some((x) => x.rowScales !== null);
    const nulls = anyNulls ? new Uint8Array(total) : null;
    const rowScales = anyScales ? new Uint8Array(total).fill(Math.max(scale, 0)) : null;
    let at = 0;
    nums.forEach((x, b) => {
      const len = lengths[b] ?? 0;
      v.set((x.v as NumArray).subarray(0, len), at);
      if (nulls !== null && x.nulls !== null) nulls.set(x.nulls.subarray(0, len), at);
      if (rowScales !== null && x.rowScales !== null) rowScales.set(x.rowScales.subarray(0, len), at);
      at += len;
    });
    return { t: 'num', v, nulls, scale, rowScales };
  }
  if (vecs.every((v) => v.t === 'bool')) {
    const v = new Uint8Array(total);
    let at = 0;
    vecs.forEach((x, b) => { if (x.t === 'bool') v.set(x.v.subarray(0, lengths[b] ?? 0), at); at += lengths[b] ?? 0; });
    return { t: 'bool', v };
  }
  if (vecs.every((v) => v.t === 'dict')) {
    const dict: string[] = [];
    const codeOf = new Map<string, number>();
    const codes = new Uint32Array(total);
    const anyNulls = vecs.some((x) => x.t === 'dict' && x.nulls !== null);
    const nulls = anyNulls ? new Uint8Array(total) : null;
    let at = 0;
    vecs.forEach((x, b) => {
      if (x.t !== 'dict') return;
      const remap = x.dict.map((s) => {
        let c = codeOf.get(s);
        if (c === undefined) { c = dict.push(s) - 1; codeOf.set(s, c); }
        return c;
      });
      const len = lengths[b] ?? 0;
      for (let i = 0; i < len; i++) codes[at + i] = remap[x.codes[i] ?? 0] ?? 0;
      if (nulls !== null && x.nulls !== null) nulls.set(x.nulls.subarray(0, len), at);
      at += len;
    });
    return { t: 'dict', codes, dict, nulls };
  }
  if (vecs.every((v) => v.t === 'dict' || v.t === 'str')) {
    const out: (string | null)[] = [];
    vecs.forEach((x, b) => {
      const len = lengths[b] ?? 0;
      for (let i = 0; i < len; i++) out.push(keyAt(x, i) as string | null);
    });
    return { t: 'str', v: out };
  }
  throw new VectorFallback('join input segments with different vector kinds');
}

/** A key value of row i (NULL: null); numbers for int/date keys, strings for text. */
function keyAt(vec: Vec, i: number): number | string | null {
  switch (vec.t) {
    case 'num': return vec.nulls !== null && vec.nulls[i] === 1 ? null : (vec.v[i] ?? 0);
    case 'bool': return vec.v[i] === 2 ? null : (vec.v[i] ?? 0);
    case 'dict': return vec.nulls !== null && vec.nulls[i] === 1 ? null : (vec.dict[vec.codes[i] ?? 0] ?? null);
    case 'str': return vec.v[i] ?? null;
  }
}

/** Join keys of each row of a batch: one number/string per row (several keys joined into one string); null when any key is NULL. */
export function keysOf(keys: readonly VNode[], ctx: SegmentContext): (number | string | null)[] {
  const vecs = keys.map((k) => k.evaluate(ctx));
  const n = ctx.length;
  const out = new Array<number | string | null>(n);
  const only = vecs.length === 1 ? vecs[0] : undefined;
  if (only !== undefined) {
    if (only.t === 'num' && only.scale !== -1) throw new VectorFallback('a numeric join key');
    for (let i = 0; i < n; i++) out[i] = keyAt(only, i);
    return out;
  }
  for (let i = 0; i < n; i++) {
    let text = '';
    let isNull = false;
    for (const v of vecs) {
      const x = keyAt(v, i);
      if (x === null) { isNull = true; break; }
      text += `${String(x)}\u0000`;
    }
    out[i] = isNull ? null : text;
  }
  return out;
}

export interface JoinInput {
  readonly batches: readonly Batch[];
  readonly keys: readonly VNode[];
}

/** Rows a join's key sets (pushed into one input) removed there, wherever they were applied (scans, joins). */
export interface KeySetTally {
  /** The input the sets narrowed (made from the other input's keys). */
  readonly into: 'left' | 'right';
  keys: number;
  dropped: number;
}

/**
 * EXPLAIN ANALYZE's numbers for one join: build and probe rows, matched rows,
 * the key sets it pushed down, and the ms hashJoin spent yielding to other
 * work (not the join's own time).
 */
export interface JoinStats { buildRows: number; probeRows: number; outputRows: number; buildSide: 'left' | 'right' | ''; keySets: KeySetTally | null; waitMs: number }

/** Two integer keys pack into one exact number when each is in [0, 2^packBits). */
const packBits = 26;
const packRadix = 2 ** packBits;

/**
 * Join keys as one exact number per row, when every key is an int or date
 * (one key: itself; two: packed). NaN for a NULL key or a pair outside the
 * packable range; `unpackable` counts the latter. A probe row with NaN
 * matches nothing, which is right for a pair outside the range only when
 * every build key was packable (the caller checks `unpackable` there).
 * null: not numeric keys (text, three or more keys); use `keysOf`.
 */
export function packedKeys(keys: readonly VNode[], ctx: SegmentContext): { keys: Float64Array; unpackable: number } | null {
  if (keys.length === 0 || keys.length > 2 || keys.some((k) => !isIntegerKey(k.type))) return null;
  const vecs = keys.map((k) => k.evaluate(ctx));
  const n = ctx.length;
  const out = new Float64Array(n);
  const [a, b] = vecs;
  if (a === undefined || a.t !== 'num' || (b !== undefined && b.t !== 'num')) throw new VectorFallback('an integer join key that is not a number vector');
  const av = a.v;
  const an = a.nulls;
  if (b === undefined) {
    for (let i = 0; i < n; i++) out[i] = an !== null && an[i] === 1 ? NaN : (av[i] as number);
    return { keys: out, unpackable: 0 };
  }
  const bv = b.v;
  const bn = b.nulls;
  let unpackable = 0;
  for (let i = 0; i < n; i++) {
    if ((an !== null && an[i] === 1) || (bn !== null && bn[i] === 1)) { out[i] = NaN; continue; }
    const x = av[i] as number;
    const y = bv[i] as number;
    if (x >= 0 && x < packRadix && y >= 0 && y < packRadix) out[i] = x * packRadix + y;
    else { out[i] = NaN; unpackable++; }
  }
  return { keys: out, unpackable };
}

export function isIntegerKey(type: SqlType): boolean {
  return type.kind === 'int2' || type.kind === 'int4' || type.kind === 'int8' || type.kind === 'date';
}

/**
 * Integer key -> first build row, open addressing (linear probing) over a
 * Float64Array of keys and an Int32Array of heads: no Map entry or boxed
 * number per build row. Further rows with the key chain through `next`.
 */
class NumberKeyTable {
  private readonly mask: number;
  private readonly slotKeys: Float64Array;
  private readonly heads: Int32Array;

  constructor(rows: number) {
    let capacity = 16;
    while (capacity < rows * 2) capacity *= 2;
    this.mask = capacity - 1;
    this.slotKeys = new Float64Array(capacity);
    this.heads = new Int32Array(capacity).fill(-1);
  }

  private slotOf(key: number): number {
    const lo = key | 0;
    const hi = (key / 4294967296) | 0;
    let h = Math.imul(lo, 0x9e3779b1) ^ Math.imul(hi, 0x85ebca6b);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 13;
    let slot = h & this.mask;
    while (this.heads[slot] !== -1 && this.slotKeys[slot] !== key) slot = (slot + 1) & this.mask;
    return slot;
  }

  /** Adds build row `row` with `key`; the previous head becomes its successor in `next`. */
  insert(key: number, row: number, next: Int32Array): void {
    const slot = this.slotOf(key);
    const head = this.heads[slot] as number;
    if (head !== -1) next[row] = head;
    this.slotKeys[slot] = key;
    this.heads[slot] = row;
  }

  /** The last build row inserted with `key`, or -1. */
  find(key: number): number {
    return this.heads[this.slotOf(key)] as number;
  }
}

/** Matched (probe row, build row) pairs of one probe batch, as row numbers. */
class MatchList {
  probeRows: Int32Array;
  buildRows: Int32Array;
  length = 0;

  constructor(capacity: number) {
    this.probeRows = new Int32Array(Math.max(16, capacity));
    this.buildRows = new Int32Array(Math.max(16, capacity));
  }

  push(probeRow: number, buildRow: number): void {
    if (this.length === this.probeRows.length) {
      const grownP = new Int32Array(this.length * 2); grownP.set(this.probeRows); this.probeRows = grownP;
      const grownB = new Int32Array(this.length * 2); grownB.set(this.buildRows); this.buildRows = grownB;
    }
    this.probeRows[this.length] = probeRow;
    this.buildRows[this.length] = buildRow;
    this.length++;
  }
}

/** The build side's keys: an integer table when every key packs, else a Map of numbers/strings. */
interface BuildTable {
  /** Pushes the matches of one probe batch. */
  probe(ctx: SegmentContext, matches: MatchList, next: Int32Array): void;
}

/**
 * A key range at most this many times the build rows (and below 2^24) gets a
 * direct-address table: `heads[key - min]`, no hashing, and a probe key
 * outside [min, max] is rejected by one comparison. Q3/Q5/Q10 build on
 * filtered orders (keys in [1, 4 × orders]) and probe all of lineitem, most
 * of whose keys match nothing: the hash and linear probe per miss was the
 * largest cost of the probe.
 */
const directRangePerRow = 64;
const directRangeMax = 2 ** 24;

/** One integer key of a batch as its number vector and NULL bytes, without copying; null when not a single integer key. */
function singleIntKey(keys: readonly VNode[], ctx: SegmentContext): { v: NumArray; nulls: Uint8Array | null } | null {
  const [only] = keys;
  if (keys.length !== 1 || only === undefined || !isIntegerKey(only.type)) return null;
  const vec = only.evaluate(ctx);
  if (vec.t !== 'num') throw new VectorFallback('an integer join key that is not a number vector');
  return { v: vec.v, nulls: vec.nulls };
}

function directTable(build: JoinInput, probeKeys: readonly VNode[], total: number, next: Int32Array, context: (b: Batch) => SegmentContext): BuildTable | null {
  const cols = build.batches.map((b) => singleIntKey(build.keys, context(b)));
  let min = Infinity;
  let max = -Infinity;
  for (const [b, col] of cols.entries()) {
    if (col === null) return null;
    const len = build.batches[b]?.length ?? 0;
    const { v, nulls } = col;
    for (let i = 0; i < len; i++) {
      if (nulls !== null && nulls[i] === 1) continue;
      const k = v[i] as number;
      if (k < min) min = k;
      if (k > max) max = k;
    }
  }
  if (min > max) return { probe() { /* every build key is NULL: nothing matches */ } };
  const range = max - min + 1;
  if (range > directRangeMax || range > total * directRangePerRow) return null;
  const heads = new Int32Array(range).fill(-1);
  let base = 0;
  for (const [b, col] of cols.entries()) {
    const len = build.batches[b]?.length ?? 0;
    const { v, nulls } = col as { v: NumArray; nulls: Uint8Array | null };
    for (let i = 0; i < len; i++) {
      if (nulls !== null && nulls[i] === 1) continue;
      const slot = (v[i] as number) - min;
      const row = base + i;
      next[row] = heads[slot] as number;
      heads[slot] = row;
    }
    base += len;
  }
  return {
    probe(ctx, matches) {
      const col = singleIntKey(probeKeys, ctx);
      if (col === null) throw new VectorFallback('join keys of different kinds on the two sides');
      const { v, nulls } = col;
      const n = ctx.length;
      for (let i = 0; i < n; i++) {
        const slot = (v[i] as number) - min;
        // Keys are exact integers; out of [min, max] (and so any key of another range) cannot match.
        if (!(slot >= 0 && slot < range)) continue;
        if (nulls !== null && nulls[i] === 1) continue;
        for (let h = heads[slot] as number; h >= 0; h = next[h] as number) matches.push(i, h);
      }
    },
  };
}

function buildTable(build: JoinInput, probeKeys: readonly VNode[], total: number, next: Int32Array, context: (b: Batch) => SegmentContext): BuildTable {
  const direct = directTable(build, probeKeys, total, next, context);
  if (direct !== null) return direct;
  const packed = build.batches.map((b) => packedKeys(build.keys, context(b)));
  if (packed.every((p) => p !== null && p.unpackable === 0)) {
    const table = new NumberKeyTable(total);
    let base = 0;
    packed.forEach((p, b) => {
      const keys = (p as { keys: Float64Array }).keys;
      for (let i = 0; i < keys.length; i++) { const k = keys[i] as number; if (k === k) table.insert(k, base + i, next); }
      base += build.batches[b]?.length ?? 0;
    });
    return {
      probe(ctx, matches) {
        const p = packedKeys(probeKeys, ctx);
        if (p === null) throw new VectorFallback('join keys of different kinds on the two sides');
        const keys = p.keys;
        for (let i = 0; i < keys.length; i++) {
          const k = keys[i] as number;
          if (k !== k) continue; // NULL, or a pair no build key can equal
          for (let h = table.find(k); h >= 0; h = next[h] as number) matches.push(i, h);
        }
      },
    };
  }
  const head = new Map<number | string, number>();
  let base = 0;
  for (const b of build.batches) {
    const keys = keysOf(build.keys, context(b));
    for (let i = 0; i < b.length; i++) {
      const k = keys[i];
      if (k === null || k === undefined) continue;
      const g = base + i;
      const h = head.get(k);
      if (h !== undefined) next[g] = h;
      head.set(k, g);
    }
    base += b.length;
  }
  return {
    probe(ctx, matches) {
      const keys = keysOf(probeKeys, ctx);
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i];
        if (k === null || k === undefined) continue;
        for (let h = head.get(k) ?? -1; h >= 0; h = next[h] as number) matches.push(i, h);
      }
    },
  };
}

/**
 * Inner equi-join of two materialized inputs: a hash table over the smaller
 * input's keys (chains in an Int32Array), probed batch by batch by the
 * other; each output batch is (left columns, right columns) gathered lazily.
 */
export async function hashJoin(left: JoinInput, right: JoinInput, leftWidth: number, constants: SegmentContext['constants'], env: ExecEnv, stats: JoinStats): Promise<Batch[]> {
  const rows = (i: JoinInput): number => i.batches.reduce((a, b) => a + b.length, 0);
  const buildLeft = rows(left) < rows(right);
  const build = buildLeft ? left : right;
  const probe = buildLeft ? right : left;
  stats.buildSide = buildLeft ? 'left' : 'right';
  const lengths = build.batches.map((b) => b.length);
  const total = rows(build);
  stats.buildRows += total;
  if (total === 0) return [];
  // Sources per column, made once: columns of one side then share one row array (groupsOf composes it once).
  const buildSources = new Map<number, { readonly vec: Vec; readonly rows: Uint32Array } | null>();
  const sharedRows = new Map<Uint32Array, { parts: readonly Uint32Array[]; rows: Uint32Array }[]>();
  const buildSource = (i: number): { readonly vec: Vec; readonly rows: Uint32Array } | null => {
    if (!buildSources.has(i)) buildSources.set(i, concatSources(build.batches, i, total, sharedRows));
    return buildSources.get(i) ?? null;
  };
  // Row r of the build side: batch b holds rows [starts[b], starts[b + 1]).
  const starts = new Int32Array(lengths.length + 1);
  lengths.forEach((len, b) => { starts[b + 1] = (starts[b] as number) + len; });
  const buildPoint = (i: number, r: number): { readonly vec: Vec; readonly index: number } => {
    let lo = 0;
    let hi = lengths.length - 1;
    while (lo < hi) { const mid = (lo + hi + 1) >>> 1; if ((starts[mid] as number) <= r) lo = mid; else hi = mid - 1; }
    const b = build.batches[lo];
    if (b === undefined) throw new VectorFallback('a build row past the build side');
    return b.point(i, r - (starts[lo] as number));
  };
  const buildAll = lazyBatch(total, (i) => concat(build.batches.map((b) => b.column(i)), lengths), buildSource, buildPoint);
  const next = new Int32Array(total).fill(-1);
  const table = buildTable(build, probe.keys, total, next, (b) => batchContext(b, constants, env));
  const out: Batch[] = [];
  for (const p of probe.batches) {
    env.runtime.checkCancelled();
    stats.probeRows += p.length;
    const matches = new MatchList(p.length);
    table.probe(batchContext(p, constants, env), matches, next);
    const m = matches.length;
    const probeRows = matches.probeRows;
    const buildRows = matches.buildRows;
    if (m === 0) continue;
    stats.outputRows += m;
    const pr = probeRows.subarray(0, m);
    const br = buildRows.subarray(0, m);
    const leftIs = buildLeft ? { batch: buildAll, rows: br } : { batch: p, rows: pr };
    const rightIs = buildLeft ? { batch: p, rows: pr } : { batch: buildAll, rows: br };
    const leftSource = sideSources(leftIs.batch, leftIs.rows);
    const rightSource = sideSources(rightIs.batch, rightIs.rows);
    out.push(lazyBatch(
      m,
      (c) => (c < leftWidth ? gatherColumn(leftIs.batch, c, leftIs.rows) : gatherColumn(rightIs.batch, c - leftWidth, rightIs.rows)),
      (c) => (c < leftWidth ? leftSource(c) : rightSource(c - leftWidth)),
      (c, row) => (c < leftWidth ? leftIs.batch.point(c, leftIs.rows[row] as number) : rightIs.batch.point(c - leftWidth, rightIs.rows[row] as number)),
    ));
    const waited = performance.now();
    await yieldTurn();
    stats.waitMs += performance.now() - waited;
  }
  return out;
}

/**
 * The set of one input's integer join keys, to drop the other input's rows
 * whose key cannot match before their columns are gathered (a semi-join
 * pushed into the other input's scan). Q3/Q5/Q10 join a few thousand
 * filtered orders to all of lineitem: without it, the key column of every
 * selected lineitem row was gathered and probed, for ~5% of them to match.
 * Dropping rows whose key is in no build row never changes an inner join.
 */
export interface KeySet {
  /** Writes to `out` (may be `sel`) the rows of sel[0..count) whose key is in the set; returns their count. */
  narrow(key: Vec, sel: Uint32Array, count: number, out: Uint32Array): number;
  /**
   * The share of keys in the set's [min, max] that it holds (1: every one, as Q10's customer keys for
   * o_custkey). A dense set drops only keys outside its range or in its few gaps, so a scan tests it after its
   * filters rather than before them.
   */
  readonly density: number;
}

/** A bit per key in [min, max]; null unless one integer key whose range is small (see directRangeMax). */
export function keySetOf(batches: readonly Batch[], keys: readonly VNode[], context: (b: Batch) => SegmentContext): KeySet | null {
  let min = Infinity;
  let max = -Infinity;
  let rows = 0;
  const cols: { v: NumArray; nulls: Uint8Array | null; len: number }[] = [];
  for (const b of batches) {
    const col = singleIntKey(keys, context(b));
    if (col === null) return null;
    const { v, nulls } = col;
    for (let i = 0; i < b.length; i++) {
      if (nulls !== null && nulls[i] === 1) continue;
      const k = v[i] as number;
      if (k < min) min = k;
      if (k > max) max = k;
    }
    rows += b.length;
    cols.push({ v, nulls, len: b.length });
  }
  if (min > max) return { narrow: () => 0, density: 0 }; // every key NULL: nothing matches
  const range = max - min + 1;
  if (range > directRangeMax || range > rows * directRangePerRow * 4) return null;
  const bits = new Uint32Array(Math.ceil(range / 32));
  for (const { v, nulls, len } of cols) {
    for (let i = 0; i < len; i++) {
      if (nulls !== null && nulls[i] === 1) continue;
      const s = (v[i] as number) - min;
      bits[s >>> 5] = (bits[s >>> 5] as number) | (1 << (s & 31));
    }
  }
  let held = 0;
  for (const word of bits) held += popcount(word);
  return {
    density: held / range,
    narrow(key, sel, count, out) {
      if (key.t !== 'num' || key.scale !== -1) throw new VectorFallback('a semi-join key that is not an integer vector');
      const v = key.v;
      // Keys ascending along the selection (lineitem's l_orderkey: rows are loaded in key order): jump from set
      // key to set key instead of testing every row (Q5/Q10 tested all 1.2M lineitem rows at sf 0.2 for ~15%).
      if (count > 64 && keysAscending(v, sel, count)) {
        // Every row of a prefix selected (no deletes, no filter before): per set key its rows straight from the
        // key's run index (Q3/Q5/Q10: ~1.6k of the ~16k l_orderkey runs of a segment are in the set).
        const runs = sel[count - 1] === count - 1 ? runIndex(v, count) : null;
        const m = runs !== null ? narrowByRuns(runs, count, bits, min, range, out) : narrowAscending(v, sel, count, bits, min, range, out);
        return dropNulls(key.nulls, out, m);
      }
      // One loop per array type (int4 keys are Int32Arrays, int8/date Float64Arrays): a loop over the NumArray
      // union, or a bit test through a closure, was megamorphic (this was 12% of Q10 at sf 0.2).
      let m: number;
      if (v instanceof Int32Array) {
        // Every row selected (ascending and ending at count - 1: an unfiltered scan): no reads of the selection.
        m = count > 0 && sel[count - 1] === count - 1 ? narrowAllI32(v, count, bits, min, range, out) : narrowSelI32(v, sel, count, bits, min, range, out);
      } else if (v instanceof Float64Array) {
        m = narrowSelF64(v, sel, count, bits, min, range, out);
      } else {
        m = 0;
        for (let k = 0; k < count; k++) { const i = sel[k] as number; const s = (v[i] as number) - min; out[m] = i; m += s >= 0 && s < range ? ((bits[s >>> 5] as number) >>> (s & 31)) & 1 : 0; }
      }
      return dropNulls(key.nulls, out, m);
    },
  };
}

function popcount(word: number): number {
  let x = word - ((word >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}

/** Keeps the rows of out[0..m) whose key is not NULL; returns their count. */
function dropNulls(nulls: Uint8Array | null, out: Uint32Array, m: number): number {
  if (nulls === null) return m;
  let kept = 0;
  for (let k = 0; k < m; k++) { const i = out[k] as number; if (nulls[i] !== 1) out[kept++] = i; }
  return kept;
}

/**
 * Per key array, how far it is known to be non-decreasing: `checked` rows were looked at and `descent` is the
 * first row smaller than the one before it (-1: none within `checked`). Held weakly by the array; only rows a
 * selection reached are looked at, and a segment never changes those (sealed) or only appends (open).
 */
const ascendingPrefix = new WeakMap<NumArray, { checked: number; descent: number }>();

/** Whether v[sel[0]], ..., v[sel[count-1]] is non-decreasing (sel ascending: v non-decreasing up to sel[count-1]). */
export function keysAscending(v: NumArray, sel: Uint32Array, count: number): boolean {
  if (count === 0) return true;
  const end = (sel[count - 1] as number) + 1;
  let known = ascendingPrefix.get(v);
  if (known === undefined) { known = { checked: 0, descent: -1 }; ascendingPrefix.set(v, known); }
  if (known.descent !== -1) return known.descent >= end;
  if (known.checked >= end) return true;
  // Checks only rows up to `end` (selected, so written): an open segment's array may hold unwritten rows past them.
  let i = Math.max(known.checked, 1);
  for (; i < end; i++) if ((v[i] as number) < (v[i - 1] as number)) break;
  known.checked = i;
  if (i < end) known.descent = i;
  return known.descent === -1 || known.descent >= end;
}

/**
 * Where each key's run starts in an ascending integer key array's rows [0, end): `starts[x - first]` is the
 * first row whose key is at least x, for x in [first, last + 1]. Built once per array and length (held weakly,
 * as ascendingPrefix; an open segment's array grows, so a longer selection rebuilds it); only when the key span
 * is at most 4 × the rows + 64 (lineitem's l_orderkey: about one key per 1–4 rows).
 */
interface RunIndex {
  readonly v: NumArray;
  readonly end: number;
  readonly first: number;
  readonly starts: Int32Array;
}
const runIndexes = new WeakMap<NumArray, RunIndex | null>();

/** The run index of v's rows [0, end) (ascending: the caller checked), or null when its key span is too wide. */
function runIndex(v: NumArray, end: number): RunIndex | null {
  const known = runIndexes.get(v);
  if (known === null && runIndexes.has(v)) return null;
  if (known !== undefined && known !== null && known.end === end) return known;
  const first = v[0] as number;
  const span = (v[end - 1] as number) - first + 1;
  if (!(span <= 4 * end + 64)) { runIndexes.set(v, null); return null; }
  const starts = new Int32Array(span + 1);
  let j = 0;
  for (let i = 0; i < end; i++) {
    const s = (v[i] as number) - first;
    while (j <= s) starts[j++] = i;
  }
  while (j <= span) starts[j++] = end;
  const index: RunIndex = { v, end, first, starts };
  // Only the longest selection's index is kept (an open segment: the newest); equal ends reuse it.
  if (known === undefined || known === null || known.end < end) runIndexes.set(v, index);
  return index;
}

/** narrow over rows 0..count-1 of an ascending key array: the rows of each set key in the key span, from the run index. */
function narrowByRuns(runs: RunIndex, count: number, bits: Uint32Array, min: number, range: number, out: Uint32Array): number {
  const starts = runs.starts;
  const first = runs.first;
  // Set positions s (key min + s) within the keys of rows 0..count-1.
  const lo = Math.max(first - min, 0);
  const hi = Math.min((runs.v[count - 1] as number) - min, range - 1);
  let m = 0;
  for (let w = lo >>> 5; w <= hi >>> 5 && lo <= hi; w++) {
    let word = bits[w] as number;
    if (word === 0) continue;
    const base = w * 32;
    while (word !== 0) {
      const bit = 31 - Math.clz32(word & -word);
      word &= word - 1;
      const s = base + bit;
      if (s < lo) continue;
      if (s > hi) break;
      const j = s + min - first;
      const to = Math.min(starts[j + 1] as number, count);
      for (let i = starts[j] as number; i < to; i++) out[m++] = i;
    }
  }
  return m;
}

/**
 * narrow over keys ascending along sel: per run of equal keys one bit test, a run of zero words or clear bits
 * skipped by a galloping search to the next key that can be set. out may be sel (written at k' <= k).
 */
function narrowAscending(v: NumArray, sel: Uint32Array, count: number, bits: Uint32Array, min: number, range: number, out: Uint32Array): number {
  const words = bits.length;
  let m = 0;
  let k = 0;
  while (k < count) {
    const x = v[sel[k] as number] as number;
    const s = x - min;
    if (s < 0) { k = firstAtLeast(v, sel, k, count, min); continue; }
    if (s >= range) break;
    const w = s >>> 5;
    const word = (bits[w] as number) >>> (s & 31);
    if (word === 0) {
      let next = w + 1;
      while (next < words && bits[next] === 0) next++;
      if (next >= words) break;
      k = firstAtLeast(v, sel, k, count, min + next * 32);
      continue;
    }
    if ((word & 1) !== 0) {
      do { out[m++] = sel[k] as number; k++; } while (k < count && v[sel[k] as number] === x);
      continue;
    }
    // The next set bit of this word: keys below it are in no set.
    k = firstAtLeast(v, sel, k, count, x + (31 - Math.clz32(word & -word)));
  }
  return m;
}

/** The first k' in (from, count] with v[sel[k']] >= target (count: none), given v[sel[from]] < target; galloping. */
function firstAtLeast(v: NumArray, sel: Uint32Array, from: number, count: number, target: number): number {
  let lo = from;
  let step = 1;
  let hi = from + 1;
  while (hi < count && (v[sel[hi] as number] as number) < target) { lo = hi; step *= 2; hi = lo + step; }
  if (hi > count) hi = count;
  while (lo + 1 < hi) {
    const mid = (lo + hi) >>> 1;
    if ((v[sel[mid] as number] as number) < target) lo = mid; else hi = mid;
  }
  return hi;
}

/*
 * Rows whose key - min is a set bit of `bits` (keys outside [min, min + range) are in no set).
 * One copy per key array type on purpose: a single loop fed both Int32Array and Float64Array
 * keys makes its element loads polymorphic (dimjoin.ts keyRange measured ~4× slower).
 */
function narrowAllI32(v: Int32Array, count: number, bits: Uint32Array, min: number, range: number, out: Uint32Array): number {
  let m = 0;
  for (let i = 0; i < count; i++) {
    const s = (v[i] as number) - min;
    out[m] = i; m += s >= 0 && s < range ? ((bits[s >>> 5] as number) >>> (s & 31)) & 1 : 0;
  }
  return m;
}
function narrowSelI32(v: Int32Array, sel: Uint32Array, count: number, bits: Uint32Array, min: number, range: number, out: Uint32Array): number {
  let m = 0;
  for (let k = 0; k < count; k++) {
    const i = sel[k] as number;
    const s = (v[i] as number) - min;
    out[m] = i; m += s >= 0 && s < range ? ((bits[s >>> 5] as number) >>> (s & 31)) & 1 : 0;
  }
  return m;
}
function narrowSelF64(v: Float64Array, sel: Uint32Array, count: number, bits: Uint32Array, min: number, range: number, out: Uint32Array): number {
  let m = 0;
  for (let k = 0; k < count; k++) {
    const i = sel[k] as number;
    const s = (v[i] as number) - min;
    out[m] = i; m += s >= 0 && s < range ? ((bits[s >>> 5] as number) >>> (s & 31)) & 1 : 0;
  }
  return m;
}

