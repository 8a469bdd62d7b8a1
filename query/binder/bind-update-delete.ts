// UPDATE and DELETE: the target table scanned with its stored key, joined
// with FROM / USING items and filtered by WHERE; SET assignments and
// RETURNING are expressions over that joined row.

import type { Delete, Update } from '../ast/index.js';
import type { TableInfo } from '../contract.js';
import { bindExpr } from './bind-expr.js';
import { bindWith } from './bind-cte.js';
import { bindFromList } from './bind-from.js';
import { bindSetClauses } from './bind-set-clauses.js';
import type { BoundDelete, BoundUpdate } from './bound-statement.js';
import { coerceToBoolean } from './coerce.js';
import type { BindContext } from './context.js';
import { bindChecks, bindReturning, resolveTargetTable, tableColumns, tableNamespace } from './bind-dml-common.js';
import { plainContext } from './expr-context.js';
import type { LogicalPlan } from './logical-plan.js';
import { concatNamespaces, emptyNamespace, QueryScope, shiftNamespace } from './scope.js';

interface TargetSource {
  readonly table: TableInfo;
  readonly plan: LogicalPlan;
  readonly scope: QueryScope;
  readonly keyIndex: number;
}

/** [target columns, key] joined with the extra FROM items, then WHERE. */
function bindTargetSource(target: Update['table'], from: Update['from'], where: Update['where'], withClause: Update['with'], bind: BindContext): TargetSource {
  const table = resolveTargetTable(target, bind);
  const scope = new QueryScope(emptyNamespace, null, null);
  const ctes = withClause === null ? [] : bindWith(withClause, scope, bind);
  const keyType = { kind: 'bytea' as const };
  const columns = [...tableColumns(table), { name: '', type: keyType, tableId: 0, columnNumber: 0 }];
  let plan: LogicalPlan = { kind: 'scan', table, alias: target.alias ?? table.name, withKey: true, columns };
  let namespace = tableNamespace(table, target.alias, true);
  if (from.length > 0) {
    const extra = bindFromList(from, scope, bind);
    plan = { kind: 'join', joinType: 'inner', left: plan, right: extra.plan, condition: null, lateral: null, columns: [...plan.columns, ...extra.plan.columns] };
    namespace = concatNamespaces(namespace, shiftNamespace(extra.namespace, namespace.width), namespace.width + extra.namespace.width);
  }
  scope.namespace = namespace;
  if (where !== null) {
    const predicate = coerceToBoolean(bindExpr(where, plainContext(bind, scope, 'WHERE')), bind, 'WHERE', undefined);
    plan = { kind: 'filter', input: plan, predicate, columns: plan.columns };
  }
  if (ctes.length > 0) plan = { kind: 'with', ctes, input: plan, columns: plan.columns };
  return { table, plan, scope, keyIndex: table.columns.length };
}

export function bindUpdate(stmt: Update, bind: BindContext): BoundUpdate {
  const source = bindTargetSource(stmt.table, stmt.from, stmt.where, stmt.with, bind);
  const assignments = bindSetClauses(stmt.set, source.table, plainContext(bind, source.scope, 'UPDATE'), bind);
  return {
    kind: 'update', table: source.table, source: source.plan, keyIndex: source.keyIndex, assignments,
    checks: bindChecks(source.table, bind),
    returning: bindReturning(stmt.returning, plainContext(bind, source.scope, 'RETURNING')),
  };
}

export function bindDelete(stmt: Delete, bind: BindContext): BoundDelete {
  const source = bindTargetSource(stmt.table, stmt.using, stmt.where, stmt.with, bind);
  return {
    kind: 'delete', table: source.table, source: source.plan, keyIndex: source.keyIndex,
    returning: bindReturning(stmt.returning, plainContext(bind, source.scope, 'RETURNING')),
  };
}
