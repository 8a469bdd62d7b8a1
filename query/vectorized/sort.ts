// Sort, top-N and limit over the leaf's vectors (DESIGN.md, "Sort and
// Top-N"). At plan time `vectorSortOver` recognises sort(leaf),
// limit(sort(leaf)) and limit(leaf) right above a leaf (projections allowed
// between, sort keys plain output columns of the leaf, constant LIMIT/OFFSET)
// and the upper plan loses those nodes: the leaf hands over its rows already
// ordered and cut. At run time `SortCollector` keeps each unit's output
// vectors and selection, computes ONE permutation of all selected rows by
// comparing typed-array keys (a bounded heap when there is a LIMIT: O(n log
// k)) and only then makes row objects, for the rows returned. Ties are broken
// by the leaf's output order, so the result is exactly what the row
// executor's stable Sort and its Limit would give over the leaf's rows.

import type { BoundExpr } from '../binder/index.js';
import type { PhysicalPlan } from '../planner/index.js';
import type { Row } from '../executor/index.js';
import { compareText } from '../types/character.js';
import { compareValues } from '../types/compare.js';
import type { SqlType } from '../types/sql-type.js';
import type { SqlValue } from '../types/value.js';
import type { ExplainLine, VectorLeaf } from './leaf.js';
import type { TopN } from './run.js';
import type { Vec } from './vec.js';

/** One ORDER BY key: an output column of the leaf, compared as the row executor's Sort compares `type`. */
export interface VectorSortKey {
  readonly column: number;
  readonly descending: boolean;
  readonly nullsFirst: boolean;
  readonly type: SqlType;
  readonly name: string;
}

/** ORDER BY keys (none: a bare LIMIT) and LIMIT/OFFSET the leaf applies to its own output. */
export interface VectorSort {
  readonly keys: readonly VectorSortKey[];
  /** null: no LIMIT (ORDER BY alone, or OFFSET alone). */
  readonly limit: number | null;
  readonly offset: number;
  /** The topmost node (limit or sort) the leaf's ordered rows stand in for. */
  readonly top: PhysicalPlan;
}

const spineKinds = new Set<PhysicalPlan['kind']>(['sort', 'limit', 'project', 'filter', 'distinct', 'hashAggregate', 'window', 'projectSet']);

/**
 * Key types whose order the collector reproduces exactly: numbers and booleans as doubles (exact: the vectors
 * hold ints, dates, timestamps and numeric coefficients below 2^53), text/varchar in code point order
 * (`compareText`, the row executor's only text order), the rest through `compareValues` on the row values.
 * Others (json, arrays, intervals...) keep the row executor's Sort.
 */
