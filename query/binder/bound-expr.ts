// Bound expressions: names resolved, types decided, functions and operators
// chosen. Column references are positions in the row of the operator that
// evaluates them; references to an enclosing query are `outerRef`s (values
// the enclosing query passes in), so a plan never reaches outside itself.

import type { ColumnInfo, TableInfo } from '../contract.js';
import type {
  Accumulator, OperatorFn, ScalarFn, TableFn, Volatility, WindowPartition,
} from '../functions/index.js';
import type { FunctionEnv } from '../functions/env.js';
import type { SqlType } from '../types/sql-type.js';
import type { SqlValue } from '../types/value.js';
import type { LogicalPlan } from './logical-plan.js';

export interface SortKey {
  readonly expr: BoundExpr;
  readonly descending: boolean;
  /** PostgreSQL's default: NULLS LAST ascending, NULLS FIRST descending. */
  readonly nullsFirst: boolean;
}

/** A constant. `unknown` marks an untyped string literal or NULL that later context may still type. */
export interface BoundConst { readonly kind: 'const'; readonly type: SqlType; readonly value: SqlValue; readonly unknown: boolean }

export interface BoundColumn {
  readonly kind: 'column';
  readonly type: SqlType;
  readonly index: number;
  /** For EXPLAIN and error messages: `t.a`. */
  readonly name: string;
}

/** A value of an enclosing query, passed to this (sub)plan at position `index` of its correlation arguments. */
export interface BoundOuterRef { readonly kind: 'outerRef'; readonly type: SqlType; readonly index: number; readonly name: string }

export interface BoundParam { readonly kind: 'param'; readonly type: SqlType; readonly number: number }

export interface BoundCall {
  readonly kind: 'call';
  readonly type: SqlType;
  readonly name: string;
  readonly args: readonly BoundExpr[];
  readonly fn: ScalarFn;
  readonly strict: boolean;
  readonly volatility: Volatility;
}

export interface BoundOperator {
  readonly kind: 'operator';
  readonly type: SqlType;
  readonly symbol: string;
  /** One argument for prefix operators, two for infix ones. */
  readonly args: readonly BoundExpr[];
  readonly fn: OperatorFn;
  /** The type's own equality: usable for hash joins and index lookups. */
  readonly equality: boolean;
  readonly volatility: Volatility;
}

export interface BoundCast { readonly kind: 'cast'; readonly type: SqlType; readonly arg: BoundExpr; readonly mode: 'explicit' | 'assignment' }

export interface BoundCaseWhen { readonly condition: BoundExpr; readonly result: BoundExpr }

/** CASE; with an operand, conditions compare `caseTest` (the operand's value) to each WHEN value. */
export interface BoundCase {
  readonly kind: 'case';
  readonly type: SqlType;
  readonly operand: BoundExpr | null;
  readonly whens: readonly BoundCaseWhen[];
  readonly elseResult: BoundExpr;
}

export interface BoundSubquery {
  readonly kind: 'subquery';
  readonly type: SqlType;
  readonly mode: 'scalar' | 'exists' | 'array';
  readonly plan: LogicalPlan;
  /** Values of the enclosing query the subquery reads (its outerRefs), evaluated per outer row. */
  readonly correlated: readonly BoundExpr[];
  readonly id: number;
}

/**
 * `x op ANY|ALL (SELECT ...)`; IN is `= ANY`. With a row on the left,
 * `(a, b) = (x, y)` holds when every column pair is equal, `<>` when some
 * pair differs (three-valued, as PostgreSQL's row comparison).
 */
export interface BoundQuantified {
  readonly kind: 'quantified';
  readonly type: SqlType;
  readonly quantifier: 'any' | 'all';
  /** One expression per subquery column. */
  readonly left: readonly BoundExpr[];
  readonly symbol: '=' | '<>' | string;
  /** One operator per column. */
  readonly compare: readonly OperatorFn[];
  /** Every column compares with its type's own `=`: the executor may hash the subquery's rows. */
  readonly equality: boolean;
  readonly plan: LogicalPlan;
  readonly correlated: readonly BoundExpr[];
  readonly id: number;
}

export interface BoundQuantifiedArray {
  readonly kind: 'quantifiedArray';
  readonly type: SqlType;
  readonly quantifier: 'any' | 'all';
  readonly left: BoundExpr;
  readonly symbol: string;
  readonly array: BoundExpr;
  readonly compare: OperatorFn;
}

export interface BoundAggregate {
  readonly kind: 'aggregate';
  readonly type: SqlType;
  readonly name: string;
  readonly args: readonly BoundExpr[];
  readonly argTypes: readonly SqlType[];
  readonly distinct: boolean;
  readonly filter: BoundExpr | null;
  readonly orderBy: readonly SortKey[];
  /** Rows where an argument is NULL are skipped. */
  readonly strict: boolean;
  readonly create: () => Accumulator;
}

