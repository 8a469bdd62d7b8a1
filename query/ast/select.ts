// Queries: SELECT, VALUES, set operations, WITH, FROM items.

import type { Expr, FunctionCall, QualifiedName, SortItem, SourcePosition, WindowSpec } from './expr.js';
import type { Delete, Insert, Update } from './dml.js';

/**
 * A complete query: what a statement, a subquery, a CTE body or an INSERT
 * source is. ORDER BY, LIMIT, OFFSET, locking and WITH belong to the query, not
 * to one SELECT, because `(SELECT ...) UNION (SELECT ...) ORDER BY 1` sorts the
 * union.
 */
export interface Select {
  readonly kind: 'select';
  readonly with: WithClause | null;
  readonly body: QueryBody;
  readonly orderBy: readonly SortItem[];
  /** `LIMIT ALL` is a null literal, as in PostgreSQL; null when absent. */
  readonly limit: Expr | null;
  /** `FETCH FIRST n ROWS WITH TIES`. */
  readonly limitWithTies: boolean;
  readonly offset: Expr | null;
  readonly locking: readonly LockingClause[];
}

/**
 * A set-operation operand that has its own ORDER BY, LIMIT, locking or WITH
 * (written in parentheses) is a nested `Select`.
 */
export type QueryBody = SelectCore | ValuesList | SetOperation | Select;

export type Distinct =
  | { readonly kind: 'all' }
  | { readonly kind: 'distinct' }
  | { readonly kind: 'distinctOn'; readonly exprs: readonly Expr[] };

export interface SelectCore {
  readonly kind: 'selectCore';
  readonly distinct: Distinct;
  readonly targets: readonly Target[];
  /** Comma-separated FROM items; empty without FROM. */
  readonly from: readonly FromItem[];
  readonly where: Expr | null;
  /** Expressions; an integer literal is an output-column ordinal, as in PostgreSQL. */
  readonly groupBy: readonly Expr[];
  readonly having: Expr | null;
  readonly windows: readonly NamedWindow[];
}

export interface ValuesList {
  readonly kind: 'values';
  /** Rows of expressions; DEFAULT appears as a `default` expression (INSERT only). */
  readonly rows: readonly (readonly Expr[])[];
}

export interface SetOperation {
  readonly kind: 'setOperation';
  readonly op: 'union' | 'intersect' | 'except';
  readonly all: boolean;
  readonly left: QueryBody;
  readonly right: QueryBody;
}

/** A target-list or RETURNING entry. `*` and `t.*` are `star` expressions. */
export interface Target {
  readonly expr: Expr;
  readonly alias: string | null;
  readonly position: SourcePosition;
}

export interface NamedWindow {
  readonly name: string;
  readonly spec: WindowSpec;
}

/** `AS a (x, y)`; `columns` is empty when no column aliases were written. */
export interface TableAlias {
  readonly name: string;
  readonly columns: readonly string[];
}

export type JoinType = 'inner' | 'left' | 'right' | 'full' | 'cross';

export type JoinCondition =
  | { readonly kind: 'on'; readonly expr: Expr }
  /** `USING (a, b) AS j`: `alias` names the merged columns. */
  | { readonly kind: 'using'; readonly columns: readonly string[]; readonly alias: string | null }
  | { readonly kind: 'natural' };

export type FromItem =
  | {
    readonly kind: 'table';
    readonly name: QualifiedName;
    /** `ONLY t`: no inheritance children (ThunderDB has no inheritance, so the same rows). */
    readonly only: boolean;
    readonly alias: TableAlias | null;
  }
  | { readonly kind: 'subquery'; readonly query: Select; readonly lateral: boolean; readonly alias: TableAlias | null }
  | {
    /** `generate_series(1, 3) WITH ORDINALITY AS g(v, n)`. */
    readonly kind: 'function';
    readonly call: FunctionCall;
    readonly lateral: boolean;
    readonly withOrdinality: boolean;
    readonly alias: TableAlias | null;
  }
  | {
    readonly kind: 'join';
    /** `cross` has no condition; the others have one. */
    readonly joinType: JoinType;
    readonly left: FromItem;
    readonly right: FromItem;
    readonly condition: JoinCondition | null;
    /** `(a JOIN b USING (x)) AS j`. */
    readonly alias: TableAlias | null;
  };

export interface CommonTableExpr {
  readonly name: string;
  readonly columns: readonly string[];
  /** SELECT, or a data-modifying statement with RETURNING. */
  readonly query: Select | Insert | Update | Delete;
  readonly materialized: 'default' | 'always' | 'never';
  readonly position: SourcePosition;
}

export interface WithClause {
  readonly recursive: boolean;
  readonly ctes: readonly CommonTableExpr[];
}

export interface LockingClause {
  readonly strength: 'update' | 'noKeyUpdate' | 'share' | 'keyShare';
  /** `FOR UPDATE OF t, u`; empty means every table of the FROM clause. */
  readonly tables: readonly QualifiedName[];
  readonly waitPolicy: 'block' | 'skipLocked' | 'noWait';
}
