// Type coercion of bound expressions: unknown literals are read as the target
// type (at bind time, as PostgreSQL does), open parameters take the target
// type, and everything else gets a cast node if pg_cast allows one in the
// given context. select_common_type() for UNION, CASE, VALUES and IN.

import { castContext, castValue } from '../types/cast.js';
import type { CastContext } from '../types/cast.js';
import { SqlError } from '../types/errors.js';
import { parseText } from '../types/text-io.js';
import { formatTypeName, sameType, SqlTypes, withoutModifiers } from '../types/sql-type.js';
import type { SqlType } from '../types/sql-type.js';
import type { BoundExpr } from './bound-expr.js';
import type { BindContext } from './context.js';
import { datatypeMismatch, positionField } from './errors.js';
import { isPreferredType, typeCategory } from './type-category.js';

export type CoercionMode = 'implicit' | 'assignment' | 'explicit';

/** Literals whose meaning depends on when the statement runs. */
const timeRelativeWords = /now|today|tomorrow|yesterday/i;
const temporalKinds = new Set(['date', 'time', 'timestamp', 'timestamptz', 'interval']);

export function isUnknownExpr(expr: BoundExpr, ctx: BindContext): boolean {
  if (expr.kind === 'const') return expr.unknown;
  if (expr.kind === 'param') return ctx.params.typeOf(expr.number) === undefined;
  return false;
}

function allowed(context: CastContext | null, mode: CoercionMode): boolean {
  if (context === null) return false;
  if (mode === 'explicit') return true;
  if (mode === 'assignment') return context !== 'explicit';
  return context === 'implicit';
}

/** Whether `from` may become `to` in `mode` (unknown inputs may become anything). */
export function canCoerce(from: SqlType, unknown: boolean, to: SqlType, mode: CoercionMode): boolean {
  if (unknown) return true;
  if (from.kind === to.kind && from.kind !== 'array') return true;
  return allowed(castContext(from, to), mode);
}

function needsRuntimeRead(text: string, target: SqlType): boolean {
  const kind = target.kind === 'array' ? target.element.kind : target.kind;
  return temporalKinds.has(kind) && timeRelativeWords.test(text);
}

/**
 * Reads an unknown literal as `target`; errors point at the literal. The text
 * is read as the bare type, then the modifier applied as the context demands
 * ('abc'::varchar(2) truncates, an INSERT of it fails).
 */
function readLiteral(expr: BoundExpr & { kind: 'const' }, target: SqlType, mode: CoercionMode, ctx: BindContext, position: number | undefined): BoundExpr {
  if (expr.value === null) return { kind: 'const', type: target, value: null, unknown: false };
  const text = expr.value as string;
  if (needsRuntimeRead(text, target)) {
    return { kind: 'cast', type: target, arg: { ...expr, unknown: false }, mode: mode === 'explicit' ? 'explicit' : 'assignment' };
  }
  try {
    // interval's input reads the text by its fields ('1' is a year for interval year); others read the bare type.
    const base = target.kind === 'interval' ? target : withoutModifiers(target);
    const value = parseText(text, base, ctx.typeSession);
    const typed = sameType(base, target) ? value : castValue(value, base, target, mode === 'explicit' ? 'explicit' : 'assignment', ctx.typeSession);
    return { kind: 'const', type: target, value: typed, unknown: false };
  } catch (error) {
    if (error instanceof SqlError && error.position === undefined && position !== undefined) {
      throw new SqlError(error.sqlState, error.message, { detail: error.detail, hint: error.hint, ...positionField(position) });
    }
    throw error;
  }
}

/** Constant casts are folded, except zone- and clock-dependent ones. */
function foldable(from: SqlType, to: SqlType): boolean {
  const kinds = [from, to].map((t) => (t.kind === 'array' ? t.element.kind : t.kind));
  return kinds.every((k) => !temporalKinds.has(k));
}

