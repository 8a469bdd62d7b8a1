// ARRAY[...] constructors, subscripts and slices (1-based, NULL when out of
// range, as PostgreSQL's), and `x op ANY|ALL (array)` with three-valued logic.

import type { OperatorFn } from '../../functions/index.js';
import { arrayDimensions, flattenArray } from '../../types/array.js';
import { SqlError } from '../../types/errors.js';
import type { SqlArray, SqlValue } from '../../types/value.js';
import { withChildren } from './compiled.js';
import type { CompiledExpr } from './compiled.js';

export function compileArray(elements: readonly CompiledExpr[], nested: boolean): CompiledExpr {
  const evaluators = elements.map((e) => e.evaluate);
  return withChildren((row, env) => {
    const values = evaluators.map((e) => e(row, env));
    if (nested) checkRectangular(values);
    return values;
  }, elements);
}

/** ARRAY[[1,2],[3]] is refused: sub-arrays must have matching dimensions. */
function checkRectangular(values: readonly SqlValue[]): void {
  const dims = values.map((v) => (v === null ? 'null' : arrayDimensions(v as SqlArray).join('x')));
  if (dims.some((d) => d !== dims[0]) || dims.includes('null')) {
    throw new SqlError('2202E', 'multidimensional arrays must have array expressions with matching dimensions');
  }
}

export function compileSubscript(arg: CompiledExpr, index: CompiledExpr | null, lower: CompiledExpr | null, upper: CompiledExpr | null, slice: boolean): CompiledExpr {
  const a = arg.evaluate;
  const children = [arg, index, lower, upper].filter((c): c is CompiledExpr => c !== null);
  if (!slice) {
    const i = index?.evaluate ?? ((): SqlValue => null);
    return withChildren((row, env) => {
      const array = a(row, env);
      const n = i(row, env);
      if (array === null || n === null) return null;
      const v = (array as SqlArray)[(n as number) - 1];
      // One subscript on a multi-dimensional array is NULL in PostgreSQL.
      return v === undefined || Array.isArray(v) ? null : v;
    }, children);
  }
  const lo = lower?.evaluate ?? null;
  const hi = upper?.evaluate ?? null;
  return withChildren((row, env) => {
    const array = a(row, env);
    if (array === null) return null;
    const items = array as SqlArray;
    const l = lo === null ? 1 : lo(row, env);
    const h = hi === null ? items.length : hi(row, env);
    if (l === null || h === null) return null;
    return items.slice(Math.max(1, l as number) - 1, Math.max(0, h as number));
  }, children);
}

/** ANY: TRUE if some comparison is, else NULL if some is NULL, else FALSE. ALL: the dual. */
export function quantify(values: Iterable<SqlValue>, left: SqlValue, compare: (a: SqlValue, b: SqlValue) => SqlValue, quantifier: 'any' | 'all'): SqlValue {
  const decisive = quantifier === 'any';
  let sawNull = false;
  for (const v of values) {
    const r = left === null || v === null ? null : compare(left, v);
    if (r === null) sawNull = true;
    else if (r === decisive) return decisive;
  }
  return sawNull ? null : !decisive;
}

export function compileQuantifiedArray(left: CompiledExpr, array: CompiledExpr, compare: OperatorFn, quantifier: 'any' | 'all'): CompiledExpr {
  const l = left.evaluate;
  const a = array.evaluate;
  return withChildren((row, env) => {
    const values = a(row, env);
    if (values === null) return null;
    const x = l(row, env);
    return quantify(flattenArray(values as SqlArray), x, (p, q) => compare(p, q, env), quantifier);
  }, [left, array]);
}
