// Aggregate functions with PostgreSQL's result types: sum(int4) is bigint,
// sum(int8) and avg(integer) are numeric (avg with numeric division's scale),
// count is bigint, min/max keep the argument type. An Accumulator holds one
// group's state; DISTINCT, ORDER BY and FILTER are the executor's business.

import { compareValues } from '../types/compare.js';
import { floatAdd } from '../types/float.js';
import { int8Add } from '../types/integer.js';
import { intervalAdd, intervalDiv, zeroInterval } from '../types/interval.js';
import type { Interval } from '../types/interval.js';
import { Jsonb } from '../types/json.js';
import { Decimal, pow10 } from '../types/numeric/decimal.js';
import { numericAdd, numericDiv } from '../types/numeric/numeric-math.js';
import { arrayOf, SqlTypes } from '../types/sql-type.js';
import type { SqlType } from '../types/sql-type.js';
import type { SqlValue } from '../types/value.js';
import { aggregate } from './define.js';
import type { FunctionEnv } from './env.js';
import { jsonbObjectOf, toJsonbValue, toJsonText } from './json-values.js';
import { anyElement, anyNonArray, computedResult, polyElementResult } from './signature.js';
import type { Accumulator, AggregateOverload } from './signature.js';
import { escapeJsonString } from '../types/json.js';
import { valueToText } from './text-util.js';

const { int2, int4, int8, float4, float8, numeric, interval, bool, text, bytea, json, jsonb } = SqlTypes;

class CountAccumulator implements Accumulator {
  private count = 0n;
  add(): void { this.count++; }
  result(): SqlValue { return this.count; }
}

/** sum over int2/int4 in bigint; sum over int8 exactly in bigint too, reported as numeric. */
class IntegerSum implements Accumulator {
  private sum = 0n;
  private seen = false;
  constructor(private readonly asNumeric: boolean) {}
  add(args: readonly SqlValue[]): void {
    const v = args[0];
    this.sum = this.asNumeric ? this.sum + BigInt(v as bigint) : int8Add(this.sum, BigInt(v as number));
    this.seen = true;
  }
  result(): SqlValue {
    if (!this.seen) return null;
    return this.asNumeric ? Decimal.of(this.sum, 0) : this.sum;
  }
}

/**
 * Sums finite values as a bare bigint coefficient at the largest scale seen,
 * so a row costs one bigint addition rather than a new Decimal; NaN and the
 * infinities switch to Decimal arithmetic. Range is checked once, at the end.
 */
class NumericSum implements Accumulator {
  private coefficient = 0n;
  private scale = 0;
  /** Set once a non-finite value arrives: the running sum in Decimal form. */
  private special: Decimal | null = null;
  count = 0;
  add(args: readonly SqlValue[]): void {
    const v = args[0] as Decimal;
    this.count++;
    if (this.special !== null || !v.isFinite()) {
      this.special = numericAdd(this.special ?? Decimal.of(this.coefficient, this.scale), v);
      return;
    }
    if (v.scale === this.scale) this.coefficient += v.coefficient;
    else if (v.scale > this.scale) {
      this.coefficient = this.coefficient * pow10(v.scale - this.scale) + v.coefficient;
      this.scale = v.scale;
    } else this.coefficient += v.coefficient * pow10(this.scale - v.scale);
  }
  sum(): Decimal { return this.special ?? Decimal.of(this.coefficient, this.scale); }
  result(): SqlValue { return this.count === 0 ? null : this.sum(); }
}

class FloatSum implements Accumulator {
  sum = 0;
  count = 0;
  constructor(private readonly kind: 'float4' | 'float8') {}
  add(args: readonly SqlValue[]): void {
    this.sum = floatAdd(this.sum, args[0] as number, this.kind);
    this.count++;
  }
  result(): SqlValue { return this.count === 0 ? null : this.sum; }
}

