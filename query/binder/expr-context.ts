// What binding an expression needs to know about where it is: the statement
// context, the query level's scope, which clauses forbid aggregates and
// window functions (PostgreSQL names the clause in its error), the SELECT's
// named windows, and the operand type of an enclosing simple CASE.

import type { WindowSpec } from '../ast/index.js';
import type { SqlType } from '../types/sql-type.js';
import type { BindContext } from './context.js';
import type { QueryScope } from './scope.js';

export interface ExprContext {
  readonly bind: BindContext;
  readonly scope: QueryScope;
  /** The error message when aggregates are forbidden here ("aggregate functions are not allowed in WHERE"), or null. */
  readonly noAggregates: string | null;
  /** The error message when window functions are forbidden here, or null. */
  readonly noWindows: string | null;
  readonly windows: ReadonlyMap<string, WindowSpec>;
  /** The type of CASE x's operand while binding its WHEN values. */
  readonly caseOperand: SqlType | null;
  /** Set-returning functions are allowed only in the select list. */
  readonly setReturning: boolean;
}

const noWindowsDefined: ReadonlyMap<string, WindowSpec> = new Map();

/** A context for a clause that allows neither aggregates nor window functions. */
export function plainContext(bind: BindContext, scope: QueryScope, clause: string): ExprContext {
  return { bind, scope, ...forbidIn(clause), windows: noWindowsDefined, caseOperand: null, setReturning: false };
}

/** A context in which `clause` allows neither aggregates nor window functions. */
export function withClause(ctx: ExprContext, clause: string): ExprContext {
  return { ...ctx, ...forbidIn(clause), setReturning: false };
}

function forbidIn(clause: string): { noAggregates: string; noWindows: string } {
  return { noAggregates: `aggregate functions are not allowed in ${clause}`, noWindows: `window functions are not allowed in ${clause}` };
}

/** A context where aggregates and window functions may appear (the select list, HAVING, ORDER BY). */
export function selectListContext(bind: BindContext, scope: QueryScope, windows: ReadonlyMap<string, WindowSpec>): ExprContext {
  return { bind, scope, noAggregates: null, noWindows: null, windows, caseOperand: null, setReturning: false };
}
