import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBinary, encodeBinary } from './binary-io.js';
import { compareValues, hashValue } from './compare.js';
import { timestampMin, timestampEnd, dateMin, dateEnd } from './datetime/calendar.js';
import { formatFloat, parseFloat } from './float.js';
import { Jsonb, parseJsonb } from './json.js';
import { absBigInt, Decimal, formatNumeric, parseNumeric, pow10 } from './numeric/decimal.js';
import {
  divisionScale, numericAdd, numericDiv, numericMod, numericMul, numericSub,
} from './numeric/numeric-math.js';
import { makeSession } from './session.js';
import { SqlError } from './errors.js';
import { parseTimeZoneSetting } from './datetime/time-zone.js';
import { formatText, parseText } from './text-io.js';
import { parseTypeName } from './type-name.js';
import type { SqlType } from './sql-type.js';
import type { SqlValue } from './value.js';

const session = makeSession();
const runs = { numRuns: 300 };

const finiteDecimal = fc.record({ c: fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), s: fc.integer({ min: 0, max: 20 }) })
  .map(({ c, s }) => Decimal.of(c, s));

/** a/10^sa as an exact rational, for reference arithmetic. */
function rational(d: Decimal): [bigint, bigint] {
  return [d.coefficient, pow10(d.scale)];
}

describe('numeric arithmetic agrees with exact BigInt arithmetic', () => {
  it('add, sub and mul are exact with PostgreSQL result scales', () => {
    fc.assert(fc.property(finiteDecimal, finiteDecimal, (a, b) => {
      const [an, ad] = rational(a);
      const [bn, bd] = rational(b);
      const sum = numericAdd(a, b);
      expect(sum.scale).toBe(Math.max(a.scale, b.scale));
      expect(sum.coefficient * ad * bd).toBe((an * bd + bn * ad) * pow10(sum.scale));
      const diff = numericSub(a, b);
      expect(diff.coefficient * ad * bd).toBe((an * bd - bn * ad) * pow10(diff.scale));
      const product = numericMul(a, b);
      expect(product.scale).toBe(a.scale + b.scale);
      expect(product.coefficient).toBe(an * bn);
    }), runs);
  });

  it('div rounds the exact quotient half away from zero at select_div_scale', () => {
    fc.assert(fc.property(finiteDecimal, finiteDecimal.filter((d) => d.coefficient !== 0n), (a, b) => {
      const q = numericDiv(a, b);
      expect(q.scale).toBe(divisionScale(a, b));
      // |q - a/b| <= 0.5 ulp, with ties away from zero: check 2|q·b - a| <= ulp·|b| exactly.
      const [an, ad] = rational(a);
      const [bn, bd] = rational(b);
      const ulp = pow10(q.scale);
      const errorTimes2 = absBigInt(2n * (q.coefficient * bn * ad - an * bd * ulp));
      expect(errorTimes2 <= absBigInt(bn * ad)).toBe(true);
    }), runs);
  });

  it('mod satisfies a = trunc(a/b)·b + a % b with the sign of a', () => {
    fc.assert(fc.property(finiteDecimal, finiteDecimal.filter((d) => d.coefficient !== 0n), (a, b) => {
      const r = numericMod(a, b);
      const s = Math.max(a.scale, b.scale);
      const ac = a.coefficient * pow10(s - a.scale);
      const bc = b.coefficient * pow10(s - b.scale);
      expect(r.coefficient).toBe(ac - (ac / bc) * bc);
      expect(r.coefficient === 0n || (r.coefficient < 0n) === (ac < 0n)).toBe(true);
    }), runs);
  });

  it('text output reads back to the same value and scale', () => {
    fc.assert(fc.property(finiteDecimal, (d) => {
      const back = parseNumeric(formatNumeric(d));
      expect(back.coefficient).toBe(d.coefficient);
      expect(back.scale).toBe(d.scale);
    }), runs);
  });
});

describe('float output is the shortest text that reads back exactly', () => {
  it('float8', () => {
    fc.assert(fc.property(fc.double(), (x) => {
      const text = formatFloat(x, 'float8');
      const back = parseFloat(text, 'float8');
      expect(Object.is(back, x) || (Number.isNaN(back) && Number.isNaN(x))).toBe(true);
    }), runs);
  });
  it('float4', () => {
    fc.assert(fc.property(fc.float(), (x) => {
      const text = formatFloat(x, 'float4');
      const back = parseFloat(text, 'float4');
      expect(Object.is(back, x) || (Number.isNaN(back) && Number.isNaN(x))).toBe(true);
      // no shorter digit string reads back to x
      const digits = text.replace(/^-/, '').replace(/e.*$/, '').replace('.', '').replace(/^0+/, '');
      if (Number.isFinite(x) && x !== 0 && digits.length > 1) {
        const shorter = Number(Math.abs(x).toPrecision(digits.length - 1));
        expect(Math.fround(shorter) === Math.abs(x) && parseFloat(String(shorter), 'float4') === Math.abs(x)).toBe(false);
      }
    }), runs);
  });
});

const noNul = (s: string): boolean => !s.includes('\0');
const jsonArb = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)).filter((s) => !s.includes('\\u0000'));

