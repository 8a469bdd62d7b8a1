// Nested-loop join: every left row against every right row, for conditions
// without equalities to hash on. The right input is read once, unless the
// join is LATERAL: then it runs again for each left row with the values it
// reads from that row.

import type { PhysicalPlan } from '../planner/index.js';
import { collect, nestedEnv } from './env.js';
import type { ExecEnv, Row } from './env.js';
import { evaluateAll, holds } from './eval/compiled.js';
import type { CompiledExpr } from './eval/compiled.js';
import { combine, nulls, RowBuffer } from './join-output.js';
import type { BuildContext, ExecNode } from './node.js';

type Plan = PhysicalPlan & { kind: 'nestedLoopJoin' };

async function matches(condition: CompiledExpr | null, row: Row, env: ExecEnv): Promise<boolean> {
  return condition === null || (condition.prepare === null ? condition.evaluate(row, env) === true : await holds(condition, row, env));
}

function lateralJoin(plan: Plan, left: ExecNode, right: ExecNode, condition: CompiledExpr | null, args: readonly CompiledExpr[]): ExecNode {
  const rightWidth = plan.right.columns.length;
  return {
    async *run(env) {
      const out = new RowBuffer();
      for await (const batch of left.run(env)) {
        env.runtime.checkCancelled();
        for (const row of batch) {
          const rightEnv = nestedEnv(env, await evaluateAll(args, row, env));
          let found = false;
          for (const r of await collect(right.run(rightEnv), env)) {
            const combined = combine(row, r);
            if (!(await matches(condition, combined, env))) continue;
            found = true;
            out.push(combined);
          }
          if (!found && plan.joinType === 'left') out.push(combine(row, nulls(rightWidth)));
          if (out.full) yield out.take();
        }
      }
      if (out.size > 0) yield out.take();
    },
  };
}

export function buildNestedLoopJoin(plan: Plan, ctx: BuildContext): ExecNode {
  const left = ctx.node(plan.left);
  const right = ctx.node(plan.right);
  const condition = ctx.compileNullable(plan.condition);
  if (plan.lateral !== null) return lateralJoin(plan, left, right, condition, plan.lateral.map((a) => ctx.compile(a)));
  const { joinType } = plan;
  const leftWidth = plan.left.columns.length;
  const rightWidth = plan.right.columns.length;
  return {
    async *run(env) {
      const rightRows = await collect(right.run(env), env);
      const matched = joinType === 'right' || joinType === 'full' ? new Uint8Array(rightRows.length) : null;
      const out = new RowBuffer();
      for await (const batch of left.run(env)) {
        env.runtime.checkCancelled();
        for (const row of batch) {
          let found = false;
          for (let i = 0; i < rightRows.length; i++) {
            const combined = combine(row, rightRows[i] as Row);
            if (!(await matches(condition, combined, env))) continue;
            found = true;
            if (matched !== null) matched[i] = 1;
            out.push(combined);
            if (out.full) yield out.take();
          }
          if (!found && (joinType === 'left' || joinType === 'full')) out.push(combine(row, nulls(rightWidth)));
        }
      }
      if (matched !== null) rightRows.forEach((r, i) => { if (matched[i] === 0) out.push(combine(nulls(leftWidth), r)); });
      if (out.size > 0) yield out.take();
    },
  };
}
