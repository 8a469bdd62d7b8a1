// WITH: each CTE is computed at most once per run of the WITH node, on first
// use, and shared by every scan of it.

import type { PhysicalPlan } from '../planner/index.js';
import { collect, inBatches, withCtes } from './env.js';
import type { CteRows, ExecEnv, Row } from './env.js';
import type { BuildContext, ExecNode } from './node.js';

export function buildWith(plan: PhysicalPlan & { kind: 'with' }, ctx: BuildContext): ExecNode {
  const ctes = plan.ctes.map((c) => ({ id: c.id, node: ctx.node(c.plan) }));
  const input = ctx.node(plan.input);
  return {
    run(env) {
      const map = new Map<number, CteRows>(env.ctes);
      const scoped: ExecEnv = withCtes(env, map);
      for (const cte of ctes) {
        let rows: Promise<readonly Row[]> | null = null;
        // Later CTEs may read earlier ones, so each runs in the scoped environment.
        map.set(cte.id, () => (rows ??= collect(cte.node.run(scoped), scoped)));
      }
      return input.run(scoped);
    },
  };
}

export function buildCteScan(plan: PhysicalPlan & { kind: 'cteScan' }): ExecNode {
  const { cteId, name } = plan;
  return {
    async *run(env) {
      const rows = env.ctes.get(cteId);
      if (rows === undefined) throw new Error(`CTE ${name} is not in scope`);
      yield* inBatches(await rows());
    },
  };
}
