// SELECT, VALUES, set operations, WITH and FROM items.

import type {
  Alias, JoinExpr, LockingClause as PgLockingClause, Node, RangeFunction, RangeSubselect, RangeVar,
  ResTarget, SelectStmt, WithClause as PgWithClause,
} from 'libpg-query';
import type {
  CommonTableExpr, Distinct, FromItem, JoinCondition, JoinType, LockingClause, NamedWindow,
  QualifiedName, QueryBody, Select, SelectCore, TableAlias, Target, WithClause,
} from '../ast/index.js';
import { notSupported } from './errors.js';
import { checkFields, errorPos, pgAs, pgExpect, pgList, pgStrings, pgTag, pos } from './pg-nodes.js';
import type { PgTag, TransformContext } from './pg-nodes.js';
import { transformDeleteStmt, transformInsertStmt, transformUpdateStmt } from './transform-dml.js';
import { required, transformExpr, transformExprs, transformOptionalExpr } from './transform-expr.js';
import { transformFuncCall, transformSortItems, transformWindowSpec } from './transform-func.js';

export function transformSelectStmt(s: SelectStmt, ctx: TransformContext): Select {
  checkFields(s, [
    'distinctClause', 'intoClause', 'targetList', 'fromClause', 'whereClause', 'groupClause', 'groupDistinct',
    'havingClause', 'windowClause', 'valuesLists', 'sortClause', 'limitOffset', 'limitCount', 'limitOption',
    'lockingClause', 'withClause', 'op', 'all', 'larg', 'rarg',
  ], 'SELECT', ctx, -1);
  if (s.intoClause !== undefined) throw notSupported('SELECT INTO', errorPos(ctx, s.intoClause.rel?.location));
  return {
    kind: 'select',
    with: s.withClause === undefined ? null : transformWithClause(s.withClause, ctx),
    body: transformQueryBody(s, ctx),
    orderBy: transformSortItems(s.sortClause, ctx),
    limit: transformOptionalExpr(s.limitCount, ctx),
    limitWithTies: s.limitOption === 'LIMIT_OPTION_WITH_TIES',
    offset: transformOptionalExpr(s.limitOffset, ctx),
    locking: pgList(s.lockingClause).map((l) => transformLocking(pgExpect(l, 'LockingClause', 'locking clause'), ctx)),
  };
}

/** The part of a SelectStmt below ORDER BY / LIMIT / locking / WITH. */
function transformQueryBody(s: SelectStmt, ctx: TransformContext): QueryBody {
  const op = s.op ?? 'SETOP_NONE';
  switch (op) {
    case 'SETOP_NONE':
      if (s.valuesLists !== undefined) {
        const rows = s.valuesLists.map((row) => transformExprs(pgExpect(row, 'List', 'VALUES row').items, ctx));
        return { kind: 'values', rows };
      }
      return transformSelectCore(s, ctx);
    case 'SETOP_UNION':
    case 'SETOP_INTERSECT':
    case 'SETOP_EXCEPT':
      return {
        kind: 'setOperation',
        op: op === 'SETOP_UNION' ? 'union' : op === 'SETOP_INTERSECT' ? 'intersect' : 'except',
        all: s.all === true,
        left: setOperand(required(s.larg, 'set operand'), ctx),
        right: setOperand(required(s.rarg, 'set operand'), ctx),
      };
  }
}

/** An operand keeps its own Select only when it has clauses of its own: `(SELECT ... LIMIT 1) UNION ...`. */
function setOperand(s: SelectStmt, ctx: TransformContext): QueryBody {
  const query = transformSelectStmt(s, ctx);
  const plain = query.with === null && query.orderBy.length === 0 && query.limit === null
    && query.offset === null && query.locking.length === 0;
  return plain ? query.body : query;
}

function transformSelectCore(s: SelectStmt, ctx: TransformContext): SelectCore {
  if (s.groupDistinct === true) throw notSupported('GROUP BY DISTINCT', errorPos(ctx, -1));
  return {
    kind: 'selectCore',
    distinct: transformDistinct(s.distinctClause, ctx),
    targets: transformTargets(s.targetList, ctx),
    from: transformFromList(s.fromClause, ctx),
    where: transformOptionalExpr(s.whereClause, ctx),
    groupBy: pgList(s.groupClause).map((g) => {
      const set = pgAs(g, 'GroupingSet');
      if (set !== undefined) throw notSupported('GROUPING SETS/ROLLUP/CUBE', errorPos(ctx, set.location));
      return transformExpr(g, ctx);
    }),
    having: transformOptionalExpr(s.havingClause, ctx),
    windows: pgList(s.windowClause).map((w): NamedWindow => {
      const def = pgExpect(w, 'WindowDef', 'WINDOW clause');
      return { name: def.name ?? '', spec: transformWindowSpec(def, ctx) };
    }),
  };
}

