// Bound expressions back to SQL-like text for EXPLAIN: `(aid = $1)`,
// `(t.a > 10)`. Close to PostgreSQL's deparser in shape, not in every detail.

import type { BoundExpr } from '../binder/index.js';
import { formatText } from '../types/text-io.js';
import { defaultSession } from '../types/session.js';
import { formatTypeName } from '../types/sql-type.js';
import { assertNever } from '../types/errors.js';

export interface DeparseOptions {
  /** Print `a` rather than `t.a` (a scan's own conditions). */
  readonly unqualified: boolean;
}

function constText(expr: BoundExpr & { kind: 'const' }): string {
  if (expr.value === null) return 'NULL';
  const text = formatText(expr.value, expr.type, defaultSession);
  switch (expr.type.kind) {
    case 'int2': case 'int4': case 'int8': case 'float4': case 'float8': case 'numeric': case 'bool':
      return expr.type.kind === 'bool' ? (expr.value === true ? 'true' : 'false') : text;
    default:
      return `'${text.replace(/'/g, "''")}'::${formatTypeName(expr.type)}`;
  }
}

export function deparse(expr: BoundExpr, options: DeparseOptions): string {
  const d = (e: BoundExpr): string => deparse(e, options);
  const list = (es: readonly BoundExpr[]): string => es.map(d).join(', ');
  switch (expr.kind) {
    case 'const': return constText(expr);
    case 'column': return options.unqualified ? expr.name.slice(expr.name.lastIndexOf('.') + 1) : expr.name;
    case 'outerRef': return `outer.${expr.name}`;
    case 'param': return `$${expr.number}`;
    case 'call': return `${expr.name}(${list(expr.args)})`;
    case 'operator': return expr.args.length === 1 ? `(${expr.symbol} ${d(expr.args[0] as BoundExpr)})` : `(${d(expr.args[0] as BoundExpr)} ${expr.symbol} ${d(expr.args[1] as BoundExpr)})`;
    case 'cast': return `(${d(expr.arg)})::${formatTypeName(expr.type)}`;
    case 'and': case 'or': return `(${expr.args.map(d).join(expr.kind === 'and' ? ' AND ' : ' OR ')})`;
    case 'not': return `(NOT ${d(expr.arg)})`;
    case 'nullTest': return `(${d(expr.arg)} IS ${expr.negated ? 'NOT ' : ''}NULL)`;
    case 'boolTest': return `(${d(expr.arg)} IS ${expr.negated ? 'NOT ' : ''}${expr.test.toUpperCase()})`;
    case 'distinctFrom': return `(${d(expr.left)} IS ${expr.negated ? 'NOT ' : ''}DISTINCT FROM ${d(expr.right)})`;
    case 'case': return `CASE${expr.operand === null ? '' : ` ${d(expr.operand)}`} ${expr.whens.map((w) => `WHEN ${d(w.condition)} THEN ${d(w.result)}`).join(' ')} ELSE ${d(expr.elseResult)} END`;
    case 'caseTest': return 'CASE_TEST';
    case 'coalesce': return `COALESCE(${list(expr.args)})`;
    case 'nullIf': return `NULLIF(${d(expr.left)}, ${d(expr.right)})`;
    case 'minMax': return `${expr.op.toUpperCase()}(${list(expr.args)})`;
    case 'inList': return `(${d(expr.arg)} ${expr.negated ? 'NOT IN' : 'IN'} (${list(expr.list)}))`;
    case 'like': return `(${d(expr.arg)} ${expr.negated ? '!' : ''}~~${expr.caseInsensitive ? '*' : ''} ${d(expr.pattern)})`;
    case 'array': return `ARRAY[${list(expr.elements)}]`;
    case 'subscript': return expr.slice ? `${d(expr.arg)}[${expr.lower === null ? '' : d(expr.lower)}:${expr.upper === null ? '' : d(expr.upper)}]` : `${d(expr.arg)}[${expr.index === null ? '' : d(expr.index)}]`;
    case 'subquery': return expr.mode === 'exists' ? `(EXISTS SubPlan ${expr.id})` : expr.mode === 'array' ? `ARRAY(SubPlan ${expr.id})` : `(SubPlan ${expr.id})`;
    case 'quantified': return `(${expr.left.length === 1 ? d(expr.left[0] as BoundExpr) : `ROW(${list(expr.left)})`} ${expr.symbol} ${expr.quantifier.toUpperCase()} (SubPlan ${expr.id}))`;
    case 'quantifiedArray': return `(${d(expr.left)} ${expr.symbol} ${expr.quantifier.toUpperCase()} (${d(expr.array)}))`;
    case 'aggregate': return `${expr.name}(${expr.distinct ? 'DISTINCT ' : ''}${expr.args.length === 0 ? '*' : list(expr.args)})`;
    case 'windowFn': return `${expr.name}(${list(expr.args)}) OVER (...)`;
    case 'srf': return `${expr.name}(${list(expr.args)})`;
    case 'identity': return `nextval('${expr.table.name}.${expr.column.name}')`;
    default: return assertNever(expr, 'bound expression');
  }
}

/** Top-level conditions print with one pair of parentheses, as PostgreSQL's do. */
export function condition(expr: BoundExpr, options: DeparseOptions): string {
  const text = deparse(expr, options);
  return text.startsWith('(') ? text : `(${text})`;
}
