// Mathematical functions over the numeric types, with PostgreSQL's result
// types per overload (round(numeric, int) keeps numeric, round(2) resolves to
// the float8 overload as in PostgreSQL) and its errors.

import { SqlTypes } from '../types/sql-type.js';
import {
  floatCeil, floatExp, floatFloor, floatLn, floatLog10, floatPower, floatRound, floatSqrt, floatTrunc,
} from '../types/float.js';
import { int8Abs, int8Mod, intAbs, intMod } from '../types/integer.js';
import type { Decimal } from '../types/numeric/decimal.js';
import {
  numericAbs, numericCeil, numericDivTrunc, numericFloor, numericMod, numericRound, numericSign, numericSqrt,
  numericTrunc,
} from '../types/numeric/numeric-math.js';
import { numericExp, numericLn, numericLog, numericLog10, numericPower } from '../types/numeric/numeric-power.js';
import { bigArg, floatArg, intArg, scalar } from './define.js';
import type { ScalarOverload } from './signature.js';

const { int2, int4, int8, float4, float8, numeric } = SqlTypes;

function num(args: readonly unknown[], index: number): Decimal {
  return args[index] as Decimal;
}

const absOverloads: readonly ScalarOverload[] = [
  scalar('abs', [int2], int2, (a) => intAbs(intArg(a, 0), 'int2')),
  scalar('abs', [int4], int4, (a) => intAbs(intArg(a, 0), 'int4')),
  scalar('abs', [int8], int8, (a) => int8Abs(bigArg(a, 0))),
  scalar('abs', [float4], float4, (a) => Math.abs(floatArg(a, 0))),
  scalar('abs', [float8], float8, (a) => Math.abs(floatArg(a, 0))),
  scalar('abs', [numeric], numeric, (a) => numericAbs(num(a, 0))),
];

const roundingOverloads: readonly ScalarOverload[] = [
  scalar('round', [float8], float8, (a) => floatRound(floatArg(a, 0))),
  scalar('round', [numeric], numeric, (a) => numericRound(num(a, 0), 0)),
  scalar('round', [numeric, int4], numeric, (a) => numericRound(num(a, 0), intArg(a, 1))),
  scalar('trunc', [float8], float8, (a) => floatTrunc(floatArg(a, 0))),
  scalar('trunc', [numeric], numeric, (a) => numericTrunc(num(a, 0), 0)),
  scalar('trunc', [numeric, int4], numeric, (a) => numericTrunc(num(a, 0), intArg(a, 1))),
  ...['ceil', 'ceiling'].flatMap((name) => [
    scalar(name, [float8], float8, (a) => floatCeil(floatArg(a, 0))),
    scalar(name, [numeric], numeric, (a) => numericCeil(num(a, 0))),
  ]),
  scalar('floor', [float8], float8, (a) => floatFloor(floatArg(a, 0))),
  scalar('floor', [numeric], numeric, (a) => numericFloor(num(a, 0))),
  scalar('sign', [float8], float8, (a) => Math.sign(floatArg(a, 0)) + 0),
  scalar('sign', [numeric], numeric, (a) => numericSign(num(a, 0))),
];

const powerOverloads: readonly ScalarOverload[] = [
  ...['power', 'pow'].flatMap((name) => [
    scalar(name, [float8, float8], float8, (a) => floatPower(floatArg(a, 0), floatArg(a, 1))),
    scalar(name, [numeric, numeric], numeric, (a) => numericPower(num(a, 0), num(a, 1))),
  ]),
  scalar('sqrt', [float8], float8, (a) => floatSqrt(floatArg(a, 0), 'float8')),
  scalar('sqrt', [numeric], numeric, (a) => numericSqrt(num(a, 0))),
  scalar('cbrt', [float8], float8, (a) => Math.cbrt(floatArg(a, 0))),
  scalar('exp', [float8], float8, (a) => floatExp(floatArg(a, 0))),
  scalar('exp', [numeric], numeric, (a) => numericExp(num(a, 0))),
  scalar('ln', [float8], float8, (a) => floatLn(floatArg(a, 0))),
  scalar('ln', [numeric], numeric, (a) => numericLn(num(a, 0))),
  scalar('log', [float8], float8, (a) => floatLog10(floatArg(a, 0))),
  scalar('log', [numeric], numeric, (a) => numericLog10(num(a, 0))),
  scalar('log10', [float8], float8, (a) => floatLog10(floatArg(a, 0))),
  scalar('log10', [numeric], numeric, (a) => numericLog10(num(a, 0))),
  scalar('log', [numeric, numeric], numeric, (a) => numericLog(num(a, 0), num(a, 1))),
];

export const mathFunctions: readonly ScalarOverload[] = [
  ...absOverloads,
  ...roundingOverloads,
  ...powerOverloads,
  scalar('mod', [int2, int2], int2, (a) => intMod(intArg(a, 0), intArg(a, 1))),
  scalar('mod', [int4, int4], int4, (a) => intMod(intArg(a, 0), intArg(a, 1))),
  scalar('mod', [int8, int8], int8, (a) => int8Mod(bigArg(a, 0), bigArg(a, 1))),
  scalar('mod', [numeric, numeric], numeric, (a) => numericMod(num(a, 0), num(a, 1))),
  scalar('div', [numeric, numeric], numeric, (a) => numericDivTrunc(num(a, 0), num(a, 1))),
  scalar('pi', [], float8, () => Math.PI),
  scalar('degrees', [float8], float8, (a) => (floatArg(a, 0) * 180) / Math.PI),
  scalar('radians', [float8], float8, (a) => (floatArg(a, 0) * Math.PI) / 180),
  // Math.random is the seam here: RuntimeContext offers no random source, and random() is volatile anyway.
  scalar('random', [], float8, () => Math.random(), { volatility: 'volatile' }),
];