class IntervalSum implements Accumulator {
  sum: Interval = zeroInterval;
  count = 0;
  add(args: readonly SqlValue[]): void {
    this.sum = intervalAdd(this.sum, args[0] as Interval);
    this.count++;
  }
  result(): SqlValue { return this.count === 0 ? null : this.sum; }
}

/** avg of integers: exact bigint sum, numeric division (1.5000000000000000 for avg(1, 2)). */
class IntegerAverage implements Accumulator {
  private sum = 0n;
  private count = 0n;
  add(args: readonly SqlValue[]): void {
    const v = args[0];
    this.sum += typeof v === 'bigint' ? v : BigInt(v as number);
    this.count++;
  }
  result(): SqlValue {
    return this.count === 0n ? null : numericDiv(Decimal.of(this.sum, 0), Decimal.of(this.count, 0));
  }
}

class NumericAverage extends NumericSum {
  override result(): SqlValue {
    return this.count === 0 ? null : numericDiv(this.sum(), Decimal.fromInteger(this.count));
  }
}

class FloatAverage extends FloatSum {
  constructor() { super('float8'); }
  override result(): SqlValue { return this.count === 0 ? null : this.sum / this.count; }
}

class IntervalAverage extends IntervalSum {
  override result(): SqlValue { return this.count === 0 ? null : intervalDiv(this.sum, this.count); }
}

class Extreme implements Accumulator {
  private best: SqlValue = null;
  constructor(private readonly type: SqlType, private readonly sign: 1 | -1) {}
  add(args: readonly SqlValue[]): void {
    const v = args[0] ?? null;
    if (this.best === null || this.sign * compareValues(v, this.best, this.type) > 0) this.best = v;
  }
  result(): SqlValue { return this.best; }
}

class BoolAccumulator implements Accumulator {
  private value: boolean | null = null;
  constructor(private readonly all: boolean) {}
  add(args: readonly SqlValue[]): void {
    const v = args[0] as boolean;
    this.value = this.value === null ? v : this.all ? this.value && v : this.value || v;
  }
  result(): SqlValue { return this.value; }
}

/** string_agg: each value after the first is preceded by its own row's delimiter. */
class StringAgg implements Accumulator {
  private parts: string[] = [];
  add(args: readonly SqlValue[]): void {
    const v = args[0] ?? null;
    if (v === null) return;
    if (this.parts.length > 0) this.parts.push((args[1] ?? '') as string);
    this.parts.push(v as string);
  }
  result(): SqlValue { return this.parts.length === 0 ? null : this.parts.join(''); }
}

class ByteaAgg implements Accumulator {
  private parts: Uint8Array[] = [];
  add(args: readonly SqlValue[]): void {
    const v = args[0] ?? null;
    if (v === null) return;
    if (this.parts.length > 0) this.parts.push((args[1] ?? new Uint8Array()) as Uint8Array);
    this.parts.push(v as Uint8Array);
  }
  result(): SqlValue {
    if (this.parts.length === 0) return null;
    const out = new Uint8Array(this.parts.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const p of this.parts) { out.set(p, offset); offset += p.length; }
    return out;
  }
}

class ArrayAgg implements Accumulator {
  private items: SqlValue[] | null = null;
  add(args: readonly SqlValue[]): void { (this.items ??= []).push(args[0] ?? null); }
  /** A copy: window frames read the result and keep adding. */
  result(): SqlValue { return this.items === null ? null : [...this.items]; }
}

class JsonAgg implements Accumulator {
  private items: SqlValue[] | null = null;
  constructor(private readonly type: SqlType, private readonly binary: boolean) {}
  add(args: readonly SqlValue[]): void { (this.items ??= []).push(args[0] ?? null); }
  result(env: FunctionEnv): SqlValue {
    if (this.items === null) return null;
    if (this.binary) return new Jsonb(this.items.map((v) => toJsonbValue(v, this.type, env.typeSession)));
    return `[${this.items.map((v) => toJsonText(v, this.type, env.typeSession)).join(', ')}]`;
  }
}

