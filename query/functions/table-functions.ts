// Set-returning functions used in FROM: generate_series, unnest and the jsonb
// expanders. Each returns a lazy iterable, so `generate_series(1, 1e9) LIMIT 3`
// produces three rows, not a billion.

import { flattenArray } from '../types/array.js';
import { timestampAddInterval, timestamptzAddInterval } from '../types/datetime/datetime-math.js';
import { InvalidParameterValueError } from '../types/errors.js';
import { compareInterval, zeroInterval } from '../types/interval.js';
import type { Interval } from '../types/interval.js';
import { formatJsonb, Jsonb, JsonbObject } from '../types/json.js';
import type { JsonbValue } from '../types/json.js';
import { Decimal } from '../types/numeric/decimal.js';
import { compareNumeric, numericAdd } from '../types/numeric/numeric-math.js';
import { arrayOf, SqlTypes } from '../types/sql-type.js';
import type { SqlType } from '../types/sql-type.js';
import type { SqlArray, SqlValue } from '../types/value.js';
import { elementTypeOf, stringToArray } from './array-functions.js';
import { compileRegex, regexFlags } from './regex.js';
import { anyArray } from './signature.js';
import type { ArgType, TableFn, TableFunctionColumn, TableFunctionOverload } from './signature.js';

const { int4, int8, numeric, timestamp, timestamptz, interval, jsonb, text } = SqlTypes;

function tableFn(name: string, args: readonly ArgType[], columns: (argTypes: readonly SqlType[]) => readonly TableFunctionColumn[], implement: (argTypes: readonly SqlType[]) => TableFn, volatility: TableFunctionOverload['volatility'] = 'immutable'): TableFunctionOverload {
  return { name, args, variadic: null, result: SqlTypes.text, strict: true, volatility, columns, implement };
}

const zeroStep = (): InvalidParameterValueError => new InvalidParameterValueError('step size cannot equal zero');

function* integerSeries(start: number, stop: number, step: number): Iterable<readonly SqlValue[]> {
  if (step === 0) throw zeroStep();
  for (let v = start; step > 0 ? v <= stop : v >= stop; v += step) yield [v];
}

function* bigintSeries(start: bigint, stop: bigint, step: bigint): Iterable<readonly SqlValue[]> {
  if (step === 0n) throw zeroStep();
  for (let v = start; step > 0n ? v <= stop : v >= stop; v += step) yield [v];
}

function* numericSeries(start: Decimal, stop: Decimal, step: Decimal): Iterable<readonly SqlValue[]> {
  const sign = step.sign();
  if (sign === 0) throw zeroStep();
  if (!start.isFinite() || !stop.isFinite() || !step.isFinite()) throw new InvalidParameterValueError('start value cannot be NaN');
  for (let v = start; sign > 0 ? compareNumeric(v, stop) <= 0 : compareNumeric(v, stop) >= 0; v = numericAdd(v, step)) yield [v];
}

function* timestampSeries(start: bigint, stop: bigint, step: Interval, add: (t: bigint, s: Interval) => bigint): Iterable<readonly SqlValue[]> {
  const sign = compareInterval(step, zeroInterval);
  if (sign === 0) throw zeroStep();
  for (let v = start; sign > 0 ? v <= stop : v >= stop; v = add(v, step)) yield [v];
}

const single = (name: string, type: SqlType) => (): readonly TableFunctionColumn[] => [{ name, type }];

const seriesOverloads: readonly TableFunctionOverload[] = [
  tableFn('generate_series', [int4, int4], single('generate_series', int4), () => (a) => integerSeries(a[0] as number, a[1] as number, 1)),
  tableFn('generate_series', [int4, int4, int4], single('generate_series', int4), () => (a) => integerSeries(a[0] as number, a[1] as number, a[2] as number)),
  tableFn('generate_series', [int8, int8], single('generate_series', int8), () => (a) => bigintSeries(a[0] as bigint, a[1] as bigint, 1n)),
  tableFn('generate_series', [int8, int8, int8], single('generate_series', int8), () => (a) => bigintSeries(a[0] as bigint, a[1] as bigint, a[2] as bigint)),
  tableFn('generate_series', [numeric, numeric], single('generate_series', numeric), () => (a) => numericSeries(a[0] as Decimal, a[1] as Decimal, Decimal.One)),
  tableFn('generate_series', [numeric, numeric, numeric], single('generate_series', numeric), () => (a) => numericSeries(a[0] as Decimal, a[1] as Decimal, a[2] as Decimal)),
  tableFn('generate_series', [timestamp, timestamp, interval], single('generate_series', timestamp), () => (a) => timestampSeries(a[0] as bigint, a[1] as bigint, a[2] as Interval, timestampAddInterval)),
  tableFn('generate_series', [timestamptz, timestamptz, interval], single('generate_series', timestamptz), () => (a, env) => timestampSeries(a[0] as bigint, a[1] as bigint, a[2] as Interval, (t, s) => timestamptzAddInterval(t, s, env.typeSession.timeZone)), 'stable'),
];

