// Generic walks over bound expressions: rebuilding with mapped children,
// visiting, shifting column positions, and a canonical key for structural
// equality (GROUP BY and ORDER BY matching, aggregate de-duplication).
// Subquery plans are opaque here: only their correlation arguments, which
// belong to the enclosing query, are children.

import { formatText } from '../types/text-io.js';
import { defaultSession } from '../types/session.js';
import { formatTypeName } from '../types/sql-type.js';
import { assertNever } from '../types/errors.js';
import type { BoundExpr, SortKey } from './bound-expr.js';

type Mapper = (expr: BoundExpr) => BoundExpr;

function mapSort(keys: readonly SortKey[], f: Mapper): readonly SortKey[] {
  return keys.map((k) => ({ ...k, expr: f(k.expr) }));
}

function mapNullable(expr: BoundExpr | null, f: Mapper): BoundExpr | null {
  return expr === null ? null : f(expr);
}

/** Rebuilds `expr` with `f` applied to each direct child. */
export function mapChildren(expr: BoundExpr, f: Mapper): BoundExpr {
  switch (expr.kind) {
    case 'const': case 'column': case 'outerRef': case 'param': case 'caseTest': case 'identity':
      return expr;
    case 'call': case 'operator': case 'and': case 'or': case 'coalesce': case 'minMax': case 'srf':
      return { ...expr, args: expr.args.map(f) };
    case 'array':
      return { ...expr, elements: expr.elements.map(f) };
    case 'cast': case 'not': case 'nullTest': case 'boolTest':
      return { ...expr, arg: f(expr.arg) };
    case 'distinctFrom': case 'nullIf':
      return { ...expr, left: f(expr.left), right: f(expr.right) };
    case 'case':
      return { ...expr, operand: mapNullable(expr.operand, f), whens: expr.whens.map((w) => ({ condition: f(w.condition), result: f(w.result) })), elseResult: f(expr.elseResult) };
    case 'inList':
      return { ...expr, arg: f(expr.arg), list: expr.list.map(f) };
    case 'like':
      return { ...expr, arg: f(expr.arg), pattern: f(expr.pattern), escape: mapNullable(expr.escape, f) };
    case 'subscript':
      return { ...expr, arg: f(expr.arg), index: mapNullable(expr.index, f), lower: mapNullable(expr.lower, f), upper: mapNullable(expr.upper, f) };
    case 'subquery':
      return { ...expr, correlated: expr.correlated.map(f) };
    case 'quantified':
      return { ...expr, left: expr.left.map(f), correlated: expr.correlated.map(f) };
    case 'quantifiedArray':
      return { ...expr, left: f(expr.left), array: f(expr.array) };
    case 'aggregate':
      return { ...expr, args: expr.args.map(f), filter: mapNullable(expr.filter, f), orderBy: mapSort(expr.orderBy, f) };
    case 'windowFn':
      return {
        ...expr, args: expr.args.map(f), filter: mapNullable(expr.filter, f),
        spec: { ...expr.spec, partitionBy: expr.spec.partitionBy.map(f), orderBy: mapSort(expr.spec.orderBy, f) },
      };
    default:
      return assertNever(expr, 'bound expression');
  }
}

/** The direct children, in evaluation order. */
export function children(expr: BoundExpr): BoundExpr[] {
  const out: BoundExpr[] = [];
  mapChildren(expr, (child) => { out.push(child); return child; });
  return out;
}

/** Pre-order visit; return false from `visit` to skip a node's children. */
export function walk(expr: BoundExpr, visit: (expr: BoundExpr) => boolean | void): void {
  if (visit(expr) === false) return;
  for (const child of children(expr)) walk(child, visit);
}

export function some(expr: BoundExpr, test: (expr: BoundExpr) => boolean): boolean {
  let found = false;
  walk(expr, (e) => {
    if (found) return false;
    if (test(e)) { found = true; return false; }
    return true;
  });
  return found;
}

/** Bottom-up rewrite: `f` sees a node whose children are already rewritten. */
export function rewrite(expr: BoundExpr, f: (expr: BoundExpr) => BoundExpr | undefined): BoundExpr {
  const replaced = f(expr);
  if (replaced !== undefined) return replaced;
  return mapChildren(expr, (child) => rewrite(child, f));
}

/** Adds `offset` to every column position (a namespace moving right in a join row). */
export function shiftColumns(expr: BoundExpr, offset: number): BoundExpr {
  if (offset === 0) return expr;
  return rewrite(expr, (e) => (e.kind === 'column' ? { ...e, index: e.index + offset } : undefined));
}

/** Column positions referenced (outside subquery plans). */
export function referencedColumns(expr: BoundExpr): Set<number> {
  const out = new Set<number>();
  walk(expr, (e) => { if (e.kind === 'column') out.add(e.index); });
  return out;
}

function valueKey(expr: BoundExpr & { kind: 'const' }): string {
  if (expr.value === null) return 'NULL';
  try {
    return formatText(expr.value, expr.type, defaultSession);
  } catch {
    return String(expr.value);
  }
}

