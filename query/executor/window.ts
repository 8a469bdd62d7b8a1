// Window functions: the input is read whole, sorted by PARTITION BY then
// ORDER BY (functions sharing both share the sort), split into partitions and
// peer groups; window-only functions compute a partition at a time,
// aggregates run over each row's frame (incrementally when the frame only
// grows). Rows come out in the last sort's order, as PostgreSQL's WindowAgg.

import type { BoundWindowFn } from '../binder/index.js';
import { exprKey } from '../binder/index.js';
import type { Accumulator } from '../functions/index.js';
import type { PhysicalPlan } from '../planner/index.js';
import type { SqlValue } from '../types/value.js';
import { compareKeys } from './compare-rows.js';
import type { SortSpec } from './compare-rows.js';
import { collect, inBatches } from './env.js';
import type { ExecEnv, Row } from './env.js';
import { evaluateAll, evaluateAsync } from './eval/compiled.js';
import type { CompiledExpr } from './eval/compiled.js';
import type { BuildContext, ExecNode } from './node.js';
import { frameBounds } from './window-frame.js';
import type { FrameOffsets, PartitionLayout } from './window-frame.js';

interface FunctionRuntime {
  readonly spec: BoundWindowFn;
  readonly output: number;
  readonly args: readonly CompiledExpr[];
  readonly filter: CompiledExpr | null;
  readonly startOffset: CompiledExpr | null;
  readonly endOffset: CompiledExpr | null;
}

interface SortGroup {
  readonly partition: readonly CompiledExpr[];
  readonly order: readonly CompiledExpr[];
  readonly partitionSpecs: readonly SortSpec[];
  readonly orderSpecs: readonly SortSpec[];
  readonly functions: FunctionRuntime[];
}

const emptyRow: Row = [];

function sortGroups(functions: readonly BoundWindowFn[], ctx: BuildContext): SortGroup[] {
  const groups = new Map<string, SortGroup>();
  functions.forEach((fn, output) => {
    const key = [...fn.spec.partitionBy.map(exprKey), '|', ...fn.spec.orderBy.map((k) => `${exprKey(k.expr)}${k.descending}${k.nullsFirst}`)].join(',');
    let group = groups.get(key);
    if (group === undefined) {
      group = {
        partition: fn.spec.partitionBy.map((e) => ctx.compile(e)),
        order: fn.spec.orderBy.map((k) => ctx.compile(k.expr)),
        partitionSpecs: fn.spec.partitionBy.map((e) => ({ type: e.type, descending: false, nullsFirst: false })),
        orderSpecs: fn.spec.orderBy.map((k) => ({ type: k.expr.type, descending: k.descending, nullsFirst: k.nullsFirst })),
        functions: [],
      };
      groups.set(key, group);
    }
    group.functions.push({
      spec: fn, output, args: fn.args.map((a) => ctx.compile(a)), filter: ctx.compileNullable(fn.filter),
      startOffset: ctx.compileNullable(fn.spec.frame.start.offset), endOffset: ctx.compileNullable(fn.spec.frame.end.offset),
    });
  });
  return [...groups.values()];
}

/** Partition boundaries and peer groups of a sorted index list. */
function layoutsOf(order: readonly number[], partitionKeys: readonly SqlValue[][], orderKeys: readonly SqlValue[][], group: SortGroup): { positions: number[]; layout: PartitionLayout }[] {
  const out: { positions: number[]; layout: PartitionLayout }[] = [];
  let start = 0;
  while (start < order.length) {
    let end = start + 1;
    const first = partitionKeys[order[start] ?? 0] ?? [];
    while (end < order.length && compareKeys(first, partitionKeys[order[end] ?? 0] ?? [], group.partitionSpecs) === 0) end++;
    const positions = order.slice(start, end);
    out.push({ positions, layout: peerLayout(positions, orderKeys, group.orderSpecs) });
    start = end;
  }
  return out;
}

function peerLayout(positions: readonly number[], orderKeys: readonly SqlValue[][], specs: readonly SortSpec[]): PartitionLayout {
  const n = positions.length;
  const peersStart: number[] = new Array<number>(n);
  const peersEnd: number[] = new Array<number>(n);
  const group: number[] = new Array<number>(n);
  const groupStarts: number[] = [];
  let s = 0;
  while (s < n) {
    let e = s + 1;
    const key = orderKeys[positions[s] ?? 0] ?? [];
    while (e < n && compareKeys(key, orderKeys[positions[e] ?? 0] ?? [], specs) === 0) e++;
    for (let i = s; i < e; i++) { peersStart[i] = s; peersEnd[i] = e; group[i] = groupStarts.length; }
    groupStarts.push(s);
    s = e;
  }
  return { size: n, peersStart, peersEnd, group, groupStarts, orderValues: positions.map((p) => orderKeys[p]?.[0] ?? null) };
}