function* jsonbElements(v: JsonbValue, asText: boolean): Iterable<readonly SqlValue[]> {
  if (!Array.isArray(v)) throw new InvalidParameterValueError(v instanceof JsonbObject ? 'cannot extract elements from an object' : 'cannot extract elements from a scalar');
  for (const item of v as readonly JsonbValue[]) yield [asText ? jsonText(item) : new Jsonb(item)];
}

function jsonText(v: JsonbValue): SqlValue {
  if (v === null) return null;
  return typeof v === 'string' ? v : formatJsonb(new Jsonb(v));
}

function objectOf(v: JsonbValue, fn: string): JsonbObject {
  if (!(v instanceof JsonbObject)) throw new InvalidParameterValueError(`cannot call ${fn} on ${Array.isArray(v) ? 'an array' : 'a scalar'}`);
  return v;
}

const jsonOverloads: readonly TableFunctionOverload[] = [
  tableFn('jsonb_array_elements', [jsonb], single('value', jsonb), () => (a) => jsonbElements((a[0] as Jsonb).root, false)),
  tableFn('jsonb_array_elements_text', [jsonb], single('value', text), () => (a) => jsonbElements((a[0] as Jsonb).root, true)),
  tableFn('jsonb_object_keys', [jsonb], single('jsonb_object_keys', text), () => (a) => objectOf((a[0] as Jsonb).root, 'jsonb_object_keys').keys.map((k) => [k])),
  tableFn('jsonb_each', [jsonb], () => [{ name: 'key', type: text }, { name: 'value', type: jsonb }], () => (a) => {
    const o = objectOf((a[0] as Jsonb).root, 'jsonb_each');
    return o.keys.map((k, i) => [k, new Jsonb(o.values[i] ?? null)]);
  }),
  tableFn('jsonb_each_text', [jsonb], () => [{ name: 'key', type: text }, { name: 'value', type: text }], () => (a) => {
    const o = objectOf((a[0] as Jsonb).root, 'jsonb_each_text');
    return o.keys.map((k, i) => [k, jsonText(o.values[i] ?? null)]);
  }),
];

function* regexpMatches(source: string, pattern: string, flags: string): Iterable<readonly SqlValue[]> {
  const f = regexFlags(flags);
  const re = compileRegex(pattern, `${f.js}g`);
  for (const m of source.matchAll(re)) {
    yield [m.length > 1 ? m.slice(1).map((g) => g ?? null) : [m[0]]];
    if (!f.global) return;
  }
}

const textSetOverloads: readonly TableFunctionOverload[] = [
  tableFn('regexp_matches', [text, text], single('regexp_matches', arrayOf(text)), () => (a) => regexpMatches(a[0] as string, a[1] as string, '')),
  tableFn('regexp_matches', [text, text, text], single('regexp_matches', arrayOf(text)), () => (a) => regexpMatches(a[0] as string, a[1] as string, a[2] as string)),
  tableFn('regexp_split_to_table', [text, text], single('regexp_split_to_table', text), () => (a) => (a[0] as string).split(compileRegex(a[1] as string, '')).map((s) => [s])),
  tableFn('string_to_table', [text, text], single('string_to_table', text), () => (a) => stringToArray(a[0] as string, a[1] as string | null, null).map((s) => [s])),
];

export const tableFunctions: readonly TableFunctionOverload[] = [
  ...textSetOverloads,
  ...seriesOverloads,
  tableFn('unnest', [anyArray], ([t]) => [{ name: 'unnest', type: elementTypeOf(t) }], () => (a) => flattenArray(a[0] as SqlArray).map((v) => [v])),
  ...jsonOverloads,
];
