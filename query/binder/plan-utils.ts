// Small helpers for building logical plans.

import type { SqlType } from '../types/sql-type.js';
import type { BoundExpr } from './bound-expr.js';
import { sameExpr } from './expr-utils.js';
import type { LogicalPlan, PlanColumn } from './logical-plan.js';

export { sameExpr };

/** A reference to position `index` of the input row. */
export function column0(index: number, type: SqlType, name?: string): BoundExpr {
  return { kind: 'column', type, index, name: name ?? `#${index}` };
}

/** Projects the first `count` columns (drops hidden ORDER BY columns). */
export function keepColumns(plan: LogicalPlan, count: number): LogicalPlan {
  if (plan.columns.length === count) return plan;
  const columns = plan.columns.slice(0, count);
  return { kind: 'project', input: plan, exprs: columns.map((c, i) => column0(i, c.type, c.name)), columns };
}

/** Replaces the output column descriptions (names, origins) without changing rows. */
export function renameColumns(plan: LogicalPlan, columns: readonly PlanColumn[]): LogicalPlan {
  return { ...plan, columns } as LogicalPlan;
}
