// numeric arithmetic with PostgreSQL's result scales. Every operation is exact
// BigInt arithmetic followed by one rounding (half away from zero), which is
// what PostgreSQL's digit-by-digit algorithms produce.

import {
  DivisionByZeroError, FeatureNotSupportedError, InvalidArgumentForPowerFunctionError,
  NumericValueOutOfRangeError,
} from '../errors.js';
import { intOutOfRange } from '../integer.js';
import type { IntKind } from '../integer.js';
import { absBigInt, Decimal, integerDigits, numericDisplayScaleMax, pow10 } from './decimal.js';

/** PostgreSQL's scale-selection constants. */
export const numericMinSignificantDigits = 16; // NUMERIC_MIN_SIG_DIGITS
export const numericMaxDisplayScale = 1000; // NUMERIC_MAX_DISPLAY_SCALE
export const numericMaxResultScale = 2000; // NUMERIC_MAX_RESULT_SCALE

/** num / den rounded half away from zero. */
export function divRoundHalfAway(num: bigint, den: bigint): bigint {
  const q = num / den;
  const r = num % den;
  if (r === 0n) return q;
  const twiceR = absBigInt(r) * 2n;
  if (twiceR < absBigInt(den)) return q;
  return (num < 0n) === (den < 0n) ? q + 1n : q - 1n;
}

/** The coefficient of `d` expressed at `scale` (rounding when scale shrinks). */
export function coefficientAt(d: Decimal, scale: number): bigint {
  if (scale === d.scale) return d.coefficient;
  if (scale >= d.scale) return d.coefficient * pow10(scale - d.scale);
  return divRoundHalfAway(d.coefficient, pow10(d.scale - scale));
}

function truncatedCoefficientAt(d: Decimal, scale: number): bigint {
  if (scale >= d.scale) return d.coefficient * pow10(scale - d.scale);
  return d.coefficient / pow10(d.scale - scale);
}

/** Total order of PostgreSQL: -Infinity < finite < Infinity < NaN. */
export function compareNumeric(a: Decimal, b: Decimal): number {
  const ra = specialRank(a);
  const rb = specialRank(b);
  if (ra !== rb || ra !== 1) return ra < rb ? -1 : ra > rb ? 1 : 0;
  const scale = Math.max(a.scale, b.scale);
  const ca = coefficientAt(a, scale);
  const cb = coefficientAt(b, scale);
  return ca < cb ? -1 : ca > cb ? 1 : 0;
}

function specialRank(d: Decimal): number {
  switch (d.kind) {
    case '-infinity': return 0;
    case 'finite': return 1;
    case 'infinity': return 2;
    case 'nan': return 3;
  }
}

export function numericEquals(a: Decimal, b: Decimal): boolean {
  return compareNumeric(a, b) === 0;
}

/** The same value with trailing fraction zeros removed (1.500 → 1.5): a canonical form for hashing. */
export function normalizeNumeric(d: Decimal): Decimal {
  if (!d.isFinite() || d.scale === 0) return d;
  let c = d.coefficient;
  let s = d.scale;
  while (s > 0 && c % 10n === 0n) { c /= 10n; s--; }
  return Decimal.of(c, s);
}

function infinityOfSign(sign: number): Decimal {
  return sign > 0 ? Decimal.Infinity : Decimal.NegativeInfinity;
}

export function numericAdd(a: Decimal, b: Decimal): Decimal {
  if (!a.isFinite() || !b.isFinite()) {
    if (a.isNaN() || b.isNaN()) return Decimal.NaN;
    if (!a.isFinite() && !b.isFinite() && a.kind !== b.kind) return Decimal.NaN;
    return a.isFinite() ? b : a;
  }
  const scale = Math.max(a.scale, b.scale);
  return Decimal.of(coefficientAt(a, scale) + coefficientAt(b, scale), scale);
}

export function numericNeg(a: Decimal): Decimal {
  switch (a.kind) {
    case 'nan': return a;
    case 'infinity': return Decimal.NegativeInfinity;
    case '-infinity': return Decimal.Infinity;
    case 'finite': return Decimal.of(-a.coefficient, a.scale);
  }
}

export function numericSub(a: Decimal, b: Decimal): Decimal {
  if (!a.isFinite() || !b.isFinite()) return numericAdd(a, numericNeg(b));
  const scale = Math.max(a.scale, b.scale);
  return Decimal.of(coefficientAt(a, scale) - coefficientAt(b, scale), scale);
}

