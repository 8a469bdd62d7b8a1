// Rule: predicates above a join, and the join's own ON conjuncts, move to the
// side whose columns they read when that cannot change the result: both ways
// for inner joins; for outer joins only into the side that is not
// null-extended (WHERE) or the nullable side (ON). Predicates reading both
// sides become (or stay) join conditions of an inner join.

import type { BoundExpr, LogicalPlan } from '../../binder/index.js';
import { shiftColumns } from '../../binder/index.js';
import { combineConjuncts, isMovable, readsOuterValues, sideOf, splitConjuncts } from '../conjuncts.js';
import type { Side } from '../conjuncts.js';

type Join = LogicalPlan & { kind: 'join' };
type Recurse = (plan: LogicalPlan, pending: readonly BoundExpr[]) => LogicalPlan;

interface Placement {
  readonly above: BoundExpr[];
  readonly left: BoundExpr[];
  readonly right: BoundExpr[];
  readonly condition: BoundExpr[];
}

/** Where a WHERE-level predicate may go for this join type. */
function placePending(e: BoundExpr, side: Side, join: Join, p: Placement): void {
  const rightOk = join.lateral === null || !readsOuterValues(e);
  if (!isMovable(e)) { p.above.push(e); return; }
  switch (join.joinType) {
    case 'inner':
      if (side === 'none' || side === 'left') p.left.push(e);
      else if (side === 'right' && rightOk) p.right.push(e);
      else p.condition.push(e);
      return;
    case 'left':
      if (side === 'none' || side === 'left') p.left.push(e); else p.above.push(e);
      return;
    case 'right':
      if (side === 'right' && rightOk) p.right.push(e); else p.above.push(e);
      return;
    case 'full':
      p.above.push(e);
  }
}

/** Where an ON conjunct may go: into the nullable side of an outer join, anywhere for an inner join. */
function placeOwn(e: BoundExpr, side: Side, join: Join, p: Placement): void {
  const rightOk = join.lateral === null || !readsOuterValues(e);
  if (!isMovable(e)) { p.condition.push(e); return; }
  const toLeft = (join.joinType === 'inner' || join.joinType === 'right') && (side === 'left' || side === 'none');
  const toRight = (join.joinType === 'inner' || join.joinType === 'left') && side === 'right' && rightOk;
  if (toLeft) p.left.push(e); else if (toRight) p.right.push(e); else p.condition.push(e);
}

export function pushFilterIntoJoin(join: Join, pending: readonly BoundExpr[], recurse: Recurse): LogicalPlan {
  const leftWidth = join.left.columns.length;
  const p: Placement = { above: [], left: [], right: [], condition: [] };
  for (const e of pending) placePending(e, sideOf(e, leftWidth), join, p);
  for (const e of splitConjuncts(join.condition)) placeOwn(e, sideOf(e, leftWidth), join, p);
  const rebuilt: LogicalPlan = {
    ...join,
    left: recurse(join.left, p.left),
    right: recurse(join.right, p.right.map((e) => shiftColumns(e, -leftWidth))),
    condition: combineConjuncts(p.condition),
  };
  const above = combineConjuncts(p.above);
  return above === null ? rebuilt : { kind: 'filter', input: rebuilt, predicate: above, columns: rebuilt.columns };
}
