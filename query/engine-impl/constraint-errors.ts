// PostgreSQL's constraint violation messages, with the key shown the way
// PostgreSQL shows it: `Key (a, b)=(1, x) already exists.`

import type { Row, TableDef } from '../../materializers/index.js';
import { formatText, SqlError, type TypeSession } from '../types/index.js';
import { EngineSqlState } from './errors.js';

/** `(1, x)`: the key columns' values in text form, NULL as `null`. */
export function formatKeyValues(def: TableDef, columnIds: readonly number[], row: Row, session: TypeSession): string {
  const parts = columnIds.map((id) => {
    const position = def.columns.findIndex((c) => c.id === id);
    const column = def.columns[position];
    const value = row[position] ?? null;
    return column === undefined || value === null ? 'null' : formatText(value, column.type, session);
  });
  return parts.join(', ');
}

export function columnNames(def: TableDef, columnIds: readonly number[]): string {
  return columnIds.map((id) => def.columns.find((c) => c.id === id)?.name ?? `#${id}`).join(', ');
}

export function uniqueViolation(constraint: string, def: TableDef, columnIds: readonly number[], row: Row, session: TypeSession): SqlError {
  return new SqlError(EngineSqlState.uniqueViolation, `duplicate key value violates unique constraint "${constraint}"`, {
    detail: `Key (${columnNames(def, columnIds)})=(${formatKeyValues(def, columnIds, row, session)}) already exists.`,
  });
}

/** CREATE UNIQUE INDEX / ADD PRIMARY KEY over rows that already repeat a key. */
export function duplicateKeys(index: string, def: TableDef, columnIds: readonly number[], row: Row, session: TypeSession): SqlError {
  return new SqlError(EngineSqlState.uniqueViolation, `could not create unique index "${index}"`, {
    detail: `Key (${columnNames(def, columnIds)})=(${formatKeyValues(def, columnIds, row, session)}) is duplicated.`,
  });
}

export function columnContainsNulls(column: string, table: string): SqlError {
  return new SqlError(EngineSqlState.notNullViolation, `column "${column}" of relation "${table}" contains null values`);
}
