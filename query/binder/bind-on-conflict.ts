// ON CONFLICT: the arbiter index (inferred from a column list, or named by
// ON CONSTRAINT), and DO UPDATE's SET and WHERE over the existing row and the
// row proposed for insertion (EXCLUDED).

import type { IndexKey, OnConflict } from '../ast/index.js';
import type { IndexInfo, TableInfo } from '../contract.js';
import { bindSetClauses } from './bind-set-clauses.js';
import type { BoundOnConflict } from './bound-statement.js';
import { coerceToBoolean } from './coerce.js';
import type { BindContext } from './context.js';
import { findColumn, tableColumns } from './bind-dml-common.js';
import { bindError, BinderState, notSupported, syntaxError } from './errors.js';
import { bindExpr } from './bind-expr.js';
import { plainContext } from './expr-context.js';
import { concatNamespaces, entryNamespace, QueryScope, shiftNamespace } from './scope.js';

function inferArbiter(keys: readonly IndexKey[], table: TableInfo, position: number): IndexInfo {
  const positions = keys.map((k) => {
    if (k.kind !== 'column') throw notSupported('ON CONFLICT with index expressions', position);
    return findColumn(table, k.name, position).position;
  });
  const wanted = new Set(positions);
  const index = table.indexes.find((i) => i.unique && i.columnPositions.length === wanted.size && i.columnPositions.every((p) => wanted.has(p)));
  if (index === undefined) {
    throw bindError(BinderState.invalidColumnReference, 'there is no unique or exclusion constraint matching the ON CONFLICT specification', position);
  }
  return index;
}

function arbiterOf(clause: OnConflict, table: TableInfo): IndexInfo | null {
  const target = clause.target;
  if (target === null) return null;
  if (target.kind === 'constraint') {
    const index = table.indexes.find((i) => i.name === target.name && i.unique);
    if (index === undefined) throw bindError(BinderState.undefinedObject, `constraint "${target.name}" for table "${table.name}" does not exist`, clause.position);
    return index;
  }
  if (target.where !== null) throw notSupported('ON CONFLICT with a partial-index WHERE clause', clause.position);
  return inferArbiter(target.columns, table, clause.position);
}

export function bindOnConflict(clause: OnConflict, table: TableInfo, alias: string | null, bind: BindContext): BoundOnConflict {
  const arbiter = arbiterOf(clause, table);
  if (clause.action.kind === 'nothing') return { arbiter, action: 'nothing', assignments: [], where: null };
  if (arbiter === null) {
    throw syntaxError('ON CONFLICT DO UPDATE requires inference specification or constraint name', clause.position);
  }
  const columns = tableColumns(table);
  const existing = entryNamespace(alias ?? table.name, alias === null ? table.schema : null, table, columns);
  const excluded = shiftNamespace(entryNamespace('excluded', null, null, columns), columns.length);
  const scope = new QueryScope(concatNamespaces(existing, excluded, columns.length * 2), null, null);
  const ctx = plainContext(bind, scope, 'ON CONFLICT DO UPDATE');
  const assignments = bindSetClauses(clause.action.set, table, ctx, bind);
  const where = clause.action.where === null ? null : coerceToBoolean(bindExpr(clause.action.where, ctx), bind, 'WHERE', undefined);
  return { arbiter, action: 'update', assignments, where };
}
