// PostgreSQL expression nodes → ThunderDB expressions.

import type {
  A_ArrayExpr, A_Const, A_Expr, A_Indirection, BoolExpr, BooleanTest, CaseExpr, CollateClause,
  ColumnRef, Node, NullTest, RowExpr, SQLValueFunction, SubLink, TypeCast,
} from 'libpg-query';
import type { Expr, Literal, LiteralValue, SqlValueFunctionName } from '../ast/index.js';
import { notSupported } from './errors.js';
import { numberLiteral } from './literal-text.js';
import {
  checkFields, errorPos, pgAs, pgExpect, pgList, pgStrings, pgTag, pos,
} from './pg-nodes.js';
import type { PgTag, TransformContext } from './pg-nodes.js';
import { transformFuncCall, transformTypeName } from './transform-func.js';
import { transformSelectStmt } from './transform-select.js';

/** Expression nodes PostgreSQL accepts that ThunderDB does not, by the name users know them by. */
const unsupportedExprNames: Partial<Record<PgTag, string>> = {
  GroupingFunc: 'GROUPING()',
  NamedArgExpr: 'named function argument',
  XmlExpr: 'XML function',
  XmlSerialize: 'XMLSERIALIZE',
  JsonIsPredicate: 'IS JSON',
  JsonFuncExpr: 'SQL/JSON query function',
  JsonObjectConstructor: 'JSON_OBJECT',
  JsonArrayConstructor: 'JSON_ARRAY',
  JsonArrayQueryConstructor: 'JSON_ARRAY(query)',
  JsonObjectAgg: 'JSON_OBJECTAGG',
  JsonArrayAgg: 'JSON_ARRAYAGG',
  JsonParseExpr: 'JSON()',
  JsonScalarExpr: 'JSON_SCALAR',
  JsonSerializeExpr: 'JSON_SERIALIZE',
  MergeSupportFunc: 'MERGE_ACTION()',
  MultiAssignRef: 'multiple-column assignment outside UPDATE SET',
};

export function transformExpr(node: Node, ctx: TransformContext): Expr {
  const tag = pgTag(node);
  switch (tag) {
    case 'A_Const': return transformConst(pgExpect(node, tag, 'expression'), ctx);
    case 'ColumnRef': return transformColumnRef(pgExpect(node, tag, 'expression'), ctx);
    case 'ParamRef': {
      const p = pgExpect(node, tag, 'expression');
      return { kind: 'param', number: p.number ?? 0, position: pos(ctx, p.location) };
    }
    case 'A_Expr': return transformAExpr(pgExpect(node, tag, 'expression'), ctx);
    case 'BoolExpr': return transformBoolExpr(pgExpect(node, tag, 'expression'), ctx);
    case 'NullTest': return transformNullTest(pgExpect(node, tag, 'expression'), ctx);
    case 'BooleanTest': return transformBooleanTest(pgExpect(node, tag, 'expression'), ctx);
    case 'SubLink': return transformSubLink(pgExpect(node, tag, 'expression'), ctx);
    case 'CaseExpr': return transformCase(pgExpect(node, tag, 'expression'), ctx);
    case 'TypeCast': return transformTypeCast(pgExpect(node, tag, 'expression'), ctx);
    case 'FuncCall': return transformFuncCall(pgExpect(node, tag, 'expression'), ctx);
    case 'CoalesceExpr': {
      const c = pgExpect(node, tag, 'expression');
      checkFields(c, ['args', 'location'], 'COALESCE', ctx, c.location);
      return { kind: 'coalesce', args: transformExprs(c.args, ctx), position: pos(ctx, c.location) };
    }
    case 'MinMaxExpr': {
      const m = pgExpect(node, tag, 'expression');
      checkFields(m, ['op', 'args', 'location'], 'GREATEST/LEAST', ctx, m.location);
      const kind = m.op === 'IS_LEAST' ? 'least' : 'greatest';
      return { kind, args: transformExprs(m.args, ctx), position: pos(ctx, m.location) };
    }
    case 'A_ArrayExpr': return transformArray(pgExpect(node, tag, 'expression'), ctx);
    case 'RowExpr': return transformRow(pgExpect(node, tag, 'expression'), ctx);
    case 'SQLValueFunction': return transformSqlValueFunction(pgExpect(node, tag, 'expression'), ctx);
    case 'CollateClause': return transformCollate(pgExpect(node, tag, 'expression'), ctx);
    case 'A_Indirection': return transformIndirection(pgExpect(node, tag, 'expression'), ctx);
    case 'SetToDefault': {
      const d = pgExpect(node, tag, 'expression');
      return { kind: 'default', position: pos(ctx, d.location) };
    }
    default: {
      const name = tag === undefined ? 'an empty expression' : (unsupportedExprNames[tag] ?? `expression ${tag}`);
      throw notSupported(name, errorPos(ctx, locationOf(node)));
    }
  }
}

