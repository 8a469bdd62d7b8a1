// Catalog objects back to SQL text, as PostgreSQL's ruleutils prints them
// (pg_get_indexdef, pg_get_constraintdef).

import type { TableInfo } from '../contract.js';
import type { CatalogModel, ConstraintEntry } from './model.js';
import { quoteIdent, quoteQualified } from './sql-names.js';

function columnList(table: TableInfo, positions: readonly number[]): string {
  return positions.map((p) => quoteIdent(table.columns[p]?.name ?? '?')).join(', ');
}

/** pg_get_indexdef(): `CREATE UNIQUE INDEX t_pkey ON public.t USING btree (id)`; with a column number, that key column. */
export function indexDefinition(m: CatalogModel, indexOid: number, column = 0): string | null {
  const r = m.relation(indexOid);
  if (r === undefined || r.kind !== 'index') return null;
  if (column > 0) {
    const p = r.index.columnPositions[column - 1];
    return p === undefined ? '' : quoteIdent(r.table.columns[p]?.name ?? '?');
  }
  return `CREATE ${r.index.unique ? 'UNIQUE ' : ''}INDEX ${quoteIdent(r.index.name)} ON ${quoteQualified(r.table.schema, r.table.name)} `
    + `USING btree (${columnList(r.table, r.index.columnPositions)})`;
}

/** Whether the whole of `expr` is one parenthesised expression (`(a) AND (b)` is not). */
function isParenthesised(expr: string): boolean {
  if (!expr.startsWith('(') || !expr.endsWith(')')) return false;
  let depth = 0;
  let quote: string | null = null;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i];
    if (quote !== null) {
      if (c === quote) quote = null;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0 && i < expr.length - 1) return false;
  }
  return true;
}

/** A check expression as pg_get_constraintdef prints it: parenthesised once more unless pretty. */
function checkClause(expr: string, pretty: boolean): string {
  const wrapped = isParenthesised(expr) ? expr : `(${expr})`;
  return pretty ? `CHECK ${wrapped}` : `CHECK (${wrapped})`;
}

export function constraintDefinition(c: ConstraintEntry, pretty: boolean): string {
  switch (c.type) {
    case 'p': return `PRIMARY KEY (${columnList(c.table, c.index?.columnPositions ?? [])})`;
    case 'u': return `UNIQUE (${columnList(c.table, c.index?.columnPositions ?? [])})`;
    case 'c': return checkClause(c.expr ?? 'true', pretty);
  }
}