const keyKinds = new Set<SqlType['kind']>(['bool', 'int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'date', 'time', 'timestamp', 'timestamptz', 'text', 'varchar', 'bpchar', 'uuid']);

/** A LIMIT/OFFSET expression as a row count: 0 when absent, null unless a non-negative integer constant. */
export function constantCount(e: BoundExpr | null): number | null {
  if (e === null) return 0;
  if (e.kind !== 'const' || (typeof e.value !== 'number' && typeof e.value !== 'bigint')) return null;
  const n = Number(e.value);
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}

/**
 * Output column `column` of `from`, followed down through plain-column projections to `node`: its position in
 * node's output, or null when a projection computes it or something else stands between.
 */
export function columnOfNode(column: number, from: PhysicalPlan, node: PhysicalPlan): number | null {
  let at = column;
  let below = from;
  while (below !== node && below.kind === 'project') {
    const e = below.exprs[at];
    if (e === undefined || e.kind !== 'column') return null;
    at = e.index;
    below = below.input;
  }
  return below === node ? at : null;
}

/** `top` = limit?(project*(sort?(project*(node)))) with at least one of limit/sort, as a VectorSort; null otherwise. */
function matchAt(top: PhysicalPlan, node: PhysicalPlan): VectorSort | null {
  let at = top;
  let limit: number | null = null;
  let offset = 0;
  if (at.kind === 'limit') {
    if (at.ties !== null) return null;
    const l = at.limit === null ? null : constantCount(at.limit);
    const o = constantCount(at.offset);
    if ((at.limit !== null && l === null) || o === null) return null;
    limit = at.limit === null ? null : l;
    offset = o;
    at = at.input;
    while (at !== node && at.kind === 'project') at = at.input;
  }
  const keys: VectorSortKey[] = [];
  if (at.kind === 'sort') {
    const sort = at;
    for (const k of sort.keys) {
      if (k.expr.kind !== 'column' || !keyKinds.has(k.expr.type.kind)) return null;
      const column = columnOfNode(k.expr.index, sort.input, node);
      if (column === null) return null;
      keys.push({ column, descending: k.descending, nullsFirst: k.nullsFirst, type: k.expr.type, name: k.expr.name });
    }
    at = sort.input;
  } else if (top.kind !== 'limit') {
    return null;
  }
  while (at !== node && at.kind === 'project') at = at.input;
  if (at !== node) return null;
  if (keys.length === 0 && limit === null && offset === 0) return null;
  return { keys, limit, offset, top };
}

/**
 * The sort/limit right above `node` on the plan's spine that the leaf can apply itself, or null (then the row
 * executor sorts, as before). Decided from the plan alone, never from data.
 */
export function vectorSortOver(plan: PhysicalPlan, node: PhysicalPlan): VectorSort | null {
  let at = plan;
  while (at !== node) {
    if (at.kind === 'limit' || at.kind === 'sort') {
      const found = matchAt(at, node);
      if (found !== null) return found;
    }
    if (!spineKinds.has(at.kind) || !('input' in at)) return null;
    at = at.input;
  }
  return null;
}

/** The plan from `sort.top` down to the leaf without its sort and limit nodes, the leaf replaced by `scan`. */
export function withoutSort(sort: VectorSort, node: PhysicalPlan, scan: PhysicalPlan): PhysicalPlan {
  const rebuild = (at: PhysicalPlan): PhysicalPlan => {
    if (at === node) return scan;
    if (at.kind === 'limit' || at.kind === 'sort') return rebuild(at.input);
    if (at.kind === 'project') return { ...at, input: rebuild(at.input) };
    // matchAt only lets projections between the nodes.
    throw new Error(`withoutSort: unexpected ${at.kind} between the sort and the leaf`);
  };
  return rebuild(sort.top);
}

/** The aggregate top-N prefilter (run.ts `topKept`) for a sorted, limited leaf over groups: its first key, offset + limit. */
export function sortPrefilter(sort: VectorSort | null, leaf: VectorLeaf): TopN | null {
  const first = sort?.keys[0];
  if (sort === null || first === undefined || sort.limit === null || sort.limit === 0 || leaf.output.kind !== 'aggregate') return null;
  return { column: first.column, descending: first.descending, count: sort.limit + sort.offset };
}

export function sortTitle(sort: VectorSort): string {
  const keys = sort.keys.map((k) => `${k.name}${k.descending ? ' DESC' : ''}${k.nullsFirst !== k.descending ? (k.nullsFirst ? ' NULLS FIRST' : ' NULLS LAST') : ''}`).join(', ');
  const bounds = `${sort.limit === null ? '' : `limit ${sort.limit}`}${sort.offset > 0 ? `${sort.limit === null ? '' : ', '}offset ${sort.offset}` : ''}`;
  if (sort.keys.length === 0) return `Vectorized Limit (${bounds})`;
  const title = sort.limit === null ? `Vectorized Sort${bounds === '' ? '' : ` (${bounds})`}` : `Vectorized Top-N (${bounds})`;
  return `${title}  Sort Key: ${keys}`;
}

/** The leaf with its sort as the top EXPLAIN operator. */
export function withSortOperator(leaf: VectorLeaf, sort: VectorSort | null): VectorLeaf {
  if (sort === null) return leaf;
  const operators: ExplainLine[] = [{ depth: 0, text: sortTitle(sort) }, ...leaf.operators.map((op) => ({ depth: op.depth + 1, text: op.text }))];
  return { ...leaf, operators };
}

/** How many rows from the start of the order are needed (offset + limit), or null for all. */
function needed(sort: VectorSort): number | null {
  return sort.limit === null ? null : sort.limit + sort.offset;
}

/** Row executor order of two row values under one key (NULL placement, direction), as compare-rows.ts. */
function compareRowKey(a: SqlValue, b: SqlValue, key: VectorSortKey): number {
  if (a === null || b === null) {
    if (a === b) return 0;
    return (a === null) === key.nullsFirst ? -1 : 1;
  }
  const c = compareValues(a, b, key.type);
  return key.descending ? -c : c;
}

/**
 * Rows already made (an aggregate's groups, few after the top-N prefilter): ordered by the keys, ties in
 * their current order, then cut to OFFSET/LIMIT.
 */
export function sortRows(rows: readonly Row[], sort: VectorSort): Row[] {
  let ordered: readonly Row[] = rows;
  if (sort.keys.length > 0) {
    const index = rows.map((_, i) => i);
    index.sort((x, y) => {
      const a = rows[x] as Row;
      const b = rows[y] as Row;
      for (const key of sort.keys) {
        const c = compareRowKey(a[key.column] ?? null, b[key.column] ?? null, key);
        if (c !== 0) return c;
      }
      return x - y;
    });
    ordered = index.map((i) => rows[i] as Row);
  }
  const need = needed(sort);
  return ordered.slice(sort.offset, need ?? ordered.length);
}

/** The ordered rows of the leaf when it is sorted: an aggregate's rows are ordered here; rows output were ordered while collected. */
export function orderedLeafRows(rows: Row[], leaf: VectorLeaf, sort: VectorSort | null): Row[] {
  return sort === null || leaf.output.kind === 'rows' ? rows : sortRows(rows, sort);
}

type Comparator = (a: number, b: number) => number;

/** A row value of an output vector (run.ts valueAt). */
export type ValueAt = (vec: Vec, i: number, type: SqlType) => SqlValue;

const numberKinds = new Set<SqlType['kind']>(['int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'date', 'time', 'timestamp', 'timestamptz']);

/**
 * Collects a rows-output leaf's units and hands out its rows ordered and cut: keys compared on typed arrays,
 * row objects made only for the rows returned.
 */
export class SortCollector {
  private readonly units: { readonly vecs: readonly Vec[]; readonly sel: Uint32Array }[] = [];
  private total = 0;

  constructor(private readonly sort: VectorSort, private readonly types: readonly SqlType[], private readonly valueAt: ValueAt) {}

  /**
   * Top-N prefilter on a number first key (signed: smaller is better): rows whose key is worse than `threshold`,
   * the need-th best key kept so far, cannot be returned (at least `need` kept rows come before them) and are
   * not kept. NULL and NaN keys are always kept. Only while every unit's vector has one scale.
   */
  private threshold = Infinity;
  private prefilterScale: number | null = null;
  private prefilterOff = false;
  private candidates: number[] = [];

  /** Keeps one unit's output; true when no later row can be returned (a bare LIMIT already has its rows). */
  add(vecs: readonly Vec[], sel: Uint32Array): boolean {
    const kept = this.prefiltered(vecs, sel);
    if (kept.length > 0) {
      // The selection may be a shared all-rows array or scratch: a copy stays valid after the next unit.
      this.units.push({ vecs, sel: kept === sel ? sel.slice() : kept });
      this.total += kept.length;
    }
    const need = needed(this.sort);
    return this.sort.keys.length === 0 && need !== null && this.total >= need;
  }

  private prefiltered(vecs: readonly Vec[], sel: Uint32Array): Uint32Array {
    const need = needed(this.sort);
    const first = this.sort.keys[0];
    if (need === null || first === undefined || this.prefilterOff || sel.length === 0) return sel;
    const vec = vecs[first.column];
    if (vec === undefined || vec.t !== 'num' || (this.prefilterScale !== null && this.prefilterScale !== vec.scale)) {
      this.prefilterOff = true;
      return sel;
    }
    this.prefilterScale = vec.scale;
    const sign = first.descending ? -1 : 1;
    const values = vec.v;
    const nulls = vec.nulls;
    const out = new Uint32Array(sel.length);
    let m = 0;
    for (let j = 0; j < sel.length; j++) {
      const i = sel[j] as number;
      if (nulls !== null && nulls[i] === 1) { out[m++] = i; continue; }
      const x = sign * (values[i] as number);
      if (x > this.threshold) continue;
      out[m++] = i;
      // NaN (x !== x) is kept and is no candidate for the threshold.
      if (x === x) this.candidates.push(x);
    }
    if (this.candidates.length > 2 * need + 16) {
      const sorted = Float64Array.from(this.candidates).sort();
      const kth = sorted[need - 1];
      if (kth !== undefined) {
        this.threshold = Math.min(this.threshold, kth);
        this.candidates = Array.from(sorted.subarray(0, need));
      }
    }
    return out.subarray(0, m);
  }

  /** The rows, ordered, from OFFSET on, at most LIMIT of them. */
  finish(): Row[] {
    const n = this.total;
    const need = needed(this.sort);
    const take = need === null ? n : Math.min(need, n);
    if (take <= this.sort.offset) return [];
    const unitAt = new Uint32Array(n);
    const rowAt = new Uint32Array(n);
    let g = 0;
    this.units.forEach((u, k) => {
      for (let j = 0; j < u.sel.length; j++) { unitAt[g] = k; rowAt[g] = u.sel[j] ?? 0; g++; }
    });
    let order: Uint32Array;
    if (this.sort.keys.length === 0) {
      order = new Uint32Array(take);
      for (let i = 0; i < take; i++) order[i] = i;
    } else {
      const keys = this.sort.keys.map((key) => this.keyComparator(key, unitAt, rowAt));
      const cmp = comparatorOf(keys.map((k) => k.cmp));
      const first = keys[0]?.numbers ?? null;
      const firstKey = this.sort.keys[0] as VectorSortKey;
      if (need !== null && need * 4 < n) order = topK(n, need, cmp);
      else order = (first === null ? null : orderByNumbers(first, firstKey, n, keys.length > 1 ? cmp : null)) ?? sortAll(n, cmp);
    }
    const rows: Row[] = [];
    for (let p = this.sort.offset; p < take; p++) {
      const at = order[p] ?? 0;
      const unit = this.units[unitAt[at] ?? 0];
      if (unit === undefined) continue;
      const i = rowAt[at] ?? 0;
      rows.push(unit.vecs.map((vec, c) => this.valueAt(vec, i, this.types[c] ?? { kind: 'text' })));
    }
    return rows;
  }

  private keyComparator(key: VectorSortKey, unitAt: Uint32Array, rowAt: Uint32Array): { cmp: Comparator; numbers: NumberKey | null } {
    const n = this.total;
    const vecs = this.units.map((u) => u.vecs[key.column]);
    const d = key.descending ? -1 : 1;
    const nullOrder = key.nullsFirst ? -1 : 1;
    let numbers: NumberKey | null = null;
    if (numberKinds.has(key.type.kind) || key.type.kind === 'bool') numbers = numberKey(vecs, this.units, n);
    else if ((key.type.kind === 'text' || key.type.kind === 'varchar') && vecs.every((v) => v !== undefined && (v.t === 'dict' || v.t === 'str'))) {
      numbers = textRanks(vecs as readonly (Vec & { t: 'dict' | 'str' })[], this.units, n);
    }
    if (numbers !== null) {
      const { v, cls } = numbers;
      // cls: 0 a number, 1 NaN (floats: above every number, as PostgreSQL), 2 NULL.
      const cmp: Comparator = (a, b) => {
        const ca = cls[a] as number;
        const cb = cls[b] as number;
        if ((ca | cb) === 0) {
          const x = v[a] as number;
          const y = v[b] as number;
          return x < y ? -d : x > y ? d : 0;
        }
        if (ca === cb) return 0;
        if (ca === 2) return nullOrder;
        if (cb === 2) return -nullOrder;
        return (ca - cb) * d;
      };
      return { cmp, numbers };
    }
    // Anything else (bpchar, uuid, a vector of another shape): the row values, compared as the row executor does.
    const values: SqlValue[] = new Array<SqlValue>(n);
    for (let g = 0; g < n; g++) {
      const vec = vecs[unitAt[g] ?? 0];
      values[g] = vec === undefined ? null : this.valueAt(vec, rowAt[g] ?? 0, key.type);
    }
    return { cmp: (a, b) => compareRowKey(values[a] ?? null, values[b] ?? null, key), numbers: null };
  }
}

/**
 * A text key as numbers: each row's rank among the key's distinct strings in `compareText` order (code point
 * order, the row executor's), so text compares as numbers and takes the packed-rank sort. Dictionary units
 * look each entry up once, utf8 units each row.
 */
function textRanks(vecs: readonly (Vec & { t: 'dict' | 'str' })[], units: readonly { readonly sel: Uint32Array }[], n: number): NumberKey {
  const idOf = new Map<string, number>();
  const distinct: string[] = [];
  const id = (x: string): number => {
    let k = idOf.get(x);
    if (k === undefined) { k = distinct.length; idOf.set(x, k); distinct.push(x); }
    return k;
  };
  const v = new Float64Array(n);
  const cls = new Uint8Array(n);
  let g = 0;
  units.forEach((u, k) => {
    const vec = vecs[k] as Vec & { t: 'dict' | 'str' };
    if (vec.t === 'dict') {
      const entryIds = vec.dict.map(id);
      for (let j = 0; j < u.sel.length; j++, g++) {
        const i = u.sel[j] ?? 0;
        if (vec.nulls !== null && vec.nulls[i] === 1) cls[g] = 2;
        else v[g] = entryIds[vec.codes[i] ?? 0] ?? 0;
      }
    } else {
      for (let j = 0; j < u.sel.length; j++, g++) {
        const x = vec.v[u.sel[j] ?? 0] ?? null;
        if (x === null) cls[g] = 2; else v[g] = id(x);
      }
    }
  });
  const byText = distinct.map((_, k) => k).sort((a, b) => compareText(distinct[a] as string, distinct[b] as string));
  const rankOf = new Float64Array(distinct.length);
  byText.forEach((k, r) => { rankOf[k] = r; });
  for (let j = 0; j < n; j++) if (cls[j] === 0) v[j] = rankOf[v[j] as number] as number;
  return { v, cls };
}

/** The keys in turn, then the leaf's output order (so ties come out as the row executor's stable sort leaves them). */
function comparatorOf(cmps: readonly Comparator[]): Comparator {
  if (cmps.length === 1) {
    const c0 = cmps[0] as Comparator;
    return (a, b) => c0(a, b) || a - b;
  }
  return (a, b) => {
    for (let k = 0; k < cmps.length; k++) {
      const c = (cmps[k] as Comparator)(a, b);
      if (c !== 0) return c;
    }
    return a - b;
  };
}

/** A number key over all selected rows: v the value, cls 0 a number, 1 NaN, 2 NULL. */
interface NumberKey { readonly v: Float64Array; readonly cls: Uint8Array }

/**
 * All row numbers ordered by a number first key, then row number, without a comparator call per comparison
 * (a comparator sort of 137k rows was ~200 ms on the loaded machine, a native Float64Array sort ~50): each
 * row's rank among the key's sorted values (equal values one rank; NaN above numbers; direction and NULL
 * placement applied to the rank) packed with its row number as `rank * n + row` (exact below 2^53: n < 2^26),
 * sorted natively. Runs of equal rank are then sorted by `rest` (all the keys), when there are more keys.
 */
function orderByNumbers(key: NumberKey, spec: VectorSortKey, n: number, rest: Comparator | null): Uint32Array | null {
  if (n >= 2 ** 26) return null;
  const { v, cls } = key;
  const values = new Float64Array(n);
  let m = 0;
  for (let i = 0; i < n; i++) if (cls[i] === 0) values[m++] = v[i] as number;
  const sorted = values.subarray(0, m).sort();
  const rank = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c = cls[i] as number;
    let r: number;
    if (c === 2) {
      r = spec.nullsFirst ? -1 : m + 1;
    } else {
      if (c === 1) r = m;
      else {
        // The first position holding a value >= v[i] (-0 and 0 compare equal, as the comparator has them).
        const x = v[i] as number;
        let lo = 0;
        let hi = m;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if ((sorted[mid] as number) < x) lo = mid + 1; else hi = mid;
        }
        r = lo;
      }
      if (spec.descending) r = m - r;
    }
    rank[i] = r + 1;
  }
  const packed = new Float64Array(n);
  for (let i = 0; i < n; i++) packed[i] = (rank[i] as number) * n + i;
  packed.sort();
  const order = new Uint32Array(n);
  for (let p = 0; p < n; p++) order[p] = (packed[p] as number) % n;
  if (rest !== null) {
    let from = 0;
    for (let p = 1; p <= n; p++) {
      if (p < n && rank[order[p] as number] === rank[order[from] as number]) continue;
      if (p - from > 1) order.subarray(from, p).sort(rest);
      from = p;
    }
  }
  return order;
}

/**
 * One number key over all selected rows: values as doubles (numeric coefficients brought to the largest scale
 * of any unit), or null when a unit's vector is not a number vector or a rescaled coefficient would pass 2^53
 * (then the row values are compared instead: exact either way).
 */
function numberKey(vecs: readonly (Vec | undefined)[], units: readonly { readonly sel: Uint32Array }[], n: number): NumberKey | null {
  let scale = -1;
  for (const vec of vecs) {
    if (vec === undefined || (vec.t !== 'num' && vec.t !== 'bool')) return null;
    if (vec.t === 'num') scale = Math.max(scale, vec.scale, 0);
  }
  const v = new Float64Array(n);
  const cls = new Uint8Array(n);
  let g = 0;
  for (let k = 0; k < units.length; k++) {
    const vec = vecs[k] as Vec & { t: 'num' | 'bool' };
    const sel = (units[k] as { readonly sel: Uint32Array }).sel;
    if (vec.t === 'bool') {
      for (let j = 0; j < sel.length; j++, g++) {
        const x = vec.v[sel[j] ?? 0] ?? 2;
        if (x === 2) cls[g] = 2; else v[g] = x;
      }
      continue;
    }
    // Numeric coefficients at the largest scale (ints and dates have scale -1: factor 1).
    const own = Math.max(vec.scale, 0);
    const factor = scale > own ? 10 ** (scale - own) : 1;
    const values = vec.v;
    const nulls = vec.nulls;
    for (let j = 0; j < sel.length; j++, g++) {
      const i = sel[j] ?? 0;
      if (nulls !== null && nulls[i] === 1) { cls[g] = 2; continue; }
      const x = (values[i] ?? 0) * factor;
      if (Number.isNaN(x)) { cls[g] = 1; continue; }
      if (factor !== 1 && !(Math.abs(x) <= Number.MAX_SAFE_INTEGER)) return null;
      v[g] = x;
    }
  }
  return { v, cls };
}

/** All of 0..n-1 in comparator order. */
function sortAll(n: number, cmp: Comparator): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return order.sort(cmp);
}

/**
 * The first k of 0..n-1 in comparator order, through a bounded max-heap (its root the worst kept): O(n log k)
 * comparisons, most rows rejected by one comparison with the root.
 */
function topK(n: number, k: number, cmp: Comparator): Uint32Array {
  const heap = new Uint32Array(k);
  let size = 0;
  const down = (from: number): void => {
    let at = from;
    const x = heap[at] as number;
    for (;;) {
      const l = 2 * at + 1;
      if (l >= size) break;
      const r = l + 1;
      const worse = r < size && cmp(heap[r] as number, heap[l] as number) > 0 ? r : l;
      if (cmp(heap[worse] as number, x) <= 0) break;
      heap[at] = heap[worse] as number;
      at = worse;
    }
    heap[at] = x;
  };
  for (let i = 0; i < n; i++) {
    if (size < k) {
      let at = size++;
      heap[at] = i;
      while (at > 0) {
        const parent = (at - 1) >> 1;
        if (cmp(heap[parent] as number, i) >= 0) break;
        heap[at] = heap[parent] as number;
        at = parent;
      }
      heap[at] = i;
    } else if (k > 0 && cmp(i, heap[0] as number) < 0) {
      heap[0] = i;
      down(0);
    }
  }
  return heap.subarray(0, size).sort(cmp);
}
