import { describe, expect, it } from 'vitest';
import { EntryKind } from '../types.js';
import { encodeEntries, recordData } from './compression.js';
import { decodeHardState, encodeHardState } from './hard-state.js';
import { entryDataBytesMax, recordBodyBytesMax, recordHeaderBytes, segmentHeaderBytes } from './limits.js';
import { Compression, RecordStreamDecoder, decodeRecord, encodeRecord } from './record.js';
import type { DecodedRecord } from './record.js';
import { decodeSegmentHeader, encodeSegmentHeader, parseSegmentFileName, segmentFileName } from './segment.js';
import { entryData, makeEntries } from './test-support.js';

const sample = { term: 7, index: 42, kind: EntryKind.Normal, compression: Compression.None } as const;

function streamAll(chunks: readonly Buffer[]): { records: DecodedRecord[]; bufferedBytes: number } {
  const decoder = new RecordStreamDecoder(0);
  const records: DecodedRecord[] = [];
  for (const chunk of chunks) {
    decoder.push(chunk);
    for (let step = decoder.next(); step.kind !== 'need-more'; step = decoder.next()) {
      if (step.kind === 'invalid') throw new Error(step.reason);
      records.push(step.record);
    }
  }
  return { records, bufferedBytes: decoder.bufferedBytes };
}

describe('record codec', () => {
  it('round trips the fields and payload', () => {
    const payload = Buffer.from('hello, log');
    const decoded = decodeRecord(encodeRecord(sample, payload), 0);
    expect(decoded.kind).toBe('record');
    if (decoded.kind !== 'record') return;
    expect(decoded.record).toMatchObject({ term: 7, index: 42, kind: EntryKind.Normal, compression: Compression.None });
    expect(Buffer.from(decoded.record.payload).equals(payload)).toBe(true);
    expect(decoded.record.recordBytes).toBe(recordHeaderBytes + payload.length);
  });

  it('round trips indexes and terms up to 2^53 - 1 and empty payloads', () => {
    const big = { ...sample, term: Number.MAX_SAFE_INTEGER, index: 2 ** 40 + 3 };
    const decoded = decodeRecord(encodeRecord(big, new Uint8Array(0)), 0);
    expect(decoded.kind === 'record' && decoded.record).toMatchObject({ term: Number.MAX_SAFE_INTEGER, index: 2 ** 40 + 3 });
  });

  it('decodes the same records whatever byte the stream is split at', () => {
    const stream = Buffer.concat(makeEntries(1, 4, 3, 30).map((entry, k) => encodeRecord({ ...sample, index: entry.index, term: 3 + k }, entry.data)));
    const whole = streamAll([stream]).records;
    expect(whole.map((record) => record.index)).toEqual([1, 2, 3, 4]);
    for (let split = 0; split <= stream.length; split += 1) {
      const parts = streamAll([stream.subarray(0, split), stream.subarray(split)]);
      expect(parts.bufferedBytes).toBe(0);
      expect(parts.records.map((record) => [record.index, record.term, Buffer.from(record.payload).toString('hex')])).toEqual(
        whole.map((record) => [record.index, record.term, Buffer.from(record.payload).toString('hex')]),
      );
    }
  });

  it('reports every strict prefix of a record as incomplete, never as a record', () => {
    const record = encodeRecord(sample, Buffer.from('0123456789abcdef'));
    for (let length = 0; length < record.length; length += 1) {
      expect(decodeRecord(record.subarray(0, length), 0).kind).toBe('incomplete');
    }
  });

  it('byte by byte feeding yields the records', () => {
    const stream = Buffer.concat([encodeRecord(sample, Buffer.from('a')), encodeRecord({ ...sample, index: 43 }, Buffer.from('bc'))]);
    const chunks = Array.from(stream, (byte) => Buffer.from([byte]));
    expect(streamAll(chunks).records.map((record) => record.index)).toEqual([42, 43]);
  });

  it('rejects an out-of-bounds length from the first 4 bytes, before waiting for the body', () => {
    const header = Buffer.alloc(4);
    header.writeUInt32LE(recordBodyBytesMax + 1, 0);
    expect(decodeRecord(header, 0)).toMatchObject({ kind: 'invalid', damage: 'frame' });
    header.writeUInt32LE(0xffffffff, 0);
    expect(decodeRecord(header, 0)).toMatchObject({ kind: 'invalid', damage: 'frame' });
    expect(decodeRecord(Buffer.alloc(64), 0)).toMatchObject({ kind: 'invalid', damage: 'frame' });
  });

  it('flags a flipped bit anywhere as frame damage', () => {
    const record = encodeRecord(sample, Buffer.from('payload bytes'));
    for (let position = 4; position < record.length; position += 1) {
      const damaged = Buffer.from(record);
      damaged[position] = (damaged[position] ?? 0) ^ 0x10;
      expect(decodeRecord(damaged, 0)).toMatchObject({ kind: 'invalid', damage: 'frame' });
    }
  });

  it('flags a CRC-valid record with an unknown kind as content damage', () => {
    const record = encodeRecord({ ...sample, kind: 9 as EntryKind }, Buffer.from('x'));
    expect(decodeRecord(record, 0)).toMatchObject({ kind: 'invalid', damage: 'content' });
  });
});

