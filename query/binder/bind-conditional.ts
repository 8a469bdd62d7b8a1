// CASE, COALESCE, NULLIF, GREATEST/LEAST and ARRAY[...]: each resolves one
// result type from its branches with select_common_type(), as PostgreSQL does.

import type { Expr } from '../ast/index.js';
import { arrayOf, formatTypeName, SqlTypes } from '../types/sql-type.js';
import type { ArraySqlType, ScalarSqlType, SqlType } from '../types/sql-type.js';
import { bindExpr } from './bind-expr.js';
import { bindOperatorCall } from './bind-operator.js';
import type { BoundCaseWhen, BoundExpr } from './bound-expr.js';
import { coerceOrFail, coerceToBoolean, selectCommonType, typedInput } from './coerce.js';
import { bindError, BinderState } from './errors.js';
import type { ExprContext } from './expr-context.js';

function coerceAll(exprs: readonly BoundExpr[], type: SqlType, context: string, ctx: ExprContext, position: number): BoundExpr[] {
  return exprs.map((e) => coerceOrFail(e, type, 'implicit', ctx.bind, position,
    () => `${context} could not convert type ${formatTypeName(e.type)} to ${formatTypeName(type)}`));
}

export function bindCase(expr: Expr & { kind: 'case' }, ctx: ExprContext): BoundExpr {
  const operand = expr.operand === null ? null : bindExpr(expr.operand, ctx);
  const whenCtx: ExprContext = operand === null ? ctx : { ...ctx, caseOperand: operand.type };
  const conditions = expr.whens.map((w) => {
    if (operand === null) return coerceToBoolean(bindExpr(w.condition, ctx), ctx.bind, 'CASE/WHEN', expr.position);
    const test: BoundExpr = { kind: 'caseTest', type: operand.type };
    return bindOperatorCall('=', [test, bindExpr(w.condition, whenCtx)], ctx, expr.position);
  });
  const results = expr.whens.map((w) => bindExpr(w.result, ctx));
  const elseBound: BoundExpr = expr.elseResult === null ? { kind: 'const', type: SqlTypes.text, value: null, unknown: true } : bindExpr(expr.elseResult, ctx);
  const all = [...results, elseBound];
  const type = selectCommonType(all.map((e) => typedInput(e, ctx.bind)), 'CASE', expr.position);
  const coerced = coerceAll(all, type, 'CASE', ctx, expr.position);
  const whens: BoundCaseWhen[] = conditions.map((condition, i) => ({ condition, result: coerced[i] as BoundExpr }));
  return { kind: 'case', type, operand, whens, elseResult: coerced[coerced.length - 1] as BoundExpr };
}

export function bindCoalesce(args: readonly Expr[], ctx: ExprContext, position: number): BoundExpr {
  const bound = args.map((a) => bindExpr(a, ctx));
  const type = selectCommonType(bound.map((e) => typedInput(e, ctx.bind)), 'COALESCE', position);
  return { kind: 'coalesce', type, args: coerceAll(bound, type, 'COALESCE', ctx, position) };
}

/** NULLIF(a, b): the first argument of the implied `=`, which may have been promoted to b's type. */
export function bindNullIf(left: Expr, right: Expr, ctx: ExprContext, position: number): BoundExpr {
  const eq = bindOperatorCall('=', [bindExpr(left, ctx), bindExpr(right, ctx)], ctx, position);
  if (eq.kind !== 'operator') throw new Error('NULLIF: = did not bind to an operator');
  const [l, r] = eq.args as [BoundExpr, BoundExpr];
  return { kind: 'nullIf', type: l.type, left: l, right: r, equals: eq.fn };
}

export function bindMinMax(op: 'greatest' | 'least', args: readonly Expr[], ctx: ExprContext, position: number): BoundExpr {
  const bound = args.map((a) => bindExpr(a, ctx));
  const name = op.toUpperCase();
  const type = selectCommonType(bound.map((e) => typedInput(e, ctx.bind)), name, position);
  return { kind: 'minMax', type, op, args: coerceAll(bound, type, name, ctx, position) };
}

/** ARRAY[...]; `target` is the type of a cast around it (which also types an empty ARRAY[]). */
export function bindArray(elements: readonly Expr[], ctx: ExprContext, position: number, target: ArraySqlType | null): BoundExpr {
  const nested = elements.length > 0 && elements.every((e) => e.kind === 'array');
  const bound = elements.map((e) => (nested && e.kind === 'array' ? bindArray(e.elements, ctx, e.position, target) : bindExpr(e, ctx)));
  if (bound.length === 0) {
    if (target === null) {
      throw bindError(BinderState.indeterminateDatatype, 'cannot determine type of empty array', position, { hint: 'Explicitly cast to the desired type, for example ARRAY[]::integer[].' });
    }
    return { kind: 'array', type: target, elements: [] };
  }
  const elementType: SqlType = target !== null && !nested
    ? target.element
    : selectCommonType(bound.map((e) => typedInput(e, ctx.bind)), 'ARRAY', position);
  const coerced = coerceAll(bound, elementType, 'ARRAY', ctx, position);
  const type = elementType.kind === 'array' ? elementType : arrayOf(elementType as ScalarSqlType);
  return { kind: 'array', type, elements: coerced };
}
