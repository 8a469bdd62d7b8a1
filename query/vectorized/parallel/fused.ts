// scan → filter → group-aggregate over one table as a fused kernel
// (kernel.ts), on this thread for small inputs or spread over the worker
// pool (pool.ts) by segment. Plans outside the kernel's shapes (see
// fusedPlan), and segments with NULLs in a column read or a key that is not
// a dictionary, go to the operator-at-a-time path (run.ts) unchanged.
//
// Visibility is the serial path's: the caller scans at the read index on
// this thread (segment list, visible counts and delete selections fixed at
// that moment), and workers only see copies of exactly those rows.

import type { ScanBatch } from '../../../materializers/columnstore/index.js';
import type { TableInfo } from '../../contract.js';
import type { SqlType } from '../../types/sql-type.js';
import type { SqlValue } from '../../types/value.js';
import { constantAt, constantScale, dayBound, intRange, isTextType, pow10s, type VNode } from '../expr.js';
import type { AggregateSpec } from '../leaf.js';
import { VectorFallback, vecOfColumn, type Vec } from '../vec.js';
import { kernelSource, localGroups, type FExpr, type FFilter, type Fragment, type KernelInput, type KernelOutput } from './kernel.js';
import { parallelDegree, runSpread } from './pool.js';

/** What each aggregate reads from the kernel's output: the group's row count, or a sum slot (its total and non-NULL count). */
type AggSource = { readonly k: 'count' } | { readonly k: 'sum'; readonly slot: number };

export interface FusedPlan {
  readonly fragment: Fragment;
  /** Kernel sources by which slots hold NULLs in a segment ('0110'...). */
  readonly sources: Map<string, string>;
  /** Per slot: the column's SQL type and the scale its vector must have (-1 not numeric). */
  readonly slotScales: readonly number[];
  readonly keyPositions: readonly number[];
  readonly aggregates: readonly AggSource[];
  /** Per sum slot: the scale of its values (-1 not numeric). */
  readonly sumScales: readonly number[];
}

export interface FusedResult {
  readonly keys: SqlValue[][];
  readonly counts: number[];
  /** Per group, per sum slot: the exact total and the non-NULL addends. */
  readonly totals: bigint[][];
  readonly nonNull: number[][];
  readonly aggregates: readonly AggSource[];
  readonly sumScales: readonly number[];
  /** Per group, per sum slot: the largest scale among its addends when it differs by group (the join kernel's CASE branches); absent: sumScales. */
  readonly groupScales?: readonly (readonly number[])[];
  /** Threads the segments were spread over (1: this thread). */
  readonly degree: number;
}

const safe = Number.MAX_SAFE_INTEGER;

/**
 * How a kernel computes `a symbol b` of result type `type` from operands at
 * scales aScale/bScale (as arithmetic/arithmeticConstant in expr.ts: + and -
 * at the larger scale, * at the sum of scales): the factors each operand is
 * scaled by, the result's scale, and the range it must stay in to be exact.
 * Null when a factor is past the table of powers of ten.
 */
export function alignArith(type: SqlType, symbol: '+' | '-' | '*', aScale: number, bScale: number): { scale: number; fa: number; fb: number; lo: number; hi: number } | null {
  let scale = -1;
  let fa = 1;
  let fb = 1;
  if (type.kind === 'numeric') {
    const sa = Math.max(aScale, 0);
    const sb = Math.max(bScale, 0);
    scale = symbol === '*' ? sa + sb : Math.max(sa, sb);
    if (symbol !== '*') { fa = pow10s[scale - sa] ?? NaN; fb = pow10s[scale - sb] ?? NaN; }
    if (!Number.isFinite(fa) || !Number.isFinite(fb)) return null;
  }
  const [lo, hi] = intRange[type.kind] ?? (type.kind === 'numeric' ? [-safe, safe] : [-Number.MAX_VALUE, Number.MAX_VALUE]);
  return { scale, fa, fb, lo, hi };
}

/** Inputs below this many visible rows run on this thread: posting to workers costs more than it saves. */
let parallelRowsMin = 100_000;

let fusedEnabled = true;

/** For tests and measurements: the smallest input spread over workers (Infinity: never), and whether the kernel is used at all. */
export function setFusedOptions(options: { readonly parallelRowsMin?: number; readonly enabled?: boolean }): void {
  if (options.parallelRowsMin !== undefined) parallelRowsMin = options.parallelRowsMin;
  if (options.enabled !== undefined) fusedEnabled = options.enabled;
}

