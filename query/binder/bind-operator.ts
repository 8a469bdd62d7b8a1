// Operators: resolution against the operator catalogue (PostgreSQL's rules in
// overload.ts), and the comparison-shaped constructs built on it: BETWEEN,
// IN lists, IS DISTINCT FROM, LIKE, `op ANY (array)` and row comparisons.

import type { Expr } from '../ast/index.js';
import { operatorOverloads } from '../functions/index.js';
import type { OperatorOverload } from '../functions/index.js';
import { SqlError } from '../types/errors.js';
import { arrayOf, formatTypeName, SqlTypes } from '../types/sql-type.js';
import type { ScalarSqlType } from '../types/sql-type.js';
import { bindExpr } from './bind-expr.js';
import type { BoundExpr } from './bound-expr.js';
import { coerceOrFail, isUnknownExpr, selectCommonType, tryCoerce, typedInput } from './coerce.js';
import type { TypedInput } from './coerce.js';
import { BinderState, bindError, positionField, syntaxError, undefinedOperator } from './errors.js';
import type { ExprContext } from './expr-context.js';
import { resolveOverload } from './overload.js';
import type { Resolved } from './overload.js';

function inputText(input: TypedInput): string {
  return input.unknown ? 'unknown' : formatTypeName(input.type);
}

/** Resolves `symbol` for the given operands or raises 42883 / 42725 as PostgreSQL words them. */
export function resolveOperator(symbol: string, inputs: readonly TypedInput[], position: number): Resolved<OperatorOverload> {
  const arity = inputs.length === 1 ? 1 : 2;
  const result = resolveOverload(operatorOverloads(symbol, arity), inputs, arity === 2);
  if (result.kind === 'found') return result.resolved;
  const unknownInput = { type: SqlTypes.text, unknown: true };
  const signature = inputs.length === 1 ? `${symbol} ${inputText(inputs[0] ?? unknownInput)}` : `${inputText(inputs[0] ?? unknownInput)} ${symbol} ${inputText(inputs[1] ?? unknownInput)}`;
  if (result.kind === 'ambiguous') {
    throw new SqlError(BinderState.ambiguousFunction, `operator is not unique: ${signature}`, {
      hint: 'Could not choose a best candidate operator. You might need to add explicit type casts.', ...positionField(position),
    });
  }
  throw undefinedOperator(signature, position);
}

/** Builds the operator node with its arguments coerced to the chosen overload's types. */
export function operatorNode(resolved: Resolved<OperatorOverload>, args: readonly BoundExpr[], ctx: ExprContext, position: number): BoundExpr {
  const coerced = args.map((a, i) => coerceOrFail(a, resolved.argTypes[i] ?? a.type, 'implicit', ctx.bind, position,
    () => `operator argument of type ${formatTypeName(a.type)} cannot be converted`));
  return {
    kind: 'operator', type: resolved.resultType, symbol: resolved.overload.symbol, args: coerced,
    fn: resolved.overload.implement(resolved.argTypes, resolved.resultType), equality: resolved.overload.equality, volatility: 'immutable',
  };
}

export function bindOperatorCall(symbol: string, args: readonly BoundExpr[], ctx: ExprContext, position: number): BoundExpr {
  const resolved = resolveOperator(symbol, args.map((a) => typedInput(a, ctx.bind)), position);
  return operatorNode(resolved, args, ctx, position);
}

export function bindUnaryOp(op: string, operand: BoundExpr, ctx: ExprContext, position: number): BoundExpr {
  return bindOperatorCall(op, [operand], ctx, position);
}

const comparisonOps = new Set(['=', '<>', '<', '<=', '>', '>=']);

export function bindBinaryOp(expr: Expr & { kind: 'binaryOp' }, ctx: ExprContext): BoundExpr {
  if ((expr.left.kind === 'row' || expr.right.kind === 'row') && comparisonOps.has(expr.op)) return bindRowComparison(expr, ctx);
  return bindOperatorCall(expr.op, [bindExpr(expr.left, ctx), bindExpr(expr.right, ctx)], ctx, expr.position);
}

