// Window specifications: named windows and their inheritance rules, PARTITION
// BY and ORDER BY, and frames (PostgreSQL's default frame is RANGE UNBOUNDED
// PRECEDING to CURRENT ROW, which with peers means "up to the last peer").

import type { FrameBound, SortItem, WindowFrame, WindowSpec } from '../ast/index.js';
import type { OverClause } from '../ast/index.js';
import { operatorOverloads } from '../functions/index.js';
import { SqlTypes } from '../types/sql-type.js';
import type { SqlType } from '../types/sql-type.js';
import { bindExpr, resolveUnknown } from './bind-expr.js';
import type { BoundFrame, BoundFrameBound, BoundWindowSpec, SortKey } from './bound-expr.js';
import { coerceOrFail } from './coerce.js';
import { bindError, BinderState, notSupported } from './errors.js';
import type { ExprContext } from './expr-context.js';
import { resolveOverload } from './overload.js';

/** The effective AST spec of an OVER clause, with named windows expanded. */
export function resolveWindowSpec(over: OverClause, windows: ReadonlyMap<string, WindowSpec>): WindowSpec {
  if (over.kind === 'windowName') {
    const named = windows.get(over.name);
    if (named === undefined) throw bindError(BinderState.undefinedObject, `window "${over.name}" does not exist`, over.position);
    return resolveWindowSpec({ kind: 'windowSpec', spec: named }, windows);
  }
  const spec = over.spec;
  if (spec.baseWindow === null) return spec;
  const baseSpec = windows.get(spec.baseWindow);
  if (baseSpec === undefined) throw bindError(BinderState.undefinedObject, `window "${spec.baseWindow}" does not exist`, spec.position);
  const base = resolveWindowSpec({ kind: 'windowSpec', spec: baseSpec }, windows);
  if (spec.partitionBy.length > 0) throw bindError(BinderState.windowingError, `cannot override PARTITION BY clause of window "${spec.baseWindow}"`, spec.position);
  if (spec.orderBy.length > 0 && base.orderBy.length > 0) throw bindError(BinderState.windowingError, `cannot override ORDER BY clause of window "${spec.baseWindow}"`, spec.position);
  if (base.frame !== null) throw bindError(BinderState.windowingError, `cannot copy window "${spec.baseWindow}" because it has a frame clause`, spec.position);
  return { baseWindow: null, partitionBy: base.partitionBy, orderBy: spec.orderBy.length > 0 ? spec.orderBy : base.orderBy, frame: spec.frame, position: spec.position };
}

export function bindSortKeys(items: readonly SortItem[], ctx: ExprContext): SortKey[] {
  return items.map((item) => {
    const expr = resolveUnknown(bindExpr(item.expr, ctx), ctx);
    const descending = item.direction === 'desc';
    const nullsFirst = item.nulls === 'default' ? descending : item.nulls === 'first';
    return { expr, descending, nullsFirst };
  });
}

const defaultFrame: BoundFrame = {
  mode: 'range', start: { kind: 'unboundedPreceding', offset: null }, end: { kind: 'currentRow', offset: null }, rangeAdd: null, rangeSubtract: null,
};

export function bindWindowSpec(spec: WindowSpec, ctx: ExprContext): BoundWindowSpec {
  const partitionBy = spec.partitionBy.map((e) => resolveUnknown(bindExpr(e, ctx), ctx));
  const orderBy = bindSortKeys(spec.orderBy, ctx);
  const frame = spec.frame === null ? defaultFrame : bindFrame(spec.frame, orderBy, ctx, spec.position);
  return { partitionBy, orderBy, frame };
}

function bindFrame(frame: WindowFrame, orderBy: readonly SortKey[], ctx: ExprContext, position: number): BoundFrame {
  if (frame.exclude !== 'noOthers') throw notSupported('frame exclusion (EXCLUDE)', position);
  const hasOffset = [frame.start, frame.end].some((b) => b.kind === 'preceding' || b.kind === 'following');
  if (frame.mode !== 'range' || !hasOffset) {
    const offsetType = SqlTypes.int8;
    return { mode: frame.mode, start: bindBound(frame.start, offsetType, ctx), end: bindBound(frame.end, offsetType, ctx), rangeAdd: null, rangeSubtract: null };
  }
  const key = orderBy[0];
  if (orderBy.length !== 1 || key === undefined) {
    throw bindError(BinderState.windowingError, 'RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column', position);
  }
  const offsetType = rangeOffsetType(key.expr.type, position);
  const add = resolveOverload(operatorOverloads('+', 2), [{ type: key.expr.type, unknown: false }, { type: offsetType, unknown: false }], true);
  const subtract = resolveOverload(operatorOverloads('-', 2), [{ type: key.expr.type, unknown: false }, { type: offsetType, unknown: false }], true);
  if (add.kind !== 'found' || subtract.kind !== 'found') throw notSupported(`RANGE offsets for type ${key.expr.type.kind}`, position);
  return {
    mode: 'range', start: bindBound(frame.start, offsetType, ctx), end: bindBound(frame.end, offsetType, ctx),
    rangeAdd: add.resolved.overload.implement(add.resolved.argTypes, add.resolved.resultType),
    rangeSubtract: subtract.resolved.overload.implement(subtract.resolved.argTypes, subtract.resolved.resultType),
  };
}

/** in_range support: numbers step by their own type, dates and timestamps by intervals. */
function rangeOffsetType(orderType: SqlType, position: number): SqlType {
  switch (orderType.kind) {
    case 'int2': case 'int4': case 'int8': case 'float4': case 'float8': case 'numeric': return orderType;
    case 'timestamp': case 'timestamptz': case 'time': case 'interval': return SqlTypes.interval;
    default: throw notSupported(`RANGE with offset PRECEDING/FOLLOWING for type ${orderType.kind}`, position);
  }
}

function bindBound(bound: FrameBound, offsetType: SqlType, ctx: ExprContext): BoundFrameBound {
  if (bound.kind !== 'preceding' && bound.kind !== 'following') return { kind: bound.kind, offset: null };
  const offset = bindExpr(bound.offset, ctx);
  if (offset.kind === 'column') throw bindError(BinderState.windowingError, 'argument of ROWS must not contain variables');
  return { kind: bound.kind, offset: coerceOrFail(offset, offsetType, 'assignment', ctx.bind, undefined, () => `frame offset must be type ${offsetType.kind}`) };
}

