// Expression binding: AST expression → BoundExpr, dispatching on the node
// kind. Operators, conditionals, function calls and subqueries live in their
// own files; this one handles names, literals, parameters, casts and the
// small nodes.

import type { Expr, FunctionCall, TypeName } from '../ast/index.js';
import { castContext } from '../types/cast.js';
import { bindRegCast, bindRegOutput, regCastTarget, regFromBound } from './bind-catalog-cast.js';
import { CannotCoerceError, assertNever } from '../types/errors.js';
import { formatTypeName, SqlTypes } from '../types/sql-type.js';
import type { SqlType } from '../types/sql-type.js';
import { bindBetween, bindBinaryOp, bindDistinctFrom, bindInList, bindLike, bindOperatorCall, bindQuantifiedArray, bindUnaryOp } from './bind-operator.js';
import { bindArray, bindCase, bindCoalesce, bindMinMax, bindNullIf } from './bind-conditional.js';
import { bindFunctionCall, bindSqlValueFunction } from './bind-function.js';
import { bindLiteral } from './bind-literal.js';
import { bindExistsSubquery, bindQuantifiedSubquery, bindScalarSubquery } from './bind-subquery.js';
import type { BoundExpr } from './bound-expr.js';
import { castNode, coerceToBoolean, isUnknownExpr, tryCoerce } from './coerce.js';
import { bindError, BinderState, notSupported, positionField, syntaxError, undefinedColumn } from './errors.js';
import type { ExprContext } from './expr-context.js';
import { resolveTypeName } from './type-name.js';

export function bindExpr(expr: Expr, ctx: ExprContext): BoundExpr {
  switch (expr.kind) {
    case 'literal': return bindLiteral(expr);
    case 'typedLiteral': return bindTypedLiteral(expr.typeName, bindLiteral(expr.literal), ctx, expr.position);
    case 'param': return bindParam(expr.number, expr.position, ctx);
    case 'columnRef': return bindColumnRef(expr.path, expr.position, ctx);
    case 'star': throw syntaxError('row expansion via "*" is not supported here', expr.position);
    case 'subscript': return bindSubscript(expr, ctx);
    case 'fieldSelect': throw notSupported('field selection from composite values');
    case 'unaryOp': return bindUnaryOp(expr.op, bindExpr(expr.operand, ctx), ctx, expr.position);
    case 'binaryOp': return bindBinaryOp(expr, ctx);
    case 'and': case 'or':
      return { kind: expr.kind, type: SqlTypes.bool, args: expr.args.map((a) => coerceToBoolean(bindExpr(a, ctx), ctx.bind, expr.kind.toUpperCase(), expr.position)) };
    case 'not': return { kind: 'not', type: SqlTypes.bool, arg: coerceToBoolean(bindExpr(expr.arg, ctx), ctx.bind, 'NOT', expr.position) };
    case 'nullTest': return { kind: 'nullTest', type: SqlTypes.bool, arg: resolveUnknown(bindExpr(expr.arg, ctx), ctx), negated: expr.negated };
    case 'booleanTest': {
      const arg = coerceToBoolean(bindExpr(expr.arg, ctx), ctx.bind, `IS ${expr.negated ? 'NOT ' : ''}${expr.test.toUpperCase()}`, expr.position);
      return { kind: 'boolTest', type: SqlTypes.bool, arg, test: expr.test, negated: expr.negated };
    }
    case 'distinctFrom': return bindDistinctFrom(expr, ctx);
    case 'between': return bindBetween(expr, ctx);
    case 'inList': return bindInList(expr, ctx);
    case 'inSubquery': return bindQuantifiedSubquery('=', 'any', expr.arg, expr.query, ctx, expr.position);
    case 'quantifiedSubquery': return bindQuantifiedSubquery(expr.op, expr.quantifier, expr.left, expr.query, ctx, expr.position);
    case 'quantifiedArray': return bindQuantifiedArray(expr, ctx);
    case 'exists': return bindExistsSubquery(expr.query, ctx);
    case 'subquery': return bindScalarSubquery(expr.query, 'scalar', ctx, expr.position);
    case 'arraySubquery': return bindScalarSubquery(expr.query, 'array', ctx, expr.position);
    case 'like': return bindLike(expr, ctx);
    case 'similarTo': return bindSimilarTo(expr, ctx);
    case 'case': return bindCase(expr, ctx);
    case 'cast': return bindCast(expr.arg, expr.typeName, ctx, expr.position);
    case 'coalesce': return bindCoalesce(expr.args, ctx, expr.position);
    case 'nullIf': return bindNullIf(expr.left, expr.right, ctx, expr.position);
    case 'greatest': case 'least': return bindMinMax(expr.kind, expr.args, ctx, expr.position);
    case 'functionCall': return bindFunctionCall(expr, ctx);
    case 'array': return bindArray(expr.elements, ctx, expr.position, null);
    case 'row': throw notSupported('row constructors outside comparisons', expr.position);
    case 'sqlValueFunction': return bindSqlValueFunction(expr.name, expr.precision, expr.position);
    case 'collate': return bindCollate(expr.arg, expr.collation, ctx, expr.position);
    case 'default': throw syntaxError('DEFAULT is not allowed in this context', expr.position);
    default: return assertNever(expr, 'expression');
  }
}