export function numericMul(a: Decimal, b: Decimal): Decimal {
  if (!a.isFinite() || !b.isFinite()) {
    if (a.isNaN() || b.isNaN()) return Decimal.NaN;
    const sign = a.sign() * b.sign();
    return sign === 0 ? Decimal.NaN : infinityOfSign(sign);
  }
  const scale = a.scale + b.scale;
  const product = Decimal.ofUnchecked(a.coefficient * b.coefficient, scale);
  // PostgreSQL rounds a product whose scale exceeds the storable maximum.
  return scale > numericDisplayScaleMax ? numericRound(product, numericDisplayScaleMax) : Decimal.of(product.coefficient, scale);
}

/** Base-10000 weight and leading base-10000 digit, as in PostgreSQL's NumericVar. */
export function baseWeightAndFirstDigit(d: Decimal): [weight: number, firstDigit: number] {
  if (d.coefficient === 0n) return [0, 0];
  const digits = absBigInt(d.coefficient).toString();
  const exponent = digits.length - 1 - d.scale;
  const weight = Math.floor(exponent / 4);
  const leading = exponent - 4 * weight + 1;
  return [weight, Number(digits.slice(0, leading).padEnd(leading, '0'))];
}

/** select_div_scale(): at least 16 significant digits, never fewer than either input's scale. */
export function divisionScale(a: Decimal, b: Decimal): number {
  const [weight1, first1] = baseWeightAndFirstDigit(a);
  const [weight2, first2] = baseWeightAndFirstDigit(b);
  let quotientWeight = weight1 - weight2;
  if (first1 <= first2) quotientWeight--;
  let scale = numericMinSignificantDigits - quotientWeight * 4;
  scale = Math.max(scale, a.scale, b.scale, 0);
  return Math.min(scale, numericMaxDisplayScale);
}

function divideSpecial(a: Decimal, b: Decimal): Decimal {
  if (a.isNaN() || b.isNaN()) return Decimal.NaN;
  if (!a.isFinite()) {
    if (!b.isFinite()) return Decimal.NaN;
    const sign = b.sign();
    if (sign === 0) throw new DivisionByZeroError();
    return infinityOfSign(a.sign() * sign);
  }
  return Decimal.Zero; // finite / ±Infinity
}

/** numeric_div: 1::numeric / 3 = 0.33333333333333333333. */
export function numericDiv(a: Decimal, b: Decimal): Decimal {
  if (!a.isFinite() || !b.isFinite()) return divideSpecial(a, b);
  if (b.coefficient === 0n) throw new DivisionByZeroError();
  return divideAtScale(a, b, divisionScale(a, b));
}

/** a / b rounded half away from zero at `scale`. */
export function divideAtScale(a: Decimal, b: Decimal, scale: number): Decimal {
  if (b.coefficient === 0n) throw new DivisionByZeroError();
  const num = a.coefficient * pow10(scale + b.scale);
  const den = b.coefficient * pow10(a.scale);
  return Decimal.of(divRoundHalfAway(num, den), scale);
}

/** div(a, b): the truncated integer quotient. */
export function numericDivTrunc(a: Decimal, b: Decimal): Decimal {
  if (!a.isFinite() || !b.isFinite()) return divideSpecial(a, b);
  if (b.coefficient === 0n) throw new DivisionByZeroError();
  const scale = Math.max(a.scale, b.scale);
  return Decimal.of(coefficientAt(a, scale) / coefficientAt(b, scale), 0);
}

/** a % b: sign of the dividend, scale max(scale a, scale b). */
export function numericMod(a: Decimal, b: Decimal): Decimal {
  if (a.isNaN() || b.isNaN()) return Decimal.NaN;
  if (!a.isFinite()) {
    if (b.isFinite() && b.coefficient === 0n) throw new DivisionByZeroError();
    return Decimal.NaN;
  }
  if (!b.isFinite()) return a;
  if (b.coefficient === 0n) throw new DivisionByZeroError();
  const scale = Math.max(a.scale, b.scale);
  return Decimal.of(coefficientAt(a, scale) % coefficientAt(b, scale), scale);
}

export function numericAbs(a: Decimal): Decimal {
  if (a.kind === '-infinity') return Decimal.Infinity;
  return a.isFinite() && a.coefficient < 0n ? Decimal.of(-a.coefficient, a.scale) : a;
}

/** sign(): -1, 0 or 1 as numeric (NaN stays NaN). */
export function numericSign(a: Decimal): Decimal {
  if (a.isNaN()) return a;
  return Decimal.fromInteger(a.sign());
}

const resultScaleBound = numericMaxResultScale;

/** round(x, s), half away from zero; negative s rounds left of the point; result scale max(s, 0). */
export function numericRound(a: Decimal, scale = 0): Decimal {
  if (!a.isFinite()) return a;
  const s = Math.min(Math.max(scale, -resultScaleBound), resultScaleBound);
  if (s >= 0) return Decimal.of(coefficientAt(a, s), s);
  return Decimal.of(divRoundHalfAway(a.coefficient, pow10(a.scale - s)) * pow10(-s), 0);
}

