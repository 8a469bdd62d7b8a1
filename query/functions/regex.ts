// POSIX regular expressions (~, ~*, regexp_replace, regexp_match) mapped onto
// JavaScript's engine. PostgreSQL's ARE flavour is close to JavaScript's for
// everyday patterns; bracket classes such as [[:alpha:]] and the word
// boundaries \m \M \y are translated, anything else is passed through.

import { SqlError } from '../types/errors.js';

const posixClasses: Record<string, string> = {
  alpha: '\\p{L}', digit: '0-9', alnum: '\\p{L}\\p{N}', upper: '\\p{Lu}', lower: '\\p{Ll}', space: '\\s',
  punct: '\\p{P}', xdigit: '0-9A-Fa-f', word: '\\w', blank: ' \\t', cntrl: '\\x00-\\x1f', print: '\\x20-\\x7e', graph: '\\x21-\\x7e',
};

function translate(pattern: string): string {
  return pattern
    .replace(/\[:([a-z]+):\]/g, (whole, name: string) => posixClasses[name] ?? whole)
    .replace(/\\m/g, '\\b(?=\\w)')
    .replace(/\\M/g, '\\b(?<=\\w)')
    .replace(/\\y/g, '\\b')
    .replace(/\\Y/g, '\\B');
}

const cache = new Map<string, RegExp>();
const cacheEntriesMax = 256;

/** Compiles a POSIX pattern with JavaScript flags ('i', 'g'); 2201B for invalid patterns. */
export function compileRegex(pattern: string, flags: string): RegExp {
  const key = `${flags}\u0000${pattern}`;
  let re = cache.get(key);
  if (re === undefined) {
    try {
      re = new RegExp(translate(pattern), `${flags}u`);
    } catch (error) {
      throw new SqlError('2201B', `invalid regular expression: ${(error as Error).message}`);
    }
    if (cache.size >= cacheEntriesMax) cache.clear();
    cache.set(key, re);
  }
  re.lastIndex = 0;
  return re;
}

/** regexp_replace's flags: g (all matches), i (case-insensitive); others are refused. */
export function regexFlags(flags: string): { readonly global: boolean; readonly js: string } {
  let js = '';
  let global = false;
  for (const f of flags) {
    if (f === 'g') global = true;
    else if (f === 'i') js += 'i';
    else if (f === 'c') continue;
    else throw new SqlError('22023', `invalid regular expression option: "${f}"`);
  }
  return { global, js };
}

/** PostgreSQL's replacement syntax: \1..\9 and \& refer to groups; JavaScript's $ is literal. */
export function replacementFor(replacement: string): string {
  return replacement.replace(/\$/g, '$$$$').replace(/\\([0-9&])/g, (_m, g: string) => (g === '&' ? '$&' : `$${g}`)).replace(/\\\\/g, '\\');
}
