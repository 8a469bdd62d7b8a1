// Runs a VectorLeaf over the column store at a read index: per segment,
// zone-map pruning, filters into a selection vector, then either the
// projected rows or hash aggregation (group keys mapped to dense per-segment
// ids first, so the per-row work is arithmetic and one table lookup).

import type { ScanBatch, ZoneMap } from '../../materializers/columnstore/index.js';
import type { ColumnAccess } from '../contract.js';
import type { ExecEnv, Row } from '../executor/index.js';
import { compareValues } from '../types/compare.js';
import { Decimal } from '../types/numeric/decimal.js';
import { compareNumeric, numericDiv } from '../types/numeric/numeric-math.js';
import type { SqlType } from '../types/sql-type.js';
import type { SqlValue } from '../types/value.js';
import { asBool, asNum, isNullIn, selectWith, type SegmentContext, type VNode } from './expr.js';
import type { AggregateSpec, PruneRule, VectorLeaf } from './leaf.js';
import { batchContext, gather, hashJoin, isIntegerKey, keySetOf, keysAscending, lazyBatch, type Batch, type JoinStats, type KeySet, type KeySetTally } from './join.js';
import { checkSafe, VectorFallback, vecOfColumn, yieldTurn, type NumArray, type Vec } from './vec.js';
import { dimJoinPlan, dimTables, runDimJoin } from './parallel/dimjoin.js';
import { fusedPlan, runFused, type FusedResult } from './parallel/fused.js';
import { SortCollector, type VectorSort } from './sort.js';

export interface LeafStats {
  segmentsTotal: number;
  segmentsPruned: number;
  rowsScanned: number;
  rowsSelected: number;
  groups: number;
  /** Rows out of the leaf's vectorized joins. */
  joinRows: number;
  /** Selected join input rows dropped because their key is in no row of the other input (before the join). */
  semiJoinDropped: number;
  /** Threads a fused scan-aggregate ran on (0: not fused; 1: this thread; more: worker threads). */
  parallelDegree: number;
  elapsedMs: number;
  /** EXPLAIN ANALYZE's per-operator numbers, by leaf (a join leaf's inputs are leaves of their own). */
  readonly operators: Map<VectorLeaf, LeafOperatorStats>;
  /** Ms this run spent yielding the thread to other work (yieldTurn): not counted in operator times. */
  pausedMs: number;
  /** A Vectorized Sort / Top-N / Limit on the leaf (sort.ts): the rows it handed up, and ms until then. */
  sorted?: { rows: number; ms: number };
}

/**
 * One EXPLAIN ANALYZE line: rows handed to the operator above (-1: not
 * counted on its own, inside a fused kernel), ms of this statement's work
 * until the first non-empty unit was handed up (-1 until then) and in all,
 * inclusive of the operator's inputs as PostgreSQL's actual time.
 */
export interface OperatorStats { rows: number; firstMs: number; totalMs: number }

/**
 * A leaf's operator lines (leaf.ts's `operators`: top, filter, scan or join).
 * Counted per segment or batch, never per row; timed with one clock read
 * per unit.
 */
export interface LeafOperatorStats {
  /** Project (rows) or Hash Aggregate (groups): rowsIn from the filter; topNFrom: candidates before the top-N prefilter (-1: none ran). */
  readonly top: OperatorStats & { rowsIn: number; groups: number; topNFrom: number; keySetDropped: number };
  /** The leaf's filters: over the scan's rows or the join's output (rows in: the line below's rows). */
  readonly filter: OperatorStats;
  /** segmentsTotal/Pruned by zone maps; rowsVisible: visible rows of the scanned segments; keySetDropped: by join key sets there. */
  readonly scan: OperatorStats & { segmentsTotal: number; segmentsPruned: number; rowsVisible: number; keySetDropped: number };
  readonly join: OperatorStats & JoinStats;
  /** Threads a fused kernel ran this leaf on (0: the operator path). */
  fused: number;
  /** Filter loop ms (self), to split a scan unit's time between the scan and its filter. */
  filterSelfMs: number;
}

function operatorStats(): OperatorStats { return { rows: 0, firstMs: -1, totalMs: 0 }; }

/** The leaf's operator numbers in this run, made on first use. */
export function operatorsOf(stats: LeafStats, leaf: VectorLeaf): LeafOperatorStats {
  let ops = stats.operators.get(leaf);
  if (ops === undefined) {
    ops = {
      top: { ...operatorStats(), rowsIn: 0, groups: 0, topNFrom: -1, keySetDropped: 0 },
      filter: operatorStats(),
      scan: { ...operatorStats(), segmentsTotal: 0, segmentsPruned: 0, rowsVisible: 0, keySetDropped: 0 },
      join: { ...operatorStats(), buildRows: 0, probeRows: 0, outputRows: 0, buildSide: '', keySets: null, waitMs: 0 },
      fused: 0, filterSelfMs: 0,
    };
    stats.operators.set(leaf, ops);
  }
  return ops;
}

/** Ms on this run's clock: wall time less its yields to other work, so a busy server does not inflate operator times. */
function clock(stats: LeafStats): number {
  return performance.now() - stats.pausedMs;
}

/** Yields the thread (yieldTurn), the wait counted as paused. */
async function pause(stats: LeafStats): Promise<void> {
  const started = performance.now();
  await yieldTurn();
  stats.pausedMs += performance.now() - started;
}

/** A fused kernel declined after counting: the counts go back (the operator path counts again); pauses stay. */
function restoreStats(stats: LeafStats, saved: LeafStats): void {
  const paused = stats.pausedMs;
  Object.assign(stats, saved);
  stats.pausedMs = paused;
  stats.operators.clear();
}


/** Order of two values of one numeric kind (ints may be number or bigint; numerics Decimal). */
function compareZone(a: SqlValue, b: SqlValue, type: SqlType): number {
  if (a instanceof Decimal || b instanceof Decimal) {
    const x = a instanceof Decimal ? a : Decimal.fromInteger(a as number | bigint);
    const y = b instanceof Decimal ? b : Decimal.fromInteger(b as number | bigint);
    return compareNumeric(x, y);
  }
  if (typeof a === 'bigint' || typeof b === 'bigint') {
    const x = BigInt(a as number | bigint);
    const y = BigInt(b as number | bigint);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return compareValues(a, b, type);
}

function keep(rule: PruneRule, zone: ZoneMap | undefined, constant: SqlValue, type: SqlType): boolean {
  if (zone === undefined || constant === null) return true;
  // All NULL: no comparison holds. No min/max otherwise (a type without zone maps): keep.
  if (zone.min === null || zone.max === null) return zone.nullCount < zone.rowCount;
  const lo = compareZone(zone.min, constant, type);
  const hi = compareZone(zone.max, constant, type);
  switch (rule.symbol) {
    case '<': return lo < 0;
    case '<=': return lo <= 0;
    case '>': return hi > 0;
    case '>=': return hi >= 0;
    case '=': return lo <= 0 && hi >= 0;
    default: return true;
  }
}

/** A vector value at row i as the SQL value of `type`. */
function valueAt(vec: Vec, i: number, type: SqlType): SqlValue {
  if (isNullIn(vec, i)) return null;
  switch (vec.t) {
    case 'bool': return vec.v[i] === 1;
    case 'dict': return vec.dict[vec.codes[i] ?? 0] ?? null;
    case 'str': return vec.v[i] ?? null;
    case 'num': {
      const x = vec.v[i] ?? 0;
      if (type.kind === 'numeric') {
        const rowScale = vec.rowScales?.[i] ?? vec.scale;
        const c = BigInt(x);
        return Decimal.of(rowScale === vec.scale ? c : c / 10n ** BigInt(vec.scale - rowScale), rowScale);
      }
      if (type.kind === 'int8' || type.kind === 'timestamp' || type.kind === 'timestamptz') return BigInt(x);
      return x;
    }
  }
}

/** Per-group aggregate state: typed arrays indexed by group id (doubling), exact totals as bigints. */
class AggregateState {
  count = new Float64Array(8);
  /** Per-segment partial sums (exact while below 2^53), flushed into `total`. */
  partial = new Float64Array(8);
  floatSum = new Float64Array(8);
  scaleSeen = new Uint8Array(8);
  best = new Float64Array(8).fill(NaN);
  bestScale = new Uint8Array(8);
  readonly total: bigint[] = [];
  vecScale = -1;
  /**
   * The sum of |addend| over every unit since the last flush: each group's partial sum is at most this in
   * magnitude, so while it stays below 2^53 the partials are exact and need not be flushed per unit (a flush
   * walks every group: Q10's 7.7k groups per probe batch).
   */
  pending = 0;

  grow(groups: number): void {
    while (this.total.length < groups) this.total.push(0n);
    if (groups <= this.count.length) return;
    let capacity = this.count.length;
    while (capacity < groups) capacity *= 2;
    const widen = <T extends Float64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(capacity);
      b.set(a);
      return b;
    };
    this.count = widen(this.count, (n) => new Float64Array(n));
    this.partial = widen(this.partial, (n) => new Float64Array(n));
    this.floatSum = widen(this.floatSum, (n) => new Float64Array(n));
    this.scaleSeen = widen(this.scaleSeen, (n) => new Uint8Array(n));
    const best = new Float64Array(capacity).fill(NaN);
    best.set(this.best);
    this.best = best;
    this.bestScale = widen(this.bestScale, (n) => new Uint8Array(n));
  }

  /** Counts a unit's Σ|addend| (each below 2^52, checkPartial); flushes when the pending sum reaches 2^52, so it stays below 2^53. */
  addPending(abs: number): void {
    this.pending += abs;
    if (this.pending >= partialMax) this.flush();
  }

  flush(): void {
    this.pending = 0;
    for (let g = 0; g < this.total.length; g++) {
      const p = this.partial[g] ?? 0;
      if (p !== 0) { this.total[g] = (this.total[g] ?? 0n) + BigInt(p); this.partial[g] = 0; }
    }
  }
}

