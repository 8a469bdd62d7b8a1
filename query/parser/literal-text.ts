// Numeric constant text, read the same way by the transformer (from the parse
// tree) and by the cache normaliser (from tokens), so that a literal re-bound
// from a token equals the literal the parser would have produced.

import type { LiteralValue } from '../ast/index.js';

// PostgreSQL 16+ integer syntax: decimal, 0x / 0o / 0b, `_` between digits.
const integerText = /^-?(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|[0-9](?:_?[0-9])*)$/;

/**
 * A number as PostgreSQL's scanner wrote it (an integer that overflowed int4
 * arrives as a float constant with its original text): `integer` when it has
 * no point or exponent, in plain decimal; `numeric` otherwise, without `_`.
 */
export function numberLiteral(text: string): LiteralValue {
  if (integerText.test(text)) return { type: 'integer', text: decimalInteger(text) };
  return { type: 'numeric', text: text.replaceAll('_', '') };
}

/** `0x1F` → `31`, `1_000` → `1000`, `-007` → `-7`. */
export function decimalInteger(text: string): string {
  // Already canonical (what every simple-query constant of pgbench is): no BigInt round trip.
  if (isCanonicalDecimal(text)) return text;
  const negative = text.startsWith('-');
  const digits = (negative ? text.slice(1) : text).replaceAll('_', '');
  // BigInt reads 0x/0o/0b prefixes itself; decimal text may have leading zeros.
  const magnitude = /^0[xXoObB]/.test(digits) ? BigInt(digits) : BigInt(digits.replace(/^0+(?=\d)/, ''));
  return (negative && magnitude !== 0n ? '-' : '') + magnitude.toString();
}

/**
 * Plain decimal digits, an optional '-', no leading zero (and not '-0'), at
 * most 15 digits: the text BigInt's toString would give back unchanged.
 */
function isCanonicalDecimal(text: string): boolean {
  const from = text.charCodeAt(0) === 45 ? 1 : 0;
  const n = text.length - from;
  if (n < 1 || n > 15) return false;
  const first = text.charCodeAt(from);
  if (first === 48) return n === 1 && from === 0;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** The literal for a constant of the opposite sign, as the grammar folds `- 5` into `-5`. */
export function negateNumberText(text: string): string {
  return text.startsWith('-') ? text.slice(1) : `-${text}`;
}
