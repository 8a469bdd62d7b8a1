// real and double precision: input as strtod/strtof plus PostgreSQL's spellings
// of infinity and NaN; output as PostgreSQL 12+ with extra_float_digits = 1
// (the shortest string that reads back as the same value, Ryu-style), and the
// operators with PostgreSQL's overflow and underflow checks.

import {
  DivisionByZeroError, invalidInputSyntax, InvalidArgumentForPowerFunctionError, NumericValueOutOfRangeError,
  InvalidArgumentForLogarithmError,
} from './errors.js';
import { intOutOfRange, isCSpace } from './integer.js';
import type { IntKind } from './integer.js';

export type FloatKind = 'float4' | 'float8';
const sqlNames = { float4: 'real', float8: 'double precision' } as const satisfies Record<FloatKind, string>;

const decimalPattern = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/;
const hexPattern = /^[+-]?0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?[0-9]+)?/;
const specialPattern = /^[+-]?(?:infinity|inf|nan(?:\([0-9A-Za-z_]*\))?)/i;

function trimCSpace(text: string): [start: number, end: number] {
  let start = 0;
  let end = text.length;
  while (start < end && isCSpace(text.charCodeAt(start))) start++;
  while (end > start && isCSpace(text.charCodeAt(end - 1))) end--;
  return [start, end];
}

function parseHexFloat(token: string): number {
  const negative = token.startsWith('-');
  const body = token.replace(/^[+-]?0[xX]/, '');
  const [mantissaText = '', exponentText = '0'] = body.split(/[pP]/);
  const [intPart = '', fracPart = ''] = mantissaText.split('.');
  const mantissa = BigInt(`0x${intPart}${fracPart}` === '0x' ? '0x0' : `0x${intPart}${fracPart}`);
  const exponent = Number(exponentText) - 4 * fracPart.length;
  const value = Number(mantissa) * 2 ** exponent;
  return negative ? -value : value;
}

/** Does the decimal token have any non-zero mantissa digit? (underflow detection) */
function hasNonZeroDigit(token: string): boolean {
  return /[1-9]/.test(token.replace(/[eEpP].*$/, '').replace(/^[+-]?0[xX]/, ''));
}