function finalize(spec: AggregateSpec, s: AggregateState, g: number): SqlValue {
  const count = s.count[g] ?? 0;
  if (spec.fn === 'count' || spec.fn === 'countStar') return BigInt(count);
  if (count === 0) return null;
  const argKind = spec.argType?.kind;
  const float = argKind === 'float4' || argKind === 'float8';
  const total = s.total[g] ?? 0n;
  switch (spec.fn) {
    case 'sum': {
      if (float) return s.floatSum[g] ?? 0;
      if (argKind === 'numeric') return sumDecimal(total, s.vecScale, s.scaleSeen[g] ?? 0);
      if (argKind === 'int8') return Decimal.of(total, 0);
      if (total > 9223372036854775807n || total < -9223372036854775808n) throw new VectorFallback('sum overflows bigint');
      return total;
    }
    case 'avg': {
      if (float) return (s.floatSum[g] ?? 0) / count;
      if (argKind === 'numeric') return numericDiv(sumDecimal(total, s.vecScale, s.scaleSeen[g] ?? 0), Decimal.fromInteger(count));
      return numericDiv(Decimal.of(total, 0), Decimal.of(BigInt(count), 0));
    }
    case 'min': case 'max': {
      const best = s.best[g] ?? 0;
      const type = spec.argType ?? spec.resultType;
      if (type.kind === 'numeric') {
        const scale = s.bestScale[g] ?? 0;
        return Decimal.of(BigInt(best) / 10n ** BigInt(Math.max(s.vecScale, 0) - scale), scale);
      }
      if (type.kind === 'int8' || type.kind === 'timestamp') return BigInt(best);
      return best;
    }
  }
}

function sumDecimal(total: bigint, vecScale: number, scaleSeen: number): Decimal {
  const s = Math.max(vecScale, 0);
  return Decimal.of(scaleSeen < s ? total / 10n ** BigInt(s - scaleSeen) : total, scaleSeen);
}

/** A unit's Σ|addend| below this (2^52), and the pending sum flushed when it reaches it: partial sums stay below 2^53. */
const partialMax = 2 ** 52;

/**
 * Checks a unit's Σ|addend| (below 2^52, else the row path runs) and counts it as pending. The unit's
 * additions were made before the check, but a later flush never happens after an inexact one: pending was
 * below 2^52 before the unit, so its partials stayed below 2^53.
 */
function checkPartial(s: AggregateState, abs: number): void {
  if (!(abs < partialMax)) throw new VectorFallback('a segment partial sum outside ±2^52');
  s.addPending(abs);
}

/**
 * The sum of |v| over the selected rows. Below 2^53 every partial sum of a
 * segment is exact in a double (each is at most this sum in magnitude); past
 * it the sum may be rounded but stays past it, so the check still fails.
 */
function absoluteSum(v: NumArray, sel: Uint32Array): number {
  let sum = 0;
  for (let k = 0; k < sel.length; k++) { const x = v[sel[k] as number] as number; sum += x < 0 ? -x : x; }
  return sum;
}

/** sum/avg without FILTER, NULLs or per-row scales: one tight loop (one group: a local total). */
function sumSelected(s: AggregateState, v: NumArray, scale: number, sel: Uint32Array, groupOf: Int32Array, float: boolean): void {
  const n = sel.length;
  const target = float ? s.floatSum : s.partial;
  // Exactness (see absoluteSum) is checked in the same pass; floats need none.
  let abs = 0;
  if (s.total.length === 1) {
    let sum = 0;
    for (let k = 0; k < n; k++) { const x = v[sel[k] as number] as number; sum += x; abs += x < 0 ? -x : x; }
    if (!float) checkPartial(s, abs);
    target[0] = (target[0] as number) + sum;
    s.count[0] = (s.count[0] as number) + n;
    if (n > 0 && scale > (s.scaleSeen[0] as number)) s.scaleSeen[0] = scale;
    return;
  }
  const count = s.count;
  const scaleSeen = s.scaleSeen;
  for (let k = 0; k < n; k++) {
    const g = groupOf[k] as number;
    const x = v[sel[k] as number] as number;
    target[g] = (target[g] as number) + x;
    abs += x < 0 ? -x : x;
    count[g] = (count[g] as number) + 1;
    if (scale > (scaleSeen[g] as number)) scaleSeen[g] = scale;
  }
  if (!float) checkPartial(s, abs);
}

function accumulate(spec: AggregateSpec, s: AggregateState, ctx: SegmentContext, sel: Uint32Array, groupOf: Int32Array): void {
  const filter = spec.filter === null ? null : asBool(spec.filter.evaluate(ctx));
  const n = sel.length;
  if (spec.arg === null) {
    if (filter === null && s.total.length === 1) { s.count[0] = (s.count[0] as number) + n; return; }
    for (let k = 0; k < n; k++) {
      if (filter !== null && filter[sel[k] ?? 0] !== 1) continue;
      const g = groupOf[k] ?? 0;
      s.count[g] = (s.count[g] ?? 0) + 1;
    }
    return;
  }
  const vec = spec.arg.evaluate(ctx);
  if (spec.fn === 'count') {
    for (let k = 0; k < n; k++) {
      const i = sel[k] ?? 0;
      if ((filter !== null && filter[i] !== 1) || isNullIn(vec, i)) continue;
      const g = groupOf[k] ?? 0;
      s.count[g] = (s.count[g] ?? 0) + 1;
    }
    return;
  }
  const num = asNum(vec);
  s.vecScale = num.scale;
  const v = num.v;
  const nulls = num.nulls;
  const rowScales = num.rowScales;
  const sumLike = spec.fn === 'sum' || spec.fn === 'avg';
  const float = spec.argType?.kind === 'float4' || spec.argType?.kind === 'float8';
  if (sumLike && filter === null && nulls === null && rowScales === null) {
    sumSelected(s, v, num.scale, sel, groupOf, float);
    return;
  }
  if (sumLike && !float) checkPartial(s, absoluteSum(v, sel));
  const isMin = spec.fn === 'min';
  for (let k = 0; k < n; k++) {
    const i = sel[k] ?? 0;
    if ((filter !== null && filter[i] !== 1) || (nulls !== null && nulls[i] === 1)) continue;
    const g = groupOf[k] ?? 0;
    const x = v[i] ?? 0;
    s.count[g] = (s.count[g] ?? 0) + 1;
    const rs = rowScales === null ? num.scale : (rowScales[i] ?? 0);
    if (sumLike) {
      if (float) s.floatSum[g] = (s.floatSum[g] ?? 0) + x;
      else s.partial[g] = (s.partial[g] ?? 0) + x;
      if (rs > (s.scaleSeen[g] ?? 0)) s.scaleSeen[g] = rs;
    } else {
      const b = s.best[g] ?? NaN;
      if (Number.isNaN(b) || (isMin ? x < b : x > b)) { s.best[g] = x; s.bestScale[g] = rs; }
    }
  }
}

/** Combined per-segment key spaces up to this size map to groups through an Int32Array. */
const denseGroupSlotsMax = 1 << 16;

/** Group keys: per segment, each key column to dense ids, combined, then mapped to global groups. */
class Grouper {
  /** Per group its key values; null until asked for (keyValues) when the group remembers where they are. */
  readonly keys: (SqlValue[] | null)[] = [];
  private readonly index = new Map<string, number>();
  /** Per group, each key's raw value (rawOf): equal raw values are equal keys. */
  private readonly raw: (Raw[] | null)[] = [];
  /** The first key's raw value -> a group with it (any one; the rest of the keys are then compared). */
  private readonly byFirst = new Map<number | string, number>();
  /** Groups not yet in `index` (made on a new first key value); indexed before any key text lookup. */
  private readonly unindexed: number[] = [];
  /** Per group, the key vectors it was last met in and (madeAt, keys.length per group) its index in each. */
  private readonly madeFrom: (readonly Vec[])[] = [];
  private madeAt = new Int32Array(0);
  /** The first key's vector in the previous unit, and per index in it the group last met there (-1: none). */
  private lastFirst: Vec | null = null;
  private byIndex: Int32Array | null = null;
  /** The keys rows are grouped by (the ones no others determine). */
  private readonly exprs: readonly VNode[];
  /** Keys the others determine (AggregateOutput.dependent), with their place among all keys: read at the group's first row. */
  private readonly extras: readonly { readonly expr: VNode; readonly position: number }[];
  /** Per group the determined keys' vectors (one array per unit) and (extraAt, extras.length per group) the row read in each; or their values (extraValues). */
  private readonly extraFrom: (readonly Vec[] | null)[] = [];
  private extraAt = new Int32Array(0);
  private readonly extraValues: (SqlValue[] | null)[] = [];
  /** Per group made in a join unit: that unit's point reader (its row is extraAt[g × extras.length]). */
  private readonly extraPoint: (NonNullable<SegmentContext['point']> | undefined)[] = [];

  /** One integer or date key (Q3's l_orderkey, Q10's c_custkey once the others are determined): groups by value. */
  private readonly ints: IntGroups | null;

  constructor(all: readonly VNode[], dependent: readonly boolean[] = []) {
    this.exprs = all.filter((_, c) => dependent[c] !== true);
    this.extras = all.flatMap((expr, position) => (dependent[position] === true ? [{ expr, position }] : []));
    const [only] = this.exprs;
    this.ints = this.exprs.length === 1 && only !== undefined && isIntegerKey(only.type) ? new IntGroups() : null;
  }

  groupsOf(ctx: SegmentContext, sel: Uint32Array): Int32Array {
    const before = this.keys.length;
    const out = this.ints === null ? this.groupsByKeys(ctx, sel) : this.groupsByInt(this.ints, ctx, sel);
    if (this.extras.length > 0 && this.keys.length > before) this.takeExtras(ctx, sel, out, before);
    return out;
  }

