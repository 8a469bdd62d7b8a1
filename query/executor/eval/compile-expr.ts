// Bound expression → closure. Strict functions and operators return NULL on a
// NULL argument without calling the implementation; casts go through
// query/types' castValue; everything else has its own small compiler.

import type { BoundExpr } from '../../binder/index.js';
import { children } from '../../binder/index.js';
import { castValue } from '../../types/cast.js';
import { assertNever } from '../../types/errors.js';
import { int2Max, int2Min, int4Max, int4Min, intOutOfRange } from '../../types/integer.js';
import { Decimal } from '../../types/numeric/decimal.js';
import { formatTypeName } from '../../types/sql-type.js';
import type { SqlType } from '../../types/sql-type.js';
import type { SqlValue } from '../../types/value.js';
import type { ExecEnv } from '../env.js';
import { compileArray, compileQuantifiedArray, compileSubscript } from './arrays.js';
import { pure, withChildren } from './compiled.js';
import type { CompiledExpr, Evaluator, ExprCompiler } from './compiled.js';
import { compileCase, compileCoalesce, compileInList, compileMinMax, compileNullIf } from './conditional.js';
import type { CaseOperandBox } from './conditional.js';
import { compileLike } from './like.js';
import { compileAndOr, compileBoolTest, compileDistinctFrom, compileNot, compileNullTest } from './logic.js';
import { compileQuantified, compileSubquery } from './subquery.js';

/** Casts that change nothing at run time: same type without a narrower modifier, varchar ↔ text. */
function isNoOpCast(from: SqlType, to: SqlType): boolean {
  if (formatTypeName(from) === formatTypeName(to)) return true;
  const plainString = (t: SqlType): boolean => t.kind === 'text' || (t.kind === 'varchar' && t.length === null);
  if (plainString(to) && (from.kind === 'text' || from.kind === 'varchar')) return true;
  if (to.kind === 'numeric' && from.kind === 'numeric' && to.precision === null) return true;
  return false;
}

function compileCast(expr: BoundExpr & { kind: 'cast' }, arg: CompiledExpr): CompiledExpr {
  const from = expr.arg.type;
  const to = expr.type;
  if (isNoOpCast(from, to)) return arg;
  const a = arg.evaluate;
  const mode = expr.mode;
  return withChildren((row, env) => castValue(a(row, env), from, to, mode, env.typeSession), [arg]);
}

function compileCall(expr: BoundExpr & { kind: 'call' }, args: readonly CompiledExpr[]): CompiledExpr {
  const evaluators = args.map((a) => a.evaluate);
  const fn = expr.fn;
  const strict = expr.strict;
  const evaluate: Evaluator = (row, env) => {
    const values: SqlValue[] = new Array<SqlValue>(evaluators.length);
    for (let i = 0; i < evaluators.length; i++) {
      const v = (evaluators[i] as Evaluator)(row, env);
      if (v === null && strict) return null;
      values[i] = v;
    }
    return fn(values, env);
  };
  return withChildren(evaluate, args);
}

function compileOperator(expr: BoundExpr & { kind: 'operator' }, args: readonly CompiledExpr[]): CompiledExpr {
  const fn = expr.fn;
  const [left, right] = args;
  if (left === undefined) throw new Error('operator without operands');
  const l = left.evaluate;
  if (right === undefined) {
    return withChildren((row, env) => {
      const a = l(row, env);
      return a === null ? null : fn(a, null, env);
    }, args);
  }
  const r = right.evaluate;
  return withChildren((row, env) => {
    const a = l(row, env);
    if (a === null) return null;
    const b = r(row, env);
    return b === null ? null : fn(a, b, env);
  }, args);
}

/** nextIdentity() is a bigint; the column may be smaller or numeric. */
function identityValue(value: bigint, type: SqlType): SqlValue {
  switch (type.kind) {
    case 'int2': case 'int4': {
      const [min, max] = type.kind === 'int2' ? [int2Min, int2Max] : [int4Min, int4Max];
      if (value < BigInt(min) || value > BigInt(max)) throw intOutOfRange(type.kind);
      return Number(value);
    }
    case 'numeric': return Decimal.of(value, 0);
    default: return value;
  }
}

function constantValue(expr: BoundExpr | null): SqlValue | undefined {
  return expr !== null && expr.kind === 'const' ? expr.value : undefined;
}

function compileLikeNode(expr: BoundExpr & { kind: 'like' }, c: (e: BoundExpr) => CompiledExpr): CompiledExpr {
  const pattern = constantValue(expr.pattern);
  const escape = expr.escape === null ? '\\' : constantValue(expr.escape);
  if (pattern === null || escape === null) return pure(() => null);
  return compileLike(c(expr.arg), c(expr.pattern), expr.escape === null ? null : c(expr.escape),
    typeof pattern === 'string' ? pattern : null, typeof escape === 'string' ? escape : undefined, expr.caseInsensitive, expr.negated);
}

