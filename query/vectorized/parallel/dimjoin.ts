// A fact table joined to a small dimension on one integer key, under a
// global aggregate (TPC-H Q14, Q19), as ONE fused loop over the fact
// table's segments (kernel.ts's calling convention, so the worker pool runs
// it too). The dimension side runs first on this thread, through the
// operator path (its scan's filters), and becomes typed arrays indexed by
// `key - min` (the keys are dense ints: part's p_partkey): 1 where a row
// with that key passed, and per predicate that reads only dimension columns
// (p_type LIKE 'PROMO%', p_brand = ... AND p_size BETWEEN ...) 1 where it is
// true. The fact loop then filters, looks its key up, evaluates the rest of
// the join's filters (ORs and ANDs mixing both sides; text predicates over
// the fact's dictionary columns as a per-entry table) and adds each sum; a
// CASE inside sum becomes one guarded sum per branch, merged exactly.
//
// Decided before any fact row is read: the plan's shape (dimjoinPlan), and,
// after the dimension pass, its key range (at most 2^24 and 64 per row) and
// unique keys (else the operator path runs: a key seen twice joins twice).

import type { ScanBatch } from '../../../materializers/columnstore/index.js';
import type { ExecEnv } from '../../executor/index.js';
import type { TableInfo } from '../../contract.js';
import type { SqlType } from '../../types/sql-type.js';
import type { SqlValue } from '../../types/value.js';
import { asBool, constantAt, constantScale, dayBound, pow10s, type SegmentContext, type VNode } from '../expr.js';
import type { AggregateSpec, VectorLeaf } from '../leaf.js';
import { VectorFallback, vecOfColumn, type Vec } from '../vec.js';
import { alignArith, fusedSettings, shared, type FusedResult, type Shareable } from './fused.js';
import type { KernelInput } from './kernel.js';
import { parallelDegree, runSpread } from './pool.js';

const safe = Number.MAX_SAFE_INTEGER;

/** Where a join column comes from: a fact table column, or a dimension leaf output column. */
type Resolved = { readonly side: 'fact'; readonly position: number } | { readonly side: 'dim'; readonly position: number };

/** A fact slot: a numeric column (with the scale its vector must have) or a dictionary column's codes. */
interface Slot { readonly position: number; readonly kind: 'num' | 'codes'; readonly scale: number }

interface Compiled { readonly code: string; readonly scale: number; readonly slots: readonly number[] }

/** A guarded sum: `code` added when `guard` holds and none of `slots` is NULL. */
interface SumSlot { readonly guard: string; readonly code: string; readonly scale: number; readonly slots: readonly number[] }

type AggPlan = { readonly k: 'count' } | { readonly k: 'sum'; readonly slots: readonly number[] };

export interface DimJoinPlan {
  readonly fact: VectorLeaf;
  readonly dim: VectorLeaf;
  readonly factKey: number;
  /** The dimension key: its position among the dimension leaf's output columns. */
  readonly dimKey: VNode;
  readonly slots: readonly Slot[];
  /** Dimension-only predicates (each a conjunction), evaluated per dimension row into flags by key: 1 where every part is TRUE. */
  readonly dimPredicates: readonly (readonly VNode[])[];
  /** Fact text predicates: per segment, a table by dictionary code (last entry: NULL). */
  readonly textPredicates: readonly { readonly slot: number; readonly node: VNode }[];
  /** The dimension unit's context seen through join positions (offset: the dimension's first join column) or its own output positions (offset 0). */
  readonly dimContext: (ctx: SegmentContext, offset: number) => SegmentContext;
  readonly dimOffset: number;
  /** The loop body up to the key lookup, and after it (filters over the join), with `MIN`/`RANGE` placeholders. */
  readonly before: readonly string[];
  readonly after: readonly string[];
  readonly sums: readonly SumSlot[];
  readonly aggregates: readonly AggPlan[];
}


function isExactNumber(type: SqlType): boolean {
  return type.kind === 'int2' || type.kind === 'int4' || type.kind === 'int8' || type.kind === 'date' || (type.kind === 'numeric' && type.scale !== null);
}

const isIntKey = (type: SqlType): boolean => type.kind === 'int2' || type.kind === 'int4' || type.kind === 'int8';

function num(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`kernel constant ${x} is not finite`);
  return `(${String(x)})`;
}

