import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { valueArb } from '../testing/arbitraries.js';
import { encodeDdlEntry } from './ddl.js';
import { decodeCommittedEntry, decodeDdlEntry, decodeEntry, decodeTxnEntry } from './decode.js';
import type { DdlEntry, TableDefinition } from './definitions.js';
import { entryFormatVersion, EntryType } from './envelope.js';
import { EffectTooLargeError, EntryDecodeError, EntryEncodeError } from './errors.js';
import type { RowLayout } from './row-codec.js';
import { Decimal, type SqlType } from './query-types.js';
import { decodeAfterRow, encodeTxnAbortEntry, encodeTxnEntry, TxnStreamEncoder, type TxnEntry } from './txn.js';

const layouts = new Map<number, RowLayout>([
  [20, { id: 3, columns: [{ id: 1, type: { kind: 'int8' } }, { id: 4, type: { kind: 'text' } }] }],
  [21, { id: 1, columns: [{ id: 1, type: { kind: 'numeric', precision: 10, scale: 2 } }] }],
]);
const layoutOf = (tableId: number): RowLayout => {
  const layout = layouts.get(tableId);
  if (layout === undefined) throw new Error(`no table ${tableId}`);
  return layout;
};
const resolverOf = (tableId: number) => (layoutId: number) => (layoutOf(tableId).id === layoutId ? layoutOf(tableId) : undefined);

const txn: TxnEntry = {
  txnId: 2n ** 64n - 1n,
  sessionId: 42,
  commitTsMicros: 789_000_000_123n,
  sequences: [{ sequenceId: 30, value: 17n }, { sequenceId: 31, value: -5n }],
  effects: [
    { tableId: 20, op: 'insert', key: new Uint8Array([1, 2]), after: [1n, 'one'] },
    { tableId: 20, op: 'update', key: new Uint8Array([1, 2]), after: [1n, null], before: [1n, 'one'] },
    { tableId: 21, op: 'delete', key: new Uint8Array([9]), before: [Decimal.of(-1234n, 2)] },
  ],
};

const table: TableDefinition = {
  id: 16384, databaseName: 'thunderdb', schemaName: 'public', name: 'orders',
  columns: [
    { id: 1, name: 'id', type: { kind: 'int8' }, notNull: true, identity: 'always', sequenceId: 16385 },
    { id: 2, name: 'note', type: { kind: 'varchar', length: 40 }, notNull: false, defaultExpr: "'none'" },
    { id: 3, name: 'amount', type: { kind: 'numeric', precision: 12, scale: 2 }, notNull: false, missingValue: Decimal.of(0n, 2) },
    { id: 5, name: 'tags', type: { kind: 'array', element: { kind: 'text' } }, notNull: false },
    { id: 6, name: 'span', type: { kind: 'interval', fields: 'hour to minute', precision: null }, notNull: false },
  ],
  primaryKey: { name: 'orders_pkey', columnIds: [1] },
  rowIdSequenceId: null,
  uniqueConstraints: [{ name: 'orders_note_key', columnIds: [2], indexId: 16386 }],
  checkConstraints: [{ name: 'orders_amount_check', expr: 'amount >= 0' }],
  indexes: [{ id: 16386, name: 'orders_note_key', columnIds: [2], unique: true }, { id: 16387, name: 'orders_amount_idx', columnIds: [3, 2], unique: false }],
};

const ddl: DdlEntry = {
  changes: [
    { kind: 'createDatabase', database: { id: 16390, name: 'shop' } },
    { kind: 'createSchema', schema: { id: 16391, databaseName: 'shop', name: 'sales' } },
    {
      kind: 'createSequence', sequence: {
        id: 16385, databaseName: 'thunderdb', schemaName: 'public', name: 'orders_id_seq', dataType: 'int8', start: 1n,
        increment: 1n, min: 1n, max: 2n ** 63n - 1n, cycle: false, ownedBy: { tableId: 16384, columnId: 1 },
      },
    },
    { kind: 'createTable', table },
    { kind: 'alterTable', table: { ...table, name: 'orders2', primaryKey: null, rowIdSequenceId: 16385 } },
    { kind: 'truncateTable', tableId: 16384 },
    { kind: 'alterSequence', sequence: { id: 16385, databaseName: 'd', schemaName: 's', name: 'n', dataType: 'int2', start: -1n, increment: -1n, min: -100n, max: -1n, cycle: true, ownedBy: null } },
    { kind: 'dropSequence', sequenceId: 16385 },
    { kind: 'dropTable', tableId: 16384 },
    { kind: 'dropSchema', schemaId: 16391 },
    { kind: 'dropDatabase', databaseId: 16390 },
  ],
};

