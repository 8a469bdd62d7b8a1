// WITH: each CTE is bound in order (later ones see earlier ones) and
// materialised once per execution. WITH RECURSIVE's self-referencing CTEs
// must be `anchor UNION [ALL] recursive-term`; the recursive term reads the
// rows of the previous iteration (the work table).

import type { CommonTableExpr, Expr, FromItem, QueryBody, Select, WithClause } from '../ast/index.js';
import { formatTypeName } from '../types/sql-type.js';
import type { SqlType } from '../types/sql-type.js';
import { bindQuery } from './bind-query.js';
import { bindBody } from './bind-set-op.js';
import type { BoundExpr } from './bound-expr.js';
import { coerceOrFail } from './coerce.js';
import type { BindContext } from './context.js';
import { bindError, BinderState, notSupported } from './errors.js';
import type { CteDefinition, LogicalPlan, PlanColumn } from './logical-plan.js';
import { keepColumns } from './plan-utils.js';
import type { QueryScope } from './scope.js';

function renamed(columns: readonly PlanColumn[], names: readonly string[], cteName: string): PlanColumn[] {
  if (names.length > columns.length) {
    throw bindError(BinderState.invalidColumnReference, `WITH query "${cteName}" has ${columns.length} columns available but ${names.length} columns specified`);
  }
  return columns.map((c, i) => ({ ...c, name: names[i] ?? c.name }));
}

export function bindWith(clause: WithClause, scope: QueryScope, bind: BindContext): CteDefinition[] {
  const out: CteDefinition[] = [];
  for (const cte of clause.ctes) {
    if (scope.ctes.has(cte.name)) throw bindError(BinderState.duplicateAlias, `WITH query name "${cte.name}" specified more than once`, cte.position);
    if (cte.query.kind !== 'select') throw notSupported('data-modifying statements in WITH', cte.position);
    const id = bind.nextId();
    const definition = clause.recursive && selectReferences(cte.query, cte.name)
      ? bindRecursive(cte, cte.query, id, scope, bind)
      : bindPlain(cte, cte.query, id, scope, bind);
    scope.ctes.set(cte.name, { id, name: cte.name, columns: definition.plan.columns, recursiveReference: false });
    out.push(definition);
  }
  return out;
}

function bindPlain(cte: CommonTableExpr, query: Select, id: number, scope: QueryScope, bind: BindContext): CteDefinition {
  const result = bindQuery(query, scope.siblingScope(), bind);
  const columns = renamed(result.columns, cte.columns, cte.name);
  return { id, name: cte.name, plan: { ...result.plan, columns } as LogicalPlan };
}

function bindRecursive(cte: CommonTableExpr, query: Select, id: number, scope: QueryScope, bind: BindContext): CteDefinition {
  const body = query.body;
  if (body.kind !== 'setOperation' || body.op !== 'union' || query.orderBy.length > 0 || query.limit !== null || query.offset !== null) {
    throw bindError(BinderState.invalidRecursion, `recursive query "${cte.name}" does not have the form non-recursive-term UNION [ALL] recursive-term`, cte.position);
  }
  if (bodyReferences(body.left, cte.name)) {
    throw bindError(BinderState.invalidRecursion, `recursive reference to query "${cte.name}" must not appear within its non-recursive term`, cte.position);
  }
  const anchor = bindBody(body.left, scope, bind);
  const columns = renamed(anchor.columns, cte.columns, cte.name);
  const recursiveScope = scope.siblingScope();
  recursiveScope.ctes.set(cte.name, { id, name: cte.name, columns, recursiveReference: true });
  const recursive = bindBody(body.right, recursiveScope, bind);
  if (recursive.columns.length !== columns.length) {
    throw bindError(BinderState.syntaxError, 'each UNION query must have the same number of columns', cte.position);
  }
  const recursivePlan = coerceRecursive(recursive.plan, recursive.columns, columns, cte.name, bind);
  const plan: LogicalPlan = {
    kind: 'recursiveUnion', cteId: id, anchor: keepColumns(anchor.plan, anchor.columns.length), recursive: recursivePlan, all: body.all, columns,
  };
  return { id, name: cte.name, plan };
}

/** The recursive term must produce the anchor's types (PostgreSQL insists; implicit casts are applied). */
function coerceRecursive(plan: LogicalPlan, got: readonly PlanColumn[], want: readonly PlanColumn[], name: string, bind: BindContext): LogicalPlan {
  const trimmed = keepColumns(plan, got.length);
  if (got.every((c, i) => formatTypeName(c.type) === formatTypeName((want[i] as PlanColumn).type))) return trimmed;
  const exprs: BoundExpr[] = got.map((c, i) => {
    const target = (want[i] as PlanColumn).type as SqlType;
    return coerceOrFail({ kind: 'column', type: c.type, index: i, name: c.name }, target, 'implicit', bind, undefined,
      () => `recursive query "${name}" column ${i + 1} has type ${formatTypeName(target)} in non-recursive term but type ${formatTypeName(c.type)} overall`,
      'Cast the output of the non-recursive term to the correct type.');
  });
  return { kind: 'project', input: trimmed, exprs, columns: want };
}

// ---- does a query mention a table name (to find self-references)? ----

function selectReferences(select: Select, name: string): boolean {
  if (select.with !== null && select.with.ctes.some((c) => c.name === name)) return false;
  return bodyReferences(select.body, name) || (select.with?.ctes.some((c) => c.query.kind === 'select' && selectReferences(c.query, name)) ?? false);
}

function bodyReferences(body: QueryBody, name: string): boolean {
  switch (body.kind) {
    case 'selectCore':
      return body.from.some((f) => fromReferences(f, name)) || [body.where, body.having, ...body.targets.map((t) => t.expr)].some((e) => e !== null && exprReferences(e, name));
    case 'values': return false;
    case 'setOperation': return bodyReferences(body.left, name) || bodyReferences(body.right, name);
    case 'select': return selectReferences(body, name);
  }
}

function fromReferences(item: FromItem, name: string): boolean {
  switch (item.kind) {
    case 'table': return item.name.schema === null && item.name.name === name;
    case 'subquery': return selectReferences(item.query, name);
    case 'function': return false;
    case 'join': return fromReferences(item.left, name) || fromReferences(item.right, name);
  }
}

/** Subqueries inside expressions (a recursive reference there is refused by PostgreSQL too). */
function exprReferences(expr: Expr, name: string): boolean {
  const queries: Select[] = [];
  const visit = (value: unknown): void => {
    if (typeof value !== 'object' || value === null) return;
    if (Array.isArray(value)) { value.forEach(visit); return; }
    const node = value as { kind?: string };
    if (node.kind === 'select') { queries.push(value as Select); return; }
    Object.values(value).forEach(visit);
  };
  visit(expr);
  return queries.some((q) => selectReferences(q, name));
}