  /**
   * The determined keys of the groups made in this unit (ids from `before`), from each one's first row: through
   * a join output's source when there is one (kept as vector and index: Q10's customer texts are read for the
   * 20 groups output only), else as values.
   */
  private takeExtras(ctx: SegmentContext, sel: Uint32Array, out: Int32Array, before: number): void {
    const m = this.extras.length;
    const point = ctx.point;
    if (point !== undefined && this.extras.every(({ expr }) => expr.columnPosition !== undefined)) {
      // A join output: each new group's determined keys followed down to the vectors holding them (Q10 at sf 0.5
      // reads customer from two segments, so its texts have no single source: concatenating and gathering
      // them per batch was ~15% of the query).
      // Only the unit and the row are kept (two writes per new group); they are followed down for the groups
      // output (keyValues): following them per group was slower than the gathers it replaced.
      this.growExtras(m);
      for (let k = 0; k < out.length; k++) {
        const g = out[k] as number;
        if (g < before || this.extraFrom[g] !== null || this.extraValues[g] !== null || this.extraPoint[g] !== undefined) continue;
        this.extraPoint[g] = point;
        this.extraAt[g * m] = sel[k] as number;
      }
      return;
    }
    const sources = this.extras.map(({ expr }) => (expr.columnPosition === undefined || ctx.source === undefined ? null : ctx.source(expr.columnPosition)));
    const lazy = sources.every((src) => src !== null);
    const vecs = lazy ? sources.map((src) => (src as { vec: Vec }).vec) : this.extras.map(({ expr }) => expr.evaluate(ctx));
    this.growExtras(m);
    for (let k = 0; k < out.length; k++) {
      const g = out[k] as number;
      if (g < before || this.extraFrom[g] !== null || this.extraValues[g] !== null) continue;
      const i = sel[k] as number;
      if (lazy) {
        this.extraFrom[g] = vecs;
        for (let c = 0; c < m; c++) this.extraAt[g * m + c] = (sources[c] as { rows: Uint32Array }).rows[i] as number;
      } else {
        this.extraValues[g] = vecs.map((vec, c) => valueAt(vec, i, this.extras[c]?.expr.type ?? { kind: 'text' }));
      }
    }
  }

  /** Room in extraAt/extraFrom/extraValues for every group so far. */
  private growExtras(m: number): void {
    const groups = this.keys.length;
    if (this.extraAt.length < groups * m) {
      const grown = new Int32Array(Math.max(groups * m, this.extraAt.length * 2));
      grown.set(this.extraAt);
      this.extraAt = grown;
    }
    while (this.extraFrom.length < groups) { this.extraFrom.push(null); this.extraValues.push(null); }
  }

  /** Group g's values of every key, in GROUP BY order. */
  keyValues(g: number): SqlValue[] {
    const own = this.ownValues(g);
    if (this.extras.length === 0) return own;
    let extra = this.extraValues[g] ?? null;
    const point = this.extraPoint[g];
    if (extra === null && point !== undefined) {
      const row = this.extraAt[g * this.extras.length] as number;
      extra = this.extras.map(({ expr }) => {
        const p = point(expr.columnPosition as number, row);
        return valueAt(p.vec, p.index, expr.type);
      });
      this.extraValues[g] = extra;
    }
    if (extra === null) {
      const from = this.extraFrom[g];
      if (from === null || from === undefined) throw new VectorFallback('a group without its determined key values');
      const m = this.extras.length;
      extra = from.map((vec, c) => valueAt(vec, this.extraAt[g * m + c] as number, this.extras[c]?.expr.type ?? { kind: 'text' }));
      this.extraValues[g] = extra;
    }
    const values: SqlValue[] = [];
    let o = 0;
    let e = 0;
    for (let c = 0; c < own.length + extra.length; c++) {
      values.push(this.extras[e]?.position === c ? (extra[e++] ?? null) : (own[o++] ?? null));
    }
    return values;
  }

  private groupsByKeys(ctx: SegmentContext, sel: Uint32Array): Int32Array {
    const n = sel.length;
    const out = new Int32Array(n);
    if (this.exprs.length === 0) {
      if (this.keys.length === 0) { this.keys.push([]); this.index.set('', 0); }
      return out;
    }
    // Each key as a vector and, per selected row, its index there: a join output's column not yet gathered is
    // read from its source (Q10's customer texts: no array of 56k strings per key and batch, only indexes).
    const composed = new Map<Uint32Array, Uint32Array>();
    const at: Uint32Array[] = [];
    const vecs = this.exprs.map((e, c) => {
      const source = e.columnPosition === undefined || ctx.source === undefined ? null : ctx.source(e.columnPosition);
      if (source === null) { at[c] = sel; return e.evaluate(ctx); }
      let rows = composed.get(source.rows);
      if (rows === undefined) {
        rows = new Uint32Array(n);
        const inner = source.rows;
        for (let k = 0; k < n; k++) rows[k] = inner[sel[k] as number] as number;
        composed.set(source.rows, rows);
      }
      at[c] = rows;
      return source.vec;
    });
    const firstKey = vecs[0] ?? null;
    const firstAt = at[0] ?? sel;
    // The first key read from the same vector as in the previous unit (a join's build side: Q10's customer rows
    // under every lineitem batch): per row, the group last met at that index, confirmed by its keys' indexes.
    // Only when every key is read from a source vector (held anyway), so remembering vectors keeps no per-unit
    // vector alive.
    const throughSources = firstKey !== null && at.every((a) => a !== sel);
    if (throughSources && firstKey === this.lastFirst) return this.groupsByIndex(vecs, at, firstKey, firstAt, out);
    this.lastFirst = throughSources ? firstKey : null;
    // The groups of this unit by index too, for the next unit's lookups.
    const byIndex = throughSources && firstKey !== null ? new Int32Array(vecLength(firstKey)).fill(-1) : null;
    this.byIndex = byIndex;
    const local = new Float64Array(n);
    let stride = 1;
    // Index arrays under which equal combined ids always have the same index: every key read through one
    // is determined (Q10: c_custkey picks one customer row, so c_name, c_address, ... and the nation row).
    const sameRow = new Set<Uint32Array>();
    const notSameRow = new Set<Uint32Array>();
    for (const [c, vec] of vecs.entries()) {
      const rowsOf = at[c] ?? sel;
      if (sameRow.has(rowsOf)) continue;
      if (!notSameRow.has(rowsOf)) {
        if (sameIndexes(rowsOf, local, stride)) { sameRow.add(rowsOf); continue; }
        notSameRow.add(rowsOf);
      }
      // A key the keys before it determine (Q10's c_name ... after c_custkey, Q3's o_orderdate after
      // l_orderkey) splits no group: one pass of equality checks instead of a Map per row.
      if (determined(vec, rowsOf, local, stride)) continue;
      notSameRow.clear(); // the ids below get finer: an index array may now pass
      const [ids, cardinality] = denseIds(vec, rowsOf);
      for (let k = 0; k < n; k++) local[k] = (local[k] ?? 0) + (ids[k] ?? 0) * stride;
      stride *= cardinality;
      // Many keys (Q10 groups by 7 columns): renumber the combinations seen so the key space stays below the row count.
      if (stride > n) stride = renumber(local);
      checkSafe(stride, 'the combined group key space');
    }
    // Small key spaces (Q1: 2 flags) map through a typed array rather than a Map.
    const dense = stride <= denseGroupSlotsMax ? new Int32Array(stride).fill(-1) : null;
    const seen = new Map<number, number>();
    for (let k = 0; k < n; k++) {
      const l = local[k] as number;
      let g: number | undefined = dense === null ? seen.get(l) : (dense[l] as number);
      if (g === -1) g = undefined;
      if (g === undefined) {
        g = this.resolve(vecs, at, firstKey, firstAt, k);
        if (dense === null) seen.set(l, g); else dense[l] = g;
      }
      if (byIndex !== null) byIndex[firstAt[k] as number] = g;
      out[k] = g;
    }
    return out;
  }

  /**
   * Groups by the first key's index (see groupsOf): a group met at the same index is the row's group when its
   * keys were read at the same indexes of the same vectors (same values), or have the same raw values; else
   * the row is resolved as a new combination. Q10: one Int32Array read and 9 index compares per row, instead
   * of combined ids, a Map and a raw comparison per group per batch.
   */
  private groupsByIndex(vecs: readonly Vec[], at: readonly Uint32Array[], firstKey: Vec, firstAt: Uint32Array, out: Int32Array): Int32Array {
    let byIndex = this.byIndex;
    if (byIndex === null) {
      byIndex = new Int32Array(vecLength(firstKey)).fill(-1);
      this.byIndex = byIndex;
    }
    const width = vecs.length;
    for (let k = 0; k < out.length; k++) {
      const idx = firstAt[k] as number;
      let g = byIndex[idx] as number;
      if (g >= 0 && !this.sameIndexesAs(g, vecs, at, k)) {
        if (rawEquals(this.rawValues(g), vecs, at, k)) this.remember(g, vecs, at, k, width);
        else g = -1;
      }
      if (g < 0) {
        g = this.resolve(vecs, at, firstKey, firstAt, k);
        byIndex[idx] = g;
      }
      out[k] = g;
    }
    return out;
  }

  /** Group g's raw key values (rawOf; made from where the group was last met when not made yet: any row of the group will do). */
  private rawValues(g: number): Raw[] {
    const made = this.raw[g];
    if (made !== null && made !== undefined) return made;
    const from = this.madeFrom[g];
    if (from === undefined) throw new VectorFallback('a group without its raw key values');
    const width = from.length;
    const raw = rawOf(from, from.map((_, c) => Uint32Array.of(this.madeAt[g * width + c] as number)), 0);
    this.raw[g] = raw;
    return raw;
  }

