// smallint, integer and bigint: text input as pg_strtoint16/32/64, and the
// arithmetic operators with PostgreSQL's overflow errors. int2/int4 values are
// JavaScript numbers (exact: every int32 product below 2^53 is exact enough to
// detect overflow), int8 values are bigints.

import { DivisionByZeroError, invalidInputSyntax, NumericValueOutOfRangeError } from './errors.js';

export type IntKind = 'int2' | 'int4' | 'int8';
/** Widths whose values are JavaScript numbers. */
export type SmallIntKind = 'int2' | 'int4';

export const int2Min = -32768;
export const int2Max = 32767;
export const int4Min = -2147483648;
export const int4Max = 2147483647;
export const int8Min = -9223372036854775808n;
export const int8Max = 9223372036854775807n;

const sqlNames = { int2: 'smallint', int4: 'integer', int8: 'bigint' } as const satisfies Record<IntKind, string>;

export function intOutOfRange(kind: IntKind): NumericValueOutOfRangeError {
  return new NumericValueOutOfRangeError(`${sqlNames[kind]} out of range`);
}

/** C's isspace() in the C locale: what PostgreSQL skips around numbers. */
export function isCSpace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

/** Bounds of the digits in ` -123 `: [sign, firstDigit, end], or undefined if malformed. */
function scanInteger(text: string): { negative: boolean; digitsStart: number; digitsEnd: number } | undefined {
  let i = 0;
  while (i < text.length && isCSpace(text.charCodeAt(i))) i++;
  let negative = false;
  if (text[i] === '-') { negative = true; i++; } else if (text[i] === '+') { i++; }
  const digitsStart = i;
  while (i < text.length && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39) i++;
  const digitsEnd = i;
  if (digitsEnd === digitsStart) return undefined;
  let j = digitsEnd;
  while (j < text.length && isCSpace(text.charCodeAt(j))) j++;
  return j === text.length ? { negative, digitsStart, digitsEnd } : undefined;
}

function outOfRangeValue(text: string, kind: IntKind): NumericValueOutOfRangeError {
  return new NumericValueOutOfRangeError(`value "${text}" is out of range for type ${sqlNames[kind]}`);
}

/** Leading digits overflow before trailing junk is seen, as in pg_strtoint32. */
function digitsOverflow(text: string, kind: IntKind): boolean {
  const m = /^[\t\n\v\f\r ]*([-+]?)0*([0-9]*)/.exec(text);
  const sign = m?.[1] ?? '';
  const digits = m?.[2] ?? '';
  if (digits.length === 0) return false;
  if (digits.length > 19) return true;
  const value = BigInt(sign === '-' ? `-${digits}` : digits);
  return kind === 'int8' ? value < int8Min || value > int8Max : !inSmallRange(Number(value), kind);
}

function inSmallRange(value: number, kind: SmallIntKind): boolean {
  return kind === 'int2' ? value >= int2Min && value <= int2Max : value >= int4Min && value <= int4Max;
}

/** Digits a plain integer may have for the fast path (any 9 digits fit an int32's range check exactly). */
const plainIntDigitsMax = 9;

/**
 * `-?digits` of up to 9 digits, without the scan object and digit string of
 * the general path (COPY's integer columns, issue 5); undefined otherwise.
 * Never -0: PostgreSQL's integers have no negative zero.
 */
function plainSmallInt(text: string): number | undefined {
  const n = text.length;
  const negative = n > 0 && text.charCodeAt(0) === 0x2d;
  const start = negative ? 1 : 0;
  if (n === start || n - start > plainIntDigitsMax) return undefined;
  let value = 0;
  for (let i = start; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return undefined;
    value = value * 10 + (c - 0x30);
  }
  return negative && value !== 0 ? -value : value;
}

