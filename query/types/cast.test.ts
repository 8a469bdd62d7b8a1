import { describe, expect, it } from 'vitest';
import { castAssignment, castContext, castExplicit, floatToNumeric } from './cast.js';
import { formatNumeric } from './numeric/decimal.js';
import { makeSession } from './session.js';
import { SqlTypes } from './sql-type.js';
import { formatText, parseText } from './text-io.js';
import { parseTypeName } from './type-name.js';
import { loadFixture, outcome } from './testdata/fixture.js';

const session = makeSession();

describe('casts match PostgreSQL 15', () => {
  const cases = loadFixture<['explicit' | 'assignment', [string, string, string], string][]>('cast-cases.json');
  it.each(cases)('%s %j', (mode, [fromName, input, toName], expected) => {
    const from = parseTypeName(fromName);
    const to = parseTypeName(toName);
    const got = outcome(() => {
      const value = parseText(input, from, session);
      const cast = mode === 'explicit' ? castExplicit(value, from, to, session) : castAssignment(value, from, to, session);
      return cast === null ? '' : formatText(cast, to, session);
    });
    // PostgreSQL's parser rejects casts that do not exist before running them; so does our castContext.
    if (expected.startsWith('ERR:42846:') || expected.startsWith('ERR:42804:')) {
      expect(castContext(from, to) === null || (mode === 'assignment' && castContext(from, to) === 'explicit')).toBe(true);
      return;
    }
    expect(got).toBe(expected);
  });
});

describe('castContext follows pg_cast', () => {
  const t = parseTypeName;
  it.each([
    ['int4', 'int8', 'implicit'], ['int8', 'int4', 'assignment'], ['numeric', 'int4', 'assignment'],
    ['int4', 'numeric', 'implicit'], ['float8', 'numeric', 'assignment'], ['numeric', 'float8', 'implicit'],
    ['int4', 'bool', 'explicit'], ['int8', 'bool', null], ['text', 'int4', 'explicit'], ['int4', 'text', 'assignment'],
    ['text', 'varchar(3)', 'implicit'], ['varchar', 'char(2)', 'implicit'], ['date', 'timestamptz', 'implicit'],
    ['timestamptz', 'date', 'assignment'], ['json', 'jsonb', 'assignment'], ['jsonb', 'int4', 'explicit'],
    ['uuid', 'int4', null], ['int4[]', 'int8[]', 'implicit'], ['int8[]', 'int4[]', 'assignment'], ['text', 'int4[]', 'explicit'],
    ['varchar(3)', 'varchar(5)', 'implicit'], ['bytea', 'text', 'assignment'],
  ] as const)('%s → %s is %s', (from, to, context) => {
    expect(castContext(t(from), t(to))).toBe(context);
  });
});

describe('float → numeric uses printf %.15g with round-half-even', () => {
  it.each([
    [0.1, 'float8', '0.1'], [0.1 + 0.2, 'float8', '0.3'], [1e20, 'float8', '100000000000000000000'],
    [562949953421312.5, 'float8', '562949953421312'], [0.0009765625, 'float4', '0.000976562'],
    [1.234375, 'float4', '1.23438'], [-2.5, 'float8', '-2.5'], [Math.fround(0.1), 'float4', '0.1'],
  ] as const)('%d::%s → %s', (x, kind, expected) => {
    expect(formatNumeric(floatToNumeric(x, kind))).toBe(expected);
  });
  it('keeps the SqlTypes singletons unmodified', () => {
    expect(SqlTypes.numeric.precision).toBeNull();
  });
});