const compareOps: Readonly<Record<string, string>> = { '=': '===', '<>': '!==', '<': '<', '<=': '<=', '>': '>', '>=': '>=' };

/**
 * The plan of a global aggregate over `fact ⋈ dim` (two scans, one integer key each, plain columns), or null.
 * `rowsOf`: a leaf's table rows (zone maps), to tell the dimension (the smaller, at most a quarter) from the fact.
 */
export function dimJoinPlan(leaf: VectorLeaf, constants: readonly SqlValue[], rowsOf: (l: VectorLeaf) => number): DimJoinPlan | null {
  const join = leaf.join;
  const output = leaf.output;
  if (!fusedSettings().enabled || join === null || output.kind !== 'aggregate' || output.groupBy.length > 0) return null;
  if (join.left.join !== null || join.right.join !== null || join.leftKeys.length !== 1) return null;
  if (join.left.output.kind !== 'rows' || join.right.output.kind !== 'rows') return null;
  const leftRows = rowsOf(join.left);
  const rightRows = rowsOf(join.right);
  const dimIsRight = rightRows * 4 <= leftRows;
  if (!dimIsRight && !(leftRows * 4 <= rightRows)) return null;
  const fact = dimIsRight ? join.left : join.right;
  const dim = dimIsRight ? join.right : join.left;
  const factKeyNode = (dimIsRight ? join.leftKeys : join.rightKeys)[0];
  const dimKey = (dimIsRight ? join.rightKeys : join.leftKeys)[0];
  if (factKeyNode === undefined || dimKey === undefined || !isIntKey(factKeyNode.type) || !isIntKey(dimKey.type)) return null;
  const factOut = fact.output.kind === 'rows' ? fact.output.exprs : [];
  const dimOut = dim.output.kind === 'rows' ? dim.output.exprs : [];
  if (factKeyNode.columnPosition === undefined || dimKey.columnPosition === undefined) return null;
  const factKeyTable = factOut[factKeyNode.columnPosition]?.columnPosition;
  if (factKeyTable === undefined) return null;
  const factOffset = dimIsRight ? 0 : join.leftWidth;
  const dimOffset = dimIsRight ? join.leftWidth : 0;
  const resolveJoin = (p: number): Resolved | null => {
    const inFact = p - factOffset;
    if (inFact >= 0 && inFact < factOut.length) {
      const position = factOut[inFact]?.columnPosition;
      return position === undefined ? null : { side: 'fact', position };
    }
    const inDim = p - dimOffset;
    if (inDim >= 0 && inDim < dimOut.length) return { side: 'dim', position: inDim };
    return null;
  };
  const resolveFact = (p: number): Resolved => ({ side: 'fact', position: p });

  const slots: Slot[] = [];
  const slotOf = (position: number, kind: Slot['kind'], scale: number): number => {
    let s = slots.findIndex((x) => x.position === position && x.kind === kind);
    if (s < 0) { s = slots.length; slots.push({ position, kind, scale }); }
    return s;
  };
  const dimPredicates: (readonly VNode[])[] = [];
  const textPredicates: { slot: number; node: VNode }[] = [];
  let lines: string[] = [];
  let temp = 0;

  /** Which sides a node reads; null when some part has no shape. */
  const sidesOf = (node: VNode, resolve: (p: number) => Resolved | null, out: Set<string>): boolean => {
    if (node.constantId !== null) return true;
    if (node.columnPosition !== undefined) {
      const r = resolve(node.columnPosition);
      if (r === null) return false;
      out.add(r.side);
      return true;
    }
    const shape = node.shape;
    if (shape === undefined) return false;
    switch (shape.k) {
      case 'arith': return sidesOf(shape.a, resolve, out) && sidesOf(shape.b, resolve, out);
      case 'compare': case 'compareDays': case 'same': return sidesOf(shape.a, resolve, out);
      case 'and': case 'or': return shape.args.every((a) => sidesOf(a, resolve, out));
      case 'perEntry': { const r = resolve(shape.position); if (r === null) return false; out.add(r.side); return true; }
      case 'case': return shape.conds.every((a) => sidesOf(a, resolve, out)) && shape.results.every((a) => sidesOf(a, resolve, out));
    }
  };

  /** A number expression over fact columns, as code in the num domain (temporaries range-checked as the operator path does). */
  const expr = (node: VNode, resolve: (p: number) => Resolved | null): Compiled | null => {
    const type = node.type;
    if (node.constantId !== null) {
      const value = constants[node.constantId] ?? null;
      if (!isExactNumber(type) && type.kind !== 'numeric') return null;
      const scale = type.kind === 'numeric' ? constantScale(value) : -1;
      const c = constantAt(value, scale);
      if (c === undefined || (c !== null && !(Math.abs(c) <= safe))) return null;
      return c === null ? { code: 'null', scale, slots: [] } : { code: num(c), scale, slots: [] };
    }
    if (node.columnPosition !== undefined) {
      const r = resolve(node.columnPosition);
      const column = r?.side === 'fact' ? fact.table.columns[r.position] : undefined;
      if (r === null || column === undefined || !isExactNumber(column.type)) return null;
      const scale = column.type.kind === 'numeric' ? (column.type.scale ?? 0) : -1;
      const s = slotOf(r.position, 'num', scale);
      return { code: `c${s}[i]`, scale, slots: [s] };
    }
    const shape = node.shape;
    if (shape === undefined) return null;
    if (shape.k === 'same') return isExactNumber(type) || type.kind === 'numeric' ? expr(shape.a, resolve) : null;
    if (shape.k !== 'arith' || (!isExactNumber(type) && type.kind !== 'numeric')) return null;
    const a = expr(shape.a, resolve);
    const b = expr(shape.b, resolve);
    if (a === null || b === null || a.code === 'null' || b.code === 'null') return null;
    const aligned = alignArith(type, shape.symbol, a.scale, b.scale);
    if (aligned === null) return null;
    const { scale, fa, fb, lo, hi } = aligned;
    const name = `t${temp++}`;
    const left = fa === 1 ? a.code : `${a.code} * ${num(fa)}`;
    const right = fb === 1 ? b.code : `(${b.code} * ${num(fb)})`;
    // NULL operands read as 0 here (in range); their rows are dropped by the NULL test where the value is used.
    lines.push(`  const ${name} = ${left} ${shape.symbol} ${right};`, `  if (!(${name} >= ${num(lo)} && ${name} <= ${num(hi)})) return 1;`);
    return { code: name, scale, slots: [...new Set([...a.slots, ...b.slots])] };
  };
  const notNull = (slotsRead: readonly number[]): string => slotsRead.map((s) => `(n${s} === null || n${s}[i] !== 1)`).join(' && ') || 'true';

  /** A bool as code that is true exactly when the node is TRUE (not FALSE, not NULL); null when unsupported. */
  const truth = (node: VNode, resolve: (p: number) => Resolved | null): string | null => {
    const sides = new Set<string>();
    if (!sidesOf(node, resolve, sides)) return null;
    if (sides.size === 1 && sides.has('dim')) {
      dimPredicates.push([node]);
      return `D${dimPredicates.length - 1}[d] === 1`;
    }
    const shape = node.shape;
    if (shape === undefined) return null;
    switch (shape.k) {
      case 'and': {
        // The dimension-only conjuncts as one flag, tested first (Q19: brand, container and size in one lookup that most rows fail).
        const dimOnly = shape.args.filter((a) => { const s = new Set<string>(); return sidesOf(a, resolve, s) && s.size === 1 && s.has('dim'); });
        const rest = shape.args.filter((a) => !dimOnly.includes(a));
        const parts = rest.map((a) => truth(a, resolve));
        if (parts.some((p) => p === null)) return null;
        if (dimOnly.length > 0) {
          dimPredicates.push(dimOnly);
          parts.unshift(`D${dimPredicates.length - 1}[d] === 1`);
        }
        return `(${parts.join(' && ')})`;
      }
      case 'or': {
        const parts = shape.args.map((a) => truth(a, resolve));
        if (parts.some((p) => p === null)) return null;
        return `(${parts.join(' || ')})`;
      }
      case 'perEntry': {
        const r = resolve(shape.position);
        const column = r?.side === 'fact' ? fact.table.columns[r.position] : undefined;
        if (r === null || column === undefined) return null;
        const s = slotOf(r.position, 'codes', -1);
        textPredicates.push({ slot: s, node });
        const j = textPredicates.length - 1;
        return `(L${j}[n${s} !== null && n${s}[i] === 1 ? L${j}.length - 1 : c${s}[i]] === 1)`;
      }
      case 'compare': case 'compareDays': {
        const symbol = shape.symbol;
        const a = expr(shape.a, resolve);
        if (a === null || a.code === 'null' || compareOps[symbol] === undefined) return null;
        const value = constants[shape.constantId] ?? null;
        if (shape.k === 'compareDays') {
          if (typeof value !== 'bigint') return 'false';
          const [op, day] = dayBound(symbol, value);
          const js = compareOps[op];
          if (js === undefined) return null;
          return `(${notNull(a.slots)} && ${a.code} ${js} ${num(Number(day))})`;
        }
        const scale = Math.max(a.scale, constantScale(value));
        let c: number | null | undefined;
        try { c = constantAt(value, scale); } catch { return null; }
        if (c === null) return 'false';
        if (c === undefined) return null;
        const f = a.scale >= 0 && scale > a.scale ? (pow10s[scale - a.scale] ?? NaN) : 1;
        if (!Number.isFinite(f)) return null;
        return `(${notNull(a.slots)} && ${f === 1 ? a.code : `${a.code} * ${num(f)}`} ${compareOps[symbol] ?? '==='} ${num(c)})`;
      }
      default: return null;
    }
  };

  // Fact filters first (they need no lookup), then the key, then the join's filters.
  const before: string[] = [];
  for (const f of fact.filters) {
    lines = before;
    const code = truth(f, resolveFact);
    if (code === null) return null;
    before.push(`  if (!(${code})) continue;`);
  }
  const after: string[] = [];
  for (const f of leaf.filters) {
    lines = after;
    const code = truth(f, resolveJoin);
    if (code === null) return null;
    after.push(`  if (!(${code})) continue;`);
  }
  const sums: SumSlot[] = [];
  const aggregates: AggPlan[] = [];
  lines = after;
  const sumOf = (arg: VNode, guard: string): number | null => {
    const e = expr(arg, resolveJoin);
    if (e === null) return null;
    if (e.code === 'null') return -1;
    sums.push({ guard, code: e.code, scale: e.scale, slots: e.slots });
    return sums.length - 1;
  };
  for (const spec of output.aggregates as readonly AggregateSpec[]) {
    if (spec.filter !== null) return null;
    if (spec.fn === 'countStar') { aggregates.push({ k: 'count' }); continue; }
    if (spec.arg === null || (spec.fn !== 'sum' && spec.fn !== 'avg' && spec.fn !== 'count')) return null;
    const shape = spec.arg.shape;
    const mine: number[] = [];
    if (shape?.k === 'case') {
      // One guarded sum per branch: branch w when conds[0..w) are not TRUE and conds[w] is.
      const conds = shape.conds.map((c) => truth(c, resolveJoin));
      if (conds.some((c) => c === null)) return null;
      for (let w = 0; w < shape.results.length; w++) {
        const result = shape.results[w];
        if (result === undefined) return null;
        const guard = [...conds.slice(0, w).map((c) => `!(${c ?? 'false'})`), ...(w < conds.length ? [conds[w] ?? 'false'] : [])].join(' && ') || 'true';
        const s = sumOf(result, guard);
        if (s === null) return null;
        if (s >= 0) mine.push(s);
      }
    } else {
      const s = sumOf(spec.arg, 'true');
      if (s === null || s < 0) return null;
      mine.push(s);
    }
    aggregates.push({ k: 'sum', slots: mine });
  }
  const dimContext = (ctx: SegmentContext, offset: number): SegmentContext => ({
    length: ctx.length, constants: ctx.constants, env: ctx.env, cache: new Map(),
    column: (p: number) => {
      const e = dimOut[p - offset];
      if (e === undefined) throw new VectorFallback(`join column ${p} is not the dimension's`);
      return e.evaluate(ctx);
    },
  });
  return { fact, dim, factKey: slotOf(factKeyTable, 'num', -1), dimKey, slots, dimPredicates, textPredicates, dimContext, dimOffset, before, after, sums, aggregates };
}

