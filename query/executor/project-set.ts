// ProjectSet: the select list's set-returning functions, run in lock step per
// input row; each output row is the input row plus one value per function
// (NULL once a function is exhausted), until all are.

import type { PhysicalPlan } from '../planner/index.js';
import type { SqlValue } from '../types/value.js';
import type { Row } from './env.js';
import { evaluateAll } from './eval/compiled.js';
import { RowBuffer } from './join-output.js';
import type { BuildContext, ExecNode } from './node.js';

export function buildProjectSet(plan: PhysicalPlan & { kind: 'projectSet' }, ctx: BuildContext): ExecNode {
  const input = ctx.node(plan.input);
  const functions = plan.functions.map((f) => ({ spec: f, args: f.args.map((a) => ctx.compile(a)) }));
  return {
    async *run(env) {
      const out = new RowBuffer();
      for await (const batch of input.run(env)) {
        env.runtime.checkCancelled();
        for (const row of batch) {
          const iterators: (Iterator<readonly SqlValue[]> | null)[] = [];
          for (const f of functions) {
            const args = await evaluateAll(f.args, row, env);
            iterators.push(f.spec.strict && args.some((v) => v === null) ? null : f.spec.fn(args, env)[Symbol.iterator]());
          }
          for (;;) {
            let any = false;
            const values = iterators.map((it, i) => {
              if (it === null) return null;
              const next = it.next();
              if (next.done === true) { iterators[i] = null; return null; }
              any = true;
              return next.value[0] ?? null;
            });
            if (!any) break;
            out.push([...row, ...values] as Row);
            if (out.full) yield out.take();
          }
        }
      }
      if (out.size > 0) yield out.take();
    },
  };
}
