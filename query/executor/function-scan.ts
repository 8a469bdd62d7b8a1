// Table functions in FROM (generate_series, unnest, ...): arguments evaluated
// once per run, rows drawn lazily so LIMIT stops the series early.

import type { PhysicalPlan } from '../planner/index.js';
import type { SqlValue } from '../types/value.js';
import { batchRowsMax } from './env.js';
import type { Row } from './env.js';
import { evaluateAll } from './eval/compiled.js';
import type { BuildContext, ExecNode } from './node.js';

const emptyRow: Row = [];

export function buildFunctionScan(plan: PhysicalPlan & { kind: 'functionScan' }, ctx: BuildContext): ExecNode {
  const args = plan.args.map((a) => ctx.compile(a));
  const { fn, strict, ordinality } = plan;
  return {
    async *run(env) {
      const values = await evaluateAll(args, emptyRow, env);
      if (strict && values.some((v) => v === null)) return;
      let out: Row[] = [];
      let n = 0n;
      for (const produced of fn(values, env)) {
        n++;
        out.push(ordinality ? [...produced, n as SqlValue] : produced);
        if (out.length >= batchRowsMax) {
          yield out;
          out = [];
          env.runtime.checkCancelled();
        }
      }
      if (out.length > 0) yield out;
    },
  };
}
