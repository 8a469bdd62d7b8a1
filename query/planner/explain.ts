// EXPLAIN's text: one line per plan node in PostgreSQL's layout (children
// indented under "->  "), with the chosen access path (Seq Scan or Index
// Lookup on an index), join algorithm and conditions; with ANALYZE, each node
// gets the rows it produced, its loops and its time.

import type { BoundExpr, SortKey } from '../binder/index.js';
import { assertNever } from '../types/errors.js';
import { condition, deparse } from './deparse.js';
import type { LookupKey, PhysicalPlan, PlannedStatement, Subplans } from './physical-plan.js';
import { nodeExpressions, physicalChildren, subqueryIds } from './physical-utils.js';

export interface NodeStats {
  readonly rows: number;
  readonly loops: number;
  readonly firstRowMs: number;
  readonly totalMs: number;
}

/** ANALYZE's per-node statistics, by plan node identity. */
export type StatsLookup = (node: PhysicalPlan) => NodeStats | undefined;

interface Described {
  readonly title: string;
  readonly details: string[];
}

const joinNames = { inner: '', left: ' Left', right: ' Right', full: ' Full' } as const;
/** Join conditions name columns with their table; a scan's own conditions do not. */
const qualified = { unqualified: false };
const bare = { unqualified: true };

function sortKeyText(keys: readonly SortKey[]): string {
  return keys.map((k) => `${deparse(k.expr, qualified)}${k.descending ? ' DESC' : ''}${k.nullsFirst !== k.descending ? (k.nullsFirst ? ' NULLS FIRST' : ' NULLS LAST') : ''}`).join(', ');
}

function scanName(table: string, alias: string): string {
  return alias === table ? table : `${table} ${alias}`;
}

function describe(plan: PhysicalPlan): Described {
  const details: string[] = [];
  const add = (label: string, e: BoundExpr | null, options = qualified): void => { if (e !== null) details.push(`${label}: ${condition(e, options)}`); };
  switch (plan.kind) {
    case 'seqScan': add('Filter', plan.filter, bare); return { title: `Seq Scan on ${scanName(plan.table.name, plan.alias)}`, details };
    case 'indexLookup': {
      const names = plan.index.columnPositions.map((p) => plan.table.columns[p]?.name ?? '?');
      details.push(`Index Cond: (${names.map((n, i) => deparseLookupKey(n, plan.keys[i])).join(' AND ')})`);
      add('Filter', plan.filter, bare);
      return { title: `Index Lookup using ${plan.index.name} on ${scanName(plan.table.name, plan.alias)}`, details };
    }
    case 'values': return { title: 'Values Scan on "*VALUES*"', details };
    case 'oneRow': return { title: 'Result', details };
    case 'functionScan': return { title: `Function Scan on ${plan.name}`, details };
    case 'filter': return { title: 'Filter', details: [`Filter: ${condition(plan.predicate, qualified)}`] };
    case 'project': return { title: 'Project', details };
    case 'hashJoin':
      details.push(`Hash Cond: (${plan.leftKeys.map((k, i) => `${deparse(k, qualified)} = ${deparse(plan.rightKeys[i] as BoundExpr, qualified)}`).join(' AND ')})`);
      add('Join Filter', plan.residual);
      return { title: `Hash${joinNames[plan.joinType]} Join`, details };
    case 'nestedLoopJoin': add('Join Filter', plan.condition); return { title: plan.joinType === 'inner' ? 'Nested Loop' : `Nested Loop${joinNames[plan.joinType]} Join`, details };
    case 'indexNestedLoopJoin': add('Join Filter', plan.residual); return { title: `Nested Loop${plan.joinType === 'left' ? ' Left Join' : ''}`, details };
    case 'hashAggregate':
      if (plan.groupBy.length > 0) details.push(`Group Key: ${plan.groupBy.map((g) => deparse(g, qualified)).join(', ')}`);
      return { title: plan.groupBy.length > 0 ? 'HashAggregate' : 'Aggregate', details };
    case 'window': return { title: 'WindowAgg', details };
    case 'projectSet': return { title: 'ProjectSet', details };
    case 'sort': details.push(`Sort Key: ${sortKeyText(plan.keys)}`); return { title: 'Sort', details };
    case 'limit': return { title: 'Limit', details };
    case 'distinct': return { title: plan.on === null ? 'HashAggregate (DISTINCT)' : 'Unique', details };
    case 'setOp': return { title: setOpTitle(plan.op, plan.all), details };
    case 'with': return { title: 'CTE Scope', details };
    case 'cteScan': return { title: `CTE Scan on ${plan.name}`, details };
    case 'recursiveUnion': return { title: 'Recursive Union', details };
    case 'workTableScan': return { title: `WorkTable Scan on ${plan.name}`, details };
    default: return assertNever(plan, 'physical plan');
  }
}

