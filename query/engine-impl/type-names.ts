// Written type names (query/ast TypeName) → SqlType, through query/types'
// parser of type names so aliases, modifiers and their checks are
// PostgreSQL's. serial and friends are column sugar, handled by CREATE TABLE.

import type { Expr, TypeName } from '../ast/index.js';
import { parseTypeName, type SqlType } from '../types/index.js';
import { EngineSqlState, sqlError } from './errors.js';

export const serialTypes: ReadonlyMap<string, 'int2' | 'int4' | 'int8'> = new Map([
  ['smallserial', 'int2'], ['serial2', 'int2'], ['serial', 'int4'], ['serial4', 'int4'], ['bigserial', 'int8'], ['serial8', 'int8'],
]);

/** `serial`, `bigserial`, ... (unqualified, not arrays): the integer type behind it, else undefined. */
export function serialKind(typeName: TypeName): 'int2' | 'int4' | 'int8' | undefined {
  if (typeName.schema !== null || typeName.arrayBounds.length > 0) return undefined;
  return serialTypes.get(typeName.name);
}

function modifierText(expr: Expr): string {
  if (expr.kind === 'literal' && expr.value.type === 'integer') return expr.value.text;
  throw sqlError(EngineSqlState.syntaxError, 'type modifiers must be simple constants or identifiers');
}

function quoteIfNeeded(name: string): string {
  if (name === 'char') return '"char"';
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name}"`;
}

export function resolveTypeName(typeName: TypeName): SqlType {
  if (typeName.schema !== null && typeName.schema !== 'pg_catalog') {
    throw sqlError(EngineSqlState.undefinedObject, `type "${typeName.schema}.${typeName.name}" does not exist`);
  }
  const mods = typeName.modifiers.map(modifierText);
  const modText = mods.length > 0 ? `(${mods.join(',')})` : '';
  const base = typeName.name === 'interval'
    ? `interval${typeName.intervalFields === null ? '' : ` ${typeName.intervalFields}`}${modText}`
    : `${quoteIfNeeded(typeName.name)}${modText}`;
  return parseTypeName(typeName.arrayBounds.length > 0 ? `${base}[]` : base);
}
