// INSERT: the target column list, the source (VALUES with DEFAULT cells, a
// query, or DEFAULT VALUES), the full new row per source row (defaults and
// identities for unlisted columns, assignment casts), CHECKs, ON CONFLICT
// and RETURNING.

import type { Expr, Insert, Select } from '../ast/index.js';
import type { ColumnInfo, TableInfo } from '../contract.js';
import { bindExpr } from './bind-expr.js';
import { bindWith } from './bind-cte.js';
import { oneRowPlan } from './bind-from.js';
import { bindQuery } from './bind-query.js';
import { checkRowLengths } from './bind-values.js';
import { bindOnConflict } from './bind-on-conflict.js';
import type { BoundExpr } from './bound-expr.js';
import type { BoundInsert } from './bound-statement.js';
import { castNode } from './coerce.js';
import type { BindContext } from './context.js';
import {
  assignTo, bindChecks, bindReturning, defaultFor, findColumn, generatedAlways, resolveTargetTable, tableColumns, tableNamespace,
} from './bind-dml-common.js';
import { bindError, BinderState, syntaxError } from './errors.js';
import { plainContext } from './expr-context.js';
import type { LogicalPlan } from './logical-plan.js';
import { emptyNamespace, QueryScope } from './scope.js';

function targetColumns(stmt: Insert, table: TableInfo): ColumnInfo[] {
  if (stmt.columns.length === 0) return [...table.columns];
  const seen = new Set<string>();
  return stmt.columns.map(({ name, position }) => {
    if (seen.has(name)) throw bindError(BinderState.duplicateColumn, `column "${name}" specified more than once`, position);
    seen.add(name);
    return findColumn(table, name, position);
  });
}

/** Whether a value given for `column` is used, replaced by the identity, or refused (GENERATED ALWAYS). */
function explicitValue(column: ColumnInfo, value: BoundExpr, stmt: Insert, table: TableInfo, bind: BindContext): BoundExpr {
  if (column.identity === null) return value;
  if (stmt.overriding === 'userValue') return defaultFor(table, column, bind);
  if (column.identity === 'always' && stmt.overriding !== 'systemValue') throw generatedAlways(column, false);
  return value;
}

function isPlainValues(source: Select): boolean {
  return source.body.kind === 'values' && source.with === null && source.orderBy.length === 0 && source.limit === null && source.offset === null;
}

/** INSERT ... VALUES: each cell is bound against its column directly (DEFAULT allowed), giving full table rows. */
function bindInsertValues(rows: readonly (readonly Expr[])[], columns: readonly ColumnInfo[], stmt: Insert, table: TableInfo, scope: QueryScope, bind: BindContext): LogicalPlan {
  const width = checkRowLengths(rows);
  if (width > columns.length) throw syntaxError('INSERT has more expressions than target columns');
  if (width < columns.length && stmt.columns.length > 0) throw syntaxError('INSERT has more target columns than expressions');
  const ctx = plainContext(bind, scope, 'VALUES');
  const defaults = new Map<number, BoundExpr>();
  const defaultOf = (c: ColumnInfo): BoundExpr => {
    let d = defaults.get(c.position);
    if (d === undefined) { d = defaultFor(table, c, bind); defaults.set(c.position, d); }
    return d;
  };
  const full = rows.map((row) => {
    const out: BoundExpr[] = table.columns.map(defaultOf);
    row.forEach((cell, i) => {
      const column = columns[i] as ColumnInfo;
      if (cell.kind === 'default') return;
      out[column.position] = explicitValue(column, assignTo(bindExpr(cell, ctx), column, bind, exprPosition(cell)), stmt, table, bind);
    });
    return out;
  });
  return { kind: 'values', rows: full, columns: tableColumns(table) };
}

function exprPosition(expr: Expr): number {
  return 'position' in expr ? expr.position : -1;
}

function identityRow(table: TableInfo): BoundExpr[] {
  return table.columns.map((c, i) => ({ kind: 'column', type: c.type, index: i, name: c.name }));
}

export function bindInsert(stmt: Insert, bind: BindContext): BoundInsert {
  const table = resolveTargetTable(stmt.table, bind);
  const scope = new QueryScope(emptyNamespace, null, null);
  const ctes = stmt.with === null ? [] : bindWith(stmt.with, scope, bind);
  const columns = targetColumns(stmt, table);
  let source: LogicalPlan;
  let row: BoundExpr[];
  if (stmt.source.kind === 'defaultValues') {
    source = oneRowPlan;
    row = table.columns.map((c) => defaultFor(table, c, bind));
  } else if (isPlainValues(stmt.source) && stmt.source.body.kind === 'values') {
    source = bindInsertValues(stmt.source.body.rows, columns, stmt, table, scope, bind);
    row = identityRow(table);
  } else {
    const query = bindQuery(stmt.source, scope, bind);
    if (query.columns.length > columns.length) throw syntaxError('INSERT has more expressions than target columns');
    if (query.columns.length < columns.length && stmt.columns.length > 0) throw syntaxError('INSERT has more target columns than expressions');
    source = query.plan;
    row = table.columns.map((c) => defaultFor(table, c, bind));
    query.columns.forEach((qc, i) => {
      const column = columns[i] as ColumnInfo;
      const ref: BoundExpr = { kind: 'column', type: qc.type, index: i, name: qc.name };
      // An untyped literal in the query is read as the column's type, as PostgreSQL does for INSERT ... SELECT.
      const value = query.unknown[i] === true ? castNode(ref, column.type, 'assignment', bind) : assignTo(ref, column, bind, -1);
      row[column.position] = explicitValue(column, value, stmt, table, bind);
    });
  }
  if (ctes.length > 0) source = { kind: 'with', ctes, input: source, columns: source.columns };
  const returningScope = new QueryScope(tableNamespace(table, stmt.table.alias, false), null, null);
  return {
    kind: 'insert', table, source, row, checks: bindChecks(table, bind),
    onConflict: stmt.onConflict === null ? null : bindOnConflict(stmt.onConflict, table, stmt.table.alias, bind),
    returning: bindReturning(stmt.returning, plainContext(bind, returningScope, 'RETURNING')),
  };
}

