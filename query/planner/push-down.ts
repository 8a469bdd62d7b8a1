// Predicate pushdown: carries the conjuncts of the filters met on the way
// down and drops each as deep as a rule allows (into joins, through
// projections, below aggregates on grouping keys, below sorts and plain
// DISTINCT). What cannot move further becomes a filter where it stops.

import type { BoundExpr, LogicalPlan } from '../binder/index.js';
import { combineConjuncts, isMovable, splitConjuncts } from './conjuncts.js';
import { mapLogicalChildren } from './logical-utils.js';
import { pushFilterIntoJoin } from './rules/push-filter-into-join.js';
import { pushFilterThroughAggregate } from './rules/push-filter-through-aggregate.js';
import { pushFilterThroughProject } from './rules/push-filter-through-project.js';

function placeHere(plan: LogicalPlan, pending: readonly BoundExpr[]): LogicalPlan {
  const rebuilt = mapLogicalChildren(plan, (child) => pushDownPredicates(child, []));
  const predicate = combineConjuncts(pending);
  return predicate === null ? rebuilt : { kind: 'filter', input: rebuilt, predicate, columns: rebuilt.columns };
}

/** Passes movable conjuncts through a node that neither adds nor renames columns. */
function passThrough(plan: LogicalPlan & { input: LogicalPlan }, pending: readonly BoundExpr[]): LogicalPlan {
  const movable = pending.filter(isMovable);
  const kept = pending.filter((e) => !isMovable(e));
  const rebuilt = { ...plan, input: pushDownPredicates(plan.input, movable) } as LogicalPlan;
  const predicate = combineConjuncts(kept);
  return predicate === null ? rebuilt : { kind: 'filter', input: rebuilt, predicate, columns: rebuilt.columns };
}

export function pushDownPredicates(plan: LogicalPlan, pending: readonly BoundExpr[] = []): LogicalPlan {
  switch (plan.kind) {
    case 'filter': return pushDownPredicates(plan.input, [...pending, ...splitConjuncts(plan.predicate)]);
    case 'join': return pushFilterIntoJoin(plan, pending, pushDownPredicates);
    case 'project': return pushFilterThroughProject(plan, pending, pushDownPredicates);
    case 'aggregate': return pushFilterThroughAggregate(plan, pending, pushDownPredicates);
    case 'sort': return passThrough(plan, pending);
    case 'distinct': return plan.on === null ? passThrough(plan, pending) : placeHere(plan, pending);
    default: return placeHere(plan, pending);
  }
}
