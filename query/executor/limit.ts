// LIMIT / OFFSET: evaluated once per run (they cannot read rows), negative
// values refused as PostgreSQL does; the input stops as soon as enough rows
// passed. WITH TIES lets through the rows that sort equal to the last one.

import type { PhysicalPlan } from '../planner/index.js';
import { SqlError } from '../types/errors.js';
import type { SqlValue } from '../types/value.js';
import { compareKeys } from './compare-rows.js';
import type { SortSpec } from './compare-rows.js';
import type { ExecEnv, Row } from './env.js';
import { evaluateAll, evaluateAsync } from './eval/compiled.js';
import type { CompiledExpr } from './eval/compiled.js';
import type { BuildContext, ExecNode } from './node.js';

const emptyRow: Row = [];

interface Bounds {
  readonly limit: bigint | null;
  readonly offset: bigint;
}

async function bounds(limitExpr: CompiledExpr | null, offsetExpr: CompiledExpr | null, env: ExecEnv): Promise<Bounds> {
  const limitValue = limitExpr === null ? null : await evaluateAsync(limitExpr, emptyRow, env);
  const offsetValue = offsetExpr === null ? null : await evaluateAsync(offsetExpr, emptyRow, env);
  const limit = limitValue === null ? null : (limitValue as bigint);
  const offset = offsetValue === null ? 0n : (offsetValue as bigint);
  if (limit !== null && limit < 0n) throw new SqlError('2201W', 'LIMIT must not be negative');
  if (offset < 0n) throw new SqlError('2201X', 'OFFSET must not be negative');
  return { limit, offset };
}

interface Ties {
  readonly keys: readonly CompiledExpr[];
  readonly specs: readonly SortSpec[];
}

export function buildLimit(plan: PhysicalPlan & { kind: 'limit' }, ctx: BuildContext): ExecNode {
  const input = ctx.node(plan.input);
  const limitExpr = ctx.compileNullable(plan.limit);
  const offsetExpr = ctx.compileNullable(plan.offset);
  const ties: Ties | null = plan.ties === null ? null : {
    keys: plan.ties.map((k) => ctx.compile(k.expr)),
    specs: plan.ties.map((k) => ({ type: k.expr.type, descending: k.descending, nullsFirst: k.nullsFirst })),
  };
  return {
    async *run(env) {
      const { limit, offset } = await bounds(limitExpr, offsetExpr, env);
      let skip = offset;
      let remaining = limit;
      let lastKey: SqlValue[] | null = null;
      if (remaining === 0n && ties === null) return;
      for await (const batch of input.run(env)) {
        const out: Row[] = [];
        for (const row of batch) {
          if (skip > 0n) { skip--; continue; }
          if (remaining === null || remaining > 0n) {
            out.push(row);
            if (remaining !== null) remaining--;
            if (remaining === 0n && ties !== null) lastKey = await evaluateAll(ties.keys, row, env);
            continue;
          }
          if (ties === null || lastKey === null || compareKeys(await evaluateAll(ties.keys, row, env), lastKey, ties.specs) !== 0) {
            if (out.length > 0) yield out;
            return;
          }
          out.push(row);
        }
        if (out.length > 0) yield out;
        if (remaining === 0n && ties === null) return;
      }
    },
  };
}
