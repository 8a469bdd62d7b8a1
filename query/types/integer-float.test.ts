import { describe, expect, it } from 'vitest';
import {
  compareFloat, float8ToFloat4, floatAdd, floatDiv, floatExp, floatLn, floatMul, floatPower, floatRound, floatSqrt,
  floatSub, formatFloat, parseFloat,
} from './float.js';
import type { FloatKind } from './float.js';
import {
  int8Abs, int8Add, int8Div, int8Mod, int8Mul, int8Neg, int8Sub, intAbs, intAdd, intDiv, intMod, intMul, intNeg,
  intSub, parseBigInt, parseSmallInt,
} from './integer.js';
import type { SmallIntKind } from './integer.js';
import { loadFixture, outcome } from './testdata/fixture.js';

type Op = (args: string[]) => string;

function smallOps(kind: SmallIntKind): Record<string, Op> {
  const p = (s: string | undefined): number => parseSmallInt(s ?? '', kind);
  return {
    [`${kind}_add`]: ([a, b]) => String(intAdd(p(a), p(b), kind)),
    [`${kind}_sub`]: ([a, b]) => String(intSub(p(a), p(b), kind)),
    [`${kind}_mul`]: ([a, b]) => String(intMul(p(a), p(b), kind)),
    [`${kind}_div`]: ([a, b]) => String(intDiv(p(a), p(b), kind)),
    [`${kind}_mod`]: ([a, b]) => String(intMod(p(a), p(b))),
    [`${kind}_neg`]: ([a]) => String(intNeg(p(a), kind)),
    [`${kind}_abs`]: ([a]) => String(intAbs(p(a), kind)),
  };
}

function floatOps(kind: FloatKind): Record<string, Op> {
  const p = (s: string | undefined): number => parseFloat(s ?? '', kind);
  const out = (x: number): string => formatFloat(x, kind);
  return {
    [`${kind}_add`]: ([a, b]) => out(floatAdd(p(a), p(b), kind)),
    [`${kind}_sub`]: ([a, b]) => out(floatSub(p(a), p(b), kind)),
    [`${kind}_mul`]: ([a, b]) => out(floatMul(p(a), p(b), kind)),
    [`${kind}_div`]: ([a, b]) => out(floatDiv(p(a), p(b), kind)),
  };
}

const f8 = (s: string | undefined): number => parseFloat(s ?? '', 'float8');
const out8 = (x: number): string => formatFloat(x, 'float8');
const b = (s: string | undefined): bigint => parseBigInt(s ?? '');

const ops: Record<string, Op> = {
  ...smallOps('int2'), ...smallOps('int4'), ...floatOps('float4'), ...floatOps('float8'),
  int8_add: ([x, y]) => String(int8Add(b(x), b(y))),
  int8_sub: ([x, y]) => String(int8Sub(b(x), b(y))),
  int8_mul: ([x, y]) => String(int8Mul(b(x), b(y))),
  int8_div: ([x, y]) => String(int8Div(b(x), b(y))),
  int8_mod: ([x, y]) => String(int8Mod(b(x), b(y))),
  int8_neg: ([x]) => String(int8Neg(b(x))),
  int8_abs: ([x]) => String(int8Abs(b(x))),
  pow: ([x, y]) => out8(floatPower(f8(x), f8(y))),
  sqrt: ([x]) => out8(floatSqrt(f8(x), 'float8')),
  ln: ([x]) => out8(floatLn(f8(x))),
  exp: ([x]) => out8(floatExp(f8(x))),
  round: ([x]) => out8(floatRound(f8(x))),
  f4tof8: ([x]) => out8(parseFloat(x ?? '', 'float4')),
  f8tof4: ([x]) => formatFloat(float8ToFloat4(f8(x)), 'float4'),
  fcmp: ([x, y]) => String(compareFloat(f8(x), f8(y))),
};

describe('integer and float operators match PostgreSQL 15', () => {
  const cases = loadFixture<[string, string[], string][]>('int-float-ops.json');
  it.each(cases)('%s(%j)', (op, args, expected) => {
    const fn = ops[op];
    if (fn === undefined) throw new Error(`no implementation for ${op}`);
    expect(outcome(() => fn(args))).toBe(expected);
  });
});

describe('int2/int4 input fast path (issue 5)', () => {
  it('parses plain integers to the range edges and refuses one past them', () => {
    expect(parseSmallInt('-2147483648', 'int4')).toBe(-2147483648);
    expect(parseSmallInt('2147483647', 'int4')).toBe(2147483647);
    expect(() => parseSmallInt('2147483648', 'int4')).toThrow(/out of range for type integer/);
    expect(parseSmallInt('32767', 'int2')).toBe(32767);
    expect(() => parseSmallInt('32768', 'int2')).toThrow(/out of range for type smallint/);
    expect(() => parseSmallInt('-32769', 'int2')).toThrow(/out of range for type smallint/);
    expect(parseSmallInt('999999999', 'int4')).toBe(999999999);
    expect(parseSmallInt('000000042', 'int4')).toBe(42);
  });

  it('gives 0, never -0, and leaves anything else to the general path', () => {
    expect(Object.is(parseSmallInt('-0', 'int4'), 0)).toBe(true);
    expect(parseSmallInt(' 12 ', 'int4')).toBe(12);
    expect(parseSmallInt('+7', 'int2')).toBe(7);
    for (const bad of ['', '-', '1.5', '1e3', '--1', '12a']) expect(() => parseSmallInt(bad, 'int4'), bad).toThrow(/invalid input syntax/);
  });
});
