import { describe, expect, it } from 'vitest';
import { SqlError } from './errors.js';
import { formatTypeName, typeFromOid, typeLength, typeModifier, typeOid } from './sql-type.js';
import { parseTypeName } from './type-name.js';
import { loadFixture } from './testdata/fixture.js';

/** Names PostgreSQL accepts that ThunderDB handles elsewhere or not at all (DESIGN.md). */
const notHere = new Map<string, string>([
  ['serial', '42704'], // column sugar: the DDL binder turns it into integer + sequence
  ['time with time zone', '0A000'], // timetz is not implemented
]);

describe('type names parse and print as PostgreSQL 15 does', () => {
  const cases = loadFixture<[string, string][]>('type-names.json');
  it.each(cases)('%s', (name, expected) => {
    let got: string;
    try {
      const t = parseTypeName(name);
      got = `OK:${formatTypeName(t)}|${typeOid(t)}|${typeModifier(t)}|${typeLength(t)}`;
    } catch (error) {
      if (!(error instanceof SqlError)) throw error;
      got = `ERR:ERROR:  ${error.sqlState}: ${error.message}`;
    }
    const gap = notHere.get(name);
    if (gap !== undefined) {
      expect(got.startsWith(`ERR:ERROR:  ${gap}:`)).toBe(true);
      return;
    }
    expect(got).toBe(expected);
  });

  it('rebuilds a type from its OID and modifier', () => {
    for (const name of ['numeric(10,2)', 'numeric(5,-2)', 'varchar(20)', 'char(3)', 'timestamp(3)', 'interval(2)', 'interval day to second(3)', 'interval year', 'int4[]', 'text']) {
      const t = parseTypeName(name);
      const back = typeFromOid(typeOid(t), typeModifier(t));
      expect(back === undefined ? undefined : formatTypeName(back)).toBe(formatTypeName(t));
    }
    expect(typeFromOid(999999)).toBeUndefined();
  });

  it('rejects malformed names with a syntax error', () => {
    for (const name of ['varchar(', 'int4)', 'double', 'numeric(1,2,3)', 'text[', '']) {
      expect(() => parseTypeName(name)).toThrow(SqlError);
    }
  });
});
