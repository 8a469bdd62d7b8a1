// Function and operator overload resolution following PostgreSQL's
// func_select_candidate(): exact matches first, then candidates reachable by
// implicit casts, narrowed by exact-match counts, preferred types, the
// category of unknown-typed arguments, and finally "unknowns take the type
// of the known arguments". Polymorphic parameters unify to a common type.

import type { ArgType, OverloadSignature, PolymorphicArg } from '../functions/index.js';
import { arrayOf, formatTypeName, SqlTypes } from '../types/sql-type.js';
import type { ScalarSqlType, SqlType } from '../types/sql-type.js';
import { canCoerce, selectCommonType } from './coerce.js';
import type { TypedInput } from './coerce.js';
import { isPreferredType, sameKind, typeCategory } from './type-category.js';
import type { TypeCategory } from './type-category.js';

export interface Resolved<T extends OverloadSignature> {
  readonly overload: T;
  /** The type each argument is coerced to. */
  readonly argTypes: readonly SqlType[];
  readonly resultType: SqlType;
}

export type Resolution<T extends OverloadSignature> =
  | { readonly kind: 'found'; readonly resolved: Resolved<T> }
  | { readonly kind: 'none' }
  | { readonly kind: 'ambiguous' };

function paramAt(o: OverloadSignature, index: number): ArgType | undefined {
  return o.args[index] ?? o.variadic ?? undefined;
}

function arityMatches(o: OverloadSignature, count: number): boolean {
  return o.variadic === null ? o.args.length === count : count >= o.args.length;
}

function isFamily(p: PolymorphicArg): boolean {
  return p.poly !== 'any';
}

/** The unified type of the polymorphic family (anycompatible and friends), or null if none / not unifiable. */
function familyType(o: OverloadSignature, inputs: readonly TypedInput[]): SqlType | null | 'conflict' {
  const members: TypedInput[] = [];
  for (let i = 0; i < inputs.length; i++) {
    const p = paramAt(o, i);
    const input = inputs[i];
    if (p === undefined || input === undefined || p.kind !== 'poly' || !isFamily(p)) continue;
    if (p.poly === 'anycompatiblearray') {
      if (input.unknown) continue;
      if (input.type.kind !== 'array') return 'conflict';
      members.push({ type: input.type.element, unknown: false });
    } else {
      if (p.poly === 'anynonarray' && !input.unknown && input.type.kind === 'array') return 'conflict';
      members.push(input);
    }
  }
  if (members.length === 0) return null;
  try {
    return selectCommonType(members, 'argument');
  } catch {
    return 'conflict';
  }
}

function viable(o: OverloadSignature, inputs: readonly TypedInput[]): boolean {
  if (!arityMatches(o, inputs.length)) return false;
  const family = familyType(o, inputs);
  if (family === 'conflict') return false;
  return inputs.every((input, i) => {
    const p = paramAt(o, i);
    if (p === undefined) return false;
    if (p.kind !== 'poly') return canCoerce(input.type, input.unknown, p, 'implicit');
    if (p.poly === 'any' || input.unknown || family === null) return true;
    const target = p.poly === 'anycompatiblearray' ? (family.kind === 'array' ? null : arrayOf(family as ScalarSqlType)) : family;
    return target !== null && canCoerce(input.type, false, target, 'implicit');
  });
}

function exactCount(o: OverloadSignature, inputs: readonly TypedInput[]): number {
  let n = 0;
  inputs.forEach((input, i) => {
    const p = paramAt(o, i);
    if (!input.unknown && p !== undefined && p.kind !== 'poly' && sameKind(p, input.type)) n++;
  });
  return n;
}

function preferredCount(o: OverloadSignature, inputs: readonly TypedInput[]): number {
  let n = 0;
  inputs.forEach((input, i) => {
    const p = paramAt(o, i);
    if (input.unknown || p === undefined || p.kind === 'poly') return;
    if (sameKind(p, input.type) || isPreferredType(p)) n++;
  });
  return n;
}

function keepMax<T>(items: readonly T[], score: (item: T) => number): readonly T[] {
  const scores = items.map(score);
  const best = Math.max(...scores);
  return items.filter((_, i) => scores[i] === best);
}

/** PostgreSQL's unknown-argument step: decide each unknown slot's category (string wins), prefer preferred types. */
function narrowByUnknowns<T extends OverloadSignature>(candidates: readonly T[], inputs: readonly TypedInput[]): readonly T[] {
  let current = candidates;
  for (let i = 0; i < inputs.length; i++) {
    if (inputs[i]?.unknown !== true) continue;
    let category: TypeCategory | null = null;
    let hasPreferred = false;
    let conflict = false;
    for (const c of current) {
      const p = paramAt(c, i);
      if (p === undefined) continue;
      const cat = typeCategory(p);
      if (category === null || cat === category) {
        category = cat;
        hasPreferred ||= isPreferredType(p);
      } else if (cat === 'S') {
        // The string category always wins when some candidate offers it.
        category = 'S';
        hasPreferred = isPreferredType(p);
      } else {
        conflict = true;
      }
    }
    if ((conflict && category !== 'S') || category === null) continue;
    const kept = current.filter((c) => {
      const p = paramAt(c, i);
      return p !== undefined && typeCategory(p) === category && (!hasPreferred || isPreferredType(p));
    });
    if (kept.length > 0) current = kept;
  }
  return current;
}

