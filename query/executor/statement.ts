// A planned statement made executable: operators built and expressions
// compiled once; each execution gets a fresh environment (parameters,
// subquery caches) and returns PostgreSQL's result and command tag.

import type { CachedLookup, CachedWriteAccess, RuntimeContext } from '../contract.js';
import type { CommandResult, ResultColumn, RowsResult, StatementResult } from '../engine.js';
import { explainLines } from '../planner/index.js';
import type { PhysicalPlan, PlannedExplain, PlannedStatement } from '../planner/index.js';
import { sessionTimeZone } from '../functions/index.js';
import { ProtocolViolationError } from '../types/errors.js';
import { LazyNowSession, makeSession } from '../types/session.js';
import { SqlTypes } from '../types/sql-type.js';
import type { SqlType } from '../types/sql-type.js';
import { buildInsert } from './dml/insert.js';
import type { DmlResult } from './dml/dml-result.js';
import { buildDelete, buildUpdate } from './dml/update-delete.js';
import { collect } from './env.js';
import type { CteRows, ExecEnv, Row } from './env.js';
import { BuildContext } from './node.js';
import { buildCachedPointRead } from './point-read.js';
import { buildCachedWrite } from './point-write.js';
import type { MutableStats } from './node.js';

export interface Executable {
  execute(runtime: RuntimeContext): Promise<StatementResult>;
  /** Present for primary-key point reads: runs from memory, undefined when the lookup cannot answer synchronously (point-read.ts). */
  readonly executeCached?: (runtime: RuntimeContext, lookup: CachedLookup) => RowsResult | undefined;
  /** Present for primary-key UPDATEs and one-row INSERTs: runs in one call, undefined (nothing written) when it cannot (point-write.ts). */
  readonly executeWriteCached?: (runtime: RuntimeContext, access: CachedWriteAccess) => CommandResult | undefined;
}

function environment(runtime: RuntimeContext, parameterCount: number): ExecEnv {
  if (runtime.parameters.length < parameterCount) {
    throw new ProtocolViolationError(`bind message supplies ${runtime.parameters.length} parameters, but prepared statement requires ${parameterCount}`);
  }
  return {
    runtime, typeSession: makeSession(sessionTimeZone(runtime.session.timeZone), runtime.transactionTimestampMicros), params: runtime.parameters, outer: [],
    ctes: new Map(), workTables: new Map(), subqueryCache: new Map(),
  };
}

const noCtes: ReadonlyMap<number, CteRows> = new Map<number, CteRows>();
const noWorkTables: ReadonlyMap<number, readonly Row[]> = new Map<number, readonly Row[]>();

/**
 * The point-read (and point-write) path's environment: its plans hold no
 * subqueries, CTEs or work tables (point-read.ts, point-write.ts check), so the maps every other execution
 * allocates fresh are shared empty ones that nothing writes to.
 */
function pointReadEnvironment(runtime: RuntimeContext, parameterCount: number, subqueryCache: Map<number, Map<string, unknown>>): ExecEnv {
  if (runtime.parameters.length < parameterCount) {
    throw new ProtocolViolationError(`bind message supplies ${runtime.parameters.length} parameters, but prepared statement requires ${parameterCount}`);
  }
  // 'now' is read only if an expression asks for it (the runtime reads the clock lazily too).
  const typeSession = new LazyNowSession(sessionTimeZone(runtime.session.timeZone), () => runtime.transactionTimestampMicros);
  return { runtime, typeSession, params: runtime.parameters, outer: [], ctes: noCtes, workTables: noWorkTables, subqueryCache };
}

type Runner = (env: ExecEnv) => Promise<DmlResult & { readonly columns?: readonly ResultColumn[] }>;

function buildRunner(statement: PlannedStatement, ctx: BuildContext): Runner {
  switch (statement.kind) {
    case 'query': {
      const root = ctx.node(statement.plan);
      return async (env) => {
        const rows = await collect(root.run(env), env);
        return { tag: `SELECT ${rows.length}`, rows };
      };
    }
    case 'insert': return buildInsert(statement, ctx);
    case 'update': return buildUpdate(statement, ctx);
    case 'delete': return buildDelete(statement, ctx);
  }
}

function resultOf(statement: PlannedStatement, result: DmlResult): StatementResult {
  if (statement.kind === 'query') return { kind: 'rows', columns: statement.columns, rows: result.rows, tag: result.tag };
  if (statement.returning === null) return { kind: 'command', tag: result.tag };
  return { kind: 'rows', columns: statement.returning.columns, rows: result.rows, tag: result.tag };
}

export function buildExecutable(statement: PlannedStatement, parameterTypes: readonly SqlType[]): Executable {
  const ctx = new BuildContext(statement.subplans, parameterTypes, null);
  const run = buildRunner(statement, ctx);
  const execute = async (runtime: RuntimeContext): Promise<StatementResult> => resultOf(statement, await run(environment(runtime, parameterTypes.length)));
  const unusedSubqueryCache = new Map<number, Map<string, unknown>>();
  const write = buildCachedWrite(statement, ctx);
  if (write !== undefined) {
    return { execute, executeWriteCached: (runtime, access) => write(pointReadEnvironment(runtime, parameterTypes.length, unusedSubqueryCache), access) };
  }
  const cached = buildCachedPointRead(statement, ctx);
  if (cached === undefined) return { execute };
  return { execute, executeCached: (runtime, lookup) => cached(pointReadEnvironment(runtime, parameterTypes.length, unusedSubqueryCache), lookup) };
}

export const explainColumns: readonly ResultColumn[] = [{ name: 'QUERY PLAN', type: SqlTypes.text, tableId: 0, columnNumber: 0 }];

/** EXPLAIN shows the plan; EXPLAIN ANALYZE runs the statement (writes included, as PostgreSQL does) and adds what each node did. */
export function buildExplain(explain: PlannedExplain, parameterTypes: readonly SqlType[]): Executable {
  return {
    async execute(runtime) {
      let lines: string[];
      if (!explain.analyze) {
        lines = explainLines(explain.statement, null);
      } else {
        const stats = new Map<PhysicalPlan, MutableStats>();
        const run = buildRunner(explain.statement, new BuildContext(explain.statement.subplans, parameterTypes, stats));
        const started = runtime.clockMicros();
        await run(environment(runtime, parameterTypes.length));
        const elapsedMs = Number(runtime.clockMicros() - started) / 1000;
        lines = [...explainLines(explain.statement, (node) => stats.get(node)), `Execution Time: ${elapsedMs.toFixed(3)} ms`];
      }
      return { kind: 'rows', columns: explainColumns, rows: lines.map((l) => [l]), tag: `EXPLAIN` };
    },
  };
}
