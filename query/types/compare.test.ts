import { describe, expect, it } from 'vitest';
import { compareValues, hashValue, valuesEqual } from './compare.js';
import { makeSession } from './session.js';
import { formatText, parseText } from './text-io.js';
import { parseTypeName } from './type-name.js';
import { loadFixture } from './testdata/fixture.js';

const session = makeSession();

describe('ordering and equality match PostgreSQL 15 (C collation)', () => {
  const cases = loadFixture<[string, string[], string[], string[][]][]>('order-cases.json');
  it.each(cases)('%s', (typeName, inputs, sortedByPostgres, equalGroups) => {
    const type = parseTypeName(typeName);
    // PostgreSQL's sort is not stable, so compare orders modulo ties: same multiset, and
    // each neighbour in PostgreSQL's order is strictly smaller unless PostgreSQL grouped them as equal.
    const values = inputs.map((text) => parseText(text, type, session));
    const ours = [...values].sort((a, b) => compareValues(a, b, type)).map((v) => formatText(v, type, session));
    expect([...ours].sort()).toEqual([...sortedByPostgres].sort());
    const equalTexts = new Set(equalGroups.flatMap((g) => g.map((t) => formatText(parseText(t, type, session), type, session))));
    const theirs = sortedByPostgres.map((text) => parseText(text, type, session));
    for (let i = 1; i < theirs.length; i++) {
      const c = compareValues(theirs[i - 1] ?? null, theirs[i] ?? null, type);
      const tie = equalTexts.has(sortedByPostgres[i - 1] ?? '') && equalTexts.has(sortedByPostgres[i] ?? '');
      expect(c).toBe(tie && c === 0 ? 0 : -1);
    }
    for (const group of equalGroups) {
      const [first, ...rest] = group.map((text) => parseText(text, type, session));
      for (const other of rest) {
        expect(valuesEqual(first ?? null, other, type)).toBe(true);
        expect(hashValue(first ?? null, type)).toBe(hashValue(other, type));
      }
    }
  });
});

describe('hashes agree across equal representations', () => {
  const same: [string, string, string][] = [
    ['numeric', '1.0', '1.000'], ['numeric', '-0', '0.00'], ['float8', '-0', '0'], ['float8', 'NaN', 'NaN'],
    ['interval', '1 mon', '30 days'], ['interval', '1 day', '24 hours'], ['char(5)', 'ab', 'ab   '],
    ['jsonb', '{"a": 1.0, "b": [1]}', '{"b": [1.00], "a": 1}'], ['int4[]', '{1,NULL}', '{1,NULL}'],
  ];
  it.each(same)('%s %j = %j', (typeName, a, b) => {
    const type = parseTypeName(typeName);
    const x = parseText(a, type, session);
    const y = parseText(b, type, session);
    expect(valuesEqual(x, y, type)).toBe(true);
    expect(hashValue(x, type)).toBe(hashValue(y, type));
  });

  it('integral values hash alike across int2, int4, int8 and numeric', () => {
    const h = (text: string, t: string): number => hashValue(parseText(text, parseTypeName(t), session), parseTypeName(t));
    expect(h('42', 'int4')).toBe(h('42', 'int8'));
    expect(h('42', 'int2')).toBe(h('42.00', 'numeric'));
    expect(h('-7', 'int8')).toBe(h('-7', 'int4'));
  });

  it('json has no equality or ordering operator', () => {
    const json = parseTypeName('json');
    expect(() => valuesEqual('{}', '{}', json)).toThrow('could not identify an equality operator for type json');
    expect(() => compareValues('{}', '{}', json)).toThrow('could not identify an ordering operator for type json');
  });
});