/** float8in / float4in: value, or a 22P02 / 22003 error with PostgreSQL's text. */
export function parseFloat(text: string, kind: FloatKind): number {
  const [start, end] = trimCSpace(text);
  const body = text.slice(start, end);
  const special = specialPattern.exec(body)?.[0];
  if (special !== undefined && special.length === body.length) {
    const lower = special.toLowerCase();
    if (lower.includes('nan')) return Number.NaN;
    return lower.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  const hex = hexPattern.exec(body)?.[0];
  const token = hex ?? decimalPattern.exec(body)?.[0];
  if (token === undefined) throw invalidInputSyntax(sqlNames[kind], text);
  // strtod() reports overflow for the number it consumed before trailing junk is looked at.
  const value = hex !== undefined ? parseHexFloat(token) : kind === 'float4' ? parseFloat32Exact(token) : Number(token);
  const rounded = kind === 'float4' && hex !== undefined ? Math.fround(value) : value;
  if (!Number.isFinite(rounded) || (rounded === 0 && hasNonZeroDigit(token))) {
    throw new NumericValueOutOfRangeError(`"${kind === 'float8' ? token : text}" is out of range for type ${sqlNames[kind]}`);
  }
  if (token.length !== body.length) throw invalidInputSyntax(sqlNames[kind], text);
  return rounded;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The float32 adjacent to f (finite, nonzero) in the direction of `toward`. */
function nextFloat32(f: number, toward: number): number {
  f32[0] = f;
  const bits = u32[0] ?? 0;
  const awayFromZero = (toward > f) === (f > 0);
  u32[0] = awayFromZero ? bits + 1 : bits - 1;
  return f32[0] ?? 0;
}

/** Exact value of a decimal token as numerator / denominator. */
function decimalRational(token: string): [bigint, bigint] {
  const m = /^([+-]?)([0-9]*)\.?([0-9]*)(?:[eE]([+-]?[0-9]+))?$/.exec(token);
  const sign = m?.[1] === '-' ? -1n : 1n;
  const digits = sign * BigInt(`${m?.[2] ?? ''}${m?.[3] ?? ''}` || '0');
  const exponent = Number(m?.[4] ?? '0') - (m?.[3]?.length ?? 0);
  return exponent >= 0 ? [digits * 10n ** BigInt(exponent), 1n] : [digits, 10n ** BigInt(-exponent)];
}

/** Exact binary value of a finite double as numerator / denominator. */
function doubleRational(d: number): [bigint, bigint] {
  let scale = 0;
  let m = d;
  while (!Number.isInteger(m)) { m *= 2; scale++; }
  return [BigInt(m), 1n << BigInt(scale)];
}

/**
 * strtof(): rounds the decimal directly to float32. Rounding to double first
 * and then to float32 is wrong only when the double lands exactly on a
 * float32 midpoint; only then do we compare exactly with BigInt.
 */
export function parseFloat32Exact(token: string): number {
  const d = Number(token);
  const f = Math.fround(d);
  if (f === d || !Number.isFinite(f) || f === 0) return f;
  const other = nextFloat32(f, d);
  if ((f + other) / 2 !== d) return f;
  const [pn, pd] = decimalRational(token);
  const [mn, md] = doubleRational(d);
  const cmp = pn * md - mn * pd; // sign of (exact - midpoint)
  // An exact tie keeps fround's choice, which was already ties-to-even.
  if (cmp === 0n) return f;
  return cmp > 0n ? Math.max(f, other) : Math.min(f, other);
}

/** Shortest decimal digits and exponent (d.ddd × 10^exp) that read back as `value`. */
function shortestDigits(value: number, kind: FloatKind): { digits: string; exponent: number } {
  if (kind === 'float8') {
    const [mantissa = '0', exp = '0'] = value.toExponential().split('e');
    return { digits: mantissa.replace('.', '').replace('-', ''), exponent: Number(exp) };
  }
  const magnitude = Math.abs(value);
  for (let precision = 1; precision <= 9; precision++) {
    const [mantissa = '0', exp = '0'] = magnitude.toExponential(precision - 1).split('e');
    const digits = BigInt(mantissa.replace('.', ''));
    const exponent = Number(exp) - (precision - 1);
    // The nearest candidate first; its neighbours can win where the rounding interval is lopsided (powers of two).
    for (const candidate of [digits, digits - 1n, digits + 1n]) {
      if (candidate <= 0n) continue;
      if (parseFloat32Exact(`${candidate}e${exponent}`) === magnitude) {
        const text = candidate.toString();
        return { digits: text.replace(/0+$/, '') || '0', exponent: exponent + text.length - 1 };
      }
    }
  }
  throw new Error(`unreachable: no shortest representation for float4 ${value}`);
}

/** float8out / float4out with extra_float_digits = 1. */
export function formatFloat(value: number, kind: FloatKind): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return 'Infinity';
  if (value === Number.NEGATIVE_INFINITY) return '-Infinity';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const { digits, exponent } = shortestDigits(value, kind);
  const sign = value < 0 ? '-' : '';
  // Ryu's thresholds in PostgreSQL match printf %g: fixed notation for 1e-4 <= |x| < 1e15 (1e6 for real).
  const fixedExponentMax = kind === 'float8' ? 15 : 6;
  if (exponent >= -4 && exponent < fixedExponentMax) return sign + fixedNotation(digits, exponent);
  const mantissa = digits.length === 1 ? digits : `${digits[0] ?? ''}.${digits.slice(1)}`;
  const expSign = exponent < 0 ? '-' : '+';
  return `${sign}${mantissa}e${expSign}${String(Math.abs(exponent)).padStart(2, '0')}`;
}

function fixedNotation(digits: string, exponent: number): string {
  if (exponent < 0) return `0.${'0'.repeat(-exponent - 1)}${digits}`;
  if (digits.length <= exponent + 1) return digits + '0'.repeat(exponent + 1 - digits.length);
  return `${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
}

export function floatOverflow(): NumericValueOutOfRangeError {
  return new NumericValueOutOfRangeError('value out of range: overflow');
}
export function floatUnderflow(): NumericValueOutOfRangeError {
  return new NumericValueOutOfRangeError('value out of range: underflow');
}

function narrow(value: number, kind: FloatKind): number {
  return kind === 'float4' ? Math.fround(value) : value;
}

export function floatAdd(a: number, b: number, kind: FloatKind): number {
  const r = narrow(a + b, kind);
  if (!Number.isFinite(r) && !Number.isNaN(r) && Number.isFinite(a) && Number.isFinite(b)) throw floatOverflow();
  return r;
}

export function floatSub(a: number, b: number, kind: FloatKind): number {
  const r = narrow(a - b, kind);
  if (!Number.isFinite(r) && !Number.isNaN(r) && Number.isFinite(a) && Number.isFinite(b)) throw floatOverflow();
  return r;
}

export function floatMul(a: number, b: number, kind: FloatKind): number {
  const r = narrow(a * b, kind);
  if (!Number.isFinite(r) && !Number.isNaN(r) && Number.isFinite(a) && Number.isFinite(b)) throw floatOverflow();
  if (r === 0 && a !== 0 && b !== 0) throw floatUnderflow();
  return r;
}

export function floatDiv(a: number, b: number, kind: FloatKind): number {
  if (b === 0 && !Number.isNaN(a)) throw new DivisionByZeroError();
  const r = narrow(a / b, kind);
  if (!Number.isFinite(r) && !Number.isNaN(r) && Number.isFinite(a)) throw floatOverflow();
  if (r === 0 && a !== 0 && Number.isFinite(b)) throw floatUnderflow();
  return r;
}

export function floatNeg(a: number): number { return -a; }
export function floatAbs(a: number): number { return Math.abs(a); }

/**
 * PostgreSQL's snprintf("%.*f"): the exact binary value rounded half to even
 * at `decimals` places (JavaScript's toFixed rounds ties away from zero);
 * NaN and infinities print as 'NaN' and '[-]Infinity'.
 */
export function formatFixed(x: number, decimals: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x < 0 ? '-Infinity' : 'Infinity';
  const negative = x < 0 || Object.is(x, -0);
  let m = Math.abs(x);
  let binaryExponent = 0;
  while (!Number.isInteger(m)) { m *= 2; binaryExponent--; }
  // |x| = m / 2^k = m·5^k / 10^k
  const k = -binaryExponent;
  let scaled = BigInt(m) * 5n ** BigInt(k) * 10n ** BigInt(decimals);
  const unit = 10n ** BigInt(k);
  let q = scaled / unit;
  const r = scaled % unit;
  const twice = r * 2n;
  if (twice > unit || (twice === unit && q % 2n === 1n)) q++;
  scaled = q;
  const digits = scaled.toString().padStart(decimals + 1, '0');
  const body = decimals === 0 ? digits : `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
  return negative ? `-${body}` : body;
}

/** rint(): round half to even, keeping the sign of zero. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export function floatRound(a: number): number { return roundHalfEven(a); }
export function floatTrunc(a: number): number { return Math.trunc(a); }
export function floatCeil(a: number): number { return Math.ceil(a); }
export function floatFloor(a: number): number { return Math.floor(a); }

export function floatSqrt(a: number, kind: FloatKind): number {
  if (a < 0) throw new InvalidArgumentForPowerFunctionError('cannot take square root of a negative number');
  return narrow(Math.sqrt(a), kind);
}

/** dpow(): PostgreSQL's special cases before calling pow(). */
export function floatPower(base: number, exponent: number): number {
  if (Number.isNaN(base)) return exponent === 0 ? 1 : Number.NaN;
  if (Number.isNaN(exponent)) return base === 1 ? 1 : Number.NaN;
  if (base === 0 && exponent < 0) throw new InvalidArgumentForPowerFunctionError('zero raised to a negative power is undefined');
  if (base < 0 && Number.isFinite(exponent) && !Number.isInteger(exponent)) {
    throw new InvalidArgumentForPowerFunctionError('a negative number raised to a non-integer power yields a complex result');
  }
  // C's pow(-1, ±Inf) is 1; JavaScript's is NaN.
  if (base === -1 && !Number.isFinite(exponent)) return 1;
  if (Math.abs(base) === 1 && !Number.isFinite(exponent)) return 1;
  const r = base ** exponent;
  if (!Number.isFinite(r) && Number.isFinite(base) && Number.isFinite(exponent)) throw floatOverflow();
  if (r === 0 && base !== 0 && Number.isFinite(base) && Number.isFinite(exponent)) throw floatUnderflow();
  return r;
}

export function floatExp(a: number): number {
  const r = Math.exp(a);
  if (!Number.isFinite(r) && Number.isFinite(a)) throw floatOverflow();
  if (r === 0 && Number.isFinite(a)) throw floatUnderflow();
  return r;
}

export function floatLn(a: number): number {
  if (a === 0) throw new InvalidArgumentForLogarithmError('cannot take logarithm of zero');
  if (a < 0) throw new InvalidArgumentForLogarithmError('cannot take logarithm of a negative number');
  return Math.log(a);
}

export function floatLog10(a: number): number {
  if (a === 0) throw new InvalidArgumentForLogarithmError('cannot take logarithm of zero');
  if (a < 0) throw new InvalidArgumentForLogarithmError('cannot take logarithm of a negative number');
  return Math.log10(a);
}

const int8RangeEndFloat = 9223372036854775808; // 2^63, exactly representable

/** float → integer casts: rint(), then a range check (NaN is out of range too). */
export function floatToInt(value: number, kind: IntKind): number | bigint {
  const r = roundHalfEven(value);
  if (kind === 'int8') {
    if (Number.isNaN(r) || r < -int8RangeEndFloat || r >= int8RangeEndFloat) throw intOutOfRange(kind);
    return BigInt(r);
  }
  const [min, max] = kind === 'int2' ? [-32768, 32767] : [-2147483648, 2147483647];
  if (Number.isNaN(r) || r < min || r > max) throw intOutOfRange(kind);
  return r === 0 ? 0 : r;
}

/** float8 → float4: overflow and underflow are errors, infinities and NaN pass. */
export function float8ToFloat4(value: number): number {
  const r = Math.fround(value);
  if (!Number.isFinite(r) && Number.isFinite(value)) throw floatOverflow();
  if (r === 0 && value !== 0) throw floatUnderflow();
  return r;
}

/** float8_cmp_internal: NaN equals NaN and sorts above everything; -0 = 0. */
export function compareFloat(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  if (Number.isNaN(b)) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}
