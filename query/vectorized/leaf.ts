// The part of a physical plan the vectorized path runs: a sequential scan
// of one table with its filters and projections, optionally under a hash
// aggregate. Expressions are rewritten over the scan row (projections
// inlined), then compiled to batch evaluators; anything unsupported makes
// the whole leaf unsupported and the row path runs the query.

import type { BoundAggregate, BoundExpr, PlanColumn } from '../binder/index.js';
import { rewrite } from '../binder/index.js';
import type { TableInfo } from '../contract.js';
import type { PhysicalPlan } from '../planner/index.js';
import type { SqlType } from '../types/sql-type.js';
import { ExprCompiler, numKindOf, type CompileEnv, type VNode } from './expr.js';

export type AggregateFn = 'count' | 'countStar' | 'sum' | 'avg' | 'min' | 'max';

export interface AggregateSpec {
  readonly fn: AggregateFn;
  readonly arg: VNode | null;
  readonly filter: VNode | null;
  readonly argType: SqlType | null;
  readonly resultType: SqlType;
}

/** A conjunct `column op constant` that zone maps can decide for a whole segment. */
export interface PruneRule {
  readonly position: number;
  readonly symbol: string;
  readonly constantId: number;
}

export type LeafOutput =
  | { readonly kind: 'rows'; readonly exprs: readonly VNode[] }
  | {
    readonly kind: 'aggregate'; readonly groupBy: readonly VNode[]; readonly aggregates: readonly AggregateSpec[];
    /**
     * Per group key, whether the other keys not so marked determine it (functionalDependents): rows are grouped
     * by the unmarked keys only and a marked key's value is taken from any row of the group.
     */
    readonly dependent: readonly boolean[];
  };

/** An inner equi-join whose inputs are leaves producing rows (scans or joins): keys over each input's columns. */
export interface JoinSource {
  readonly left: VectorLeaf;
  readonly right: VectorLeaf;
  readonly leftKeys: readonly VNode[];
  readonly rightKeys: readonly VNode[];
  readonly leftWidth: number;
}

/** An EXPLAIN line of the leaf: depth below the leaf's top operator. */
export interface ExplainLine {
  readonly depth: number;
  readonly text: string;
}

export interface VectorLeaf {
  /** The scanned table (a join leaf: its first table). */
  readonly table: TableInfo;
  /** Every table the leaf reads. */
  readonly tables: readonly TableInfo[];
  /** Set when the leaf's rows come from a vectorized join (filters and output are then over the join's columns). */
  readonly join: JoinSource | null;
  /** The plan node the leaf replaces (its output columns are the leaf's). */
  readonly node: PhysicalPlan;
  readonly columns: readonly PlanColumn[];
  readonly filters: readonly VNode[];
  readonly pruneRules: readonly PruneRule[];
  readonly output: LeafOutput;
  /** Column-free subtrees evaluated once per execution (by the row path's closures). */
  readonly constants: readonly BoundExpr[];
  /** For EXPLAIN: the operators, top first. */
  readonly operators: readonly ExplainLine[];
}

type Layer = PhysicalPlan & { kind: 'seqScan' | 'filter' | 'project' | 'hashJoin' };

/** The nodes from `top` down to a seqScan or hash join through filters and projections, bottom first; null otherwise. */
function chainOf(top: PhysicalPlan): Layer[] | null {
  const chain: Layer[] = [];
  let node: PhysicalPlan = top;
  for (;;) {
    if (node.kind === 'seqScan') {
      if (node.withKey) return null;
      chain.push(node);
      return chain.reverse();
    }
    if (node.kind === 'hashJoin') {
      chain.push(node);
      return chain.reverse();
    }
    if (node.kind !== 'filter' && node.kind !== 'project') return null;
    chain.push(node);
    node = node.input;
  }
}

function conjuncts(expr: BoundExpr): BoundExpr[] {
  return expr.kind === 'and' ? expr.args.flatMap(conjuncts) : [expr];
}

const comparisons = new Set(['=', '<', '<=', '>', '>=']);

function aggregateFn(agg: BoundAggregate): AggregateFn | null {
  if (agg.distinct || agg.orderBy.length > 0) return null;
  if (agg.name === 'count') return agg.args.length === 0 ? 'countStar' : 'count';
  if (agg.args.length !== 1) return null;
  const argType = agg.args[0]?.type;
  const kind = argType === undefined ? null : numKindOf(argType);
  if (kind === null) return null;
  switch (agg.name) {
    case 'sum': case 'avg': return kind === 'date' || kind === 'timestamp' ? null : agg.name;
    case 'min': case 'max': return agg.name;
    default: return null;
  }
}