/** `aid = $1`, `aid = ANY (ARRAY[1, 2])` for an IN list, `aid = ANY ($1)` for an array. */
export function deparseLookupKey(column: string, key: LookupKey | undefined): string {
  if (key === undefined) return `${column} = ?`;
  switch (key.kind) {
    case 'value': return `${column} = ${deparse(key.expr, bare)}`;
    case 'list': return `${column} = ANY (ARRAY[${key.exprs.map((e) => deparse(e, bare)).join(', ')}])`;
    case 'array': return `${column} = ANY (${deparse(key.expr, bare)})`;
  }
}

function setOpTitle(op: 'union' | 'intersect' | 'except', all: boolean): string {
  if (op === 'union') return all ? 'Append' : 'HashAggregate (UNION)';
  return `HashSetOp ${op === 'intersect' ? 'Intersect' : 'Except'}${all ? ' All' : ''}`;
}

function subplanIds(plan: PhysicalPlan): number[] {
  return subqueryIds(nodeExpressions(plan));
}

function statsText(stats: NodeStats | undefined): string {
  if (stats === undefined) return ' (never executed)';
  return ` (actual time=${stats.firstRowMs.toFixed(3)}..${stats.totalMs.toFixed(3)} rows=${Math.round(stats.rows / Math.max(stats.loops, 1))} loops=${stats.loops})`;
}

/** What a folded-away node (a filter, a projection) hands to the node that shows it. */
interface Folded {
  readonly details: readonly string[];
  /** The node whose statistics the line shows (a filter's, counting the rows that passed). */
  readonly statsOf: PhysicalPlan | null;
  readonly subplans: readonly number[];
}

const nothingFolded: Folded = { details: [], statsOf: null, subplans: [] };

class Renderer {
  readonly lines: string[] = [];
  constructor(private readonly subplans: Subplans, private readonly stats: StatsLookup | null) {}

  /**
   * A node whose title starts at `indent`; its details at indent + 2, children
   * under "->  ". Projections are invisible and filters print as their
   * input's "Filter:" line, as in PostgreSQL's plans.
   */
  node(plan: PhysicalPlan, indent: number, arrow: boolean, folded: Folded = nothingFolded): void {
    if ((plan.kind === 'project' && plan.input.kind !== 'oneRow') || plan.kind === 'filter') {
      const details = plan.kind === 'filter' ? [...folded.details, `Filter: ${condition(plan.predicate, qualified)}`] : folded.details;
      this.node(plan.input, indent, arrow, { details, statsOf: folded.statsOf ?? plan, subplans: [...folded.subplans, ...subplanIds(plan)] });
      return;
    }
    const { title, details } = describe(plan);
    const annotation = this.stats === null ? '' : statsText(this.stats(folded.statsOf ?? plan));
    this.lines.push(`${' '.repeat(indent)}${arrow ? '->  ' : ''}${title}${annotation}`);
    const inner = ' '.repeat(indent + (arrow ? 6 : 2));
    for (const d of [...details, ...folded.details]) this.lines.push(`${inner}${d}`);
    if (plan.kind === 'with') for (const cte of plan.ctes) { this.lines.push(`${inner}CTE ${cte.name}`); this.node(cte.plan, inner.length + 2, true); }
    const children = plan.kind === 'with' ? [plan.input] : physicalChildren(plan);
    for (const child of children) this.node(child, inner.length, true);
    if (plan.kind === 'indexNestedLoopJoin') this.indexProbe(plan, inner.length);
    for (const id of [...subplanIds(plan), ...folded.subplans]) {
      const sub = this.subplans.get(id);
      if (sub === undefined) continue;
      this.lines.push(`${inner}SubPlan ${id}`);
      this.node(sub, inner.length + 2, true);
    }
  }

  private indexProbe(plan: PhysicalPlan & { kind: 'indexNestedLoopJoin' }, indent: number): void {
    const names = plan.index.columnPositions.map((p) => plan.table.columns[p]?.name ?? '?');
    this.lines.push(`${' '.repeat(indent)}->  Index Lookup using ${plan.index.name} on ${scanName(plan.table.name, plan.alias)}`);
    const pad = ' '.repeat(indent + 6);
    this.lines.push(`${pad}Index Cond: (${names.map((n, i) => `${n} = ${deparse(plan.leftKeys[i] as BoundExpr, qualified)}`).join(' AND ')})`);
    if (plan.rightFilter !== null) this.lines.push(`${pad}Filter: ${condition(plan.rightFilter, bare)}`);
  }
}

export function explainLines(statement: PlannedStatement, stats: StatsLookup | null): string[] {
  const renderer = new Renderer(statement.subplans, stats);
  if (statement.kind === 'query') {
    renderer.node(statement.plan, 0, false);
  } else {
    renderer.lines.push(`${statement.kind === 'insert' ? 'Insert' : statement.kind === 'update' ? 'Update' : 'Delete'} on ${statement.table.name}`);
    renderer.node(statement.source, 2, true);
  }
  return renderer.lines;
}