/** A canonical text for structural equality; two expressions with the same key compute the same value. */
export function exprKey(expr: BoundExpr): string {
  const type = formatTypeName(expr.type);
  const sub = (e: BoundExpr): string => exprKey(e);
  switch (expr.kind) {
    case 'const': return `c(${type}:${valueKey(expr)}${expr.unknown ? '?' : ''})`;
    case 'column': return `col(${expr.index})`;
    case 'outerRef': return `outer(${expr.index})`;
    case 'param': return `$${expr.number}`;
    case 'call': return `${expr.name}:${type}(${expr.args.map(sub).join(',')})`;
    case 'operator': return `op${expr.symbol}:${type}(${expr.args.map(sub).join(',')})`;
    case 'cast': return `cast:${expr.mode}:${type}(${sub(expr.arg)})`;
    case 'subquery': return `subquery${expr.id}(${expr.correlated.map(sub).join(',')})`;
    case 'quantified': return `quantified${expr.id}(${expr.left.map(sub).join(',')};${expr.correlated.map(sub).join(',')})`;
    case 'identity': return `identity(${expr.table.id}.${expr.column.id})`;
    case 'aggregate': return `agg:${expr.name}:${expr.distinct}:${type}(${expr.args.map(sub).join(',')};${expr.filter === null ? '' : sub(expr.filter)};${expr.orderBy.map((k) => `${sub(k.expr)}${k.descending}${k.nullsFirst}`).join(',')})`;
    default: return `${expr.kind}:${type}:${JSON.stringify(flagsOf(expr))}(${children(expr).map(sub).join(',')})`;
  }
}

function flagsOf(expr: BoundExpr): unknown {
  switch (expr.kind) {
    case 'nullTest': return expr.negated;
    case 'boolTest': return [expr.test, expr.negated];
    case 'distinctFrom': case 'inList': return expr.negated;
    case 'like': return [expr.caseInsensitive, expr.negated];
    case 'minMax': return expr.op;
    case 'srf': return expr.name;
    case 'subscript': return expr.slice;
    case 'quantifiedArray': return [expr.quantifier, expr.symbol];
    case 'case': return expr.operand === null;
    case 'windowFn': {
      const { mode, start, end } = expr.spec.frame;
      const bound = (b: typeof start): string => `${b.kind}${b.offset === null ? '' : exprKey(b.offset)}`;
      return [expr.name, mode, bound(start), bound(end), expr.spec.orderBy.map((k) => [k.descending, k.nullsFirst])];
    }
    default: return null;
  }
}

export function sameExpr(a: BoundExpr, b: BoundExpr): boolean {
  return exprKey(a) === exprKey(b);
}

/** Whether evaluating `expr` may give different results for the same inputs (random(), clock_timestamp()). */
export function isVolatile(expr: BoundExpr): boolean {
  return some(expr, (e) => ((e.kind === 'call' || e.kind === 'operator') && e.volatility === 'volatile') || e.kind === 'identity');
}

function conjunctsOf(expr: BoundExpr): readonly BoundExpr[] {
  return expr.kind === 'and' ? expr.args.flatMap(conjunctsOf) : [expr];
}

/**
 * Factors the conjuncts every arm of an OR shares out of it, as PostgreSQL's
 * planner does: (A AND B) OR (A AND C) becomes A AND (B OR C), and (A) OR
 * (A AND C) becomes A. Both laws hold in SQL's three-valued logic. This is
 * what lets TPC-H Q19, whose join condition is repeated in each arm, run as
 * a hash join instead of a cross product. Applied to the top-level
 * conjuncts of a WHERE or JOIN/ON predicate; volatile ORs stay as written.
 */
/** exprKey, with `a = b` and `b = a` the same when both sides have one type (equality commutes). */
function conjunctKey(expr: BoundExpr): string {
  if (expr.kind === 'operator' && expr.symbol === '=' && expr.args.length === 2) {
    const [left, right] = expr.args as readonly [BoundExpr, BoundExpr];
    if (formatTypeName(left.type) === formatTypeName(right.type)) {
      const [a, b] = [exprKey(left), exprKey(right)].sort();
      return `eq(${a ?? ''},${b ?? ''})`;
    }
  }
  return exprKey(expr);
}

export function factorOrConjuncts(expr: BoundExpr): BoundExpr {
  if (expr.kind === 'and') {
    const args = expr.args.map(factorOrConjuncts);
    return args.every((a, i) => a === expr.args[i]) ? expr : { ...expr, args };
  }
  if (expr.kind !== 'or' || isVolatile(expr)) return expr;
  const arms = expr.args.map(conjunctsOf);
  const armKeys = arms.map((arm) => new Set(arm.map(conjunctKey)));
  const common = new Map<string, BoundExpr>();
  for (const c of arms[0] ?? []) {
    const key = conjunctKey(c);
    if (armKeys.every((keys) => keys.has(key))) common.set(key, c);
  }
  if (common.size === 0) return expr;
  const andOf = (args: readonly BoundExpr[]): BoundExpr => (args.length === 1 && args[0] !== undefined ? args[0] : { kind: 'and', type: expr.type, args });
  const rests = arms.map((arm) => arm.filter((c) => !common.has(conjunctKey(c))));
  if (rests.some((rest) => rest.length === 0)) return andOf([...common.values()]);
  return andOf([...common.values(), { kind: 'or', type: expr.type, args: rests.map(andOf) }]);
}