/** Key types a vectorized join compares as numbers or strings exactly as the row path's equality does. */
function joinKeyFamily(type: SqlType): string | null {
  switch (type.kind) {
    case 'int2': case 'int4': case 'int8': return 'int';
    case 'date': return 'date';
    case 'text': case 'varchar': return 'text';
    default: return null;
  }
}

/** An inner hash join both of whose inputs are vectorizable (scans or joins producing rows); null otherwise. */
function analyzeJoin(node: PhysicalPlan & { kind: 'hashJoin' }, rowCompile: CompileEnv['rowCompile'], constants: BoundExpr[]): JoinSource | null {
  if (node.joinType !== 'inner' || node.leftKeys.length === 0 || node.leftKeys.length !== node.rightKeys.length) return null;
  for (const [k, l] of node.leftKeys.entries()) {
    const r = node.rightKeys[k];
    const family = joinKeyFamily(l.type);
    if (r === undefined || family === null || family !== joinKeyFamily(r.type)) return null;
  }
  const left = analyzeLeaf(node.left, rowCompile, constants);
  const right = left === null ? null : analyzeLeaf(node.right, rowCompile, constants);
  if (left === null || right === null || left.output.kind !== 'rows' || right.output.kind !== 'rows') return null;
  const keysOver = (side: PhysicalPlan, keys: readonly BoundExpr[]): VNode[] | null => {
    const compiler = new ExprCompiler({ addConstant: (e) => constants.push(e) - 1, rowCompile, columnTypes: side.columns.map((c) => c.type) });
    const out = keys.map((k) => compiler.compile(k));
    return out.some((k) => k === null) ? null : (out as VNode[]);
  };
  const leftKeys = keysOver(node.left, node.leftKeys);
  const rightKeys = keysOver(node.right, node.rightKeys);
  if (leftKeys === null || rightKeys === null) return null;
  return { left, right, leftKeys, rightKeys, leftWidth: node.left.columns.length };
}

/**
 * Analyses `top` as a vectorizable leaf; null when the vectorized path cannot
 * run it. `constants` is shared by the leaves of one join tree (one list per
 * execution).
 */
