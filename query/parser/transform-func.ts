// Function calls, window specifications, sort items and type names: the
// pieces expressions and statements share.

import type { FuncCall, Node, SortBy, TypeName as PgTypeName, WindowDef } from 'libpg-query';
import type {
  Expr, FrameBound, FunctionCall, IntervalFields, OverClause, QualifiedName, SortItem, TypeName,
  WindowFrame, WindowSpec,
} from '../ast/index.js';
import { notSupported } from './errors.js';
import { checkFields, errorPos, pgAs, pgExpect, pgList, pgStrings, pos } from './pg-nodes.js';
import type { TransformContext } from './pg-nodes.js';
import { required, transformExpr, transformExprs, transformOptionalExpr } from './transform-expr.js';

/** `f` or `s.f` (catalog-qualified names are cross-database references PostgreSQL rejects too). */
export function qualifiedName(parts: readonly string[], position: number, ctx: TransformContext, what: string): QualifiedName {
  const name = parts[parts.length - 1];
  if (name === undefined || parts.length > 2) {
    throw notSupported(`${what} with more than two name parts (cross-database reference)`, ctx.source.errorPosition(position));
  }
  return { schema: parts.length === 2 ? (parts[0] ?? null) : null, name, position };
}

export function transformFuncCall(f: FuncCall, ctx: TransformContext): FunctionCall {
  checkFields(f, [
    'funcname', 'args', 'agg_order', 'agg_filter', 'over', 'agg_within_group', 'agg_star', 'agg_distinct',
    'func_variadic', 'funcformat', 'location',
  ], 'function call', ctx, f.location);
  const position = pos(ctx, f.location);
  if (f.func_variadic === true) throw notSupported('VARIADIC function argument', errorPos(ctx, f.location));
  const format = f.funcformat ?? 'COERCE_EXPLICIT_CALL';
  if (format !== 'COERCE_EXPLICIT_CALL' && format !== 'COERCE_SQL_SYNTAX') {
    throw notSupported(`function call of form ${format}`, errorPos(ctx, f.location));
  }
  return {
    kind: 'functionCall',
    name: qualifiedName(pgStrings(f.funcname, 'function name'), position, ctx, 'function name'),
    args: transformExprs(f.args, ctx),
    star: f.agg_star === true,
    distinct: f.agg_distinct === true,
    orderBy: transformSortItems(f.agg_order, ctx),
    withinGroup: f.agg_within_group === true,
    filter: transformOptionalExpr(f.agg_filter, ctx),
    over: f.over === undefined ? null : transformOver(f.over, ctx),
    sqlSyntax: format === 'COERCE_SQL_SYNTAX',
    position,
  };
}

export function transformSortItems(nodes: readonly Node[] | undefined, ctx: TransformContext): SortItem[] {
  return pgList(nodes).map((n) => transformSortBy(pgExpect(n, 'SortBy', 'ORDER BY'), ctx));
}

function transformSortBy(s: SortBy, ctx: TransformContext): SortItem {
  checkFields(s, ['node', 'sortby_dir', 'sortby_nulls', 'useOp', 'location'], 'ORDER BY', ctx, s.location);
  const dir = s.sortby_dir ?? 'SORTBY_DEFAULT';
  if (dir === 'SORTBY_USING') throw notSupported('ORDER BY ... USING', errorPos(ctx, s.location));
  const nulls = s.sortby_nulls ?? 'SORTBY_NULLS_DEFAULT';
  return {
    expr: transformExpr(required(s.node, 'sort expression'), ctx),
    direction: dir === 'SORTBY_ASC' ? 'asc' : dir === 'SORTBY_DESC' ? 'desc' : 'default',
    nulls: nulls === 'SORTBY_NULLS_FIRST' ? 'first' : nulls === 'SORTBY_NULLS_LAST' ? 'last' : 'default',
  };
}

function transformOver(w: WindowDef, ctx: TransformContext): OverClause {
  const isBareName = w.name !== undefined && w.refname === undefined && w.partitionClause === undefined
    && w.orderClause === undefined && ((w.frameOptions ?? 0) & frameOption.nonDefault) === 0;
  if (isBareName) {
    checkFields(w, ['name', 'frameOptions', 'location'], 'OVER', ctx, w.location);
    return { kind: 'windowName', name: w.name ?? '', position: pos(ctx, w.location) };
  }
  return { kind: 'windowSpec', spec: transformWindowSpec(w, ctx) };
}

/** The body of an inline OVER (...) or of a WINDOW clause entry (whose name the caller reads). */
export function transformWindowSpec(w: WindowDef, ctx: TransformContext): WindowSpec {
  checkFields(w, ['name', 'refname', 'partitionClause', 'orderClause', 'frameOptions', 'startOffset', 'endOffset', 'location'], 'window', ctx, w.location);
  return {
    baseWindow: w.refname ?? null,
    partitionBy: transformExprs(w.partitionClause, ctx),
    orderBy: transformSortItems(w.orderClause, ctx),
    frame: transformFrame(w, ctx),
    position: pos(ctx, w.location),
  };
}

