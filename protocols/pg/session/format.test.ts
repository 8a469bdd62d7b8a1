// The adapter over query/types: parameter OIDs, result formats, parameters,
// and the binary layouts clients actually receive.
import { describe, expect, it } from 'vitest';
import { FormatCode } from '../codec/index.js';
import { cellEncoders, decodeParameter, fieldDescriptions, parameterType, resultFormats, TypeSessions } from './format.js';
import type { SqlType } from '../../../query/types/index.js';
import { arrayOf, defaultSession, numericType, parseNumeric, SqlError, SqlTypes } from '../../../query/types/index.js';
import { typesTable } from './testing/fake-tables.js';

function sqlError(work: () => unknown): SqlError | undefined {
  try {
    work();
  } catch (error) {
    if (error instanceof SqlError) return error;
    throw error;
  }
  return undefined;
}

describe('parameter types', () => {
  it('leaves 0 and unknown (705) to the engine, maps known OIDs, aliases name and oid', () => {
    expect(parameterType(0)).toBeUndefined();
    expect(parameterType(705)).toBeUndefined();
    expect(parameterType(23)).toEqual(SqlTypes.int4);
    expect(parameterType(1007)).toEqual({ kind: 'array', element: SqlTypes.int4 });
    expect(parameterType(19)).toEqual(SqlTypes.text);
    expect(parameterType(26)).toEqual(SqlTypes.int8);
    expect(sqlError(() => parameterType(424242))).toMatchObject({ sqlState: '42704', message: 'type with OID 424242 does not exist' });
  });
});

describe('result formats', () => {
  it('follow the 0 / 1 / one-per-column rule', () => {
    expect(resultFormats([], 2)).toEqual([0, 0]);
    expect(resultFormats([FormatCode.Binary], 3)).toEqual([1, 1, 1]);
    expect(resultFormats([0, 1], 2)).toEqual([0, 1]);
    expect(sqlError(() => resultFormats([0, 1], 3))).toMatchObject({
      sqlState: '08P01', message: 'bind message has 2 result formats but query has 3 columns',
    });
  });

  it('describe columns with their type size and modifier', () => {
    const [field] = fieldDescriptions([{ name: 'n', type: numericType(10, 2), tableId: 7, columnNumber: 3 }], [FormatCode.Binary]);
    expect(field).toEqual({ name: 'n', tableOid: 7, columnNumber: 3, typeOid: 1700, typeSize: -1, typeModifier: (10 << 16 | 2) + 4, format: 1 });
  });

  it('encode cells in the chosen format, NULL as null', () => {
    const columns = [{ name: 'a', type: SqlTypes.int4, tableId: 0, columnNumber: 0 }, { name: 'b', type: SqlTypes.int4, tableId: 0, columnNumber: 0 }];
    const [text, binary] = cellEncoders(columns, [FormatCode.Text, FormatCode.Binary], defaultSession);
    expect(text?.(42)).toBe('42');
    expect(Buffer.from(binary?.(42) as Uint8Array).toString('hex')).toBe('0000002a');
    expect(text?.(null)).toBeNull();
    expect(binary?.(null)).toBeNull();
  });
});

describe('Bind parameters', () => {
  it('decode text through the input function and binary through the receive function', () => {
    expect(decodeParameter(Buffer.from('42'), FormatCode.Text, SqlTypes.int8, defaultSession, 0)).toBe(42n);
    expect(decodeParameter(Buffer.from('0000002a', 'hex'), FormatCode.Binary, SqlTypes.int4, defaultSession, 0)).toBe(42);
    expect(decodeParameter(null, FormatCode.Binary, SqlTypes.int4, defaultSession, 0)).toBeNull();
  });

  it('report bad input with PostgreSQL\'s SQLSTATEs, naming a bad binary parameter', () => {
    expect(sqlError(() => decodeParameter(Buffer.from('abc'), FormatCode.Text, SqlTypes.int4, defaultSession, 0)))
      .toMatchObject({ sqlState: '22P02', message: 'invalid input syntax for type integer: "abc"' });
    expect(sqlError(() => decodeParameter(Buffer.from([0xc3, 0x28]), FormatCode.Text, SqlTypes.text, defaultSession, 0)))
      .toMatchObject({ sqlState: '22021' });
    expect(sqlError(() => decodeParameter(Buffer.from('0000000100', 'hex'), FormatCode.Binary, SqlTypes.int4, defaultSession, 1)))
      .toMatchObject({ sqlState: '22P03', message: 'incorrect binary data format in bind parameter 2' });
  });
});

