// FROM: tables (or CTEs), subqueries, table functions and joins. Items join
// left-deep in the order written; each item's namespace is shifted to its
// place in the joined row. Items to the right may read items to their left
// (LATERAL, and table functions always): those values become the join's
// lateral arguments.

import type { FromItem, FunctionCall, JoinCondition, TableAlias } from '../ast/index.js';
import { tableFunctionOverloads, scalarOverloads } from '../functions/index.js';
import type { FunctionEnv, ScalarFn, TableFn } from '../functions/index.js';
import { resolveSystemRelation, systemRelationHiddenColumns, systemRelationScan } from '../system-catalog/index.js';
import type { SystemRelationDef } from '../system-catalog/index.js';
import { SqlTypes } from '../types/sql-type.js';
import { bindExpr } from './bind-expr.js';
import { bindOperatorCall } from './bind-operator.js';
import { resolveFunction } from './bind-function.js';
import { bindQuery } from './bind-query.js';
import type { BoundExpr } from './bound-expr.js';
import { coerceOrFail, coerceToBoolean, selectCommonType, typedInput } from './coerce.js';
import type { BindContext } from './context.js';
import { bindError, BinderState, syntaxError, undefinedTable } from './errors.js';
import { plainContext } from './expr-context.js';
import { factorOrConjuncts } from './expr-utils.js';
import type { JoinType, LogicalPlan, PlanColumn } from './logical-plan.js';
import { concatNamespaces, emptyNamespace, entryNamespace, shiftNamespace } from './scope.js';
import type { Namespace, QueryScope, ScopeColumn } from './scope.js';

export interface FromResult {
  readonly plan: LogicalPlan;
  readonly namespace: Namespace;
  /** Values of the items to the left this item reads (LATERAL), or null. */
  readonly lateral: readonly BoundExpr[] | null;
}

export const oneRowPlan: LogicalPlan = { kind: 'oneRow', columns: [] };

export function bindFromList(items: readonly FromItem[], scope: QueryScope, bind: BindContext): FromResult {
  const [first, ...rest] = items;
  if (first === undefined) return { plan: oneRowPlan, namespace: emptyNamespace, lateral: null };
  let acc = standalone(bindFromItem(first, scope, emptyNamespace, bind));
  for (const item of rest) {
    const right = bindFromItem(item, scope, acc.namespace, bind);
    acc = joinResults(acc, right, 'inner', null);
  }
  checkDuplicateAliases(acc.namespace);
  return acc;
}

/**
 * An item with nothing to its left that still has lateral arguments (a
 * table function reading an enclosing query's columns, in a correlated
 * subquery) runs as the lateral side of a join with the one empty row: its
 * arguments are then evaluated once, reading the enclosing query's values.
 */
function standalone(item: FromResult): FromResult {
  if (item.lateral === null) return item;
  return joinResults({ plan: oneRowPlan, namespace: emptyNamespace, lateral: null }, item, 'inner', null);
}

/** Two FROM items may not share a name, except unaliased tables of different schemas (as PostgreSQL allows). */
function checkDuplicateAliases(ns: Namespace): void {
  ns.entries.forEach((entry, i) => {
    const clash = ns.entries.slice(0, i).some((other) => other.alias === entry.alias
      && !(entry.schema !== null && other.schema !== null && entry.table !== null && other.table !== null && entry.table.id !== other.table.id));
    if (clash) throw bindError(BinderState.duplicateAlias, `table name "${entry.alias}" specified more than once`);
  });
}

function joinResults(left: FromResult, right: FromResult, joinType: JoinType, condition: BoundExpr | null): FromResult {
  const width = left.namespace.width + right.namespace.width;
  const namespace = concatNamespaces(left.namespace, shiftNamespace(right.namespace, left.namespace.width), width);
  const plan: LogicalPlan = {
    kind: 'join', joinType, left: left.plan, right: right.plan, condition, lateral: right.lateral,
    columns: [...left.plan.columns, ...right.plan.columns],
  };
  return { plan, namespace, lateral: null };
}

