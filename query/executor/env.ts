// The execution environment an operator runs in: the runtime (access,
// session, clock seam), the session settings value I/O needs, the values of
// $n parameters and of this level's correlation arguments, and the state one
// execution shares (CTE results, work tables, subquery caches).

import type { RuntimeContext } from '../contract.js';
import type { FunctionEnv } from '../functions/index.js';
import type { TypeSession } from '../types/session.js';
import type { SqlValue } from '../types/value.js';

export type Row = readonly SqlValue[];

/** Rows per batch handed between operators (per-row work stays synchronous inside a batch). */
export const batchRowsMax = 1024;

/** Cached results per correlated subquery; beyond this the cache starts over. */
export const subqueryCacheEntriesMax = 10_000;

/** A lazily materialised CTE: computed on first use, then shared. */
export type CteRows = () => Promise<readonly Row[]>;

export interface ExecEnv extends FunctionEnv {
  readonly runtime: RuntimeContext;
  readonly typeSession: TypeSession;
  readonly params: readonly SqlValue[];
  /** Correlation arguments of the current query level (its outerRefs). */
  readonly outer: readonly SqlValue[];
  readonly ctes: ReadonlyMap<number, CteRows>;
  readonly workTables: ReadonlyMap<number, readonly Row[]>;
  /** Subquery results by subquery id, then by correlation values; reset when CTEs or work tables change. */
  readonly subqueryCache: Map<number, Map<string, unknown>>;
}

export function nestedEnv(env: ExecEnv, outer: readonly SqlValue[]): ExecEnv {
  return { ...env, outer };
}

export function withCtes(env: ExecEnv, ctes: ReadonlyMap<number, CteRows>): ExecEnv {
  return { ...env, ctes, subqueryCache: new Map() };
}

export function withWorkTable(env: ExecEnv, cteId: number, rows: readonly Row[]): ExecEnv {
  const workTables = new Map(env.workTables);
  workTables.set(cteId, rows);
  return { ...env, workTables, subqueryCache: new Map() };
}

/** Collects an operator's output into one array (for blocking operators and subqueries). */
export async function collect(source: AsyncIterable<readonly Row[]>, env: ExecEnv): Promise<Row[]> {
  const out: Row[] = [];
  for await (const batch of source) {
    env.runtime.checkCancelled();
    for (const row of batch) out.push(row);
  }
  return out;
}

/** Yields `rows` in batches of at most batchRowsMax. */
export async function* inBatches(rows: readonly Row[]): AsyncGenerator<readonly Row[]> {
  for (let i = 0; i < rows.length; i += batchRowsMax) yield rows.slice(i, i + batchRowsMax);
}