async function computeFunction(fn: FunctionRuntime, rows: readonly Row[], parts: ReturnType<typeof layoutsOf>, group: SortGroup, results: SqlValue[][], env: ExecEnv): Promise<void> {
  const argValues: SqlValue[][] = [];
  const included: boolean[] = [];
  for (const row of rows) {
    argValues.push(await evaluateAll(fn.args, row, env));
    included.push(fn.filter === null || (await evaluateAsync(fn.filter, row, env)) === true);
  }
  const offsets: FrameOffsets = {
    start: fn.startOffset === null ? null : await evaluateAsync(fn.startOffset, emptyRow, env),
    end: fn.endOffset === null ? null : await evaluateAsync(fn.endOffset, emptyRow, env),
  };
  for (const { positions, layout } of parts) {
    const frame = frameBounds(layout, fn.spec.spec.frame, offsets, group.orderSpecs[0], env);
    const values = fn.spec.impl.kind === 'window'
      ? fn.spec.impl.compute({
        rowCount: layout.size, arg: (a, r) => argValues[positions[r] ?? 0]?.[a] ?? null,
        peersStart: (r) => layout.peersStart[r] ?? r, peersEnd: (r) => layout.peersEnd[r] ?? r + 1,
        frameStart: (r) => frame.start[r] ?? 0, frameEnd: (r) => frame.end[r] ?? 0,
      }, env)
      : aggregateOverFrames(fn.spec.impl, positions, frame, argValues, included, env);
    positions.forEach((p, i) => { (results[p] as SqlValue[])[fn.output] = values[i] ?? null; });
  }
}

/** Aggregates per frame; frames that only grow at the end reuse one accumulator. */
function aggregateOverFrames(impl: { create: () => Accumulator; strict: boolean }, positions: readonly number[], frame: { start: number[]; end: number[] }, argValues: readonly SqlValue[][], included: readonly boolean[], env: ExecEnv): SqlValue[] {
  const add = (acc: Accumulator, p: number): void => {
    const position = positions[p] ?? 0;
    const args = argValues[position] ?? [];
    if (included[position] !== true || (impl.strict && args.some((v) => v === null))) return;
    acc.add(args, env);
  };
  const out: SqlValue[] = [];
  const growing = frame.start.every((s) => s === 0) && frame.end.every((e, i) => i === 0 || e >= (frame.end[i - 1] ?? 0));
  let running: Accumulator | null = null;
  let added = 0;
  for (let i = 0; i < positions.length; i++) {
    const start = frame.start[i] ?? 0;
    const end = frame.end[i] ?? 0;
    if (growing) {
      running ??= impl.create();
      for (; added < end; added++) add(running, added);
      out.push(running.result(env));
      continue;
    }
    const acc = impl.create();
    for (let p = start; p < end; p++) add(acc, p);
    out.push(acc.result(env));
  }
  return out;
}

export function buildWindow(plan: PhysicalPlan & { kind: 'window' }, ctx: BuildContext): ExecNode {
  const input = ctx.node(plan.input);
  const groups = sortGroups(plan.functions, ctx);
  return {
    async *run(env) {
      const rows = await collect(input.run(env), env);
      const results: SqlValue[][] = rows.map(() => new Array<SqlValue>(plan.functions.length).fill(null));
      let order: number[] = rows.map((_, i) => i);
      for (const group of groups) {
        const partitionKeys: SqlValue[][] = [];
        const orderKeys: SqlValue[][] = [];
        for (const row of rows) {
          partitionKeys.push(await evaluateAll(group.partition, row, env));
          orderKeys.push(await evaluateAll(group.order, row, env));
        }
        order = rows.map((_, i) => i).sort((a, b) => compareKeys(partitionKeys[a] ?? [], partitionKeys[b] ?? [], group.partitionSpecs)
          || compareKeys(orderKeys[a] ?? [], orderKeys[b] ?? [], group.orderSpecs));
        const parts = layoutsOf(order, partitionKeys, orderKeys, group);
        for (const fn of group.functions) await computeFunction(fn, rows, parts, group, results, env);
        env.runtime.checkCancelled();
      }
      yield* inBatches(order.map((i) => [...(rows[i] as Row), ...(results[i] as SqlValue[])]));
    },
  };
}
