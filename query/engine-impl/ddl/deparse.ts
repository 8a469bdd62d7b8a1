// Expressions back to SQL text, for what the catalog stores as text:
// column DEFAULTs and CHECK constraints. Fully parenthesised, so re-parsing
// gives the same tree whatever the operator precedences; identifiers are
// quoted when they need it. Subqueries are refused, as PostgreSQL refuses
// them in defaults and check constraints.

import type { Expr, FunctionCall, Literal, QualifiedName, Subscript, TypeName } from '../../ast/index.js';
import { featureNotSupported, unreachable } from '../errors.js';

// PostgreSQL's reserved and type/function-name keywords: as identifiers they must be quoted.
const reservedWords: ReadonlySet<string> = new Set((
  'all analyse analyze and any array as asc asymmetric authorization binary both case cast check collate collation column ' +
  'concurrently constraint create cross current_catalog current_date current_role current_schema current_time ' +
  'current_timestamp current_user default deferrable desc distinct do else end except false fetch for foreign freeze from ' +
  'full grant group having ilike in initially inner intersect into is isnull join lateral leading left like limit localtime ' +
  'localtimestamp natural not notnull null offset on only or order outer overlaps placing primary references returning ' +
  'right select session_user similar some symmetric system_user table tablesample then to trailing true union unique user ' +
  'using variadic verbose when where window with'
).split(' '));