export function transformExprs(nodes: readonly Node[] | undefined, ctx: TransformContext): Expr[] {
  return pgList(nodes).map((n) => transformExpr(n, ctx));
}

export function transformOptionalExpr(node: Node | undefined, ctx: TransformContext): Expr | null {
  return node === undefined ? null : transformExpr(node, ctx);
}

/** The `location` of any node that has one, for error positions; -1 otherwise. */
function locationOf(node: Node): number {
  const tag = pgTag(node);
  if (tag === undefined) return -1;
  const fields: unknown = (node as Record<string, unknown>)[tag];
  if (typeof fields === 'object' && fields !== null && 'location' in fields && typeof fields.location === 'number') {
    return fields.location;
  }
  return -1;
}

export function transformConst(c: A_Const, ctx: TransformContext): Literal {
  checkFields(c, ['ival', 'fval', 'sval', 'boolval', 'bsval', 'isnull', 'location'], 'constant', ctx, c.location);
  return { kind: 'literal', value: constValue(c), position: pos(ctx, c.location) };
}

function constValue(c: A_Const): LiteralValue {
  if (c.isnull === true) return { type: 'null' };
  if (c.ival !== undefined) return { type: 'integer', text: String(c.ival.ival ?? 0) };
  if (c.fval !== undefined) return numberLiteral(c.fval.fval ?? '0');
  if (c.sval !== undefined) return { type: 'string', value: c.sval.sval ?? '' };
  if (c.boolval !== undefined) return { type: 'boolean', value: c.boolval.boolval ?? false };
  if (c.bsval !== undefined) return { type: 'bitString', text: c.bsval.bsval ?? '' };
  throw new Error('libpg-query: constant without a value');
}

function transformColumnRef(ref: ColumnRef, ctx: TransformContext): Expr {
  checkFields(ref, ['fields', 'location'], 'column reference', ctx, ref.location);
  const fields = pgList(ref.fields);
  const position = pos(ctx, ref.location);
  const last = fields[fields.length - 1];
  if (last !== undefined && pgAs(last, 'A_Star') !== undefined) {
    return { kind: 'star', qualifier: pgStrings(fields.slice(0, -1), 'column reference'), position };
  }
  return { kind: 'columnRef', path: pgStrings(fields, 'column reference'), position };
}

/** An operator name: `+`, or `OPERATOR(pg_catalog.+)`; other schemas hold no operators. */
function operatorName(names: readonly Node[] | undefined, ctx: TransformContext, location: number | undefined): string {
  const parts = pgStrings(names, 'operator name');
  const op = parts[parts.length - 1];
  // Every operator lives in pg_catalog, so naming it there (as psql does) is the same operator.
  const inPgCatalog = parts.length === 2 && parts[0] === 'pg_catalog';
  if ((parts.length !== 1 && !inPgCatalog) || op === undefined) throw notSupported('OPERATOR() with a schema-qualified operator', errorPos(ctx, location));
  return op;
}

