// UPDATE and DELETE: the qualifying rows are read completely first (so a row
// moved by the update is not met again), each stored row is written once even
// when a FROM/USING join matches it several times, then RETURNING.

import type { RowHandle } from '../../contract.js';
import type { PlannedStatement } from '../../planner/index.js';
import type { SqlValue } from '../../types/value.js';
import { collect } from '../env.js';
import type { ExecEnv, Row } from '../env.js';
import { evaluateAll } from '../eval/compiled.js';
import type { BuildContext } from '../node.js';
import { checkRow, notNullPositions } from './constraints.js';
import type { DmlResult } from './dml-result.js';

type Update = PlannedStatement & { kind: 'update' };
type Delete = PlannedStatement & { kind: 'delete' };

/** The source rows, first match per stored key. */
function targetRows(rows: readonly Row[], keyIndex: number): Row[] {
  const seen = new Set<string>();
  const out: Row[] = [];
  for (const row of rows) {
    const key = Buffer.from(row[keyIndex] as Uint8Array).toString('hex');
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(row);
  }
  return out;
}

function handleOf(row: Row, keyIndex: number): RowHandle {
  return { key: row[keyIndex] as Uint8Array, row: row.slice(0, keyIndex) };
}

export function buildUpdate(statement: Update, ctx: BuildContext): (env: ExecEnv) => Promise<DmlResult> {
  const source = ctx.node(statement.source);
  const assignments = statement.assignments.map((a) => ({ position: a.position, expr: ctx.compile(a.expr) }));
  const values = assignments.map((a) => a.expr);
  const checks = statement.checks.map((c) => ({ name: c.name, expr: ctx.compile(c.expr) }));
  const returning = statement.returning?.exprs.map((e) => ctx.compile(e)) ?? null;
  const { table, keyIndex } = statement;
  const notNull = notNullPositions(table);
  return async (env) => {
    const rows = targetRows(await collect(source.run(env), env), keyIndex);
    // Every new row is computed before the first write: SET subqueries see the table as the statement began.
    const updates: SqlValue[][] = [];
    for (const row of rows) {
      env.runtime.checkCancelled();
      const computed = await evaluateAll(values, row, env);
      const updated: SqlValue[] = row.slice(0, keyIndex);
      assignments.forEach((a, i) => { updated[a.position] = computed[i] ?? null; });
      updates.push(updated);
    }
    const returned: Row[] = [];
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as Row;
      const updated = updates[i] as SqlValue[];
      await checkRow(table, notNull, checks, updated, env);
      const handle = await env.runtime.access.update(table, handleOf(row, keyIndex), updated);
      if (returning !== null) returned.push(await evaluateAll(returning, [...handle.row, handle.key, ...row.slice(keyIndex + 1)], env));
    }
    return { tag: `UPDATE ${rows.length}`, rows: returned };
  };
}

export function buildDelete(statement: Delete, ctx: BuildContext): (env: ExecEnv) => Promise<DmlResult> {
  const source = ctx.node(statement.source);
  const returning = statement.returning?.exprs.map((e) => ctx.compile(e)) ?? null;
  const { table, keyIndex } = statement;
  return async (env) => {
    const rows = targetRows(await collect(source.run(env), env), keyIndex);
    const returned: Row[] = [];
    for (const row of rows) {
      env.runtime.checkCancelled();
      await env.runtime.access.delete(table, handleOf(row, keyIndex));
      if (returning !== null) returned.push(await evaluateAll(returning, row, env));
    }
    return { tag: `DELETE ${rows.length}`, rows: returned };
  };
}