export function castNode(expr: BoundExpr, target: SqlType, mode: CoercionMode, ctx: BindContext): BoundExpr {
  const castMode = mode === 'explicit' ? 'explicit' : 'assignment';
  if (expr.kind === 'const' && !expr.unknown && foldable(expr.type, target)) {
    return { kind: 'const', type: target, value: castValue(expr.value, expr.type, target, castMode, ctx.typeSession), unknown: false };
  }
  return { kind: 'cast', type: target, arg: expr, mode: castMode };
}

/**
 * Coerces `expr` to `target` or returns undefined when no cast exists in
 * `mode`. `position` locates errors raised while reading a literal.
 */
export function tryCoerce(expr: BoundExpr, target: SqlType, mode: CoercionMode, ctx: BindContext, position?: number): BoundExpr | undefined {
  if (expr.kind === 'const' && expr.unknown) return readLiteral(expr, target, mode, ctx, position);
  if (expr.kind === 'param' && ctx.params.typeOf(expr.number) === undefined) {
    const inferred = ctx.params.infer(expr.number, target);
    const param: BoundExpr = { kind: 'param', type: inferred, number: expr.number };
    return sameType(inferred, target) ? param : castNode(param, target, 'assignment', ctx);
  }
  if (sameType(expr.type, target)) return expr;
  const from = expr.type;
  if (from.kind === target.kind && from.kind !== 'array') return castNode(expr, target, mode, ctx);
  if (!allowed(castContext(from, target), mode)) return undefined;
  return castNode(expr, target, mode, ctx);
}

/** Coerces or raises 42804 with `message` (PostgreSQL words it per context). */
export function coerceOrFail(expr: BoundExpr, target: SqlType, mode: CoercionMode, ctx: BindContext, position: number | undefined, message: () => string, hint?: string): BoundExpr {
  const result = tryCoerce(expr, target, mode, ctx, position);
  if (result === undefined) throw datatypeMismatch(message(), position, hint);
  return result;
}

/** A condition (WHERE, HAVING, ON, CASE WHEN): must be boolean. */
export function coerceToBoolean(expr: BoundExpr, ctx: BindContext, clause: string, position: number | undefined): BoundExpr {
  return coerceOrFail(expr, SqlTypes.bool, 'assignment', ctx, position,
    () => `argument of ${clause} must be type boolean, not type ${formatTypeName(expr.type)}`);
}

export interface TypedInput {
  readonly type: SqlType;
  readonly unknown: boolean;
}

/**
 * select_common_type(): the first known type, replaced by a later one of the
 * same category it implicitly converts to (unless it is the preferred type);
 * all-unknown inputs resolve to text. Different categories cannot be matched.
 */
export function selectCommonType(inputs: readonly TypedInput[], context: string, position?: number): SqlType {
  const known = inputs.filter((i) => !i.unknown);
  const first = known[0];
  if (first === undefined) return SqlTypes.text;
  if (known.every((i) => sameType(i.type, first.type))) return first.type;
  let chosen = withoutModifiers(first.type);
  for (const input of known.slice(1)) {
    const next = withoutModifiers(input.type);
    if (sameType(next, chosen)) continue;
    if (typeCategory(next) !== typeCategory(chosen)) {
      throw datatypeMismatch(`${context} types ${formatTypeName(chosen)} and ${formatTypeName(next)} cannot be matched`, position);
    }
    if (!isPreferredType(chosen) && canCoerce(chosen, false, next, 'implicit') && !canCoerce(next, false, chosen, 'implicit')) chosen = next;
  }
  for (const input of known) {
    if (!canCoerce(input.type, false, chosen, 'implicit')) {
      throw datatypeMismatch(`${context} could not convert type ${formatTypeName(input.type)} to ${formatTypeName(chosen)}`, position);
    }
  }
  return chosen;
}

export function typedInput(expr: BoundExpr, ctx: BindContext): TypedInput {
  return { type: expr.type, unknown: isUnknownExpr(expr, ctx) };
}
