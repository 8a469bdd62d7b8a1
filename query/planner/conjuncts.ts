// AND-lists: predicates are split into conjuncts so each can move on its own,
// and put back together where they land.

import type { BoundExpr } from '../binder/index.js';
import { referencedColumns, some } from '../binder/index.js';
import { SqlTypes } from '../types/sql-type.js';

export function splitConjuncts(expr: BoundExpr | null): BoundExpr[] {
  if (expr === null) return [];
  if (expr.kind === 'and') return expr.args.flatMap(splitConjuncts);
  return [expr];
}

export function combineConjuncts(conjuncts: readonly BoundExpr[]): BoundExpr | null {
  if (conjuncts.length === 0) return null;
  if (conjuncts.length === 1) return conjuncts[0] ?? null;
  return { kind: 'and', type: SqlTypes.bool, args: conjuncts };
}

/** Which side of a join a conjunct reads: left columns are [0, leftWidth). */
export type Side = 'none' | 'left' | 'right' | 'both';

export function sideOf(expr: BoundExpr, leftWidth: number): Side {
  const columns = [...referencedColumns(expr)];
  if (columns.length === 0) return 'none';
  const left = columns.some((c) => c < leftWidth);
  const right = columns.some((c) => c >= leftWidth);
  return left && right ? 'both' : left ? 'left' : 'right';
}

/** Volatile predicates (random(), nextval) stay where they were written: moving them changes how often they run. */
export function isMovable(expr: BoundExpr): boolean {
  return !some(expr, (e) => ((e.kind === 'call' || e.kind === 'operator') && e.volatility === 'volatile') || e.kind === 'identity');
}

export function readsOuterValues(expr: BoundExpr): boolean {
  return some(expr, (e) => e.kind === 'outerRef');
}