function decodeReason(data: Uint8Array): string {
  try {
    const d = decodeEntry(data);
    if (d.type === 'txn' || d.type === 'txnPart') decodeTxnEntry(data, resolverOf);
    return 'decoded';
  } catch (error) {
    if (error instanceof EntryDecodeError) return error.reason;
    throw error;
  }
}

describe('txn entries', () => {
  it('round-trip with their rows', () => {
    const data = encodeTxnEntry(txn, layoutOf);
    expect(data[0]).toBe(entryFormatVersion);
    expect(data[1]).toBe(EntryType.Txn);
    expect(decodeTxnEntry(data, resolverOf)).toEqual(txn);
    const raw = decodeEntry(data);
    expect(raw.type).toBe('txn');
  });

  it('round-trip random effects (property)', () => {
    const effect = fc.record({
      tableId: fc.constant(20),
      op: fc.constantFrom('insert' as const, 'update' as const, 'delete' as const),
      key: fc.uint8Array({ minLength: 1, maxLength: 20 }),
      after: fc.tuple(valueArb({ kind: 'int8' }), valueArb({ kind: 'text' })),
      before: fc.tuple(valueArb({ kind: 'int8' }), valueArb({ kind: 'text' })),
    }).map(({ op, after, before, ...rest }) => ({
      ...rest, op, ...(op === 'delete' ? {} : { after }), ...(op === 'insert' ? {} : { before }),
    }));
    const entry = fc.record({
      txnId: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), sessionId: fc.nat(), commitTsMicros: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
      effects: fc.array(effect, { maxLength: 8 }), sequences: fc.array(fc.record({ sequenceId: fc.nat(), value: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }) }), { maxLength: 3 }),
    });
    fc.assert(fc.property(entry, (t) => {
      expect(decodeTxnEntry(encodeTxnEntry(t, layoutOf), resolverOf)).toEqual(t);
    }), { numRuns: 300 });
  });

  it('stream-encodes a transaction that fits as the same bytes as encodeTxnEntry', () => {
    const stream = new TxnStreamEncoder(txn, layoutOf, 1 << 20, 1000);
    for (const effect of txn.effects) stream.add(effect);
    expect(stream.finish()).toEqual([encodeTxnEntry(txn, layoutOf)]);
  });

  it('stream-encodes a large transaction as parts within the byte and effect limits, in order (property)', () => {
    const effects = Array.from({ length: 300 }, (_, i) => ({ tableId: 20, op: 'insert' as const, key: new Uint8Array([i >> 8, i & 0xff]), after: [BigInt(i), 'x'.repeat(i % 50)] }));
    fc.assert(fc.property(fc.integer({ min: 256, max: 4096 }), fc.integer({ min: 1, max: 400 }), (bytesMax, effectsMax) => {
      const stream = new TxnStreamEncoder(txn, layoutOf, bytesMax, effectsMax);
      for (const effect of effects) stream.add(effect);
      const parts = stream.finish();
      const decoded = parts.map((data) => decodeEntry(data));
      const back = parts.flatMap((data) => decodeTxnEntry(data, resolverOf).effects);
      expect(back).toEqual(effects);
      parts.forEach((data, i) => {
        expect(data.length).toBeLessThanOrEqual(bytesMax);
        const d = decoded[i];
        if (parts.length === 1) {
          expect(d?.type).toBe('txn');
          return;
        }
        if (d?.type !== 'txnPart') throw new Error(`part ${i} is ${d?.type}`);
        expect(d.part).toEqual({ number: i, continues: i < parts.length - 1 });
        expect(d.txn.effects.length).toBeLessThanOrEqual(effectsMax);
        expect(d.txn.sequences).toEqual(i === 0 ? txn.sequences : []);
      });
    }), { numRuns: 50 });
  });

  it('stream-encodes after DDL parts as TxnParts numbered on from them, marks in the first', () => {
    const one = new TxnStreamEncoder(txn, layoutOf, 1 << 20, 1000, 2);
    for (const effect of txn.effects) one.add(effect);
    const [only, ...rest] = one.finish().map((data) => decodeEntry(data));
    expect(rest).toEqual([]);
    if (only?.type !== 'txnPart') throw new Error(`got ${only?.type}`);
    expect(only.part).toEqual({ number: 2, continues: false });
    expect(only.txn.sequences).toEqual(txn.sequences);
    const many = new TxnStreamEncoder(txn, layoutOf, 1 << 20, 1, 3);
    for (const effect of txn.effects) many.add(effect);
    const parts = many.finish().map((data) => decodeEntry(data));
    expect(parts.map((d) => (d.type === 'txnPart' ? [d.part.number, d.part.continues, d.txn.sequences.length] : d.type)))
      .toEqual(txn.effects.map((_, i) => [3 + i, i < txn.effects.length - 1, i === 0 ? txn.sequences.length : 0]));
  });

  it('refuses a streamed effect larger than one entry', () => {
    const stream = new TxnStreamEncoder(txn, layoutOf, 200, 10);
    expect(() => stream.add({ tableId: 20, op: 'insert', key: new Uint8Array([1]), after: [1n, 'y'.repeat(300)] })).toThrow(EffectTooLargeError);
  });

  it('throws EntryDecodeError on every truncation and every single-byte corruption', () => {
    const data = encodeTxnEntry(txn, layoutOf);
    for (let cut = 0; cut < data.length; cut++) expect(decodeReason(data.subarray(0, cut)), `cut ${cut}`).not.toBe('decoded');
    for (let i = 0; i < data.length; i++) {
      for (const flip of [0x01, 0x80, 0xff]) {
        const garbled = data.slice();
        garbled[i] = (garbled[i] ?? 0) ^ flip;
        expect(decodeReason(garbled), `byte ${i} ^ ${flip}`).not.toBe('decoded');
      }
    }
  });

  it('names the reason: checksum, version, type', () => {
    const data = encodeTxnEntry(txn, layoutOf);
    const garbled = data.slice();
    garbled[5] = (garbled[5] ?? 0) ^ 4;
    expect(decodeReason(garbled)).toBe('checksum');
    expect(decodeReason(new Uint8Array([1]))).toBe('truncated');
  });

  it('refuses effects without the rows their op needs, and out-of-range ids', () => {
    const key = new Uint8Array([1]);
    const bad: TxnEntry[] = [
      { ...txn, effects: [{ tableId: 20, op: 'insert', key }] },
      { ...txn, effects: [{ tableId: 20, op: 'update', key, after: [1n, 'x'] }] },
      { ...txn, effects: [{ tableId: 20, op: 'delete', key, before: [1n, 'x'], after: [1n, 'x'] }] },
      { ...txn, effects: [{ tableId: 20, op: 'insert', key: new Uint8Array(0), after: [1n, 'x'] }] },
      { ...txn, effects: [{ tableId: 20, op: 'insert', key, after: [1, 'x'] }] },
      { ...txn, txnId: -1n },
    ];
    for (const t of bad) expect(() => encodeTxnEntry(t, layoutOf)).toThrow(EntryEncodeError);
  });
});

