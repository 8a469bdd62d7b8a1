// Arithmetic operators over the numeric types, one overload per PostgreSQL
// pg_operator row: integer pairs yield the wider integer type (int2 + int2 is
// smallint), float4/float8 mixes yield float8, numeric stays numeric. Every
// result is range-checked (22003) and division by zero raises 22012.

import {
  floatAdd, floatDiv, floatMul, floatPower, floatSqrt, floatSub,
} from '../types/float.js';
import type { FloatKind } from '../types/float.js';
import {
  int8Add, int8Div, int8Mod, int8Mul, int8Neg, int8Sub, intAdd, intAnd, intDiv, intMod, intMul, intNeg, intNot, intOr,
  intSub, intXor, int8Abs, intAbs,
} from '../types/integer.js';
import type { IntKind, SmallIntKind } from '../types/integer.js';
import type { Decimal } from '../types/numeric/decimal.js';
import {
  numericAbs, numericAdd, numericDiv, numericMod, numericMul, numericNeg, numericSqrt, numericSub,
} from '../types/numeric/numeric-math.js';
import { numericPower } from '../types/numeric/numeric-power.js';
import { SqlTypes } from '../types/sql-type.js';
import type { SqlValue } from '../types/value.js';
import { binaryOperator, prefixOperator } from './define.js';
import type { OperatorFn, OperatorOverload } from './signature.js';

const intKinds: readonly IntKind[] = ['int2', 'int4', 'int8'];
const intRank: Record<IntKind, number> = { int2: 0, int4: 1, int8: 2 };

type IntOps = { readonly small: (a: number, b: number, kind: SmallIntKind) => number; readonly big: (a: bigint, b: bigint) => bigint };

const intOps: Record<string, IntOps> = {
  '+': { small: intAdd, big: int8Add },
  '-': { small: intSub, big: int8Sub },
  '*': { small: intMul, big: int8Mul },
  '/': { small: intDiv, big: int8Div },
  '%': { small: (a, b) => intMod(a, b), big: int8Mod },
};

function toBig(v: SqlValue): bigint {
  return typeof v === 'bigint' ? v : BigInt(v as number);
}

function integerOperator(symbol: string, ops: IntOps, left: IntKind, right: IntKind): OperatorOverload {
  const result: IntKind = intRank[left] >= intRank[right] ? left : right;
  const fn: OperatorFn = result === 'int8'
    ? (a, b) => ops.big(toBig(a), toBig(b))
    : (a, b) => ops.small(a as number, b as number, result);
  return binaryOperator(symbol, SqlTypes[left], SqlTypes[right], SqlTypes[result], fn);
}

function floatOperator(symbol: string, op: (a: number, b: number, kind: FloatKind) => number): OperatorOverload[] {
  const { float4, float8 } = SqlTypes;
  return [
    binaryOperator(symbol, float4, float4, float4, (a, b) => op(a as number, b as number, 'float4')),
    binaryOperator(symbol, float8, float8, float8, (a, b) => op(a as number, b as number, 'float8')),
    binaryOperator(symbol, float4, float8, float8, (a, b) => op(a as number, b as number, 'float8')),
    binaryOperator(symbol, float8, float4, float8, (a, b) => op(a as number, b as number, 'float8')),
  ];
}

const numericOps: Record<string, (a: Decimal, b: Decimal) => Decimal> = {
  '+': numericAdd, '-': numericSub, '*': numericMul, '/': numericDiv, '%': numericMod,
};

const floatOps: Record<string, (a: number, b: number, kind: FloatKind) => number> = {
  '+': floatAdd, '-': floatSub, '*': floatMul, '/': floatDiv,
};

