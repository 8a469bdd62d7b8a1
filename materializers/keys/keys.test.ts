import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bpcharTrimmed, compareText } from '../../query/types/character.js';
import { compareFloat } from '../../query/types/float.js';
import { compareInterval } from '../../query/types/interval.js';
import { compareNumeric } from '../../query/types/numeric/numeric-math.js';
import { Decimal, type Interval, type SqlType, type SqlValue } from '../entries/index.js';
import { scalarTypes, valueArb } from '../testing/arbitraries.js';
import { KeyEncodeError } from './errors.js';
import { boundedRange, compareBytes, equalRange, inRange, prefixSuccessor, withPrefix } from './key-range.js';
import { indexStorageKey, metaKey, MetaKind, objectIdOf, objectRange, rowStorageKey } from './layout.js';
import { encodeKey, encodeRowIdKey, isKeyableType } from './memcomparable.js';

const sign = (n: number): number => (n < 0 ? -1 : n > 0 ? 1 : 0);
const cmp = <T>(a: T, b: T): number => (a < b ? -1 : a > b ? 1 : 0);

/** SQL order of two non-null values of one type (PostgreSQL's btree comparators). */
function sqlCompareValue(type: SqlType, a: SqlValue, b: SqlValue): number {
  switch (type.kind) {
    case 'float4':
    case 'float8': return compareFloat(a as number, b as number);
    case 'numeric': return compareNumeric(a as Decimal, b as Decimal);
    case 'text':
    case 'varchar': return compareText(a as string, b as string);
    case 'bpchar': return compareText(bpcharTrimmed(a as string), bpcharTrimmed(b as string));
    case 'bytea': return compareBytes(a as Uint8Array, b as Uint8Array);
    case 'interval': return compareInterval(a as Interval, b as Interval);
    case 'bool': return cmp(Number(a), Number(b));
    default: return cmp(a as number | bigint | string, b as number | bigint | string);
  }
}

/** Tuple order with NULLs last. */
function sqlCompare(types: readonly SqlType[], a: readonly SqlValue[], b: readonly SqlValue[]): number {
  for (let i = 0; i < types.length; i++) {
    const x = a[i] ?? null;
    const y = b[i] ?? null;
    if (x === null || y === null) {
      if (x === null && y === null) continue;
      return x === null ? 1 : -1;
    }
    const c = sign(sqlCompareValue(types[i] as SqlType, x, y));
    if (c !== 0) return c;
  }
  return 0;
}

const keyableTypes = scalarTypes.filter(isKeyableType);

describe('memcomparable keys', () => {
  it.each(keyableTypes.map((t) => [t.kind, t] as const))('byte order is SQL order for %s (property)', (_kind, type) => {
    fc.assert(fc.property(valueArb(type), valueArb(type), (a, b) => {
      expect(sign(compareBytes(encodeKey([type], [a]), encodeKey([type], [b])))).toBe(sqlCompare([type], [a], [b]));
    }), { numRuns: 400 });
  });

  it('byte order is SQL order for composite keys (property)', () => {
    const typesAndPair = fc.array(fc.constantFrom(...keyableTypes), { minLength: 1, maxLength: 4 }).chain((types) => {
      const tuple = fc.tuple(...types.map((t) => valueArb(t)));
      // Share leading values often, so later columns decide.
      return fc.tuple(fc.constant(types), tuple, tuple, fc.nat({ max: types.length })).map(([ts, a, b, shared]) =>
        [ts, a, [...a.slice(0, shared), ...b.slice(shared)]] as const);
    });
    fc.assert(fc.property(typesAndPair, ([types, a, b]) => {
      expect(sign(compareBytes(encodeKey(types, a), encodeKey(types, b)))).toBe(sqlCompare(types, a, b));
    }), { numRuns: 1000 });
  });

  it('encodes SQL-equal values equally: 1.5 = 1.50, -0 = 0, NaNs, char(n) blanks, 1 month = 30 days', () => {
    const numeric: SqlType = { kind: 'numeric', precision: null, scale: null };
    expect(encodeKey([numeric], [Decimal.of(15n, 1)])).toEqual(encodeKey([numeric], [Decimal.of(150n, 2)]));
    expect(encodeKey([numeric], [Decimal.of(0n, 3)])).toEqual(encodeKey([numeric], [Decimal.Zero]));
    expect(encodeKey([{ kind: 'float8' }], [-0])).toEqual(encodeKey([{ kind: 'float8' }], [0]));
    expect(encodeKey([{ kind: 'float8' }], [Number.NaN])).toEqual(encodeKey([{ kind: 'float8' }], [-Number.NaN]));
    expect(encodeKey([{ kind: 'bpchar', length: 4 }], ['ab  '])).toEqual(encodeKey([{ kind: 'bpchar', length: 4 }], ['ab']));
    const interval: SqlType = { kind: 'interval', fields: null, precision: null };
    expect(encodeKey([interval], [{ months: 1, days: 0, micros: 0n }])).toEqual(encodeKey([interval], [{ months: 0, days: 30, micros: 0n }]));
  });

  it('sorts NULLs last and orders numeric classes as PostgreSQL does', () => {
    const numeric: SqlType = { kind: 'numeric', precision: null, scale: null };
    const ordered = [Decimal.NegativeInfinity, Decimal.of(-100n, 0), Decimal.of(-15n, 1), Decimal.of(-1n, 3), Decimal.Zero,
      Decimal.of(1n, 3), Decimal.of(15n, 1), Decimal.of(1500n, 0), Decimal.Infinity, Decimal.NaN, null];
    const keys = ordered.map((d) => encodeKey([numeric], [d]));
    for (let i = 1; i < keys.length; i++) expect(compareBytes(keys[i - 1] as Uint8Array, keys[i] as Uint8Array)).toBe(-1);
  });

  it('refuses unkeyable types, wrong values and too many values', () => {
    expect(() => encodeKey([{ kind: 'jsonb' }], ['{}'])).toThrow(KeyEncodeError);
    expect(() => encodeKey([{ kind: 'array', element: { kind: 'int4' } }], [[1]])).toThrow(KeyEncodeError);
    expect(() => encodeKey([{ kind: 'int4' }], [1n])).toThrow(KeyEncodeError);
    expect(() => encodeKey([{ kind: 'int8' }], [1])).toThrow(KeyEncodeError);
    expect(() => encodeKey([{ kind: 'int4' }], [1, 2])).toThrow(KeyEncodeError);
    expect(() => encodeKey([{ kind: 'text' }], ['x'.repeat(70_000)])).toThrow(KeyEncodeError);
  });

  it('a prefix encodes as a byte prefix, and hidden row ids order numerically', () => {
    const types: SqlType[] = [{ kind: 'text' }, { kind: 'int4' }];
    const full = encodeKey(types, ['a', 5]);
    const prefix = encodeKey(types, ['a']);
    expect(full.subarray(0, prefix.length)).toEqual(prefix);
    expect(compareBytes(encodeRowIdKey(-1n), encodeRowIdKey(2n))).toBe(-1);
  });
});