describe('decodeCommittedEntry', () => {
  it('decodes an entry once for every consumer, and only the same bytes at the same index', () => {
    const data = encodeTxnEntry(txn, layoutOf);
    const first = decodeCommittedEntry(7, data);
    expect(first).toEqual(decodeEntry(data));
    expect(decodeCommittedEntry(7, data)).toBe(first);
    // Equal bytes in another buffer (re-read from the WAL) and the same bytes at another index decode again.
    const copy = data.slice();
    expect(decodeCommittedEntry(7, copy)).not.toBe(first);
    expect(decodeCommittedEntry(7, copy)).toEqual(first);
    expect(decodeCommittedEntry(8, data)).not.toBe(first);
  });

  it('decodes an effect\'s after row once for every consumer of the shared entry', () => {
    const data = encodeTxnEntry(txn, layoutOf);
    const decoded = decodeCommittedEntry(11, data);
    if (decoded.type !== 'txn') throw new Error('expected a txn entry');
    const [insert, , del] = decoded.txn.effects;
    if (insert === undefined || del === undefined) throw new Error('expected effects');
    const row = decodeAfterRow(insert, resolverOf(20));
    expect(row).toEqual({ layout: layoutOf(20), row: [1n, 'one'] });
    expect(decodeAfterRow(insert, resolverOf(20))).toBe(row);
    const again = decodeCommittedEntry(11, data);
    expect(again.type === 'txn' ? decodeAfterRow(again.txn.effects[0] as typeof insert, resolverOf(20)) : null).toBe(row);
    expect(decodeAfterRow(del, resolverOf(20))).toBeNull();
  });

  it('throws on a corrupt entry for every consumer', () => {
    const data = encodeTxnEntry(txn, layoutOf).slice();
    data[3] = (data[3] ?? 0) ^ 0xff;
    expect(() => decodeCommittedEntry(9, data)).toThrow(EntryDecodeError);
    expect(() => decodeCommittedEntry(9, data)).toThrow(EntryDecodeError);
  });
});