function kernelSource(plan: DimJoinPlan, min: number, range: number): string {
  const lines: string[] = [];
  plan.slots.forEach((_, s) => lines.push(`const c${s} = cols[${s}];`, `const n${s} = nulls[${s}];`));
  lines.push('const P = aux[0];');
  plan.dimPredicates.forEach((_, j) => lines.push(`const D${j} = aux[${1 + j}];`));
  plan.textPredicates.forEach((_, j) => lines.push(`const L${j} = aux[${1 + plan.dimPredicates.length + j}];`));
  const nsums = plan.sums.length;
  for (let a = 0; a < nsums; a++) lines.push(`let abs${a} = 0;`);
  const k = plan.factKey;
  lines.push('for (let q = 0; q < count; q++) {', '  const i = sel === null ? q : sel[q];');
  lines.push(...plan.before);
  lines.push(`  if (n${k} !== null && n${k}[i] === 1) continue;`, `  const d = c${k}[i] - ${num(min)};`, `  if (!(d >= 0 && d < ${num(range)}) || P[d] !== 1) continue;`);
  lines.push(...plan.after);
  lines.push('  if (counts[0] === 0) first[0] = q;', '  counts[0]++;');
  plan.sums.forEach((s, a) => {
    const nn = s.slots.map((x) => `(n${x} === null || n${x}[i] !== 1)`).join(' && ') || 'true';
    lines.push(`  if (${s.guard} && ${nn}) { const x = ${s.code}; sums[${a}] += x; nonNull[${a}]++; abs${a} += x < 0 ? -x : x; }`);
  });
  lines.push('}');
  for (let a = 0; a < nsums; a++) lines.push(`abs[${a}] = abs${a};`);
  lines.push('return 0;');
  return lines.join('\n');
}