/** The options set by setFusedOptions (the join kernel, dimjoin.ts, follows them too). */
export function fusedSettings(): { readonly enabled: boolean; readonly parallelRowsMin: number } {
  return { enabled: fusedEnabled, parallelRowsMin };
}

type Compiled = { readonly e: FExpr; readonly scale: number };

function isExactNumber(type: SqlType): boolean {
  return type.kind === 'int2' || type.kind === 'int4' || type.kind === 'int8' || type.kind === 'date' || (type.kind === 'numeric' && type.scale !== null);
}

/** The fused plan of an aggregate over one table's scan, or null when some part has no kernel form. */
export function fusedPlan(table: TableInfo, filters: readonly VNode[], groupBy: readonly VNode[], aggregates: readonly AggregateSpec[], constants: readonly SqlValue[]): FusedPlan | null {
  if (!fusedEnabled) return null;
  const columns: number[] = [];
  const slotScales: number[] = [];
  const slotOf = (position: number, scale: number): number => {
    let s = columns.indexOf(position);
    if (s < 0) { s = columns.length; columns.push(position); slotScales.push(scale); }
    return s;
  };
  const expr = (node: VNode): Compiled | null => {
    const type = node.type;
    if (node.constantId !== null) {
      const value = constants[node.constantId] ?? null;
      if (!isExactNumber(type) && type.kind !== 'numeric') return null;
      const scale = type.kind === 'numeric' ? constantScale(value) : -1;
      const c = constantAt(value, scale);
      if (c === null || c === undefined || !(Math.abs(c) <= safe)) return null;
      return { e: { k: 'num', value: c }, scale };
    }
    if (node.columnPosition !== undefined) {
      const column = table.columns[node.columnPosition];
      if (column === undefined || !isExactNumber(column.type)) return null;
      const scale = column.type.kind === 'numeric' ? (column.type.scale ?? 0) : -1;
      return { e: { k: 'col', slot: slotOf(node.columnPosition, scale) }, scale };
    }
    const shape = node.shape;
    if (shape === undefined) return null;
    if (shape.k === 'same') return isExactNumber(type) || type.kind === 'numeric' ? expr(shape.a) : null;
    if (shape.k !== 'arith' || (!isExactNumber(type) && type.kind !== 'numeric')) return null;
    const a = expr(shape.a);
    const b = expr(shape.b);
    if (a === null || b === null) return null;
    const aligned = alignArith(type, shape.symbol, a.scale, b.scale);
    if (aligned === null) return null;
    const { scale, fa, fb, lo, hi } = aligned;
    if (b.e.k === 'num' && !(Math.abs(b.e.value * fb) <= safe)) return null;
    if (a.e.k === 'num' && !(Math.abs(a.e.value * fa) <= safe)) return null;
    return { e: { k: 'arith', symbol: shape.symbol, a: a.e, fa, b: b.e, fb, lo, hi }, scale };
  };
  const conjuncts: FFilter[] = [];
  const filter = (node: VNode): boolean => {
    const shape = node.shape;
    if (shape === undefined) return false;
    if (shape.k === 'and') return shape.args.every(filter);
    if (shape.k !== 'compare' && shape.k !== 'compareDays') return false;
    const symbol = shape.symbol;
    if (symbol !== '=' && symbol !== '<>' && symbol !== '<' && symbol !== '<=' && symbol !== '>' && symbol !== '>=') return false;
    const a = expr(shape.a);
    if (a === null) return false;
    const value = constants[shape.constantId] ?? null;
    if (shape.k === 'compareDays') {
      // As dateVersusTimestamp: the timestamp constant as a bound in days.
      if (typeof value !== 'bigint') { conjuncts.push({ k: 'never' }); return true; }
      const [op, day] = dayBound(symbol, value);
      if (op !== '=' && op !== '<>' && op !== '<' && op !== '<=' && op !== '>' && op !== '>=') return false;
      conjuncts.push({ k: 'cmp', symbol: op, a: a.e, f: 1, c: day });
      return true;
    }
    // As selectConstant.
    const scale = Math.max(a.scale, constantScale(value));
    let c: number | null | undefined;
    try { c = constantAt(value, scale); } catch { return false; }
    if (c === null || c === undefined) { conjuncts.push({ k: 'never' }); return true; }
    const f = a.scale >= 0 && scale > a.scale ? (pow10s[scale - a.scale] ?? NaN) : 1;
    if (!Number.isFinite(f)) return false;
    conjuncts.push({ k: 'cmp', symbol, a: a.e, f, c });
    return true;
  };
  if (!filters.every(filter)) return null;
  const keyPositions: number[] = [];
  for (const key of groupBy) {
    if (key.columnPosition === undefined || !isTextType(key.type)) return null;
    keyPositions.push(key.columnPosition);
  }
  const sums: FExpr[] = [];
  const sumScales: number[] = [];
  const sources: AggSource[] = [];
  for (const spec of aggregates) {
    if (spec.filter !== null) return null;
    if (spec.fn === 'countStar') { sources.push({ k: 'count' }); continue; }
    if (spec.arg === null) return null;
    const arg = expr(spec.arg);
    if (arg === null) return null;
    // count(x): the non-NULL count of x, kept with x's sum slot.
    if (spec.fn !== 'sum' && spec.fn !== 'avg' && spec.fn !== 'count') return null;
    const key = JSON.stringify(arg.e);
    let slot = sums.findIndex((e) => JSON.stringify(e) === key);
    if (slot < 0) { slot = sums.length; sums.push(arg.e); sumScales.push(arg.scale); }
    sources.push({ k: 'sum', slot });
  }
  const fragment: Fragment = { columns, filters: conjuncts, keyCount: keyPositions.length, sums };
  return { fragment, sources: new Map(), slotScales, keyPositions, aggregates: sources, sumScales };
}

