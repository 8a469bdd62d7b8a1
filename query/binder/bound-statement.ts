// Bound statements: queries, the three DML statements and EXPLAIN. DML keeps
// its pieces separate (source rows, the new-row expressions, CHECK
// constraints, ON CONFLICT, RETURNING) because the executor applies them per
// row against TableAccess.

import type { IndexInfo, TableInfo } from '../contract.js';
import type { BoundExpr } from './bound-expr.js';
import type { LogicalPlan, PlanColumn } from './logical-plan.js';

export interface BoundQuery {
  readonly kind: 'query';
  readonly plan: LogicalPlan;
  readonly columns: readonly PlanColumn[];
}

export interface BoundCheck {
  readonly name: string;
  /** Over the new row (table column positions). */
  readonly expr: BoundExpr;
}

export interface BoundReturning {
  readonly exprs: readonly BoundExpr[];
  readonly columns: readonly PlanColumn[];
}

export interface BoundAssignment {
  /** Table column position. */
  readonly position: number;
  readonly expr: BoundExpr;
}

export interface BoundOnConflict {
  /** The unique index named or inferred; null for a bare ON CONFLICT DO NOTHING (any unique index). */
  readonly arbiter: IndexInfo | null;
  readonly action: 'nothing' | 'update';
  /** Over [existing row ..., excluded row ...]. */
  readonly assignments: readonly BoundAssignment[];
  readonly where: BoundExpr | null;
}

export interface BoundInsert {
  readonly kind: 'insert';
  readonly table: TableInfo;
  readonly source: LogicalPlan;
  /** One expression per table column (by position), over a source row. */
  readonly row: readonly BoundExpr[];
  readonly checks: readonly BoundCheck[];
  readonly onConflict: BoundOnConflict | null;
  /** Over the stored row. */
  readonly returning: BoundReturning | null;
}

export interface BoundUpdate {
  readonly kind: 'update';
  readonly table: TableInfo;
  /** Rows of [target columns ..., stored key, FROM columns ...] that qualify. */
  readonly source: LogicalPlan;
  readonly keyIndex: number;
  /** Over a source row. */
  readonly assignments: readonly BoundAssignment[];
  readonly checks: readonly BoundCheck[];
  /** Over a source row whose target columns hold the new values. */
  readonly returning: BoundReturning | null;
}

export interface BoundDelete {
  readonly kind: 'delete';
  readonly table: TableInfo;
  readonly source: LogicalPlan;
  readonly keyIndex: number;
  readonly returning: BoundReturning | null;
}

export type BoundDml = BoundInsert | BoundUpdate | BoundDelete;

export interface BoundExplain {
  readonly kind: 'explain';
  readonly statement: BoundQuery | BoundDml;
  readonly analyze: boolean;
  readonly verbose: boolean;
}

export type BoundStatement = BoundQuery | BoundDml | BoundExplain;
