// Index nested-loop join: for each (few) left rows, an index lookup on the
// right table with the join keys taken from the left row.

import type { PhysicalPlan } from '../planner/index.js';
import type { Row } from './env.js';
import { evaluateAll, holds } from './eval/compiled.js';
import { combine, nulls, RowBuffer } from './join-output.js';
import { lookupKey } from './lookup-keys.js';
import type { BuildContext, ExecNode } from './node.js';

export function buildIndexNestedLoopJoin(plan: PhysicalPlan & { kind: 'indexNestedLoopJoin' }, ctx: BuildContext): ExecNode {
  const left = ctx.node(plan.left);
  const keys = plan.leftKeys.map((k) => ctx.compile(k));
  const rightFilter = ctx.compileNullable(plan.rightFilter);
  const residual = ctx.compileNullable(plan.residual);
  const { table, index, joinType } = plan;
  const rightWidth = plan.rightColumns.length;
  return {
    async *run(env) {
      const out = new RowBuffer();
      for await (const batch of left.run(env)) {
        env.runtime.checkCancelled();
        for (const row of batch) {
          const key = lookupKey(table, index, await evaluateAll(keys, row, env));
          const handles = key === null ? [] : await env.runtime.access.lookup(table, index, key);
          let found = false;
          for (const handle of handles) {
            const right: Row = handle.row;
            if (rightFilter !== null && !(await holds(rightFilter, right, env))) continue;
            const combined = combine(row, right);
            if (residual !== null && !(await holds(residual, combined, env))) continue;
            found = true;
            out.push(combined);
          }
          if (!found && joinType === 'left') out.push(combine(row, nulls(rightWidth)));
          if (out.full) yield out.take();
        }
      }
      if (out.size > 0) yield out.take();
    },
  };
}