export type FrameBoundKind = 'unboundedPreceding' | 'preceding' | 'currentRow' | 'following' | 'unboundedFollowing';

export interface BoundFrameBound { readonly kind: FrameBoundKind; readonly offset: BoundExpr | null }

export interface BoundFrame {
  readonly mode: 'rows' | 'range' | 'groups';
  readonly start: BoundFrameBound;
  readonly end: BoundFrameBound;
  /** RANGE with offsets: the order key's `+` and `-` with the offset's type. */
  readonly rangeAdd: OperatorFn | null;
  readonly rangeSubtract: OperatorFn | null;
}

export interface BoundWindowSpec {
  readonly partitionBy: readonly BoundExpr[];
  readonly orderBy: readonly SortKey[];
  /** PostgreSQL's default frame: RANGE UNBOUNDED PRECEDING to CURRENT ROW (peers included). */
  readonly frame: BoundFrame;
}

export type WindowImpl =
  | { readonly kind: 'aggregate'; readonly create: () => Accumulator; readonly strict: boolean; readonly distinct: boolean }
  | { readonly kind: 'window'; readonly compute: (partition: WindowPartition, env: FunctionEnv) => SqlValue[] };

export interface BoundWindowFn {
  readonly kind: 'windowFn';
  readonly type: SqlType;
  readonly name: string;
  readonly args: readonly BoundExpr[];
  readonly filter: BoundExpr | null;
  readonly spec: BoundWindowSpec;
  readonly impl: WindowImpl;
}

/** A set-returning function in the select list (one output column); the ProjectSet node runs it. */
export interface BoundSrf {
  readonly kind: 'srf';
  readonly type: SqlType;
  readonly name: string;
  readonly args: readonly BoundExpr[];
  readonly fn: TableFn;
  readonly strict: boolean;
}

export type BoundExpr =
  | BoundConst
  | BoundColumn
  | BoundOuterRef
  | BoundParam
  | BoundCall
  | BoundOperator
  | BoundCast
  | { readonly kind: 'and' | 'or'; readonly type: SqlType; readonly args: readonly BoundExpr[] }
  | { readonly kind: 'not'; readonly type: SqlType; readonly arg: BoundExpr }
  | { readonly kind: 'nullTest'; readonly type: SqlType; readonly arg: BoundExpr; readonly negated: boolean }
  | { readonly kind: 'boolTest'; readonly type: SqlType; readonly arg: BoundExpr; readonly test: 'true' | 'false' | 'unknown'; readonly negated: boolean }
  /** IS [NOT] DISTINCT FROM, with the `=` operator of the two types. */
  | { readonly kind: 'distinctFrom'; readonly type: SqlType; readonly left: BoundExpr; readonly right: BoundExpr; readonly equals: OperatorFn; readonly negated: boolean }
  | BoundCase
  | { readonly kind: 'caseTest'; readonly type: SqlType }
  | { readonly kind: 'coalesce'; readonly type: SqlType; readonly args: readonly BoundExpr[] }
  | { readonly kind: 'nullIf'; readonly type: SqlType; readonly left: BoundExpr; readonly right: BoundExpr; readonly equals: OperatorFn }
  | { readonly kind: 'minMax'; readonly type: SqlType; readonly op: 'greatest' | 'least'; readonly args: readonly BoundExpr[] }
  /** `x IN (a, b, ...)`, all coerced to one type; `equals` is that type's `=`. */
  | { readonly kind: 'inList'; readonly type: SqlType; readonly arg: BoundExpr; readonly list: readonly BoundExpr[]; readonly equals: OperatorFn; readonly negated: boolean }
  | { readonly kind: 'like'; readonly type: SqlType; readonly arg: BoundExpr; readonly pattern: BoundExpr; readonly escape: BoundExpr | null; readonly caseInsensitive: boolean; readonly negated: boolean }
  | { readonly kind: 'array'; readonly type: SqlType; readonly elements: readonly BoundExpr[] }
  /** `a[i]` or `a[lo:hi]` (null bounds are open). */
  | { readonly kind: 'subscript'; readonly type: SqlType; readonly arg: BoundExpr; readonly index: BoundExpr | null; readonly lower: BoundExpr | null; readonly upper: BoundExpr | null; readonly slice: boolean }
  | BoundSubquery
  | BoundQuantified
  | BoundQuantifiedArray
  | BoundAggregate
  | BoundWindowFn
  | BoundSrf
  /** The next value of an identity or serial column (INSERT defaults). */
  | { readonly kind: 'identity'; readonly type: SqlType; readonly table: TableInfo; readonly column: ColumnInfo };

export type BoundExprKind = BoundExpr['kind'];
