// Compiled expressions: a bound expression becomes a JavaScript closure once
// per statement, so rows are never evaluated by walking a tree. Subqueries
// run asynchronously, so an expression that contains them has a `prepare`
// step, awaited per row before the synchronous `evaluate`.

import type { BoundExpr } from '../../binder/index.js';
import type { SqlType } from '../../types/sql-type.js';
import type { SqlValue } from '../../types/value.js';
import type { ExecEnv, Row } from '../env.js';
import type { ExecNode } from '../node.js';

export type Evaluator = (row: Row, env: ExecEnv) => SqlValue;
export type Preparer = (row: Row, env: ExecEnv) => Promise<void>;

export interface CompiledExpr {
  readonly evaluate: Evaluator;
  /** Runs the subqueries the expression needs for `row`; null when it has none. */
  readonly prepare: Preparer | null;
}

/** What compiling an expression needs from the statement being built. */
export interface ExprCompiler {
  readonly paramTypes: readonly SqlType[];
  compile(expr: BoundExpr): CompiledExpr;
  /** The executable plan of subquery `id` (built once, shared by every use). */
  subplan(id: number): ExecNode;
}

export function pure(evaluate: Evaluator): CompiledExpr {
  return { evaluate, prepare: null };
}

/** The children's prepare steps, in order. */
export function preparesOf(children: readonly CompiledExpr[]): Preparer | null {
  const steps = children.map((c) => c.prepare).filter((p): p is Preparer => p !== null);
  if (steps.length === 0) return null;
  if (steps.length === 1) return steps[0] ?? null;
  return async (row, env) => {
    for (const step of steps) await step(row, env);
  };
}

export function withChildren(evaluate: Evaluator, children: readonly CompiledExpr[]): CompiledExpr {
  return { evaluate, prepare: preparesOf(children) };
}

/** Evaluates one row, running the expression's subqueries first when it has any. */
export async function evaluateAsync(expr: CompiledExpr, row: Row, env: ExecEnv): Promise<SqlValue> {
  if (expr.prepare !== null) await expr.prepare(row, env);
  return expr.evaluate(row, env);
}

/** A predicate holds only when it is TRUE (NULL and FALSE both reject). */
export async function holds(expr: CompiledExpr, row: Row, env: ExecEnv): Promise<boolean> {
  if (expr.prepare !== null) await expr.prepare(row, env);
  return expr.evaluate(row, env) === true;
}

/** Evaluates several expressions on one row. */
export async function evaluateAll(exprs: readonly CompiledExpr[], row: Row, env: ExecEnv): Promise<SqlValue[]> {
  const out: SqlValue[] = new Array<SqlValue>(exprs.length);
  for (let i = 0; i < exprs.length; i++) {
    const e = exprs[i] as CompiledExpr;
    if (e.prepare !== null) await e.prepare(row, env);
    out[i] = e.evaluate(row, env);
  }
  return out;
}

/** Evaluates several expressions that have no subqueries (callers check needsPrepare first). */
export function evaluateAllSync(exprs: readonly CompiledExpr[], row: Row, env: ExecEnv): SqlValue[] {
  const out: SqlValue[] = new Array<SqlValue>(exprs.length);
  for (let i = 0; i < exprs.length; i++) out[i] = (exprs[i] as CompiledExpr).evaluate(row, env);
  return out;
}

/** Whether any expression needs its prepare step (operators then take the slower per-row path). */
export function needsPrepare(exprs: readonly (CompiledExpr | null)[]): boolean {
  return exprs.some((e) => e !== null && e.prepare !== null);
}
