import { describe, expect, it } from 'vitest';
import { Decimal, formatNumeric, parseNumeric } from './numeric/decimal.js';
import {
  compareNumeric, numericAbs, numericAdd, numericCeil, numericDiv, numericDivTrunc, numericFloor, numericMod, numericMul,
  applyNumericTypmod, numericNeg, numericRound, numericSign, numericSqrt, numericSub, numericToInt, numericTrunc,
} from './numeric/numeric-math.js';
import { numericExp, numericLn, numericLog, numericLog10, numericPower } from './numeric/numeric-power.js';
import { numericToFloat } from './cast.js';
import { formatFloat } from './float.js';
import { loadFixture, outcome } from './testdata/fixture.js';

const n = parseNumeric;
const text = (d: Decimal): string => formatNumeric(d);

/** Average of integers as PostgreSQL's avg(int) computes it: numeric sum / count. */
function avgInt(arrayText: string): Decimal {
  const items = arrayText.slice(1, -1).split(',').map((s) => Decimal.fromInteger(BigInt(s)));
  const sum = items.reduce((a, b) => numericAdd(a, b), Decimal.Zero);
  return numericDiv(sum, Decimal.fromInteger(items.length));
}

const ops: Record<string, (args: string[]) => string> = {
  add: ([a = '', b = '']) => text(numericAdd(n(a), n(b))),
  sub: ([a = '', b = '']) => text(numericSub(n(a), n(b))),
  mul: ([a = '', b = '']) => text(numericMul(n(a), n(b))),
  div: ([a = '', b = '']) => text(numericDiv(n(a), n(b))),
  mod: ([a = '', b = '']) => text(numericMod(n(a), n(b))),
  divtrunc: ([a = '', b = '']) => text(numericDivTrunc(n(a), n(b))),
  cmp: ([a = '', b = '']) => String(compareNumeric(n(a), n(b))),
  round: ([a = '', s = '']) => text(numericRound(n(a), Number(s))),
  trunc: ([a = '', s = '']) => text(numericTrunc(n(a), Number(s))),
  round0: ([a = '']) => text(numericRound(n(a))),
  ceil: ([a = '']) => text(numericCeil(n(a))),
  floor: ([a = '']) => text(numericFloor(n(a))),
  abs: ([a = '']) => text(numericAbs(n(a))),
  sign: ([a = '']) => text(numericSign(n(a))),
  neg: ([a = '']) => text(numericNeg(n(a))),
  sqrt: ([a = '']) => text(numericSqrt(n(a))),
  power: ([a = '', b = '']) => text(numericPower(n(a), n(b))),
  ln: ([a = '']) => text(numericLn(n(a))),
  log10: ([a = '']) => text(numericLog10(n(a))),
  log: ([a = '', b = '']) => text(numericLog(n(a), n(b))),
  exp: ([a = '']) => text(numericExp(n(a))),
  to_int4: ([a = '']) => String(numericToInt(n(a), 'int4')),
  to_int2: ([a = '']) => String(numericToInt(n(a), 'int2')),
  to_int8: ([a = '']) => String(numericToInt(n(a), 'int8')),
  to_float8: ([a = '']) => formatFloat(numericToFloat(n(a), 'float8'), 'float8'),
  to_float4: ([a = '']) => formatFloat(numericToFloat(n(a), 'float4'), 'float4'),
  avg_int: ([a = '']) => text(avgInt(a)),
};

describe('numeric operations match PostgreSQL 15', () => {
  const cases = loadFixture<[string, string[], string][]>('numeric-ops.json');
  it.each(cases)('%s(%j)', (op, args, expected) => {
    const fn = ops[op];
    if (fn === undefined) throw new Error(`no implementation for ${op}`);
    expect(outcome(() => fn(args))).toBe(expected);
  });
});

describe('numeric input fast paths (issue 5)', () => {
  const parts = (d: Decimal): [string, bigint, number] => [d.kind, d.coefficient, d.scale];

  it('parses plain numbers as the general path does, at the 15-digit boundary and around it', () => {
    const cases: readonly [string, bigint, number][] = [
      ['0', 0n, 0], ['-0', 0n, 0], ['-0.00', 0n, 2], ['007', 7n, 0], ['.5', 5n, 1], ['5.', 5n, 0], ['17.00', 1700n, 2],
      ['-21168.23', -2116823n, 2], ['999999999999999', 999999999999999n, 0], ['-99999999999999.9', -999999999999999n, 1],
      // 16 digits and more: the general path, exactly.
      ['9007199254740993', 9007199254740993n, 0], ['-1234567890.123456789', -1234567890123456789n, 9],
      ['+1.5', 15n, 1], [' 2.50 ', 250n, 2], ['1e3', 1000n, 0],
    ];
    for (const [input, coefficient, scale] of cases) expect(parts(parseNumeric(input)), input).toEqual(['finite', coefficient, scale]);
    expect(parseNumeric('-0').sign()).toBe(0);
  });

  it('leaves malformed plain-looking input to the general path, which rejects it', () => {
    for (const input of ['', '-', '.', '-.', '1.2.3', '1-2', '--1', '1.5x']) expect(() => parseNumeric(input), input).toThrow(/invalid input syntax/);
  });

  it('keeps a value already at the typmod scale only when it fits the precision', () => {
    expect(text(applyNumericTypmod(parseNumeric('99999.99'), 7, 2))).toBe('99999.99');
    expect(text(applyNumericTypmod(parseNumeric('-99999.99'), 7, 2))).toBe('-99999.99');
    expect(() => applyNumericTypmod(parseNumeric('100000.00'), 7, 2)).toThrow(/numeric field overflow/);
    expect(() => applyNumericTypmod(parseNumeric('-100000.00'), 7, 2)).toThrow(/numeric field overflow/);
    expect(text(applyNumericTypmod(parseNumeric('0.00'), 2, 2))).toBe('0.00');
    expect(text(applyNumericTypmod(parseNumeric('1.005'), 15, 2))).toBe('1.01');
  });
});