describe('key ranges', () => {
  const types: SqlType[] = [{ kind: 'int4' }, { kind: 'text' }];
  const tuple = fc.tuple(fc.option(fc.integer({ min: -3, max: 3 }), { nil: null }), fc.option(fc.constantFrom('', 'a', 'b', 'a\0'), { nil: null }));
  const bound = fc.option(fc.record({ values: fc.oneof(tuple.map((t) => t.slice(0, 1)), tuple), inclusive: fc.boolean() }), { nil: undefined });

  it('bounded ranges keep exactly the keys SQL bounds keep (property)', () => {
    fc.assert(fc.property(tuple, bound, bound, (key, lower, upper) => {
      const r = boundedRange(types, lower, upper);
      const lead = (b: { values: readonly SqlValue[] }): readonly SqlValue[] => key.slice(0, b.values.length);
      const prefixTypes = (b: { values: readonly SqlValue[] }): SqlType[] => types.slice(0, b.values.length);
      let expected = true;
      if (lower !== undefined) {
        const c = sqlCompare(prefixTypes(lower), lead(lower), lower.values);
        expected &&= lower.inclusive ? c >= 0 : c > 0;
      }
      if (upper !== undefined) {
        const c = sqlCompare(prefixTypes(upper), lead(upper), upper.values);
        expected &&= upper.inclusive ? c <= 0 : c < 0;
      }
      expect(inRange(encodeKey(types, key), r)).toBe(expected);
    }), { numRuns: 2000 });
  });

  it('equal ranges hold exactly the keys with those leading values', () => {
    const r = equalRange(types, [2]);
    expect(inRange(encodeKey(types, [2, 'zzz']), r)).toBe(true);
    expect(inRange(encodeKey(types, [2, null]), r)).toBe(true);
    expect(inRange(encodeKey(types, [3, '']), r)).toBe(false);
    expect(inRange(encodeKey(types, [1, null]), r)).toBe(false);
  });

  it('prefix successors and storage keys', () => {
    expect(prefixSuccessor(new Uint8Array([1, 0xff, 0xff]))).toEqual(new Uint8Array([2]));
    expect(prefixSuccessor(new Uint8Array([0xff]))).toBeUndefined();
    const row = rowStorageKey(16384, new Uint8Array([9]));
    expect(objectIdOf(row)).toBe(16384);
    expect(inRange(row, objectRange(16384))).toBe(true);
    expect(inRange(indexStorageKey(16385, new Uint8Array([0])), objectRange(16384))).toBe(false);
    expect(inRange(metaKey(MetaKind.Catalog), objectRange(0))).toBe(true);
    const scoped = withPrefix(new Uint8Array([0, 0, 0x40, 0]), { gte: new Uint8Array([5]) });
    expect(scoped).toEqual({ gte: new Uint8Array([0, 0, 0x40, 0, 5]), lt: new Uint8Array([0, 0, 0x40, 1]) });
  });
});