/** Column aliases rename the first columns; more aliases than columns is 42P10. */
function applyAlias(columns: readonly PlanColumn[], alias: TableAlias | null, name: string): PlanColumn[] {
  const names = alias?.columns ?? [];
  if (names.length > columns.length) {
    throw bindError(BinderState.invalidColumnReference, `table "${name}" has ${columns.length} columns available but ${names.length} columns specified`);
  }
  return columns.map((c, i) => ({ ...c, name: names[i] ?? c.name }));
}

function bindFromItem(item: FromItem, scope: QueryScope, lateralNs: Namespace, bind: BindContext): FromResult {
  switch (item.kind) {
    case 'table': return bindTableItem(item, scope, bind);
    case 'subquery': {
      const sub = item.lateral ? scope.lateralScope(lateralNs) : scope.siblingScope();
      const result = bindQuery(item.query, sub, bind);
      const alias = item.alias?.name ?? 'unnamed_subquery';
      const columns = applyAlias(result.columns, item.alias, alias);
      const plan: LogicalPlan = { ...result.plan, columns } as LogicalPlan;
      const lateral = item.lateral && (sub.correlation?.exprs.length ?? 0) > 0 ? sub.correlation?.arguments() ?? null : null;
      return { plan, namespace: entryNamespace(alias, null, null, columns), lateral };
    }
    case 'function': return bindFunctionItem(item.call, item.withOrdinality, item.alias, scope, lateralNs, bind);
    case 'join': return bindJoin(item, scope, bind);
  }
}

function bindTableItem(item: FromItem & { kind: 'table' }, scope: QueryScope, bind: BindContext): FromResult {
  const { schema, name, position } = item.name;
  const cte = schema === null ? scope.findCte(name) : undefined;
  const alias = item.alias?.name ?? name;
  if (cte !== undefined) {
    const columns = applyAlias(cte.columns, item.alias, alias);
    const plan: LogicalPlan = cte.recursiveReference
      ? { kind: 'workTableScan', cteId: cte.id, name, columns }
      : { kind: 'cteScan', cteId: cte.id, name, columns };
    return { plan, namespace: entryNamespace(alias, null, null, columns), lateral: null };
  }
  const system = resolveSystemRelation(schema, name, bind.session, (s) => bind.catalog.lookupTable(s, name, []) !== undefined);
  if (system !== undefined) return bindSystemRelation(system, item.alias, alias);
  const table = bind.catalog.lookupTable(schema, name, bind.session.searchPath);
  if (table === undefined) throw undefinedTable(schema === null ? name : `${schema}.${name}`, position);
  bind.tablesRead.add(table.id);
  const tableColumns: PlanColumn[] = table.columns.map((c) => ({ name: c.name, type: c.type, tableId: table.id, columnNumber: c.position + 1 }));
  const columns = applyAlias(tableColumns, item.alias, alias);
  const plan: LogicalPlan = { kind: 'scan', table, alias, withKey: false, columns };
  return { plan, namespace: entryNamespace(alias, item.alias === null ? table.schema : null, table, columns), lateral: null };
}

/** pg_catalog and information_schema relations scan rows built from the statement's catalog snapshot (query/system-catalog). */
function bindSystemRelation(def: SystemRelationDef, tableAlias: TableAlias | null, alias: string): FromResult {
  const visible = applyAlias(def.columns.map((c) => ({ name: c.name, type: c.type, tableId: 0, columnNumber: 0 })), tableAlias, alias);
  const columns = [...visible, ...systemRelationHiddenColumns.map((c) => ({ ...c, tableId: 0, columnNumber: 0 }))];
  const plan: LogicalPlan = { kind: 'functionScan', name: def.name, fn: systemRelationScan(def), args: [], strict: false, ordinality: false, columns };
  return { plan, namespace: entryNamespace(alias, tableAlias === null ? def.schema : null, null, columns, visible.length), lateral: null };
}