function transformAExpr(e: A_Expr, ctx: TransformContext): Expr {
  checkFields(e, ['kind', 'name', 'lexpr', 'rexpr', 'rexpr_list_start', 'rexpr_list_end', 'location'], 'operator expression', ctx, e.location);
  const position = pos(ctx, e.location);
  const kind = e.kind ?? 'AEXPR_OP';
  switch (kind) {
    case 'AEXPR_OP': {
      const op = operatorName(e.name, ctx, e.location);
      const right = transformExpr(required(e.rexpr, 'operand'), ctx);
      if (e.lexpr === undefined) return { kind: 'unaryOp', op, operand: right, position };
      return { kind: 'binaryOp', op, left: transformExpr(e.lexpr, ctx), right, position };
    }
    case 'AEXPR_OP_ANY':
    case 'AEXPR_OP_ALL':
      return {
        kind: 'quantifiedArray', op: operatorName(e.name, ctx, e.location), quantifier: kind === 'AEXPR_OP_ANY' ? 'any' : 'all',
        left: transformExpr(required(e.lexpr, 'operand'), ctx), array: transformExpr(required(e.rexpr, 'array'), ctx), position,
      };
    case 'AEXPR_DISTINCT':
    case 'AEXPR_NOT_DISTINCT':
      return {
        kind: 'distinctFrom', negated: kind === 'AEXPR_NOT_DISTINCT', position,
        left: transformExpr(required(e.lexpr, 'operand'), ctx), right: transformExpr(required(e.rexpr, 'operand'), ctx),
      };
    case 'AEXPR_NULLIF':
      return { kind: 'nullIf', left: transformExpr(required(e.lexpr, 'operand'), ctx), right: transformExpr(required(e.rexpr, 'operand'), ctx), position };
    case 'AEXPR_IN': {
      const list = pgExpect(e.rexpr, 'List', 'IN list').items;
      const negated = operatorName(e.name, ctx, e.location) === '<>';
      return { kind: 'inList', arg: transformExpr(required(e.lexpr, 'operand'), ctx), list: transformExprs(list, ctx), negated, position };
    }
    case 'AEXPR_LIKE':
    case 'AEXPR_ILIKE':
    case 'AEXPR_SIMILAR':
      return transformPatternMatch(e, kind, ctx);
    case 'AEXPR_BETWEEN':
    case 'AEXPR_NOT_BETWEEN':
    case 'AEXPR_BETWEEN_SYM':
    case 'AEXPR_NOT_BETWEEN_SYM': {
      const [low, high] = pgList(pgExpect(e.rexpr, 'List', 'BETWEEN bounds').items);
      return {
        kind: 'between', arg: transformExpr(required(e.lexpr, 'operand'), ctx),
        low: transformExpr(required(low, 'BETWEEN bound'), ctx), high: transformExpr(required(high, 'BETWEEN bound'), ctx),
        negated: kind === 'AEXPR_NOT_BETWEEN' || kind === 'AEXPR_NOT_BETWEEN_SYM',
        symmetric: kind === 'AEXPR_BETWEEN_SYM' || kind === 'AEXPR_NOT_BETWEEN_SYM', position,
      };
    }
  }
}

/**
 * LIKE, ILIKE and SIMILAR TO. The grammar writes `p ESCAPE e` as
 * pg_catalog.like_escape(p, e) and every SIMILAR TO pattern as
 * pg_catalog.similar_to_escape(p [, e]); this unwraps them again.
 */
function transformPatternMatch(e: A_Expr, kind: 'AEXPR_LIKE' | 'AEXPR_ILIKE' | 'AEXPR_SIMILAR', ctx: TransformContext): Expr {
  const op = operatorName(e.name, ctx, e.location);
  const negated = op.startsWith('!');
  const arg = transformExpr(required(e.lexpr, 'operand'), ctx);
  const wrapper = kind === 'AEXPR_SIMILAR' ? 'similar_to_escape' : 'like_escape';
  const call = pgAs(e.rexpr, 'FuncCall');
  const callName = call === undefined ? [] : pgStrings(call.funcname, 'function name');
  const wrapped = call !== undefined && callName.length === 2 && callName[0] === 'pg_catalog' && callName[1] === wrapper;
  const [patternNode, escapeNode] = wrapped ? pgList(call.args) : [e.rexpr];
  const pattern = transformExpr(required(patternNode, 'pattern'), ctx);
  const escape = transformOptionalExpr(escapeNode, ctx);
  const position = pos(ctx, e.location);
  if (kind === 'AEXPR_SIMILAR') return { kind: 'similarTo', arg, pattern, escape, negated, position };
  return { kind: 'like', caseInsensitive: kind === 'AEXPR_ILIKE', arg, pattern, escape, negated, position };
}

function transformBoolExpr(b: BoolExpr, ctx: TransformContext): Expr {
  checkFields(b, ['boolop', 'args', 'location'], 'boolean expression', ctx, b.location);
  const position = pos(ctx, b.location);
  const args = transformExprs(b.args, ctx);
  switch (b.boolop ?? 'AND_EXPR') {
    case 'AND_EXPR': return { kind: 'and', args, position };
    case 'OR_EXPR': return { kind: 'or', args, position };
    case 'NOT_EXPR': return { kind: 'not', arg: required(args[0], 'NOT operand'), position };
  }
}

