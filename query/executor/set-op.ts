// UNION / INTERSECT / EXCEPT [ALL] with PostgreSQL's multiset semantics:
// UNION ALL appends; the ALL forms of INTERSECT and EXCEPT keep min(m, n) and
// max(m - n, 0) copies; the plain forms return distinct rows.

import type { PhysicalPlan } from '../planner/index.js';
import { collect, inBatches } from './env.js';
import type { Row } from './env.js';
import type { BuildContext, ExecNode } from './node.js';
import { rowKey } from './row-key.js';

export function buildSetOp(plan: PhysicalPlan & { kind: 'setOp' }, ctx: BuildContext): ExecNode {
  const left = ctx.node(plan.left);
  const right = ctx.node(plan.right);
  const types = plan.columns.map((c) => c.type);
  const { op, all } = plan;
  if (op === 'union') {
    return {
      async *run(env) {
        const seen = all ? null : new Set<string>();
        for (const side of [left, right]) {
          for await (const batch of side.run(env)) {
            env.runtime.checkCancelled();
            const out = seen === null ? batch : batch.filter((row) => {
              const key = rowKey(row, types);
              if (seen.has(key)) return false;
              seen.add(key);
              return true;
            });
            if (out.length > 0) yield out;
          }
        }
      },
    };
  }
  return {
    async *run(env) {
      const counts = new Map<string, number>();
      for (const row of await collect(right.run(env), env)) {
        const key = rowKey(row, types);
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      const out: Row[] = [];
      const emitted = new Set<string>();
      for (const row of await collect(left.run(env), env)) {
        const key = rowKey(row, types);
        const n = counts.get(key) ?? 0;
        if (!all) {
          if (emitted.has(key) || (op === 'intersect' ? n === 0 : n > 0)) continue;
          emitted.add(key);
          out.push(row);
        } else if (op === 'intersect') {
          if (n > 0) { out.push(row); counts.set(key, n - 1); }
        } else if (n > 0) {
          counts.set(key, n - 1);
        } else {
          out.push(row);
        }
      }
      yield* inBatches(out);
    },
  };
}
