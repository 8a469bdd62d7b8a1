// Signatures of the function library: argument patterns (concrete types or
// PostgreSQL's polymorphic pseudo-types), result rules and the shapes of
// scalar, operator, aggregate, window and table function overloads. The
// binder resolves a call against these; the executor runs what `implement`
// returns, built once per call site with the resolved argument types.

import type { SqlType } from '../types/sql-type.js';
import type { SqlValue } from '../types/value.js';
import type { FunctionEnv } from './env.js';

/**
 * `any` accepts every type unchanged (concat's VARIADIC "any");
 * `anycompatible` unifies its arguments to a common type (PostgreSQL's
 * anyelement is treated the same, a little more leniently);
 * `anycompatiblearray` is an array whose element unifies with them.
 */
export type PolymorphicKind = 'any' | 'anycompatible' | 'anycompatiblearray' | 'anynonarray';

export interface PolymorphicArg {
  readonly kind: 'poly';
  readonly poly: PolymorphicKind;
}

export type ArgType = SqlType | PolymorphicArg;

export const anyArg: PolymorphicArg = { kind: 'poly', poly: 'any' };
export const anyElement: PolymorphicArg = { kind: 'poly', poly: 'anycompatible' };
export const anyArray: PolymorphicArg = { kind: 'poly', poly: 'anycompatiblearray' };
export const anyNonArray: PolymorphicArg = { kind: 'poly', poly: 'anynonarray' };

export function isPolymorphic(arg: ArgType): arg is PolymorphicArg {
  return arg.kind === 'poly';
}

/** The result type: fixed, the unified polymorphic type (or its array), or computed from the argument types. */
export type ResultRule =
  | SqlType
  | { readonly kind: 'polyElement' }
  | { readonly kind: 'polyArray' }
  | { readonly kind: 'computed'; readonly compute: (argTypes: readonly SqlType[]) => SqlType };

export const polyElementResult: ResultRule = { kind: 'polyElement' };
export const polyArrayResult: ResultRule = { kind: 'polyArray' };

export function computedResult(compute: (argTypes: readonly SqlType[]) => SqlType): ResultRule {
  return { kind: 'computed', compute };
}

/** PostgreSQL's provolatile: volatile functions are never folded or cached. */
export type Volatility = 'immutable' | 'stable' | 'volatile';

/** Arguments are never NULL when the overload is strict (the caller checks). */
export type ScalarFn = (args: readonly SqlValue[], env: FunctionEnv) => SqlValue;

/** The common part of every overload: what the binder resolves against. */
export interface OverloadSignature {
  readonly args: readonly ArgType[];
  /** Repeated trailing arguments (VARIADIC), or null. */
  readonly variadic: ArgType | null;
  readonly result: ResultRule;
}

export interface ScalarOverload extends OverloadSignature {
  readonly name: string;
  readonly strict: boolean;
  readonly volatility: Volatility;
  readonly implement: (argTypes: readonly SqlType[], resultType: SqlType) => ScalarFn;
}

/** Operators are strict and immutable (or stable for timestamptz arithmetic). `b` is unused for prefix operators. */
export type OperatorFn = (a: SqlValue, b: SqlValue, env: FunctionEnv) => SqlValue;

export interface OperatorOverload extends OverloadSignature {
  readonly symbol: string;
  /** True for `=` operators whose equality is the type's own: usable for hash joins and index lookups. */
  readonly equality: boolean;
  readonly implement: (argTypes: readonly SqlType[], resultType: SqlType) => OperatorFn;
}

/** One group's running state. */
export interface Accumulator {
  add(args: readonly SqlValue[], env: FunctionEnv): void;
  result(env: FunctionEnv): SqlValue;
}

export interface AggregateOverload extends OverloadSignature {
  readonly name: string;
  /** Rows where any argument is NULL are skipped (every aggregate here but array_agg and the json ones). */
  readonly strict: boolean;
  readonly implement: (argTypes: readonly SqlType[], resultType: SqlType) => () => Accumulator;
}

/** A sorted partition as a window function sees it. */
export interface WindowPartition {
  readonly rowCount: number;
  /** Value of argument `argIndex` at partition row `rowIndex`. */
  arg(argIndex: number, rowIndex: number): SqlValue;
  /** First and one-past-last row of `rowIndex`'s peer group (rows equal in ORDER BY). */
  peersStart(rowIndex: number): number;
  peersEnd(rowIndex: number): number;
  /** The frame of `rowIndex`: first row and one past the last (empty when end <= start). */
  frameStart(rowIndex: number): number;
  frameEnd(rowIndex: number): number;
}

export interface WindowOverload extends OverloadSignature {
  readonly name: string;
  /** Computes one value per partition row. */
  readonly implement: (argTypes: readonly SqlType[], resultType: SqlType) => (partition: WindowPartition, env: FunctionEnv) => SqlValue[];
}

export interface TableFunctionColumn {
  readonly name: string;
  readonly type: SqlType;
}

export type TableFn = (args: readonly SqlValue[], env: FunctionEnv) => Iterable<readonly SqlValue[]>;

export interface TableFunctionOverload extends OverloadSignature {
  readonly name: string;
  /** A strict table function returns no rows when an argument is NULL. */
  readonly strict: boolean;
  readonly volatility: Volatility;
  readonly columns: (argTypes: readonly SqlType[]) => readonly TableFunctionColumn[];
  readonly implement: (argTypes: readonly SqlType[]) => TableFn;
}