/** DISTINCT is a list holding one empty node; DISTINCT ON is the list of expressions. */
function transformDistinct(nodes: readonly Node[] | undefined, ctx: TransformContext): Distinct {
  if (nodes === undefined || nodes.length === 0) return { kind: 'all' };
  const [first] = nodes;
  if (nodes.length === 1 && first !== undefined && pgTag(first) === undefined) return { kind: 'distinct' };
  return { kind: 'distinctOn', exprs: transformExprs(nodes, ctx) };
}

/** SELECT targets and RETURNING lists. */
export function transformTargets(nodes: readonly Node[] | undefined, ctx: TransformContext): Target[] {
  return pgList(nodes).map((n) => {
    const t: ResTarget = pgExpect(n, 'ResTarget', 'target list');
    checkFields(t, ['name', 'val', 'location'], 'target', ctx, t.location);
    return { expr: transformExpr(required(t.val, 'target expression'), ctx), alias: t.name ?? null, position: pos(ctx, t.location) };
  });
}

export function transformFromList(nodes: readonly Node[] | undefined, ctx: TransformContext): FromItem[] {
  return pgList(nodes).map((n) => transformFromItem(n, ctx));
}

const unsupportedFromItems: Partial<Record<PgTag, string>> = {
  RangeTableSample: 'TABLESAMPLE',
  RangeTableFunc: 'XMLTABLE',
  JsonTable: 'JSON_TABLE',
};

function transformFromItem(node: Node, ctx: TransformContext): FromItem {
  const tag = pgTag(node);
  switch (tag) {
    case 'RangeVar': {
      const r = pgExpect(node, tag, 'FROM');
      return { kind: 'table', name: transformRangeVarName(r, ctx), only: r.inh !== true, alias: transformAlias(r.alias) };
    }
    case 'RangeSubselect': return transformRangeSubselect(pgExpect(node, tag, 'FROM'), ctx);
    case 'RangeFunction': return transformRangeFunction(pgExpect(node, tag, 'FROM'), ctx);
    case 'JoinExpr': return transformJoin(pgExpect(node, tag, 'FROM'), ctx);
    default:
      throw notSupported((tag !== undefined ? unsupportedFromItems[tag] : undefined) ?? `FROM item ${String(tag)}`, errorPos(ctx, -1));
  }
}

/**
 * The name of a RangeVar, refusing what ThunderDB cannot honour. `inh`
 * (ONLY) and `alias` are left to the caller, which decides whether they apply.
 */
export function transformRangeVarName(r: RangeVar, ctx: TransformContext): QualifiedName {
  checkFields(r, ['catalogname', 'schemaname', 'relname', 'inh', 'relpersistence', 'alias', 'location'], 'table reference', ctx, r.location);
  if (r.catalogname !== undefined) {
    throw notSupported('cross-database reference', errorPos(ctx, r.location));
  }
  return { schema: r.schemaname ?? null, name: r.relname ?? '', position: pos(ctx, r.location) };
}

export function transformAlias(alias: Alias | undefined): TableAlias | null {
  if (alias === undefined) return null;
  return { name: alias.aliasname ?? '', columns: pgStrings(alias.colnames, 'column alias') };
}

function transformRangeSubselect(r: RangeSubselect, ctx: TransformContext): FromItem {
  checkFields(r, ['lateral', 'subquery', 'alias'], 'subquery in FROM', ctx, -1);
  return {
    kind: 'subquery',
    query: transformSelectStmt(pgExpect(r.subquery, 'SelectStmt', 'subquery in FROM'), ctx),
    lateral: r.lateral === true,
    alias: transformAlias(r.alias),
  };
}

/** `f(...) [WITH ORDINALITY] [AS a(x, y)]`; ROWS FROM with several functions and column definitions are refused. */
function transformRangeFunction(r: RangeFunction, ctx: TransformContext): FromItem {
  checkFields(r, ['lateral', 'ordinality', 'is_rowsfrom', 'functions', 'alias', 'coldeflist'], 'function in FROM', ctx, -1);
  const functions = pgList(r.functions);
  if (functions.length !== 1) throw notSupported('ROWS FROM with several functions', errorPos(ctx, -1));
  const [expr, columnDefs] = pgList(pgExpect(functions[0], 'List', 'function in FROM').items);
  if (r.coldeflist !== undefined || (columnDefs !== undefined && pgTag(columnDefs) !== undefined)) {
    throw notSupported('column definition list for a function in FROM', errorPos(ctx, -1));
  }
  const call = pgAs(expr, 'FuncCall');
  if (call === undefined) throw notSupported('a non-function expression in FROM', errorPos(ctx, -1));
  return {
    kind: 'function',
    call: transformFuncCall(call, ctx),
    lateral: r.lateral === true,
    withOrdinality: r.ordinality === true,
    alias: transformAlias(r.alias),
  };
}

