// Hash join: the right input is read into a hash table on its join keys (rows
// with a NULL key never match but are kept for outer joins), then each left
// row probes it. Left/full joins emit unmatched left rows with NULLs;
// right/full joins emit the right rows no probe matched.

import type { PhysicalPlan } from '../planner/index.js';
import type { ExecEnv, Row } from './env.js';
import { evaluateAll, evaluateAllSync, holds, needsPrepare } from './eval/compiled.js';
import type { CompiledExpr } from './eval/compiled.js';
import { combine, nulls, RowBuffer } from './join-output.js';
import type { BuildContext, ExecNode } from './node.js';
import { rowKey } from './row-key.js';
import type { SqlType } from '../types/sql-type.js';
import type { SqlValue } from '../types/value.js';

interface HashTable {
  readonly rows: Row[];
  readonly buckets: Map<HashKey, number[]>;
}

/** A bucket key: rowKey's text, or the value itself for one int2/int4 key on both sides (no string per row). */
type HashKey = string | number;
type KeyOf = (values: readonly SqlValue[]) => HashKey;

function keyOf(types: Parameters<typeof rowKey>[1], integerKey: boolean): KeyOf {
  return integerKey ? (values) => values[0] as number : (values) => rowKey(values, types);
}

function isSmallInteger(type: SqlType | undefined): boolean {
  return type?.kind === 'int2' || type?.kind === 'int4';
}

async function build(right: ExecNode, keys: readonly CompiledExpr[], key: KeyOf, env: ExecEnv): Promise<HashTable> {
  const synchronous = !needsPrepare(keys);
  const rows: Row[] = [];
  const buckets = new Map<HashKey, number[]>();
  for await (const batch of right.run(env)) {
    env.runtime.checkCancelled();
    for (const row of batch) {
      const index = rows.push(row) - 1;
      const values = synchronous ? evaluateAllSync(keys, row, env) : await evaluateAll(keys, row, env);
      if (values.some((v) => v === null)) continue;
      const bucketKey = key(values);
      const bucket = buckets.get(bucketKey);
      if (bucket === undefined) buckets.set(bucketKey, [index]); else bucket.push(index);
    }
  }
  return { rows, buckets };
}

export function buildHashJoin(plan: PhysicalPlan & { kind: 'hashJoin' }, ctx: BuildContext): ExecNode {
  const left = ctx.node(plan.left);
  const right = ctx.node(plan.right);
  const leftKeys = plan.leftKeys.map((k) => ctx.compile(k));
  const rightKeys = plan.rightKeys.map((k) => ctx.compile(k));
  const leftTypes = plan.leftKeys.map((k) => k.type);
  const rightTypes = plan.rightKeys.map((k) => k.type);
  const integerKey = leftTypes.length === 1 && isSmallInteger(leftTypes[0]) && isSmallInteger(rightTypes[0]);
  const leftKey = keyOf(leftTypes, integerKey);
  const rightKey = keyOf(rightTypes, integerKey);
  const residual = ctx.compileNullable(plan.residual);
  const probeSync = !needsPrepare(leftKeys);
  const { joinType } = plan;
  const leftWidth = plan.left.columns.length;
  const rightWidth = plan.right.columns.length;
  return {
    async *run(env) {
      const table = await build(right, rightKeys, rightKey, env);
      const matched = joinType === 'right' || joinType === 'full' ? new Uint8Array(table.rows.length) : null;
      const out = new RowBuffer();
      const rightNulls = nulls(rightWidth);
      for await (const batch of left.run(env)) {
        env.runtime.checkCancelled();
        for (const row of batch) {
          const values = probeSync ? evaluateAllSync(leftKeys, row, env) : await evaluateAll(leftKeys, row, env);
          const bucket = values.some((v) => v === null) ? undefined : table.buckets.get(leftKey(values));
          let found = false;
          for (const index of bucket ?? []) {
            const combined = combine(row, table.rows[index] as Row);
            if (residual !== null && !(residual.prepare === null ? residual.evaluate(combined, env) === true : await holds(residual, combined, env))) continue;
            found = true;
            if (matched !== null) matched[index] = 1;
            out.push(combined);
          }
          if (!found && (joinType === 'left' || joinType === 'full')) out.push(combine(row, rightNulls));
          if (out.full) yield out.take();
        }
      }
      if (matched !== null) {
        const leftNulls = nulls(leftWidth);
        table.rows.forEach((row, i) => { if (matched[i] === 0) out.push(combine(leftNulls, row)); });
      }
      if (out.size > 0) yield out.take();
    },
  };
}
