// INSERT, UPDATE and DELETE.

import type {
  DeleteStmt, IndexElem, InsertStmt, Node, OnConflictClause, RangeVar, ReturningClause, UpdateStmt,
} from 'libpg-query';
import type {
  ConflictTarget, Delete, IndexKey, Insert, OnConflict, SetClause, Target, TargetTable, Update,
} from '../ast/index.js';
import { notSupported } from './errors.js';
import { checkFields, errorPos, pgAs, pgExpect, pgList, pos } from './pg-nodes.js';
import type { TransformContext } from './pg-nodes.js';
import { required, transformExpr, transformOptionalExpr } from './transform-expr.js';
import {
  transformFromList, transformRangeVarName, transformSelectStmt, transformTargets, transformWithClause,
} from './transform-select.js';

function transformTargetTable(r: RangeVar | undefined, ctx: TransformContext): TargetTable {
  const relation = required(r, 'target table');
  return { name: transformRangeVarName(relation, ctx), only: relation.inh !== true, alias: relation.alias?.aliasname ?? null };
}

function transformReturning(r: ReturningClause | undefined, ctx: TransformContext): Target[] {
  if (r === undefined) return [];
  checkFields(r, ['options', 'exprs'], 'RETURNING', ctx, -1);
  if (r.options !== undefined) throw notSupported('RETURNING WITH (OLD/NEW aliases)', errorPos(ctx, -1));
  return transformTargets(r.exprs, ctx);
}

export function transformInsertStmt(s: InsertStmt, ctx: TransformContext): Insert {
  checkFields(s, ['relation', 'cols', 'selectStmt', 'onConflictClause', 'returningClause', 'withClause', 'override'], 'INSERT', ctx, -1);
  const columns = pgList(s.cols).map((c) => {
    const target = pgExpect(c, 'ResTarget', 'INSERT column list');
    if (target.indirection !== undefined) throw notSupported('INSERT into a subscript or field of a column', errorPos(ctx, target.location));
    return { name: target.name ?? '', position: pos(ctx, target.location) };
  });
  const override = s.override ?? 'OVERRIDING_NOT_SET';
  return {
    kind: 'insert',
    with: s.withClause === undefined ? null : transformWithClause(s.withClause, ctx),
    table: transformTargetTable(s.relation, ctx),
    columns,
    source: s.selectStmt === undefined
      ? { kind: 'defaultValues' }
      : transformSelectStmt(pgExpect(s.selectStmt, 'SelectStmt', 'INSERT source'), ctx),
    overriding: override === 'OVERRIDING_SYSTEM_VALUE' ? 'systemValue' : override === 'OVERRIDING_USER_VALUE' ? 'userValue' : 'none',
    onConflict: s.onConflictClause === undefined ? null : transformOnConflict(s.onConflictClause, ctx),
    returning: transformReturning(s.returningClause, ctx),
  };
}

function transformOnConflict(c: OnConflictClause, ctx: TransformContext): OnConflict {
  checkFields(c, ['action', 'infer', 'targetList', 'whereClause', 'location'], 'ON CONFLICT', ctx, c.location);
  let target: ConflictTarget | null = null;
  if (c.infer !== undefined) {
    const infer = c.infer;
    checkFields(infer, ['indexElems', 'whereClause', 'conname', 'location'], 'ON CONFLICT target', ctx, infer.location);
    target = infer.conname !== undefined
      ? { kind: 'constraint', name: infer.conname }
      : {
        kind: 'columns',
        columns: pgList(infer.indexElems).map((e) => indexKey(pgExpect(e, 'IndexElem', 'ON CONFLICT'), ctx, true)),
        where: transformOptionalExpr(infer.whereClause, ctx),
      };
  }
  const position = pos(ctx, c.location);
  if (c.action === 'ONCONFLICT_UPDATE') {
    return { target, action: { kind: 'update', set: transformSetClauses(c.targetList, ctx), where: transformOptionalExpr(c.whereClause, ctx) }, position };
  }
  return { target, action: { kind: 'nothing' }, position };
}

