// Sequential scan: every visible row in primary-key order, filtered as it
// streams. UPDATE and DELETE targets carry the stored key as a last column.

import type { PhysicalPlan } from '../planner/index.js';
import type { SqlValue } from '../types/value.js';
import type { Row } from './env.js';
import { holds } from './eval/compiled.js';
import type { BuildContext, ExecNode } from './node.js';

export function buildSeqScan(plan: PhysicalPlan & { kind: 'seqScan' }, ctx: BuildContext): ExecNode {
  const filter = ctx.compileNullable(plan.filter);
  const { table, withKey } = plan;
  return {
    async *run(env) {
      for await (const handles of env.runtime.access.scan(table)) {
        env.runtime.checkCancelled();
        const out: Row[] = [];
        for (const handle of handles) {
          const row: Row = withKey ? [...handle.row, handle.key as SqlValue] : handle.row;
          if (filter === null) { out.push(row); continue; }
          if (filter.prepare === null ? filter.evaluate(row, env) === true : await holds(filter, row, env)) out.push(row);
        }
        if (out.length > 0) yield out;
      }
    },
  };
}
