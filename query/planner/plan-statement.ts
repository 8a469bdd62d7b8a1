// The planner's entry point: predicate pushdown on the logical plan, then the
// physical choices, for the statement and for every subquery it contains
// (planned once each, found through the expressions of the physical plan).

import type { BoundDml, BoundExpr, BoundQuery, BoundStatement, LogicalPlan } from '../binder/index.js';
import { walk } from '../binder/index.js';
import { assertNever } from '../types/errors.js';
import { physicalChildren, nodeExpressions } from './physical-utils.js';
import type { PhysicalPlan, PlannedExplain, PlannedStatement } from './physical-plan.js';
import { toPhysical } from './physical.js';
import { pushDownPredicates } from './push-down.js';

export function planLogical(plan: LogicalPlan): PhysicalPlan {
  return toPhysical(pushDownPredicates(plan));
}

/** Plans every subquery reachable from `roots` (subqueries inside subqueries too). */
class SubplanCollector {
  readonly subplans = new Map<number, PhysicalPlan>();

  fromExprs(exprs: readonly BoundExpr[]): void {
    for (const expr of exprs) {
      walk(expr, (e) => {
        if ((e.kind === 'subquery' || e.kind === 'quantified') && !this.subplans.has(e.id)) {
          const planned = planLogical(e.plan);
          this.subplans.set(e.id, planned);
          this.fromPlan(planned);
        }
      });
    }
  }

  fromPlan(plan: PhysicalPlan): void {
    this.fromExprs(nodeExpressions(plan));
    for (const child of physicalChildren(plan)) this.fromPlan(child);
  }
}

function planQuery(statement: BoundQuery): PlannedStatement {
  const plan = planLogical(statement.plan);
  const collector = new SubplanCollector();
  collector.fromPlan(plan);
  return { kind: 'query', plan, columns: statement.columns, subplans: collector.subplans };
}

function planDml(statement: BoundDml): PlannedStatement {
  const source = planLogical(statement.source);
  const collector = new SubplanCollector();
  collector.fromPlan(source);
  collector.fromExprs(statement.returning?.exprs ?? []);
  switch (statement.kind) {
    case 'insert': {
      const conflict = statement.onConflict;
      collector.fromExprs([...statement.row, ...statement.checks.map((c) => c.expr), ...(conflict?.assignments.map((a) => a.expr) ?? []), ...(conflict?.where === null || conflict === null ? [] : [conflict.where])]);
      return { ...statement, source, subplans: collector.subplans };
    }
    case 'update':
      collector.fromExprs([...statement.assignments.map((a) => a.expr), ...statement.checks.map((c) => c.expr)]);
      return { ...statement, source, subplans: collector.subplans };
    case 'delete':
      return { ...statement, source, subplans: collector.subplans };
    default:
      return assertNever(statement, 'DML statement');
  }
}

export function planStatement(statement: BoundStatement): PlannedStatement | PlannedExplain {
  switch (statement.kind) {
    case 'query': return planQuery(statement);
    case 'insert': case 'update': case 'delete': return planDml(statement);
    case 'explain': {
      const inner = statement.statement.kind === 'query' ? planQuery(statement.statement) : planDml(statement.statement);
      return { kind: 'explain', statement: inner, analyze: statement.analyze, verbose: statement.verbose };
    }
    default: return assertNever(statement, 'bound statement');
  }
}
