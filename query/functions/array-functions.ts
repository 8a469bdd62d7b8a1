// Array functions. Arrays are nested JavaScript arrays with lower bound 1
// (query/types/array.ts); the element type comes from the resolved argument
// types, so comparisons and text forms are the element type's own.

import { arrayDimensions, flattenArray } from '../types/array.js';
import { valuesEqual } from '../types/compare.js';
import { FeatureNotSupportedError } from '../types/errors.js';
import { arrayOf, SqlTypes } from '../types/sql-type.js';
import type { ScalarSqlType, SqlType } from '../types/sql-type.js';
import type { SqlArray, SqlValue } from '../types/value.js';
import { intArg, scalar, scalarTyped } from './define.js';
import { anyArray, anyElement, polyArrayResult } from './signature.js';
import type { ScalarOverload } from './signature.js';
import { characters, valueToText } from './text-util.js';

const { int4, text } = SqlTypes;

export function elementTypeOf(type: SqlType | undefined): ScalarSqlType {
  if (type?.kind !== 'array') return SqlTypes.text;
  return type.element;
}

function dimensionLength(value: SqlArray, dimension: number): number | null {
  const dims = arrayDimensions(value);
  return dims[dimension - 1] ?? null;
}

function oneDimensional(value: SqlArray): SqlArray {
  if (arrayDimensions(value).length > 1) {
    throw new FeatureNotSupportedError('searching for elements in multidimensional arrays is not supported');
  }
  return value;
}

/** IS NOT DISTINCT FROM on elements: NULL finds NULL. */
function sameElement(a: SqlValue, b: SqlValue, element: ScalarSqlType): boolean {
  if (a === null || b === null) return a === b;
  return valuesEqual(a, b, element);
}

export function stringToArray(input: string, delimiter: string | null, nullString: string | null): SqlArray {
  if (input === '') return [];
  let parts: readonly string[];
  if (delimiter === null) parts = characters(input);
  else if (delimiter === '') parts = [input];
  else parts = input.split(delimiter);
  return parts.map((p) => (nullString !== null && p === nullString ? null : p));
}

const shapeFunctions: readonly ScalarOverload[] = [
  scalar('array_length', [anyArray, int4], int4, (a) => dimensionLength(a[0] as SqlArray, intArg(a, 1))),
  scalar('array_upper', [anyArray, int4], int4, (a) => dimensionLength(a[0] as SqlArray, intArg(a, 1))),
  scalar('array_lower', [anyArray, int4], int4, (a) => (dimensionLength(a[0] as SqlArray, intArg(a, 1)) === null ? null : 1)),
  scalar('array_ndims', [anyArray], int4, (a) => { const n = arrayDimensions(a[0] as SqlArray).length; return n === 0 ? null : n; }),
  scalar('cardinality', [anyArray], int4, (a) => flattenArray(a[0] as SqlArray).length),
];

const searchFunctions: readonly ScalarOverload[] = [
  scalarTyped('array_position', [anyArray, anyElement], int4, ([arrayType]) => (a) => {
    const array = a[0] ?? null;
    if (array === null) return null;
    const element = elementTypeOf(arrayType);
    const index = oneDimensional(array as SqlArray).findIndex((v) => sameElement(v, a[1] ?? null, element));
    return index < 0 ? null : index + 1;
  }, { strict: false }),
  scalarTyped('array_positions', [anyArray, anyElement], arrayOf(int4), ([arrayType]) => (a) => {
    const array = a[0] ?? null;
    if (array === null) return null;
    const element = elementTypeOf(arrayType);
    const out: number[] = [];
    oneDimensional(array as SqlArray).forEach((v, i) => { if (sameElement(v, a[1] ?? null, element)) out.push(i + 1); });
    return out;
  }, { strict: false }),
];

const buildFunctions: readonly ScalarOverload[] = [
  scalar('array_append', [anyArray, anyElement], polyArrayResult, (a) => [...((a[0] ?? []) as SqlArray), a[1] ?? null], { strict: false }),
  scalar('array_prepend', [anyElement, anyArray], polyArrayResult, (a) => [a[0] ?? null, ...((a[1] ?? []) as SqlArray)], { strict: false }),
  scalar('array_cat', [anyArray, anyArray], polyArrayResult, (a) => {
    if (a[0] === null && a[1] === null) return null;
    return [...((a[0] ?? []) as SqlArray), ...((a[1] ?? []) as SqlArray)];
  }, { strict: false }),
  scalarTyped('array_remove', [anyArray, anyElement], polyArrayResult, ([arrayType]) => (a) => {
    if (a[0] === null) return null;
    const element = elementTypeOf(arrayType);
    return oneDimensional(a[0] as SqlArray).filter((v) => !sameElement(v, a[1] ?? null, element));
  }, { strict: false }),
];

const textFunctions: readonly ScalarOverload[] = [
  scalar('string_to_array', [text, text], arrayOf(text), (a) => (a[0] === null ? null : stringToArray(a[0] as string, (a[1] ?? null) as string | null, null)), { strict: false }),
  scalar('string_to_array', [text, text, text], arrayOf(text), (a) => (a[0] === null ? null : stringToArray(a[0] as string, (a[1] ?? null) as string | null, (a[2] ?? null) as string | null)), { strict: false }),
  scalarTyped('array_to_string', [anyArray, text], text, ([arrayType]) => (a, env) => arrayToString(a[0] as SqlArray, a[1] as string, null, elementTypeOf(arrayType), env.typeSession)),
  scalarTyped('array_to_string', [anyArray, text, text], text, ([arrayType]) => (a, env) => arrayToString(a[0] as SqlArray, a[1] as string, a[2] as string, elementTypeOf(arrayType), env.typeSession), { strict: false }),
];

function arrayToString(array: SqlArray | null, separator: string | null, nullText: string | null, element: ScalarSqlType, session: Parameters<typeof valueToText>[2]): string | null {
  if (array === null || separator === null) return null;
  const parts: string[] = [];
  for (const v of flattenArray(array)) {
    if (v === null) { if (nullText !== null) parts.push(nullText); } else parts.push(valueToText(v, element, session));
  }
  return parts.join(separator);
}

export const arrayFunctions: readonly ScalarOverload[] = [...shapeFunctions, ...searchFunctions, ...buildFunctions, ...textFunctions];
