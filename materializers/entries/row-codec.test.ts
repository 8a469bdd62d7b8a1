import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decimalArb, scalarTypes, sqlTypeArb, valueArb } from '../testing/arbitraries.js';
import { EntryDecodeError, EntryEncodeError } from './errors.js';
import { decodeRow, encodeRow, rowLayoutId, type RowLayout } from './row-codec.js';
import { Decimal, Jsonb, JsonbObject, type Row, type SqlType, type SqlValue } from './query-types.js';

function layoutOf(types: readonly SqlType[], id = 1): RowLayout {
  return { id, columns: types.map((type, i) => ({ id: i + 1, type })) };
}

function roundTrip(layout: RowLayout, row: Row): Row {
  return decodeRow(encodeRow(layout, row), (id) => (id === layout.id ? layout : undefined)).row;
}

const examples: readonly [SqlType, SqlValue][] = [
  [{ kind: 'bool' }, true], [{ kind: 'bool' }, false],
  [{ kind: 'int2' }, -32768], [{ kind: 'int2' }, 32767],
  [{ kind: 'int4' }, -2147483648], [{ kind: 'int4' }, 2147483647],
  [{ kind: 'int8' }, -(2n ** 63n)], [{ kind: 'int8' }, 2n ** 63n - 1n],
  [{ kind: 'float4' }, Math.fround(3.14)], [{ kind: 'float4' }, Number.NaN], [{ kind: 'float4' }, -Infinity],
  [{ kind: 'float8' }, -0], [{ kind: 'float8' }, Number.MIN_VALUE], [{ kind: 'float8' }, Number.NaN],
  [{ kind: 'numeric', precision: 10, scale: 2 }, Decimal.of(-12345n, 2)],
  [{ kind: 'numeric', precision: null, scale: null }, Decimal.of(10n ** 200n + 7n, 100)],
  [{ kind: 'numeric', precision: null, scale: null }, Decimal.NaN],
  [{ kind: 'numeric', precision: null, scale: null }, Decimal.NegativeInfinity],
  [{ kind: 'numeric', precision: null, scale: null }, Decimal.Zero],
  [{ kind: 'text' }, ''], [{ kind: 'text' }, 'héllo, 世界 😀'], [{ kind: 'varchar', length: 3 }, 'abc'],
  [{ kind: 'bpchar', length: 5 }, 'ab   '], [{ kind: 'json' }, '{"a": [1, 2]}'],
  [{ kind: 'bytea' }, new Uint8Array([0, 255, 1])], [{ kind: 'bytea' }, new Uint8Array(0)],
  [{ kind: 'uuid' }, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'],
  [{ kind: 'date' }, -2147483648], [{ kind: 'date' }, 8766],
  [{ kind: 'time', precision: null }, 86_400_000_000], [{ kind: 'time', precision: 2 }, 0],
  [{ kind: 'timestamp', precision: null }, 9223372036854775807n], [{ kind: 'timestamptz', precision: null }, -1n],
  [{ kind: 'interval', fields: 'day to second', precision: 3 }, { months: -14, days: 3, micros: 4_000_001n }],
  [{ kind: 'jsonb' }, new Jsonb(new JsonbObject(['a', 'bb'], [[null, true, Decimal.of(15n, 1)], 'x']))],
  [{ kind: 'array', element: { kind: 'int4' } }, [1, null, 3]],
  [{ kind: 'array', element: { kind: 'text' } }, [['a', 'b'], ['c', null]]],
  [{ kind: 'array', element: { kind: 'numeric', precision: null, scale: null } }, []],
];

describe('row codec', () => {
  it.each(examples.map((e, i) => [i, ...e] as const))('round-trips example %i (%o)', (_i, type, value) => {
    const layout = layoutOf([type, type]);
    expect(roundTrip(layout, [value, null])).toEqual([value, null]);
    expect(roundTrip(layout, [null, value])).toEqual([null, value]);
  });

  it('round-trips a row of every type at once, with and without NULLs', () => {
    const layout = layoutOf(examples.map(([type]) => type));
    const row = examples.map(([, value]) => value);
    expect(roundTrip(layout, row)).toEqual(row);
    const nulls = row.map((v, i) => (i % 3 === 0 ? null : v));
    expect(roundTrip(layout, nulls)).toEqual(nulls);
    expect(roundTrip(layout, row.map(() => null))).toEqual(row.map(() => null));
  });

  it('round-trips random rows of random layouts (property)', () => {
    const layoutAndRow = fc.array(sqlTypeArb, { maxLength: 20 }).chain((types) =>
      fc.tuple(fc.constant(layoutOf(types, 7)), fc.tuple(...types.map((t) => valueArb(t)))));
    fc.assert(fc.property(layoutAndRow, ([layout, row]) => {
      expect(roundTrip(layout, row)).toEqual(row);
    }), { numRuns: 500 });
  });

  it('throws EntryDecodeError for every truncation of a row', () => {
    const layout = layoutOf(examples.map(([type]) => type));
    const bytes = encodeRow(layout, examples.map(([, value]) => value));
    for (let cut = 0; cut < bytes.length; cut++) {
      expect(() => decodeRow(bytes.subarray(0, cut), () => layout), `cut at ${cut}`).toThrow(EntryDecodeError);
    }
  });

  it('decodes garbage as a row or a typed error, never another exception (property)', () => {
    const layout = layoutOf(scalarTypes);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      const framed = new Uint8Array([1, ...bytes]);
      try {
        decodeRow(framed, () => layout);
      } catch (error) {
        expect(error).toBeInstanceOf(EntryDecodeError);
      }
    }), { numRuns: 2000 });
  });

  it('rejects trailing bytes, stray bitmap bits, unknown layouts and non-canonical numerics', () => {
    const layout = layoutOf([{ kind: 'int4' }, { kind: 'numeric', precision: null, scale: null }]);
    const bytes = encodeRow(layout, [7, Decimal.of(5n, 0)]);
    const reason = (b: Uint8Array): string => {
      try {
        decodeRow(b, (id) => (id === 1 ? layout : undefined));
        return 'decoded';
      } catch (error) {
        return (error as EntryDecodeError).reason;
      }
    };
    expect(reason(new Uint8Array([...bytes, 0]))).toBe('trailing');
    expect(reason(new Uint8Array([1, 0b100, ...bytes.subarray(2)]))).toBe('malformed');
    expect(reason(new Uint8Array([2, ...bytes.subarray(1)]))).toBe('layout');
    // numeric 5 with a leading zero byte in its coefficient
    expect(reason(new Uint8Array([1, 0, 7, 0, 0, 0, 0, 0, 0, 2, 0, 5]))).toBe('malformed');
    expect(rowLayoutId(bytes)).toBe(1);
  });

  it('refuses values that do not fit their type', () => {
    const bad: readonly [SqlType, SqlValue][] = [
      [{ kind: 'int4' }, 2 ** 31], [{ kind: 'int4' }, 1.5], [{ kind: 'int2' }, 40000], [{ kind: 'int8' }, 5],
      [{ kind: 'int8' }, 2n ** 63n], [{ kind: 'text' }, 'lone \ud800'], [{ kind: 'uuid' }, 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'],
      [{ kind: 'float4' }, 0.1], [{ kind: 'bool' }, 1], [{ kind: 'numeric', precision: null, scale: null }, 1],
      [{ kind: 'time', precision: null }, -1], [{ kind: 'bytea' }, 'x'], [{ kind: 'array', element: { kind: 'int4' } }, 1],
    ];
    for (const [type, value] of bad) expect(() => encodeRow(layoutOf([type]), [value]), `${type.kind}`).toThrow(EntryEncodeError);
    expect(() => encodeRow(layoutOf([{ kind: 'int4' }]), [1, 2])).toThrow(EntryEncodeError);
  });

  it('round-trips numerics exactly, scale included (property)', () => {
    const layout = layoutOf([{ kind: 'numeric', precision: null, scale: null }]);
    fc.assert(fc.property(decimalArb, (d) => {
      const [back] = roundTrip(layout, [d]);
      expect(back).toBeInstanceOf(Decimal);
      expect((back as Decimal).toString()).toBe(d.toString());
    }));
  });

  it('writes text as the same bytes TextEncoder gives, on the ASCII fast path and off it', () => {
    const layout = layoutOf([{ kind: 'text' }]);
    const texts = ['', 'abc', 'x'.repeat(256), 'x'.repeat(257), `${'a'.repeat(200)}é`, 'héllo, 世界 😀', '\u007f\u0080'];
    for (const text of texts) {
      const encoded = encodeRow(layout, [text]);
      const utf8 = new TextEncoder().encode(text);
      // [layout id 1][null bitmap][varuint length][bytes]
      expect(encoded.subarray(encoded.length - utf8.length)).toEqual(utf8);
      expect(roundTrip(layout, [text])).toEqual([new TextDecoder().decode(utf8)]);
    }
  });
});

