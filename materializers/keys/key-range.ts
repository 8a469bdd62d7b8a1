// Key ranges over encoded keys, always in the half-open form [gte, lt) that
// RocksDB iterators and the row store's sorted key sets take. Bounds given as
// leading column values become byte bounds through prefix successors, which
// is exact because column encodings are prefix-free.

import type { SqlType, SqlValue } from '../entries/index.js';
import { encodeKey } from './memcomparable.js';

/** Keys k with gte <= k < lt (byte order); a missing bound is unbounded. */
export interface KeyRange {
  readonly gte?: Uint8Array;
  readonly lt?: Uint8Array;
}

export const fullRange: KeyRange = {};
export const emptyRange: KeyRange = { gte: new Uint8Array([0]), lt: new Uint8Array([0]) };

/** A bound on the leading key columns: `values` may be shorter than the key. */
export interface KeyBound {
  readonly values: readonly SqlValue[];
  readonly inclusive: boolean;
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** The smallest byte string greater than every string starting with `prefix`; undefined when none (all 0xFF). */
export function prefixSuccessor(prefix: Uint8Array): Uint8Array | undefined {
  let end = prefix.length;
  while (end > 0 && prefix[end - 1] === 0xff) end--;
  if (end === 0) return undefined;
  const out = prefix.slice(0, end);
  out[end - 1] = (out[end - 1] as number) + 1;
  return out;
}

function range(gte: Uint8Array | undefined, lt: Uint8Array | undefined): KeyRange {
  return { ...(gte === undefined ? {} : { gte }), ...(lt === undefined ? {} : { lt }) };
}

/** Every key starting with `prefix` (bytes). */
export function prefixRange(prefix: Uint8Array): KeyRange {
  return range(prefix.length === 0 ? undefined : prefix, prefixSuccessor(prefix));
}

/** Every key whose leading columns equal `values`. */
export function equalRange(types: readonly SqlType[], values: readonly SqlValue[]): KeyRange {
  return prefixRange(encodeKey(types, values));
}

/**
 * Keys between two bounds on leading columns, with SQL semantics per bound:
 * lower {values: [5], inclusive: false} on (a, b) keeps a > 5, so it starts
 * after every key with a = 5.
 */
export function boundedRange(types: readonly SqlType[], lower?: KeyBound, upper?: KeyBound): KeyRange {
  let gte: Uint8Array | undefined;
  let lt: Uint8Array | undefined;
  if (lower !== undefined) {
    const key = encodeKey(types, lower.values);
    gte = lower.inclusive ? key : prefixSuccessor(key);
    // Only the empty prefix has no successor: "above every key" is empty.
    if (gte === undefined) return emptyRange;
  }
  if (upper !== undefined) {
    const key = encodeKey(types, upper.values);
    lt = upper.inclusive ? prefixSuccessor(key) : key;
  }
  return range(gte !== undefined && gte.length === 0 ? undefined : gte, lt);
}

/** Whether `key` is inside `r`. */
export function inRange(key: Uint8Array, r: KeyRange): boolean {
  return (r.gte === undefined || compareBytes(key, r.gte) >= 0) && (r.lt === undefined || compareBytes(key, r.lt) < 0);
}

/** The intersection of a range with the keys under `prefix`, both expressed with the prefix prepended. */
export function withPrefix(prefix: Uint8Array, r: KeyRange): { readonly gte: Uint8Array; readonly lt: Uint8Array | undefined } {
  const concat = (a: Uint8Array, b: Uint8Array): Uint8Array => {
    const out = new Uint8Array(a.length + b.length);
    out.set(a);
    out.set(b, a.length);
    return out;
  };
  const gte = r.gte === undefined ? prefix : concat(prefix, r.gte);
  const lt = r.lt === undefined ? prefixSuccessor(prefix) : concat(prefix, r.lt);
  return { gte, lt };
}
