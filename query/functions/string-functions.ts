// String functions: PostgreSQL's names, argument orders, edge cases and
// errors (negative lengths, zero field positions). Lengths and positions count
// characters, not UTF-16 units.

import { createHash } from 'node:crypto';
import { SqlError } from '../types/errors.js';
import { InvalidParameterValueError, ProgramLimitExceededError } from '../types/errors.js';
import { checkText, encodeUtf8 } from '../types/character.js';
import { SqlTypes } from '../types/sql-type.js';
import type { SqlValue } from '../types/value.js';
import { intArg, scalar, scalarTyped, textArg } from './define.js';
import { anyArg } from './signature.js';
import type { ScalarOverload } from './signature.js';
import { characters, charLength, hasSurrogates, sliceChars, valueToText } from './text-util.js';

const { text, int4, bool, bytea } = SqlTypes;

/** Longest string a function may build (PostgreSQL's 1 GB varlena limit, in characters here). */
export const textResultCharsMax = 268_435_455;

function checkResultLength(length: number): void {
  if (length > textResultCharsMax) throw new ProgramLimitExceededError('requested length too large');
}

/** substring(s from start for count): PostgreSQL clamps a start before 1 by shortening the count. */
export function substringChars(s: string, start: number, count: number | null): string {
  if (count !== null && count < 0) throw new SqlError('22011', 'negative substring length not allowed');
  const first = start - 1;
  const end = count === null ? Number.POSITIVE_INFINITY : first + count;
  if (end <= 0) return '';
  if (!hasSurrogates(s)) return s.slice(Math.max(0, first), Math.min(s.length, end));
  return sliceChars(s, Math.max(0, first), Math.min(charLength(s), end));
}

/** strpos(haystack, needle): 1-based character position, 0 when absent. */
function strpos(haystack: string, needle: string): number {
  const index = haystack.indexOf(needle);
  if (index < 0) return 0;
  return charLength(haystack.slice(0, index)) + 1;
}

function trimChars(s: string, set: string, leading: boolean, trailing: boolean): string {
  const chars = characters(s);
  const remove = new Set(characters(set));
  let start = 0;
  let end = chars.length;
  if (leading) while (start < end && remove.has(chars[start] ?? '')) start++;
  if (trailing) while (end > start && remove.has(chars[end - 1] ?? '')) end--;
  return chars.slice(start, end).join('');
}

function pad(s: string, length: number, fill: string, left: boolean): string {
  checkResultLength(length);
  const chars = characters(s);
  if (length <= 0) return '';
  if (chars.length >= length) return chars.slice(0, length).join('');
  const fillChars = characters(fill);
  if (fillChars.length === 0) return s;
  const padding: string[] = [];
  for (let i = 0; padding.length < length - chars.length; i++) padding.push(fillChars[i % fillChars.length] ?? '');
  return left ? padding.join('') + s : s + padding.join('');
}

function splitPart(s: string, delimiter: string, field: number): string {
  if (field === 0) throw new InvalidParameterValueError('field position must not be zero');
  if (delimiter === '') return field === 1 || field === -1 ? s : '';
  const parts = s.split(delimiter);
  const index = field > 0 ? field - 1 : parts.length + field;
  return parts[index] ?? '';
}

function initcap(s: string): string {
  let out = '';
  let inWord = false;
  for (const c of s) {
    const alnum = /[\p{L}\p{N}]/u.test(c);
    out += alnum ? (inWord ? c.toLowerCase() : c.toUpperCase()) : c;
    inWord = alnum;
  }
  return out;
}

function leftChars(s: string, n: number): string {
  const chars = characters(s);
  return (n >= 0 ? chars.slice(0, n) : chars.slice(0, Math.max(0, chars.length + n))).join('');
}

function rightChars(s: string, n: number): string {
  const chars = characters(s);
  return (n >= 0 ? chars.slice(Math.max(0, chars.length - n)) : chars.slice(Math.min(chars.length, -n))).join('');
}

function repeat(s: string, n: number): string {
  if (n <= 0 || s.length === 0) return '';
  checkResultLength(s.length * n);
  return s.repeat(n);
}

function chr(code: number): string {
  if (code === 0) throw new InvalidParameterValueError('null character not permitted');
  if (code < 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
    throw new InvalidParameterValueError(`requested character not valid for encoding: ${code}`);
  }
  return String.fromCodePoint(code);
}

const concatOverloads: readonly ScalarOverload[] = [
  scalarTyped('concat', [], text, (argTypes, _r) => (args, env) => {
    let out = '';
    args.forEach((v, i) => { if (v !== null) out += valueToText(v, argTypes[i] ?? text, env.typeSession); });
    return out;
  }, { strict: false, variadic: anyArg, volatility: 'stable' }),
  scalarTyped('concat_ws', [text], text, (argTypes) => (args, env) => {
    const separator = args[0];
    if (separator === null || separator === undefined) return null;
    const parts: string[] = [];
    for (let i = 1; i < args.length; i++) {
      const v = args[i] ?? null;
      if (v !== null) parts.push(valueToText(v, argTypes[i] ?? text, env.typeSession));
    }
    return parts.join(separator as string);
  }, { strict: false, variadic: anyArg, volatility: 'stable' }),
];

