// UNION / INTERSECT / EXCEPT [ALL]: both sides bound as separate SELECTs of
// the same query level, column counts checked, and each column resolved to a
// common type (unknown literals read as that type), as PostgreSQL does.

import type { QueryBody, SetOperation } from '../ast/index.js';
import { formatTypeName } from '../types/sql-type.js';
import type { SqlType } from '../types/sql-type.js';
import { bindQuery } from './bind-query.js';
import { bindSelectCore } from './bind-select.js';
import type { BodyResult } from './bind-select.js';
import { bindValues } from './bind-values.js';
import type { BoundExpr } from './bound-expr.js';
import { castNode, coerceOrFail, selectCommonType } from './coerce.js';
import type { BindContext } from './context.js';
import { syntaxError } from './errors.js';
import type { LogicalPlan, PlanColumn } from './logical-plan.js';
import { keepColumns } from './plan-utils.js';
import type { QueryScope } from './scope.js';

export function bindBody(body: QueryBody, scope: QueryScope, bind: BindContext): BodyResult {
  switch (body.kind) {
    case 'selectCore': {
      const r = bindSelectCore(body, [], scope.siblingScope(), bind);
      return r;
    }
    case 'values': return bindValues(body, scope.siblingScope(), bind);
    case 'setOperation': return bindSetOperation(body, scope, bind);
    case 'select': {
      const r = bindQuery(body, scope.siblingScope(), bind);
      return { ...r, hidden: 0 };
    }
  }
}

/** Adds casts to a branch whose columns differ from the resolved types. */
function coerceBranch(branch: BodyResult, types: readonly SqlType[], bind: BindContext, opName: string): LogicalPlan {
  const plan = keepColumns(branch.plan, branch.columns.length);
  const exprs: BoundExpr[] = [];
  let changed = false;
  branch.columns.forEach((column, i) => {
    const target = types[i] as SqlType;
    const ref: BoundExpr = { kind: 'column', type: column.type, index: i, name: column.name };
    if (column.type.kind === target.kind && formatTypeName(column.type) === formatTypeName(target)) { exprs.push(ref); return; }
    changed = true;
    // An unknown literal's text is read as the target type (its input function), like an explicit cast.
    exprs.push(branch.unknown[i] === true
      ? castNode(ref, target, 'explicit', bind)
      : coerceOrFail(ref, target, 'implicit', bind, undefined, () => `${opName} could not convert type ${formatTypeName(column.type)} to ${formatTypeName(target)}`));
  });
  if (!changed) return plan;
  return { kind: 'project', input: plan, exprs, columns: branch.columns.map((c, i) => ({ ...c, type: types[i] as SqlType })) };
}

export function bindSetOperation(op: SetOperation, scope: QueryScope, bind: BindContext): BodyResult {
  const left = bindBody(op.left, scope, bind);
  const right = bindBody(op.right, scope, bind);
  const opName = op.op.toUpperCase();
  if (left.columns.length !== right.columns.length) throw syntaxError(`each ${opName} query must have the same number of columns`);
  const types = left.columns.map((l, i) => {
    const r = right.columns[i] as PlanColumn;
    return selectCommonType([{ type: l.type, unknown: left.unknown[i] === true }, { type: r.type, unknown: right.unknown[i] === true }], opName);
  });
  const columns: PlanColumn[] = left.columns.map((c, i) => ({ name: c.name, type: types[i] as SqlType, tableId: 0, columnNumber: 0 }));
  const plan: LogicalPlan = {
    kind: 'setOp', op: op.op, all: op.all,
    left: coerceBranch(left, types, bind, opName), right: coerceBranch(right, types, bind, opName), columns,
  };
  return { plan, columns, unknown: columns.map(() => false), hidden: 0 };
}