class JsonObjectAgg implements Accumulator {
  private pairs: [SqlValue, SqlValue][] | null = null;
  constructor(private readonly keyType: SqlType, private readonly valueType: SqlType, private readonly binary: boolean) {}
  add(args: readonly SqlValue[]): void { (this.pairs ??= []).push([args[0] ?? null, args[1] ?? null]); }
  result(env: FunctionEnv): SqlValue {
    if (this.pairs === null) return null;
    const session = env.typeSession;
    const keyed = this.pairs.map(([k, v]) => [valueToText(k, this.keyType, session), v] as const);
    if (this.binary) return new Jsonb(jsonbObjectOf(keyed.map(([k, v]) => [k, toJsonbValue(v, this.valueType, session)] as const)));
    return `{ ${keyed.map(([k, v]) => `${escapeJsonString(k)} : ${toJsonText(v, this.valueType, session)}`).join(', ')} }`;
  }
}

const sumOverloads: readonly AggregateOverload[] = [
  aggregate('sum', [int2], int8, () => () => new IntegerSum(false)),
  aggregate('sum', [int4], int8, () => () => new IntegerSum(false)),
  aggregate('sum', [int8], numeric, () => () => new IntegerSum(true)),
  aggregate('sum', [numeric], numeric, () => () => new NumericSum()),
  aggregate('sum', [float4], float4, () => () => new FloatSum('float4')),
  aggregate('sum', [float8], float8, () => () => new FloatSum('float8')),
  aggregate('sum', [interval], interval, () => () => new IntervalSum()),
];

const avgOverloads: readonly AggregateOverload[] = [
  ...[int2, int4, int8].map((t) => aggregate('avg', [t], numeric, () => () => new IntegerAverage())),
  aggregate('avg', [numeric], numeric, () => () => new NumericAverage()),
  aggregate('avg', [float4], float8, () => () => new FloatAverage()),
  aggregate('avg', [float8], float8, () => () => new FloatAverage()),
  aggregate('avg', [interval], interval, () => () => new IntervalAverage()),
];

const jsonAggregates: readonly AggregateOverload[] = [
  aggregate('json_agg', [anyElement], json, ([t]) => () => new JsonAgg(t ?? text, false), false),
  aggregate('jsonb_agg', [anyElement], jsonb, ([t]) => () => new JsonAgg(t ?? text, true), false),
  aggregate('json_object_agg', [anyElement, { kind: 'poly', poly: 'any' }], json, ([k, v]) => () => new JsonObjectAgg(k ?? text, v ?? text, false), false),
  aggregate('jsonb_object_agg', [anyElement, { kind: 'poly', poly: 'any' }], jsonb, ([k, v]) => () => new JsonObjectAgg(k ?? text, v ?? text, true), false),
];

export const aggregateFunctions: readonly AggregateOverload[] = [
  aggregate('count', [], int8, () => () => new CountAccumulator()),
  aggregate('count', [{ kind: 'poly', poly: 'any' }], int8, () => () => new CountAccumulator()),
  ...sumOverloads,
  ...avgOverloads,
  aggregate('min', [anyElement], polyElementResult, ([t]) => () => new Extreme(t ?? text, -1)),
  aggregate('max', [anyElement], polyElementResult, ([t]) => () => new Extreme(t ?? text, 1)),
  aggregate('bool_and', [bool], bool, () => () => new BoolAccumulator(true)),
  aggregate('every', [bool], bool, () => () => new BoolAccumulator(true)),
  aggregate('bool_or', [bool], bool, () => () => new BoolAccumulator(false)),
  aggregate('string_agg', [text, text], text, () => () => new StringAgg(), false),
  aggregate('string_agg', [bytea, bytea], bytea, () => () => new ByteaAgg(), false),
  aggregate('array_agg', [anyNonArray], computedResult(([t]) => (t === undefined || t.kind === 'array' ? arrayOf(text) : arrayOf(t))), () => () => new ArrayAgg(), false),
  ...jsonAggregates,
];
