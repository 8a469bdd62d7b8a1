// Character-level helpers for the string functions. PostgreSQL counts
// characters (code points in UTF-8) where JavaScript strings count UTF-16
// units; the fast paths skip the conversion for strings without surrogates.

import { formatText } from '../types/text-io.js';
import type { TypeSession } from '../types/session.js';
import type { SqlType } from '../types/sql-type.js';
import type { SqlValue } from '../types/value.js';
import { booleanToText } from '../types/bool.js';
import { bpcharTrimmed } from '../types/character.js';

const surrogatePattern = /[\uD800-\uDFFF]/;

export function hasSurrogates(s: string): boolean {
  return surrogatePattern.test(s);
}

/** The characters of `s` (code points), as an array only when needed. */
export function characters(s: string): readonly string[] {
  return hasSurrogates(s) ? Array.from(s) : s.split('');
}

export function charLength(s: string): number {
  return hasSurrogates(s) ? Array.from(s).length : s.length;
}

/** Characters [start, end) of `s`, 0-based, clamped. */
export function sliceChars(s: string, start: number, end: number): string {
  if (!hasSurrogates(s)) return s.slice(Math.max(0, start), Math.max(0, end));
  return Array.from(s).slice(Math.max(0, start), Math.max(0, end)).join('');
}

/**
 * A value as text the way concat(), array_to_string() and json keys print it:
 * the type's output function (booleans 't'/'f', char(n) with its padding).
 */
export function valueToText(value: SqlValue, type: SqlType, session: TypeSession): string {
  if (value === null) return '';
  switch (type.kind) {
    case 'text': case 'varchar': case 'bpchar': return value as string;
    default: return formatText(value, type, session);
  }
}

/** Text the way a cast to text makes it: 'true' for booleans, char(n) without its padding. */
export function castValueToText(value: SqlValue, type: SqlType, session: TypeSession): string {
  if (type.kind === 'bool') return booleanToText(value as boolean);
  if (type.kind === 'bpchar') return bpcharTrimmed(value as string);
  return valueToText(value, type, session);
}
