import { describe, expect, it } from 'vitest';
import { parseTimeZoneSetting } from './datetime/time-zone.js';
import { makeSession } from './session.js';
import { formatText, parseText } from './text-io.js';
import { parseTypeName } from './type-name.js';
import { loadFixture, outcome } from './testdata/fixture.js';

const utc = makeSession();

/** Literals PostgreSQL accepts that ThunderDB deliberately does not (DESIGN.md, "Gaps"). */
const knownGaps = new Map<string, string>([
  ['int4[]|[0:1]={1,2}', 'ERR:0A000:array lower bounds other than 1 are not supported'],
]);

describe('text input and output match PostgreSQL 15 (UTC session)', () => {
  const cases = loadFixture<[string, string, string][]>('text-io-cases.json');
  it.each(cases)('%s %j', (typeName, input, expected) => {
    const type = parseTypeName(typeName);
    const got = outcome(() => formatText(parseText(input, type, utc), type, utc));
    expect(got).toBe(knownGaps.get(`${typeName}|${input}`) ?? expected);
  });
});

describe('timestamptz input and output in other session time zones', () => {
  const cases = loadFixture<[string, string, string, string][]>('text-io-zones.json');
  it.each(cases)('[%s] %s %j', (zone, typeName, input, expected) => {
    const session = makeSession(parseTimeZoneSetting(zone));
    const type = parseTypeName(typeName);
    expect(outcome(() => formatText(parseText(input, type, session), type, session))).toBe(expected);
  });
});
