import { describe, expect, it } from 'vitest';
import { decodeBinary, encodeBinary } from './binary-io.js';
import { SqlError } from './errors.js';
import { makeSession } from './session.js';
import { formatText, parseText } from './text-io.js';
import { parseTypeName } from './type-name.js';
import { loadFixture } from './testdata/fixture.js';

const session = makeSession();
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const fromHex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));

describe('binary send/receive match PostgreSQL 15', () => {
  const cases = loadFixture<[string, [string], string][]>('binary-cases.json');
  it.each(cases)('%s %j', (typeName, [input], expected) => {
    const [hex = '', text = ''] = expected.replace(/^OK:/, '').split('|');
    const type = parseTypeName(typeName);
    const value = parseText(input, type, session);
    expect(toHex(encodeBinary(value, type))).toBe(hex);
    expect(formatText(decodeBinary(fromHex(hex), type), type, session)).toBe(text);
  });
});

describe('invalid UTF-8 is reported with its bytes, as PostgreSQL does', () => {
  it.each([
    ['ff', '0xff'], ['61e282', '0xe2 0x82'], ['eda080', '0xed 0xa0 0x80'], ['c328', '0xc3 0x28'],
  ])('%s', (hex, bytes) => {
    expect(() => decodeBinary(fromHex(hex), parseTypeName('text'))).toThrow(`invalid byte sequence for encoding "UTF8": ${bytes}`);
  });
});

describe('binary receive rejects malformed input', () => {
  const cases: [string, string, string][] = [
    ['int4', '0001', '08P01'],
    ['int4', '0000000100', '22P03'],
    ['numeric', '0001000000050000', '22P03'],
    ['numeric', '000100000000000027ff', '22P03'],
    ['int4[]', '00000001000000000000001a0000000100000001', '42804'],
    ['int4[]', '000000070000000000000017', '22P03'],
    ['jsonb', '027b7d', '22P03'],
    ['timestamp', '7fffffffffffff00', '22008'],
    ['text', 'ff', '22021'],
  ];
  it.each(cases)('%s %s → %s', (typeName, hex, sqlState) => {
    const type = parseTypeName(typeName);
    let error: unknown;
    try { decodeBinary(fromHex(hex), type); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(SqlError);
    expect((error as SqlError).sqlState).toBe(sqlState);
  });
});