/**
 * Numeric rows as the hex-string codec (before issue 5's Number fast path)
 * wrote them: [layout 1][bitmap][tag][varuint scale][sign][varuint n][n bytes].
 * WALs and checkpoints hold these bytes, so both paths must keep them.
 */
const numericGolden: readonly (readonly [string, bigint, number, string])[] = [
  ['0', 0n, 0, '010000000000'],
  ['0.00', 0n, 2, '010000020000'],
  ['1', 1n, 0, '01000000000101'],
  ['-1', -1n, 0, '01000000010101'],
  ['255', 255n, 0, '010000000001ff'],
  ['256', 256n, 0, '0100000000020100'],
  ['-12345.67', -1234567n, 2, '01000002010312d687'],
  ['2^48-1', 281474976710655n, 0, '010000000006ffffffffffff'],
  ['2^48', 281474976710656n, 3, '01000003000701000000000000'],
  ['2^53-1', 9007199254740991n, 0, '0100000000071fffffffffffff'],
  ['-(2^53-1)', -9007199254740991n, 5, '0100000501071fffffffffffff'],
  ['2^53', 9007199254740992n, 0, '01000000000720000000000000'],
  ['2^53+1', 9007199254740993n, 0, '01000000000720000000000001'],
  ['-(2^53+1)', -9007199254740993n, 1, '01000001010720000000000001'],
  ['2^64', 18446744073709551616n, 0, '010000000009010000000000000000'],
  ['10^100+7 scale 50', 10n ** 100n + 7n, 50, '01000032002a1249ad2594c37ceb0b2784c4ce0bf38ace408e211a7caab24308a82e8f10000000000000000000000007'],
  ['-(10^130) scale 16383', -(10n ** 130n), 16383, '010000ff7f0136e6d3102ad96cec1da60dc059157491e5f372bd3c103dd9a92261e44a42d58357c796324c386400000000000000000000000000000000'],
];

