// The primary-key part shared by the synchronous point paths (point-read.ts,
// point-write.ts): an index lookup's key expressions and residual filter
// compiled for a one-call run, and the key they give for one execution.

import type { PhysicalPlan } from '../planner/index.js';
import type { SqlValue } from '../types/value.js';
import type { Evaluator } from './eval/compiled.js';
import type { ExecEnv, Row } from './env.js';
import { lookupKey } from './lookup-keys.js';
import type { BuildContext } from './node.js';

export type IndexLookupPlan = PhysicalPlan & { kind: 'indexLookup' };

export interface SyncPointKey {
  readonly plan: IndexLookupPlan;
  readonly keyExprs: readonly Evaluator[];
  /** The lookup's residual predicate, null when there is none. */
  readonly filter: Evaluator | null;
}

const noRow: Row = [];

/**
 * The lookup compiled for the synchronous paths, or undefined when it is not
 * a full primary-key lookup of plain values, or any expression needs an
 * asynchronous preparation (a subquery): those take the ordinary path.
 */
export function compileSyncPointKey(plan: IndexLookupPlan, ctx: BuildContext): SyncPointKey | undefined {
  if (!plan.index.primary || plan.keys.length !== plan.index.columnPositions.length) return undefined;
  const keyExprs: Evaluator[] = [];
  for (const key of plan.keys) {
    if (key.kind !== 'value') return undefined;
    const compiled = ctx.compile(key.expr);
    if (compiled.prepare !== null) return undefined;
    keyExprs.push(compiled.evaluate);
  }
  const filterCompiled = ctx.compileNullable(plan.filter);
  if (filterCompiled !== null && filterCompiled.prepare !== null) return undefined;
  return { plan, keyExprs, filter: filterCompiled?.evaluate ?? null };
}

/** This execution's key, or null when no row can match (a NULL key, an integer out of the column's range). */
export function evaluatePointKey(point: SyncPointKey, env: ExecEnv): SqlValue[] | null {
  const { keyExprs } = point;
  const values = new Array<SqlValue>(keyExprs.length);
  for (let i = 0; i < keyExprs.length; i++) values[i] = (keyExprs[i] as Evaluator)(noRow, env);
  return lookupKey(point.plan.table, point.plan.index, values);
}
