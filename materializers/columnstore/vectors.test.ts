import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal, Jsonb, type SqlType, type SqlValue } from '../entries/index.js';
import { valueArb } from '../testing/arbitraries.js';
import { createColumnBuilder } from './column-builder.js';
import { ColumnStoreCorruptionError } from './errors.js';
import { frameFile, unframeFile } from './file-format.js';
import { decodeDeletes, decodeSegment, encodeDeletes, encodeSegment } from './segment-codec.js';
import { Segment } from './segment.js';
import { vectorValue, type ColumnVector } from './vectors.js';

function build(type: SqlType, values: readonly SqlValue[], dictionaryEntriesMax = 4): { view: ColumnVector; sealed: ColumnVector; zone: ReturnType<ReturnType<typeof createColumnBuilder>['zone']> } {
  const b = createColumnBuilder(type, Math.max(values.length, 1), { dictionaryEntriesMax });
  for (const v of values) b.append(v);
  return { view: b.view(), sealed: b.seal(), zone: b.zone() };
}

function valuesOf(v: ColumnVector): SqlValue[] {
  return Array.from({ length: v.length }, (_, i) => vectorValue(v, i));
}

const d = (text: string): Decimal => {
  const [int, frac = ''] = text.split('.');
  return Decimal.of(BigInt(`${int}${frac}`), frac.length);
};

describe('column encodings', () => {
  it('stores integers, dates and timestamps in typed arrays with nulls and zone maps', () => {
    const int2 = build({ kind: 'int2' }, [3, null, -7, 32767]);
    expect(int2.sealed.kind).toBe('int16');
    expect(valuesOf(int2.sealed)).toEqual([3, null, -7, 32767]);
    expect(int2.zone).toEqual({ rowCount: 4, nullCount: 1, min: -7, max: 32767 });
    expect(build({ kind: 'date' }, [1, 2]).sealed.kind).toBe('int32');
    const ts = build({ kind: 'timestamptz', precision: null }, [5n, -9n, null]);
    expect(ts.sealed.kind).toBe('int64');
    expect(valuesOf(ts.sealed)).toEqual([5n, -9n, null]);
    expect(ts.zone.min).toBe(-9n);
  });

  it('keeps float NaN above everything in the zone map', () => {
    const f = build({ kind: 'float8' }, [1.5, Number.NaN, -2]);
    expect(f.sealed.kind).toBe('float64');
    expect(f.zone.min).toBe(-2);
    expect(f.zone.max).toBeNaN();
    expect(build({ kind: 'float4' }, [0.5]).sealed.kind).toBe('float32');
  });

  it('stores bool as bytes', () => {
    const b = build({ kind: 'bool' }, [true, null, true]);
    expect(b.sealed.kind).toBe('bool');
    expect(valuesOf(b.sealed)).toEqual([true, null, true]);
    expect([b.zone.min, b.zone.max]).toEqual([true, true]);
  });

  it('stores numeric(15,2) as exact scaled int64 and sums exactly', () => {
    const type: SqlType = { kind: 'numeric', precision: 15, scale: 2 };
    const values = [d('0.10'), d('0.20'), d('9999999999999.99'), null];
    const v = build(type, values).sealed;
    expect(v.kind).toBe('decimal64');
    if (v.kind !== 'decimal64') return;
    expect(v.scale).toBe(2);
    let sum = 0n;
    for (let i = 0; i < v.length; i++) sum += v.values[i] ?? 0n;
    expect(sum).toBe(1000000000000029n); // 10000000000000.29 exactly
    expect(valuesOf(v)).toEqual(values);
  });

  it('falls back to the exact generic encoding per segment for a numeric that does not fit', () => {
    const type: SqlType = { kind: 'numeric', precision: 15, scale: 2 };
    const values = [d('1.25'), Decimal.NaN, d('3.5')];
    const r = build(type, values);
    expect(r.sealed.kind).toBe('generic');
    expect(valuesOf(r.sealed)).toEqual(values);
    expect(r.zone.max).toBe(Decimal.NaN);
    const wide = build({ kind: 'numeric', precision: 30, scale: 10 }, [d('12345678901234567890.0123456789')]).sealed;
    expect(wide.kind).toBe('generic');
  });

  it('dictionary-encodes low-cardinality text and switches to offsets + bytes past the limit', () => {
    const low = build({ kind: 'text' }, ['b', 'a', 'b', null, 'a']);
    expect(low.sealed.kind).toBe('dict');
    expect(valuesOf(low.sealed)).toEqual(['b', 'a', 'b', null, 'a']);
    expect([low.zone.min, low.zone.max]).toEqual(['a', 'b']);
    const many = ['x1', 'x2', 'x3', 'x4', 'x5', 'x6', null, 'é😀'];
    const high = build({ kind: 'varchar', length: null }, many);
    expect(high.sealed.kind).toBe('utf8');
    expect(high.view.kind).toBe('utf8');
    expect(valuesOf(high.sealed)).toEqual(many);
    // Code point order: U+1F600 sorts after U+FFFD although its UTF-16 surrogates sort before.
    const z = build({ kind: 'text' }, ['\u{1F600}', '\uFFFD']).zone;
    expect(z.max).toBe('\u{1F600}');
  });

  it('stores other types in the generic encoding', () => {
    for (const [type, value] of [
      [{ kind: 'uuid' }, '00000000-0000-4000-8000-000000000001'],
      [{ kind: 'bytea' }, Uint8Array.of(1, 2, 3)],
      [{ kind: 'interval', fields: null, precision: null }, { months: 1, days: 2, micros: 3n }],
      [{ kind: 'jsonb' }, new Jsonb(null)],
      [{ kind: 'array', element: { kind: 'int4' } }, [1, null, 3]],
    ] as [SqlType, SqlValue][]) {
      const v = build(type, [value, null]).sealed;
      expect(v.kind).toBe('generic');
      expect(valuesOf(v)).toEqual([value, null]);
    }
  });

  it('round-trips any column type through a builder (property)', () => {
    fc.assert(fc.property(
      fc.constantFrom<SqlType>(
        { kind: 'int4' }, { kind: 'int8' }, { kind: 'float8' }, { kind: 'text' }, { kind: 'bool' }, { kind: 'uuid' },
        { kind: 'numeric', precision: null, scale: null }, { kind: 'timestamp', precision: null }, { kind: 'jsonb' },
      ).chain((type) => fc.tuple(fc.constant(type), fc.array(valueArb(type), { maxLength: 30 }))),
      ([type, values]) => {
        const r = build(type, values, 3);
        expect(valuesOf(r.view)).toEqual(values);
        expect(valuesOf(r.sealed)).toEqual(values);
      },
    ), { numRuns: 200 });
  });
});

