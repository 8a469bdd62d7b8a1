// Comparison operators: one family per type (the type's own total order from
// query/types/compare.ts), plus PostgreSQL's cross-type integer and float
// families so `int8col = 5` compares without casting the column.

import { compareValues } from '../types/compare.js';
import { compareFloat } from '../types/float.js';
import { SqlTypes } from '../types/sql-type.js';
import type { ScalarKind, SqlType } from '../types/sql-type.js';
import type { SqlValue } from '../types/value.js';
import { binaryOperator, binaryOperatorTyped } from './define.js';
import { anyArray } from './signature.js';
import type { OperatorFn, OperatorOverload } from './signature.js';

export const comparisonSymbols = ['=', '<>', '<', '<=', '>', '>='] as const;
export type ComparisonSymbol = (typeof comparisonSymbols)[number];

/** Turns a three-way comparison into the operator's boolean. */
export function comparisonTest(symbol: ComparisonSymbol): (c: number) => boolean {
  switch (symbol) {
    case '=': return (c) => c === 0;
    case '<>': return (c) => c !== 0;
    case '<': return (c) => c < 0;
    case '<=': return (c) => c <= 0;
    case '>': return (c) => c > 0;
    case '>=': return (c) => c >= 0;
  }
}

/** Mixed number/bigint comparison: JavaScript's relational operators compare them exactly. */
function compareIntegers(a: SqlValue, b: SqlValue): number {
  const x = a as number | bigint;
  const y = b as number | bigint;
  return x < y ? -1 : x > y ? 1 : 0;
}

const comparableKinds: readonly ScalarKind[] = [
  'bool', 'int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'text', 'bpchar', 'bytea', 'uuid', 'date', 'time',
  'timestamp', 'timestamptz', 'interval', 'jsonb',
];

function family(left: SqlType, right: SqlType, compare: (a: SqlValue, b: SqlValue) => number): OperatorOverload[] {
  return comparisonSymbols.map((symbol) => {
    const test = comparisonTest(symbol);
    const fn: OperatorFn = (a, b) => test(compare(a, b));
    return binaryOperator(symbol, left, right, SqlTypes.bool, fn, symbol === '=');
  });
}

function sameTypeFamilies(): OperatorOverload[] {
  const out: OperatorOverload[] = [];
  for (const kind of comparableKinds) {
    const type = SqlTypes[kind];
    if (kind === 'int2' || kind === 'int4' || kind === 'date' || kind === 'time') {
      out.push(...family(type, type, (a, b) => ((a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0)));
    } else if (kind === 'int8' || kind === 'timestamp' || kind === 'timestamptz') {
      out.push(...family(type, type, (a, b) => ((a as bigint) < (b as bigint) ? -1 : (a as bigint) > (b as bigint) ? 1 : 0)));
    } else {
      out.push(...family(type, type, (a, b) => compareValues(a, b, type)));
    }
  }
  return out;
}

function crossTypeFamilies(): OperatorOverload[] {
  const out: OperatorOverload[] = [];
  const ints = [SqlTypes.int2, SqlTypes.int4, SqlTypes.int8];
  for (const left of ints) for (const right of ints) if (left !== right) out.push(...family(left, right, compareIntegers));
  out.push(...family(SqlTypes.float4, SqlTypes.float8, (a, b) => compareFloat(a as number, b as number)));
  out.push(...family(SqlTypes.float8, SqlTypes.float4, (a, b) => compareFloat(a as number, b as number)));
  return out;
}

function arrayFamily(): OperatorOverload[] {
  return comparisonSymbols.map((symbol) => {
    const test = comparisonTest(symbol);
    return binaryOperatorTyped(symbol, anyArray, anyArray, SqlTypes.bool, ([type]) => {
      const t = type ?? SqlTypes.text;
      return (a, b) => test(compareValues(a, b, t));
    }, symbol === '=');
  });
}

export const comparisonOperators: readonly OperatorOverload[] = [...sameTypeFamilies(), ...crossTypeFamilies(), ...arrayFamily()];
