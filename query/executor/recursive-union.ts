// WITH RECURSIVE: the anchor's rows start the work table; the recursive term
// runs on the work table until it produces nothing new. UNION (without ALL)
// drops rows already produced, which is what makes most recursions end.

import type { PhysicalPlan } from '../planner/index.js';
import { collect, inBatches, withWorkTable } from './env.js';
import type { Row } from './env.js';
import type { BuildContext, ExecNode } from './node.js';
import { rowKey } from './row-key.js';

export function buildRecursiveUnion(plan: PhysicalPlan & { kind: 'recursiveUnion' }, ctx: BuildContext): ExecNode {
  const anchor = ctx.node(plan.anchor);
  const recursive = ctx.node(plan.recursive);
  const types = plan.columns.map((c) => c.type);
  const { cteId, all } = plan;
  return {
    async *run(env) {
      const seen = all ? null : new Set<string>();
      const fresh = (rows: readonly Row[]): Row[] => (seen === null ? [...rows] : rows.filter((row) => {
        const key = rowKey(row, types);
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      }));
      let work = fresh(await collect(anchor.run(env), env));
      while (work.length > 0) {
        yield* inBatches(work);
        env.runtime.checkCancelled();
        work = fresh(await collect(recursive.run(withWorkTable(env, cteId, work)), env));
      }
    },
  };
}

export function buildWorkTableScan(plan: PhysicalPlan & { kind: 'workTableScan' }): ExecNode {
  const { cteId } = plan;
  return {
    async *run(env) {
      yield* inBatches(env.workTables.get(cteId) ?? []);
    },
  };
}
