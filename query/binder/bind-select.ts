// One SELECT core: FROM, WHERE, the select list (with `*` expansion), GROUP
// BY / aggregates / HAVING, window functions, projection, DISTINCT [ON] and
// ORDER BY. ORDER BY expressions that are not in the select list travel as
// hidden trailing columns, removed by the caller after LIMIT.

import type { Expr, NamedWindow, SelectCore, SortItem, Target, WindowSpec } from '../ast/index.js';
import { SqlTypes } from '../types/sql-type.js';
import { bindExpr, resolveUnknown } from './bind-expr.js';
import { bindFromList } from './bind-from.js';
import { containsAggregate, planAggregation } from './bind-grouping.js';
import { containsWindow, planWindows } from './bind-window.js';
import { containsSetReturning, planProjectSet } from './bind-project-set.js';
import type { BoundExpr, SortKey } from './bound-expr.js';
import { coerceToBoolean } from './coerce.js';
import { factorOrConjuncts } from './expr-utils.js';
import type { BindContext } from './context.js';
import { bindError, BinderState, syntaxError } from './errors.js';
import { selectListContext, withClause } from './expr-context.js';
import type { ExprContext } from './expr-context.js';
import { column0, sameExpr } from './plan-utils.js';
import { figureColumnName } from './column-name.js';
import type { LogicalPlan, PlanColumn } from './logical-plan.js';
import { findEntry } from './scope.js';
import type { QueryScope, ScopeColumn } from './scope.js';

export interface BodyResult {
  readonly plan: LogicalPlan;
  /** Visible output columns (hidden ORDER BY columns follow them in the plan's rows). */
  readonly columns: readonly PlanColumn[];
  readonly unknown: readonly boolean[];
  readonly hidden: number;
}

interface BoundTarget {
  readonly expr: BoundExpr;
  readonly column: PlanColumn;
  readonly unknown: boolean;
}

function originOf(expr: Expr, ctx: ExprContext): { tableId: number; columnNumber: number } {
  if (expr.kind !== 'columnRef') return { tableId: 0, columnNumber: 0 };
  const match = ctx.scope.resolve(expr.path, expr.position);
  return match === undefined || match.levelsUp > 0 ? { tableId: 0, columnNumber: 0 } : { tableId: match.column.tableId, columnNumber: match.column.columnNumber };
}

function starColumns(qualifier: readonly string[], ctx: ExprContext, position: number): readonly ScopeColumn[] {
  const ns = ctx.scope.namespace;
  if (qualifier.length === 0) {
    if (ns.entries.length === 0) throw syntaxError('SELECT * with no tables specified is not valid', position);
    return ns.visible;
  }
  const entry = findEntry(ns, qualifier, position);
  if (entry === undefined) throw bindError(BinderState.undefinedTable, `missing FROM-clause entry for table "${qualifier[qualifier.length - 1] ?? ''}"`, position);
  return entry.columns.filter((c) => !c.hidden);
}

function bindTargets(targets: readonly Target[], ctx: ExprContext): BoundTarget[] {
  const out: BoundTarget[] = [];
  for (const target of targets) {
    if (target.expr.kind === 'star') {
      for (const c of starColumns(target.expr.qualifier, ctx, target.expr.position)) {
        out.push({ expr: c.expr, unknown: false, column: { name: c.name, type: c.type, tableId: c.tableId, columnNumber: c.columnNumber } });
      }
      continue;
    }
    let expr = bindExpr(target.expr, ctx);
    if (expr.kind === 'param') expr = resolveUnknown(expr, ctx);
    const unknown = expr.kind === 'const' && expr.unknown;
    const name = target.alias ?? figureColumnName(target.expr);
    out.push({ expr, unknown, column: { name, type: expr.type, ...originOf(target.expr, ctx) } });
  }
  return out;
}

function ordinalOf(expr: Expr): number | undefined {
  return expr.kind === 'literal' && expr.value.type === 'integer' ? Number(expr.value.text) : undefined;
}

