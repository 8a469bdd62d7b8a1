// Set-returning functions in the select list (PostgreSQL 10+ semantics): they
// run in lock step for each input row, as many output rows as the longest
// one yields, shorter ones padded with NULL. A ProjectSet node below the
// projection produces them as extra columns.

import type { BoundExpr, BoundSrf } from './bound-expr.js';
import { exprKey, rewrite, some, walk } from './expr-utils.js';
import type { LogicalPlan } from './logical-plan.js';

export function containsSetReturning(expr: BoundExpr): boolean {
  return some(expr, (e) => e.kind === 'srf');
}

export function planProjectSet(input: LogicalPlan, exprs: readonly BoundExpr[]): { plan: LogicalPlan; rewritten: readonly BoundExpr[] } {
  const functions: BoundSrf[] = [];
  const index = new Map<string, number>();
  for (const expr of exprs) {
    walk(expr, (e) => {
      if (e.kind !== 'srf') return true;
      const key = exprKey(e);
      if (!index.has(key)) { index.set(key, input.columns.length + functions.length); functions.push(e); }
      return false;
    });
  }
  const plan: LogicalPlan = {
    kind: 'projectSet', input, functions,
    columns: [...input.columns, ...functions.map((f) => ({ name: f.name, type: f.type, tableId: 0, columnNumber: 0 }))],
  };
  const rewritten = exprs.map((expr) => rewrite(expr, (e) => {
    if (e.kind !== 'srf') return undefined;
    const position = index.get(exprKey(e));
    return position === undefined ? undefined : { kind: 'column', type: e.type, index: position, name: e.name };
  }));
  return { plan, rewritten };
}
