// Output column names as PostgreSQL's FigureColname() picks them: a column's
// own name, a function's name, a cast's type name when the argument has no
// better name, keywords for CASE/COALESCE/ARRAY/EXISTS, else "?column?".

import type { Expr, Select } from '../ast/index.js';

const unnamed = '?column?';

/** The name and whether it is a "strong" one (a cast keeps a strong argument name over its type name). */
function figure(expr: Expr): { name: string; strong: boolean } {
  switch (expr.kind) {
    case 'columnRef': return { name: expr.path[expr.path.length - 1] ?? unnamed, strong: true };
    case 'functionCall': return { name: expr.name.name, strong: true };
    case 'cast': {
      const inner = figure(expr.arg);
      return inner.strong ? inner : { name: expr.typeName.name, strong: false };
    }
    case 'typedLiteral': return { name: expr.typeName.name, strong: false };
    case 'case': return { name: 'case', strong: true };
    case 'coalesce': return { name: 'coalesce', strong: true };
    case 'nullIf': return { name: 'nullif', strong: true };
    case 'greatest': case 'least': return { name: expr.kind, strong: true };
    case 'array': case 'arraySubquery': return { name: 'array', strong: true };
    case 'exists': return { name: 'exists', strong: true };
    case 'row': return { name: 'row', strong: true };
    case 'sqlValueFunction': return { name: expr.name, strong: true };
    case 'subscript': case 'collate': return figure(expr.arg);
    case 'fieldSelect': return { name: expr.field, strong: true };
    case 'subquery': return subqueryName(expr.query);
    default: return { name: unnamed, strong: false };
  }
}

function subqueryName(query: Select): { name: string; strong: boolean } {
  let body = query.body;
  while (body.kind === 'select') body = body.body;
  if (body.kind !== 'selectCore') return { name: unnamed, strong: false };
  const first = body.targets[0];
  if (first === undefined) return { name: unnamed, strong: false };
  if (first.alias !== null) return { name: first.alias, strong: true };
  return figure(first.expr);
}

export function figureColumnName(expr: Expr): string {
  return figure(expr).name;
}
