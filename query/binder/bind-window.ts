// Window functions: collected from the select list and ORDER BY (after
// aggregation, so their arguments may use aggregates), computed by one window
// node whose output is its input row followed by one column per function.

import type { BoundExpr, BoundWindowFn } from './bound-expr.js';
import { exprKey, rewrite, walk } from './expr-utils.js';
import type { LogicalPlan } from './logical-plan.js';

export function containsWindow(expr: BoundExpr): boolean {
  let found = false;
  walk(expr, (e) => {
    if (e.kind === 'windowFn') found = true;
    return !found;
  });
  return found;
}

export function planWindows(input: LogicalPlan, exprs: readonly BoundExpr[]): { plan: LogicalPlan; rewritten: readonly BoundExpr[] } {
  const functions: BoundWindowFn[] = [];
  const index = new Map<string, number>();
  for (const expr of exprs) {
    walk(expr, (e) => {
      if (e.kind !== 'windowFn') return true;
      const key = exprKey(e);
      if (!index.has(key)) { index.set(key, input.columns.length + functions.length); functions.push(e); }
      return false;
    });
  }
  if (functions.length === 0) return { plan: input, rewritten: exprs };
  const plan: LogicalPlan = {
    kind: 'window', input, functions,
    columns: [...input.columns, ...functions.map((f) => ({ name: f.name, type: f.type, tableId: 0, columnNumber: 0 }))],
  };
  const rewritten = exprs.map((expr) => rewrite(expr, (e) => {
    if (e.kind !== 'windowFn') return undefined;
    const position = index.get(exprKey(e));
    return position === undefined ? undefined : { kind: 'column', type: e.type, index: position, name: e.name };
  }));
  return { plan, rewritten };
}
