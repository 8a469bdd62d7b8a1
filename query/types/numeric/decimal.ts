// The numeric value: an immutable decimal coefficient × 10^-scale, plus NaN and
// ±Infinity (PostgreSQL 14+). `scale` is PostgreSQL's display scale (dscale):
// 1.50 is { coefficient: 150n, scale: 2 } and prints as '1.50'.

import { invalidInputSyntax, NumericValueOutOfRangeError } from '../errors.js';
import { isCSpace } from '../integer.js';

export type DecimalKind = 'finite' | 'nan' | 'infinity' | '-infinity';

/** Largest display scale a value may carry (NUMERIC_DSCALE_MAX). */
export const numericDisplayScaleMax = 16383;
/** Most decimal digits before the point (NUMERIC_WEIGHT_MAX + 1 base-10000 digits). */
export const numericIntegerDigitsMax = 131072;
/** Largest |exponent| accepted in 1.5e<exponent> input (INT_MAX / 2). */
export const numericInputExponentMax = 1073741823;

/** Coefficients below this in magnitude have far fewer than numericIntegerDigitsMax digits. */
const coefficientSmallMax = 10n ** 30n;

export class Decimal {
  private constructor(
    readonly kind: DecimalKind,
    /** Signed coefficient; 0n for the special values. */
    readonly coefficient: bigint,
    /** Digits after the decimal point (>= 0); 0 for the special values. */
    readonly scale: number,
  ) {}

  static readonly NaN = new Decimal('nan', 0n, 0);
  static readonly Infinity = new Decimal('infinity', 0n, 0);
  static readonly NegativeInfinity = new Decimal('-infinity', 0n, 0);
  static readonly Zero = new Decimal('finite', 0n, 0);
  static readonly One = new Decimal('finite', 1n, 0);

  /** A finite value; throws 22003 if it exceeds numeric's storage limits. */
  static of(coefficient: bigint, scale: number): Decimal {
    if (!Number.isInteger(scale) || scale < 0) throw new Error(`invalid numeric scale ${scale}`);
    const d = new Decimal('finite', coefficient, scale);
    // Counting digits prints the coefficient: skip it for the common small values.
    const small = coefficient < coefficientSmallMax && coefficient > -coefficientSmallMax;
    if (scale > numericDisplayScaleMax || (!small && integerDigits(d) > numericIntegerDigitsMax)) {
      throw new NumericValueOutOfRangeError('value overflows numeric format');
    }
    return d;
  }

  /** A finite value without the storage-limit check, for intermediates that are rounded next. */
  static ofUnchecked(coefficient: bigint, scale: number): Decimal {
    return new Decimal('finite', coefficient, scale);
  }

  static fromInteger(value: number | bigint): Decimal {
    if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new Error(`not a safe integer: ${value}`);
    return Decimal.of(BigInt(value), 0);
  }

  isFinite(): boolean { return this.kind === 'finite'; }
  isNaN(): boolean { return this.kind === 'nan'; }

  /** -1, 0 or 1 (NaN gives 0: callers test isNaN() first). */
  sign(): number {
    switch (this.kind) {
      case 'infinity': return 1;
      case '-infinity': return -1;
      case 'nan': return 0;
      case 'finite': return this.coefficient > 0n ? 1 : this.coefficient < 0n ? -1 : 0;
    }
  }

  toString(): string {
    return formatNumeric(this);
  }
}

/** Decimal digits before the point of a finite value (0 for |x| < 1). */
export function integerDigits(d: Decimal): number {
  if (d.coefficient === 0n) return 0;
  const digits = absBigInt(d.coefficient).toString().length;
  return Math.max(0, digits - d.scale);
}

export function absBigInt(v: bigint): bigint {
  return v < 0n ? -v : v;
}

/** 10^0 .. 10^63, precomputed: pow10 sits on the hot path of numeric arithmetic. */
const pow10Table: readonly bigint[] = Array.from({ length: 64 }, (_, i) => 10n ** BigInt(i));

export function pow10(exponent: number): bigint {
  return pow10Table[exponent] ?? 10n ** BigInt(exponent);
}

const specialSpellings: readonly [string, Decimal][] = [
  ['nan', Decimal.NaN], ['infinity', Decimal.Infinity], ['+infinity', Decimal.Infinity],
  ['-infinity', Decimal.NegativeInfinity], ['inf', Decimal.Infinity], ['+inf', Decimal.Infinity],
  ['-inf', Decimal.NegativeInfinity],
];