/** Last resort: unknowns take the (single) type of the known arguments. */
function unknownsAsKnownType<T extends OverloadSignature>(candidates: readonly T[], inputs: readonly TypedInput[]): readonly T[] {
  const known = inputs.filter((i) => !i.unknown);
  const first = known[0];
  if (first === undefined || known.length === inputs.length || !known.every((k) => sameKind(k.type, first.type))) return candidates;
  return candidates.filter((c) => inputs.every((input, i) => {
    const p = paramAt(c, i);
    return p !== undefined && (!input.unknown || p.kind === 'poly' || canCoerce(first.type, false, p, 'implicit'));
  }));
}

/** Resolutions per candidate list (the registry's lists are fixed), by argument types: binding stays cheap on hot statements. */
const resolutionCache = new WeakMap<readonly OverloadSignature[], Map<string, Resolution<OverloadSignature>>>();
const resolutionCacheEntriesMax = 512;

function inputsKey(inputs: readonly TypedInput[], binaryOperator: boolean): string {
  return `${binaryOperator ? 'op' : 'fn'}:${inputs.map((i) => (i.unknown ? '?' : formatTypeName(i.type))).join(',')}`;
}

export function resolveOverload<T extends OverloadSignature>(candidates: readonly T[], inputs: readonly TypedInput[], binaryOperator = false): Resolution<T> {
  let cache = resolutionCache.get(candidates);
  if (cache === undefined) { cache = new Map(); resolutionCache.set(candidates, cache); }
  const key = inputsKey(inputs, binaryOperator);
  const cached = cache.get(key);
  if (cached !== undefined) return cached as Resolution<T>;
  const resolution = resolveUncached(candidates, inputs, binaryOperator);
  if (cache.size >= resolutionCacheEntriesMax) cache.clear();
  cache.set(key, resolution);
  return resolution;
}

function resolveUncached<T extends OverloadSignature>(candidates: readonly T[], inputs: readonly TypedInput[], binaryOperator: boolean): Resolution<T> {
  const sized = candidates.filter((c) => arityMatches(c, inputs.length));
  const exact = sized.find((c) => inputs.every((input, i) => {
    const p = paramAt(c, i);
    return !input.unknown && p !== undefined && p.kind !== 'poly' && sameKind(p, input.type);
  }));
  if (exact !== undefined) return found(exact, inputs);
  if (binaryOperator && inputs.length === 2) {
    const special = binaryWithUnknown(sized, inputs);
    if (special !== undefined) return found(special, inputs);
  }
  let pool: readonly T[] = sized.filter((c) => viable(c, inputs));
  if (pool.length === 0) return { kind: 'none' };
  if (pool.length > 1) pool = keepMax(pool, (c) => exactCount(c, inputs));
  if (pool.length > 1) pool = keepMax(pool, (c) => preferredCount(c, inputs));
  if (pool.length > 1) pool = narrowByUnknowns(pool, inputs);
  if (pool.length > 1) {
    const last = unknownsAsKnownType(pool, inputs);
    if (last.length === 1) pool = last;
  }
  const only = pool[0];
  if (pool.length !== 1 || only === undefined) return { kind: 'ambiguous' };
  return found(only, inputs);
}

/** binary_oper_exact(): with one unknown side, try the operator taking the known type on both sides. */
function binaryWithUnknown<T extends OverloadSignature>(candidates: readonly T[], inputs: readonly TypedInput[]): T | undefined {
  const [a, b] = inputs;
  if (a === undefined || b === undefined || a.unknown === b.unknown) return undefined;
  const known = a.unknown ? b.type : a.type;
  return candidates.find((c) => c.args.every((p) => p.kind !== 'poly' && sameKind(p, known)));
}

function found<T extends OverloadSignature>(overload: T, inputs: readonly TypedInput[]): Resolution<T> {
  const family = familyType(overload, inputs);
  const familyResolved: SqlType = family === null || family === 'conflict' ? SqlTypes.text : family;
  const argTypes = inputs.map((input, i) => {
    const p = paramAt(overload, i) ?? SqlTypes.text;
    if (p.kind !== 'poly') return p;
    if (p.poly === 'any') return input.unknown ? SqlTypes.text : input.type;
    if (p.poly === 'anycompatiblearray') return familyResolved.kind === 'array' ? familyResolved : arrayOf(familyResolved);
    return familyResolved;
  });
  return { kind: 'found', resolved: { overload, argTypes, resultType: resultTypeOf(overload, argTypes, familyResolved) } };
}

function resultTypeOf(o: OverloadSignature, argTypes: readonly SqlType[], family: SqlType): SqlType {
  const r = o.result;
  switch (r.kind) {
    case 'polyElement': return family;
    case 'polyArray': return family.kind === 'array' ? family : arrayOf(family);
    case 'computed': return r.compute(argTypes);
    default: return r;
  }
}

/** `foo(integer, unknown)` as PostgreSQL prints signatures in errors. */
export function signatureText(name: string, inputs: readonly TypedInput[]): string {
  return `${name}(${inputs.map((i) => (i.unknown ? 'unknown' : formatTypeName(i.type))).join(', ')})`;
}