function rowItems(expr: Expr): readonly Expr[] {
  return expr.kind === 'row' ? expr.args : [expr];
}

/** `(a, b) < (c, d)`: = and <> pairwise; ordering lexicographically, as PostgreSQL's row comparison. */
function bindRowComparison(expr: Expr & { kind: 'binaryOp' }, ctx: ExprContext): BoundExpr {
  const left = rowItems(expr.left).map((e) => bindExpr(e, ctx));
  const right = rowItems(expr.right).map((e) => bindExpr(e, ctx));
  if (left.length !== right.length) throw syntaxError('unequal number of entries in row expressions', expr.position);
  const pair = (op: string, i: number): BoundExpr => bindOperatorCall(op, [left[i] as BoundExpr, right[i] as BoundExpr], ctx, expr.position);
  const bool = SqlTypes.bool;
  if (expr.op === '=') return { kind: 'and', type: bool, args: left.map((_, i) => pair('=', i)) };
  if (expr.op === '<>') return { kind: 'or', type: bool, args: left.map((_, i) => pair('<>', i)) };
  const strict = expr.op === '<' || expr.op === '<=' ? '<' : '>';
  const alternatives: BoundExpr[] = [];
  for (let i = 0; i < left.length; i++) {
    const last = i === left.length - 1;
    const head = pair(last ? expr.op : strict, i);
    const equalsBefore = left.slice(0, i).map((_, k) => pair('=', k));
    alternatives.push(equalsBefore.length === 0 ? head : { kind: 'and', type: bool, args: [...equalsBefore, head] });
  }
  return alternatives.length === 1 ? (alternatives[0] as BoundExpr) : { kind: 'or', type: bool, args: alternatives };
}

export function bindDistinctFrom(expr: Expr & { kind: 'distinctFrom' }, ctx: ExprContext): BoundExpr {
  const eq = bindOperatorCall('=', [bindExpr(expr.left, ctx), bindExpr(expr.right, ctx)], ctx, expr.position);
  if (eq.kind !== 'operator') throw new Error('IS DISTINCT FROM: = did not bind to an operator');
  const [left, right] = eq.args as [BoundExpr, BoundExpr];
  return { kind: 'distinctFrom', type: SqlTypes.bool, left, right, equals: eq.fn, negated: expr.negated };
}

export function bindBetween(expr: Expr & { kind: 'between' }, ctx: ExprContext): BoundExpr {
  const arg = bindExpr(expr.arg, ctx);
  const low = bindExpr(expr.low, ctx);
  const high = bindExpr(expr.high, ctx);
  const bool = SqlTypes.bool;
  const range = (lo: BoundExpr, hi: BoundExpr): BoundExpr => ({
    kind: 'and', type: bool,
    args: [bindOperatorCall('>=', [arg, lo], ctx, expr.position), bindOperatorCall('<=', [arg, hi], ctx, expr.position)],
  });
  const test: BoundExpr = expr.symmetric ? { kind: 'or', type: bool, args: [range(low, high), range(high, low)] } : range(low, high);
  return expr.negated ? { kind: 'not', type: bool, arg: test } : test;
}

