// SIMILAR TO: PostgreSQL rewrites `x SIMILAR TO p` as `x ~ similar_to_escape(p)`,
// turning the SQL-standard pattern into an anchored POSIX one: % and _ become
// .* and ., the regex operators | * + ? {} () [] keep their meaning, anything
// else is literal.

import { SqlError } from '../types/errors.js';
import { SqlTypes } from '../types/sql-type.js';
import { scalar, textArg } from './define.js';
import type { ScalarOverload } from './signature.js';

const passThrough = new Set(['|', '*', '+', '?', '{', '}', '(', ')', ',']);
const regexSpecial = /[\\^$.|?*+()[\]{}]/;

function literal(c: string): string {
  return regexSpecial.test(c) ? `\\${c}` : c;
}

export function similarToRegex(pattern: string, escape: string | null): string {
  if (escape !== null && Array.from(escape).length > 1) {
    throw new SqlError('22025', 'invalid escape string', { hint: 'Escape string must be empty or one character.' });
  }
  let out = '';
  let inBracket = false;
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] ?? '';
    if (escape !== null && escape !== '' && c === escape) {
      const next = chars[i + 1];
      if (next === undefined) throw new SqlError('22025', 'invalid escape string', { hint: 'Escape string must be empty or one character.' });
      out += literal(next);
      i++;
    } else if (inBracket) {
      out += c === '\\' ? '\\\\' : c;
      if (c === ']') inBracket = false;
    } else if (c === '[') {
      inBracket = true;
      out += c;
    } else if (c === '%') {
      out += '.*';
    } else if (c === '_') {
      out += '.';
    } else if (passThrough.has(c)) {
      out += c;
    } else {
      out += literal(c);
    }
  }
  return `^(?:${out})$`;
}

export const similarToFunctions: readonly ScalarOverload[] = [
  scalar('similar_to_escape', [SqlTypes.text], SqlTypes.text, (a) => similarToRegex(textArg(a, 0), '\\')),
  scalar('similar_to_escape', [SqlTypes.text, SqlTypes.text], SqlTypes.text, (a) => similarToRegex(textArg(a, 0), textArg(a, 1))),
];
