// Test helpers shared by the column store's tests (not exported from index.ts).

import type { Row, SqlValue } from '../entries/index.js';
import type { ColumnStore } from './column-store.js';
import { batchRows } from './rows.js';

/** Every visible row of a table at `readIndex` (default: applied), all current columns, in scan order. */
export function scanAll(store: ColumnStore, tableId: number, readIndex = store.appliedIndex(), columnIds?: readonly number[]): SqlValue[][] {
  const table = store.catalog().tableById(tableId);
  if (table === undefined) throw new Error(`no table ${tableId}`);
  return batchRows(store.scanTable(tableId, columnIds ?? table.columns.map((c) => c.id), readIndex));
}

function keyOf(value: SqlValue): string {
  return typeof value === 'bigint' ? `${value}n` : JSON.stringify(value);
}

/** Rows sorted by their first column, for comparisons that ignore physical order. */
export function sortedRows(rows: readonly (readonly SqlValue[])[] | readonly Row[]): SqlValue[][] {
  return rows.map((r) => [...r]).sort((a, b) => {
    const x = a[0] ?? null;
    const y = b[0] ?? null;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return keyOf(x) < keyOf(y) ? -1 : keyOf(x) > keyOf(y) ? 1 : 0;
  });
}
