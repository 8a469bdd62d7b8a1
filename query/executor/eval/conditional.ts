// CASE, COALESCE, NULLIF, GREATEST/LEAST and IN lists.

import type { OperatorFn } from '../../functions/index.js';
import { compareValues } from '../../types/compare.js';
import type { SqlType } from '../../types/sql-type.js';
import type { SqlValue } from '../../types/value.js';
import { valueKey } from '../row-key.js';
import { withChildren } from './compiled.js';
import type { CompiledExpr } from './compiled.js';

/** The current operand of a simple CASE, read by its WHEN comparisons. */
export interface CaseOperandBox {
  value: SqlValue;
}

export function compileCase(operand: CompiledExpr | null, box: CaseOperandBox, whens: readonly { condition: CompiledExpr; result: CompiledExpr }[], elseResult: CompiledExpr): CompiledExpr {
  const conditions = whens.map((w) => w.condition.evaluate);
  const results = whens.map((w) => w.result.evaluate);
  const otherwise = elseResult.evaluate;
  const operandEval = operand?.evaluate ?? null;
  const children = [...(operand === null ? [] : [operand]), ...whens.flatMap((w) => [w.condition, w.result]), elseResult];
  return withChildren((row, env) => {
    if (operandEval !== null) box.value = operandEval(row, env);
    for (let i = 0; i < conditions.length; i++) {
      if ((conditions[i] as (typeof conditions)[number])(row, env) === true) return (results[i] as (typeof results)[number])(row, env);
    }
    return otherwise(row, env);
  }, children);
}

export function compileCoalesce(args: readonly CompiledExpr[]): CompiledExpr {
  const evaluators = args.map((a) => a.evaluate);
  return withChildren((row, env) => {
    for (const e of evaluators) {
      const v = e(row, env);
      if (v !== null) return v;
    }
    return null;
  }, args);
}

export function compileNullIf(left: CompiledExpr, right: CompiledExpr, equals: OperatorFn): CompiledExpr {
  const l = left.evaluate;
  const r = right.evaluate;
  return withChildren((row, env) => {
    const a = l(row, env);
    if (a === null) return null;
    const b = r(row, env);
    return b !== null && equals(a, b, env) === true ? null : a;
  }, [left, right]);
}

/** GREATEST/LEAST ignore NULLs; all NULL gives NULL. */
export function compileMinMax(op: 'greatest' | 'least', args: readonly CompiledExpr[], type: SqlType): CompiledExpr {
  const evaluators = args.map((a) => a.evaluate);
  const sign = op === 'greatest' ? 1 : -1;
  return withChildren((row, env) => {
    let best: SqlValue = null;
    for (const e of evaluators) {
      const v = e(row, env);
      if (v !== null && (best === null || sign * compareValues(v, best, type) > 0)) best = v;
    }
    return best;
  }, args);
}

function notOf(v: SqlValue, negated: boolean): SqlValue {
  return v === null ? null : negated ? !v : v;
}

/** IN (list): TRUE on a match, else NULL if any item was NULL, else FALSE. Constant lists become a hash set. */
export function compileInList(arg: CompiledExpr, list: readonly CompiledExpr[], constants: readonly SqlValue[] | null, type: SqlType, equals: OperatorFn, negated: boolean): CompiledExpr {
  const a = arg.evaluate;
  if (constants !== null) {
    const set = new Set(constants.filter((c) => c !== null).map((c) => valueKey(c, type)));
    const hasNull = constants.some((c) => c === null);
    return withChildren((row, env) => {
      const v = a(row, env);
      if (v === null) return null;
      return notOf(set.has(valueKey(v, type)) ? true : hasNull ? null : false, negated);
    }, [arg]);
  }
  const items = list.map((l) => l.evaluate);
  return withChildren((row, env) => {
    const v = a(row, env);
    if (v === null) return null;
    let sawNull = false;
    for (const item of items) {
      const x = item(row, env);
      if (x === null) { sawNull = true; continue; }
      if (equals(v, x, env) === true) return notOf(true, negated);
    }
    return notOf(sawNull ? null : false, negated);
  }, [arg, ...list]);
}