  /**
   * Groups by one integer key's value: one hash lookup per row (the key read through the join output's source:
   * nothing gathered), a new group per new value (NULL is one more). No per-unit ids, Map or key comparison.
   */
  private groupsByInt(ints: IntGroups, ctx: SegmentContext, sel: Uint32Array): Int32Array {
    const n = sel.length;
    const out = new Int32Array(n);
    const e = this.exprs[0] as VNode;
    const source = e.columnPosition === undefined || ctx.source === undefined ? null : ctx.source(e.columnPosition);
    const vec = source === null ? e.evaluate(ctx) : source.vec;
    if (vec.t !== 'num' || vec.rowScales !== null) throw new VectorFallback('an integer group key that is not a number vector');
    const rows = source === null ? sel : source.rows;
    const v = vec.v;
    const nulls = vec.nulls;
    for (let k = 0; k < n; k++) {
      const i = (source === null ? sel[k] : rows[sel[k] as number]) as number;
      let g: number;
      if (nulls !== null && nulls[i] === 1) {
        g = ints.nullGroup;
        if (g < 0) { g = this.keys.length; this.keys.push([null]); ints.nullGroup = g; }
      } else {
        const x = v[i] as number;
        g = ints.find(x);
        if (g < 0) { g = this.keys.length; this.keys.push(null); ints.add(x, g); }
      }
      out[k] = g;
    }
    return out;
  }

  /** Group g's values of the keys it is grouped by (made from where the group was last met when not made yet). */
  private ownValues(g: number): SqlValue[] {
    const made = this.keys[g];
    if (made !== null && made !== undefined) return made;
    if (this.ints !== null) {
      const values = [valueAt({ t: 'num', v: Float64Array.of(this.ints.valueOf(g)), nulls: null, scale: -1, rowScales: null }, 0, (this.exprs[0] as VNode).type)];
      this.keys[g] = values;
      return values;
    }
    const from = this.madeFrom[g];
    if (from === undefined) throw new VectorFallback('a group without its key values');
    const width = from.length;
    const values = from.map((vec, c) => valueAt(vec, this.madeAt[g * width + c] as number, this.exprs[c]?.type ?? { kind: 'text' }));
    this.keys[g] = values;
    return values;
  }

  /** Whether group g's keys were last met in these very vectors, at row k's indexes or ones with equal values. */
  private sameIndexesAs(g: number, vecs: readonly Vec[], at: readonly Uint32Array[], k: number): boolean {
    const from = this.madeFrom[g];
    if (from === undefined) return false;
    const base = g * vecs.length;
    for (let c = 0; c < vecs.length; c++) {
      const vec = vecs[c] as Vec;
      if (from[c] !== vec) return false;
      const was = this.madeAt[base + c] as number;
      const now = (at[c] as Uint32Array)[k] as number;
      // Another index of the same vector: compare that key's values (Q10 has a key read through the orders rows,
      // equal for one customer's orders).
      if (was !== now && !(sameKey(vec, was, now) && (vec.t !== 'num' || vec.rowScales === null || vec.rowScales[was] === vec.rowScales[now]))) return false;
    }
    return true;
  }

  private remember(g: number, vecs: readonly Vec[], at: readonly Uint32Array[], k: number, width: number): void {
    if (this.madeAt.length < (g + 1) * width) {
      const grown = new Int32Array(Math.max((g + 1) * width, this.madeAt.length * 2));
      grown.set(this.madeAt);
      this.madeAt = grown;
    }
    this.madeFrom[g] = vecs;
    for (let c = 0; c < width; c++) this.madeAt[g * width + c] = (at[c] as Uint32Array)[k] as number;
  }

  /** The group of selected row k, found among the groups so far or made. */
  private resolve(vecs: readonly Vec[], at: readonly Uint32Array[], firstKey: Vec | null, firstAt: Uint32Array, k: number): number {
    // Seen in an earlier unit? By the first key's value, confirmed on every key's raw value: no key text
    // (Q10's 7 text and numeric keys per group per batch were most of its time).
    const first = firstKey === null ? undefined : rawFirst(firstKey, firstAt[k] as number);
    const candidate = first === undefined ? undefined : this.byFirst.get(first);
    let g: number | undefined;
    if (candidate !== undefined && rawEquals(this.rawValues(candidate), vecs, at, k)) g = candidate;
    else if (candidate === undefined && first !== undefined && firstKey !== null && exactFirst(firstKey)) {
      // A first key value no group has (its raw value is its value): a new group, no key text needed
      // (indexed by key text only if a later lookup needs it).
      g = this.keys.length;
      // Remembered groups (lastFirst set) make their values only when asked: Q10 makes ~7.7k groups and outputs 20.
      this.keys.push(this.lastFirst !== null ? null : vecs.map((vec, c) => valueAt(vec, at[c]?.[k] ?? 0, this.exprs[c]?.type ?? { kind: 'text' })));
      this.raw.push(this.lastFirst !== null ? null : rawOf(vecs, at, k));
      this.unindexed.push(g);
      this.byFirst.set(first, g);
    } else {
      for (const u of this.unindexed) this.index.set(this.ownValues(u).map(keyText).join('\u0000'), u);
      this.unindexed.length = 0;
      const values = vecs.map((vec, c) => valueAt(vec, at[c]?.[k] ?? 0, this.exprs[c]?.type ?? { kind: 'text' }));
      const key = values.map(keyText).join('\u0000');
      g = this.index.get(key);
      if (g === undefined) {
        g = this.keys.length;
        this.keys.push(values);
        this.raw.push(rawOf(vecs, at, k));
        this.index.set(key, g);
      }
      if (first !== undefined && candidate === undefined) this.byFirst.set(first, g);
    }
    if (this.lastFirst !== null) this.remember(g, vecs, at, k, vecs.length);
    return g;
  }
}

/**
 * Integer key -> group id, open addressing over a Float64Array of keys (exact integers) and an Int32Array of
 * ids (-1: empty), doubled at half full; and per group its key (valueOf).
 */
class IntGroups {
  nullGroup = -1;
  private mask = 1023;
  private slotKeys = new Float64Array(1024);
  private ids = new Int32Array(1024).fill(-1);
  private size = 0;
  private values = new Float64Array(64);

  private slotOf(key: number): number {
    const lo = key | 0;
    const hi = (key / 4294967296) | 0;
    let h = Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1);
    h ^= h >>> 16;
    let slot = h & this.mask;
    while (this.ids[slot] !== -1 && this.slotKeys[slot] !== key) slot = (slot + 1) & this.mask;
    return slot;
  }

  find(key: number): number {
    return this.ids[this.slotOf(key)] as number;
  }

  /** Adds a key not present, with group id g. */
  add(key: number, g: number): void {
    if (g >= this.values.length) {
      const grown = new Float64Array(Math.max(g + 1, this.values.length * 2));
      grown.set(this.values);
      this.values = grown;
    }
    this.values[g] = key;
    if (++this.size * 2 > this.mask + 1) this.rehash();
    const slot = this.slotOf(key);
    this.slotKeys[slot] = key;
    this.ids[slot] = g;
  }

  valueOf(g: number): number {
    return this.values[g] as number;
  }

  private rehash(): void {
    const keys = this.slotKeys;
    const ids = this.ids;
    this.mask = keys.length * 2 - 1;
    this.slotKeys = new Float64Array(keys.length * 2);
    this.ids = new Int32Array(keys.length * 2).fill(-1);
    for (let s = 0; s < keys.length; s++) {
      const g = ids[s] as number;
      if (g < 0) continue;
      const slot = this.slotOf(keys[s] as number);
      this.slotKeys[slot] = keys[s] as number;
      this.ids[slot] = g;
    }
  }
}

/** The number of values in a vector. */
function vecLength(vec: Vec): number {
  return vec.t === 'dict' ? vec.codes.length : vec.v.length;
}

type Raw = number | string | null;

/** Selected row k's key values (key c at index at[c][k] of vecs[c]) as primitives (a number also with its row's scale), for rawEquals. */
function rawOf(vecs: readonly Vec[], at: readonly Uint32Array[], k: number): Raw[] {
  const out: Raw[] = [];
  for (const [c, vec] of vecs.entries()) {
    const i = at[c]?.[k] ?? 0;
    switch (vec.t) {
      case 'num':
        if (vec.nulls !== null && vec.nulls[i] === 1) out.push(null, null);
        else out.push(vec.v[i] ?? 0, vec.rowScales?.[i] ?? vec.scale);
        break;
      case 'dict': out.push(vec.nulls !== null && vec.nulls[i] === 1 ? null : (vec.dict[vec.codes[i] ?? 0] ?? null)); break;
      case 'str': out.push(vec.v[i] ?? null); break;
      case 'bool': out.push(vec.v[i] ?? 2); break;
    }
  }
  return out;
}

/** Whether row i's keys have exactly the raw values `raw` (same values: same group; different raw values may still be one group, found by key text). */
function rawEquals(raw: readonly Raw[], vecs: readonly Vec[], at: readonly Uint32Array[], k: number): boolean {
  let j = 0;
  for (const [c, vec] of vecs.entries()) {
    const i = at[c]?.[k] ?? 0;
    switch (vec.t) {
      case 'num':
        if (vec.nulls !== null && vec.nulls[i] === 1) { if (raw[j] !== null) return false; }
        else if (raw[j] !== vec.v[i] || raw[j + 1] !== (vec.rowScales?.[i] ?? vec.scale)) return false;
        j += 2;
        break;
      case 'dict':
        if (raw[j++] !== (vec.nulls !== null && vec.nulls[i] === 1 ? null : (vec.dict[vec.codes[i] ?? 0] ?? null))) return false;
        break;
      case 'str': if (raw[j++] !== (vec.v[i] ?? null)) return false; break;
      case 'bool': if (raw[j++] !== (vec.v[i] ?? 2)) return false; break;
    }
  }
  return true;
}

/** Whether equal raw first-key values are exactly equal key values (integers, dates, texts): a new one is a new group. */
function exactFirst(vec: Vec): boolean {
  return vec.t === 'dict' || vec.t === 'str' || (vec.t === 'num' && vec.scale === -1 && vec.rowScales === null);
}

/** The first key's raw value at row i (a non-NULL number or string), or undefined. */
function rawFirst(vec: Vec, i: number): number | string | undefined {
  if (vec.t === 'num') return vec.nulls !== null && vec.nulls[i] === 1 ? undefined : (vec.v[i] ?? 0);
  if (vec.t === 'dict') return vec.nulls !== null && vec.nulls[i] === 1 ? undefined : vec.dict[vec.codes[i] ?? 0];
  if (vec.t === 'str') return vec.v[i] ?? undefined;
  return undefined;
}