/**
 * A column or expression of an index or ON CONFLICT target. Opclasses and
 * collations are refused; ordering is read by CREATE INDEX, and must be the
 * default in ON CONFLICT (PostgreSQL rejects it there too).
 */
export function indexKey(e: IndexElem, ctx: TransformContext, defaultOrderingOnly: boolean): IndexKey {
  checkFields(e, ['name', 'expr', 'indexcolname', 'ordering', 'nulls_ordering'], 'index column', ctx, -1);
  const ordered = (e.ordering ?? 'SORTBY_DEFAULT') !== 'SORTBY_DEFAULT' || (e.nulls_ordering ?? 'SORTBY_NULLS_DEFAULT') !== 'SORTBY_NULLS_DEFAULT';
  if (defaultOrderingOnly && ordered) throw notSupported('ASC/DESC/NULLS in an ON CONFLICT target', errorPos(ctx, -1));
  if (e.name !== undefined) return { kind: 'column', name: e.name };
  return { kind: 'expression', expr: transformExpr(required(e.expr, 'index expression'), ctx) };
}

/**
 * UPDATE ... SET targets. The grammar expands `(a, b) = source` into one
 * target per column, each pointing at the same source with its column
 * number; they are folded back into one `multi` clause here.
 */
export function transformSetClauses(nodes: readonly Node[] | undefined, ctx: TransformContext): SetClause[] {
  const clauses: SetClause[] = [];
  let multi: { columns: string[]; source: Node; count: number; location: number | undefined } | null = null;
  for (const n of pgList(nodes)) {
    const t = pgExpect(n, 'ResTarget', 'SET');
    checkFields(t, ['name', 'indirection', 'val', 'location'], 'SET', ctx, t.location);
    if (t.indirection !== undefined) throw notSupported('assignment to a subscript or field of a column', errorPos(ctx, t.location));
    const assign = pgAs(t.val, 'MultiAssignRef');
    if (assign === undefined) {
      clauses.push({ kind: 'column', column: t.name ?? '', value: transformExpr(required(t.val, 'SET value'), ctx), position: pos(ctx, t.location) });
      continue;
    }
    if (assign.colno === 1) multi = { columns: [], source: required(assign.source, 'SET source'), count: assign.ncolumns ?? 0, location: t.location };
    if (multi === null) throw new Error('libpg-query: multiple-column assignment without its first column');
    multi.columns.push(t.name ?? '');
    if (multi.columns.length === multi.count) {
      clauses.push({ kind: 'multi', columns: multi.columns, source: transformExpr(multi.source, ctx), position: pos(ctx, multi.location) });
      multi = null;
    }
  }
  return clauses;
}

export function transformUpdateStmt(s: UpdateStmt, ctx: TransformContext): Update {
  checkFields(s, ['relation', 'targetList', 'whereClause', 'fromClause', 'returningClause', 'withClause'], 'UPDATE', ctx, -1);
  return {
    kind: 'update',
    with: s.withClause === undefined ? null : transformWithClause(s.withClause, ctx),
    table: transformTargetTable(s.relation, ctx),
    set: transformSetClauses(s.targetList, ctx),
    from: transformFromList(s.fromClause, ctx),
    where: transformWhere(s.whereClause, ctx),
    returning: transformReturning(s.returningClause, ctx),
  };
}

export function transformDeleteStmt(s: DeleteStmt, ctx: TransformContext): Delete {
  checkFields(s, ['relation', 'usingClause', 'whereClause', 'returningClause', 'withClause'], 'DELETE', ctx, -1);
  return {
    kind: 'delete',
    with: s.withClause === undefined ? null : transformWithClause(s.withClause, ctx),
    table: transformTargetTable(s.relation, ctx),
    using: transformFromList(s.usingClause, ctx),
    where: transformWhere(s.whereClause, ctx),
    returning: transformReturning(s.returningClause, ctx),
  };
}

function transformWhere(node: Node | undefined, ctx: TransformContext): ReturnType<typeof transformOptionalExpr> {
  if (pgAs(node, 'CurrentOfExpr') !== undefined) throw notSupported('WHERE CURRENT OF', errorPos(ctx, -1));
  return transformOptionalExpr(node, ctx);
}
