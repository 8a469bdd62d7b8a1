// LIKE / ILIKE patterns compiled to anchored regular expressions, once per
// constant pattern (the executor caches per distinct pattern otherwise).

import { SqlError } from '../types/errors.js';

const regexSpecial = /[.*+?^${}()|[\]\\/]/g;

function escapeRegex(c: string): string {
  return c.replace(regexSpecial, '\\$&');
}

/**
 * `%` is any sequence, `_` any one character; `escape` (default backslash,
 * '' for none) makes the next character literal. 22025 when the pattern ends
 * with the escape character, as PostgreSQL reports.
 */
export function likePatternToRegExp(pattern: string, caseInsensitive: boolean, escape: string | null = '\\'): RegExp {
  if (escape !== null && escape.length > 1 && Array.from(escape).length > 1) {
    throw new SqlError('22019', 'invalid escape string', { hint: 'Escape string must be empty or one character.' });
  }
  let source = '';
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] ?? '';
    if (escape !== null && escape !== '' && c === escape) {
      const next = chars[i + 1];
      if (next === undefined) throw new SqlError('22025', 'LIKE pattern must not end with escape character');
      source += escapeRegex(next);
      i++;
    } else if (c === '%') {
      source += '.*';
    } else if (c === '_') {
      source += '.';
    } else {
      source += escapeRegex(c);
    }
  }
  return new RegExp(`^${source}$`, caseInsensitive ? 'isu' : 'su');
}

const likeCacheEntriesMax = 256;

/** A small cache for patterns that vary per row (a column or parameter). */
export class LikeCache {
  private readonly entries = new Map<string, RegExp>();
  constructor(private readonly caseInsensitive: boolean) {}

  get(pattern: string, escape: string | null): RegExp {
    const key = `${escape ?? ''}\u0000${pattern}`;
    let re = this.entries.get(key);
    if (re === undefined) {
      re = likePatternToRegExp(pattern, this.caseInsensitive, escape);
      if (this.entries.size >= likeCacheEntriesMax) this.entries.clear();
      this.entries.set(key, re);
    }
    return re;
  }
}