/** IN (list): one common type and its `=` when there is one, else `x = a OR x = b ...` as PostgreSQL falls back to. */
export function bindInList(expr: Expr & { kind: 'inList' }, ctx: ExprContext): BoundExpr {
  const arg = bindExpr(expr.arg, ctx);
  const list = expr.list.map((e) => bindExpr(e, ctx));
  const bool = SqlTypes.bool;
  let common;
  try {
    common = selectCommonType([arg, ...list].map((e) => typedInput(e, ctx.bind)), 'IN', expr.position);
  } catch {
    common = undefined;
  }
  if (common !== undefined) {
    const eq = resolveOperatorOrUndefined('=', common);
    const target = eq?.argTypes[0];
    if (eq !== undefined && target !== undefined && eq.argTypes.every((t) => t.kind === target.kind)) {
      const coerce = (e: BoundExpr): BoundExpr => coerceOrFail(e, target, 'implicit', ctx.bind, expr.position, () => `IN could not convert type ${formatTypeName(e.type)} to ${formatTypeName(target)}`);
      return { kind: 'inList', type: bool, arg: coerce(arg), list: list.map(coerce), equals: eq.overload.implement(eq.argTypes, eq.resultType), negated: expr.negated };
    }
  }
  const ors: BoundExpr = { kind: 'or', type: bool, args: list.map((item) => bindOperatorCall('=', [arg, item], ctx, expr.position)) };
  return expr.negated ? { kind: 'not', type: bool, arg: ors } : ors;
}

function resolveOperatorOrUndefined(symbol: string, type: TypedInput['type']): Resolved<OperatorOverload> | undefined {
  const input = { type, unknown: false };
  const r = resolveOverload(operatorOverloads(symbol, 2), [input, input], true);
  return r.kind === 'found' ? r.resolved : undefined;
}

export function bindLike(expr: Expr & { kind: 'like' }, ctx: ExprContext): BoundExpr {
  const text = SqlTypes.text;
  // char(n) LIKE matches the blank-padded value (PostgreSQL's bpcharlike), so it is not cast to text.
  const subject = bindExpr(expr.arg, ctx);
  const toText = (e: BoundExpr): BoundExpr => {
    if (e === subject && e.type.kind === 'bpchar') return e;
    const r = tryCoerce(e, text, 'implicit', ctx.bind, expr.position);
    if (r === undefined) throw undefinedOperator(`${formatTypeName(e.type)} ${expr.caseInsensitive ? '~~*' : '~~'} text`, expr.position);
    return r;
  };
  return {
    kind: 'like', type: SqlTypes.bool, arg: toText(subject), pattern: toText(bindExpr(expr.pattern, ctx)),
    escape: expr.escape === null ? null : toText(bindExpr(expr.escape, ctx)), caseInsensitive: expr.caseInsensitive, negated: expr.negated,
  };
}

/** `x op ANY|ALL (array)`: an unknown array literal is read as an array of x's type. */
export function bindQuantifiedArray(expr: Expr & { kind: 'quantifiedArray' }, ctx: ExprContext): BoundExpr {
  const left = bindExpr(expr.left, ctx);
  let array = bindExpr(expr.array, ctx);
  if (isUnknownExpr(array, ctx.bind)) {
    const element = isUnknownExpr(left, ctx.bind) || left.type.kind === 'array' ? SqlTypes.text : left.type;
    array = tryCoerce(array, arrayOf(element as ScalarSqlType), 'explicit', ctx.bind, expr.position) ?? array;
  }
  if (array.type.kind !== 'array') throw bindError(BinderState.wrongObjectType, `op ANY/ALL (array) requires array on right side`, expr.position);
  const element = array.type.element;
  const resolved = resolveOperator(expr.op, [typedInput(left, ctx.bind), { type: element, unknown: false }], expr.position);
  if (resolved.resultType.kind !== 'bool') throw bindError(BinderState.wrongObjectType, 'op ANY/ALL (array) requires operator to yield boolean', expr.position);
  const leftCoerced = coerceOrFail(left, resolved.argTypes[0] ?? left.type, 'implicit', ctx.bind, expr.position, () => 'cannot convert left operand');
  const wantElement = resolved.argTypes[1] ?? element;
  const arrayCoerced = wantElement.kind === element.kind ? array : coerceOrFail(array, arrayOf(wantElement as ScalarSqlType), 'implicit', ctx.bind, expr.position, () => 'cannot convert array operand');
  return {
    kind: 'quantifiedArray', type: SqlTypes.bool, quantifier: expr.quantifier, left: leftCoerced, symbol: expr.op, array: arrayCoerced,
    compare: resolved.overload.implement(resolved.argTypes, resolved.resultType),
  };
}