/** An unknown literal or parameter that no context typed becomes text. */
export function resolveUnknown(expr: BoundExpr, ctx: ExprContext): BoundExpr {
  if (!isUnknownExpr(expr, ctx.bind)) return expr;
  return tryCoerce(expr, SqlTypes.text, 'implicit', ctx.bind) ?? expr;
}

function bindParam(number: number, position: number, ctx: ExprContext): BoundExpr {
  const type = ctx.bind.params.use(number, position);
  return { kind: 'param', type: type ?? SqlTypes.text, number };
}

export function bindColumnRef(path: readonly string[], position: number, ctx: ExprContext): BoundExpr {
  const match = ctx.scope.resolve(path, position);
  if (match !== undefined) return match.expr;
  if (path.length > 1) {
    const qualifier = path[path.length - 2] ?? '';
    if (!ctx.scope.hasEntry(qualifier)) {
      throw bindError(BinderState.undefinedTable, `missing FROM-clause entry for table "${qualifier}"`, position);
    }
    throw undefinedColumn(path.join('.'), position);
  }
  throw undefinedColumn(`"${path[0] ?? ''}"`, position);
}

function bindTypedLiteral(typeName: TypeName, literal: BoundExpr, ctx: ExprContext, position: number): BoundExpr {
  const reg = regCastTarget(typeName);
  if (reg !== null) return regFromBound(literal, reg, ctx, position);
  const type = resolveTypeName(typeName);
  return tryCoerce(literal, type, 'explicit', ctx.bind, position) ?? literal;
}

/** An empty ARRAY[] takes its type from the cast around it. */
export function bindCast(argExpr: Expr, typeName: TypeName, ctx: ExprContext, position: number): BoundExpr {
  const reg = regCastTarget(typeName);
  if (reg !== null) return bindRegCast(argExpr, reg, ctx, position);
  const target = resolveTypeName(typeName);
  if (target.kind === 'text' || target.kind === 'varchar') {
    const name = bindRegOutput(argExpr, ctx, position);
    if (name !== null) return castTo(name, target, ctx, position);
  }
  if (argExpr.kind === 'array' && target.kind === 'array') return bindArray(argExpr.elements, ctx, argExpr.position, target);
  const arg = bindExpr(argExpr, ctx);
  return castTo(arg, target, ctx, position);
}

export function castTo(arg: BoundExpr, target: SqlType, ctx: ExprContext, position: number): BoundExpr {
  if (isUnknownExpr(arg, ctx.bind)) return tryCoerce(arg, target, 'explicit', ctx.bind, position) ?? arg;
  if (arg.type.kind === target.kind && arg.type.kind !== 'array') return castNode(arg, target, 'explicit', ctx.bind);
  if (castContext(arg.type, target) === null) {
    throw new CannotCoerceError(`cannot cast type ${formatTypeName(arg.type)} to ${formatTypeName(target)}`, positionField(position));
  }
  return castNode(arg, target, 'explicit', ctx.bind);
}

function bindSubscript(expr: Expr & { kind: 'subscript' }, ctx: ExprContext): BoundExpr {
  const arg = bindExpr(expr.arg, ctx);
  if (arg.type.kind !== 'array') {
    throw bindError(BinderState.datatypeMismatch, `cannot subscript type ${formatTypeName(arg.type)} because it does not support subscripting`);
  }
  const int = (e: Expr | null): BoundExpr | null => {
    if (e === null) return null;
    const bound = bindExpr(e, ctx);
    return tryCoerce(bound, SqlTypes.int4, 'assignment', ctx.bind) ?? bound;
  };
  const s = expr.subscript;
  if (s.kind === 'index') {
    return { kind: 'subscript', type: arg.type.element, arg, index: int(s.index), lower: null, upper: null, slice: false };
  }
  return { kind: 'subscript', type: arg.type, arg, index: null, lower: int(s.lower), upper: int(s.upper), slice: true };
}

/** `x SIMILAR TO p [ESCAPE e]` is `x ~ similar_to_escape(p [, e])`, as PostgreSQL rewrites it. */
function bindSimilarTo(expr: Expr & { kind: 'similarTo' }, ctx: ExprContext): BoundExpr {
  const name: FunctionCall['name'] = { schema: 'pg_catalog', name: 'similar_to_escape', position: expr.position };
  const call: FunctionCall = {
    kind: 'functionCall', name, args: expr.escape === null ? [expr.pattern] : [expr.pattern, expr.escape], star: false, distinct: false,
    orderBy: [], withinGroup: false, filter: null, over: null, sqlSyntax: true, position: expr.position,
  };
  return bindOperatorCall(expr.negated ? '!~' : '~', [bindExpr(expr.arg, ctx), bindFunctionCall(call, ctx)], ctx, expr.position);
}

/** ThunderDB compares text with the C collation; naming it (or the default) changes nothing. */
function bindCollate(arg: Expr, collation: readonly string[], ctx: ExprContext, position: number): BoundExpr {
  const name = collation[collation.length - 1] ?? '';
  if (!['C', 'POSIX', 'default', 'ucs_basic'].includes(name)) throw notSupported(`collation "${name}"`, position);
  return resolveUnknown(bindExpr(arg, ctx), ctx);
}