/** Output columns named `name` (ORDER BY and GROUP BY may name output columns). */
function targetsNamed(targets: readonly BoundTarget[], name: string): number[] {
  const out: number[] = [];
  targets.forEach((t, i) => { if (t.column.name === name) out.push(i); });
  return out;
}

function bindGroupBy(items: readonly Expr[], targets: readonly BoundTarget[], ctx: ExprContext): BoundExpr[] {
  const groupCtx = withClause(ctx, 'GROUP BY');
  return items.map((item) => {
    const ordinal = ordinalOf(item);
    if (ordinal !== undefined) {
      const target = targets[ordinal - 1];
      if (target === undefined) throw bindError(BinderState.invalidColumnReference, `GROUP BY position ${ordinal} is not in select list`, -1);
      if (containsAggregate(target.expr)) throw bindError(BinderState.groupingError, 'aggregate functions are not allowed in GROUP BY');
      return target.expr;
    }
    if (item.kind === 'columnRef' && item.path.length === 1 && ctx.scope.resolve(item.path, item.position) === undefined) {
      const named = targetsNamed(targets, item.path[0] ?? '');
      const first = named[0];
      if (first !== undefined) return (targets[first] as BoundTarget).expr;
    }
    return resolveUnknown(bindExpr(item, groupCtx), groupCtx);
  });
}

/** Resolves ORDER BY / DISTINCT ON items to output positions, appending hidden columns for other expressions. */
function bindOutputItems(items: readonly Expr[], targets: readonly BoundTarget[], hidden: BoundExpr[], ctx: ExprContext, distinct: boolean, clause: string): number[] {
  return items.map((item) => {
    const ordinal = ordinalOf(item);
    if (ordinal !== undefined) {
      if (ordinal < 1 || ordinal > targets.length) throw bindError(BinderState.invalidColumnReference, `${clause} position ${ordinal} is not in select list`);
      return ordinal - 1;
    }
    if (item.kind === 'columnRef' && item.path.length === 1) {
      const named = targetsNamed(targets, item.path[0] ?? '');
      const firstIndex = named[0];
      if (firstIndex !== undefined) {
        const first = targets[firstIndex] as BoundTarget;
        if (named.some((i) => !sameExpr((targets[i] as BoundTarget).expr, first.expr))) {
          throw bindError(BinderState.ambiguousColumn, `${clause} "${item.path[0] ?? ''}" is ambiguous`);
        }
        return firstIndex;
      }
    }
    const bound = resolveUnknown(bindExpr(item, ctx), ctx);
    const existing = targets.findIndex((t) => sameExpr(t.expr, bound));
    if (existing >= 0) return existing;
    const extra = hidden.findIndex((h) => sameExpr(h, bound));
    if (extra >= 0) return targets.length + extra;
    if (distinct) throw bindError(BinderState.invalidColumnReference, 'for SELECT DISTINCT, ORDER BY expressions must appear in select list');
    hidden.push(bound);
    return targets.length + hidden.length - 1;
  });
}

function namedWindows(windows: readonly NamedWindow[]): ReadonlyMap<string, WindowSpec> {
  const map = new Map<string, WindowSpec>();
  for (const w of windows) {
    if (map.has(w.name)) throw bindError(BinderState.windowingError, `window "${w.name}" is already defined`);
    map.set(w.name, w.spec);
  }
  return map;
}

function sortKeysFor(items: readonly SortItem[], positions: readonly number[], types: readonly PlanColumn[]): SortKey[] {
  return items.map((item, i) => {
    const index = positions[i] ?? 0;
    const descending = item.direction === 'desc';
    const column = types[index];
    return { expr: column0(index, column?.type ?? SqlTypes.text, column?.name), descending, nullsFirst: item.nulls === 'default' ? descending : item.nulls === 'first' };
  });
}

