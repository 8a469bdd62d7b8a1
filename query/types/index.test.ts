import { describe, expect, it } from 'vitest';
import * as types from './index.js';

const { SqlTypes, defaultSession: session } = types;

describe('the public API, end to end', () => {
  it('reads and prints the examples of the brief', () => {
    const t = (text: string, typeName: string): string => {
      const type = types.parseTypeName(typeName);
      return types.formatText(types.parseText(text, type, session), type, session);
    };
    expect(t('1.50', 'numeric')).toBe('1.50');
    expect(t('0.1', 'float8')).toBe('0.1');
    expect(t('1e100', 'float8')).toBe('1e+100');
    expect(t('-0', 'float8')).toBe('-0');
    expect(t('yes', 'bool')).toBe('t');
    expect(t('\\x0102', 'bytea')).toBe('\\x0102');
    expect(t('{A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11}', 'uuid')).toBe('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
    expect(t('2024-01-02 03:04:05.123000', 'timestamp')).toBe('2024-01-02 03:04:05.123');
    expect(t('0044-03-15 BC', 'date')).toBe('0044-03-15 BC');
    expect(t('1 year 2 months 3 days 4:05:06.5', 'interval')).toBe('1 year 2 mons 3 days 04:05:06.5');
    expect(t('-1 second', 'interval')).toBe('-00:00:01');
    expect(t('{1,2,NULL}', 'int4[]')).toBe('{1,2,NULL}');
    expect(t('{"a b",c}', 'text[]')).toBe('{"a b",c}');
    expect(t('{"b": [1, 2], "a": 1}', 'jsonb')).toBe('{"a": 1, "b": [1, 2]}');
  });

  it('raises typed errors with PostgreSQL messages and SQLSTATEs', () => {
    const fail = (text: string, typeName: string): [string, string] => {
      try {
        types.parseText(text, types.parseTypeName(typeName), session);
      } catch (error) {
        if (error instanceof types.SqlError) return [error.sqlState, error.message];
      }
      return ['', ''];
    };
    expect(fail('abc', 'int4')).toEqual(['22P02', 'invalid input syntax for type integer: "abc"']);
    expect(fail('99999999999', 'int4')).toEqual(['22003', 'value "99999999999" is out of range for type integer']);
    expect(fail('abcd', 'varchar(3)')).toEqual(['22001', 'value too long for type character varying(3)']);
    expect(fail('2024-02-30', 'date')).toEqual(['22008', 'date/time field value out of range: "2024-02-30"']);
    expect(fail('tomorrowish', 'timestamp')).toEqual(['22007', 'invalid input syntax for type timestamp: "tomorrowish"']);
  });

  it('does arithmetic with PostgreSQL scales and calendar rules', () => {
    const one = types.Decimal.fromInteger(1);
    expect(types.numericDiv(one, types.Decimal.fromInteger(3)).toString()).toBe('0.33333333333333333333');
    const jan31 = types.parseDate('2024-01-31', session);
    const plusMonth = types.dateAddInterval(jan31, types.parseInterval('1 month'));
    expect(types.formatTimestamp(plusMonth)).toBe('2024-02-29 00:00:00');
    expect(() => types.intAdd(2147483647, 1, 'int4')).toThrow('integer out of range');
    expect(() => types.int8Div(1n, 0n)).toThrow('division by zero');
    expect(types.castExplicit('abcd', SqlTypes.text, types.varcharType(2), session)).toBe('ab');
    expect(() => types.castAssignment('abcd', SqlTypes.text, types.varcharType(2), session)).toThrow(types.StringDataRightTruncationError);
    expect(types.castExplicit(types.parseNumeric('2.5'), SqlTypes.numeric, SqlTypes.int4, session)).toBe(3);
    expect(types.castExplicit(2.5, SqlTypes.float8, SqlTypes.int4, session)).toBe(2);
    expect(types.timestampToChar(types.parseTimestamp('2024-01-02 03:04:05', session), 'YYYY-MM-DD HH24:MI:SS')).toBe('2024-01-02 03:04:05');
    expect(types.numericToChar(types.parseNumeric('1.5'), '999.99')).toBe('   1.50');
  });

  it('describes types for the wire protocol', () => {
    const t = types.parseTypeName('numeric(15,2)');
    expect([types.typeOid(t), types.typeModifier(t), types.formatTypeName(t)]).toEqual([1700, 983046, 'numeric(15,2)']);
    expect(types.formatTypeName(types.parseTypeName('varchar(20)[]'))).toBe('character varying(20)[]');
  });
});
