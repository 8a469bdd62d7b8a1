// The AST's written type names → SqlType, through query/types' parser of type
// names so aliases, modifiers and their checks are PostgreSQL's. `serial` and
// friends are column-definition sugar and not types here.

import type { Expr, TypeName } from '../ast/index.js';
import { catalogTypeAlias } from '../system-catalog/index.js';
import { parseTypeName } from '../types/type-name.js';
import type { SqlType } from '../types/sql-type.js';
import { SqlError } from '../types/errors.js';
import { bindError, BinderState, positionField } from './errors.js';

function modifierText(expr: Expr, position: number): string {
  if (expr.kind === 'literal' && expr.value.type === 'integer') return expr.value.text;
  throw bindError(BinderState.syntaxError, 'type modifiers must be simple constants or identifiers', position);
}

/** Resolves `int4`, `numeric(10, 2)`, `varchar(5)[]`, `interval day to second(3)`. */
export function resolveTypeName(typeName: TypeName): SqlType {
  if (typeName.schema !== null && typeName.schema !== 'pg_catalog') {
    throw bindError(BinderState.undefinedObject, `type "${typeName.schema}.${typeName.name}" does not exist`, typeName.position);
  }
  const catalogType = catalogTypeAlias(typeName.name, typeName.arrayBounds.length > 0);
  if (catalogType !== undefined && typeName.modifiers.length === 0) return catalogType;
  const mods = typeName.modifiers.map((m) => modifierText(m, typeName.position));
  const base = typeName.name === 'interval'
    ? `interval${typeName.intervalFields === null ? '' : ` ${typeName.intervalFields}`}${mods.length > 0 ? `(${mods.join(',')})` : ''}`
    : `${quoteIfNeeded(typeName.name)}${mods.length > 0 ? `(${mods.join(',')})` : ''}`;
  const text = typeName.arrayBounds.length > 0 ? `${base}[]` : base;
  try {
    return parseTypeName(text);
  } catch (error) {
    if (error instanceof SqlError && error.position === undefined) {
      throw new SqlError(error.sqlState, error.message, { detail: error.detail, hint: error.hint, ...positionField(typeName.position) });
    }
    throw error;
  }
}

/** Names that are not plain lowercase words ("char", mixed case) go through quoted. */
function quoteIfNeeded(name: string): string {
  if (name === 'char') return '"char"';
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name}"`;
}
