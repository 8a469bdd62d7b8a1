// json and jsonb functions and operators: builders, navigation (->, ->>,
// #>, #>>), containment (@>, <@), key tests (?, ?|, ?&), concatenation and
// deletion, following PostgreSQL's jsonb semantics.

import { formatJsonb, Jsonb, JsonbObject, parseJsonb } from '../types/json.js';
import type { JsonbValue } from '../types/json.js';
import { InvalidParameterValueError } from '../types/errors.js';
import { compareNumeric } from '../types/numeric/numeric-math.js';
import { Decimal } from '../types/numeric/decimal.js';
import { arrayOf, SqlTypes } from '../types/sql-type.js';
import type { SqlType } from '../types/sql-type.js';
import type { SqlArray, SqlValue } from '../types/value.js';
import { binaryOperator, scalar, scalarTyped } from './define.js';
import { anyArg, anyElement } from './signature.js';
import type { OperatorOverload, ScalarOverload } from './signature.js';
import { jsonbObjectOf, jsonTypeof, toJsonbValue, toJsonText } from './json-values.js';
import { escapeJsonString } from '../types/json.js';
import { valueToText } from './text-util.js';
import { jsonElement, jsonField, jsonText } from './json-text.js';

const { text, int4, bool, json, jsonb } = SqlTypes;
const textArray = arrayOf(text);

/** A navigation result as jsonb; JSON null stays a value, absence is SQL NULL. */
function wrap(v: JsonbValue | undefined): SqlValue {
  return v === undefined ? null : new Jsonb(v);
}

function asText(v: JsonbValue | undefined): SqlValue {
  if (v === undefined || v === null) return null;
  return typeof v === 'string' ? v : formatJsonb(new Jsonb(v));
}

export function field(v: JsonbValue, key: string): JsonbValue | undefined {
  return v instanceof JsonbObject ? v.get(key) : undefined;
}

export function element(v: JsonbValue, index: number): JsonbValue | undefined {
  if (!Array.isArray(v)) return undefined;
  const items = v as readonly JsonbValue[];
  const i = index < 0 ? items.length + index : index;
  return items[i];
}

function path(v: JsonbValue, steps: SqlArray): JsonbValue | undefined {
  let current: JsonbValue | undefined = v;
  for (const step of steps) {
    if (current === undefined || step === null) return undefined;
    if (current instanceof JsonbObject) current = current.get(step as string);
    else if (Array.isArray(current)) current = /^-?\d+$/.test(step as string) ? element(current, Number(step)) : undefined;
    else return undefined;
  }
  return current;
}

/** JsonbDeepContains(): every part of `b` is found in `a`. */
export function jsonbContains(a: JsonbValue, b: JsonbValue, topLevel = true): boolean {
  if (a instanceof JsonbObject) {
    if (!(b instanceof JsonbObject)) return false;
    return b.keys.every((k, i) => {
      const av = a.get(k);
      return av !== undefined && jsonbContains(av, b.values[i] ?? null, false);
    });
  }
  if (Array.isArray(a)) {
    const items = a as readonly JsonbValue[];
    // A top-level array contains a bare scalar, as PostgreSQL's raw-scalar rule says.
    const wanted: readonly JsonbValue[] = Array.isArray(b) ? (b as readonly JsonbValue[]) : topLevel && !(b instanceof JsonbObject) ? [b] : [];
    if (!Array.isArray(b) && !(topLevel && !(b instanceof JsonbObject))) return false;
    return wanted.every((w) => items.some((item) => (isContainer(w) ? jsonbContains(item, w, false) : scalarEquals(item, w))));
  }
  return !isContainer(b) && scalarEquals(a, b);
}

function isContainer(v: JsonbValue): boolean {
  return Array.isArray(v) || v instanceof JsonbObject;
}

function scalarEquals(a: JsonbValue, b: JsonbValue): boolean {
  if (a instanceof Decimal && b instanceof Decimal) return compareNumeric(a, b) === 0;
  return a === b;
}

function hasKey(v: JsonbValue, key: string): boolean {
  if (v instanceof JsonbObject) return v.get(key) !== undefined;
  if (Array.isArray(v)) return (v as readonly JsonbValue[]).some((item) => item === key);
  return v === key;
}

