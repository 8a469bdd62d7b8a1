// Filter (rows where the predicate is TRUE) and projection (computed output
// columns). Both stay synchronous per row unless an expression holds a
// subquery.

import type { PhysicalPlan } from '../planner/index.js';
import type { Row } from './env.js';
import { evaluateAll, holds, needsPrepare } from './eval/compiled.js';
import type { Evaluator } from './eval/compiled.js';
import type { BuildContext, ExecNode } from './node.js';

export function buildFilter(plan: PhysicalPlan & { kind: 'filter' }, ctx: BuildContext): ExecNode {
  const input = ctx.node(plan.input);
  const predicate = ctx.compile(plan.predicate);
  const test = predicate.evaluate;
  return {
    async *run(env) {
      for await (const batch of input.run(env)) {
        env.runtime.checkCancelled();
        const out: Row[] = [];
        if (predicate.prepare === null) {
          for (const row of batch) if (test(row, env) === true) out.push(row);
        } else {
          for (const row of batch) if (await holds(predicate, row, env)) out.push(row);
        }
        if (out.length > 0) yield out;
      }
    },
  };
}

export function buildProject(plan: PhysicalPlan & { kind: 'project' }, ctx: BuildContext): ExecNode {
  const input = ctx.node(plan.input);
  const exprs = plan.exprs.map((e) => ctx.compile(e));
  const evaluators: Evaluator[] = exprs.map((e) => e.evaluate);
  const slow = needsPrepare(exprs);
  const width = evaluators.length;
  return {
    async *run(env) {
      for await (const batch of input.run(env)) {
        env.runtime.checkCancelled();
        const out: Row[] = new Array<Row>(batch.length);
        for (let r = 0; r < batch.length; r++) {
          const row = batch[r] as Row;
          if (slow) { out[r] = await evaluateAll(exprs, row, env); continue; }
          const projected = new Array<Row[number]>(width);
          for (let i = 0; i < width; i++) projected[i] = (evaluators[i] as Evaluator)(row, env);
          out[r] = projected;
        }
        yield out;
      }
    },
  };
}