/** Whether rows with the same combined id `local` (all below `stride`) always have equal values in `vec` (selected row k at index sel[k]). */
function determined(vec: Vec, sel: Uint32Array, local: Float64Array, stride: number): boolean {
  const n = local.length;
  if (stride > Math.max(n, 1)) return false;
  const first = new Int32Array(stride).fill(-1);
  for (let k = 0; k < n; k++) {
    const l = local[k] as number;
    const r = first[l] as number;
    if (r === -1) { first[l] = sel[k] as number; continue; }
    if (!sameKey(vec, r, sel[k] as number)) return false;
  }
  return true;
}

/** Whether rows with the same combined id `local` (all below `stride`) always have the same index in `rows`: then any key read through `rows` is determined. */
function sameIndexes(rows: Uint32Array, local: Float64Array, stride: number): boolean {
  const n = local.length;
  if (stride > Math.max(n, 1)) return false;
  const first = new Int32Array(stride).fill(-1);
  for (let k = 0; k < n; k++) {
    const l = local[k] as number;
    const r = first[l] as number;
    const x = rows[k] as number;
    if (r === -1) first[l] = x;
    else if (r !== x) return false;
  }
  return true;
}

/** Whether rows i and j of a key vector fall in the same group (NULL with NULL), as denseIds would decide. */
function sameKey(vec: Vec, i: number, j: number): boolean {
  switch (vec.t) {
    case 'num': {
      const ni = vec.nulls !== null && vec.nulls[i] === 1;
      const nj = vec.nulls !== null && vec.nulls[j] === 1;
      return ni || nj ? ni === nj : vec.v[i] === vec.v[j];
    }
    case 'dict': {
      const ni = vec.nulls !== null && vec.nulls[i] === 1;
      const nj = vec.nulls !== null && vec.nulls[j] === 1;
      return ni || nj ? ni === nj : vec.codes[i] === vec.codes[j];
    }
    case 'bool': return vec.v[i] === vec.v[j];
    case 'str': return vec.v[i] === vec.v[j];
  }
}

/** Replaces each value by a dense id (0..distinct-1) in place; returns the number of distinct values. */
function renumber(local: Float64Array): number {
  const ids = new Map<number, number>();
  for (let k = 0; k < local.length; k++) {
    const x = local[k] ?? 0;
    let id = ids.get(x);
    if (id === undefined) { id = ids.size; ids.set(x, id); }
    local[k] = id;
  }
  return Math.max(ids.size, 1);
}

function keyText(v: SqlValue): string {
  if (v === null) return '\u0001';
  if (v instanceof Decimal) return `d${v.toString()}`;
  return `${typeof v}${String(v)}`;
}

/** Dense ids (0..cardinality-1) of the selected rows of one key vector. */
function denseIds(vec: Vec, sel: Uint32Array): [Int32Array, number] {
  const n = sel.length;
  const ids = new Int32Array(n);
  if (vec.t === 'dict') {
    const nullId = vec.dict.length;
    for (let k = 0; k < n; k++) {
      const i = sel[k] ?? 0;
      ids[k] = vec.nulls !== null && vec.nulls[i] === 1 ? nullId : (vec.codes[i] ?? 0);
    }
    return [ids, nullId + 1];
  }
  if (vec.t === 'bool') {
    for (let k = 0; k < n; k++) ids[k] = vec.v[sel[k] ?? 0] ?? 2;
    return [ids, 3];
  }
  const map = new Map<number | string | null, number>();
  for (let k = 0; k < n; k++) {
    const i = sel[k] ?? 0;
    const key = vec.t === 'str' ? (vec.v[i] ?? null) : (vec.nulls !== null && vec.nulls[i] === 1 ? null : (vec.v[i] ?? 0));
    let id = map.get(key);
    if (id === undefined) { id = map.size; map.set(key, id); }
    ids[k] = id;
  }
  return [ids, Math.max(map.size, 1)];
}

/**
 * The rows visible and passing every filter, ascending: the visible rows
 * (a copy: narrowed in place), then each filter narrows the survivors of the
 * ones before it (comparisons with constants look only at those rows).
 */
/**
 * Conjuncts in the order they narrow the selection: comparisons with
 * constants first (cheap, and date ranges are selective), then other nodes
 * that can test only the survivors, then the rest. AND is commutative, and a
 * node's errors (VectorFallback) do not depend on which rows are selected.
 */
function filterOrder(filters: readonly VNode[]): VNode[] {
  const cost = (f: VNode): number => (f.select === undefined ? 2 : (f.selectCost ?? 1));
  return [...filters].sort((a, b) => cost(a) - cost(b));
}

/** 0..n-1, shared by every unfiltered unit: never written after it is made (a longer one replaces it). */
let identityRows = new Uint32Array(0);

/** The rows 0..n-1; read-only (shared). Allocating and filling one per unfiltered segment (Q5 reads all of lineitem) was Q5's largest self time. */
function allRows(n: number): Uint32Array {
  if (identityRows.length < n) {
    const rows = new Uint32Array(Math.max(n, identityRows.length * 2));
    for (let i = 0; i < rows.length; i++) rows[i] = i;
    identityRows = rows;
  }
  return identityRows.subarray(0, n);
}

/** Scratch for narrowing a selection that may be shared (allRows); grown, never shrunk. */
let scratchRows = new Uint32Array(0);

/**
 * The selected rows; read-only when no filter narrowed them (then shared,
 * see allRows), else the caller's own.
 */
function filteredSelection(ctx: SegmentContext, visible: Uint32Array | null, filters: readonly VNode[], sets: readonly ScanKeySet[] = [], stats?: LeafStats, ops?: LeafOperatorStats): Uint32Array {
  if (visible === null && filters.length === 0 && sets.length === 0) return allRows(ctx.length);
  // Narrowed in a shared scratch array and copied out at the end (only the survivors): a fresh
  // zero-filled array per segment, filled with 0..n-1, was the largest self time of Q10 at sf 0.2.
  const from = visible ?? allRows(ctx.length);
  if (selScratch.length < from.length) selScratch = new Uint32Array(Math.max(from.length, selScratch.length * 2));
  const sel = selScratch;
  let count = from.length;
  // Join key sets first: a bit test per row, and they keep few rows (Q3/Q10: the filtered orders' keys keep
  // 5-10% of lineitem), so the filters after them (l_shipdate) look at those rows only. A dense set (Q10's
  // every customer key, for o_custkey) keeps most rows: after the filters, over their survivors.
  const before = sets.filter((s) => s.set.density <= denseSetShare);
  const after = before.length === sets.length ? [] : sets.filter((s) => s.set.density > denseSetShare);
  if (before.length > 0) {
    let src = from;
    // A set whose key ascends over the rows goes first (Q5: l_orderkey before l_suppkey): it skips from set key
    // to set key instead of testing every row.
    const ordered = before.length < 2 ? before : [...before].sort((a, b) => Number(ascendingKey(b, ctx, from)) - Number(ascendingKey(a, ctx, from)));
    for (const s of ordered) {
      if (count === 0) break;
      const kept = s.set.narrow(s.key.evaluate(ctx), src, count, sel);
      dropped(s, count - kept, stats, ops);
      count = kept;
      src = sel;
    }
  } else {
    sel.set(from);
  }
  const filtering = ops !== undefined && filters.length > 0 ? performance.now() : 0;
  for (const f of filters) {
    if (count === 0) break;
    count = selectWith(f, ctx, sel, count);
  }
  if (ops !== undefined && filters.length > 0) ops.filterSelfMs += performance.now() - filtering;
  for (const s of after) {
    if (count === 0) break;
    const kept = s.set.narrow(s.key.evaluate(ctx), sel, count, sel);
    dropped(s, count - kept, stats, ops);
    count = kept;
  }
  if (visible === null && count === ctx.length) return allRows(count);
  return sel.slice(0, count);
}

/** Rows a key set removed in a scan: the leaf's total, the scan's line and the join that made the set. */
function dropped(s: ScanKeySet, n: number, stats: LeafStats | undefined, ops: LeafOperatorStats | undefined): void {
  if (stats !== undefined) stats.semiJoinDropped += n;
  if (ops !== undefined) ops.scan.keySetDropped += n;
  if (s.tally !== null) s.tally.dropped += n;
}

/** Whether a key set's key is an integer vector ascending over the rows `from`. */
function ascendingKey(s: ScanKeySet, ctx: SegmentContext, from: Uint32Array): boolean {
  const key = s.key.evaluate(ctx);
  return key.t === 'num' && keysAscending(key.v, from, from.length);
}

/** Key sets holding more than this share of the keys in their range are tested after a scan's filters. */
const denseSetShare = 0.5;

/** Scratch for filteredSelection; grown, never shrunk. */
let selScratch = new Uint32Array(0);

/** A join key set applied in a scan, before its filters: keep the rows whose `key` (over the scan row) is in `set`. */
interface ScanKeySet {
  readonly set: KeySet;
  readonly key: VNode;
  /** The join's count of rows its sets removed (EXPLAIN ANALYZE). */
  readonly tally: KeySetTally | null;
}

interface Unit {
  readonly ctx: SegmentContext;
  /** The selected rows (ascending); all of them when its length is ctx.length. */
  readonly sel: Uint32Array;
}

