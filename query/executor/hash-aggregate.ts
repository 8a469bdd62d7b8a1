// Hash aggregation: groups by the key values (NULLs group together), feeds
// each group's accumulators, and emits keys then results. Without GROUP BY an
// empty input still yields one row (count 0, sum NULL). DISTINCT and ORDER BY
// inside an aggregate collect the group's arguments first; FILTER skips rows.

import type { BoundAggregate } from '../binder/index.js';
import type { Accumulator } from '../functions/index.js';
import type { PhysicalPlan } from '../planner/index.js';
import type { SqlValue } from '../types/value.js';
import { compareKeys } from './compare-rows.js';
import type { SortSpec } from './compare-rows.js';
import { inBatches } from './env.js';
import type { ExecEnv, Row } from './env.js';
import { evaluateAll, evaluateAllSync, holds, needsPrepare } from './eval/compiled.js';
import type { CompiledExpr } from './eval/compiled.js';
import type { BuildContext, ExecNode } from './node.js';
import { rowKey } from './row-key.js';

interface AggregateRuntime {
  readonly spec: BoundAggregate;
  readonly args: readonly CompiledExpr[];
  readonly filter: CompiledExpr | null;
  readonly orderBy: readonly CompiledExpr[];
  readonly sortSpecs: readonly SortSpec[];
  /** DISTINCT or ORDER BY: arguments are collected and fed at the end. */
  readonly collects: boolean;
}

interface Collected {
  readonly args: readonly SqlValue[];
  readonly sortValues: readonly SqlValue[];
}

interface Group {
  readonly key: readonly SqlValue[];
  readonly accumulators: Accumulator[];
  readonly collected: Collected[][];
}

function newGroup(key: readonly SqlValue[], aggregates: readonly AggregateRuntime[]): Group {
  return { key, accumulators: aggregates.map((a) => a.spec.create()), collected: aggregates.map(() => []) };
}

async function addRow(group: Group, aggregates: readonly AggregateRuntime[], row: Row, env: ExecEnv): Promise<void> {
  for (let i = 0; i < aggregates.length; i++) {
    const agg = aggregates[i] as AggregateRuntime;
    if (agg.filter !== null && !(await holds(agg.filter, row, env))) continue;
    const args = await evaluateAll(agg.args, row, env);
    if (agg.spec.strict && args.some((v) => v === null)) continue;
    if (agg.collects) (group.collected[i] as Collected[]).push({ args, sortValues: await evaluateAll(agg.orderBy, row, env) });
    else (group.accumulators[i] as Accumulator).add(args, env);
  }
}

/** The same without subqueries: no promise per row (the common case). */
function addRowSync(group: Group, aggregates: readonly AggregateRuntime[], row: Row, env: ExecEnv): void {
  for (let i = 0; i < aggregates.length; i++) {
    const agg = aggregates[i] as AggregateRuntime;
    if (agg.filter !== null && agg.filter.evaluate(row, env) !== true) continue;
    const args = evaluateAllSync(agg.args, row, env);
    if (agg.spec.strict && args.some((v) => v === null)) continue;
    if (agg.collects) (group.collected[i] as Collected[]).push({ args, sortValues: evaluateAllSync(agg.orderBy, row, env) });
    else (group.accumulators[i] as Accumulator).add(args, env);
  }
}

function finishCollected(agg: AggregateRuntime, accumulator: Accumulator, collected: Collected[], env: ExecEnv): void {
  const ordered = agg.sortSpecs.length === 0 ? collected : [...collected].sort((a, b) => compareKeys(a.sortValues, b.sortValues, agg.sortSpecs));
  const seen = new Set<string>();
  for (const entry of ordered) {
    if (agg.spec.distinct) {
      const key = rowKey(entry.args, agg.spec.argTypes);
      if (seen.has(key)) continue;
      seen.add(key);
    }
    accumulator.add(entry.args, env);
  }
}

function result(group: Group, aggregates: readonly AggregateRuntime[], env: ExecEnv): Row {
  const out: SqlValue[] = [...group.key];
  aggregates.forEach((agg, i) => {
    const accumulator = group.accumulators[i] as Accumulator;
    if (agg.collects) finishCollected(agg, accumulator, group.collected[i] as Collected[], env);
    out.push(accumulator.result(env));
  });
  return out;
}

export function buildHashAggregate(plan: PhysicalPlan & { kind: 'hashAggregate' }, ctx: BuildContext): ExecNode {
  const input = ctx.node(plan.input);
  const keys = plan.groupBy.map((k) => ctx.compile(k));
  const keyTypes = plan.groupBy.map((k) => k.type);
  const aggregates: AggregateRuntime[] = plan.aggregates.map((a) => ({
    spec: a,
    args: a.args.map((e) => ctx.compile(e)),
    filter: ctx.compileNullable(a.filter),
    orderBy: a.orderBy.map((k) => ctx.compile(k.expr)),
    sortSpecs: a.orderBy.map((k) => ({ type: k.expr.type, descending: k.descending, nullsFirst: k.nullsFirst })),
    collects: a.distinct || a.orderBy.length > 0,
  }));
  const synchronous = !needsPrepare([...keys, ...aggregates.flatMap((a) => [...a.args, a.filter, ...a.orderBy])]);
  return {
    async *run(env) {
      const groups = new Map<string, Group>();
      const groupOf = (keyValues: SqlValue[]): Group => {
        const key = rowKey(keyValues, keyTypes);
        let group = groups.get(key);
        if (group === undefined) { group = newGroup(keyValues, aggregates); groups.set(key, group); }
        return group;
      };
      for await (const batch of input.run(env)) {
        env.runtime.checkCancelled();
        if (synchronous) {
          for (const row of batch) addRowSync(groupOf(evaluateAllSync(keys, row, env)), aggregates, row, env);
          continue;
        }
        for (const row of batch) await addRow(groupOf(await evaluateAll(keys, row, env)), aggregates, row, env);
      }
      if (groups.size === 0 && keys.length === 0) groups.set('', newGroup([], aggregates));
      yield* inBatches([...groups.values()].map((g) => result(g, aggregates, env)));
    },
  };
}
