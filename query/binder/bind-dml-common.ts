// What INSERT, UPDATE and DELETE share: the target table, column defaults
// (ColumnInfo.defaultExpr is SQL text, parsed and bound here), identity
// columns, CHECK constraints and RETURNING.

import type { Expr, Target, TargetTable } from '../ast/index.js';
import type { ColumnInfo, TableInfo } from '../contract.js';
import { parseSql } from '../parser/index.js';
import { formatTypeName } from '../types/sql-type.js';
import { SqlError } from '../types/errors.js';
import { bindExpr, resolveUnknown } from './bind-expr.js';
import type { BoundExpr } from './bound-expr.js';
import type { BoundCheck, BoundReturning } from './bound-statement.js';
import { coerceOrFail, coerceToBoolean } from './coerce.js';
import type { BindContext } from './context.js';
import { bindError, BinderState, undefinedTable } from './errors.js';
import { plainContext } from './expr-context.js';
import type { ExprContext } from './expr-context.js';
import { figureColumnName } from './column-name.js';
import type { PlanColumn } from './logical-plan.js';
import { emptyNamespace, entryNamespace, findEntry, QueryScope } from './scope.js';
import type { Namespace } from './scope.js';

export function resolveTargetTable(target: TargetTable, bind: BindContext): TableInfo {
  const { schema, name, position } = target.name;
  const table = bind.catalog.lookupTable(schema, name, bind.session.searchPath);
  if (table === undefined) throw undefinedTable(schema === null ? name : `${schema}.${name}`, position);
  bind.tablesWritten.add(table.id);
  bind.tablesRead.add(table.id);
  return table;
}

export function tableColumns(table: TableInfo): PlanColumn[] {
  return table.columns.map((c) => ({ name: c.name, type: c.type, tableId: table.id, columnNumber: c.position + 1 }));
}

/** The namespace of a table row (positions 0..n-1), plus the hidden stored key at n when `withKey`. */
export function tableNamespace(table: TableInfo, alias: string | null, withKey: boolean): Namespace {
  const columns = tableColumns(table);
  const all = withKey ? [...columns, { name: '', type: { kind: 'bytea' as const }, tableId: 0, columnNumber: 0 }] : columns;
  return entryNamespace(alias ?? table.name, alias === null ? table.schema : null, table, all, columns.length);
}

export function findColumn(table: TableInfo, name: string, position: number): ColumnInfo {
  const column = table.columns.find((c) => c.name === name);
  if (column === undefined) throw bindError(BinderState.undefinedColumn, `column "${name}" of relation "${table.name}" does not exist`, position);
  return column;
}

/** Binds stored SQL text; its errors must not point into the user's statement. */
function withoutPositions<T>(bindStored: () => T): T {
  try {
    return bindStored();
  } catch (error) {
    if (error instanceof SqlError && error.position !== undefined) throw new SqlError(error.sqlState, error.message, { detail: error.detail, hint: error.hint });
    throw error;
  }
}

/** Parses `SELECT <text>` and returns the expression (defaults and CHECKs are stored as SQL text). */
function parseStoredExpr(text: string): Expr {
  const [parsed] = parseSql(`SELECT ${text}`);
  const statement = parsed?.statement;
  if (statement?.kind !== 'select' || statement.body.kind !== 'selectCore' || statement.body.targets.length !== 1) {
    throw new Error(`stored expression is not one expression: ${text}`);
  }
  return (statement.body.targets[0] as Target).expr;
}

/** A column's DEFAULT: its identity, its default expression (assignment-cast), or NULL. */
export function defaultFor(table: TableInfo, column: ColumnInfo, bind: BindContext): BoundExpr {
  if (column.identity !== null) return { kind: 'identity', type: column.type, table, column };
  if (column.defaultExpr === null) return { kind: 'const', type: column.type, value: null, unknown: false };
  const text = column.defaultExpr;
  const ctx = plainContext(bind, new QueryScope(emptyNamespace, null, null), 'DEFAULT expressions');
  return withoutPositions(() => assignTo(bindExpr(parseStoredExpr(text), ctx), column, bind, -1));
}

/** The assignment cast into a column; 42804 with PostgreSQL's wording when there is none. */
export function assignTo(expr: BoundExpr, column: ColumnInfo, bind: BindContext, position: number): BoundExpr {
  return coerceOrFail(expr, column.type, 'assignment', bind, position,
    () => `column "${column.name}" is of type ${formatTypeName(column.type)} but expression is of type ${formatTypeName(expr.type)}`,
    'You will need to rewrite or cast the expression.');
}

export function bindChecks(table: TableInfo, bind: BindContext): BoundCheck[] {
  if (table.checks.length === 0) return [];
  const scope = new QueryScope(tableNamespace(table, null, false), null, null);
  const ctx = plainContext(bind, scope, 'check constraints');
  return table.checks.map((check) => ({
    name: check.name,
    expr: withoutPositions(() => coerceToBoolean(bindExpr(parseStoredExpr(check.expr), ctx), bind, 'CHECK', undefined)),
  }));
}

export function bindReturning(targets: readonly Target[], ctx: ExprContext): BoundReturning | null {
  if (targets.length === 0) return null;
  const exprs: BoundExpr[] = [];
  const columns: PlanColumn[] = [];
  for (const target of targets) {
    if (target.expr.kind === 'star') {
      const qualifier = target.expr.qualifier;
      const entry = qualifier.length === 0 ? null : findEntry(ctx.scope.namespace, qualifier, target.expr.position);
      if (qualifier.length > 0 && entry === undefined) {
        throw bindError(BinderState.undefinedTable, `missing FROM-clause entry for table "${qualifier[qualifier.length - 1] ?? ''}"`, target.expr.position);
      }
      const source = entry === null || entry === undefined ? ctx.scope.namespace.visible : entry.columns.filter((c) => !c.hidden);
      for (const c of source) {
        exprs.push(c.expr);
        columns.push({ name: c.name, type: c.type, tableId: c.tableId, columnNumber: c.columnNumber });
      }
      continue;
    }
    const expr = resolveUnknown(bindExpr(target.expr, ctx), ctx);
    exprs.push(expr);
    columns.push({ name: target.alias ?? figureColumnName(target.expr), type: expr.type, tableId: 0, columnNumber: 0 });
  }
  return { exprs, columns };
}

/** 428C9 for a value written into a GENERATED ALWAYS identity column. */
export function generatedAlways(column: ColumnInfo, update: boolean): Error {
  return bindError(BinderState.generatedAlways, update
    ? `column "${column.name}" can only be updated to DEFAULT`
    : `cannot insert a non-DEFAULT value into column "${column.name}"`, undefined, {
    detail: `Column "${column.name}" is an identity column defined as GENERATED ALWAYS.`,
    ...(update ? {} : { hint: 'Use OVERRIDING SYSTEM VALUE to override.' }),
  });
}