describe('payload compression', () => {
  for (const compression of ['none', 'lz4', 'zstd'] as const) {
    it(`${compression}: round trips small, compressible and incompressible data`, async () => {
      const datas = [new Uint8Array(0), entryData(1, 10), entryData(2, 4000, true), entryData(3, 4000)];
      const entries = datas.map((data, k) => ({ index: k + 1, term: 1, kind: EntryKind.Normal, data }));
      const records = await encodeEntries(entries, compression);
      for (const [k, record] of records.entries()) {
        const decoded = decodeRecord(record, 0);
        if (decoded.kind !== 'record') throw new Error('not a record');
        expect(Buffer.from(await recordData(decoded.record)).equals(Buffer.from(datas[k] ?? []))).toBe(true);
      }
      const compressible = records[2];
      if (compression !== 'none') expect(compressible?.length).toBeLessThan(1000);
      expect(records[3]?.length).toBe(recordHeaderBytes + 4000); // incompressible stays raw
    });
  }
  it('keeps the raw size bounded', () => {
    expect(entryDataBytesMax).toBeLessThan(recordBodyBytesMax);
  });
});

describe('segment header and file names', () => {
  it('round trips', () => {
    const header = encodeSegmentHeader({ firstIndex: 2 ** 33 + 1, prevTerm: 5 });
    expect(header.length).toBe(segmentHeaderBytes);
    expect(decodeSegmentHeader(header)).toEqual({ firstIndex: 2 ** 33 + 1, prevTerm: 5 });
    header[10] = (header[10] ?? 0) ^ 1;
    expect(decodeSegmentHeader(header)).toBe('segment header checksum mismatch');
  });
  it('names segments by zero-padded first index', () => {
    expect(segmentFileName(1)).toBe('00000000000000000001.wal');
    expect(parseSegmentFileName('00000000000000000001.wal')).toBe(1);
    expect(parseSegmentFileName('hardstate')).toBeUndefined();
    expect(parseSegmentFileName('00000000000000000000.wal')).toBeUndefined();
  });
});

describe('hard state codec', () => {
  it('round trips and detects damage', () => {
    const bytes = encodeHardState({ term: 3, vote: 2, commit: 2 ** 40 });
    expect(decodeHardState(bytes)).toEqual({ term: 3, vote: 2, commit: 2 ** 40 });
    bytes[9] = (bytes[9] ?? 0) ^ 1;
    expect(decodeHardState(bytes)).toBe('hard state checksum mismatch');
    expect(typeof decodeHardState(bytes.subarray(0, 10))).toBe('string');
  });
});