describe('numeric bytes', () => {
  const layout = layoutOf([{ kind: 'numeric', precision: null, scale: null }]);
  const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

  it('encodes as the old codec did, across the 2^48 and 2^53 boundaries and large scales', () => {
    for (const [name, coefficient, scale, bytes] of numericGolden) expect(hex(encodeRow(layout, [Decimal.of(coefficient, scale)])), name).toBe(bytes);
    expect(hex(encodeRow(layout, [Decimal.NaN]))).toBe('010001');
    expect(hex(encodeRow(layout, [Decimal.Infinity]))).toBe('010002');
    expect(hex(encodeRow(layout, [Decimal.NegativeInfinity]))).toBe('010003');
  });

  it('decodes the old bytes to the same values', () => {
    for (const [name, coefficient, scale, bytes] of numericGolden) {
      const [back] = decodeRow(Buffer.from(bytes, 'hex'), () => layout).row;
      expect(back, name).toBeInstanceOf(Decimal);
      expect((back as Decimal).coefficient, name).toBe(coefficient);
      expect((back as Decimal).scale, name).toBe(scale);
    }
    expect(decodeRow(Buffer.from('010003', 'hex'), () => layout).row).toEqual([Decimal.NegativeInfinity]);
  });

  it('rejects a negative zero and a leading zero byte on both paths', () => {
    // -0: sign 1 with no coefficient bytes; 7- and 2-byte coefficients led by a zero byte.
    for (const bytes of ['0100000000010000', '01000000000700ffffffffffff', '010000000002000101', '0100000000080000000000000001']) {
      expect(() => decodeRow(Buffer.from(bytes, 'hex'), () => layout), bytes).toThrow(EntryDecodeError);
    }
  });

  it('round-trips coefficients near 2^48, 2^53 and beyond, any sign and scale (property)', () => {
    const near = fc.constantFrom(2n ** 48n, 2n ** 53n, 2n ** 64n, 2n ** 96n, 10n ** 100n).chain((base) => fc.bigInt(base - 3n, base + 3n));
    const coefficient = fc.oneof(near, fc.bigInt({ min: 0n, max: 2n ** 400n })).chain((m) => fc.boolean().map((negative) => (negative ? -m : m)));
    fc.assert(fc.property(coefficient, fc.integer({ min: 0, max: 16383 }), (c, scale) => {
      const [back] = roundTrip(layout, [Decimal.of(c, scale)]);
      expect((back as Decimal).coefficient).toBe(c);
      expect((back as Decimal).scale).toBe(scale);
    }), { numRuns: 2000 });
  });
});

describe('text bytes', () => {
  const layout = layoutOf([{ kind: 'text' }, { kind: 'varchar', length: null }]);
  const decode = (bytes: Uint8Array): Row => decodeRow(bytes, () => layout).row;

  it('decodes text from rows at any offset of a shared buffer, U+FFFD itself included', () => {
    const row: Row = ['DELIVER IN PERSON', 'a \uFFFD b, héllo 😀'];
    const encoded = encodeRow(layout, row);
    const shared = new Uint8Array(encoded.length + 13);
    shared.set(encoded, 7);
    expect(decode(shared.subarray(7, 7 + encoded.length))).toEqual(row);
  });

  it('rejects bytes that are not UTF-8 (stray, overlong, surrogate), wherever they sit', () => {
    // [layout 1][bitmap 0][varuint 1]['a'] then the second column's bytes.
    for (const bad of [[0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0x61, 0xe2, 0x82]]) {
      const bytes = new Uint8Array([1, 0, 1, 0x61, bad.length, ...bad]);
      expect(() => decode(bytes), bad.join(',')).toThrow(/not valid UTF-8/);
    }
  });
});