export function analyzeLeaf(top: PhysicalPlan, rowCompile: CompileEnv['rowCompile'], sharedConstants?: BoundExpr[]): VectorLeaf | null {
  const aggregate = top.kind === 'hashAggregate' ? top : null;
  const chain = chainOf(aggregate === null ? top : aggregate.input);
  const base = chain?.[0];
  if (chain === null || base === undefined || (base.kind !== 'seqScan' && base.kind !== 'hashJoin')) return null;
  const constants: BoundExpr[] = sharedConstants ?? [];
  const join = base.kind === 'hashJoin' ? analyzeJoin(base, rowCompile, constants) : null;
  if (base.kind === 'hashJoin' && join === null) return null;
  const baseColumns: readonly { readonly name: string; readonly type: SqlType }[] = base.kind === 'seqScan' ? base.table.columns : base.columns;
  const table = base.kind === 'seqScan' ? base.table : join?.left.table;
  if (table === undefined) return null;
  const tables = join === null ? [table] : [...join.left.tables, ...join.right.tables];
  const env: CompileEnv = {
    addConstant: (e) => constants.push(e) - 1, rowCompile, columnTypes: baseColumns.map((c) => c.type),
  };
  const compiler = new ExprCompiler(env);
  let current: BoundExpr[] = baseColumns.map((c, i) => ({ kind: 'column', index: i, type: c.type, name: c.name }));
  const over = (e: BoundExpr): BoundExpr => rewrite(e, (x) => (x.kind === 'column' ? current[x.index] : undefined));
  const predicates: BoundExpr[] = [];
  const operators: string[] = [];
  for (const layer of chain) {
    if (layer.kind === 'seqScan') {
      if (layer.filter !== null) predicates.push(...conjuncts(layer.filter));
    } else if (layer.kind === 'hashJoin') {
      // Inner join: the residual is a filter over the joined rows.
      if (layer.residual !== null) predicates.push(...conjuncts(layer.residual));
    } else if (layer.kind === 'filter') {
      predicates.push(...conjuncts(over(layer.predicate)));
    } else {
      current = layer.exprs.map(over);
    }
  }
  const filters: VNode[] = [];
  const pruneRules: PruneRule[] = [];
  for (const p of predicates) {
    const node = compiler.compile(p);
    if (node === null) return null;
    filters.push(node);
    const rule = join === null ? pruneRuleOf(p, compiler) : null;
    if (rule !== null) pruneRules.push(rule);
  }
  let output: LeafOutput;
  if (aggregate === null) {
    const exprs = current.map((e) => compiler.compile(e));
    if (exprs.some((e) => e === null)) return null;
    output = { kind: 'rows', exprs: exprs as VNode[] };
    operators.push(`Vectorized Project (${exprs.length} columns)`);
  } else {
    const groupBy = aggregate.groupBy.map((e) => compiler.compile(over(e)));
    if (groupBy.some((e) => e === null)) return null;
    const aggregates: AggregateSpec[] = [];
    for (const agg of aggregate.aggregates) {
      const fn = aggregateFn(agg);
      const argExpr = agg.args[0];
      const arg = argExpr === undefined ? null : compiler.compile(over(argExpr));
      const filter = agg.filter === null ? null : compiler.compile(over(agg.filter));
      if (fn === null || (argExpr !== undefined && arg === null) || (agg.filter !== null && filter === null)) return null;
      aggregates.push({ fn, arg, filter, argType: argExpr?.type ?? null, resultType: agg.type });
    }
    const dependent = functionalDependents(aggregate.input, aggregate.groupBy);
    output = { kind: 'aggregate', groupBy: groupBy as VNode[], aggregates, dependent };
    const determined = dependent.filter((d) => d).length;
    const keyText = `${groupBy.length} keys${determined > 0 ? `, ${determined} determined by the others` : ''}`;
    operators.push(`Vectorized Hash Aggregate (${keyText}, ${aggregates.map((a) => a.fn).join(', ')})`);
  }
  if (filters.length > 0) operators.push(`Vectorized Filter (${filters.length} conjuncts, selection vectors)`);
  const lines: ExplainLine[] = operators.map((text, depth) => ({ depth, text }));
  if (join === null) {
    lines.push({ depth: lines.length, text: `Vectorized Column Scan on ${table.name}` });
  } else {
    const depth = lines.length;
    lines.push({ depth, text: `Vectorized Hash Join (inner, ${join.leftKeys.length} key${join.leftKeys.length === 1 ? '' : 's'}, build on the smaller input)` });
    for (const child of [join.left, join.right]) {
      for (const l of child.operators) lines.push({ depth: depth + 1 + l.depth, text: l.text });
    }
  }
  return { table, tables, join, node: top, columns: top.columns, filters, pruneRules, output, constants, operators: lines };
}

function pruneRuleOf(p: BoundExpr, compiler: ExprCompiler): PruneRule | null {
  if (p.kind !== 'operator' || !comparisons.has(p.symbol) || p.args.length !== 2) return null;
  const [l, r] = p.args;
  if (l === undefined || r === undefined) return null;
  const flipped: Readonly<Record<string, string>> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '=': '=' };
  const pick = (column: BoundExpr, constant: BoundExpr, symbol: string): PruneRule | null => {
    const kind = numKindOf(column.type);
    if (column.kind !== 'column' || kind === null || kind !== numKindOf(constant.type) || kind === 'float') return null;
    const c = compiler.compile(constant);
    return c?.constantId === null || c === null ? null : { position: column.index, symbol, constantId: c.constantId };
  };
  return pick(l, r, p.symbol) ?? pick(r, l, flipped[p.symbol] ?? p.symbol);
}

/** A column of one scan in a plan (the scan node itself tells apart two scans of one table). */
interface Origin {
  readonly scan: PhysicalPlan & { kind: 'seqScan' };
  /** Index in the scan's row (table.columns order). */
  readonly index: number;
}

/** Key types whose equality (grouping, joins, unique indexes) is equality of the values: determined values are the same values. */
function exactKeyType(type: SqlType): boolean {
  return type.kind === 'int2' || type.kind === 'int4' || type.kind === 'int8' || type.kind === 'date';
}