/** The leaf's input, segment by segment (a scan) or batch by batch (a join), with its filters applied. */
async function* unitsOf(leaf: VectorLeaf, columns: ColumnAccess, env: ExecEnv, constants: readonly SqlValue[], stats: LeafStats, pushed: readonly PushedKeys[] = [], scanSets: readonly ScanKeySet[] = []): AsyncGenerator<Unit> {
  const filters = filterOrder(leaf.filters);
  const ops = operatorsOf(stats, leaf);
  if (leaf.join !== null) {
    const join = leaf.join;
    const started = clock(stats);
    const joinStats = ops.join;
    // Each side's key sets narrow the other side's rows before they are gathered or probed (down to the scan
    // that has the key column). The side run first gives its sets: the left, unless the right is a scan of a
    // table at most a quarter of the left's largest (Q5's region, nation, supplier: their sets then cut
    // customer and lineitem deep in the left).
    const down = splitPushed(pushed, join.leftWidth);
    const rightFirst = join.right.join === null && tableRows(columns, join.right) * 4 <= tableRows(columns, join.left);
    let left: Batch[];
    let right: Batch[];
    const context = (b: Batch): SegmentContext => batchContext(b, constants, env);
    if (rightFirst) {
      right = await batchesOf(join.right, columns, env, constants, stats, down.right);
      left = await batchesOf(join.left, columns, env, constants, stats, [...down.left, ...keySetsFor(right, join.rightKeys, join.leftKeys, context, joinStats, 'left')]);
    } else {
      left = await batchesOf(join.left, columns, env, constants, stats, down.left);
      right = await batchesOf(join.right, columns, env, constants, stats, [...down.right, ...keySetsFor(left, join.leftKeys, join.rightKeys, context, joinStats, 'right')]);
    }
    const waited = joinStats.waitMs;
    const batches = await hashJoin({ batches: left, keys: join.leftKeys }, { batches: right, keys: join.rightKeys }, join.leftWidth, constants, env, joinStats);
    stats.pausedMs += joinStats.waitMs - waited;
    stats.joinRows += joinStats.outputRows;
    // Both inputs are materialized: the join's first row comes when the whole probe is done.
    joinStats.rows = joinStats.outputRows;
    joinStats.totalMs = clock(stats) - started;
    joinStats.firstMs = joinStats.totalMs;
    ops.filter.totalMs = joinStats.totalMs;
    for (const batch of batches) {
      const ctx = batchContext(batch, constants, env);
      const at = clock(stats);
      const sel = filteredSelection(ctx, null, filters);
      stats.rowsSelected += sel.length;
      ops.filter.totalMs += clock(stats) - at;
      ops.filter.rows += sel.length;
      if (ops.filter.firstMs < 0 && sel.length > 0) ops.filter.firstMs = ops.filter.totalMs;
      yield { ctx, sel };
    }
    if (ops.filter.firstMs < 0) ops.filter.firstMs = ops.filter.totalMs;
    return;
  }
  const table = leaf.table;
  // This generator's own time (the scan's and its filter's): from each resume to the next yield, not the
  // consumer's work in between nor yields to other work.
  let mark = clock(stats);
  let activeMs = 0;
  const settle = (): void => {
    const now = clock(stats);
    activeMs += now - mark;
    mark = now;
    ops.filter.totalMs = activeMs;
    ops.scan.totalMs = activeMs - ops.filterSelfMs;
    ops.scan.rows = ops.scan.rowsVisible - ops.scan.keySetDropped;
  };
  for (const batch of scanSegments(leaf, columns, constants, stats, ops)) {
    env.runtime.checkCancelled();
    const length = batch.rowCount;
    const vecs = new Map<number, Vec>();
    const ctx: SegmentContext = {
      length, constants, env, cache: new Map(),
      column: (position) => {
        let v = vecs.get(position);
        if (v === undefined) {
          const vector = batch.columns[position];
          const column = table.columns[position];
          if (vector === undefined || column === undefined) throw new VectorFallback(`column ${position} missing from the scan`);
          v = vecOfColumn(vector, length, column.type);
          vecs.set(position, v);
        }
        return v;
      },
    };
    stats.rowsScanned += batch.selection?.length ?? length;
    ops.scan.rowsVisible += batch.selection?.length ?? length;
    const sel = filteredSelection(ctx, batch.selection, filters, scanSets, stats, ops);
    stats.rowsSelected += sel.length;
    ops.filter.rows += sel.length;
    settle();
    if (ops.filter.firstMs < 0 && sel.length > 0) { ops.filter.firstMs = ops.filter.totalMs; ops.scan.firstMs = ops.scan.totalMs; }
    yield { ctx, sel };
    mark = clock(stats);
    await pause(stats);
  }
  settle();
  if (ops.filter.firstMs < 0) { ops.filter.firstMs = ops.filter.totalMs; ops.scan.firstMs = ops.scan.totalMs; }
}

/** The segments of a scan leaf's table visible at the read index, zone-map pruned (counted in stats). */
function scanSegments(leaf: VectorLeaf, columns: ColumnAccess, constants: readonly SqlValue[], stats: LeafStats, ops: LeafOperatorStats = operatorsOf(stats, leaf)): Iterable<ScanBatch> {
  const table = leaf.table;
  const positions = [...new Set(table.columns.map((_, i) => i))];
  const columnIds = positions.map((p) => table.columns[p]?.id ?? 0);
  const ruleTypes = leaf.pruneRules.map((r) => table.columns[r.position]?.type ?? { kind: 'int4' as const });
  const prune = (zones: readonly ZoneMap[]): boolean => {
    stats.segmentsTotal++;
    ops.scan.segmentsTotal++;
    const ok = leaf.pruneRules.every((r, k) => keep(r, zones[r.position], constants[r.constantId] ?? null, ruleTypes[k] ?? { kind: 'int4' }));
    if (!ok) { stats.segmentsPruned++; ops.scan.segmentsPruned++; }
    return ok;
  };
  return columns.store.scanTable(table.id, columnIds, columns.readIndex, { prune });
}

/**
 * A scan → filter → group-aggregate leaf through the fused kernel (on this
 * thread or the worker pool, parallel/fused.ts); null when the plan or a
 * segment has no kernel form (then nothing was counted and the caller runs
 * the operator-at-a-time path).
 */
async function fusedAggregate(leaf: VectorLeaf, columns: ColumnAccess, env: ExecEnv, constants: readonly SqlValue[], stats: LeafStats): Promise<Row[] | null> {
  const output = leaf.output;
  if (output.kind !== 'aggregate') return null;
  if (leaf.join !== null) return fusedJoinAggregate(leaf, columns, env, constants, stats);
  const plan = fusedPlan(leaf.table, leaf.filters, output.groupBy, output.aggregates, constants);
  if (plan === null) return null;
  const saved = { ...stats };
  env.runtime.checkCancelled();
  const started = clock(stats);
  const ops = operatorsOf(stats, leaf);
  const batches = [...scanSegments(leaf, columns, constants, stats, ops)];
  const result = await runFused(plan, leaf.table, batches);
  if (result === null) { restoreStats(stats, saved); return null; }
  env.runtime.checkCancelled();
  for (const b of batches) stats.rowsScanned += b.selection?.length ?? b.rowCount;
  stats.parallelDegree = result.degree;
  const selectedBefore = stats.rowsSelected;
  const rows = fusedRows(output.aggregates, result, output.groupBy.length === 0, stats);
  // One loop did the scan, the filters and the aggregate: each line gets the kernel's time and the rows it counts.
  const ms = clock(stats) - started;
  ops.fused = result.degree;
  ops.scan.rowsVisible = stats.rowsScanned - saved.rowsScanned;
  fusedLine(ops.scan, ops.scan.rowsVisible, ms);
  fusedLine(ops.filter, stats.rowsSelected - selectedBefore, ms);
  ops.top.rowsIn = ops.filter.rows;
  ops.top.groups = stats.groups;
  return rows;
}

function fusedLine(op: OperatorStats, rows: number, ms: number): void {
  op.rows = rows;
  op.firstMs = ms;
  op.totalMs = ms;
}

/** A global aggregate over fact ⋈ small dimension through the join kernel (parallel/dimjoin.ts); null as fusedAggregate. */
async function fusedJoinAggregate(leaf: VectorLeaf, columns: ColumnAccess, env: ExecEnv, constants: readonly SqlValue[], stats: LeafStats): Promise<Row[] | null> {
  const output = leaf.output;
  if (output.kind !== 'aggregate') return null;
  const plan = dimJoinPlan(leaf, constants, (l) => tableRows(columns, l));
  if (plan === null) return null;
  const saved = { ...stats };
  env.runtime.checkCancelled();
  const started = clock(stats);
  const tables = await dimTables(plan, unitsOf(plan.dim, columns, env, constants, stats));
  const factStarted = clock(stats);
  const factOps = operatorsOf(stats, plan.fact);
  const batches = tables === null ? [] : [...scanSegments(plan.fact, columns, constants, stats, factOps)];
  const result = tables === null ? null : await runDimJoin(plan, tables, batches, env);
  if (result === null) { restoreStats(stats, saved); return null; }
  env.runtime.checkCancelled();
  for (const b of batches) stats.rowsScanned += b.selection?.length ?? b.rowCount;
  const joined = result.counts.reduce((n, c) => n + c, 0);
  stats.joinRows += joined;
  stats.parallelDegree = result.degree;
  const rows = fusedRows(output.aggregates, result, output.groupBy.length === 0, stats);
  // The dimension ran on the operator path (its lines are its own); the fact scan, its filters, the join and
  // the join's filters are one loop that counts only the matched rows: the fact's filter and output lines
  // have no count of their own (-1).
  const ms = clock(stats) - started;
  const ops = operatorsOf(stats, leaf);
  const dimOps = operatorsOf(stats, plan.dim);
  const dimOut = plan.dim.filters.length > 0 ? dimOps.filter : dimOps.scan;
  Object.assign(dimOps.top, { rows: dimOut.rows, firstMs: dimOut.firstMs, totalMs: dimOut.totalMs, rowsIn: dimOut.rows });
  ops.fused = result.degree;
  factOps.fused = result.degree;
  factOps.scan.rowsVisible = stats.rowsScanned - saved.rowsScanned - dimOps.scan.rowsVisible;
  fusedLine(factOps.scan, factOps.scan.rowsVisible, clock(stats) - factStarted);
  fusedLine(factOps.filter, -1, factOps.scan.totalMs);
  fusedLine(factOps.top, -1, factOps.scan.totalMs);
  fusedLine(ops.join, joined, ms);
  ops.join.buildSide = plan.dim === leaf.join?.left ? 'left' : 'right';
  ops.join.buildRows = dimOut.rows;
  ops.join.probeRows = factOps.scan.rowsVisible;
  ops.join.outputRows = joined;
  fusedLine(ops.filter, joined, ms);
  ops.top.rowsIn = joined;
  ops.top.groups = stats.groups;
  return rows;
}