/** Flags by key from the dimension's selected rows; null when its keys are too spread or repeat (the operator path runs). */
export interface DimTables { readonly min: number; readonly range: number; readonly present: Uint8Array; readonly predicates: readonly Uint8Array[] }

export async function dimTables(plan: DimJoinPlan, units: AsyncIterable<{ readonly ctx: SegmentContext; readonly sel: Uint32Array }>): Promise<DimTables | null> {
  const seen: { keys: Vec & { t: 'num' }; flags: Uint8Array[]; sel: Uint32Array }[] = [];
  let min = Infinity;
  let max = -Infinity;
  let rows = 0;
  for await (const { ctx, sel } of units) {
    if (sel.length === 0) continue;
    const keys = plan.dimKey.evaluate(plan.dimContext(ctx, 0));
    if (keys.t !== 'num') return null;
    const jctx = plan.dimContext(ctx, plan.dimOffset);
    const flags = plan.dimPredicates.map((conj) => {
      const parts = conj.map((p) => asBool(p.evaluate(jctx)));
      if (parts.length === 1) return parts[0] as Uint8Array;
      const all = new Uint8Array(ctx.length);
      for (const i of sel) all[i] = parts.every((v) => v[i] === 1) ? 1 : 0;
      return all;
    });
    for (const i of sel) {
      if (keys.nulls !== null && keys.nulls[i] === 1) continue;
      const key = keys.v[i] ?? 0;
      if (key < min) min = key;
      if (key > max) max = key;
      rows++;
    }
    seen.push({ keys, flags, sel });
  }
  if (rows === 0) { min = 0; max = -1; }
  const range = max - min + 1;
  if (range > 1 << 24 || range > 64 * Math.max(rows, 1)) return null;
  const share = parallelDegree() > 1;
  const make = (): Uint8Array => (share ? new Uint8Array(new SharedArrayBuffer(Math.max(range, 1))) : new Uint8Array(Math.max(range, 1)));
  const present = make();
  const predicates = plan.dimPredicates.map(make);
  for (const { keys, flags, sel } of seen) {
    for (const i of sel) {
      if (keys.nulls !== null && keys.nulls[i] === 1) continue;
      const d = (keys.v[i] ?? 0) - min;
      if (present[d] === 1) return null; // a key twice: each fact row would join twice
      present[d] = 1;
      flags.forEach((f, j) => { if (f[i] === 1) (predicates[j] as Uint8Array)[d] = 1; });
    }
  }
  return { min, range, present, predicates };
}

