import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CopyOptions } from '../../ast/index.js';
import { decodeBinary, encodeBinary, SqlTypes } from '../../types/index.js';
import { BinaryCopyParser, BinaryCopyWriter, type BinaryTuple } from './copy-binary.js';
import { copyFormat } from './copy-options.js';
import type { CopyLineError } from './copy-parser.js';

const header = Buffer.from('PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0', 'latin1');
const trailer = Buffer.from([0xff, 0xff]);

function int16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
}

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

/** A tuple's bytes: strings as UTF-8, null as length -1. */
function tuple(...values: (string | null)[]): Buffer {
  return Buffer.concat([int16(values.length), ...values.flatMap((v) => (v === null ? [int32(-1)] : [int32(Buffer.byteLength(v)), Buffer.from(v)]))]);
}

/** Parses `data` in chunks of `chunk` bytes; fields come back as strings. */
function parse(data: Uint8Array, columns = 2, chunk = 1_000_000): { fields: (string | null)[]; line: number }[] {
  const out: { fields: (string | null)[]; line: number }[] = [];
  const parser = new BinaryCopyParser(columns, (t: BinaryTuple) => {
    out.push({ fields: t.fields.map((f) => (f === null ? null : Buffer.from(f).toString())), line: t.line });
  });
  for (let i = 0; i < data.length; i += chunk) parser.push(data.subarray(i, i + chunk));
  parser.finish();
  return out;
}

function failure(data: Uint8Array, columns = 2, chunk = 1_000_000): CopyLineError {
  try {
    parse(data, columns, chunk);
  } catch (error) {
    return error as CopyLineError;
  }
  throw new Error('expected the COPY data to be refused');
}

