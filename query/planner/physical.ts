// Logical → physical: access paths and join algorithms by rule; every other
// operator maps one to one.

import type { LogicalPlan } from '../binder/index.js';
import { assertNever } from '../types/errors.js';
import { splitConjuncts } from './conjuncts.js';
import type { PhysicalPlan } from './physical-plan.js';
import { chooseJoin } from './rules/choose-join.js';
import { chooseScan } from './rules/choose-scan.js';

export function toPhysical(plan: LogicalPlan): PhysicalPlan {
  switch (plan.kind) {
    case 'scan': return chooseScan(plan, []);
    case 'filter':
      if (plan.input.kind === 'scan') return chooseScan(plan.input, splitConjuncts(plan.predicate));
      return { ...plan, input: toPhysical(plan.input) };
    case 'join': return chooseJoin(plan, toPhysical);
    case 'values': case 'oneRow': case 'functionScan': case 'cteScan': case 'workTableScan':
      return plan;
    case 'project': case 'window': case 'projectSet': case 'sort': case 'limit': case 'distinct':
      return { ...plan, input: toPhysical(plan.input) } as PhysicalPlan;
    case 'aggregate':
      return { kind: 'hashAggregate', input: toPhysical(plan.input), groupBy: plan.groupBy, aggregates: plan.aggregates, columns: plan.columns };
    case 'setOp':
      return { ...plan, left: toPhysical(plan.left), right: toPhysical(plan.right) };
    case 'with':
      return { ...plan, ctes: plan.ctes.map((c) => ({ id: c.id, name: c.name, plan: toPhysical(c.plan) })), input: toPhysical(plan.input) };
    case 'recursiveUnion':
      return { ...plan, anchor: toPhysical(plan.anchor), recursive: toPhysical(plan.recursive) };
    default:
      return assertNever(plan, 'logical plan');
  }
}