/** The fact scan through the join kernel; null when a segment has no kernel form (the operator path runs). */
export async function runDimJoin(plan: DimJoinPlan, tables: DimTables, batches: readonly ScanBatch[], env: ExecEnv): Promise<FusedResult | null> {
  const table: TableInfo = plan.fact.table;
  const visibleRows = batches.reduce((n, b) => n + (b.selection?.length ?? b.rowCount), 0);
  const degree = Math.min(parallelDegree(), batches.length);
  const parallel = degree > 1 && visibleRows >= fusedSettings().parallelRowsMin;
  const source = kernelSource(plan, tables.min, tables.range);
  const inputs: KernelInput[] = [];
  for (const batch of batches) {
    const length = batch.rowCount;
    const cols: Shareable[] = [];
    const nulls: (Uint8Array | null)[] = [];
    const luts: Uint8Array[] = plan.textPredicates.map(() => new Uint8Array(0));
    for (let s = 0; s < plan.slots.length; s++) {
      const slot = plan.slots[s] as Slot;
      const vector = batch.columns[slot.position];
      const column = table.columns[slot.position];
      if (vector === undefined || column === undefined) throw new VectorFallback(`column ${slot.position} missing from the scan`);
      const vec = vecOfColumn(vector, length, column.type);
      if (slot.kind === 'codes') {
        if (vec.t !== 'dict') return null;
        cols.push(parallel ? shared(vec.codes, length) : vec.codes);
        nulls.push(vec.nulls === null ? null : parallel ? shared(vec.nulls, length) : vec.nulls);
        plan.textPredicates.forEach((t, j) => {
          const shape = t.node.shape;
          if (t.slot === s && shape?.k === 'perEntry') luts[j] = shape.truth([...vec.dict, null], env);
        });
        continue;
      }
      if (vec.t !== 'num' || vec.rowScales !== null || vec.scale !== slot.scale) return null;
      cols.push(parallel ? shared(vec.v, length) : vec.v);
      nulls.push(vec.nulls === null ? null : parallel ? shared(vec.nulls, length) : vec.nulls);
    }
    const sel = batch.selection;
    inputs.push({ source, cols, nulls, sel: sel === null ? null : sel.slice(), count: sel === null ? length : sel.length, keys: [], keyNulls: [], keySizes: [],
      aux: [tables.present, ...tables.predicates, ...luts] });
  }
  const sumCount = plan.sums.length;
  const { outputs, used } = await runSpread(sumCount, inputs, parallel, degree);
  let count = 0;
  const totals = new Array<bigint>(sumCount).fill(0n);
  const nonNull = new Array<number>(sumCount).fill(0);
  for (const out of outputs) {
    if (out.bad) throw new VectorFallback('a fused kernel value out of its exact range');
    for (let a = 0; a < sumCount; a++) {
      if (!((out.abs[a] ?? 0) <= safe)) throw new VectorFallback('a segment partial sum outside ±2^53');
      nonNull[a] = (nonNull[a] ?? 0) + (out.nonNull[a] ?? 0);
      const x = out.sums[a] ?? 0;
      if (x !== 0) totals[a] = (totals[a] ?? 0n) + BigInt(x);
    }
    count += out.counts[0] ?? 0;
  }
  // Each aggregate's slots merged at the largest scale among those that had an addend (the operator path's result scale).
  const aggTotals: bigint[] = [];
  const aggNonNull: number[] = [];
  const aggScales: number[] = [];
  const sources: ({ k: 'count' } | { k: 'sum'; slot: number })[] = [];
  for (const agg of plan.aggregates) {
    if (agg.k === 'count') { sources.push({ k: 'count' }); continue; }
    const live = agg.slots.filter((s) => (nonNull[s] ?? 0) > 0);
    const scale = Math.max(-1, ...live.map((s) => plan.sums[s]?.scale ?? -1));
    let total = 0n;
    let n = 0;
    for (const s of live) {
      const sc = plan.sums[s]?.scale ?? -1;
      total += (totals[s] ?? 0n) * 10n ** BigInt(Math.max(scale, 0) - Math.max(sc, 0));
      n += nonNull[s] ?? 0;
    }
    sources.push({ k: 'sum', slot: aggTotals.length });
    aggTotals.push(total);
    aggNonNull.push(n);
    aggScales.push(live.length === 0 ? Math.max(-1, ...agg.slots.map((s) => plan.sums[s]?.scale ?? -1)) : scale);
  }
  const keys: SqlValue[][] = count > 0 ? [[]] : [];
  return { keys, counts: count > 0 ? [count] : [], totals: count > 0 ? [aggTotals] : [], nonNull: count > 0 ? [aggNonNull] : [], aggregates: sources, sumScales: aggScales, degree: used };
}
