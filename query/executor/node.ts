// Executable operators. A physical plan node becomes an ExecNode once per
// statement (its expressions compiled to closures); each run produces the
// node's rows in batches. BuildContext is what builders share: the compiled
// subplans, parameter types and, for EXPLAIN ANALYZE, the statistics.

import type { BoundExpr } from '../binder/index.js';
import type { NodeStats, PhysicalPlan, Subplans } from '../planner/index.js';
import { assertNever } from '../types/errors.js';
import type { SqlType } from '../types/sql-type.js';
import type { ExecEnv, Row } from './env.js';
import { compileExpr } from './eval/compile-expr.js';
import type { CompiledExpr, ExprCompiler } from './eval/compiled.js';
import { buildFilter, buildProject } from './filter-project.js';
import { buildDistinct } from './distinct.js';
import { buildFunctionScan } from './function-scan.js';
import { buildHashAggregate } from './hash-aggregate.js';
import { buildHashJoin } from './hash-join.js';
import { buildIndexLookup } from './index-lookup.js';
import { buildIndexNestedLoopJoin } from './index-nested-loop-join.js';
import { buildLimit } from './limit.js';
import { buildNestedLoopJoin } from './nested-loop-join.js';
import { buildRecursiveUnion, buildWorkTableScan } from './recursive-union.js';
import { buildSeqScan } from './seq-scan.js';
import { buildSetOp } from './set-op.js';
import { buildSort } from './sort.js';
import { buildOneRow, buildValues } from './values.js';
import { buildWindow } from './window.js';
import { buildProjectSet } from './project-set.js';
import { buildCteScan, buildWith } from './with.js';

export interface ExecNode {
  run(env: ExecEnv): AsyncIterable<readonly Row[]>;
}

export interface MutableStats {
  rows: number;
  loops: number;
  firstRowMs: number;
  totalMs: number;
}

export class BuildContext implements ExprCompiler {
  private readonly builtSubplans = new Map<number, ExecNode>();

  constructor(
    private readonly subplans: Subplans,
    readonly paramTypes: readonly SqlType[],
    /** Per-node statistics for EXPLAIN ANALYZE; null when not measuring. */
    readonly stats: Map<PhysicalPlan, MutableStats> | null,
  ) {}

  compile(expr: BoundExpr): CompiledExpr {
    return compileExpr(expr, this, null);
  }

  compileNullable(expr: BoundExpr | null): CompiledExpr | null {
    return expr === null ? null : this.compile(expr);
  }

  subplan(id: number): ExecNode {
    let node = this.builtSubplans.get(id);
    if (node === undefined) {
      const plan = this.subplans.get(id);
      if (plan === undefined) throw new Error(`subquery ${id} was not planned`);
      node = this.node(plan);
      this.builtSubplans.set(id, node);
    }
    return node;
  }

  node(plan: PhysicalPlan): ExecNode {
    const node = buildNode(plan, this);
    return this.stats === null ? node : instrument(node, plan, this.stats);
  }
}

function buildNode(plan: PhysicalPlan, ctx: BuildContext): ExecNode {
  switch (plan.kind) {
    case 'seqScan': return buildSeqScan(plan, ctx);
    case 'indexLookup': return buildIndexLookup(plan, ctx);
    case 'values': return buildValues(plan, ctx);
    case 'oneRow': return buildOneRow();
    case 'functionScan': return buildFunctionScan(plan, ctx);
    case 'filter': return buildFilter(plan, ctx);
    case 'project': return buildProject(plan, ctx);
    case 'hashJoin': return buildHashJoin(plan, ctx);
    case 'nestedLoopJoin': return buildNestedLoopJoin(plan, ctx);
    case 'indexNestedLoopJoin': return buildIndexNestedLoopJoin(plan, ctx);
    case 'hashAggregate': return buildHashAggregate(plan, ctx);
    case 'window': return buildWindow(plan, ctx);
    case 'projectSet': return buildProjectSet(plan, ctx);
    case 'sort': return buildSort(plan, ctx);
    case 'limit': return buildLimit(plan, ctx);
    case 'distinct': return buildDistinct(plan, ctx);
    case 'setOp': return buildSetOp(plan, ctx);
    case 'with': return buildWith(plan, ctx);
    case 'cteScan': return buildCteScan(plan);
    case 'recursiveUnion': return buildRecursiveUnion(plan, ctx);
    case 'workTableScan': return buildWorkTableScan(plan);
    default: return assertNever(plan, 'physical plan');
  }
}

/** Counts rows, loops and the time spent producing them (children included), via the runtime's clock seam. */
function instrument(node: ExecNode, plan: PhysicalPlan, stats: Map<PhysicalPlan, MutableStats>): ExecNode {
  return {
    async *run(env) {
      let s = stats.get(plan);
      if (s === undefined) { s = { rows: 0, loops: 0, firstRowMs: 0, totalMs: 0 }; stats.set(plan, s); }
      s.loops++;
      const iterator = node.run(env)[Symbol.asyncIterator]();
      let first = true;
      let loopMs = 0;
      for (;;) {
        const started = env.runtime.clockMicros();
        const next = await iterator.next();
        const elapsedMs = Number(env.runtime.clockMicros() - started) / 1000;
        s.totalMs += elapsedMs;
        loopMs += elapsedMs;
        if (next.done === true) break;
        if (first && next.value.length > 0) { s.firstRowMs += loopMs; first = false; }
        s.rows += next.value.length;
        yield next.value;
      }
    },
  };
}

export type { NodeStats };
