// Concatenation (||), array containment and overlap, bytea concatenation and
// the POSIX regular-expression match operators.

import { flattenArray } from '../types/array.js';
import { valuesEqual } from '../types/compare.js';
import { SqlTypes } from '../types/sql-type.js';
import type { SqlType } from '../types/sql-type.js';
import type { SqlArray } from '../types/value.js';
import { checkText } from '../types/character.js';
import { elementTypeOf } from './array-functions.js';
import { binaryOperator, binaryOperatorTyped } from './define.js';
import { compileRegex } from './regex.js';
import { anyArray, anyElement, anyNonArray, polyArrayResult } from './signature.js';
import type { OperatorOverload } from './signature.js';
import { castValueToText } from './text-util.js';

const { text, bool, bytea } = SqlTypes;

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function arrayContains(haystack: SqlArray, needles: SqlArray, element: SqlType): boolean {
  const items = flattenArray(haystack);
  return flattenArray(needles).every((n) => n !== null && items.some((h) => h !== null && valuesEqual(h, n, element)));
}

function arrayOverlaps(a: SqlArray, b: SqlArray, element: SqlType): boolean {
  const items = flattenArray(a);
  return flattenArray(b).some((n) => n !== null && items.some((h) => h !== null && valuesEqual(h, n, element)));
}

const concatOperators: readonly OperatorOverload[] = [
  binaryOperator('||', text, text, text, (a, b) => checkText((a as string) + (b as string))),
  // textanycat / anytextcat cast the other side to text, so booleans read 'true' (unlike concat()).
  binaryOperatorTyped('||', text, anyNonArray, text, ([, right]) => (a, b, env) => (a as string) + castValueToText(b, right ?? text, env.typeSession)),
  binaryOperatorTyped('||', anyNonArray, text, text, ([left]) => (a, b, env) => castValueToText(a, left ?? text, env.typeSession) + (b as string)),
  binaryOperator('||', bytea, bytea, bytea, (a, b) => concatBytes(a as Uint8Array, b as Uint8Array)),
  binaryOperator('||', anyArray, anyArray, polyArrayResult, (a, b) => [...(a as SqlArray), ...(b as SqlArray)]),
  binaryOperator('||', anyArray, anyElement, polyArrayResult, (a, b) => [...(a as SqlArray), b]),
  binaryOperator('||', anyElement, anyArray, polyArrayResult, (a, b) => [a, ...(b as SqlArray)]),
];

const arrayOperators: readonly OperatorOverload[] = [
  binaryOperatorTyped('@>', anyArray, anyArray, bool, ([t]) => (a, b) => arrayContains(a as SqlArray, b as SqlArray, elementTypeOf(t))),
  binaryOperatorTyped('<@', anyArray, anyArray, bool, ([t]) => (a, b) => arrayContains(b as SqlArray, a as SqlArray, elementTypeOf(t))),
  binaryOperatorTyped('&&', anyArray, anyArray, bool, ([t]) => (a, b) => arrayOverlaps(a as SqlArray, b as SqlArray, elementTypeOf(t))),
];

/** char(n) has its own regex operators in PostgreSQL: they match the blank-padded value. */
const regexOperators: readonly OperatorOverload[] = [SqlTypes.text, SqlTypes.bpchar].flatMap((left) => [
  binaryOperator('~', left, text, bool, (a, b) => compileRegex(b as string, '').test(a as string)),
  binaryOperator('~*', left, text, bool, (a, b) => compileRegex(b as string, 'i').test(a as string)),
  binaryOperator('!~', left, text, bool, (a, b) => !compileRegex(b as string, '').test(a as string)),
  binaryOperator('!~*', left, text, bool, (a, b) => !compileRegex(b as string, 'i').test(a as string)),
]);

export const miscOperators: readonly OperatorOverload[] = [...concatOperators, ...arrayOperators, ...regexOperators];
