// VALUES rows and the single empty row of a SELECT without FROM.

import type { PhysicalPlan } from '../planner/index.js';
import { batchRowsMax } from './env.js';
import type { Row } from './env.js';
import { evaluateAll } from './eval/compiled.js';
import type { BuildContext, ExecNode } from './node.js';

const emptyRow: Row = [];

export function buildOneRow(): ExecNode {
  return {
    async *run() {
      yield [emptyRow];
    },
  };
}

export function buildValues(plan: PhysicalPlan & { kind: 'values' }, ctx: BuildContext): ExecNode {
  const rows = plan.rows.map((r) => r.map((e) => ctx.compile(e)));
  return {
    async *run(env) {
      let out: Row[] = [];
      for (const row of rows) {
        out.push(await evaluateAll(row, emptyRow, env));
        if (out.length >= batchRowsMax) { yield out; out = []; }
      }
      if (out.length > 0) yield out;
    },
  };
}