function arithmetic(): OperatorOverload[] {
  const out: OperatorOverload[] = [];
  for (const [symbol, ops] of Object.entries(intOps)) {
    for (const left of intKinds) for (const right of intKinds) out.push(integerOperator(symbol, ops, left, right));
  }
  for (const [symbol, op] of Object.entries(floatOps)) out.push(...floatOperator(symbol, op));
  for (const [symbol, op] of Object.entries(numericOps)) {
    out.push(binaryOperator(symbol, SqlTypes.numeric, SqlTypes.numeric, SqlTypes.numeric, (a, b) => op(a as Decimal, b as Decimal)));
  }
  out.push(binaryOperator('^', SqlTypes.float8, SqlTypes.float8, SqlTypes.float8, (a, b) => floatPower(a as number, b as number)));
  out.push(binaryOperator('^', SqlTypes.numeric, SqlTypes.numeric, SqlTypes.numeric, (a, b) => numericPower(a as Decimal, b as Decimal)));
  return out;
}

function prefixArithmetic(): OperatorOverload[] {
  const { int2, int4, int8, float4, float8, numeric } = SqlTypes;
  const out: OperatorOverload[] = [
    prefixOperator('-', int2, int2, (a) => intNeg(a as number, 'int2')),
    prefixOperator('-', int4, int4, (a) => intNeg(a as number, 'int4')),
    prefixOperator('-', int8, int8, (a) => int8Neg(a as bigint)),
    prefixOperator('-', float4, float4, (a) => -(a as number)),
    prefixOperator('-', float8, float8, (a) => -(a as number)),
    prefixOperator('-', numeric, numeric, (a) => numericNeg(a as Decimal)),
    prefixOperator('@', int2, int2, (a) => intAbs(a as number, 'int2')),
    prefixOperator('@', int4, int4, (a) => intAbs(a as number, 'int4')),
    prefixOperator('@', int8, int8, (a) => int8Abs(a as bigint)),
    prefixOperator('@', float8, float8, (a) => Math.abs(a as number)),
    prefixOperator('@', numeric, numeric, (a) => numericAbs(a as Decimal)),
    prefixOperator('|/', float8, float8, (a) => floatSqrt(a as number, 'float8')),
    prefixOperator('|/', numeric, numeric, (a) => numericSqrt(a as Decimal)),
    prefixOperator('||/', float8, float8, (a) => Math.cbrt(a as number)),
  ];
  for (const type of [int2, int4, int8, float4, float8, numeric]) out.push(prefixOperator('+', type, type, (a) => a));
  return out;
}

function shift(a: SqlValue, b: SqlValue, kind: IntKind, left: boolean): SqlValue {
  const count = b as number;
  if (kind === 'int8') {
    const n = BigInt(count & 63);
    return BigInt.asIntN(64, left ? (a as bigint) << n : (a as bigint) >> n);
  }
  const bits = kind === 'int2' ? 16 : 32;
  const value = left ? (a as number) << (count & 31) : (a as number) >> (count & 31);
  return bits === 16 ? (value << 16) >> 16 : value | 0;
}

function bitwise(): OperatorOverload[] {
  const out: OperatorOverload[] = [];
  for (const kind of intKinds) {
    const t = SqlTypes[kind];
    if (kind === 'int8') {
      out.push(binaryOperator('&', t, t, t, (a, b) => (a as bigint) & (b as bigint)));
      out.push(binaryOperator('|', t, t, t, (a, b) => (a as bigint) | (b as bigint)));
      out.push(binaryOperator('#', t, t, t, (a, b) => (a as bigint) ^ (b as bigint)));
      out.push(prefixOperator('~', t, t, (a) => ~(a as bigint)));
    } else {
      out.push(binaryOperator('&', t, t, t, (a, b) => intAnd(a as number, b as number)));
      out.push(binaryOperator('|', t, t, t, (a, b) => intOr(a as number, b as number)));
      out.push(binaryOperator('#', t, t, t, (a, b) => intXor(a as number, b as number)));
      out.push(prefixOperator('~', t, t, (a) => intNot(a as number, kind)));
    }
    out.push(binaryOperator('<<', t, SqlTypes.int4, t, (a, b) => shift(a, b, kind, true)));
    out.push(binaryOperator('>>', t, SqlTypes.int4, t, (a, b) => shift(a, b, kind, false)));
  }
  return out;
}

export const arithmeticOperators: readonly OperatorOverload[] = [...arithmetic(), ...prefixArithmetic(), ...bitwise()];