/** The scan column each output column of `plan` is (a plain column reference down to a seqScan), or null. */
function originsOf(plan: PhysicalPlan): (Origin | null)[] {
  switch (plan.kind) {
    case 'seqScan': return plan.table.columns.map((_, index) => ({ scan: plan, index }));
    case 'filter': return originsOf(plan.input);
    case 'project': {
      const inner = originsOf(plan.input);
      return plan.exprs.map((e) => (e.kind === 'column' ? (inner[e.index] ?? null) : null));
    }
    case 'hashJoin': {
      const left = originsOf(plan.left);
      const right = originsOf(plan.right);
      // Outer joins null-extend a side: its columns are then not the scan's values.
      if (plan.joinType !== 'inner') return plan.columns.map(() => null);
      return [...left, ...right];
    }
    default: return plan.columns.map(() => null);
  }
}

/** Pairs of scan columns an inner hash join of `plan` makes equal in every output row (plain column keys of exact types). */
function equalitiesOf(plan: PhysicalPlan, out: [Origin, Origin][] = []): [Origin, Origin][] {
  switch (plan.kind) {
    case 'filter': return equalitiesOf(plan.input, out);
    case 'project': return equalitiesOf(plan.input, out);
    case 'hashJoin': {
      if (plan.joinType !== 'inner') return out;
      equalitiesOf(plan.left, out);
      equalitiesOf(plan.right, out);
      const left = originsOf(plan.left);
      const right = originsOf(plan.right);
      plan.leftKeys.forEach((l, k) => {
        const r = plan.rightKeys[k];
        if (r === undefined || l.kind !== 'column' || r.kind !== 'column' || !exactKeyType(l.type) || !exactKeyType(r.type)) return;
        const a = left[l.index];
        const b = right[r.index];
        if (a !== null && a !== undefined && b !== null && b !== undefined) out.push([a, b]);
      });
      return out;
    }
    default: return out;
  }
}

/**
 * Which group keys the others determine (GROUP BY c_custkey, c_name, ..., n_name in Q10: c_custkey is
 * customer's primary key, so one customer row per group, and c_nationkey = n_nationkey makes it one nation
 * row): a key is determined by a set of keys when, closing over "a scan's primary key columns (integer or
 * date) determine all its columns" and "an inner join's equal key columns determine each other", it is one
 * of the scan columns reached. Each output row of the join holds one row of each scan, and a primary key
 * matches at most one visible row at the read index, so rows equal on the remaining keys are equal on a
 * determined one. Keys are dropped one at a time while the ones left still determine them.
 */
export function functionalDependents(input: PhysicalPlan, groupBy: readonly BoundExpr[]): boolean[] {
  const dependent = groupBy.map(() => false);
  if (groupBy.length < 2) return dependent;
  const origins = originsOf(input);
  const keyOrigins = groupBy.map((e) => (e.kind === 'column' ? (origins[e.index] ?? null) : null));
  if (keyOrigins.every((o) => o === null)) return dependent;
  const equalities = equalitiesOf(input);
  const scans = new Set<PhysicalPlan & { kind: 'seqScan' }>();
  for (const o of origins) if (o !== null) scans.add(o.scan);
  const primaryKeys = new Map<PhysicalPlan, number[]>();
  for (const scan of scans) {
    const pk = scan.table.primaryKey;
    if (pk === null) continue;
    const indexes = pk.columnPositions.map((p) => scan.table.columns.findIndex((c) => c.position === p));
    if (indexes.every((i) => i >= 0 && exactKeyType(scan.table.columns[i]?.type ?? { kind: 'text' }))) primaryKeys.set(scan, indexes);
  }
  const closure = (from: readonly Origin[]): { has(o: Origin): boolean } => {
    const whole = new Set<PhysicalPlan>();
    const cols = new Map<PhysicalPlan, Set<number>>();
    const has = (o: Origin): boolean => whole.has(o.scan) || (cols.get(o.scan)?.has(o.index) ?? false);
    const add = (o: Origin): boolean => {
      if (has(o)) return false;
      let set = cols.get(o.scan);
      if (set === undefined) { set = new Set(); cols.set(o.scan, set); }
      set.add(o.index);
      const pk = primaryKeys.get(o.scan);
      if (pk !== undefined && pk.every((i) => set.has(i))) whole.add(o.scan);
      return true;
    };
    for (const o of from) add(o);
    for (let changed = true; changed;) {
      changed = false;
      for (const [a, b] of equalities) {
        if (has(a) && add(b)) changed = true;
        if (has(b) && add(a)) changed = true;
      }
    }
    return { has };
  };
  for (const [j, o] of keyOrigins.entries()) {
    if (o === null) continue;
    const others = keyOrigins.filter((x, i): x is Origin => i !== j && !dependent[i] && x !== null);
    if (closure(others).has(o)) dependent[j] = true;
  }
  return dependent;
}