export function bindSelectCore(core: SelectCore, orderBy: readonly SortItem[], scope: QueryScope, bind: BindContext): BodyResult {
  const from = bindFromList(core.from, scope, bind);
  scope.namespace = from.namespace;
  let plan = from.plan;
  if (core.where !== null) {
    const whereCtx = withClause(selectListContext(bind, scope, new Map()), 'WHERE');
    const predicate = factorOrConjuncts(coerceToBoolean(bindExpr(core.where, whereCtx), bind, 'WHERE', undefined));
    plan = { kind: 'filter', input: plan, predicate, columns: plan.columns };
  }
  const ctx = selectListContext(bind, scope, namedWindows(core.windows));
  const targets = bindTargets(core.targets, { ...ctx, setReturning: true });
  const groupBy = bindGroupBy(core.groupBy, targets, ctx);
  const having = core.having === null ? null : coerceToBoolean(bindExpr(core.having, { ...ctx, noWindows: 'window functions are not allowed in HAVING' }), bind, 'HAVING', undefined);
  const isDistinct = core.distinct.kind === 'distinct';
  const hidden: BoundExpr[] = [];
  const orderPositions = bindOutputItems(orderBy.map((o) => o.expr), targets, hidden, ctx, isDistinct, 'ORDER BY');
  const distinctOn = core.distinct.kind === 'distinctOn' ? bindOutputItems(core.distinct.exprs, targets, hidden, ctx, false, 'DISTINCT ON') : null;
  let exprs: readonly BoundExpr[] = [...targets.map((t) => t.expr), ...hidden];
  const grouped = groupBy.length > 0 || having !== null || exprs.some(containsAggregate);
  if (grouped) {
    const aggregation = planAggregation(plan, groupBy, having === null ? exprs : [...exprs, having], from.namespace);
    plan = aggregation.plan;
    exprs = aggregation.rewritten.slice(0, exprs.length);
    const havingRewritten = having === null ? null : aggregation.rewritten[exprs.length] ?? null;
    if (havingRewritten !== null) plan = { kind: 'filter', input: plan, predicate: havingRewritten, columns: plan.columns };
  }
  if (exprs.some(containsWindow)) ({ plan, rewritten: exprs } = planWindows(plan, exprs));
  if (exprs.some(containsSetReturning)) ({ plan, rewritten: exprs } = planProjectSet(plan, exprs));
  const visible = targets.map((t) => ({ ...t.column, type: t.expr.type }));
  const hiddenColumns = hidden.map((h) => ({ name: '?sort?', type: h.type, tableId: 0, columnNumber: 0 }));
  const projectedColumns = [...visible, ...hiddenColumns];
  plan = { kind: 'project', input: plan, exprs, columns: projectedColumns };
  plan = applyDistinctAndSort(plan, core, orderBy, orderPositions, distinctOn, projectedColumns);
  return { plan, columns: visible, unknown: targets.map((t) => t.unknown), hidden: hidden.length };
}

function applyDistinctAndSort(
  input: LogicalPlan, core: SelectCore, orderBy: readonly SortItem[], orderPositions: readonly number[],
  distinctOn: readonly number[] | null, columns: readonly PlanColumn[],
): LogicalPlan {
  const keys = sortKeysFor(orderBy, orderPositions, columns);
  const sort = (plan: LogicalPlan, k: readonly SortKey[]): LogicalPlan => (k.length === 0 ? plan : { kind: 'sort', input: plan, keys: k, columns: plan.columns });
  if (core.distinct.kind === 'distinct') return sort({ kind: 'distinct', input, on: null, columns: input.columns }, keys);
  if (distinctOn === null) return sort(input, keys);
  const leading = orderPositions.slice(0, distinctOn.length);
  if (orderPositions.length > 0 && (leading.length < distinctOn.length || !distinctOn.every((p) => leading.includes(p)))) {
    throw bindError(BinderState.invalidColumnReference, 'SELECT DISTINCT ON expressions must match initial ORDER BY expressions');
  }
  const onKeys = distinctOn.map((p) => column0(p, columns[p]?.type ?? SqlTypes.text, columns[p]?.name));
  const sortKeys = keys.length > 0 ? keys : onKeys.map((expr) => ({ expr, descending: false, nullsFirst: false }));
  return { kind: 'distinct', input: sort(input, sortKeys), on: onKeys, columns: input.columns };
}
