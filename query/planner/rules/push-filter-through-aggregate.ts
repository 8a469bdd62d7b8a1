// Rule: HAVING conjuncts (and outer WHERE conjuncts over a grouped subquery)
// that read only grouping keys filter the groups' input rows instead: fewer
// rows to aggregate, and a key equality can become an index lookup.

import type { BoundExpr, LogicalPlan } from '../../binder/index.js';
import { referencedColumns } from '../../binder/index.js';
import { combineConjuncts, isMovable } from '../conjuncts.js';
import { substituteColumns } from './push-filter-through-project.js';

type Aggregate = LogicalPlan & { kind: 'aggregate' };
type Recurse = (plan: LogicalPlan, pending: readonly BoundExpr[]) => LogicalPlan;

export function pushFilterThroughAggregate(aggregate: Aggregate, pending: readonly BoundExpr[], recurse: Recurse): LogicalPlan {
  const keyCount = aggregate.groupBy.length;
  const pushed: BoundExpr[] = [];
  const kept: BoundExpr[] = [];
  for (const e of pending) {
    const columns = [...referencedColumns(e)];
    // Without a key reference a predicate may decide whether an empty input still yields its one row.
    const onKeysOnly = columns.length > 0 && columns.every((c) => c < keyCount);
    // A volatile key (GROUP BY random()) must not be recomputed below the aggregate.
    const keysMovable = columns.every((c) => { const key = aggregate.groupBy[c]; return key !== undefined && isMovable(key); });
    if (onKeysOnly && keysMovable && isMovable(e)) pushed.push(substituteColumns(e, aggregate.groupBy)); else kept.push(e);
  }
  const rebuilt: LogicalPlan = { ...aggregate, input: recurse(aggregate.input, pushed) };
  const above = combineConjuncts(kept);
  return above === null ? rebuilt : { kind: 'filter', input: rebuilt, predicate: above, columns: rebuilt.columns };
}
