// Small constructors that keep the function tables readable: one line per
// overload, defaults for strictness and volatility, and typed argument
// accessors (a strict function never sees NULL, so the casts are safe).

import type { SqlType } from '../types/sql-type.js';
import type { SqlValue } from '../types/value.js';
import type { FunctionEnv } from './env.js';
import type {
  AggregateOverload, ArgType, OperatorFn, OperatorOverload, ResultRule, ScalarFn, ScalarOverload, Volatility,
} from './signature.js';

export interface ScalarOptions {
  readonly strict?: boolean;
  readonly volatility?: Volatility;
  readonly variadic?: ArgType;
}

/** An overload whose implementation does not depend on the resolved argument types. */
export function scalar(name: string, args: readonly ArgType[], result: ResultRule, fn: ScalarFn, options: ScalarOptions = {}): ScalarOverload {
  return scalarTyped(name, args, result, () => fn, options);
}

/** An overload that specialises its implementation on the resolved argument and result types. */
export function scalarTyped(
  name: string, args: readonly ArgType[], result: ResultRule,
  implement: (argTypes: readonly SqlType[], resultType: SqlType) => ScalarFn, options: ScalarOptions = {},
): ScalarOverload {
  return {
    name, args, result, implement,
    variadic: options.variadic ?? null,
    strict: options.strict ?? true,
    volatility: options.volatility ?? 'immutable',
  };
}

export function binaryOperator(symbol: string, left: ArgType, right: ArgType, result: ResultRule, fn: OperatorFn, equality = false): OperatorOverload {
  return { symbol, args: [left, right], variadic: null, result, equality, implement: () => fn };
}

export function binaryOperatorTyped(
  symbol: string, left: ArgType, right: ArgType, result: ResultRule,
  implement: (argTypes: readonly SqlType[], resultType: SqlType) => OperatorFn, equality = false,
): OperatorOverload {
  return { symbol, args: [left, right], variadic: null, result, equality, implement };
}

export function prefixOperator(symbol: string, operand: ArgType, result: ResultRule, fn: (a: SqlValue, env: FunctionEnv) => SqlValue): OperatorOverload {
  return { symbol, args: [operand], variadic: null, result, equality: false, implement: () => (a, _b, env) => fn(a, env) };
}

export function aggregate(
  name: string, args: readonly ArgType[], result: ResultRule,
  implement: AggregateOverload['implement'], strict = true,
): AggregateOverload {
  return { name, args, variadic: null, result, strict, implement };
}

// ---- argument accessors for strict implementations ----

export function argAt(args: readonly SqlValue[], index: number): SqlValue {
  const value = args[index];
  if (value === undefined) throw new Error(`function argument ${index} is missing`);
  return value;
}

export function textArg(args: readonly SqlValue[], index: number): string {
  return argAt(args, index) as string;
}

export function intArg(args: readonly SqlValue[], index: number): number {
  return argAt(args, index) as number;
}

export function bigArg(args: readonly SqlValue[], index: number): bigint {
  return argAt(args, index) as bigint;
}

export function floatArg(args: readonly SqlValue[], index: number): number {
  return argAt(args, index) as number;
}