function concat(a: JsonbValue, b: JsonbValue): JsonbValue {
  if (a instanceof JsonbObject && b instanceof JsonbObject) {
    return jsonbObjectOf([...a.keys.map((k, i) => [k, a.values[i] ?? null] as const), ...b.keys.map((k, i) => [k, b.values[i] ?? null] as const)]);
  }
  const left = Array.isArray(a) ? (a as readonly JsonbValue[]) : [a];
  const right = Array.isArray(b) ? (b as readonly JsonbValue[]) : [b];
  return [...left, ...right];
}

function deleteKey(v: JsonbValue, key: string): JsonbValue {
  if (v instanceof JsonbObject) return jsonbObjectOf(v.keys.flatMap((k, i) => (k === key ? [] : [[k, v.values[i] ?? null] as const])));
  if (Array.isArray(v)) return (v as readonly JsonbValue[]).filter((item) => item !== key);
  throw new InvalidParameterValueError('cannot delete from scalar');
}

function deleteIndex(v: JsonbValue, index: number): JsonbValue {
  if (!Array.isArray(v)) throw new InvalidParameterValueError(v instanceof JsonbObject ? 'cannot delete from object using integer index' : 'cannot delete from scalar');
  const items = v as readonly JsonbValue[];
  const i = index < 0 ? items.length + index : index;
  return items.filter((_, k) => k !== i);
}

function jsonbNavigation(): OperatorOverload[] {
  const root = (v: SqlValue): JsonbValue => (v as Jsonb).root;
  return [
    binaryOperator('->', jsonb, text, jsonb, (a, b) => wrap(field(root(a), b as string))),
    binaryOperator('->', jsonb, int4, jsonb, (a, b) => wrap(element(root(a), b as number))),
    binaryOperator('->>', jsonb, text, text, (a, b) => asText(field(root(a), b as string))),
    binaryOperator('->>', jsonb, int4, text, (a, b) => asText(element(root(a), b as number))),
    binaryOperator('#>', jsonb, textArray, jsonb, (a, b) => wrap(path(root(a), b as SqlArray))),
    binaryOperator('#>>', jsonb, textArray, text, (a, b) => asText(path(root(a), b as SqlArray))),
  ];
}

/** json keeps its text: navigation returns the member's original text. */
function jsonPath(text: string, steps: SqlArray): string | undefined {
  let current: string | undefined = text;
  for (const step of steps) {
    if (current === undefined || step === null) return undefined;
    const s = step as string;
    current = current.trimStart().startsWith('[') ? (/^-?\d+$/.test(s) ? jsonElement(current, Number(s)) : undefined) : jsonField(current, s);
  }
  return current;
}

function jsonNavigation(): OperatorOverload[] {
  return [
    binaryOperator('->', json, text, json, (a, b) => jsonField(a as string, b as string) ?? null),
    binaryOperator('->', json, int4, json, (a, b) => jsonElement(a as string, b as number) ?? null),
    binaryOperator('->>', json, text, text, (a, b) => jsonText(jsonField(a as string, b as string))),
    binaryOperator('->>', json, int4, text, (a, b) => jsonText(jsonElement(a as string, b as number))),
    binaryOperator('#>', json, textArray, json, (a, b) => jsonPath(a as string, b as SqlArray) ?? null),
    binaryOperator('#>>', json, textArray, text, (a, b) => jsonText(jsonPath(a as string, b as SqlArray))),
  ];
}

export const jsonOperators: readonly OperatorOverload[] = [
  ...jsonbNavigation(),
  ...jsonNavigation(),
  binaryOperator('@>', jsonb, jsonb, bool, (a, b) => jsonbContains((a as Jsonb).root, (b as Jsonb).root)),
  binaryOperator('<@', jsonb, jsonb, bool, (a, b) => jsonbContains((b as Jsonb).root, (a as Jsonb).root)),
  binaryOperator('?', jsonb, text, bool, (a, b) => hasKey((a as Jsonb).root, b as string)),
  binaryOperator('?|', jsonb, textArray, bool, (a, b) => (b as SqlArray).some((k) => k !== null && hasKey((a as Jsonb).root, k as string))),
  binaryOperator('?&', jsonb, textArray, bool, (a, b) => (b as SqlArray).every((k) => k === null || hasKey((a as Jsonb).root, k as string))),
  binaryOperator('||', jsonb, jsonb, jsonb, (a, b) => new Jsonb(concat((a as Jsonb).root, (b as Jsonb).root))),
  binaryOperator('-', jsonb, text, jsonb, (a, b) => new Jsonb(deleteKey((a as Jsonb).root, b as string))),
  binaryOperator('-', jsonb, int4, jsonb, (a, b) => new Jsonb(deleteIndex((a as Jsonb).root, b as number))),
];

