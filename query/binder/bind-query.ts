// A whole query: WITH, the body (a SELECT core, VALUES, a set operation or a
// parenthesised query), ORDER BY, LIMIT and OFFSET. This is what statements,
// subqueries, CTE bodies and INSERT sources bind through.

import type { Expr, Select, SortItem } from '../ast/index.js';
import { SqlTypes } from '../types/sql-type.js';
import { bindExpr } from './bind-expr.js';
import { bindWith } from './bind-cte.js';
import { bindSelectCore } from './bind-select.js';
import type { BodyResult } from './bind-select.js';
import { bindBody } from './bind-set-op.js';
import type { BoundExpr, SortKey } from './bound-expr.js';
import { coerceOrFail } from './coerce.js';
import type { BindContext } from './context.js';
import { bindError, BinderState, notSupported } from './errors.js';
import { plainContext } from './expr-context.js';
import type { LogicalPlan, PlanColumn } from './logical-plan.js';
import { column0, keepColumns } from './plan-utils.js';
import type { QueryScope } from './scope.js';

export interface BoundQueryResult {
  readonly plan: LogicalPlan;
  readonly columns: readonly PlanColumn[];
  /** Per column: an untyped literal, still text, that a UNION or INSERT may read as another type. */
  readonly unknown: readonly boolean[];
}

/** ORDER BY over a VALUES or set-operation result: output column names or ordinals only. */
function outputSortKeys(items: readonly SortItem[], columns: readonly PlanColumn[]): SortKey[] {
  return items.map((item) => {
    const e = item.expr;
    let index = -1;
    if (e.kind === 'literal' && e.value.type === 'integer') {
      index = Number(e.value.text) - 1;
      if (index < 0 || index >= columns.length) throw bindError(BinderState.invalidColumnReference, `ORDER BY position ${e.value.text} is not in select list`);
    } else if (e.kind === 'columnRef' && e.path.length === 1) {
      index = columns.findIndex((c) => c.name === e.path[0]);
    }
    if (index < 0) throw notSupported('ORDER BY expressions over UNION/INTERSECT/EXCEPT or VALUES results (name an output column)');
    const descending = item.direction === 'desc';
    return { expr: column0(index, (columns[index] as PlanColumn).type, (columns[index] as PlanColumn).name), descending, nullsFirst: item.nulls === 'default' ? descending : item.nulls === 'first' };
  });
}

function bindLimitValue(expr: Expr | null, clause: 'LIMIT' | 'OFFSET', scope: QueryScope, bind: BindContext): BoundExpr | null {
  if (expr === null || (expr.kind === 'literal' && expr.value.type === 'null')) return null;
  const bound = bindExpr(expr, plainContext(bind, scope.siblingScope(), clause));
  return coerceOrFail(bound, SqlTypes.int8, 'assignment', bind, undefined, () => `argument of ${clause} must be type bigint, not type ${bound.type.kind}`);
}

function bindQueryBody(select: Select, scope: QueryScope, bind: BindContext): BodyResult {
  const body = select.body;
  if (body.kind === 'selectCore') return bindSelectCore(body, select.orderBy, scope, bind);
  const result = bindBody(body, scope, bind);
  if (select.orderBy.length === 0) return result;
  const keys = outputSortKeys(select.orderBy, result.columns);
  const plan = keepColumns(result.plan, result.columns.length);
  return { ...result, plan: { kind: 'sort', input: plan, keys, columns: plan.columns }, hidden: 0 };
}

/** The ORDER BY of a query body (under DISTINCT, if any): what WITH TIES compares. */
function orderingOf(plan: LogicalPlan): readonly SortKey[] | null {
  if (plan.kind === 'sort') return plan.keys;
  return plan.kind === 'distinct' ? orderingOf(plan.input) : null;
}

export function bindQuery(select: Select, scope: QueryScope, bind: BindContext): BoundQueryResult {
  if (select.locking.length > 0) throw notSupported('SELECT ... FOR UPDATE/SHARE');
  const ctes = select.with === null ? [] : bindWith(select.with, scope, bind);
  const body = bindQueryBody(select, scope, bind);
  let plan = body.plan;
  const limit = bindLimitValue(select.limit, 'LIMIT', scope, bind);
  const offset = bindLimitValue(select.offset, 'OFFSET', scope, bind);
  const ties = select.limitWithTies ? orderingOf(plan) : null;
  if (limit !== null || offset !== null) plan = { kind: 'limit', input: plan, limit, offset, ties, columns: plan.columns };
  plan = keepColumns(plan, body.columns.length);
  plan = { ...plan, columns: body.columns } as LogicalPlan;
  if (ctes.length > 0) plan = { kind: 'with', ctes, input: plan, columns: body.columns };
  return { plan, columns: body.columns, unknown: body.unknown };
}