describe('COPY BINARY parser', () => {
  it('reads tuples with NULLs and empty values, and stops at the trailer', () => {
    const data = Buffer.concat([header, tuple('1', 'one'), tuple('2', null), tuple('', 'x'), trailer]);
    expect(parse(data)).toEqual([
      { fields: ['1', 'one'], line: 1 }, { fields: ['2', null], line: 2 }, { fields: ['', 'x'], line: 3 },
    ]);
  });

  it('gives the same tuples however the input is cut into chunks', () => {
    const data = Buffer.concat([header, tuple('a', 'bé'), tuple(null, 'c'.repeat(40)), trailer]);
    const whole = parse(data);
    for (let chunk = 1; chunk <= data.length; chunk++) expect(parse(data, 2, chunk)).toEqual(whole);
  });

  it('skips a header extension, even one spread over chunks', () => {
    const withExtension = Buffer.concat([header.subarray(0, 15), int32(5), Buffer.from('hello'), tuple('1', '2'), trailer]);
    for (const chunk of [1, 3, 17, 1000]) expect(parse(withExtension, 2, chunk)).toEqual([{ fields: ['1', '2'], line: 1 }]);
  });

  it('accepts data without a trailer, and ignores the optional flag bits (0-15)', () => {
    expect(parse(Buffer.concat([header, tuple('1', '2')]))).toEqual([{ fields: ['1', '2'], line: 1 }]);
    const optionalFlags = Buffer.concat([header.subarray(0, 11), int32(1 << 3), int32(0), trailer]);
    expect(parse(optionalFlags)).toEqual([]);
  });

  it('refuses a malformed header with PostgreSQL\'s messages (22P04)', () => {
    const expectFailure = (data: Uint8Array, message: string): void => {
      expect(failure(data)).toMatchObject({ sqlState: '22P04', line: 0, message });
    };
    expectFailure(Buffer.from('1\tone\n'), 'COPY file signature not recognized');
    expectFailure(Buffer.alloc(0), 'COPY file signature not recognized');
    expectFailure(Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\x01', 'latin1'), Buffer.alloc(20)]), 'COPY file signature not recognized');
    expectFailure(header.subarray(0, 13), 'invalid COPY file header (missing flags)');
    expectFailure(header.subarray(0, 17), 'invalid COPY file header (missing length)');
    expectFailure(Buffer.concat([header.subarray(0, 11), int32(1 << 16), int32(0)]), 'invalid COPY file header (WITH OIDS)');
    expectFailure(Buffer.concat([header.subarray(0, 11), int32(1 << 20), int32(0)]), 'unrecognized critical flags in COPY file header');
    expectFailure(Buffer.concat([header.subarray(0, 11), int32(0), int32(-1)]), 'invalid COPY file header (missing length)');
    expectFailure(Buffer.concat([header.subarray(0, 11), int32(0), int32(10), Buffer.from('abc')]), 'invalid COPY file header (wrong length)');
  });

  it('refuses malformed tuples with the tuple number (22P04)', () => {
    const expectFailure = (body: Buffer, line: number, message: string): void => {
      for (const chunk of [1, 5, 1000]) {
        expect(failure(Buffer.concat([header, body]), 2, chunk)).toMatchObject({ sqlState: '22P04', line, message });
      }
    };
    expectFailure(Buffer.concat([tuple('1', '2'), tuple('1', '2', '3')]), 2, 'row field count is 3, expected 2');
    expectFailure(Buffer.concat([tuple('1'), trailer]), 1, 'row field count is 1, expected 2');
    expectFailure(Buffer.concat([int16(2), int32(-2), int32(0)]), 1, 'invalid field size');
    expectFailure(Buffer.concat([tuple('1', '2'), tuple('3', 'four').subarray(0, 12)]), 2, 'unexpected EOF in COPY data');
    expectFailure(Buffer.concat([int16(2)]), 1, 'unexpected EOF in COPY data');
    expectFailure(Buffer.concat([tuple('1', '2'), trailer, tuple('3', '4')]), 2, 'received copy data after EOF marker');
    expectFailure(Buffer.concat([trailer, Buffer.from([0])]), 1, 'received copy data after EOF marker');
  });

  it('reads back what the writer writes, NULLs and any bytes included', () => {
    const field = fc.option(fc.uint8Array({ maxLength: 20 }), { nil: null });
    fc.assert(fc.property(fc.array(fc.array(field, { minLength: 3, maxLength: 3 }), { maxLength: 8 }), fc.integer({ min: 1, max: 40 }), (rows, chunk) => {
      const writer = new BinaryCopyWriter();
      writer.header();
      for (const row of rows) writer.tuple(row);
      writer.trailer();
      const data = writer.take();
      const back: (Uint8Array | null)[][] = [];
      const parser = new BinaryCopyParser(3, (t) => back.push(t.fields.map((f) => (f === null ? null : Uint8Array.from(f)))));
      for (let i = 0; i < data.length; i += chunk) parser.push(data.subarray(i, i + chunk));
      parser.finish();
      expect(back).toEqual(rows);
    }), { numRuns: 200 });
  });
});

describe('COPY BINARY writer', () => {
  it('writes PostgreSQL\'s bytes: signature, flags, extension length, tuples, trailer', () => {
    const writer = new BinaryCopyWriter();
    writer.header();
    writer.tuple([encodeBinary(1, SqlTypes.int4), encodeBinary('ab', SqlTypes.text), null]);
    writer.trailer();
    // What PostgreSQL 15 writes for COPY (SELECT 1::int4, 'ab'::text, NULL) TO STDOUT (FORMAT binary).
    expect(Buffer.from(writer.take()).toString('hex')).toBe(
      '5047434f50590aff0d0a00' + '00000000' + '00000000' +
      '0003' + '00000004' + '00000001' + '00000002' + '6162' + 'ffffffff' +
      'ffff',
    );
  });

  it('grows past its first buffer, and take() starts afresh', () => {
    const writer = new BinaryCopyWriter();
    writer.header();
    const big = new Uint8Array(100_000).fill(7);
    writer.tuple([big, null]);
    const first = writer.take();
    writer.tuple([Uint8Array.of(1), Uint8Array.of(2)]);
    writer.trailer();
    const fields: (Uint8Array | null)[][] = [];
    const parser = new BinaryCopyParser(2, (t) => fields.push(t.fields.map((f) => (f === null ? null : Uint8Array.from(f)))));
    parser.push(first);
    parser.push(writer.take());
    parser.finish();
    expect(fields).toEqual([[big, null], [Uint8Array.of(1), Uint8Array.of(2)]]);
  });

  it('values round-trip through the types\' send and receive forms', () => {
    const writer = new BinaryCopyWriter();
    writer.header();
    writer.tuple([encodeBinary(-5n, SqlTypes.int8), encodeBinary(true, SqlTypes.bool)]);
    writer.trailer();
    const values: unknown[][] = [];
    const parser = new BinaryCopyParser(2, (t) => values.push([decodeBinary(t.fields[0] as Uint8Array, SqlTypes.int8), decodeBinary(t.fields[1] as Uint8Array, SqlTypes.bool)]));
    parser.push(writer.take());
    parser.finish();
    expect(values).toEqual([[-5n, true]]);
  });
});

describe('COPY BINARY options', () => {
  const defaults: CopyOptions = {
    format: 'binary', header: false, delimiter: null, null: null, default: null, quote: null, escape: null,
    forceQuote: null, forceNotNull: null, forceNull: null, freeze: false, encoding: null,
  };

  it('refuses the text options, as PostgreSQL does', () => {
    expect(copyFormat(defaults, 'from')).toMatchObject({ binary: true, csv: false });
    expect(() => copyFormat({ ...defaults, delimiter: ',' }, 'to')).toThrow(expect.objectContaining({ sqlState: '42601', message: 'cannot specify DELIMITER in BINARY mode' }));
    expect(() => copyFormat({ ...defaults, null: 'x' }, 'to')).toThrow(expect.objectContaining({ sqlState: '42601', message: 'cannot specify NULL in BINARY mode' }));
    expect(() => copyFormat({ ...defaults, header: true }, 'to')).toThrow(expect.objectContaining({ sqlState: '0A000', message: 'cannot specify HEADER in BINARY mode' }));
    expect(() => copyFormat({ ...defaults, quote: '"' }, 'to')).toThrow(expect.objectContaining({ sqlState: '0A000', message: 'COPY quote available only in CSV mode' }));
    expect(() => copyFormat({ ...defaults, forceQuote: { kind: 'all' } }, 'to')).toThrow(expect.objectContaining({ sqlState: '0A000' }));
  });
});
