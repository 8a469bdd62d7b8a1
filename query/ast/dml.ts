// Data-modifying statements: INSERT, UPDATE, DELETE.

import type { Expr, QualifiedName, SourcePosition } from './expr.js';
import type { FromItem, Select, Target, WithClause } from './select.js';

/** The table a statement writes, with `ONLY` and an alias. */
export interface TargetTable {
  readonly name: QualifiedName;
  /** `UPDATE ONLY t`: no inheritance children (ThunderDB has none, so the same rows). */
  readonly only: boolean;
  readonly alias: string | null;
}

/** VALUES (a body of kind `values`), a query, or DEFAULT VALUES. */
export type InsertSource = Select | { readonly kind: 'defaultValues' };

/** `(a, lower(b)) WHERE ...` or `ON CONSTRAINT name`. */
export type ConflictTarget =
  | { readonly kind: 'columns'; readonly columns: readonly IndexKey[]; readonly where: Expr | null }
  | { readonly kind: 'constraint'; readonly name: string };

/** An index column or expression, as in CREATE INDEX and ON CONFLICT. */
export type IndexKey =
  | { readonly kind: 'column'; readonly name: string }
  | { readonly kind: 'expression'; readonly expr: Expr };

export type ConflictAction =
  | { readonly kind: 'nothing' }
  | { readonly kind: 'update'; readonly set: readonly SetClause[]; readonly where: Expr | null };

export interface OnConflict {
  /** Null for a bare `ON CONFLICT DO NOTHING`. */
  readonly target: ConflictTarget | null;
  readonly action: ConflictAction;
  readonly position: SourcePosition;
}

export interface Insert {
  readonly kind: 'insert';
  readonly with: WithClause | null;
  readonly table: TargetTable;
  /** Empty when no column list was written. */
  readonly columns: readonly { readonly name: string; readonly position: SourcePosition }[];
  readonly source: InsertSource;
  readonly overriding: 'none' | 'systemValue' | 'userValue';
  readonly onConflict: OnConflict | null;
  /** Empty without RETURNING. */
  readonly returning: readonly Target[];
}

/**
 * One assignment of UPDATE ... SET or ON CONFLICT DO UPDATE SET. `(a, b) =
 * (1, 2)` and `(a, b) = (SELECT ...)` are one `multi` clause whose source is a
 * `row` or `subquery` expression.
 */
export type SetClause =
  | { readonly kind: 'column'; readonly column: string; readonly value: Expr; readonly position: SourcePosition }
  | { readonly kind: 'multi'; readonly columns: readonly string[]; readonly source: Expr; readonly position: SourcePosition };

export interface Update {
  readonly kind: 'update';
  readonly with: WithClause | null;
  readonly table: TargetTable;
  readonly set: readonly SetClause[];
  readonly from: readonly FromItem[];
  readonly where: Expr | null;
  readonly returning: readonly Target[];
}

export interface Delete {
  readonly kind: 'delete';
  readonly with: WithClause | null;
  readonly table: TargetTable;
  readonly using: readonly FromItem[];
  readonly where: Expr | null;
  readonly returning: readonly Target[];
}