function transformNullTest(t: NullTest, ctx: TransformContext): Expr {
  checkFields(t, ['arg', 'nulltesttype', 'location'], 'IS NULL', ctx, t.location);
  return {
    kind: 'nullTest', arg: transformExpr(required(t.arg, 'IS NULL operand'), ctx),
    negated: t.nulltesttype === 'IS_NOT_NULL', position: pos(ctx, t.location),
  };
}

function transformBooleanTest(t: BooleanTest, ctx: TransformContext): Expr {
  checkFields(t, ['arg', 'booltesttype', 'location'], 'IS TRUE', ctx, t.location);
  const type = t.booltesttype ?? 'IS_TRUE';
  const test = type === 'IS_TRUE' || type === 'IS_NOT_TRUE' ? 'true' : type === 'IS_FALSE' || type === 'IS_NOT_FALSE' ? 'false' : 'unknown';
  return {
    kind: 'booleanTest', arg: transformExpr(required(t.arg, 'IS operand'), ctx), test,
    negated: type.startsWith('IS_NOT_'), position: pos(ctx, t.location),
  };
}

function transformSubLink(s: SubLink, ctx: TransformContext): Expr {
  checkFields(s, ['subLinkType', 'testexpr', 'operName', 'subselect', 'location'], 'subquery', ctx, s.location);
  const position = pos(ctx, s.location);
  const query = transformSelectStmt(pgExpect(s.subselect, 'SelectStmt', 'subquery'), ctx);
  const type = s.subLinkType ?? 'EXISTS_SUBLINK';
  switch (type) {
    case 'EXISTS_SUBLINK': return { kind: 'exists', query, position };
    case 'EXPR_SUBLINK': return { kind: 'subquery', query, position };
    case 'ARRAY_SUBLINK': return { kind: 'arraySubquery', query, position };
    case 'ANY_SUBLINK':
    case 'ALL_SUBLINK': {
      const left = transformExpr(required(s.testexpr, 'subquery comparison operand'), ctx);
      // IN (subquery) is ANY with no operator name, so deparsing can tell them apart.
      if (type === 'ANY_SUBLINK' && pgList(s.operName).length === 0) return { kind: 'inSubquery', arg: left, query, position };
      const op = operatorName(s.operName, ctx, s.location);
      return { kind: 'quantifiedSubquery', op, quantifier: type === 'ANY_SUBLINK' ? 'any' : 'all', left, query, position };
    }
    case 'ROWCOMPARE_SUBLINK': throw notSupported('row comparison with a subquery', errorPos(ctx, s.location));
    case 'MULTIEXPR_SUBLINK':
    case 'CTE_SUBLINK':
      throw notSupported(`subquery of kind ${type}`, errorPos(ctx, s.location));
  }
}

function transformCase(c: CaseExpr, ctx: TransformContext): Expr {
  checkFields(c, ['arg', 'args', 'defresult', 'location'], 'CASE', ctx, c.location);
  const whens = pgList(c.args).map((w) => {
    const when = pgExpect(w, 'CaseWhen', 'CASE');
    checkFields(when, ['expr', 'result', 'location'], 'CASE WHEN', ctx, when.location);
    return { condition: transformExpr(required(when.expr, 'WHEN'), ctx), result: transformExpr(required(when.result, 'THEN'), ctx) };
  });
  return {
    kind: 'case', operand: transformOptionalExpr(c.arg, ctx), whens,
    elseResult: transformOptionalExpr(c.defresult, ctx), position: pos(ctx, c.location),
  };
}

/**
 * CAST(x AS t), x::t, and `t 'text'`. The grammar builds all three as a
 * TypeCast; the typed-literal form is the one without a location of its own.
 */
function transformTypeCast(c: TypeCast, ctx: TransformContext): Expr {
  checkFields(c, ['arg', 'typeName', 'location'], 'CAST', ctx, c.location);
  const typeName = transformTypeName(required(c.typeName, 'type name'), ctx);
  const argConst = pgAs(c.arg, 'A_Const');
  if ((c.location ?? 0) < 0 && argConst?.sval !== undefined) {
    return { kind: 'typedLiteral', typeName, literal: transformConst(argConst, ctx), position: typeName.position };
  }
  const position = pos(ctx, c.location);
  const syntax = ctx.source.text.startsWith('::', position) ? '::' : 'cast';
  return { kind: 'cast', arg: transformExpr(required(c.arg, 'CAST operand'), ctx), typeName, syntax, position };
}

