// The synchronous point read: `SELECT <exprs> FROM t WHERE <primary key> = <exprs>`
// (pgbench -S, most ORM lookups by id) answered in one call, without the
// async operator pipeline, when the engine finds the row in memory. The
// operator path costs several async frames, generators and promises per
// execution; at tens of thousands of lookups a second on one thread that is
// most of the budget (query/executor/DESIGN.md, "Point reads").
//
// Only plans whose every expression is synchronous (no subqueries) qualify;
// the engine falls back to `execute` whenever the lookup answers undefined
// (not in memory, or the engine cannot read synchronously now).

import type { CachedLookup } from '../contract.js';
import type { RowsResult } from '../engine.js';
import type { PlannedStatement } from '../planner/index.js';
import type { SqlValue } from '../types/value.js';
import type { Evaluator } from './eval/compiled.js';
import type { ExecEnv, Row } from './env.js';
import { compileSyncPointKey, evaluatePointKey, type IndexLookupPlan } from './point-key.js';
import type { BuildContext } from './node.js';

/** Runs the statement from memory; undefined when the lookup could not answer synchronously. */
export type CachedExecute = (env: ExecEnv, lookup: CachedLookup) => RowsResult | undefined;

/** The point-read runner for `statement`, or undefined when its plan is not a plain primary-key lookup. */
export function buildCachedPointRead(statement: PlannedStatement, ctx: BuildContext): CachedExecute | undefined {
  if (statement.kind !== 'query' || statement.subplans.size > 0) return undefined;
  let lookup: IndexLookupPlan;
  let projectExprs: Evaluator[] | null = null;
  const root = statement.plan;
  if (root.kind === 'indexLookup') {
    lookup = root;
  } else if (root.kind === 'project' && root.input.kind === 'indexLookup') {
    lookup = root.input;
    const exprs = root.exprs.map((e) => ctx.compile(e));
    if (exprs.some((e) => e.prepare !== null)) return undefined;
    projectExprs = exprs.map((e) => e.evaluate);
  } else {
    return undefined;
  }
  const point = compileSyncPointKey(lookup, ctx);
  if (point === undefined) return undefined;
  const { filter } = point;
  const { table, withKey } = lookup;
  const columns = statement.columns;
  const project = projectExprs;

  return (env, cachedLookup) => {
    const key = evaluatePointKey(point, env);
    let found: Row | null = null;
    if (key !== null) {
      const handle = cachedLookup(table, key);
      if (handle === undefined) return undefined;
      if (handle !== null) found = withKey ? [...handle.row, handle.key as SqlValue] : handle.row;
    }
    if (found !== null && filter !== null && filter(found, env) !== true) found = null;
    if (found === null) return { kind: 'rows', columns, rows: [], tag: 'SELECT 0' };
    let row: Row = found;
    if (project !== null) {
      const out = new Array<SqlValue>(project.length);
      for (let i = 0; i < project.length; i++) out[i] = (project[i] as Evaluator)(found, env);
      row = out;
    }
    return { kind: 'rows', columns, rows: [row], tag: 'SELECT 1' };
  };
}