/** trunc(x, s): toward zero. */
export function numericTrunc(a: Decimal, scale = 0): Decimal {
  if (!a.isFinite()) return a;
  const s = Math.min(Math.max(scale, -resultScaleBound), resultScaleBound);
  if (s >= 0) return Decimal.of(truncatedCoefficientAt(a, s), s);
  return Decimal.of((a.coefficient / pow10(a.scale - s)) * pow10(-s), 0);
}

export function numericCeil(a: Decimal): Decimal {
  if (!a.isFinite()) return a;
  const t = truncatedCoefficientAt(a, 0);
  return Decimal.of(t * pow10(a.scale) < a.coefficient ? t + 1n : t, 0);
}

export function numericFloor(a: Decimal): Decimal {
  if (!a.isFinite()) return a;
  const t = truncatedCoefficientAt(a, 0);
  return Decimal.of(t * pow10(a.scale) > a.coefficient ? t - 1n : t, 0);
}

/** Integer square root (floor) of a non-negative bigint. */
export function bigintSqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = BigInt(Math.floor(Math.sqrt(Number(n))));
  if (x === 0n) x = 1n;
  // Newton from an estimate; the double estimate may be off for huge n, so iterate to a fixed point.
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x && (y - x) <= 1n) { x = y; break; }
    x = y;
  }
  while (x * x > n) x--;
  while ((x + 1n) * (x + 1n) <= n) x++;
  return x;
}

export function numericSqrt(a: Decimal): Decimal {
  if (a.kind === '-infinity' || (a.isFinite() && a.coefficient < 0n)) {
    throw new InvalidArgumentForPowerFunctionError('cannot take square root of a negative number');
  }
  if (!a.isFinite()) return a;
  const [weight] = baseWeightAndFirstDigit(a);
  const resultWeight = 2 * weight + 1; // (weight + 1) * DEC_DIGITS / 2 - 1
  let scale = Math.max(numericMinSignificantDigits - resultWeight, a.scale, 0);
  scale = Math.min(scale, numericMaxDisplayScale);
  // One extra digit, then round half up: the same as rounding the exact root.
  const root = bigintSqrt(a.coefficient * pow10(2 * (scale + 1) - a.scale));
  return Decimal.of((root + 5n) / 10n, scale);
}

/** numeric → int2/int4/int8: round half away from zero, then range-check. */
export function numericToInt(a: Decimal, kind: IntKind): number | bigint {
  const typeName = kind === 'int2' ? 'smallint' : kind === 'int4' ? 'integer' : 'bigint';
  if (a.isNaN()) throw new FeatureNotSupportedError(`cannot convert NaN to ${typeName}`);
  if (!a.isFinite()) throw new FeatureNotSupportedError(`cannot convert infinity to ${typeName}`);
  if (integerDigits(a) > 20) throw intOutOfRange(kind);
  const value = coefficientAt(a, 0);
  const [min, max] = kind === 'int2' ? [-32768n, 32767n] : kind === 'int4' ? [-2147483648n, 2147483647n] : [-(2n ** 63n), 2n ** 63n - 1n];
  if (value < min || value > max) throw intOutOfRange(kind);
  return kind === 'int8' ? value : Number(value);
}

/** apply_typmod(): round to `scale`, then reject values with too many integer digits. */
/** Precisions whose 10^precision pow10() has precomputed (the typmod fast path). */
const typmodFastPrecisionMax = 63;

export function applyNumericTypmod(a: Decimal, precision: number, scale: number): Decimal {
  if (a.isNaN()) return a;
  if (!a.isFinite()) {
    throw new NumericValueOutOfRangeError('numeric field overflow', {
      detail: `A field with precision ${precision}, scale ${scale} cannot hold an infinite value.`,
    });
  }
  // Already at the column's scale and short enough (most COPY input, e.g.
  // 17.00 into numeric(15,2)): the value itself, without rounding or
  // printing the coefficient to count its digits.
  if (a.scale === scale && precision <= typmodFastPrecisionMax) {
    const bound = pow10(precision);
    if (a.coefficient < bound && a.coefficient > -bound) return a;
  }
  const rounded = numericRound(a, scale);
  const maxDigits = precision - scale;
  const digits = rounded.coefficient === 0n ? 0 : absBigInt(rounded.coefficient).toString().length - rounded.scale;
  if (rounded.coefficient !== 0n && digits > maxDigits) {
    const bound = maxDigits === 0 ? '1' : `10^${maxDigits}`;
    throw new NumericValueOutOfRangeError('numeric field overflow', {
      detail: `A field with precision ${precision}, scale ${scale} must round to an absolute value less than ${bound}.`,
    });
  }
  return rounded;
}
