// fast-check arbitraries of SQL types and values, shared by the codec, key
// and row store tests. Values follow query/types' representation.

import fc from 'fast-check';
import { Decimal, Jsonb, JsonbObject, type JsonbValue, type ScalarSqlType, type SqlType, type SqlValue } from '../entries/index.js';

const int64Min = -(2n ** 63n);
const int64Max = 2n ** 63n - 1n;

export const scalarTypes: readonly ScalarSqlType[] = [
  { kind: 'bool' }, { kind: 'int2' }, { kind: 'int4' }, { kind: 'int8' }, { kind: 'float4' }, { kind: 'float8' },
  { kind: 'numeric', precision: null, scale: null }, { kind: 'text' }, { kind: 'varchar', length: 20 },
  { kind: 'bpchar', length: null }, { kind: 'bytea' }, { kind: 'uuid' }, { kind: 'date' }, { kind: 'time', precision: null },
  { kind: 'timestamp', precision: null }, { kind: 'timestamptz', precision: 3 },
  { kind: 'interval', fields: null, precision: null }, { kind: 'json' }, { kind: 'jsonb' },
];

export const decimalArb: fc.Arbitrary<Decimal> = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom(Decimal.NaN, Decimal.Infinity, Decimal.NegativeInfinity, Decimal.Zero) },
  {
    weight: 8,
    arbitrary: fc.tuple(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.integer({ min: 0, max: 12 }))
      .map(([c, s]) => Decimal.of(c, s)),
  },
  { weight: 2, arbitrary: fc.tuple(fc.integer({ min: -50, max: 50 }), fc.integer({ min: 0, max: 3 })).map(([c, s]) => Decimal.of(BigInt(c), s)) },
);

export const uuidArb: fc.Arbitrary<string> = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => {
  const hex = Buffer.from(b).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
});

const jsonbNode: fc.Arbitrary<JsonbValue> = fc.letrec<{ node: JsonbValue }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null), fc.boolean(), fc.string({ unit: 'binary', maxLength: 8 }), decimalArb,
    fc.array(tie('node'), { maxLength: 3 }),
    fc.uniqueArray(fc.tuple(fc.string({ maxLength: 4 }), tie('node')), { maxLength: 3, selector: ([k]) => k })
      .map((pairs) => new JsonbObject(pairs.map(([k]) => k), pairs.map(([, v]) => v))),
  ),
})).node;

/** Values of one scalar type (never null). */
export function scalarValueArb(type: ScalarSqlType): fc.Arbitrary<SqlValue> {
  switch (type.kind) {
    case 'bool': return fc.boolean();
    case 'int2': return fc.integer({ min: -32768, max: 32767 });
    case 'int4':
    case 'date': return fc.integer();
    case 'int8':
    case 'timestamp':
    case 'timestamptz': return fc.bigInt({ min: int64Min, max: int64Max });
    case 'float4': return fc.float();
    case 'float8': return fc.double();
    case 'time': return fc.integer({ min: 0, max: 86_400_000_000 });
    case 'numeric': return decimalArb;
    case 'text':
    case 'varchar':
    case 'bpchar':
    case 'json': return fc.string({ unit: 'binary', maxLength: 12 });
    case 'bytea': return fc.uint8Array({ maxLength: 12 });
    case 'uuid': return uuidArb;
    case 'interval': return fc.record({ months: fc.integer(), days: fc.integer(), micros: fc.bigInt({ min: int64Min, max: int64Max }) })
      .map((iv) => ({ months: iv.months === 0 ? 0 : iv.months, days: iv.days === 0 ? 0 : iv.days, micros: iv.micros }));
    case 'jsonb': return jsonbNode.map((root) => new Jsonb(root));
  }
}

/** Values of a type, including arrays (1 or 2 dimensions) and, with `nullable`, NULL. */
export function valueArb(type: SqlType, nullable = true): fc.Arbitrary<SqlValue> {
  let base: fc.Arbitrary<SqlValue>;
  if (type.kind === 'array') {
    const element = fc.option(scalarValueArb(type.element), { nil: null, freq: 4 });
    base = fc.oneof(fc.array(element, { maxLength: 4 }), fc.array(fc.array(element, { minLength: 2, maxLength: 2 }), { maxLength: 3 }));
  } else {
    base = scalarValueArb(type);
  }
  return nullable ? fc.option(base, { nil: null, freq: 5 }) : base;
}

export const sqlTypeArb: fc.Arbitrary<SqlType> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...scalarTypes) },
  { weight: 1, arbitrary: fc.constantFrom(...scalarTypes).map((element): SqlType => ({ kind: 'array', element })) },
);