describe('segment files', () => {
  function sampleSegment(): Segment {
    const columns = [
      { id: 1, type: { kind: 'int4' } as SqlType }, { id: 2, type: { kind: 'text' } as SqlType },
      { id: 3, type: { kind: 'numeric', precision: 10, scale: 2 } as SqlType }, { id: 4, type: { kind: 'jsonb' } as SqlType },
    ];
    const s = Segment.open(7, columns, 16, { dictionaryEntriesMax: 2 });
    for (let i = 0; i < 5; i++) s.append([i, i % 2 === 0 ? `t${i}` : null, d(`${i}.50`), new Jsonb(`${i}`)], Uint8Array.of(0x80, i), 10 + i);
    s.markDeleted(2, 20);
    s.seal();
    return s;
  }

  it('round-trips through encode/decode with each compression', async () => {
    const s = sampleSegment();
    const parts = s.parts(s.rowCount, 100);
    for (const compression of ['none', 'lz4', 'zstd'] as const) {
      const file = await frameFile('TDCS', encodeSegment(parts), compression);
      const back = decodeSegment(await unframeFile('TDCS', file, 'x'), decodeDeletes(encodeDeletes(parts.deletes)));
      const loaded = Segment.sealed(back);
      for (let c = 0; c < 4; c++) expect(valuesOf(loaded.vector(c))).toEqual(valuesOf(s.vector(c)));
      expect(loaded.zone(2)).toEqual(s.zone(2));
      expect(loaded.isDeleted(2)).toBe(true);
      expect(loaded.insertIndexAt(4)).toBe(14);
      expect(loaded.keyAt(3)).toEqual(Uint8Array.of(0x80, 3));
    }
  });

  it('detects a flipped bit', async () => {
    const s = sampleSegment();
    const file = await frameFile('TDCS', encodeSegment(s.parts(s.rowCount, 100)), 'lz4');
    file[12] = (file[12] ?? 0) ^ 1;
    await expect(unframeFile('TDCS', file, 'x')).rejects.toThrow(ColumnStoreCorruptionError);
  });

  it('selects rows visible at a read index', () => {
    const s = sampleSegment();
    expect(s.visibleRowCount(9)).toBe(0);
    expect(s.visibleRowCount(12)).toBe(3);
    expect(s.selection(19, 5)).toBeNull();
    expect([...(s.selection(20, 5) ?? [])]).toEqual([0, 1, 3, 4]);
  });
});
