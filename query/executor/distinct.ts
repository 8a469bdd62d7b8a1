// DISTINCT keeps the first row of each set of equal rows; DISTINCT ON keeps
// the first row of each group of equal ON values (its input is sorted so the
// first is the wanted one).

import type { PhysicalPlan } from '../planner/index.js';
import type { Row } from './env.js';
import { evaluateAll, evaluateAllSync, needsPrepare } from './eval/compiled.js';
import type { BuildContext, ExecNode } from './node.js';
import { rowKey } from './row-key.js';

export function buildDistinct(plan: PhysicalPlan & { kind: 'distinct' }, ctx: BuildContext): ExecNode {
  const input = ctx.node(plan.input);
  const on = plan.on?.map((e) => ctx.compile(e)) ?? null;
  const types = plan.on?.map((e) => e.type) ?? plan.columns.map((c) => c.type);
  const synchronous = on === null || !needsPrepare(on);
  return {
    async *run(env) {
      const seen = new Set<string>();
      for await (const batch of input.run(env)) {
        env.runtime.checkCancelled();
        const out: Row[] = [];
        for (const row of batch) {
          const key = rowKey(on === null ? row : synchronous ? evaluateAllSync(on, row, env) : await evaluateAll(on, row, env), types);
          if (seen.has(key)) continue;
          seen.add(key);
          out.push(row);
        }
        if (out.length > 0) yield out;
      }
    },
  };
}
