// regexp_replace, regexp_match and regexp_split_to_array over the POSIX
// pattern translation in regex.ts.

import { arrayOf, SqlTypes } from '../types/sql-type.js';
import { scalar, textArg } from './define.js';
import { compileRegex, regexFlags, replacementFor } from './regex.js';
import type { ScalarOverload } from './signature.js';

const { text } = SqlTypes;

function regexpReplace(source: string, pattern: string, replacement: string, flags: string): string {
  const f = regexFlags(flags);
  const re = compileRegex(pattern, f.global ? `${f.js}g` : f.js);
  return source.replace(re, replacementFor(replacement));
}

function regexpMatch(source: string, pattern: string, flags: string): string[] | null {
  const f = regexFlags(flags);
  const m = compileRegex(pattern, f.js).exec(source);
  if (m === null) return null;
  // With capture groups PostgreSQL returns the groups; without, the whole match.
  return m.length > 1 ? m.slice(1).map((g) => g ?? null) as string[] : [m[0]];
}

export const regexFunctions: readonly ScalarOverload[] = [
  scalar('regexp_replace', [text, text, text], text, (a) => regexpReplace(textArg(a, 0), textArg(a, 1), textArg(a, 2), '')),
  scalar('regexp_replace', [text, text, text, text], text, (a) => regexpReplace(textArg(a, 0), textArg(a, 1), textArg(a, 2), textArg(a, 3))),
  scalar('regexp_match', [text, text], arrayOf(text), (a) => regexpMatch(textArg(a, 0), textArg(a, 1), '')),
  scalar('regexp_match', [text, text, text], arrayOf(text), (a) => regexpMatch(textArg(a, 0), textArg(a, 1), textArg(a, 2))),
  scalar('regexp_split_to_array', [text, text], arrayOf(text), (a) => textArg(a, 0).split(compileRegex(textArg(a, 1), ''))),
];
