// A fact table joined to a dimension on one integer key, under an aggregate
// grouped by fact dictionary columns or global (TPC-H Q12, Q14, Q19), as ONE
// fused loop over the fact table's segments (kernel.ts's calling
// convention, so the worker pool runs it too). The dimension side (the
// smaller table: part, or orders for Q12) runs first on this thread,
// through the operator path (its scan's filters), and becomes one class
// array indexed by `key - min` (the keys are dense ints: p_partkey,
// o_orderkey): bit 0 where a row with that key passed, bit j + 1 where
// dimension-only predicate j (p_type LIKE 'PROMO%', o_orderpriority IN
// (...), p_brand = ... AND p_size BETWEEN ...) is TRUE, so a probe is one
// byte read. The fact loop then filters, looks its key up, evaluates the
// rest of the join's filters (ORs and ANDs mixing both sides; text
// predicates over the fact's dictionary columns as a per-entry table),
// finds its local group from the group keys' dictionary codes and adds
// each sum; a CASE inside sum becomes one guarded sum per branch, merged
// exactly.
//
// Decided before any fact row is read: the plan's shape (dimjoinPlan), and,
// after the dimension pass, its key range (at most 2^24 and 64 per row) and
// unique keys (else the operator path runs: a key seen twice joins twice).

import type { ScanBatch } from '../../../materializers/columnstore/index.js';
import type { ExecEnv } from '../../executor/index.js';
import type { TableInfo } from '../../contract.js';
import type { SqlType } from '../../types/sql-type.js';
import type { SqlValue } from '../../types/value.js';
import { asBool, constantAt, constantScale, dayBound, isTextType, pow10s, type SegmentContext, type VNode } from '../expr.js';
import type { AggregateSpec, VectorLeaf } from '../leaf.js';
import { VectorFallback, vecOfColumn, type Vec } from '../vec.js';
import { alignArith, fusedSettings, mergeGroups, shared, type FusedResult, type SegmentGroups, type Shareable } from './fused.js';
import { localGroups, type KernelInput } from './kernel.js';
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
  /** Group keys: fact dictionary slots (codes; NULL is local id |dict|), in GROUP BY order. */
  readonly keySlots: readonly number[];
  /** The dimension key: its position among the dimension leaf's output columns. */
  readonly dimKey: VNode;
  readonly slots: readonly Slot[];
  /** Dimension-only predicates (each a conjunction), evaluated per dimension row into class bit j + 1 by key: set where every part is TRUE. */
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
  if (!fusedSettings().enabled || join === null || output.kind !== 'aggregate') return null;
  if (join.left.join !== null || join.right.join !== null || join.leftKeys.length !== 1) return null;
  if (join.left.output.kind !== 'rows' || join.right.output.kind !== 'rows') return null;
  const leftRows = rowsOf(join.left);
  const rightRows = rowsOf(join.right);
  // The smaller side is the dimension (Q12's orders is a quarter of lineitem, give or take): its keys are
  // checked unique and dense enough after its pass, before any fact row is read.
  const dimIsRight = rightRows <= leftRows;
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
      case 'compareCols': return sidesOf(shape.a, resolve, out) && sidesOf(shape.b, resolve, out);
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

  /** Dimension predicate j: bit j + 1 of the key's class (bit 0: the key is present). */
  const dimBit = (j: number): string => `(cd & ${num(2 ** (j + 1))}) !== 0`;

  /** A bool as code that is true exactly when the node is TRUE (not FALSE, not NULL); null when unsupported. */
  const truth = (node: VNode, resolve: (p: number) => Resolved | null): string | null => {
    const sides = new Set<string>();
    if (!sidesOf(node, resolve, sides)) return null;
    if (sides.size === 1 && sides.has('dim')) {
      dimPredicates.push([node]);
      return dimBit(dimPredicates.length - 1);
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
          parts.unshift(dimBit(dimPredicates.length - 1));
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
      case 'compareCols': {
        // As selectVectors: both sides at the larger scale; a NULL on either side is not TRUE.
        const a = expr(shape.a, resolve);
        const b = expr(shape.b, resolve);
        const js = compareOps[shape.symbol];
        if (a === null || b === null || a.code === 'null' || b.code === 'null' || js === undefined) return null;
        const scale = Math.max(a.scale, b.scale);
        const fa = a.scale >= 0 && scale > a.scale ? (pow10s[scale - a.scale] ?? NaN) : 1;
        const fb = b.scale >= 0 && scale > b.scale ? (pow10s[scale - b.scale] ?? NaN) : 1;
        if (!Number.isFinite(fa) || !Number.isFinite(fb)) return null;
        const left = fa === 1 ? a.code : `${a.code} * ${num(fa)}`;
        const right = fb === 1 ? b.code : `${b.code} * ${num(fb)}`;
        return `(${notNull([...a.slots, ...b.slots])} && ${left} ${js} ${right})`;
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

  // Fact filters first (they need no lookup), then the key, then the join's filters; within each,
  // comparisons with constants first (cheap and often selective: Q12's l_receiptdate range), as the operator path orders them.
  const filterBlocks = (filters: readonly VNode[], resolve: (p: number) => Resolved | null): string[] | null => {
    const blocks: { cost: number; lines: string[] }[] = [];
    for (const f of filters) {
      lines = [];
      const code = truth(f, resolve);
      if (code === null) return null;
      lines.push(`  if (!(${code})) continue;`);
      const k = f.shape?.k;
      blocks.push({ cost: k === 'compare' || k === 'compareDays' ? 0 : k === 'perEntry' ? 1 : 2, lines });
    }
    return blocks.sort((x, y) => x.cost - y.cost).flatMap((b) => b.lines);
  };
  const before = filterBlocks(fact.filters, resolveFact);
  if (before === null) return null;
  const after = filterBlocks(leaf.filters, resolveJoin);
  if (after === null) return null;
  // Group keys: plain fact text columns, read as dictionary codes (a utf8 segment leaves the kernel before any work).
  const keySlots: number[] = [];
  for (const key of output.groupBy) {
    const r = key.columnPosition === undefined ? null : resolveJoin(key.columnPosition);
    if (r === null || r.side !== 'fact' || !isTextType(key.type)) return null;
    keySlots.push(slotOf(r.position, 'codes', -1));
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
  return { fact, dim, factKey: slotOf(factKeyTable, 'num', -1), keySlots, dimKey, slots, dimPredicates, textPredicates, dimContext, dimOffset, before, after, sums, aggregates };
}

function kernelSource(plan: DimJoinPlan, min: number, range: number): string {
  const lines: string[] = [];
  plan.slots.forEach((_, s) => lines.push(`const c${s} = cols[${s}];`, `const n${s} = nulls[${s}];`));
  lines.push('const C = aux[0];');
  plan.textPredicates.forEach((_, j) => lines.push(`const L${j} = aux[${1 + j}];`));
  // Local group: the keys' codes (NULL: |dict|, the last id) combined, l = k0 + k1 × size0 + ...
  plan.keySlots.forEach((_, k) => lines.push(`const z${k} = keySizes[${k}] - 1;`));
  let stride = 'keySizes[0]';
  for (let k = 1; k < plan.keySlots.length; k++) {
    lines.push(`const s${k} = ${stride};`);
    stride = `${stride} * keySizes[${k}]`;
  }
  const nsums = plan.sums.length;
  for (let a = 0; a < nsums; a++) lines.push(`let abs${a} = 0;`);
  const k = plan.factKey;
  lines.push('for (let q = 0; q < count; q++) {', '  const i = sel === null ? q : sel[q];');
  lines.push(...plan.before);
  lines.push(`  if (n${k} !== null && n${k}[i] === 1) continue;`, `  const d = c${k}[i] - ${num(min)};`, `  if (!(d >= 0 && d < ${num(range)})) continue;`,
    '  const cd = C[d];', '  if ((cd & 1) === 0) continue;');
  lines.push(...plan.after);
  const code = (slot: number, key: number): string => `(n${slot} !== null && n${slot}[i] === 1 ? z${key} : c${slot}[i])`;
  const group = plan.keySlots.length === 0 ? '0' : plan.keySlots.map((slot, key) => (key === 0 ? code(slot, 0) : `${code(slot, key)} * s${key}`)).join(' + ');
  lines.push(`  const g = ${group};`, '  if (counts[g] === 0) first[g] = q;', '  counts[g]++;');
  plan.sums.forEach((s, a) => {
    const nn = s.slots.map((x) => `(n${x} === null || n${x}[i] !== 1)`).join(' && ') || 'true';
    lines.push(`  if (${s.guard} && ${nn}) { const x = ${s.code}; sums[g * ${nsums} + ${a}] += x; nonNull[g * ${nsums} + ${a}]++; abs${a} += x < 0 ? -x : x; }`);
  });
  lines.push('}');
  for (let a = 0; a < nsums; a++) lines.push(`abs[${a}] = abs${a};`);
  lines.push('return 0;');
  return lines.join('\n');
}

/**
 * The dimension's selected rows as one class array by `key - min`: bit 0 the key is present, bit j + 1
 * dimension predicate j is TRUE there (one read per probe, however many predicates).
 */
export interface DimTables { readonly min: number; readonly range: number; readonly classes: Uint8Array | Uint16Array | Uint32Array }

/** Null when the keys are too spread or repeat, or there are more than 30 predicates (the operator path runs). */
export async function dimTables(plan: DimJoinPlan, units: AsyncIterable<{ readonly ctx: SegmentContext; readonly sel: Uint32Array }>): Promise<DimTables | null> {
  const predicates = plan.dimPredicates.length;
  if (predicates > 30) return null;
  // Per unit: the class bits of each selected row, either by dictionary entry (every predicate part a
  // per-entry test of one dimension text column: Q12's o_orderpriority, Q14's p_type; no vector per
  // predicate) or from the predicates' bool vectors (operator path).
  const seen: { keys: Vec & { t: 'num' }; sel: Uint32Array; byEntry: { codes: Uint32Array; nulls: Uint8Array | null; bits: Uint8Array | Uint16Array | Uint32Array } | null; flags: Uint8Array[] }[] = [];
  let min = Infinity;
  let max = -Infinity;
  let rows = 0;
  const parts = plan.dimPredicates.flat();
  const first = parts[0]?.shape;
  const entryColumn = first?.k === 'perEntry' && parts.every((p) => p.shape?.k === 'perEntry' && p.shape.position === first.position) ? first.position : null;
  for await (const { ctx, sel } of units) {
    if (sel.length === 0) continue;
    const keys = plan.dimKey.evaluate(plan.dimContext(ctx, 0));
    if (keys.t !== 'num') return null;
    const jctx = plan.dimContext(ctx, plan.dimOffset);
    const column = entryColumn === null ? null : jctx.column(entryColumn);
    if (column?.t === 'dict') {
      const values = [...column.dict, null];
      const bits = predicates < 8 ? new Uint8Array(values.length) : predicates < 16 ? new Uint16Array(values.length) : new Uint32Array(values.length);
      plan.dimPredicates.forEach((conj, j) => {
        const truths = conj.map((p) => (p.shape?.k === 'perEntry' ? p.shape.truth(values, ctx.env) : new Uint8Array(0)));
        for (let e = 0; e < values.length; e++) if (truths.every((t) => t[e] === 1)) bits[e] = (bits[e] ?? 0) | (2 << j);
      });
      seen.push({ keys, sel, byEntry: { codes: column.codes, nulls: column.nulls, bits }, flags: [] });
    } else {
      // Each predicate's parts ANDed over the selected rows; a per-entry part (Q19's p_brand, p_container) by its
      // table over the codes, without a bool vector of its own.
      const flags = plan.dimPredicates.map((conj) => {
        const all = new Uint8Array(ctx.length);
        for (let q = 0; q < sel.length; q++) all[sel[q] as number] = 1;
        for (const p of conj) {
          const shape = p.shape;
          const column = shape?.k === 'perEntry' ? jctx.column(shape.position) : null;
          if (shape?.k === 'perEntry' && column?.t === 'dict') andByEntry(all, sel, column.codes, column.nulls, shape.truth([...column.dict, null], ctx.env));
          else andBools(all, sel, asBool(p.evaluate(jctx)));
        }
        return all;
      });
      seen.push({ keys, sel, byEntry: null, flags });
    }
    const [lo, hi, n] = keyRange(keys.v, keys.nulls, sel);
    if (lo < min) min = lo;
    if (hi > max) max = hi;
    rows += n;
  }
  if (rows === 0) { min = 0; max = -1; }
  const range = max - min + 1;
  if (range > 1 << 24 || range > 64 * Math.max(rows, 1)) return null;
  const share = parallelDegree() > 1;
  const n = Math.max(range, 1);
  const buffer = (width: number): ArrayBuffer => (share ? new SharedArrayBuffer(n * width) as unknown as ArrayBuffer : new ArrayBuffer(n * width)); // SharedArrayBuffer: the workers read the same bytes
  const classes = predicates < 8 ? new Uint8Array(buffer(1)) : predicates < 16 ? new Uint16Array(buffer(2)) : new Uint32Array(buffer(4));
  for (const { keys, sel, byEntry, flags } of seen) {
    // false: a key twice (each fact row would join twice).
    if (!(byEntry !== null ? fillByEntry(classes, min, keys.v, keys.nulls, sel, byEntry.codes, byEntry.nulls, byEntry.bits) : fillByFlags(classes, min, keys.v, keys.nulls, sel, flags))) return null;
  }
  return { min, range, classes };
}

// The dimension pass's loops, as small functions of their own (V8 optimises them apart from the async pass).

/**
 * The least and greatest non-NULL key among the selected rows, and how many there are. Two copies: int8
 * keys arrive as Float64Array (o_orderkey), int4 as Int32Array (p_partkey); one loop seeing both was ~4×
 * slower than the fill loop in a profile (polymorphic element loads).
 */
function keyRange(v: ArrayLike<number>, nulls: Uint8Array | null, sel: Uint32Array): [number, number, number] {
  return v instanceof Float64Array ? keyRangeOfDoubles(v, nulls, sel) : keyRangeOfInts(v, nulls, sel);
}

function keyRangeOfDoubles(v: Float64Array, nulls: Uint8Array | null, sel: Uint32Array): [number, number, number] {
  let min = Infinity;
  let max = -Infinity;
  let rows = 0;
  for (let q = 0; q < sel.length; q++) {
    const i = sel[q] as number;
    if (nulls !== null && nulls[i] === 1) continue;
    const key = v[i] as number;
    if (key < min) min = key;
    if (key > max) max = key;
    rows++;
  }
  return [min, max, rows];
}

function keyRangeOfInts(v: ArrayLike<number>, nulls: Uint8Array | null, sel: Uint32Array): [number, number, number] {
  let min = Infinity;
  let max = -Infinity;
  let rows = 0;
  for (let q = 0; q < sel.length; q++) {
    const i = sel[q] as number;
    if (nulls !== null && nulls[i] === 1) continue;
    const key = v[i] as number;
    if (key < min) min = key;
    if (key > max) max = key;
    rows++;
  }
  return [min, max, rows];
}

type Classes = Uint8Array | Uint16Array | Uint32Array;

function fillByEntry(classes: Classes, min: number, v: ArrayLike<number>, keyNulls: Uint8Array | null, sel: Uint32Array, codes: Uint32Array, nulls: Uint8Array | null, bits: Classes): boolean {
  const nullId = bits.length - 1;
  for (let q = 0; q < sel.length; q++) {
    const i = sel[q] as number;
    if (keyNulls !== null && keyNulls[i] === 1) continue;
    const d = (v[i] as number) - min;
    if (classes[d] !== 0) return false;
    classes[d] = 1 | (bits[nulls !== null && nulls[i] === 1 ? nullId : (codes[i] as number)] as number);
  }
  return true;
}

function andByEntry(all: Uint8Array, sel: Uint32Array, codes: Uint32Array, nulls: Uint8Array | null, truth: Uint8Array): void {
  const nullId = truth.length - 1;
  for (let q = 0; q < sel.length; q++) {
    const i = sel[q] as number;
    if (truth[nulls !== null && nulls[i] === 1 ? nullId : (codes[i] as number)] !== 1) all[i] = 0;
  }
}

function andBools(all: Uint8Array, sel: Uint32Array, bools: Uint8Array): void {
  for (let q = 0; q < sel.length; q++) {
    const i = sel[q] as number;
    if (bools[i] !== 1) all[i] = 0;
  }
}

function fillByFlags(classes: Classes, min: number, v: ArrayLike<number>, keyNulls: Uint8Array | null, sel: Uint32Array, flags: readonly Uint8Array[]): boolean {
  for (let q = 0; q < sel.length; q++) {
    const i = sel[q] as number;
    if (keyNulls !== null && keyNulls[i] === 1) continue;
    const d = (v[i] as number) - min;
    if (classes[d] !== 0) return false;
    let c = 1;
    for (let j = 0; j < flags.length; j++) if ((flags[j] as Uint8Array)[i] === 1) c |= 2 << j;
    classes[d] = c;
  }
  return true;
}

/** The fact scan through the join kernel; null when a segment has no kernel form (the operator path runs). */
export async function runDimJoin(plan: DimJoinPlan, tables: DimTables, batches: readonly ScanBatch[], env: ExecEnv): Promise<FusedResult | null> {
  const table: TableInfo = plan.fact.table;
  const visibleRows = batches.reduce((n, b) => n + (b.selection?.length ?? b.rowCount), 0);
  const degree = Math.min(parallelDegree(), batches.length);
  const parallel = degree > 1 && visibleRows >= fusedSettings().parallelRowsMin;
  const source = kernelSource(plan, tables.min, tables.range);
  const inputs: KernelInput[] = [];
  const segments: SegmentGroups[] = [];
  for (const batch of batches) {
    const length = batch.rowCount;
    const cols: Shareable[] = [];
    const nulls: (Uint8Array | null)[] = [];
    const luts: Uint8Array[] = plan.textPredicates.map(() => new Uint8Array(0));
    const dicts = new Map<number, readonly string[]>();
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
        dicts.set(s, vec.dict);
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
    // Every key has a NULL id (its dictionary's length), whether or not this segment has NULLs.
    const keyDicts = plan.keySlots.map((s) => dicts.get(s) ?? []);
    const keySizes = keyDicts.map((d) => d.length + 1);
    if (localGroups(keySizes) > 1 << 16) return null;
    segments.push({ keySizes, dicts: keyDicts });
    const sel = batch.selection;
    inputs.push({ source, cols, nulls, sel: sel === null ? null : sel.slice(), count: sel === null ? length : sel.length, keys: [], keyNulls: [], keySizes,
      aux: [tables.classes, ...luts] });
  }
  const sumCount = plan.sums.length;
  const { outputs, used } = await runSpread(sumCount, inputs, parallel, degree);
  const merged = mergeGroups(outputs, segments, sumCount);
  // Each aggregate's slots (CASE branches) merged at the largest scale among those that had an addend in
  // any group (the operator path's vector scale); per group, the largest among its own (its result scale).
  const scaleOf = (s: number): number => plan.sums[s]?.scale ?? -1;
  const sources: ({ k: 'count' } | { k: 'sum'; slot: number })[] = [];
  const aggScales: number[] = [];
  const picked: (readonly number[])[] = [];
  for (const agg of plan.aggregates) {
    if (agg.k === 'count') { sources.push({ k: 'count' }); continue; }
    const live = agg.slots.filter((s) => merged.nonNull.some((nn) => (nn[s] ?? 0) > 0));
    sources.push({ k: 'sum', slot: picked.length });
    picked.push(agg.slots);
    aggScales.push(Math.max(-1, ...(live.length === 0 ? agg.slots : live).map(scaleOf)));
  }
  const totals: bigint[][] = [];
  const nonNull: number[][] = [];
  const groupScales: number[][] = [];
  merged.keys.forEach((_, g) => {
    const t = merged.totals[g] ?? [];
    const nn = merged.nonNull[g] ?? [];
    const groupTotals: bigint[] = [];
    const groupNonNull: number[] = [];
    const scales: number[] = [];
    picked.forEach((slots, a) => {
      const scale = aggScales[a] ?? -1;
      let total = 0n;
      let n = 0;
      let seen = -1;
      for (const s of slots) {
        if ((nn[s] ?? 0) === 0) continue;
        total += (t[s] ?? 0n) * 10n ** BigInt(Math.max(scale, 0) - Math.max(scaleOf(s), 0));
        n += nn[s] ?? 0;
        seen = Math.max(seen, scaleOf(s));
      }
      groupTotals.push(total);
      groupNonNull.push(n);
      scales.push(n === 0 ? scale : seen);
    });
    totals.push(groupTotals);
    nonNull.push(groupNonNull);
    groupScales.push(scales);
  });
  return { keys: merged.keys, counts: merged.counts, totals, nonNull, aggregates: sources, sumScales: aggScales, groupScales, degree: used };
}