/** A copy of the first `length` values in a SharedArrayBuffer, cached by the source's buffer and offset (sealed arrays never change; open ones only append). */
const sharedCopies = new WeakMap<ArrayBufferLike, Map<number, Shareable>>();

export type Shareable = Float64Array | Int32Array | Int16Array | Uint32Array | Float32Array | Uint8Array;

export function shared<T extends Shareable>(source: T, length: number): T {
  if (source.buffer instanceof SharedArrayBuffer) return source.subarray(0, length) as T;
  const byOffset = sharedCopies.get(source.buffer);
  const cached = byOffset?.get(source.byteOffset);
  if (cached !== undefined && cached.length >= length && cached.constructor === source.constructor) return cached.subarray(0, length) as T;
  const Ctor = source.constructor as new (buffer: SharedArrayBuffer) => T;
  const copy = new Ctor(new SharedArrayBuffer(length * source.BYTES_PER_ELEMENT));
  copy.set(source.subarray(0, length));
  let map = byOffset;
  if (map === undefined) { map = new Map(); sharedCopies.set(source.buffer, map); }
  map.set(source.byteOffset, copy);
  return copy;
}

interface Prepared {
  readonly input: KernelInput;
  readonly dicts: readonly (readonly string[])[];
}

/** A segment's kernel input, or null when a key has a NULL or is not a dictionary. */
function prepare(plan: FusedPlan, table: TableInfo, batch: ScanBatch, share: boolean): Prepared | null {
  const length = batch.rowCount;
  const vecOf = (position: number): Vec => {
    const vector = batch.columns[position];
    const column = table.columns[position];
    if (vector === undefined || column === undefined) throw new VectorFallback(`column ${position} missing from the scan`);
    return vecOfColumn(vector, length, column.type);
  };
  const cols: Shareable[] = [];
  const nulls: (Uint8Array | null)[] = [];
  for (let s = 0; s < plan.fragment.columns.length; s++) {
    const vec = vecOf(plan.fragment.columns[s] ?? 0);
    if (vec.t !== 'num' || vec.rowScales !== null || vec.scale !== plan.slotScales[s]) return null;
    cols.push(share ? shared(vec.v, length) : vec.v);
    nulls.push(vec.nulls === null ? null : share ? shared(vec.nulls, length) : vec.nulls);
  }
  const keys: Shareable[] = [];
  const keyNulls: (Uint8Array | null)[] = [];
  const keySizes: number[] = [];
  const dicts: (readonly string[])[] = [];
  for (const position of plan.keyPositions) {
    const vec = vecOf(position);
    if (vec.t !== 'dict') return null;
    keys.push(share ? shared(vec.codes, length) : vec.codes);
    keyNulls.push(vec.nulls === null ? null : share ? shared(vec.nulls, length) : vec.nulls);
    // NULL is one more key value: local id dict.length.
    keySizes.push(vec.dict.length + (vec.nulls === null ? 0 : 1));
    dicts.push(vec.dict);
  }
  if (localGroups(keySizes) > 1 << 16) return null;
  const mask = [...nulls, ...keyNulls].map((n) => (n === null ? '0' : '1')).join('');
  let source = plan.sources.get(mask);
  if (source === undefined) {
    source = kernelSource(plan.fragment, nulls.map((n) => n !== null), keyNulls.map((n) => n !== null));
    plan.sources.set(mask, source);
  }
  const sel = batch.selection;
  return { input: { source, cols, nulls, sel: sel === null ? null : sel.slice(), count: sel === null ? length : sel.length, keys, keyNulls, keySizes }, dicts };
}