// FRAMEOPTION_* bits of PostgreSQL's nodes/parsenodes.h.
const frameOption = {
  nonDefault: 0x1, range: 0x2, rows: 0x4, groups: 0x8,
  startUnboundedPreceding: 0x20, endUnboundedPreceding: 0x40,
  startUnboundedFollowing: 0x80, endUnboundedFollowing: 0x100,
  startCurrentRow: 0x200, endCurrentRow: 0x400,
  startOffsetPreceding: 0x800, endOffsetPreceding: 0x1000,
  startOffsetFollowing: 0x2000, endOffsetFollowing: 0x4000,
  excludeCurrentRow: 0x8000, excludeGroup: 0x10000, excludeTies: 0x20000,
} as const;

function transformFrame(w: WindowDef, ctx: TransformContext): WindowFrame | null {
  const bits = w.frameOptions ?? 0;
  if ((bits & frameOption.nonDefault) === 0) return null;
  const mode = (bits & frameOption.rows) !== 0 ? 'rows' : (bits & frameOption.groups) !== 0 ? 'groups' : 'range';
  const start = frameBound(bits, 'start', w.startOffset, ctx);
  // Without BETWEEN the grammar sets END_CURRENT_ROW itself.
  const end = frameBound(bits, 'end', w.endOffset, ctx);
  const exclude = (bits & frameOption.excludeCurrentRow) !== 0 ? 'currentRow'
    : (bits & frameOption.excludeGroup) !== 0 ? 'group'
      : (bits & frameOption.excludeTies) !== 0 ? 'ties' : 'noOthers';
  return { mode, start, end, exclude };
}

function frameBound(bits: number, which: 'start' | 'end', offset: Node | undefined, ctx: TransformContext): FrameBound {
  const o = frameOption;
  const [unboundedPreceding, unboundedFollowing, currentRow, offsetPreceding, offsetFollowing] = which === 'start'
    ? [o.startUnboundedPreceding, o.startUnboundedFollowing, o.startCurrentRow, o.startOffsetPreceding, o.startOffsetFollowing]
    : [o.endUnboundedPreceding, o.endUnboundedFollowing, o.endCurrentRow, o.endOffsetPreceding, o.endOffsetFollowing];
  if ((bits & unboundedPreceding) !== 0) return { kind: 'unboundedPreceding' };
  if ((bits & unboundedFollowing) !== 0) return { kind: 'unboundedFollowing' };
  if ((bits & currentRow) !== 0) return { kind: 'currentRow' };
  if ((bits & offsetPreceding) !== 0) return { kind: 'preceding', offset: transformExpr(required(offset, 'frame offset'), ctx) };
  if ((bits & offsetFollowing) !== 0) return { kind: 'following', offset: transformExpr(required(offset, 'frame offset'), ctx) };
  throw new Error(`libpg-query: window frame options ${bits} without a ${which} bound`);
}

// INTERVAL_MASK bits of PostgreSQL's utils/datetime.h, by the fields they restrict to.
const intervalFieldsByMask = new Map<number, IntervalFields>([
  [1 << 2, 'year'], [1 << 1, 'month'], [1 << 3, 'day'], [1 << 10, 'hour'], [1 << 11, 'minute'], [1 << 12, 'second'],
  [(1 << 2) | (1 << 1), 'year to month'],
  [(1 << 3) | (1 << 10), 'day to hour'],
  [(1 << 3) | (1 << 10) | (1 << 11), 'day to minute'],
  [(1 << 3) | (1 << 10) | (1 << 11) | (1 << 12), 'day to second'],
  [(1 << 10) | (1 << 11), 'hour to minute'],
  [(1 << 10) | (1 << 11) | (1 << 12), 'hour to second'],
  [(1 << 11) | (1 << 12), 'minute to second'],
]);
const intervalFullRange = 0x7fff;

export function transformTypeName(t: PgTypeName, ctx: TransformContext): TypeName {
  checkFields(t, ['names', 'typmods', 'typemod', 'arrayBounds', 'setof', 'pct_type', 'location'], 'type name', ctx, t.location);
  const position = pos(ctx, t.location);
  if (t.setof === true) throw notSupported('SETOF', errorPos(ctx, t.location));
  if (t.pct_type === true) throw notSupported('%TYPE', errorPos(ctx, t.location));
  const name = qualifiedName(pgStrings(t.names, 'type name'), position, ctx, 'type name');
  const arrayBounds = pgList(t.arrayBounds).map((b) => pgExpect(b, 'Integer', 'array bound').ival ?? 0);
  let typmods = pgList(t.typmods);
  let intervalFields: IntervalFields | null = null;
  // interval's first modifier is the field mask the grammar computed from `day to second`.
  if (name.schema === 'pg_catalog' && name.name === 'interval' && typmods.length > 0) {
    const mask = pgAs(typmods[0], 'A_Const')?.ival?.ival ?? 0;
    if (mask !== intervalFullRange) {
      intervalFields = intervalFieldsByMask.get(mask) ?? null;
      if (intervalFields === null) throw new Error(`libpg-query: unknown interval field mask ${mask}`);
    }
    typmods = typmods.slice(1);
  }
  const modifiers: Expr[] = typmods.map((m) => transformExpr(m, ctx));
  return { schema: name.schema, name: name.name, modifiers, arrayBounds, intervalFields, position };
}
