// Aggregation: GROUP BY keys (extended by functional dependency on a grouped
// primary key, as PostgreSQL allows), the aggregate calls found in the select
// list, HAVING and ORDER BY, and the rewrite of those expressions onto the
// aggregate's output row (keys, then aggregate results). A column left over
// after the rewrite is PostgreSQL's 42803.

import type { BoundAggregate, BoundExpr } from './bound-expr.js';
import { groupingError } from './errors.js';
import { exprKey, mapChildren, walk } from './expr-utils.js';
import type { LogicalPlan, PlanColumn } from './logical-plan.js';
import type { Namespace } from './scope.js';

export function containsAggregate(expr: BoundExpr): boolean {
  let found = false;
  walk(expr, (e) => {
    if (found) return false;
    if (e.kind === 'aggregate') { found = true; return false; }
    return true;
  });
  return found;
}

/** Adds every column of a table whose primary key is fully grouped (they are functionally dependent). */
function withFunctionalDependencies(keys: readonly BoundExpr[], ns: Namespace): BoundExpr[] {
  const out = [...keys];
  const present = new Set(keys.map(exprKey));
  for (const entry of ns.entries) {
    const pk = entry.table?.primaryKey;
    if (pk === undefined || pk === null) continue;
    const pkGrouped = pk.columnPositions.every((p) => {
      const column = entry.columns[p];
      return column !== undefined && present.has(exprKey(column.expr));
    });
    if (!pkGrouped) continue;
    for (const column of entry.columns) {
      const key = exprKey(column.expr);
      if (column.hidden || present.has(key)) continue;
      present.add(key);
      out.push(column.expr);
    }
  }
  return out;
}

function collectAggregates(exprs: readonly BoundExpr[]): BoundAggregate[] {
  const out: BoundAggregate[] = [];
  const seen = new Set<string>();
  for (const expr of exprs) {
    walk(expr, (e) => {
      if (e.kind !== 'aggregate') return true;
      const key = exprKey(e);
      if (!seen.has(key)) { seen.add(key); out.push(e); }
      return false;
    });
  }
  return out;
}

export interface Aggregation {
  readonly plan: LogicalPlan;
  /** The input expressions rewritten onto the aggregate's output row. */
  readonly rewritten: readonly BoundExpr[];
}

export function planAggregation(input: LogicalPlan, groupBy: readonly BoundExpr[], exprs: readonly BoundExpr[], ns: Namespace): Aggregation {
  const distinctKeys: BoundExpr[] = [];
  const keyIndex = new Map<string, number>();
  for (const key of groupBy) {
    const k = exprKey(key);
    if (!keyIndex.has(k)) { keyIndex.set(k, distinctKeys.length); distinctKeys.push(key); }
  }
  const keys = groupBy.length > 0 ? withFunctionalDependencies(distinctKeys, ns) : distinctKeys;
  keys.forEach((key, i) => keyIndex.set(exprKey(key), i));
  const aggregates = collectAggregates(exprs);
  const aggIndex = new Map(aggregates.map((a, i) => [exprKey(a), keys.length + i]));
  const columns: PlanColumn[] = [
    ...keys.map((k) => ({ name: k.kind === 'column' ? k.name : '?column?', type: k.type, tableId: 0, columnNumber: 0 })),
    ...aggregates.map((a) => ({ name: a.name, type: a.type, tableId: 0, columnNumber: 0 })),
  ];
  const plan: LogicalPlan = { kind: 'aggregate', input, groupBy: keys, aggregates, columns };
  const rewriteOne = (expr: BoundExpr, inSubquery: boolean): BoundExpr => {
    const key = exprKey(expr);
    const keyPos = keyIndex.get(key);
    if (keyPos !== undefined) return { kind: 'column', type: expr.type, index: keyPos, name: expr.kind === 'column' ? expr.name : `key${keyPos}` };
    const aggPos = expr.kind === 'aggregate' ? aggIndex.get(key) : undefined;
    if (aggPos !== undefined) return { kind: 'column', type: expr.type, index: aggPos, name: (expr as BoundAggregate).name };
    if (expr.kind === 'column') {
      throw groupingError(inSubquery
        ? `subquery uses ungrouped column "${expr.name}" from outer query`
        : `column "${expr.name}" must appear in the GROUP BY clause or be used in an aggregate function`);
    }
    // A subquery's correlation arguments are what it reads from this query; its left operand is not.
    const left: readonly BoundExpr[] = expr.kind === 'quantified' ? expr.left : [];
    const opensSubquery = expr.kind === 'subquery' || expr.kind === 'quantified';
    return mapChildren(expr, (child) => rewriteOne(child, inSubquery || (opensSubquery && !left.includes(child))));
  };
  return { plan, rewritten: exprs.map((e) => rewriteOne(e, false)) };
}
