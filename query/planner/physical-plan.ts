// Physical plans: what the executor runs. Access paths (sequential scan or
// index lookup) and join algorithms (hash, nested loop, index nested loop)
// are chosen; expressions are the binder's, positions relative to each
// node's input row as in the logical plan.

import type { IndexInfo, TableInfo } from '../contract.js';
import type {
  BoundAggregate, BoundAssignment, BoundCheck, BoundExpr, BoundReturning, BoundSrf, BoundWindowFn, JoinType, PlanColumn, SortKey,
} from '../binder/index.js';
import type { TableFn } from '../functions/index.js';

/** What one index column is looked up with: a value, a list (`IN (...)`), or an array's elements (`= ANY (array)`). */
export type LookupKey =
  | { readonly kind: 'value'; readonly expr: BoundExpr }
  | { readonly kind: 'list'; readonly exprs: readonly BoundExpr[] }
  | { readonly kind: 'array'; readonly expr: BoundExpr };

export interface PhysicalCte {
  readonly id: number;
  readonly name: string;
  readonly plan: PhysicalPlan;
}

export type PhysicalPlan =
  | { readonly kind: 'seqScan'; readonly table: TableInfo; readonly alias: string; readonly withKey: boolean; readonly filter: BoundExpr | null; readonly columns: readonly PlanColumn[] }
  /**
   * The OLTP fast path: TableAccess.lookup with values for every index column,
   * computed before any row is read (several lookups for IN lists and arrays).
   */
  | {
    readonly kind: 'indexLookup'; readonly table: TableInfo; readonly alias: string; readonly withKey: boolean; readonly index: IndexInfo;
    readonly keys: readonly LookupKey[]; readonly filter: BoundExpr | null; readonly columns: readonly PlanColumn[];
  }
  | { readonly kind: 'values'; readonly rows: readonly (readonly BoundExpr[])[]; readonly columns: readonly PlanColumn[] }
  | { readonly kind: 'oneRow'; readonly columns: readonly PlanColumn[] }
  | {
    readonly kind: 'functionScan'; readonly name: string; readonly fn: TableFn; readonly args: readonly BoundExpr[];
    readonly strict: boolean; readonly ordinality: boolean; readonly columns: readonly PlanColumn[];
  }
  | { readonly kind: 'filter'; readonly input: PhysicalPlan; readonly predicate: BoundExpr; readonly columns: readonly PlanColumn[] }
  | { readonly kind: 'project'; readonly input: PhysicalPlan; readonly exprs: readonly BoundExpr[]; readonly columns: readonly PlanColumn[] }
  /** Builds a hash table on the right input; `residual` is checked on each matching combined row. */
  | {
    readonly kind: 'hashJoin'; readonly joinType: JoinType; readonly left: PhysicalPlan; readonly right: PhysicalPlan;
    readonly leftKeys: readonly BoundExpr[]; readonly rightKeys: readonly BoundExpr[]; readonly residual: BoundExpr | null;
    readonly columns: readonly PlanColumn[];
  }
  | {
    readonly kind: 'nestedLoopJoin'; readonly joinType: JoinType; readonly left: PhysicalPlan; readonly right: PhysicalPlan;
    readonly condition: BoundExpr | null; readonly lateral: readonly BoundExpr[] | null; readonly columns: readonly PlanColumn[];
  }
  /** For each left row, an index lookup on the right table with `leftKeys` evaluated on the left row. */
  | {
    readonly kind: 'indexNestedLoopJoin'; readonly joinType: 'inner' | 'left'; readonly left: PhysicalPlan;
    readonly table: TableInfo; readonly alias: string; readonly index: IndexInfo; readonly leftKeys: readonly BoundExpr[];
    readonly rightFilter: BoundExpr | null; readonly residual: BoundExpr | null; readonly rightColumns: readonly PlanColumn[];
    readonly columns: readonly PlanColumn[];
  }
  | { readonly kind: 'hashAggregate'; readonly input: PhysicalPlan; readonly groupBy: readonly BoundExpr[]; readonly aggregates: readonly BoundAggregate[]; readonly columns: readonly PlanColumn[] }
  | { readonly kind: 'window'; readonly input: PhysicalPlan; readonly functions: readonly BoundWindowFn[]; readonly columns: readonly PlanColumn[] }
  | { readonly kind: 'projectSet'; readonly input: PhysicalPlan; readonly functions: readonly BoundSrf[]; readonly columns: readonly PlanColumn[] }
  | { readonly kind: 'sort'; readonly input: PhysicalPlan; readonly keys: readonly SortKey[]; readonly columns: readonly PlanColumn[] }
  | {
    readonly kind: 'limit'; readonly input: PhysicalPlan; readonly limit: BoundExpr | null; readonly offset: BoundExpr | null;
    readonly ties: readonly SortKey[] | null; readonly columns: readonly PlanColumn[];
  }
  | { readonly kind: 'distinct'; readonly input: PhysicalPlan; readonly on: readonly BoundExpr[] | null; readonly columns: readonly PlanColumn[] }
  | {
    readonly kind: 'setOp'; readonly op: 'union' | 'intersect' | 'except'; readonly all: boolean;
    readonly left: PhysicalPlan; readonly right: PhysicalPlan; readonly columns: readonly PlanColumn[];
  }
  | { readonly kind: 'with'; readonly ctes: readonly PhysicalCte[]; readonly input: PhysicalPlan; readonly columns: readonly PlanColumn[] }
  | { readonly kind: 'cteScan'; readonly cteId: number; readonly name: string; readonly columns: readonly PlanColumn[] }
  | {
    readonly kind: 'recursiveUnion'; readonly cteId: number; readonly anchor: PhysicalPlan; readonly recursive: PhysicalPlan;
    readonly all: boolean; readonly columns: readonly PlanColumn[];
  }
  | { readonly kind: 'workTableScan'; readonly cteId: number; readonly name: string; readonly columns: readonly PlanColumn[] };

export type PhysicalPlanKind = PhysicalPlan['kind'];

/** Subquery plans by the id of the expression node that runs them. */
export type Subplans = ReadonlyMap<number, PhysicalPlan>;

export type PlannedStatement =
  | { readonly kind: 'query'; readonly plan: PhysicalPlan; readonly columns: readonly PlanColumn[]; readonly subplans: Subplans }
  | {
    readonly kind: 'insert'; readonly table: TableInfo; readonly source: PhysicalPlan; readonly row: readonly BoundExpr[];
    readonly checks: readonly BoundCheck[]; readonly onConflict: PlannedOnConflict | null; readonly returning: BoundReturning | null;
    readonly subplans: Subplans;
  }
  | {
    readonly kind: 'update'; readonly table: TableInfo; readonly source: PhysicalPlan; readonly keyIndex: number;
    readonly assignments: readonly BoundAssignment[]; readonly checks: readonly BoundCheck[]; readonly returning: BoundReturning | null;
    readonly subplans: Subplans;
  }
  | {
    readonly kind: 'delete'; readonly table: TableInfo; readonly source: PhysicalPlan; readonly keyIndex: number;
    readonly returning: BoundReturning | null; readonly subplans: Subplans;
  };

export interface PlannedOnConflict {
  readonly arbiter: IndexInfo | null;
  readonly action: 'nothing' | 'update';
  readonly assignments: readonly BoundAssignment[];
  readonly where: BoundExpr | null;
}

export interface PlannedExplain {
  readonly kind: 'explain';
  readonly statement: PlannedStatement;
  readonly analyze: boolean;
  readonly verbose: boolean;
}
