// Row constraints checked before a write, in PostgreSQL's order and words:
// NOT NULL (23502), then CHECK (23514), each with "Failing row contains (...)".
// Uniqueness is the engine's (TableAccess throws 23505).

import type { TableInfo } from '../../contract.js';
import { SqlError } from '../../types/errors.js';
import { formatText } from '../../types/text-io.js';
import type { TypeSession } from '../../types/session.js';
import type { ExecEnv, Row } from '../env.js';
import { evaluateAsync } from '../eval/compiled.js';
import type { CompiledExpr } from '../eval/compiled.js';

export interface CompiledCheck {
  readonly name: string;
  readonly expr: CompiledExpr;
}

function failingRow(table: TableInfo, row: Row, session: TypeSession): string {
  const values = table.columns.map((c) => {
    const v = row[c.position] ?? null;
    return v === null ? 'null' : formatText(v, c.type, session);
  });
  return `Failing row contains (${values.join(', ')}).`;
}

/** Primary-key columns are NOT NULL even if the catalog did not say so. */
export function notNullPositions(table: TableInfo): number[] {
  const pk = new Set(table.primaryKey?.columnPositions ?? []);
  return table.columns.filter((c) => c.notNull || pk.has(c.position)).map((c) => c.position);
}

export async function checkRow(table: TableInfo, notNull: readonly number[], checks: readonly CompiledCheck[], row: Row, env: ExecEnv): Promise<void> {
  checkNotNull(table, notNull, row, env);
  for (const check of checks) {
    if ((await evaluateAsync(check.expr, row, env)) === false) throw checkViolation(table, check.name, row, env);
  }
}

/** NOT NULL (23502) for the positions `notNullPositions` gave. */
export function checkNotNull(table: TableInfo, notNull: readonly number[], row: Row, env: ExecEnv): void {
  for (const position of notNull) {
    if ((row[position] ?? null) !== null) continue;
    const column = table.columns[position];
    throw new SqlError('23502', `null value in column "${column?.name ?? '?'}" of relation "${table.name}" violates not-null constraint`, {
      detail: failingRow(table, row, env.typeSession),
    });
  }
}

/** The 23514 error of CHECK constraint `name` rejecting `row`. */
export function checkViolation(table: TableInfo, name: string, row: Row, env: ExecEnv): SqlError {
  return new SqlError('23514', `new row for relation "${table.name}" violates check constraint "${name}"`, {
    detail: failingRow(table, row, env.typeSession),
  });
}
