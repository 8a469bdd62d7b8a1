// SET clauses of UPDATE and ON CONFLICT DO UPDATE: single columns, DEFAULT,
// and multi-column assignments from a row constructor or a subquery.

import type { Expr, SetClause } from '../ast/index.js';
import type { ColumnInfo, TableInfo } from '../contract.js';
import { bindExpr } from './bind-expr.js';
import { bindQuery } from './bind-query.js';
import type { BoundExpr } from './bound-expr.js';
import type { BoundAssignment } from './bound-statement.js';
import type { BindContext } from './context.js';
import { assignTo, defaultFor, findColumn, generatedAlways } from './bind-dml-common.js';
import { syntaxError } from './errors.js';
import type { ExprContext } from './expr-context.js';
import type { LogicalPlan } from './logical-plan.js';

type AssignedValue = { readonly kind: 'ast'; readonly expr: Expr } | { readonly kind: 'bound'; readonly expr: BoundExpr };

function assignment(column: ColumnInfo, value: AssignedValue, table: TableInfo, ctx: ExprContext, bind: BindContext): BoundAssignment {
  if (value.kind === 'ast' && value.expr.kind === 'default') return { position: column.position, expr: defaultFor(table, column, bind) };
  if (column.identity === 'always') throw generatedAlways(column, true);
  const bound = value.kind === 'bound' ? value.expr : bindExpr(value.expr, ctx);
  return { position: column.position, expr: assignTo(bound, column, bind, -1) };
}

/** `(a, b) = (SELECT x, y ...)`: one scalar subquery per column over the same query. */
function subqueryColumns(query: Expr & { kind: 'subquery' }, count: number, ctx: ExprContext, bind: BindContext): BoundExpr[] {
  const scope = ctx.scope.subqueryScope();
  const result = bindQuery(query.query, scope, bind);
  if (result.columns.length !== count) throw syntaxError(`number of columns does not match number of values`, query.position);
  const correlated = scope.correlation?.arguments() ?? [];
  return result.columns.map((c, i) => {
    const plan: LogicalPlan = { kind: 'project', input: result.plan, exprs: [{ kind: 'column', type: c.type, index: i, name: c.name }], columns: [c] };
    return { kind: 'subquery', type: c.type, mode: 'scalar', plan, correlated, id: bind.nextId() };
  });
}

export function bindSetClauses(clauses: readonly SetClause[], table: TableInfo, ctx: ExprContext, bind: BindContext): BoundAssignment[] {
  const out: BoundAssignment[] = [];
  const seen = new Set<string>();
  const claim = (name: string, position: number): ColumnInfo => {
    if (seen.has(name)) throw syntaxError(`multiple assignments to same column "${name}"`, position);
    seen.add(name);
    return findColumn(table, name, position);
  };
  for (const clause of clauses) {
    if (clause.kind === 'column') {
      out.push(assignment(claim(clause.column, clause.position), { kind: 'ast', expr: clause.value }, table, ctx, bind));
      continue;
    }
    const columns = clause.columns.map((name) => claim(name, clause.position));
    const source = clause.source;
    if (source.kind === 'row') {
      if (source.args.length !== columns.length) throw syntaxError('number of columns does not match number of values', clause.position);
      columns.forEach((c, i) => out.push(assignment(c, { kind: 'ast', expr: source.args[i] as Expr }, table, ctx, bind)));
    } else if (source.kind === 'subquery') {
      const values = subqueryColumns(source, columns.length, ctx, bind);
      columns.forEach((c, i) => out.push(assignment(c, { kind: 'bound', expr: values[i] as BoundExpr }, table, ctx, bind)));
    } else {
      throw syntaxError('source for a multiple-column UPDATE item must be a sub-SELECT or ROW() expression', clause.position);
    }
  }
  return out;
}
