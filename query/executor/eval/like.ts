// LIKE / ILIKE [ESCAPE]: a constant pattern compiles to a RegExp once; a
// varying pattern goes through a small cache.

import { LikeCache, likePatternToRegExp } from '../../functions/index.js';
import { withChildren } from './compiled.js';
import type { CompiledExpr } from './compiled.js';

export function compileLike(arg: CompiledExpr, pattern: CompiledExpr, escape: CompiledExpr | null, constantPattern: string | null, constantEscape: string | undefined, caseInsensitive: boolean, negated: boolean): CompiledExpr {
  const a = arg.evaluate;
  const children = [arg, pattern, ...(escape === null ? [] : [escape])];
  if (constantPattern !== null && constantEscape !== undefined) {
    const re = likePatternToRegExp(constantPattern, caseInsensitive, constantEscape);
    return withChildren((row, env) => {
      const v = a(row, env);
      return v === null ? null : re.test(v as string) !== negated;
    }, children);
  }
  const cache = new LikeCache(caseInsensitive);
  const p = pattern.evaluate;
  const e = escape?.evaluate ?? null;
  return withChildren((row, env) => {
    const v = a(row, env);
    const pat = p(row, env);
    const esc = e === null ? '\\' : e(row, env);
    if (v === null || pat === null || esc === null) return null;
    return cache.get(pat as string, esc as string).test(v as string) !== negated;
  }, children);
}