export function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) && !reservedWords.has(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

export function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

function literal(l: Literal): string {
  const v = l.value;
  switch (v.type) {
    case 'integer': case 'numeric': return v.text.startsWith('-') ? `(${v.text})` : v.text;
    case 'string': return quoteLiteral(v.value);
    case 'bitString': return `${v.text.charAt(0).toUpperCase()}'${v.text.slice(1)}'`;
    case 'boolean': return v.value ? 'true' : 'false';
    case 'null': return 'NULL';
    default: return unreachable(v, 'literal');
  }
}

export function typeNameText(t: TypeName): string {
  const mods = t.modifiers.length > 0 ? `(${t.modifiers.map((m) => deparseExpr(m, 'type modifier')).join(', ')})` : '';
  const arrays = t.arrayBounds.map((b) => (b < 0 ? '[]' : `[${b}]`)).join('');
  if (t.name === 'interval' && (t.schema === null || t.schema === 'pg_catalog')) {
    return `interval${t.intervalFields === null ? '' : ` ${t.intervalFields}`}${mods}${arrays}`;
  }
  const name = t.schema === null ? quoteIdent(t.name) : `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`;
  return `${name}${mods}${arrays}`;
}

/** `date '2024-01-01'`; intervals put their fields after the literal (`interval '1' day`). */
function typedLiteral(t: TypeName, text: string): string {
  if (t.name === 'interval' && (t.schema === null || t.schema === 'pg_catalog') && t.arrayBounds.length === 0) {
    const mods = t.modifiers.length > 0 ? `(${t.modifiers.map((m) => deparseExpr(m, 'type modifier')).join(', ')})` : '';
    return t.intervalFields === null ? `interval${mods} ${text}` : `interval ${text} ${t.intervalFields}${mods}`;
  }
  return `${typeNameText(t)} ${text}`;
}

function qualifiedName(n: QualifiedName): string {
  return n.schema === null ? quoteIdent(n.name) : `${quoteIdent(n.schema)}.${quoteIdent(n.name)}`;
}

function list(exprs: readonly Expr[], where: string): string {
  return exprs.map((e) => deparseExpr(e, where)).join(', ');
}

function subscript(s: Subscript, where: string): string {
  if (s.kind === 'index') return `[${deparseExpr(s.index, where)}]`;
  return `[${s.lower === null ? '' : deparseExpr(s.lower, where)}:${s.upper === null ? '' : deparseExpr(s.upper, where)}]`;
}

function functionCall(f: FunctionCall, where: string): string {
  if (f.over !== null || f.filter !== null || f.withinGroup || f.orderBy.length > 0) {
    throw featureNotSupported(`aggregate and window functions are not allowed in ${where}`);
  }
  const args = f.star ? '*' : `${f.distinct ? 'DISTINCT ' : ''}${list(f.args, where)}`;
  return `${qualifiedName(f.name)}(${args})`;
}

const sqlValueFunctionText: Readonly<Record<string, string>> = {
  current_date: 'CURRENT_DATE', current_time: 'CURRENT_TIME', current_timestamp: 'CURRENT_TIMESTAMP', localtime: 'LOCALTIME',
  localtimestamp: 'LOCALTIMESTAMP', current_role: 'CURRENT_ROLE', current_user: 'CURRENT_USER', user: 'USER',
  session_user: 'SESSION_USER', current_catalog: 'CURRENT_CATALOG', current_schema: 'CURRENT_SCHEMA',
};

/** SQL text for `e`; `where` names the context in error messages ("DEFAULT expression", "check constraint"). */
export function deparseExpr(e: Expr, where: string): string {
  const d = (x: Expr): string => deparseExpr(x, where);
  const not = (negated: boolean): string => (negated ? 'NOT ' : '');
  switch (e.kind) {
    case 'literal': return literal(e);
    case 'typedLiteral': return typedLiteral(e.typeName, literal(e.literal));
    case 'param': return `$${e.number}`;
    case 'columnRef': return e.path.map(quoteIdent).join('.');
    case 'star': return [...e.qualifier.map(quoteIdent), '*'].join('.');
    case 'subscript': return `(${d(e.arg)})${subscript(e.subscript, where)}`;
    case 'fieldSelect': return `(${d(e.arg)}).${quoteIdent(e.field)}`;
    case 'unaryOp': return `(${e.op} ${d(e.operand)})`;
    case 'binaryOp': return `(${d(e.left)} ${e.op} ${d(e.right)})`;
    case 'and': return `(${e.args.map(d).join(' AND ')})`;
    case 'or': return `(${e.args.map(d).join(' OR ')})`;
    case 'not': return `(NOT ${d(e.arg)})`;
    case 'nullTest': return `(${d(e.arg)} IS ${not(e.negated)}NULL)`;
    case 'booleanTest': return `(${d(e.arg)} IS ${not(e.negated)}${e.test.toUpperCase()})`;
    case 'distinctFrom': return `(${d(e.left)} IS ${not(e.negated)}DISTINCT FROM ${d(e.right)})`;
    case 'between': return `(${d(e.arg)} ${not(e.negated)}BETWEEN ${e.symmetric ? 'SYMMETRIC ' : ''}${d(e.low)} AND ${d(e.high)})`;
    case 'inList': return `(${d(e.arg)} ${not(e.negated)}IN (${list(e.list, where)}))`;
    case 'quantifiedArray': return `(${d(e.left)} ${e.op} ${e.quantifier.toUpperCase()} (${d(e.array)}))`;
    case 'like': {
      const escape = e.escape === null ? '' : ` ESCAPE ${d(e.escape)}`;
      return `(${d(e.arg)} ${not(e.negated)}${e.caseInsensitive ? 'ILIKE' : 'LIKE'} ${d(e.pattern)}${escape})`;
    }
    case 'similarTo': return `(${d(e.arg)} ${not(e.negated)}SIMILAR TO ${d(e.pattern)}${e.escape === null ? '' : ` ESCAPE ${d(e.escape)}`})`;
    case 'case': {
      const whens = e.whens.map((w) => ` WHEN ${d(w.condition)} THEN ${d(w.result)}`).join('');
      return `CASE${e.operand === null ? '' : ` ${d(e.operand)}`}${whens}${e.elseResult === null ? '' : ` ELSE ${d(e.elseResult)}`} END`;
    }
    case 'cast': return e.syntax === 'cast' ? `CAST(${d(e.arg)} AS ${typeNameText(e.typeName)})` : `(${d(e.arg)})::${typeNameText(e.typeName)}`;
    case 'coalesce': return `COALESCE(${list(e.args, where)})`;
    case 'nullIf': return `NULLIF(${d(e.left)}, ${d(e.right)})`;
    case 'greatest': return `GREATEST(${list(e.args, where)})`;
    case 'least': return `LEAST(${list(e.args, where)})`;
    case 'functionCall': return functionCall(e, where);
    case 'array': return `ARRAY[${list(e.elements, where)}]`;
    case 'row': return `ROW(${list(e.args, where)})`;
    case 'sqlValueFunction': return `${sqlValueFunctionText[e.name] ?? e.name.toUpperCase()}${e.precision === null ? '' : `(${e.precision})`}`;
    case 'collate': return `(${d(e.arg)} COLLATE ${e.collation.map(quoteIdent).join('.')})`;
    case 'default': throw featureNotSupported(`DEFAULT is not allowed in ${where}`);
    case 'inSubquery': case 'quantifiedSubquery': case 'exists': case 'subquery': case 'arraySubquery':
      throw featureNotSupported(`cannot use subquery in ${where}`);
    default: return unreachable(e, 'expression');
  }
}

/** Column names an expression refers to (unqualified or by last path element). */
export function referencedColumns(e: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(e)) {
    for (const x of e) referencedColumns(x, out);
  } else if (e !== null && typeof e === 'object') {
    const node = e as { kind?: unknown; path?: unknown };
    if (node.kind === 'columnRef' && Array.isArray(node.path)) {
      const last = node.path.at(-1);
      if (typeof last === 'string') out.add(last);
    }
    for (const value of Object.values(e)) referencedColumns(value, out);
  }
  return out;
}