const numberPattern = /^([+-]?)([0-9]*)(?:\.([0-9]*))?/;
const exponentPattern = /^[eE][\t\n\v\f\r ]*([+-]?[0-9]+)/;

/** Digits a plain number may have for the fast path: any 15-digit integer is exact as a Number. */
const plainDigitsMax = 15;
const codeZero = 0x30;
const codeNine = 0x39;
const codeMinus = 0x2d;
const codePoint = 0x2e;

/**
 * `-?digits[.digits]` with at most 15 digits (what COPY loads: TPC-H's
 * prices, pgbench's balances) without regexes, slices or a digit string;
 * undefined for anything else, which the general path below parses. The
 * general path was most of a numeric column's COPY cost (issue 5).
 */
function parsePlainNumeric(text: string): Decimal | undefined {
  const n = text.length;
  let i = 0;
  const negative = n > 0 && text.charCodeAt(0) === codeMinus;
  if (negative) i = 1;
  let value = 0;
  let digits = 0;
  let scale = 0;
  let point = false;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= codeZero && c <= codeNine) {
      value = value * 10 + (c - codeZero);
      digits++;
      if (point) scale++;
    } else if (c === codePoint && !point) {
      point = true;
    } else {
      return undefined;
    }
  }
  if (digits === 0 || digits > plainDigitsMax) return undefined;
  return Decimal.of(BigInt(negative ? -value : value), scale);
}

/** numeric_in without a typmod (apply applyNumericTypmod afterwards). */
export function parseNumeric(text: string): Decimal {
  const plain = parsePlainNumeric(text);
  if (plain !== undefined) return plain;
  let start = 0;
  while (start < text.length && isCSpace(text.charCodeAt(start))) start++;
  let end = text.length;
  while (end > start && isCSpace(text.charCodeAt(end - 1))) end--;
  const body = text.slice(start, end);
  const lower = body.toLowerCase();
  // Prefix matches in PostgreSQL's order: 'Infinity' before 'inf'.
  for (const [spelling, value] of specialSpellings) {
    if (lower.startsWith(spelling)) {
      if (lower.length === spelling.length) return value;
      throw invalidInputSyntax('numeric', text);
    }
  }
  const m = numberPattern.exec(body);
  const intDigits = m?.[2] ?? '';
  const fracDigits = m?.[3] ?? '';
  if (m === null || intDigits.length + fracDigits.length === 0) throw invalidInputSyntax('numeric', text);
  let rest = body.slice(m[0].length);
  let exponent = 0;
  if (rest.length > 0) {
    const e = exponentPattern.exec(rest);
    if (e === null) throw invalidInputSyntax('numeric', text);
    exponent = Number(e[1]);
    if (Math.abs(exponent) >= numericInputExponentMax) throw new NumericValueOutOfRangeError('value overflows numeric format');
    rest = rest.slice(e[0].length);
    if (rest.length > 0) throw invalidInputSyntax('numeric', text);
  }
  const significant = `${intDigits}${fracDigits}`.replace(/^0+/, '');
  const scale = fracDigits.length - exponent;
  // Check the storage limits before materialising 10^exponent.
  if (scale > numericDisplayScaleMax || significant.length - scale > numericIntegerDigitsMax) {
    throw new NumericValueOutOfRangeError('value overflows numeric format');
  }
  const digits = BigInt(significant || '0');
  const coefficient = m[1] === '-' ? -digits : digits;
  return scale >= 0 ? Decimal.of(coefficient, scale) : Decimal.of(coefficient * pow10(-scale), 0);
}

/** numeric_out: plain notation with exactly `scale` fraction digits. */
export function formatNumeric(d: Decimal): string {
  switch (d.kind) {
    case 'nan': return 'NaN';
    case 'infinity': return 'Infinity';
    case '-infinity': return '-Infinity';
    case 'finite': break;
  }
  const negative = d.coefficient < 0n;
  const digits = absBigInt(d.coefficient).toString();
  if (d.scale === 0) return negative ? `-${digits}` : digits;
  const padded = digits.padStart(d.scale + 1, '0');
  const point = padded.length - d.scale;
  return `${negative ? '-' : ''}${padded.slice(0, point)}.${padded.slice(point)}`;
}