/** The fused result as the serial path's rows: the same AggregateState and finalize, so scales and digits match. */
function fusedRows(aggregates: readonly AggregateSpec[], result: FusedResult, global: boolean, stats: LeafStats): Row[] {
  const keys: SqlValue[][] = result.keys;
  if (global && keys.length === 0) { keys.push([]); result.counts.push(0); result.totals.push(result.sumScales.map(() => 0n)); result.nonNull.push(result.sumScales.map(() => 0)); }
  const groups = keys.length;
  const states = aggregates.map((_, a) => {
    const s = new AggregateState();
    s.grow(groups);
    const source = result.aggregates[a];
    const scale = source?.k === 'sum' ? (result.sumScales[source.slot] ?? -1) : -1;
    s.vecScale = scale;
    for (let g = 0; g < groups; g++) {
      const rowsOfGroup = result.counts[g] ?? 0;
      // sum, avg and count(x) count x's non-NULL rows; count(*) the group's rows.
      const count = source?.k === 'sum' ? (result.nonNull[g]?.[source.slot] ?? 0) : rowsOfGroup;
      s.count[g] = count;
      stats.rowsSelected += a === 0 ? rowsOfGroup : 0;
      if (source?.k === 'sum') s.total[g] = result.totals[g]?.[source.slot] ?? 0n;
      const seen = source?.k === 'sum' ? (result.groupScales?.[g]?.[source.slot] ?? scale) : scale;
      if (count > 0 && seen > 0) s.scaleSeen[g] = seen;
    }
    return s;
  });
  stats.groups = groups;
  return keys.map((key, g) => [...key, ...aggregates.map((spec, a) => finalize(spec, states[a] as AggregateState, g))]);
}

/** A key set to apply to a leaf's rows: keep those whose output column `position` is in `set`. */
interface PushedKeys {
  readonly set: KeySet;
  readonly position: number;
  readonly tally: KeySetTally | null;
}

/** A join's pushed key sets (on its columns) as its left and right inputs' (on their output columns). */
function splitPushed(pushed: readonly PushedKeys[], leftWidth: number): { left: PushedKeys[]; right: PushedKeys[] } {
  const left: PushedKeys[] = [];
  const right: PushedKeys[] = [];
  for (const p of pushed) (p.position < leftWidth ? left : right).push(p.position < leftWidth ? p : { ...p, position: p.position - leftWidth });
  return { left, right };
}

/**
 * Sets of the computed side's integer join keys, one per key, for the other
 * side's key columns (plain column references only). Each key of an inner
 * equi-join must match on its own, so each set alone drops only rows that
 * cannot join.
 */
function keySetsFor(from: readonly Batch[], fromKeys: readonly VNode[], toKeys: readonly VNode[], context: (b: Batch) => SegmentContext, join: JoinStats, into: 'left' | 'right'): PushedKeys[] {
  const out: PushedKeys[] = [];
  const tally: KeySetTally = { into, keys: 0, dropped: 0 };
  toKeys.forEach((to, k) => {
    const fromKey = fromKeys[k];
    if (fromKey === undefined || to.columnPosition === undefined || !isIntegerKey(to.type)) return;
    const set = keySetOf(from, [fromKey], context);
    if (set !== null) { out.push({ set, position: to.columnPosition, tally }); tally.keys++; }
  });
  if (out.length > 0) join.keySets = tally;
  return out;
}

/** Live rows of the leaf's largest table (zone-map counts; 0 when unknown). */
function tableRows(columns: ColumnAccess, leaf: VectorLeaf): number {
  if (leaf.join !== null) return Math.max(tableRows(columns, leaf.join.left), tableRows(columns, leaf.join.right));
  try {
    const index = Math.min(columns.readIndex, columns.store.appliedIndex());
    let rows = 0;
    for (const z of columns.store.tableZones(leaf.table.id, [], index)) rows += z.rowCount - z.deletedCount;
    return rows;
  } catch {
    return 0;
  }
}

/** A row-producing leaf's output as batches of its output columns (gathered on first use). */
async function batchesOf(leaf: VectorLeaf, columns: ColumnAccess, env: ExecEnv, constants: readonly SqlValue[], stats: LeafStats, pushed: readonly PushedKeys[] = []): Promise<Batch[]> {
  const output = leaf.output;
  if (output.kind !== 'rows') throw new VectorFallback('an aggregate as a join input');
  const started = clock(stats);
  const ops = operatorsOf(stats, leaf);
  const out: Batch[] = [];
  const exprAt = (i: number): VNode => {
    const expr = output.exprs[i];
    if (expr === undefined) throw new VectorFallback(`join input column ${i} missing`);
    return expr;
  };
  // Key sets on output columns that are plain join columns go down into the join's inputs; the rest narrow here.
  // A scan applies its sets before its filters (unitsOf); a join's sets on expressions narrow its output here.
  const here: PushedKeys[] = [];
  const down: PushedKeys[] = [];
  const scanSets: ScanKeySet[] = [];
  for (const p of pushed) {
    const c = exprAt(p.position).columnPosition;
    if (leaf.join !== null && c !== undefined) down.push({ ...p, position: c });
    else if (leaf.join === null) scanSets.push({ set: p.set, key: exprAt(p.position), tally: p.tally });
    else here.push(p);
  }
  for await (const unit of unitsOf(leaf, columns, env, constants, stats, down, scanSets)) {
    const ctx = unit.ctx;
    let sel = unit.sel;
    ops.top.rowsIn += sel.length;
    for (const p of here) {
      if (sel.length === 0) break;
      // The key over the whole unit, tested on the selected rows; narrowed into scratch and copied out
      // (`sel` may be the shared allRows).
      if (scratchRows.length < sel.length) scratchRows = new Uint32Array(Math.max(sel.length, scratchRows.length * 2));
      const kept = p.set.narrow(exprAt(p.position).evaluate(ctx), sel, sel.length, scratchRows);
      stats.semiJoinDropped += sel.length - kept;
      ops.top.keySetDropped += sel.length - kept;
      if (p.tally !== null) p.tally.dropped += sel.length - kept;
      sel = scratchRows.slice(0, kept);
    }
    if (sel.length === 0) continue;
    ops.top.rows += sel.length;
    if (ops.top.firstMs < 0) ops.top.firstMs = clock(stats) - started;
    const all = sel.length === ctx.length;
    // A source even for all rows: a join above keeps reading this vector by row index (concatSources). A join
    // unit's column passes its own source on (composed with sel), so a column is gathered once, at the top,
    // from the segment: not at every join level of Q5/Q10.
    const composed = new Map<Uint32Array, Uint32Array>();
    const sourceOf = (i: number): { readonly vec: Vec; readonly rows: Uint32Array } => {
      const e = exprAt(i);
      const inner = e.columnPosition === undefined || ctx.source === undefined ? null : ctx.source(e.columnPosition);
      if (inner === null) return { vec: e.evaluate(ctx), rows: sel };
      if (all) return inner;
      let rows = composed.get(inner.rows);
      if (rows === undefined) {
        rows = new Uint32Array(sel.length);
        for (let k = 0; k < sel.length; k++) rows[k] = inner.rows[sel[k] as number] as number;
        composed.set(inner.rows, rows);
      }
      return { vec: inner.vec, rows };
    };
    // Row k is the unit's row sel[k]: a plain column of a join unit is followed down; else the expression's
    // vector over the unit (a scan's column: the segment's vector).
    const pointOf = (i: number, k: number): { readonly vec: Vec; readonly index: number } => {
      const e = exprAt(i);
      const row = sel[k] as number;
      if (e.columnPosition !== undefined && ctx.point !== undefined) return ctx.point(e.columnPosition, row);
      return { vec: e.evaluate(ctx), index: row };
    };
    out.push(lazyBatch(sel.length, (i) => {
      const v = exprAt(i).evaluate(ctx);
      return all ? v : gather(v, sel);
    }, sourceOf, pointOf));
  }
  // Batches are lazy: the gathers are the consumer's time. Inclusive of the inputs (unitsOf runs inside).
  ops.top.totalMs = clock(stats) - started;
  if (ops.top.firstMs < 0) ops.top.firstMs = ops.top.totalMs;
  return out;
}

/** ORDER BY output column `column` LIMIT `count` (offset included) directly above the leaf (its rows or its groups). */
export interface TopN {
  readonly column: number;
  readonly descending: boolean;
  readonly count: number;
}

/**
 * Keeps a superset of the rows an ORDER BY ... LIMIT above can return:
 * every row whose (numeric) first sort key is at least as good as the
 * count-th best seen, ties and NULL keys included; the row executor's sort
 * and limit above then pick exactly. Rows become objects only when they
 * pass the running threshold.
 */
class TopNFilter {
  private threshold = Infinity;
  private scale: number | undefined;
  private usable = true;
  readonly rows: Row[] = [];
  private keys: number[] = [];

  constructor(readonly spec: TopN) {}

  /** The key vector of this unit, or null when it cannot be compared (then every row is kept). */
  keyVec(vec: Vec): (Vec & { t: 'num' }) | null {
    if (!this.usable) return null;
    if (vec.t !== 'num' || vec.rowScales !== null || (this.scale !== undefined && this.scale !== vec.scale)) { this.usable = false; return null; }
    this.scale = vec.scale;
    return vec;
  }

  /** Whether row i may be in the top N (smaller is better after the sign flip; NaN = NULL or not comparable: kept). */
  keyOf(vec: (Vec & { t: 'num' }) | null, i: number): number {
    if (vec === null || (vec.nulls !== null && vec.nulls[i] === 1)) return NaN;
    return this.spec.descending ? -(vec.v[i] ?? 0) : (vec.v[i] ?? 0);
  }

