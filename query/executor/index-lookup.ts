// Index lookup: TableAccess.lookup with the key computed once per run — the
// OLTP fast path (`WHERE aid = $1`). IN lists and `= ANY (array)` make one
// lookup per distinct key.

import type { LookupKey, PhysicalPlan } from '../planner/index.js';
import { flattenArray } from '../types/array.js';
import type { SqlArray, SqlValue } from '../types/value.js';
import type { ExecEnv, Row } from './env.js';
import { evaluateAll, evaluateAsync, holds } from './eval/compiled.js';
import type { CompiledExpr } from './eval/compiled.js';
import { lookupKey } from './lookup-keys.js';
import type { BuildContext, ExecNode } from './node.js';
import { rowKey } from './row-key.js';

const noRow: Row = [];

type CompiledKey =
  | { readonly kind: 'value'; readonly expr: CompiledExpr }
  | { readonly kind: 'list'; readonly exprs: readonly CompiledExpr[] }
  | { readonly kind: 'array'; readonly expr: CompiledExpr };

function compileKey(key: LookupKey, ctx: BuildContext): CompiledKey {
  switch (key.kind) {
    case 'value': return { kind: 'value', expr: ctx.compile(key.expr) };
    case 'list': return { kind: 'list', exprs: key.exprs.map((e) => ctx.compile(e)) };
    case 'array': return { kind: 'array', expr: ctx.compile(key.expr) };
  }
}

/** The values one index column is looked up with (NULLs never match). */
async function columnValues(key: CompiledKey, env: ExecEnv): Promise<SqlValue[]> {
  switch (key.kind) {
    case 'value': return [await evaluateAsync(key.expr, noRow, env)];
    case 'list': return evaluateAll(key.exprs, noRow, env);
    case 'array': {
      const array = await evaluateAsync(key.expr, noRow, env);
      return array === null ? [] : flattenArray(array as SqlArray);
    }
  }
}

/** Every combination of the columns' values, without repeats. */
function combinations(columns: readonly SqlValue[][]): SqlValue[][] {
  let out: SqlValue[][] = [[]];
  for (const values of columns) out = out.flatMap((prefix) => values.map((v) => [...prefix, v]));
  const seen = new Set<string>();
  return out.filter((combo) => {
    const k = rowKey(combo, []);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export function buildIndexLookup(plan: PhysicalPlan & { kind: 'indexLookup' }, ctx: BuildContext): ExecNode {
  const keys = plan.keys.map((k) => compileKey(k, ctx));
  const filter = ctx.compileNullable(plan.filter);
  const single = keys.every((k) => k.kind === 'value');
  const { table, index, withKey } = plan;
  return {
    async *run(env) {
      env.runtime.checkCancelled();
      const perColumn: SqlValue[][] = [];
      for (const key of keys) perColumn.push(await columnValues(key, env));
      const out: Row[] = [];
      for (const combo of single ? [perColumn.map((v) => v[0] ?? null)] : combinations(perColumn)) {
        const key = lookupKey(table, index, combo);
        if (key === null) continue;
        for (const handle of await env.runtime.access.lookup(table, index, key)) {
          const row: Row = withKey ? [...handle.row, handle.key as SqlValue] : handle.row;
          if (filter === null || await holds(filter, row, env)) out.push(row);
        }
      }
      if (out.length > 0) yield out;
    },
  };
}
