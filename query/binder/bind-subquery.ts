// Subqueries in expressions: scalar, ARRAY(...), EXISTS, and `x op ANY|ALL`
// (IN is `= ANY`). Each is bound as a new query level; the outer values it
// reads become its correlation arguments.

import type { Expr, Select } from '../ast/index.js';
import { arrayOf, formatTypeName, SqlTypes } from '../types/sql-type.js';
import { bindExpr } from './bind-expr.js';
import { resolveOperator } from './bind-operator.js';
import { bindQuery } from './bind-query.js';
import { containsAggregate } from './bind-grouping.js';
import type { BoundQueryResult } from './bind-query.js';
import type { BoundExpr } from './bound-expr.js';
import { castNode, coerceOrFail, typedInput } from './coerce.js';
import { bindError, BinderState, notSupported, syntaxError } from './errors.js';
import type { ExprContext } from './expr-context.js';
import type { LogicalPlan, PlanColumn } from './logical-plan.js';

interface BoundSubplan {
  readonly result: BoundQueryResult;
  readonly correlated: readonly BoundExpr[];
}

function bindSubplan(select: Select, ctx: ExprContext): BoundSubplan {
  const scope = ctx.scope.subqueryScope();
  const result = bindQuery(select, scope, ctx.bind);
  const correlated = scope.correlation?.arguments() ?? [];
  // An aggregate of this query used inside the subquery counts as used here.
  if (ctx.noAggregates !== null && correlated.some(containsAggregate)) throw bindError(BinderState.groupingError, ctx.noAggregates);
  return { result, correlated };
}

function onlyColumn(result: BoundQueryResult, position: number, message: string): PlanColumn {
  const column = result.columns[0];
  if (result.columns.length !== 1 || column === undefined) throw syntaxError(message, position);
  return column;
}

export function bindScalarSubquery(select: Select, mode: 'scalar' | 'array', ctx: ExprContext, position: number): BoundExpr {
  const { result, correlated } = bindSubplan(select, ctx);
  const column = onlyColumn(result, position, 'subquery must return only one column');
  if (mode === 'array' && column.type.kind === 'array') throw notSupported('ARRAY() of array-valued subqueries', position);
  const type = mode === 'array' && column.type.kind !== 'array' ? arrayOf(column.type) : column.type;
  return { kind: 'subquery', type, mode, plan: result.plan, correlated, id: ctx.bind.nextId() };
}

export function bindExistsSubquery(select: Select, ctx: ExprContext): BoundExpr {
  const { result, correlated } = bindSubplan(select, ctx);
  return { kind: 'subquery', type: SqlTypes.bool, mode: 'exists', plan: result.plan, correlated, id: ctx.bind.nextId() };
}

/** Casts the subquery's output columns where the operators want other types. */
function castOutputs(plan: LogicalPlan, columns: readonly PlanColumn[], targets: readonly PlanColumn['type'][], ctx: ExprContext): LogicalPlan {
  if (columns.every((c, i) => c.type.kind === targets[i]?.kind)) return plan;
  const exprs = columns.map((c, i): BoundExpr => {
    const source: BoundExpr = { kind: 'column', type: c.type, index: i, name: c.name };
    const target = targets[i] ?? c.type;
    return c.type.kind === target.kind ? source : castNode(source, target, 'implicit', ctx.bind);
  });
  return { kind: 'project', input: plan, exprs, columns: columns.map((c, i) => ({ ...c, type: targets[i] ?? c.type })) };
}

/** `x op ANY|ALL (SELECT ...)`, and `(a, b) IN (SELECT x, y ...)` with = or <> on rows. */
export function bindQuantifiedSubquery(op: string, quantifier: 'any' | 'all', leftExpr: Expr, select: Select, ctx: ExprContext, position: number): BoundExpr {
  const leftItems = leftExpr.kind === 'row' ? leftExpr.args : [leftExpr];
  if (leftItems.length > 1 && op !== '=' && op !== '<>') throw notSupported(`row comparison ${op} with a subquery`, position);
  const left = leftItems.map((e) => bindExpr(e, ctx));
  const { result, correlated } = bindSubplan(select, ctx);
  if (result.columns.length > left.length) throw syntaxError('subquery has too many columns', position);
  if (result.columns.length < left.length) throw syntaxError('subquery has too few columns', position);
  const coercedLeft: BoundExpr[] = [];
  const rightTypes: PlanColumn['type'][] = [];
  const compare = left.map((l, i) => {
    const column = result.columns[i] as PlanColumn;
    const resolved = resolveOperator(op, [typedInput(l, ctx.bind), { type: column.type, unknown: false }], position);
    if (resolved.resultType.kind !== 'bool') {
      throw bindError(BinderState.wrongObjectType, `operator ${op} must return type boolean, not type ${formatTypeName(resolved.resultType)}`, position);
    }
    const [leftType, rightType] = resolved.argTypes;
    coercedLeft.push(coerceOrFail(l, leftType ?? l.type, 'implicit', ctx.bind, position, () => 'cannot convert the left operand'));
    rightTypes.push(rightType ?? column.type);
    return resolved;
  });
  const equality = op === '=' && compare.every((r) => r.overload.equality && r.argTypes[0]?.kind === r.argTypes[1]?.kind);
  return {
    kind: 'quantified', type: SqlTypes.bool, quantifier, left: coercedLeft, symbol: op,
    compare: compare.map((r) => r.overload.implement(r.argTypes, r.resultType)), equality,
    plan: castOutputs(result.plan, result.columns, rightTypes, ctx), correlated, id: ctx.bind.nextId(),
  };
}