const lengthOverloads: readonly ScalarOverload[] = [
  ...['length', 'char_length', 'character_length'].map((name) => scalar(name, [text], int4, (a) => charLength(textArg(a, 0)))),
  scalar('length', [bytea], int4, (a) => (a[0] as Uint8Array).length),
  scalar('octet_length', [text], int4, (a) => encodeUtf8(textArg(a, 0)).length),
  scalar('octet_length', [bytea], int4, (a) => (a[0] as Uint8Array).length),
  scalar('bit_length', [text], int4, (a) => encodeUtf8(textArg(a, 0)).length * 8),
];

const trimOverloads: readonly ScalarOverload[] = [
  scalar('btrim', [text], text, (a) => trimChars(textArg(a, 0), ' ', true, true)),
  scalar('btrim', [text, text], text, (a) => trimChars(textArg(a, 0), textArg(a, 1), true, true)),
  scalar('ltrim', [text], text, (a) => trimChars(textArg(a, 0), ' ', true, false)),
  scalar('ltrim', [text, text], text, (a) => trimChars(textArg(a, 0), textArg(a, 1), true, false)),
  scalar('rtrim', [text], text, (a) => trimChars(textArg(a, 0), ' ', false, true)),
  scalar('rtrim', [text, text], text, (a) => trimChars(textArg(a, 0), textArg(a, 1), false, true)),
];

export const stringFunctions: readonly ScalarOverload[] = [
  scalar('lower', [text], text, (a) => textArg(a, 0).toLowerCase()),
  scalar('upper', [text], text, (a) => textArg(a, 0).toUpperCase()),
  ...lengthOverloads,
  ...['substring', 'substr'].flatMap((name) => [
    scalar(name, [text, int4], text, (a) => substringChars(textArg(a, 0), intArg(a, 1), null)),
    scalar(name, [text, int4, int4], text, (a) => substringChars(textArg(a, 0), intArg(a, 1), intArg(a, 2))),
  ]),
  scalar('position', [text, text], int4, (a) => strpos(textArg(a, 0), textArg(a, 1))),
  scalar('strpos', [text, text], int4, (a) => strpos(textArg(a, 0), textArg(a, 1))),
  scalar('replace', [text, text, text], text, (a) => {
    const from = textArg(a, 1);
    return from === '' ? textArg(a, 0) : textArg(a, 0).split(from).join(textArg(a, 2));
  }),
  ...trimOverloads,
  ...concatOverloads,
  scalar('left', [text, int4], text, (a) => leftChars(textArg(a, 0), intArg(a, 1))),
  scalar('right', [text, int4], text, (a) => rightChars(textArg(a, 0), intArg(a, 1))),
  scalar('repeat', [text, int4], text, (a) => repeat(textArg(a, 0), intArg(a, 1))),
  scalar('lpad', [text, int4], text, (a) => pad(textArg(a, 0), intArg(a, 1), ' ', true)),
  scalar('lpad', [text, int4, text], text, (a) => pad(textArg(a, 0), intArg(a, 1), textArg(a, 2), true)),
  scalar('rpad', [text, int4], text, (a) => pad(textArg(a, 0), intArg(a, 1), ' ', false)),
  scalar('rpad', [text, int4, text], text, (a) => pad(textArg(a, 0), intArg(a, 1), textArg(a, 2), false)),
  scalar('split_part', [text, text, int4], text, (a) => splitPart(textArg(a, 0), textArg(a, 1), intArg(a, 2))),
  scalar('initcap', [text], text, (a) => initcap(textArg(a, 0))),
  scalar('md5', [text], text, (a) => createHash('md5').update(textArg(a, 0), 'utf8').digest('hex')),
  scalar('md5', [bytea], text, (a) => createHash('md5').update(a[0] as Uint8Array).digest('hex')),
  scalar('reverse', [text], text, (a) => characters(textArg(a, 0)).slice().reverse().join('')),
  scalar('ascii', [text], int4, (a) => textArg(a, 0).codePointAt(0) ?? 0),
  scalar('chr', [int4], text, (a) => chr(intArg(a, 0))),
  scalar('starts_with', [text, text], bool, (a) => textArg(a, 0).startsWith(textArg(a, 1))),
  scalar('to_hex', [int4], text, (a) => (intArg(a, 0) >>> 0).toString(16)),
  scalar('to_hex', [SqlTypes.int8], text, (a) => BigInt.asUintN(64, a[0] as bigint).toString(16)),
  scalar('quote_literal', [text], text, (a) => quoteLiteral(textArg(a, 0))),
  scalar('quote_ident', [text], text, (a) => quoteIdent(textArg(a, 0))),
  scalar('translate', [text, text, text], text, (a) => translate(textArg(a, 0), textArg(a, 1), textArg(a, 2))),
];

function quoteLiteral(s: string): string {
  const body = s.replace(/'/g, "''");
  return s.includes('\\') ? `E'${body.replace(/\\/g, '\\\\')}'` : `'${body}'`;
}

function quoteIdent(s: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(s) ? s : `"${s.replace(/"/g, '""')}"`;
}

function translate(s: string, from: string, to: string): string {
  const fromChars = characters(from);
  const toChars = characters(to);
  let out = '';
  for (const c of characters(s)) {
    const i = fromChars.indexOf(c);
    if (i < 0) out += c;
    else if (i < toChars.length) out += toChars[i] ?? '';
  }
  return out;
}

/** Text built by a function must still be valid UTF-8 text (no NUL). */
export function checkedText(value: SqlValue): SqlValue {
  return typeof value === 'string' ? checkText(value) : value;
}
