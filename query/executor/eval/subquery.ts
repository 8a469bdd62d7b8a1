// Subqueries in expressions. Each use runs the subplan with the correlation
// arguments evaluated on the current row (once per execution when there are
// none), caching results by argument values. Scalar subqueries fail with
// 21000 on a second row; IN / ANY / ALL keep PostgreSQL's three-valued logic
// (so NOT IN over a set holding NULL is never TRUE).

import type { BoundQuantified, BoundSubquery } from '../../binder/index.js';
import type { OperatorFn } from '../../functions/index.js';
import { SqlError } from '../../types/errors.js';
import type { SqlValue } from '../../types/value.js';
import { nestedEnv, subqueryCacheEntriesMax } from '../env.js';
import type { ExecEnv } from '../env.js';
import type { ExecNode } from '../node.js';
import { rowKey } from '../row-key.js';
import { evaluateAll, preparesOf } from './compiled.js';
import type { CompiledExpr, ExprCompiler } from './compiled.js';

async function cached<T>(env: ExecEnv, id: number, key: string, run: () => Promise<T>): Promise<T> {
  let perSubquery = env.subqueryCache.get(id);
  if (perSubquery === undefined) { perSubquery = new Map(); env.subqueryCache.set(id, perSubquery); }
  if (perSubquery.has(key)) return perSubquery.get(key) as T;
  const value = await run();
  if (perSubquery.size >= subqueryCacheEntriesMax) perSubquery.clear();
  perSubquery.set(key, value);
  return value;
}

async function scalarValue(plan: ExecNode, env: ExecEnv): Promise<SqlValue> {
  let found: SqlValue = null;
  let count = 0;
  for await (const batch of plan.run(env)) {
    for (const row of batch) {
      if (++count > 1) throw new SqlError('21000', 'more than one row returned by a subquery used as an expression');
      found = row[0] ?? null;
    }
  }
  return found;
}

async function existsValue(plan: ExecNode, env: ExecEnv): Promise<boolean> {
  for await (const batch of plan.run(env)) if (batch.length > 0) return true;
  return false;
}

async function columnValues(plan: ExecNode, env: ExecEnv): Promise<SqlValue[]> {
  const out: SqlValue[] = [];
  for await (const batch of plan.run(env)) {
    env.runtime.checkCancelled();
    for (const row of batch) out.push(row[0] ?? null);
  }
  return out;
}

export function compileSubquery(node: BoundSubquery, compiler: ExprCompiler): CompiledExpr {
  const plan = compiler.subplan(node.id);
  const correlated = node.correlated.map((c) => compiler.compile(c));
  const types = node.correlated.map((c) => c.type);
  let current: SqlValue = null;
  const run = (env: ExecEnv): Promise<SqlValue> => {
    switch (node.mode) {
      case 'scalar': return scalarValue(plan, env);
      case 'exists': return existsValue(plan, env);
      case 'array': return columnValues(plan, env);
    }
  };
  return {
    evaluate: () => current,
    prepare: async (row, env) => {
      const args = await evaluateAll(correlated, row, env);
      current = await cached(env, node.id, rowKey(args, types), () => run(nestedEnv(env, args)));
    },
  };
}

interface RowSet {
  readonly rows: readonly (readonly SqlValue[])[];
  /** For `= ANY` (IN): keys of the rows without NULLs, and the rows with some. */
  readonly keys: ReadonlySet<string> | null;
  readonly rowsWithNull: readonly (readonly SqlValue[])[];
}

async function subqueryRows(plan: ExecNode, env: ExecEnv, width: number): Promise<SqlValue[][]> {
  const out: SqlValue[][] = [];
  for await (const batch of plan.run(env)) {
    env.runtime.checkCancelled();
    for (const row of batch) out.push(row.slice(0, width));
  }
  return out;
}

/** Row comparison: `=` needs every pair equal, `<>` some pair different; NULL when undecided. */
function compareRow(left: readonly SqlValue[], right: readonly SqlValue[], compare: readonly OperatorFn[], any: boolean, env: ExecEnv): SqlValue {
  let sawNull = false;
  for (let i = 0; i < left.length; i++) {
    const a = left[i] ?? null;
    const b = right[i] ?? null;
    const r = a === null || b === null ? null : (compare[i] as OperatorFn)(a, b, env);
    if (r === null) sawNull = true;
    else if (r === any) return any;
  }
  return sawNull ? null : !any;
}

export function compileQuantified(node: BoundQuantified, compiler: ExprCompiler): CompiledExpr {
  const plan = compiler.subplan(node.id);
  const left = node.left.map((e) => compiler.compile(e));
  const correlated = node.correlated.map((c) => compiler.compile(c));
  const types = node.correlated.map((c) => c.type);
  const leftTypes = node.left.map((e) => e.type);
  const width = node.left.length;
  // A row compared with `<>` differs when some column does: OR over the pairs; `=` is AND.
  const pairAny = node.symbol === '<>' && width > 1;
  const hashed = node.equality && node.quantifier === 'any' && leftTypes.every((t) => t.kind !== 'json');
  let current: RowSet = { rows: [], keys: null, rowsWithNull: [] };
  const leftPrepare = preparesOf(left);
  const evaluators = left.map((l) => l.evaluate);
  return {
    evaluate: (row, env) => {
      const x = evaluators.map((e) => e(row, env));
      const set = current;
      const test = (r: readonly SqlValue[]): SqlValue => compareRow(x, r, node.compare, pairAny, env);
      if (set.keys === null) return quantifyRows(set.rows, test, node.quantifier);
      if (set.rows.length === 0) return false;
      const leftHasNull = x.includes(null);
      if (!leftHasNull && set.keys.has(rowKey(x, leftTypes))) return true;
      return quantifyRows(leftHasNull ? set.rows : set.rowsWithNull, test, 'any');
    },
    prepare: async (row, env) => {
      if (leftPrepare !== null) await leftPrepare(row, env);
      const args = await evaluateAll(correlated, row, env);
      current = await cached(env, node.id, rowKey(args, types), async () => {
        const rows = await subqueryRows(plan, nestedEnv(env, args), width);
        if (!hashed) return { rows, keys: null, rowsWithNull: [] };
        const complete = rows.filter((r) => !r.includes(null));
        return { rows, keys: new Set(complete.map((r) => rowKey(r, leftTypes))), rowsWithNull: rows.filter((r) => r.includes(null)) };
      });
    },
  };
}

/** ANY / ALL over the rows' comparison results, with three-valued logic. */
function quantifyRows(rows: readonly (readonly SqlValue[])[], test: (r: readonly SqlValue[]) => SqlValue, quantifier: 'any' | 'all'): SqlValue {
  const decisive = quantifier === 'any';
  let sawNull = false;
  for (const r of rows) {
    const v = test(r);
    if (v === null) sawNull = true;
    else if (v === decisive) return decisive;
  }
  return sawNull ? null : !decisive;
}