/** A table function, or a scalar function used as a one-row table (as PostgreSQL allows). */
function bindFunctionItem(call: FunctionCall, ordinality: boolean, alias: TableAlias | null, scope: QueryScope, lateralNs: Namespace, bind: BindContext): FromResult {
  const name = call.name.name;
  const sub = scope.lateralScope(lateralNs);
  const ctx = plainContext(bind, sub, 'functions in FROM');
  const args = call.args.map((a) => bindExpr(a, ctx));
  const inputs = args.map((a) => typedInput(a, bind));
  const tableCandidates = tableFunctionOverloads(name);
  let fn: TableFn;
  let strict: boolean;
  let outputs: { name: string; type: PlanColumn['type'] }[];
  let coerced: BoundExpr[];
  if (tableCandidates.length > 0 || scalarOverloads(name).length === 0) {
    const r = resolveFunction(name, tableCandidates, inputs, call.position);
    fn = r.overload.implement(r.argTypes);
    strict = r.overload.strict;
    outputs = [...r.overload.columns(r.argTypes)];
    coerced = args.map((a, i) => coerceOrFail(a, r.argTypes[i] ?? a.type, 'implicit', bind, call.position, () => 'argument cannot be converted'));
  } else {
    const r = resolveFunction(name, scalarOverloads(name), inputs, call.position);
    const scalar: ScalarFn = r.overload.implement(r.argTypes, r.resultType);
    fn = (values, env: FunctionEnv) => [[scalar(values, env)]];
    strict = false;
    outputs = [{ name, type: r.resultType }];
    coerced = args.map((a, i) => coerceOrFail(a, r.argTypes[i] ?? a.type, 'implicit', bind, call.position, () => 'argument cannot be converted'));
    if (r.overload.strict) fn = strictScalarRow(scalar);
  }
  const aliasName = alias?.name ?? name;
  // A single-column function takes the table alias as its column name, as in PostgreSQL.
  if (alias !== null && alias.columns.length === 0 && outputs.length === 1) outputs = [{ name: alias.name, type: outputs[0]?.type ?? SqlTypes.text }];
  let columns: PlanColumn[] = outputs.map((o) => ({ name: o.name, type: o.type, tableId: 0, columnNumber: 0 }));
  if (ordinality) columns.push({ name: 'ordinality', type: SqlTypes.int8, tableId: 0, columnNumber: 0 });
  columns = applyAlias(columns, alias, aliasName);
  const plan: LogicalPlan = { kind: 'functionScan', name, fn, args: coerced, strict, ordinality, columns };
  const lateral = (sub.correlation?.exprs.length ?? 0) > 0 ? sub.correlation?.arguments() ?? null : null;
  return { plan, namespace: entryNamespace(aliasName, null, null, columns), lateral };
}

function strictScalarRow(scalar: ScalarFn): TableFn {
  return (values, env) => [[values.some((v) => v === null) ? null : scalar(values, env)]];
}

/**
 * A join's right side may read its left side (LATERAL); items to the left of
 * the whole join are not visible inside it (their values are not in the
 * join's rows).
 */
function bindJoin(item: FromItem & { kind: 'join' }, scope: QueryScope, bind: BindContext): FromResult {
  const left = standalone(bindFromItem(item.left, scope, emptyNamespace, bind));
  const right = bindFromItem(item.right, scope, left.namespace, bind);
  const joinType: JoinType = item.joinType === 'cross' ? 'inner' : item.joinType;
  if (right.lateral !== null && (joinType === 'right' || joinType === 'full')) {
    throw syntaxError('The combining JOIN type must be INNER or LEFT for a LATERAL reference.');
  }
  const joined = joinResults(left, right, joinType, null);
  const { condition, namespace } = bindJoinCondition(item.condition, joinType, left.namespace, joined.namespace, scope, bind);
  const plan = { ...(joined.plan as LogicalPlan & { kind: 'join' }), condition };
  return { plan, namespace: aliasJoin(namespace, item.alias), lateral: null };
}