function transformArray(a: A_ArrayExpr, ctx: TransformContext): Expr {
  checkFields(a, ['elements', 'list_start', 'list_end', 'location'], 'ARRAY', ctx, a.location);
  return { kind: 'array', elements: transformExprs(a.elements, ctx), position: pos(ctx, a.location) };
}

function transformRow(r: RowExpr, ctx: TransformContext): Expr {
  checkFields(r, ['args', 'row_format', 'location'], 'ROW', ctx, r.location);
  return {
    kind: 'row', args: transformExprs(r.args, ctx), explicit: r.row_format === 'COERCE_EXPLICIT_CALL',
    position: pos(ctx, r.location),
  };
}

const sqlValueFunctionNames: Record<NonNullable<SQLValueFunction['op']>, SqlValueFunctionName> = {
  SVFOP_CURRENT_DATE: 'current_date',
  SVFOP_CURRENT_TIME: 'current_time',
  SVFOP_CURRENT_TIME_N: 'current_time',
  SVFOP_CURRENT_TIMESTAMP: 'current_timestamp',
  SVFOP_CURRENT_TIMESTAMP_N: 'current_timestamp',
  SVFOP_LOCALTIME: 'localtime',
  SVFOP_LOCALTIME_N: 'localtime',
  SVFOP_LOCALTIMESTAMP: 'localtimestamp',
  SVFOP_LOCALTIMESTAMP_N: 'localtimestamp',
  SVFOP_CURRENT_ROLE: 'current_role',
  SVFOP_CURRENT_USER: 'current_user',
  SVFOP_USER: 'user',
  SVFOP_SESSION_USER: 'session_user',
  SVFOP_CURRENT_CATALOG: 'current_catalog',
  SVFOP_CURRENT_SCHEMA: 'current_schema',
};

function transformSqlValueFunction(f: SQLValueFunction, ctx: TransformContext): Expr {
  checkFields(f, ['op', 'typmod', 'location'], 'SQL value function', ctx, f.location);
  const op = f.op ?? 'SVFOP_CURRENT_DATE';
  // The _N variants carry the written precision as the type modifier.
  const precision = op.endsWith('_N') ? (f.typmod ?? 0) : null;
  return { kind: 'sqlValueFunction', name: sqlValueFunctionNames[op], precision, position: pos(ctx, f.location) };
}

function transformCollate(c: CollateClause, ctx: TransformContext): Expr {
  checkFields(c, ['arg', 'collname', 'location'], 'COLLATE', ctx, c.location);
  return {
    kind: 'collate', arg: transformExpr(required(c.arg, 'COLLATE operand'), ctx),
    collation: pgStrings(c.collname, 'collation name'), position: pos(ctx, c.location),
  };
}

/** `a[1]`, `a[1:2]`, `(r).f`, applied left to right. */
function transformIndirection(ind: A_Indirection, ctx: TransformContext): Expr {
  checkFields(ind, ['arg', 'indirection'], 'subscript', ctx, -1);
  let expr = transformExpr(required(ind.arg, 'subscripted expression'), ctx);
  for (const step of pgList(ind.indirection)) {
    const field = pgAs(step, 'String');
    if (field !== undefined) {
      expr = { kind: 'fieldSelect', arg: expr, field: field.sval ?? '' };
      continue;
    }
    const indices = pgAs(step, 'A_Indices');
    if (indices === undefined) throw notSupported('(expression).*', errorPos(ctx, -1));
    checkFields(indices, ['is_slice', 'lidx', 'uidx'], 'subscript', ctx, -1);
    expr = indices.is_slice === true
      ? { kind: 'subscript', arg: expr, subscript: { kind: 'slice', lower: transformOptionalExpr(indices.lidx, ctx), upper: transformOptionalExpr(indices.uidx, ctx) } }
      : { kind: 'subscript', arg: expr, subscript: { kind: 'index', index: transformExpr(required(indices.uidx, 'subscript'), ctx) } };
  }
  return expr;
}

/** A field the grammar always fills; its absence is a libpg-query bug. */
export function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`libpg-query: missing ${what}`);
  return value;
}