describe('txn parts and abort markers', () => {
  it('round-trip a part with its header', () => {
    for (const part of [{ number: 0, continues: true }, { number: 300, continues: false }]) {
      const data = encodeTxnEntry(txn, layoutOf, part);
      expect(data[1]).toBe(EntryType.TxnPart);
      const raw = decodeEntry(data);
      expect(raw.type === 'txnPart' ? raw.part : undefined).toEqual(part);
      expect(decodeTxnEntry(data, resolverOf)).toEqual(txn);
      for (let cut = 0; cut < data.length; cut++) expect(decodeReason(data.subarray(0, cut)), `cut ${cut}`).not.toBe('decoded');
    }
  });

  it('refuses part numbers out of range', () => {
    expect(() => encodeTxnEntry(txn, layoutOf, { number: -1, continues: true })).toThrow(EntryEncodeError);
    expect(() => encodeTxnEntry(txn, layoutOf, { number: 1 << 20, continues: true })).toThrow(EntryEncodeError);
  });

  it('round-trip an abort marker', () => {
    const data = encodeTxnAbortEntry(2n ** 64n - 1n);
    expect(data[1]).toBe(EntryType.TxnAbort);
    expect(decodeEntry(data)).toEqual({ type: 'txnAbort', txnId: 2n ** 64n - 1n });
    expect(() => decodeTxnEntry(data, resolverOf)).toThrow(EntryDecodeError);
  });
});

describe('ddl entries', () => {
  it('round-trip every change kind', () => {
    const data = encodeDdlEntry(ddl);
    expect(data[1]).toBe(EntryType.Ddl);
    expect(decodeDdlEntry(data)).toEqual(ddl);
  });

  it('throw EntryDecodeError on every truncation and corruption', () => {
    const data = encodeDdlEntry(ddl);
    for (let cut = 0; cut < data.length; cut++) expect(decodeReason(data.subarray(0, cut))).not.toBe('decoded');
    for (let i = 0; i < data.length; i += 3) {
      const garbled = data.slice();
      garbled[i] = (garbled[i] ?? 0) ^ 0x10;
      expect(decodeReason(garbled)).not.toBe('decoded');
    }
  });

  it('round-trips every column type in a table definition (property)', () => {
    const types = fc.array(fc.constantFrom<SqlType>(...table.columns.map((c) => c.type), { kind: 'jsonb' }, { kind: 'uuid' }), { minLength: 1, maxLength: 6 });
    fc.assert(fc.property(types, (ts) => {
      const t: TableDefinition = { ...table, columns: ts.map((type, i) => ({ id: i + 1, name: `c${i}`, type, notNull: i === 0 })) };
      expect(decodeDdlEntry(encodeDdlEntry({ changes: [{ kind: 'createTable', table: t }] }))).toEqual({ changes: [{ kind: 'createTable', table: t }] });
    }));
  });

  it('refuses an empty change list', () => {
    expect(() => encodeDdlEntry({ changes: [] })).toThrow(EntryEncodeError);
  });
});