/**
 * Whether `expr` has one value per execution: no row input, no subquery, no
 * volatile call. Such a subtree (`date '1998-12-01' - interval '90' day`) is
 * computed once per execution environment instead of once per row, which is
 * what PostgreSQL's constant folding buys it, without folding at bind time
 * (the session's time zone and 'now' belong to the execution).
 */
function isExecutionConstant(expr: BoundExpr): boolean {
  switch (expr.kind) {
    case 'const': case 'param': case 'outerRef': return true;
    case 'column': case 'caseTest': case 'subquery': case 'quantified': case 'aggregate': case 'windowFn': case 'srf': case 'identity':
      return false;
    case 'call': case 'operator':
      if (expr.volatility === 'volatile') return false;
      break;
    default: break;
  }
  return children(expr).every(isExecutionConstant);
}

function cachedPerEnvironment(inner: CompiledExpr): CompiledExpr {
  let cachedFor: ExecEnv | null = null;
  let value: SqlValue = null;
  const evaluate = inner.evaluate;
  return pure((row, env) => {
    if (cachedFor !== env) {
      value = evaluate(row, env);
      cachedFor = env;
    }
    return value;
  });
}

export function compileExpr(expr: BoundExpr, compiler: ExprCompiler, box: CaseOperandBox | null, insideConstant = false): CompiledExpr {
  if (!insideConstant && expr.kind !== 'const' && expr.kind !== 'param' && expr.kind !== 'outerRef' && isExecutionConstant(expr)) {
    return cachedPerEnvironment(compileExpr(expr, compiler, box, true));
  }
  const c = (e: BoundExpr): CompiledExpr => compileExpr(e, compiler, box, insideConstant);
  switch (expr.kind) {
    case 'const': { const v = expr.value; return pure(() => v); }
    case 'column': { const i = expr.index; return pure((row) => row[i] ?? null); }
    case 'outerRef': { const i = expr.index; return pure((_row, env) => env.outer[i] ?? null); }
    case 'param': return compileParam(expr, compiler);
    case 'call': return compileCall(expr, expr.args.map(c));
    case 'operator': return compileOperator(expr, expr.args.map(c));
    case 'cast': return compileCast(expr, c(expr.arg));
    case 'and': case 'or': return compileAndOr(expr.kind, expr.args.map(c));
    case 'not': return compileNot(c(expr.arg));
    case 'nullTest': return compileNullTest(c(expr.arg), expr.negated);
    case 'boolTest': return compileBoolTest(c(expr.arg), expr.test, expr.negated);
    case 'distinctFrom': return compileDistinctFrom(c(expr.left), c(expr.right), expr.equals, expr.negated);
    case 'case': {
      const inner: CaseOperandBox = { value: null };
      const cw = (e: BoundExpr): CompiledExpr => compileExpr(e, compiler, inner);
      return compileCase(expr.operand === null ? null : c(expr.operand), inner, expr.whens.map((w) => ({ condition: cw(w.condition), result: c(w.result) })), c(expr.elseResult));
    }
    case 'caseTest': {
      if (box === null) throw new Error('CASE operand reference outside CASE');
      const b = box;
      return pure(() => b.value);
    }
    case 'coalesce': return compileCoalesce(expr.args.map(c));
    case 'nullIf': return compileNullIf(c(expr.left), c(expr.right), expr.equals);
    case 'minMax': return compileMinMax(expr.op, expr.args.map(c), expr.type);
    case 'inList': {
      const constants = expr.list.every((e) => e.kind === 'const') && expr.arg.type.kind !== 'json' ? expr.list.map((e) => constantValue(e) ?? null) : null;
      return compileInList(c(expr.arg), expr.list.map(c), constants, expr.arg.type, expr.equals, expr.negated);
    }
    case 'like': return compileLikeNode(expr, c);
    case 'array': return compileArray(expr.elements.map(c), expr.elements.some((e) => e.type.kind === 'array'));
    case 'subscript': return compileSubscript(c(expr.arg), expr.index === null ? null : c(expr.index), expr.lower === null ? null : c(expr.lower), expr.upper === null ? null : c(expr.upper), expr.slice);
    case 'subquery': return compileSubquery(expr, compiler);
    case 'quantified': return compileQuantified(expr, compiler);
    case 'quantifiedArray': return compileQuantifiedArray(c(expr.left), c(expr.array), expr.compare, expr.quantifier);
    case 'aggregate': case 'windowFn': case 'srf':
      throw new Error(`${expr.kind} ${expr.name} was not rewritten to a column before execution`);
    case 'identity': {
      const { table, column, type } = expr;
      return pure((_row, env) => identityValue(env.runtime.access.nextIdentity(table, column), type));
    }
    default: return assertNever(expr, 'bound expression');
  }
}

function compileParam(expr: BoundExpr & { kind: 'param' }, compiler: ExprCompiler): CompiledExpr {
  const index = expr.number - 1;
  const actual = compiler.paramTypes[index];
  if (actual === undefined || isNoOpCast(actual, expr.type)) return pure((_row, env) => env.params[index] ?? null);
  const target = expr.type;
  return pure((_row, env) => castValue(env.params[index] ?? null, actual, target, 'assignment', env.typeSession));
}