/** A segment's group keys: per key, its local ids (dictionary codes, then NULL as the dictionary's length) and its dictionary. */
export interface SegmentGroups { readonly keySizes: readonly number[]; readonly dicts: readonly (readonly string[])[] }

/**
 * Kernel outputs merged in scan order into groups by key value; within a
 * segment, groups in the order of their first row (the serial path's
 * order). Totals are exact (BigInt); throws VectorFallback where a segment
 * left the exact range.
 */
export function mergeGroups(outputs: readonly KernelOutput[], segments: readonly SegmentGroups[], sumCount: number): { keys: SqlValue[][]; counts: number[]; totals: bigint[][]; nonNull: number[][] } {
  const keys: SqlValue[][] = [];
  const counts: number[] = [];
  const totals: bigint[][] = [];
  const nonNull: number[][] = [];
  const index = new Map<string, number>();
  outputs.forEach((out, s) => {
    if (out.bad) throw new VectorFallback('a fused kernel value out of its exact range');
    for (let a = 0; a < sumCount; a++) if (!((out.abs[a] ?? 0) <= safe)) throw new VectorFallback('a segment partial sum outside ±2^53');
    const segment = segments[s] as SegmentGroups;
    const live: number[] = [];
    for (let l = 0; l < out.counts.length; l++) if ((out.counts[l] ?? 0) > 0) live.push(l);
    live.sort((x, y) => (out.first[x] ?? 0) - (out.first[y] ?? 0));
    for (const l of live) {
      const values: (string | null)[] = [];
      let rest = l;
      segment.keySizes.forEach((size, k) => {
        const code = rest % Math.max(size, 1);
        rest = Math.floor(rest / Math.max(size, 1));
        const dict = segment.dicts[k] ?? [];
        values.push(code === dict.length ? null : (dict[code] ?? ''));
      });
      // NULL as a character no text holds (PostgreSQL text cannot contain U+0000).
      const text = values.map((v) => (v === null ? '\u0000N' : `\u0000t${v}`)).join('');
      let g = index.get(text);
      if (g === undefined) {
        g = keys.length;
        index.set(text, g);
        keys.push(values);
        counts.push(0);
        totals.push(new Array<bigint>(sumCount).fill(0n));
        nonNull.push(new Array<number>(sumCount).fill(0));
      }
      counts[g] = (counts[g] ?? 0) + (out.counts[l] ?? 0);
      const t = totals[g] as bigint[];
      const nn = nonNull[g] as number[];
      for (let a = 0; a < sumCount; a++) {
        nn[a] = (nn[a] ?? 0) + (out.nonNull[l * sumCount + a] ?? 0);
        const x = out.sums[l * sumCount + a] ?? 0;
        if (x !== 0) t[a] = (t[a] ?? 0n) + BigInt(x);
      }
    }
  });
  return { keys, counts, totals, nonNull };
}

/**
 * Runs the plan over the scanned segments; null when a segment cannot take
 * the kernel (the caller runs the serial path). Throws VectorFallback where
 * the serial path would (a value past its exact range).
 */
export async function runFused(plan: FusedPlan, table: TableInfo, batches: readonly ScanBatch[]): Promise<FusedResult | null> {
  const visibleRows = batches.reduce((n, b) => n + (b.selection?.length ?? b.rowCount), 0);
  const degree = Math.min(parallelDegree(), batches.length);
  const parallel = degree > 1 && visibleRows >= parallelRowsMin;
  const prepared: Prepared[] = [];
  for (const batch of batches) {
    const p = prepare(plan, table, batch, parallel);
    if (p === null) return null;
    prepared.push(p);
  }
  const sumCount = plan.fragment.sums.length;
  const { outputs, used } = await runSpread(sumCount, prepared.map((p) => p.input), parallel, degree);
  const { keys, counts, totals, nonNull } = mergeGroups(outputs, prepared.map((p) => ({ keySizes: p.input.keySizes, dicts: p.dicts })), sumCount);
  return { keys, counts, totals, nonNull, aggregates: plan.aggregates, sumScales: plan.sumScales, degree: used };
}