describe('TypeSessions', () => {
  it('follow the engine\'s TimeZone, falling back to UTC for a setting it cannot read', () => {
    const sessions = new TypeSessions(() => 5n);
    expect(sessions.current('Europe/Paris').timeZone).toMatchObject({ name: 'Europe/Paris' });
    expect(sessions.current('no such zone').timeZone).toMatchObject({ name: 'UTC' });
    expect(sessions.current(undefined)).toMatchObject({ nowMicros: 5n, timeZone: { name: 'UTC' } });
  });
});

/** A value as a client receives it in binary format. */
function binaryCell(value: unknown, type: SqlType): string {
  const [encode] = cellEncoders([{ name: 'v', type, tableId: 0, columnNumber: 0 }], [FormatCode.Binary], defaultSession);
  return Buffer.from(encode?.(value as never) as Uint8Array).toString('hex');
}

describe('binary format as clients see it', () => {
  it.each([
    ['bool', SqlTypes.bool, true, '01'],
    ['int2', SqlTypes.int2, -2, 'fffe'],
    ['int4', SqlTypes.int4, 258, '00000102'],
    ['int8', SqlTypes.int8, -1n, 'ffffffffffffffff'],
    ['float4', SqlTypes.float4, 1.5, '3fc00000'],
    ['float8', SqlTypes.float8, -2.25, 'c002000000000000'],
    ['text', SqlTypes.text, 'é', 'c3a9'],
    ['bytea', SqlTypes.bytea, Uint8Array.of(0xde, 0xad), 'dead'],
    ['uuid', SqlTypes.uuid, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'a0eebc999c0b4ef8bb6d6bb9bd380a11'],
    ['date', SqlTypes.date, 1, '00000001'],
    ['timestamp', SqlTypes.timestamp, 1n, '0000000000000001'],
    ['numeric 12345.6789', SqlTypes.numeric, parseNumeric('12345.6789'), '0003' + '0001' + '0000' + '0004' + '0001' + '0929' + '1a85'],
    ['numeric -1.5', SqlTypes.numeric, parseNumeric('-1.5'), '0002' + '0000' + '4000' + '0001' + '0001' + '1388'],
    ['numeric 0.0001', SqlTypes.numeric, parseNumeric('0.0001'), '0001' + 'ffff' + '0000' + '0004' + '0001'],
    ['int4[]', arrayOf(SqlTypes.int4), [1, null], '00000001' + '00000001' + '00000017' + '00000002' + '00000001' + '00000004' + '00000001' + 'ffffffff'],
  ])('%s uses PostgreSQL\'s send layout', (_name, type, value, bytes) => {
    expect(binaryCell(value, type)).toBe(bytes);
  });

  it('round-trips every sample of the fake types table through send and Bind', () => {
    const [row] = typesTable.rows;
    typesTable.columns.forEach((column, i) => {
      const value = row?.[i] ?? null;
      const bytes = Buffer.from(binaryCell(value, column.type), 'hex');
      expect(decodeParameter(bytes, FormatCode.Binary, column.type, defaultSession, i), column.name).toEqual(value);
    });
  });

  it.each([
    ['int4 with 3 bytes', '000001', SqlTypes.int4, '08P01'],
    ['int8 with 9 bytes', '000000000000000001', SqlTypes.int8, '22P03'],
    ['numeric with a bad sign', '0000' + '0000' + '1234' + '0000', SqlTypes.numeric, '22P03'],
    ['numeric with a digit over 9999', '0001' + '0000' + '0000' + '0000' + '2710', SqlTypes.numeric, '22P03'],
    ['text that is not UTF-8', 'c328', SqlTypes.text, '22021'],
    ['jsonb of an unknown version', '027b7d', SqlTypes.jsonb, '22P03'],
    ['an array of int8 sent as int4[]', '00000001' + '00000000' + '00000014' + '00000001' + '00000001' + '00000004' + '00000001', arrayOf(SqlTypes.int4), '42804'],
  ])('refuses a binary parameter: %s', (_what, bytes, type, sqlState) => {
    expect(sqlError(() => decodeParameter(Buffer.from(bytes, 'hex'), FormatCode.Binary, type, defaultSession, 0))?.sqlState).toBe(sqlState);
  });

  it('copies a binary bytea out of the message buffer', () => {
    const message = Buffer.from('abcdef', 'hex');
    const value = decodeParameter(message.subarray(1, 3), FormatCode.Binary, SqlTypes.bytea, defaultSession, 0) as Uint8Array;
    message.fill(0);
    expect(Buffer.from(value).toString('hex')).toBe('cdef');
  });
});