  passes(key: number): boolean {
    return !(key > this.threshold);
  }

  push(row: Row, key: number): void {
    this.rows.push(row);
    this.keys.push(key);
    if (this.keys.length > 2 * this.spec.count + 64) this.prune();
  }

  prune(): void {
    const sorted = this.keys.filter((k) => !Number.isNaN(k)).sort((a, b) => a - b);
    const kth = sorted[this.spec.count - 1];
    if (kth === undefined) return;
    this.threshold = Math.min(this.threshold, kth);
    let m = 0;
    for (let j = 0; j < this.rows.length; j++) {
      const k = this.keys[j] ?? NaN;
      if (!(k > this.threshold)) { this.rows[m] = this.rows[j] as Row; this.keys[m] = k; m++; }
    }
    this.rows.length = m;
    this.keys.length = m;
  }
}

/**
 * Each group's ORDER BY key (output column `topN.column`) as a double (NaN: NULL), or null when the key is not a
 * number (text, non-finite numeric: then no group is dropped).
 */
function groupSortKeys(topN: TopN, output: VectorLeaf['output'] & { kind: 'aggregate' }, grouper: Grouper, states: readonly AggregateState[]): Float64Array | null {
  const c = topN.column;
  const a = c - output.groupBy.length;
  const spec = output.aggregates[a];
  const state = states[a];
  if (a >= 0 && (spec === undefined || state === undefined)) return null;
  const groups = grouper.keys.length;
  const out = new Float64Array(groups);
  // A sum (Q3/Q10's revenue) or count straight from its state, without making its Decimal and its text: the exact
  // total rounded to a double (relative error 2^-53) and divided by the power of ten (2^-53 more), within
  // topKept's 2^-50 slack. Totals are flushed (runLeaf), so they are the whole sums.
  if (a >= 0 && spec !== undefined && state !== undefined && (spec.fn === 'sum' || spec.fn === 'count' || spec.fn === 'countStar')) {
    const argKind = spec.argType?.kind;
    const exact = spec.fn !== 'sum' || argKind === 'numeric' || argKind === 'int2' || argKind === 'int4' || argKind === 'int8';
    if (exact) {
      const unit = spec.fn === 'sum' && argKind === 'numeric' ? 10 ** Math.max(state.vecScale, 0) : 1;
      for (let g = 0; g < groups; g++) {
        const count = state.count[g] ?? 0;
        if (spec.fn !== 'sum') out[g] = count;
        else out[g] = count === 0 ? NaN : Number(state.total[g] ?? 0n) / unit;
      }
      return out;
    }
  }
  for (let g = 0; g < groups; g++) {
    const v = a < 0 ? (grouper.keyValues(g)[c] ?? null) : finalize(spec as AggregateSpec, state as AggregateState, g);
    if (v === null) out[g] = NaN;
    else if (typeof v === 'number' || typeof v === 'bigint') out[g] = Number(v);
    else if (v instanceof Decimal && v.kind === 'finite') out[g] = Number(v.toString());
    else return null;
    if (!Number.isFinite(out[g] as number) && !Number.isNaN(out[g] as number)) return null;
  }
  return out;
}

/**
 * Top-N over an aggregate's groups (Q3: 2k groups, Q10: 8k, for LIMIT 10/20): 1 for each group that may be
 * among the best `count` by its sort key, ties and NULL keys always kept; the row executor's sort and limit
 * above still pick exactly. Keys are doubles rounded from exact values (relative error 2^-53 each), so a
 * group is dropped only when its key is worse than the count-th best by more than 2^-50 relatively: then it
 * is exactly worse than at least `count` groups.
 */
function topKept(keys: Float64Array, topN: TopN): Uint8Array | null {
  const sign = topN.descending ? -1 : 1;
  let n = 0;
  for (const k of keys) if (!Number.isNaN(k)) n++;
  if (n <= topN.count) return null;
  // A Float64Array sorts numerically without a comparator call per comparison (Array#sort with one was ~4% of Q10).
  const known = new Float64Array(n);
  n = 0;
  for (const k of keys) if (!Number.isNaN(k)) known[n++] = sign * k;
  known.sort();
  const kth = known[topN.count - 1] as number;
  const kept = new Uint8Array(keys.length);
  for (let g = 0; g < keys.length; g++) {
    const k = keys[g] as number;
    if (Number.isNaN(k)) { kept[g] = 1; continue; }
    const x = sign * k;
    const slack = Math.max(Math.abs(x), Math.abs(kth)) * 2 ** -50;
    if (!(x - kth > slack)) kept[g] = 1;
  }
  return kept;
}

/** Runs the leaf; rows in the replaced node's column layout. */
export async function runLeaf(leaf: VectorLeaf, columns: ColumnAccess, env: ExecEnv, constants: readonly SqlValue[], stats: LeafStats, topN: TopN | null = null, sort: VectorSort | null = null): Promise<Row[]> {
  const started = performance.now();
  const clockStarted = clock(stats);
  const output = leaf.output;
  const fused = await fusedAggregate(leaf, columns, env, constants, stats);
  if (fused !== null) {
    stats.elapsedMs += performance.now() - started;
    // A kernel that counts only the leaf's totals (LeafStats): path.ts prints those on the top line.
    if (!stats.operators.has(leaf)) return fused;
    const mine = operatorsOf(stats, leaf);
    mine.top.totalMs = clock(stats) - clockStarted;
    mine.top.firstMs = mine.top.totalMs;
    mine.top.rows = fused.length;
    return fused;
  }
  // After the fused attempt: a kernel that declines clears what it counted.
  const ops = operatorsOf(stats, leaf);
  const grouper = output.kind === 'aggregate' ? new Grouper(output.groupBy, output.dependent) : null;
  const states = output.kind === 'aggregate' ? output.aggregates.map(() => new AggregateState()) : [];
  // sum(x) and avg(x) over the same x and FILTER (Q1: quantity, price) keep the same counts and totals: one state, summed once.
  const sharesWith = output.kind === 'aggregate' ? output.aggregates.map((spec, a) => {
    const sumLike = (f: AggregateSpec['fn']): boolean => f === 'sum' || f === 'avg';
    if (spec.arg === null || !sumLike(spec.fn)) return a;
    const b = output.aggregates.findIndex((o) => o.arg === spec.arg && o.filter === spec.filter && sumLike(o.fn));
    return b >= 0 ? b : a;
  }) : [];
  sharesWith.forEach((b, a) => { if (b !== a) states[a] = states[b] as AggregateState; });
  const rows: Row[] = [];
  const top = topN !== null && output.kind === 'rows' ? new TopNFilter(topN) : null;
  // ORDER BY / LIMIT applied here (sort.ts): rows become objects only for the rows returned, in order.
  const sorted = sort !== null && output.kind === 'rows' ? new SortCollector(sort, output.exprs.map((e) => e.type), valueAt) : null;
  for await (const { ctx, sel } of unitsOf(leaf, columns, env, constants, stats)) {
    ops.top.rowsIn += sel.length;
    if (grouper !== null && output.kind === 'aggregate') {
      if (sel.length > 0) {
        const groupOf = grouper.groupsOf(ctx, sel);
        output.aggregates.forEach((spec, a) => {
          const s = states[a];
          if (s === undefined || sharesWith[a] !== a) return;
          s.grow(grouper.keys.length);
          accumulate(spec, s, ctx, sel, groupOf);
        });
      }
    } else if (output.kind === 'rows') {
      const outVecs = output.exprs.map((e) => e.evaluate(ctx));
      if (sorted !== null) {
        if (sorted.add(outVecs, sel)) break;
        continue;
      }
      const keyed = top === null ? null : top.keyVec(outVecs[top.spec.column] ?? { t: 'bool', v: new Uint8Array(0) });
      for (let k = 0; k < sel.length; k++) {
        const i = sel[k] ?? 0;
        if (top === null) {
          rows.push(outVecs.map((vec, c) => valueAt(vec, i, output.exprs[c]?.type ?? { kind: 'text' })));
          continue;
        }
        const key = top.keyOf(keyed, i);
        if (top.passes(key)) top.push(outVecs.map((vec, c) => valueAt(vec, i, output.exprs[c]?.type ?? { kind: 'text' })), key);
      }
      // Rows are handed up only at the end (the leaf feeds a scan above), but the first exists from here on.
      if (ops.top.firstMs < 0 && sel.length > 0) ops.top.firstMs = clock(stats) - clockStarted;
    }
  }
  if (grouper !== null && output.kind === 'aggregate') {
    if (output.groupBy.length === 0 && grouper.keys.length === 0) grouper.keys.push([]);
    for (const s of states) { s.grow(grouper.keys.length); s.flush(); }
    const sortKey = topN === null ? null : groupSortKeys(topN, output, grouper, states);
    const kept = sortKey === null || topN === null ? null : topKept(sortKey, topN);
    grouper.keys.forEach((_, g) => {
      if (kept !== null && kept[g] !== 1) return;
      rows.push([...grouper.keyValues(g), ...output.aggregates.map((spec, a) => finalize(spec, states[a] as AggregateState, g))]);
    });
    stats.groups = grouper.keys.length;
    ops.top.groups = grouper.keys.length;
    if (sortKey !== null) ops.top.topNFrom = grouper.keys.length;
  }
  if (sorted !== null) for (const row of sorted.finish()) rows.push(row);
  if (top !== null) {
    top.prune();
    ops.top.topNFrom = ops.top.rowsIn;
    for (const row of top.rows) rows.push(row);
  }
  stats.elapsedMs += performance.now() - started;
  ops.top.rows = rows.length;
  ops.top.totalMs = clock(stats) - clockStarted;
  // An aggregate's first group is out when all of them are.
  if (ops.top.firstMs < 0 || grouper !== null) ops.top.firstMs = ops.top.totalMs;
  return rows;
}
