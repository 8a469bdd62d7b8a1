// Casts to and from the object-identifier types (regclass, regtype,
// regnamespace, regproc, regrole). Their values are oids, held as int8
// (query/system-catalog/pg-types.ts); what makes them differ from int8 is
// their text form, which needs the catalog: `'t'::regclass` looks the name up
// and `oid::regclass::text` prints it. Both are catalog functions
// (`regclassin`, `regclassout`, ...) that read the statement's snapshot at run
// time, so they are bound as calls rather than as query/types casts.

import type { Expr, TypeName } from '../ast/index.js';
import { isRegType } from '../system-catalog/index.js';
import type { RegType } from '../system-catalog/index.js';
import { SqlTypes } from '../types/sql-type.js';
import { bindExpr, castTo } from './bind-expr.js';
import { bindScalarCall } from './bind-function.js';
import type { BoundExpr } from './bound-expr.js';
import { isUnknownExpr, tryCoerce } from './coerce.js';
import type { ExprContext } from './expr-context.js';

/** The reg* type a cast names, or null. */
export function regCastTarget(typeName: TypeName): RegType | null {
  if (typeName.schema !== null && typeName.schema !== 'pg_catalog') return null;
  if (typeName.arrayBounds.length > 0 || !isRegType(typeName.name)) return null;
  return typeName.name;
}

const textualKinds = new Set(['text', 'varchar', 'bpchar']);

/** `x::regclass`: names are looked up (42P01 when missing), numbers are oids already. */
export function bindRegCast(argExpr: Expr, target: RegType, ctx: ExprContext, position: number): BoundExpr {
  return regFromBound(bindExpr(argExpr, ctx), target, ctx, position);
}

/** `regclass 't'` and `x::regclass` once `x` is bound. */
export function regFromBound(arg: BoundExpr, target: RegType, ctx: ExprContext, position: number): BoundExpr {
  if (isUnknownExpr(arg, ctx.bind) || textualKinds.has(arg.type.kind)) {
    const text = tryCoerce(arg, SqlTypes.text, 'explicit', ctx.bind, position) ?? arg;
    return bindScalarCall(`${target === 'regprocedure' ? 'regproc' : target}in`, [text], ctx, position);
  }
  return castTo(arg, SqlTypes.int8, ctx, position);
}

/**
 * `x::regclass::text` (or varchar, name): the name the oid stands for, as
 * regclassout prints it. Returns null when `argExpr` is not a reg* cast.
 */
export function bindRegOutput(argExpr: Expr, ctx: ExprContext, position: number): BoundExpr | null {
  if (argExpr.kind !== 'cast' && argExpr.kind !== 'typedLiteral') return null;
  const reg = regCastTarget(argExpr.typeName);
  if (reg === null) return null;
  const oid = bindExpr(argExpr, ctx);
  return bindScalarCall(`${reg === 'regprocedure' ? 'regproc' : reg}out`, [oid], ctx, position);
}
