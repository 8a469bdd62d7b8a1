// Generic traversal of logical plans for the rewrite rules.

import type { LogicalPlan } from '../binder/index.js';
import { assertNever } from '../types/errors.js';

/** Rebuilds `plan` with `f` applied to each child plan (CTE bodies included). */
export function mapLogicalChildren(plan: LogicalPlan, f: (child: LogicalPlan) => LogicalPlan): LogicalPlan {
  switch (plan.kind) {
    case 'scan': case 'values': case 'oneRow': case 'functionScan': case 'cteScan': case 'workTableScan':
      return plan;
    case 'filter': case 'project': case 'aggregate': case 'window': case 'projectSet': case 'sort': case 'limit': case 'distinct':
      return { ...plan, input: f(plan.input) };
    case 'join': case 'setOp':
      return { ...plan, left: f(plan.left), right: f(plan.right) };
    case 'with':
      return { ...plan, ctes: plan.ctes.map((c) => ({ ...c, plan: f(c.plan) })), input: f(plan.input) };
    case 'recursiveUnion':
      return { ...plan, anchor: f(plan.anchor), recursive: f(plan.recursive) };
    default:
      return assertNever(plan, 'logical plan');
  }
}
