// The binder: AST → bound statements (names resolved, types decided,
// functions and operators chosen) and logical plans.

export { bindStatement } from './bind-statement.js';
export type { BindResult } from './bind-statement.js';
export type * from './bound-expr.js';
export type * from './bound-statement.js';
export type * from './logical-plan.js';
export { children, exprKey, isVolatile, mapChildren, referencedColumns, rewrite, sameExpr, shiftColumns, some, walk } from './expr-utils.js';