/** int2in / int4in. */
export function parseSmallInt(text: string, kind: SmallIntKind): number {
  const plain = plainSmallInt(text);
  if (plain !== undefined && inSmallRange(plain, kind)) return plain;
  const scan = scanInteger(text);
  if (scan === undefined) {
    if (digitsOverflow(text, kind)) throw outOfRangeValue(text, kind);
    throw invalidInputSyntax(sqlNames[kind], text);
  }
  const digits = text.slice(scan.digitsStart, scan.digitsEnd).replace(/^0+(?=\d)/, '');
  // More than 15 significant digits cannot be in range; avoid double rounding.
  const value = digits.length > 15 ? Number.POSITIVE_INFINITY : Number(digits);
  const signed = scan.negative ? -value : value;
  if (!inSmallRange(signed, kind)) throw outOfRangeValue(text, kind);
  return signed === 0 ? 0 : signed;
}

/** int8in. */
export function parseBigInt(text: string): bigint {
  const scan = scanInteger(text);
  if (scan === undefined) {
    if (digitsOverflow(text, 'int8')) throw outOfRangeValue(text, 'int8');
    throw invalidInputSyntax('bigint', text);
  }
  const digits = BigInt(text.slice(scan.digitsStart, scan.digitsEnd));
  const value = scan.negative ? -digits : digits;
  if (value < int8Min || value > int8Max) throw outOfRangeValue(text, 'int8');
  return value;
}

function checkSmall(value: number, kind: SmallIntKind): number {
  if (!inSmallRange(value, kind)) throw intOutOfRange(kind);
  return value === 0 ? 0 : value; // never -0: integers have no negative zero
}

function checkBig(value: bigint): bigint {
  if (value < int8Min || value > int8Max) throw intOutOfRange('int8');
  return value;
}

export function intAdd(a: number, b: number, kind: SmallIntKind): number { return checkSmall(a + b, kind); }
export function intSub(a: number, b: number, kind: SmallIntKind): number { return checkSmall(a - b, kind); }
export function intMul(a: number, b: number, kind: SmallIntKind): number { return checkSmall(a * b, kind); }
export function intNeg(a: number, kind: SmallIntKind): number { return checkSmall(-a, kind); }
export function intAbs(a: number, kind: SmallIntKind): number { return checkSmall(Math.abs(a), kind); }

/** Truncating division; MIN / -1 overflows. */
export function intDiv(a: number, b: number, kind: SmallIntKind): number {
  if (b === 0) throw new DivisionByZeroError();
  return checkSmall(Math.trunc(a / b), kind);
}

/** Remainder with the dividend's sign; MIN % -1 is 0, as in PostgreSQL. */
export function intMod(a: number, b: number): number {
  if (b === 0) throw new DivisionByZeroError();
  const r = a % b;
  return r === 0 ? 0 : r;
}

export function int8Add(a: bigint, b: bigint): bigint { return checkBig(a + b); }
export function int8Sub(a: bigint, b: bigint): bigint { return checkBig(a - b); }
export function int8Mul(a: bigint, b: bigint): bigint { return checkBig(a * b); }
export function int8Neg(a: bigint): bigint { return checkBig(-a); }
export function int8Abs(a: bigint): bigint { return checkBig(a < 0n ? -a : a); }

export function int8Div(a: bigint, b: bigint): bigint {
  if (b === 0n) throw new DivisionByZeroError();
  return checkBig(a / b);
}

export function int8Mod(a: bigint, b: bigint): bigint {
  if (b === 0n) throw new DivisionByZeroError();
  return a % b;
}

/** Bitwise operators (&, |, #, ~) on int2/int4; int8 uses BigInt operators directly. */
export function intAnd(a: number, b: number): number { return a & b; }
export function intOr(a: number, b: number): number { return a | b; }
export function intXor(a: number, b: number): number { return a ^ b; }
export function intNot(a: number, kind: SmallIntKind): number { return kind === 'int2' ? (~a << 16) >> 16 : ~a; }

/** Narrowing conversions (int8 → int4, int4 → int2) with PostgreSQL's errors. */
export function toSmallInt(value: number | bigint, kind: SmallIntKind): number {
  if (typeof value === 'bigint') {
    if (value < BigInt(int4Min) || value > BigInt(int4Max)) throw intOutOfRange(kind);
    return checkSmall(Number(value), kind);
  }
  return checkSmall(value, kind);
}