/** Arbitrary values of each type, built through the type's own input function where that is simplest. */
const arbitraries: [string, fc.Arbitrary<SqlValue>][] = [
  ['bool', fc.boolean()],
  ['int2', fc.integer({ min: -32768, max: 32767 })],
  ['int4', fc.integer({ min: -2147483648, max: 2147483647 })],
  ['int8', fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })],
  ['float4', fc.float()],
  ['float8', fc.double()],
  ['numeric', fc.oneof(finiteDecimal, fc.constantFrom(Decimal.NaN, Decimal.Infinity, Decimal.NegativeInfinity))],
  ['text', fc.string({ unit: 'grapheme' }).filter(noNul)],
  ['varchar(10)', fc.string({ maxLength: 10 }).filter(noNul)],
  ['char(4)', fc.string({ maxLength: 4 }).filter(noNul).map((s) => s.padEnd(4, ' '))],
  ['bytea', fc.uint8Array({ maxLength: 40 })],
  ['uuid', fc.uuid()],
  ['date', fc.integer({ min: dateMin, max: dateEnd - 1 })],
  ['time', fc.integer({ min: 0, max: 86_400_000_000 })],
  ['timestamp', fc.bigInt({ min: timestampMin, max: timestampEnd - 1n })],
  ['timestamptz', fc.bigInt({ min: timestampMin, max: timestampEnd - 1n })],
  ['interval', fc.record({
    months: fc.integer({ min: -2147483648, max: 2147483647 }),
    days: fc.integer({ min: -2147483648, max: 2147483647 }),
    micros: fc.bigInt({ min: -(2n ** 63n) + 1n, max: 2n ** 63n - 1n }),
  })],
  ['jsonb', jsonArb.map((s) => parseJsonb(s))],
  ['int4[]', fc.array(fc.option(fc.integer(), { nil: null }), { maxLength: 6 })],
  ['text[]', fc.array(fc.option(fc.string().filter(noNul), { nil: null }), { maxLength: 5 })],
  ['numeric[]', fc.array(fc.array(finiteDecimal, { minLength: 2, maxLength: 2 }), { minLength: 1, maxLength: 3 })],
];

function sameValue(a: SqlValue, b: SqlValue, type: SqlType): boolean {
  return compareValues(a, b, type) === 0 && formatText(a, type, session) === formatText(b, type, session);
}

describe.each(arbitraries)('%s values', (typeName, arbitrary) => {
  const type = parseTypeName(typeName);

  it('text output → input → output is the identity', () => {
    fc.assert(fc.property(arbitrary, (v) => {
      const text = formatText(v, type, session);
      const back = parseText(text, type, session);
      expect(formatText(back, type, session)).toBe(text);
      expect(compareValues(back, v, type)).toBe(0);
    }), runs);
  });

  it('binary send → receive is the identity', () => {
    fc.assert(fc.property(arbitrary, (v) => {
      expect(sameValue(decodeBinary(encodeBinary(v, type), type), v, type)).toBe(true);
    }), runs);
  });

  it('compare is a total order consistent with equality and hashing', () => {
    fc.assert(fc.property(arbitrary, arbitrary, arbitrary, (a, b, c) => {
      expect(compareValues(a, a, type)).toBe(0);
      const ab = compareValues(a, b, type);
      expect(compareValues(b, a, type)).toBe(ab === 0 ? 0 : -ab);
      if (ab === 0) expect(hashValue(a, type)).toBe(hashValue(b, type));
      const bc = compareValues(b, c, type);
      if (ab <= 0 && bc <= 0) expect(compareValues(a, c, type)).toBeLessThanOrEqual(0);
      if (ab === 0 && bc === 0) expect(compareValues(a, c, type)).toBe(0);
    }), runs);
  });
});

describe('jsonb normalisation', () => {
  it('is idempotent and equal to PostgreSQL-style reparsing', () => {
    fc.assert(fc.property(jsonArb, (text) => {
      const once = parseJsonb(text);
      const twice = parseJsonb(once.toString());
      expect(twice.toString()).toBe(once.toString());
      expect(twice).toBeInstanceOf(Jsonb);
    }), runs);
  });
});

describe('timestamptz text round trip in a zone with DST', () => {
  const zoned = makeSession(parseTimeZoneSetting('America/New_York'));
  const type = parseTypeName('timestamptz');
  it('output → input → output is the identity, even in the fall-back hour', () => {
    fc.assert(fc.property(fc.bigInt({ min: -3_155_760_000_000_000n, max: 3_155_760_000_000_000n }), (v) => {
      const text = formatText(v, type, zoned);
      expect(parseText(text, type, zoned)).toBe(v);
    }), runs);
  });
});

describe('untrusted input only ever fails with SqlError', () => {
  const typeNames = [
    'bool', 'int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'numeric(5,2)', 'text', 'varchar(3)', 'char(2)',
    'bytea', 'uuid', 'date', 'time', 'timestamp', 'timestamptz', 'interval', 'interval day to second(2)', 'json', 'jsonb',
    'int4[]', 'text[]', 'date[]',
  ];
  const literalish = fc.oneof(
    fc.string(),
    fc.stringMatching(/^[-+0-9 .:eE/TZ{}",\\a-z]{0,24}$/),
    fc.constantFrom('', ' ', '{', '{{', '"', '\\', 'P', 'T', '24:00', 'infinity', '-', '1e', 'J', '@', 'allballs', 'epoch'),
  );
  it.each(typeNames)('%s: text input', (typeName) => {
    const type = parseTypeName(typeName);
    fc.assert(fc.property(literalish, (text) => {
      try {
        parseText(text, type, session);
      } catch (error) {
        if (!(error instanceof SqlError)) throw error;
      }
    }), { numRuns: 500 });
  });
  it.each(typeNames)('%s: binary input', (typeName) => {
    const type = parseTypeName(typeName);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
      try {
        decodeBinary(bytes, type);
      } catch (error) {
        if (!(error instanceof SqlError)) throw error;
      }
    }), { numRuns: 500 });
  });
});
