// Traversal of physical plans: child plans and the expressions each node
// evaluates (for finding subqueries and for EXPLAIN).

import type { BoundExpr } from '../binder/index.js';
import { walk } from '../binder/index.js';
import { assertNever } from '../types/errors.js';
import type { PhysicalPlan, Subplans } from './physical-plan.js';

export function physicalChildren(plan: PhysicalPlan): PhysicalPlan[] {
  switch (plan.kind) {
    case 'seqScan': case 'indexLookup': case 'values': case 'oneRow': case 'functionScan': case 'cteScan': case 'workTableScan':
      return [];
    case 'filter': case 'project': case 'hashAggregate': case 'window': case 'projectSet': case 'sort': case 'limit': case 'distinct': case 'indexNestedLoopJoin':
      return plan.kind === 'indexNestedLoopJoin' ? [plan.left] : [plan.input];
    case 'hashJoin': case 'nestedLoopJoin': case 'setOp':
      return [plan.left, plan.right];
    case 'with': return [...plan.ctes.map((c) => c.plan), plan.input];
    case 'recursiveUnion': return [plan.anchor, plan.recursive];
    default: return assertNever(plan, 'physical plan');
  }
}

function nullable(e: BoundExpr | null): BoundExpr[] {
  return e === null ? [] : [e];
}

/** Every expression a node evaluates itself (not its children's). */
export function nodeExpressions(plan: PhysicalPlan): BoundExpr[] {
  switch (plan.kind) {
    case 'seqScan': return nullable(plan.filter);
    case 'indexLookup': return [...plan.keys.flatMap((k) => (k.kind === 'list' ? k.exprs : [k.expr])), ...nullable(plan.filter)];
    case 'values': return plan.rows.flat();
    case 'functionScan': return [...plan.args];
    case 'filter': return [plan.predicate];
    case 'project': return [...plan.exprs];
    case 'hashJoin': return [...plan.leftKeys, ...plan.rightKeys, ...nullable(plan.residual)];
    case 'nestedLoopJoin': return [...nullable(plan.condition), ...(plan.lateral ?? [])];
    case 'indexNestedLoopJoin': return [...plan.leftKeys, ...nullable(plan.rightFilter), ...nullable(plan.residual)];
    case 'hashAggregate': return [...plan.groupBy, ...plan.aggregates];
    case 'window': case 'projectSet': return [...plan.functions];
    case 'sort': return plan.keys.map((k) => k.expr);
    case 'limit': return [...nullable(plan.limit), ...nullable(plan.offset)];
    case 'distinct': return [...(plan.on ?? [])];
    case 'oneRow': case 'setOp': case 'with': case 'cteScan': case 'recursiveUnion': case 'workTableScan':
      return [];
    default: return assertNever(plan, 'physical plan');
  }
}

/** Subquery ids in expressions (not inside the subqueries' own plans). */
export function subqueryIds(exprs: readonly BoundExpr[]): number[] {
  const ids: number[] = [];
  for (const e of exprs) walk(e, (x) => { if ((x.kind === 'subquery' || x.kind === 'quantified') && !ids.includes(x.id)) ids.push(x.id); });
  return ids;
}

/** Whether running `plan` or the `exprs` (with their subqueries) reads table `tableId`. */
export function readsTable(plans: readonly PhysicalPlan[], exprs: readonly BoundExpr[], subplans: Subplans, tableId: number): boolean {
  const seen = new Set<number>();
  const visitExprs = (es: readonly BoundExpr[]): boolean => subqueryIds(es).some((id) => {
    if (seen.has(id)) return false;
    seen.add(id);
    const sub = subplans.get(id);
    return sub !== undefined && visitPlan(sub);
  });
  const visitPlan = (plan: PhysicalPlan): boolean => {
    if ((plan.kind === 'seqScan' || plan.kind === 'indexLookup' || plan.kind === 'indexNestedLoopJoin') && plan.table.id === tableId) return true;
    return visitExprs(nodeExpressions(plan)) || physicalChildren(plan).some(visitPlan);
  };
  return plans.some(visitPlan) || visitExprs(exprs);
}