function aliasJoin(ns: Namespace, alias: TableAlias | null): Namespace {
  if (alias === null) return ns;
  if (alias.columns.length > ns.visible.length) {
    throw bindError(BinderState.invalidColumnReference, `table "${alias.name}" has ${ns.visible.length} columns available but ${alias.columns.length} columns specified`);
  }
  const visible = ns.visible.map((c, i) => ({ ...c, name: alias.columns[i] ?? c.name }));
  return { entries: [{ alias: alias.name, schema: null, table: null, columns: visible }], visible, width: ns.width };
}

function bindJoinCondition(
  condition: JoinCondition | null, joinType: JoinType, leftNs: Namespace, joinedNs: Namespace, scope: QueryScope, bind: BindContext,
): { condition: BoundExpr | null; namespace: Namespace } {
  if (condition === null) return { condition: null, namespace: joinedNs };
  const joinScope = scope.withNamespace(joinedNs);
  const ctx = plainContext(bind, joinScope, 'JOIN conditions');
  if (condition.kind === 'on') {
    return { condition: factorOrConjuncts(coerceToBoolean(bindExpr(condition.expr, ctx), bind, 'JOIN/ON', undefined)), namespace: joinedNs };
  }
  const leftVisible = joinedNs.visible.slice(0, leftNs.visible.length);
  const rightVisible = joinedNs.visible.slice(leftNs.visible.length);
  const names = condition.kind === 'using'
    ? condition.columns
    : [...new Set(leftVisible.map((c) => c.name).filter((n) => rightVisible.some((r) => r.name === n)))];
  const merged: ScopeColumn[] = [];
  const equalities: BoundExpr[] = [];
  for (const name of names) {
    const l = usingColumn(leftVisible, name, 'left');
    const r = usingColumn(rightVisible, name, 'right');
    equalities.push(bindOperatorCall('=', [l.expr, r.expr], ctx, -1));
    merged.push(mergedColumn(name, l, r, joinType, bind));
  }
  const usingNames = new Set(names);
  const visible = [...merged, ...leftVisible.filter((c) => !usingNames.has(c.name)), ...rightVisible.filter((c) => !usingNames.has(c.name))];
  const usingAlias = condition.kind === 'using' ? condition.alias : null;
  const entries = usingAlias === null ? joinedNs.entries : [...joinedNs.entries, { alias: usingAlias, schema: null, table: null, columns: merged }];
  const cond: BoundExpr | null = equalities.length === 0 ? null : equalities.length === 1 ? (equalities[0] as BoundExpr) : { kind: 'and', type: SqlTypes.bool, args: equalities };
  return { condition: cond, namespace: { entries, visible, width: joinedNs.width } };
}

function usingColumn(columns: readonly ScopeColumn[], name: string, side: 'left' | 'right'): ScopeColumn {
  const matches = columns.filter((c) => c.name === name);
  if (matches.length === 0) throw bindError(BinderState.undefinedColumn, `column "${name}" specified in USING clause does not exist in ${side} table`);
  if (matches.length > 1) throw bindError(BinderState.ambiguousColumn, `common column name "${name}" appears more than once in ${side} table`);
  return matches[0] as ScopeColumn;
}

/** The merged USING column: the left value (right for RIGHT JOIN, COALESCE for FULL JOIN). */
function mergedColumn(name: string, l: ScopeColumn, r: ScopeColumn, joinType: JoinType, bind: BindContext): ScopeColumn {
  const type = selectCommonType([{ type: l.type, unknown: false }, { type: r.type, unknown: false }], 'JOIN/USING');
  const conv = (c: ScopeColumn): BoundExpr => coerceOrFail(c.expr, type, 'implicit', bind, undefined, () => 'JOIN/USING types cannot be matched');
  const expr: BoundExpr = joinType === 'full'
    ? { kind: 'coalesce', type, args: [conv(l), conv(r)] }
    : conv(joinType === 'right' ? r : l);
  const origin = joinType === 'right' ? r : l;
  return { name, type, expr, tableId: joinType === 'full' ? 0 : origin.tableId, columnNumber: joinType === 'full' ? 0 : origin.columnNumber, hidden: false };
}
