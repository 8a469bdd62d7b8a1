// INSERT: for each source row, the new row (defaults, identities and casts
// are in its expressions), NOT NULL and CHECK, then ON CONFLICT against the
// arbiter index (DO NOTHING, or DO UPDATE on the existing row — at most once
// per row per statement, as PostgreSQL insists), the write, and RETURNING.
// When the source reads the target table, every new row is computed before
// the first write, so the statement never sees its own inserts.

import type { RowHandle, TableInfo } from '../../contract.js';
import { readsTable } from '../../planner/index.js';
import type { PlannedStatement } from '../../planner/index.js';
import { SqlError } from '../../types/errors.js';
import type { SqlValue } from '../../types/value.js';
import { collect } from '../env.js';
import type { ExecEnv, Row } from '../env.js';
import { evaluateAll, evaluateAsync, holds } from '../eval/compiled.js';
import type { CompiledExpr } from '../eval/compiled.js';
import type { BuildContext, ExecNode } from '../node.js';
import { checkRow, notNullPositions } from './constraints.js';
import type { CompiledCheck } from './constraints.js';
import type { DmlResult } from './dml-result.js';

type Insert = PlannedStatement & { kind: 'insert' };

interface ConflictRuntime {
  readonly arbiter: NonNullable<Insert['onConflict']>['arbiter'];
  readonly action: 'nothing' | 'update';
  readonly assignments: readonly { readonly position: number; readonly expr: CompiledExpr }[];
  readonly where: CompiledExpr | null;
}

interface Writer {
  readonly table: TableInfo;
  readonly notNull: readonly number[];
  readonly checks: readonly CompiledCheck[];
  readonly conflict: ConflictRuntime | null;
  readonly returning: readonly CompiledExpr[] | null;
}

function keyText(key: Uint8Array): string {
  return Buffer.from(key).toString('hex');
}

/** The rows to insert: streamed, or all computed up front when the source reads the target. */
async function* newRows(source: ExecNode, rowExprs: readonly CompiledExpr[], upFront: boolean, env: ExecEnv): AsyncGenerator<Row> {
  if (upFront) {
    const computed: Row[] = [];
    for (const sourceRow of await collect(source.run(env), env)) computed.push(await evaluateAll(rowExprs, sourceRow, env));
    yield* computed;
    return;
  }
  for await (const batch of source.run(env)) {
    env.runtime.checkCancelled();
    for (const sourceRow of batch) yield await evaluateAll(rowExprs, sourceRow, env);
  }
}

/** DO UPDATE on the existing row; returns the stored row, or null when WHERE rejected it. */
async function conflictUpdate(w: Writer, c: ConflictRuntime, existing: RowHandle, proposed: Row, touched: Set<string>, env: ExecEnv): Promise<Row | null> {
  const key = keyText(existing.key);
  if (touched.has(key)) {
    throw new SqlError('21000', 'ON CONFLICT DO UPDATE command cannot affect row a second time', {
      hint: 'Ensure that no rows proposed for insertion within the same command have duplicate constrained values.',
    });
  }
  const combined: Row = [...existing.row, ...proposed];
  if (c.where !== null && !(await holds(c.where, combined, env))) return null;
  const updated: SqlValue[] = [...existing.row];
  for (const a of c.assignments) updated[a.position] = await evaluateAsync(a.expr, combined, env);
  await checkRow(w.table, w.notNull, w.checks, updated, env);
  const handle = await env.runtime.access.update(w.table, existing, updated);
  touched.add(key);
  return handle.row;
}

/** Writes one row; returns what was stored (inserted or updated), or null when nothing was. */
async function writeRow(w: Writer, row: Row, touched: Set<string>, env: ExecEnv): Promise<Row | null> {
  await checkRow(w.table, w.notNull, w.checks, row, env);
  if (w.conflict !== null) {
    const existing = (await env.runtime.access.conflicts(w.table, row, w.conflict.arbiter))[0];
    if (existing !== undefined) return w.conflict.action === 'update' ? conflictUpdate(w, w.conflict, existing, row, touched, env) : null;
  }
  const handle = await env.runtime.access.insert(w.table, row);
  touched.add(keyText(handle.key));
  return handle.row;
}

export function buildInsert(statement: Insert, ctx: BuildContext): (env: ExecEnv) => Promise<DmlResult> {
  const source = ctx.node(statement.source);
  const rowExprs = statement.row.map((e) => ctx.compile(e));
  const oc = statement.onConflict;
  const writer: Writer = {
    table: statement.table,
    notNull: notNullPositions(statement.table),
    checks: statement.checks.map((c) => ({ name: c.name, expr: ctx.compile(c.expr) })),
    returning: statement.returning?.exprs.map((e) => ctx.compile(e)) ?? null,
    conflict: oc === null ? null : {
      arbiter: oc.arbiter, action: oc.action, where: ctx.compileNullable(oc.where),
      assignments: oc.assignments.map((a) => ({ position: a.position, expr: ctx.compile(a.expr) })),
    },
  };
  const upFront = readsTable([statement.source], statement.row, statement.subplans, statement.table.id);
  return async (env) => {
    const touched = new Set<string>();
    const returned: Row[] = [];
    let count = 0;
    for await (const row of newRows(source, rowExprs, upFront, env)) {
      const stored = await writeRow(writer, row, touched, env);
      if (stored === null) continue;
      count++;
      if (writer.returning !== null) returned.push(await evaluateAll(writer.returning, stored, env));
    }
    return { tag: `INSERT 0 ${count}`, rows: returned };
  };
}
