// Rule: a predicate over a projection is rewritten in terms of the
// projection's input (column i becomes expression i) and pushed below it, so
// `SELECT * FROM (SELECT ... FROM t) s WHERE s.id = 1` still reaches t's scan.

import type { BoundExpr, LogicalPlan } from '../../binder/index.js';
import { referencedColumns, rewrite } from '../../binder/index.js';
import { combineConjuncts, isMovable } from '../conjuncts.js';

type Project = LogicalPlan & { kind: 'project' };
type Recurse = (plan: LogicalPlan, pending: readonly BoundExpr[]) => LogicalPlan;

export function substituteColumns(expr: BoundExpr, exprs: readonly BoundExpr[]): BoundExpr {
  return rewrite(expr, (e) => (e.kind === 'column' ? exprs[e.index] : undefined));
}

export function pushFilterThroughProject(project: Project, pending: readonly BoundExpr[], recurse: Recurse): LogicalPlan {
  const pushed: BoundExpr[] = [];
  const kept: BoundExpr[] = [];
  for (const e of pending) {
    const sources = [...referencedColumns(e)].map((i) => project.exprs[i]);
    const ok = isMovable(e) && sources.every((s) => s !== undefined && isMovable(s));
    if (ok) pushed.push(substituteColumns(e, project.exprs)); else kept.push(e);
  }
  const rebuilt: LogicalPlan = { ...project, input: recurse(project.input, pushed) };
  const above = combineConjuncts(kept);
  return above === null ? rebuilt : { kind: 'filter', input: rebuilt, predicate: above, columns: rebuilt.columns };
}
