// Values in PostgreSQL's text output format, as psql and the wire protocol's
// text mode show them; sqllogictest writes NULL and the empty string
// distinctly.

import type { ResultColumn } from '../engine.js';
import { formatText } from '../types/text-io.js';
import type { TypeSession } from '../types/session.js';
import type { SqlValue } from '../types/value.js';

export function formatCell(value: SqlValue, column: ResultColumn, session: TypeSession): string {
  if (value === null) return 'NULL';
  const text = formatText(value, column.type, session);
  return text === '' ? '(empty)' : text;
}

export function formatRow(row: readonly SqlValue[], columns: readonly ResultColumn[], session: TypeSession): string {
  return row.map((v, i) => formatCell(v, columns[i] ?? { name: '?', type: { kind: 'text' }, tableId: 0, columnNumber: 0 }, session)).join('\t');
}
