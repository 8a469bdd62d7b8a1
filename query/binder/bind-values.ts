// VALUES lists: every row the same length, one common type per column
// (unknown-only columns stay unknown text for a UNION or INSERT to read).

import type { Expr, ValuesList } from '../ast/index.js';
import { formatTypeName } from '../types/sql-type.js';
import { bindExpr } from './bind-expr.js';
import type { BoundExpr } from './bound-expr.js';
import { coerceOrFail, isUnknownExpr, selectCommonType, typedInput } from './coerce.js';
import type { BindContext } from './context.js';
import { syntaxError } from './errors.js';
import { plainContext } from './expr-context.js';
import type { BodyResult } from './bind-select.js';
import type { LogicalPlan, PlanColumn } from './logical-plan.js';
import type { QueryScope } from './scope.js';

export function checkRowLengths(rows: readonly (readonly Expr[])[]): number {
  const width = rows[0]?.length ?? 0;
  if (rows.some((r) => r.length !== width)) throw syntaxError('VALUES lists must all be the same length');
  return width;
}

export function bindValues(values: ValuesList, scope: QueryScope, bind: BindContext): BodyResult {
  const width = checkRowLengths(values.rows);
  const ctx = plainContext(bind, scope, 'VALUES');
  const bound = values.rows.map((row) => row.map((e) => bindExpr(e, ctx)));
  const columns: PlanColumn[] = [];
  const unknown: boolean[] = [];
  const rows: BoundExpr[][] = bound.map(() => []);
  for (let c = 0; c < width; c++) {
    const cells = bound.map((row) => row[c] as BoundExpr);
    const allUnknown = cells.every((e) => isUnknownExpr(e, bind) && e.kind === 'const');
    const type = selectCommonType(cells.map((e) => typedInput(e, bind)), 'VALUES');
    cells.forEach((cell, r) => {
      const coerced = allUnknown ? cell : coerceOrFail(cell, type, 'implicit', bind, undefined, () => `VALUES could not convert type ${formatTypeName(cell.type)} to ${formatTypeName(type)}`);
      rows[r]?.push(coerced);
    });
    columns.push({ name: `column${c + 1}`, type, tableId: 0, columnNumber: 0 });
    unknown.push(allUnknown);
  }
  const plan: LogicalPlan = { kind: 'values', rows, columns };
  return { plan, columns, unknown, hidden: 0 };
}
