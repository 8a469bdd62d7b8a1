// Sort: reads its input, computes each row's sort keys once, and emits the
// rows in order (stable, PostgreSQL's NULL placement).

import type { PhysicalPlan } from '../planner/index.js';
import type { SqlValue } from '../types/value.js';
import { compareKeys } from './compare-rows.js';
import type { SortSpec } from './compare-rows.js';
import { inBatches } from './env.js';
import type { Row } from './env.js';
import { evaluateAll, evaluateAllSync, needsPrepare } from './eval/compiled.js';
import type { BuildContext, ExecNode } from './node.js';

export function buildSort(plan: PhysicalPlan & { kind: 'sort' }, ctx: BuildContext): ExecNode {
  const input = ctx.node(plan.input);
  const keys = plan.keys.map((k) => ctx.compile(k.expr));
  const synchronous = !needsPrepare(keys);
  const specs: SortSpec[] = plan.keys.map((k) => ({ type: k.expr.type, descending: k.descending, nullsFirst: k.nullsFirst }));
  return {
    async *run(env) {
      const entries: { row: Row; key: SqlValue[] }[] = [];
      for await (const batch of input.run(env)) {
        env.runtime.checkCancelled();
        for (const row of batch) entries.push({ row, key: synchronous ? evaluateAllSync(keys, row, env) : await evaluateAll(keys, row, env) });
      }
      entries.sort((a, b) => compareKeys(a.key, b.key, specs));
      yield* inBatches(entries.map((e) => e.row));
    },
  };
}