function objectPairs(args: readonly SqlValue[], argTypes: readonly SqlType[], env: Parameters<typeof toJsonbValue>[2]): [string, SqlValue, SqlType][] {
  if (args.length % 2 !== 0) throw new InvalidParameterValueError('argument list must have even number of elements', { hint: 'The arguments of json_build_object() must consist of alternating keys and values.' });
  const pairs: [string, SqlValue, SqlType][] = [];
  for (let i = 0; i < args.length; i += 2) {
    const key = args[i] ?? null;
    if (key === null) throw new InvalidParameterValueError(`argument ${i + 1}: key must not be null`);
    pairs.push([valueToText(key, argTypes[i] ?? text, env), args[i + 1] ?? null, argTypes[i + 1] ?? text]);
  }
  return pairs;
}

const builders: readonly ScalarOverload[] = [
  scalarTyped('jsonb_build_object', [], jsonb, (argTypes) => (args, env) => new Jsonb(jsonbObjectOf(
    objectPairs(args, argTypes, env.typeSession).map(([k, v, t]) => [k, toJsonbValue(v, t, env.typeSession)] as const),
  )), { strict: false, variadic: anyArg, volatility: 'stable' }),
  scalarTyped('json_build_object', [], json, (argTypes) => (args, env) => {
    const pairs = objectPairs(args, argTypes, env.typeSession);
    return `{${pairs.map(([k, v, t]) => `${escapeJsonString(k)} : ${toJsonText(v, t, env.typeSession)}`).join(', ')}}`;
  }, { strict: false, variadic: anyArg, volatility: 'stable' }),
  scalarTyped('jsonb_build_array', [], jsonb, (argTypes) => (args, env) => new Jsonb(args.map((v, i) => toJsonbValue(v, argTypes[i] ?? text, env.typeSession))), { strict: false, variadic: anyArg, volatility: 'stable' }),
  scalarTyped('json_build_array', [], json, (argTypes) => (args, env) => `[${args.map((v, i) => toJsonText(v, argTypes[i] ?? text, env.typeSession)).join(', ')}]`, { strict: false, variadic: anyArg, volatility: 'stable' }),
  scalarTyped('to_jsonb', [anyElement], jsonb, ([t]) => (a, env) => new Jsonb(toJsonbValue(a[0] ?? null, t ?? text, env.typeSession)), { volatility: 'stable' }),
  scalarTyped('to_json', [anyElement], json, ([t]) => (a, env) => toJsonText(a[0] ?? null, t ?? text, env.typeSession), { volatility: 'stable' }),
];

const inspectors: readonly ScalarOverload[] = [
  scalar('jsonb_typeof', [jsonb], text, (a) => jsonTypeof((a[0] as Jsonb).root)),
  scalar('json_typeof', [json], text, (a) => jsonTypeof(parseJsonb(a[0] as string).root)),
  scalar('jsonb_array_length', [jsonb], int4, (a) => arrayLength((a[0] as Jsonb).root)),
  scalar('json_array_length', [json], int4, (a) => arrayLength(parseJsonb(a[0] as string).root)),
  scalar('jsonb_extract_path', [jsonb], jsonb, (a) => wrap(path((a[0] as Jsonb).root, a.slice(1))), { variadic: text }),
  scalar('jsonb_extract_path_text', [jsonb], text, (a) => asText(path((a[0] as Jsonb).root, a.slice(1))), { variadic: text }),
  scalar('jsonb_strip_nulls', [jsonb], jsonb, (a) => new Jsonb(stripNulls((a[0] as Jsonb).root))),
];

function arrayLength(v: JsonbValue): number {
  if (!Array.isArray(v)) throw new InvalidParameterValueError(v instanceof JsonbObject ? 'cannot get array length of a non-array' : 'cannot get array length of a scalar');
  return (v as readonly JsonbValue[]).length;
}

function stripNulls(v: JsonbValue): JsonbValue {
  if (v instanceof JsonbObject) return jsonbObjectOf(v.keys.flatMap((k, i) => (v.values[i] === null ? [] : [[k, stripNulls(v.values[i] ?? null)] as const])));
  if (Array.isArray(v)) return (v as readonly JsonbValue[]).map(stripNulls);
  return v;
}

export const jsonFunctions: readonly ScalarOverload[] = [...builders, ...inspectors];

