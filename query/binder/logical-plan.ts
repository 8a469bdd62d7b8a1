// The binder's output for queries: a tree of relational operators whose rows
// are arrays of values. Every node lists its output columns; expressions in a
// node refer to positions in its input's row (for joins: left columns, then
// right columns). The planner turns this into a physical plan.

import type { TableInfo } from '../contract.js';
import type { ResultColumn } from '../engine.js';
import type { TableFn } from '../functions/index.js';
import type { BoundAggregate, BoundExpr, BoundSrf, BoundWindowFn, SortKey } from './bound-expr.js';

/** An output column: name and type, with the source table column when it is a plain column. */
export type PlanColumn = ResultColumn;

export type JoinType = 'inner' | 'left' | 'right' | 'full';

export interface CteDefinition {
  readonly id: number;
  readonly name: string;
  readonly plan: LogicalPlan;
}

export type LogicalPlan =
  /** Every visible row of a table; with `withKey`, the stored key follows the columns (for UPDATE/DELETE). */
  | { readonly kind: 'scan'; readonly table: TableInfo; readonly alias: string; readonly withKey: boolean; readonly columns: readonly PlanColumn[] }
  | { readonly kind: 'values'; readonly rows: readonly (readonly BoundExpr[])[]; readonly columns: readonly PlanColumn[] }
  /** SELECT without FROM: one row of no columns. */
  | { readonly kind: 'oneRow'; readonly columns: readonly PlanColumn[] }
  | {
    readonly kind: 'functionScan'; readonly name: string; readonly fn: TableFn; readonly args: readonly BoundExpr[];
    readonly strict: boolean; readonly ordinality: boolean; readonly columns: readonly PlanColumn[];
  }
  | { readonly kind: 'filter'; readonly input: LogicalPlan; readonly predicate: BoundExpr; readonly columns: readonly PlanColumn[] }
  | { readonly kind: 'project'; readonly input: LogicalPlan; readonly exprs: readonly BoundExpr[]; readonly columns: readonly PlanColumn[] }
  | {
    readonly kind: 'join'; readonly joinType: JoinType; readonly left: LogicalPlan; readonly right: LogicalPlan;
    readonly condition: BoundExpr | null;
    /** LATERAL: values of the left row the right side reads as its outerRefs; null when not lateral. */
    readonly lateral: readonly BoundExpr[] | null;
    readonly columns: readonly PlanColumn[];
  }
  /** Output: the group keys, then the aggregates' results. */
  | { readonly kind: 'aggregate'; readonly input: LogicalPlan; readonly groupBy: readonly BoundExpr[]; readonly aggregates: readonly BoundAggregate[]; readonly columns: readonly PlanColumn[] }
  /** Output: the input's columns, then one column per set-returning function, run in lock step per input row. */
  | { readonly kind: 'projectSet'; readonly input: LogicalPlan; readonly functions: readonly BoundSrf[]; readonly columns: readonly PlanColumn[] }
  /** Output: the input's columns, then one column per window function. */
  | { readonly kind: 'window'; readonly input: LogicalPlan; readonly functions: readonly BoundWindowFn[]; readonly columns: readonly PlanColumn[] }
  | { readonly kind: 'sort'; readonly input: LogicalPlan; readonly keys: readonly SortKey[]; readonly columns: readonly PlanColumn[] }
  /** With `ties` (FETCH ... WITH TIES), rows equal to the last one on those sort keys also pass. */
  | {
    readonly kind: 'limit'; readonly input: LogicalPlan; readonly limit: BoundExpr | null; readonly offset: BoundExpr | null;
    readonly ties: readonly SortKey[] | null; readonly columns: readonly PlanColumn[];
  }
  /** DISTINCT (on: null) or DISTINCT ON (the first row of each `on` group in input order). */
  | { readonly kind: 'distinct'; readonly input: LogicalPlan; readonly on: readonly BoundExpr[] | null; readonly columns: readonly PlanColumn[] }
  | {
    readonly kind: 'setOp'; readonly op: 'union' | 'intersect' | 'except'; readonly all: boolean;
    readonly left: LogicalPlan; readonly right: LogicalPlan; readonly columns: readonly PlanColumn[];
  }
  | { readonly kind: 'with'; readonly ctes: readonly CteDefinition[]; readonly input: LogicalPlan; readonly columns: readonly PlanColumn[] }
  | { readonly kind: 'cteScan'; readonly cteId: number; readonly name: string; readonly columns: readonly PlanColumn[] }
  /** WITH RECURSIVE's body: the anchor once, then the recursive part until it adds nothing. */
  | {
    readonly kind: 'recursiveUnion'; readonly cteId: number; readonly anchor: LogicalPlan; readonly recursive: LogicalPlan;
    readonly all: boolean; readonly columns: readonly PlanColumn[];
  }
  /** Inside the recursive part: the rows the previous iteration produced. */
  | { readonly kind: 'workTableScan'; readonly cteId: number; readonly name: string; readonly columns: readonly PlanColumn[] };

export type LogicalPlanKind = LogicalPlan['kind'];