function transformJoin(j: JoinExpr, ctx: TransformContext): FromItem {
  checkFields(j, ['jointype', 'isNatural', 'larg', 'rarg', 'usingClause', 'join_using_alias', 'quals', 'alias'], 'JOIN', ctx, -1);
  const left = transformFromItem(required(j.larg, 'join operand'), ctx);
  const right = transformFromItem(required(j.rarg, 'join operand'), ctx);
  let condition: JoinCondition | null = null;
  if (j.isNatural === true) condition = { kind: 'natural' };
  else if (j.usingClause !== undefined) {
    condition = { kind: 'using', columns: pgStrings(j.usingClause, 'USING'), alias: j.join_using_alias?.aliasname ?? null };
  } else if (j.quals !== undefined) condition = { kind: 'on', expr: transformExpr(j.quals, ctx) };
  return { kind: 'join', joinType: joinType(j, condition), left, right, condition, alias: transformAlias(j.alias) };
}

/** CROSS JOIN is an inner join without a condition. */
function joinType(j: JoinExpr, condition: JoinCondition | null): JoinType {
  const type = j.jointype ?? 'JOIN_INNER';
  switch (type) {
    case 'JOIN_INNER': return condition === null ? 'cross' : 'inner';
    case 'JOIN_LEFT': return 'left';
    case 'JOIN_RIGHT': return 'right';
    case 'JOIN_FULL': return 'full';
    default: throw new Error(`libpg-query: join type ${type} in a parse tree`);
  }
}

export function transformWithClause(w: PgWithClause, ctx: TransformContext): WithClause {
  checkFields(w, ['ctes', 'recursive', 'location'], 'WITH', ctx, w.location);
  const ctes = pgList(w.ctes).map((n): CommonTableExpr => {
    const c = pgExpect(n, 'CommonTableExpr', 'WITH');
    checkFields(c, ['ctename', 'aliascolnames', 'ctematerialized', 'ctequery', 'search_clause', 'cycle_clause', 'location'], 'WITH query', ctx, c.location);
    if (c.search_clause !== undefined) throw notSupported('SEARCH in WITH RECURSIVE', errorPos(ctx, c.location));
    if (c.cycle_clause !== undefined) throw notSupported('CYCLE in WITH RECURSIVE', errorPos(ctx, c.location));
    const materialized = c.ctematerialized ?? 'CTEMaterializeDefault';
    return {
      name: c.ctename ?? '',
      columns: pgStrings(c.aliascolnames, 'WITH column list'),
      query: transformCteQuery(required(c.ctequery, 'WITH query'), ctx),
      materialized: materialized === 'CTEMaterializeAlways' ? 'always' : materialized === 'CTEMaterializeNever' ? 'never' : 'default',
      position: pos(ctx, c.location),
    };
  });
  return { recursive: w.recursive === true, ctes };
}

function transformCteQuery(node: Node, ctx: TransformContext): CommonTableExpr['query'] {
  const select = pgAs(node, 'SelectStmt');
  if (select !== undefined) return transformSelectStmt(select, ctx);
  const insert = pgAs(node, 'InsertStmt');
  if (insert !== undefined) return transformInsertStmt(insert, ctx);
  const update = pgAs(node, 'UpdateStmt');
  if (update !== undefined) return transformUpdateStmt(update, ctx);
  const del = pgAs(node, 'DeleteStmt');
  if (del !== undefined) return transformDeleteStmt(del, ctx);
  throw notSupported(`${String(pgTag(node))} in WITH`, errorPos(ctx, -1));
}

function transformLocking(l: PgLockingClause, ctx: TransformContext): LockingClause {
  checkFields(l, ['lockedRels', 'strength', 'waitPolicy'], 'FOR UPDATE', ctx, -1);
  const policy = l.waitPolicy ?? 'LockWaitBlock';
  return {
    strength: lockStrength(l.strength ?? 'LCS_NONE'),
    tables: pgList(l.lockedRels).map((r) => transformRangeVarName(pgExpect(r, 'RangeVar', 'FOR UPDATE OF'), ctx)),
    waitPolicy: policy === 'LockWaitSkip' ? 'skipLocked' : policy === 'LockWaitError' ? 'noWait' : 'block',
  };
}

function lockStrength(strength: NonNullable<PgLockingClause['strength']>): LockingClause['strength'] {
  switch (strength) {
    case 'LCS_FORUPDATE': return 'update';
    case 'LCS_FORNOKEYUPDATE': return 'noKeyUpdate';
    case 'LCS_FORSHARE': return 'share';
    case 'LCS_FORKEYSHARE': return 'keyShare';
    case 'LCS_NONE': throw new Error('libpg-query: locking clause without a strength');
  }
}
