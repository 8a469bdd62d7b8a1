// The synchronous point write, inside a transaction block:
// `UPDATE t SET ... WHERE <primary key> = <exprs>` and
// `INSERT INTO t ... VALUES (<one row>)` (pgbench's statements, most OLTP
// writes) run in one call instead of the async operator pipeline. Inside
// BEGIN … COMMIT a write needs no await until COMMIT: the only waits are a
// row or table lock held by someone else, a row not in memory, and a
// uniqueness check that must read; the engine answers `false`/undefined for
// those and the statement takes the ordinary path (query/executor/DESIGN.md,
// "Point writes").
//
// Only plans whose every expression is synchronous (no subqueries), without
// RETURNING or ON CONFLICT, and (UPDATE) that keep the primary key qualify.
// Nothing is written before the engine's write call, which either records
// the row or changes nothing, so falling back is always safe.

import type { CachedWriteAccess } from '../contract.js';
import type { PlannedStatement } from '../planner/index.js';
import type { SqlValue } from '../types/value.js';
import type { Evaluator } from './eval/compiled.js';
import type { ExecEnv, Row } from './env.js';
import { compileSyncPointKey, evaluatePointKey } from './point-key.js';
import { checkNotNull, checkViolation, notNullPositions } from './dml/constraints.js';
import type { BuildContext } from './node.js';

/** The command result, or undefined (nothing written) when the statement must take the ordinary path. */
export type CachedWrite = (env: ExecEnv, access: CachedWriteAccess) => { readonly kind: 'command'; readonly tag: string } | undefined;

const noRow: Row = [];
const update0 = { kind: 'command', tag: 'UPDATE 0' } as const;
const update1 = { kind: 'command', tag: 'UPDATE 1' } as const;
const insert1 = { kind: 'command', tag: 'INSERT 0 1' } as const;

type Update = PlannedStatement & { kind: 'update' };
type Insert = PlannedStatement & { kind: 'insert' };
type Table = Update['table'];

interface SyncCheck {
  readonly name: string;
  readonly evaluate: Evaluator;
}

/** The point-write runner for `statement`, or undefined when it does not qualify. */
export function buildCachedWrite(statement: PlannedStatement, ctx: BuildContext): CachedWrite | undefined {
  if (statement.kind === 'update') return buildUpdate(statement, ctx);
  if (statement.kind === 'insert') return buildInsert(statement, ctx);
  return undefined;
}

/** Every expression compiled, or undefined when one needs an await (a subquery). */
function syncAll(ctx: BuildContext, exprs: readonly Parameters<BuildContext['compile']>[0][]): Evaluator[] | undefined {
  const out: Evaluator[] = [];
  for (const e of exprs) {
    const compiled = ctx.compile(e);
    if (compiled.prepare !== null) return undefined;
    out.push(compiled.evaluate);
  }
  return out;
}

function syncChecks(ctx: BuildContext, checks: Update['checks']): SyncCheck[] | undefined {
  const evaluators = syncAll(ctx, checks.map((c) => c.expr));
  return evaluators?.map((evaluate, i) => ({ name: checks[i]?.name ?? '', evaluate }));
}

function buildUpdate(statement: Update, ctx: BuildContext): CachedWrite | undefined {
  const { table, source, keyIndex } = statement;
  if (statement.subplans.size > 0 || statement.returning !== null || source.kind !== 'indexLookup') return undefined;
  const { index } = source;
  if (!index.primary || !source.withKey || keyIndex !== table.columns.length || source.keys.length !== index.columnPositions.length) return undefined;
  // A new primary key is a delete and an insert (uniqueness reads): the ordinary path.
  const keyPositions = new Set(index.columnPositions);
  if (statement.assignments.some((a) => keyPositions.has(a.position))) return undefined;
  const point = compileSyncPointKey(source, ctx);
  if (point === undefined) return undefined;
  const { filter } = point;
  const values = syncAll(ctx, statement.assignments.map((a) => a.expr));
  const checks = syncChecks(ctx, statement.checks);
  if (values === undefined || checks === undefined) return undefined;
  const positions = statement.assignments.map((a) => a.position);
  const notNull = notNullPositions(table);

  return (env, access) => {
    const key = evaluatePointKey(point, env);
    if (key === null) return update0;
    const handle = access.read(table, key);
    if (handle === undefined) return undefined;
    if (handle === null) return update0;
    const row: Row = [...handle.row, handle.key as SqlValue];
    if (filter !== null && filter(row, env) !== true) return update0;
    const updated: SqlValue[] = handle.row.slice();
    // Every new value is computed from the old row before any is stored, as the ordinary path does.
    const computed = new Array<SqlValue>(values.length);
    for (let i = 0; i < values.length; i++) computed[i] = (values[i] as Evaluator)(row, env);
    for (let i = 0; i < positions.length; i++) updated[positions[i] as number] = computed[i] ?? null;
    checkRowSync(table, notNull, checks, updated, env);
    return access.update(table, handle, updated) ? update1 : undefined;
  };
}

function buildInsert(statement: Insert, ctx: BuildContext): CachedWrite | undefined {
  const { table, source } = statement;
  if (statement.subplans.size > 0 || statement.returning !== null || statement.onConflict !== null) return undefined;
  if (source.kind !== 'values' || source.rows.length !== 1) return undefined;
  const sourceExprs = syncAll(ctx, source.rows[0] ?? []);
  const rowExprs = syncAll(ctx, statement.row);
  const checks = syncChecks(ctx, statement.checks);
  if (sourceExprs === undefined || rowExprs === undefined || checks === undefined) return undefined;
  const notNull = notNullPositions(table);

  return (env, access) => {
    const sourceRow = new Array<SqlValue>(sourceExprs.length);
    for (let i = 0; i < sourceExprs.length; i++) sourceRow[i] = (sourceExprs[i] as Evaluator)(noRow, env);
    const row = new Array<SqlValue>(rowExprs.length);
    for (let i = 0; i < rowExprs.length; i++) row[i] = (rowExprs[i] as Evaluator)(sourceRow, env);
    checkRowSync(table, notNull, checks, row, env);
    return access.insert(table, row) ? insert1 : undefined;
  };
}

/** dml/constraints.ts's checkRow for synchronous CHECK expressions: the same errors, in the same order. */
function checkRowSync(table: Table, notNull: readonly number[], checks: readonly SyncCheck[], row: Row, env: ExecEnv): void {
  checkNotNull(table, notNull, row, env);
  for (const check of checks) if (check.evaluate(row, env) === false) throw checkViolation(table, check.name, row, env);
}
