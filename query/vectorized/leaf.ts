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
  | { readonly kind: 'aggregate'; readonly groupBy: readonly VNode[]; readonly aggregates: readonly AggregateSpec[] };

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
    output = { kind: 'aggregate', groupBy: groupBy as VNode[], aggregates };
    operators.push(`Vectorized Hash Aggregate (${groupBy.length} keys, ${aggregates.map((a) => a.fn).join(', ')})`);
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
