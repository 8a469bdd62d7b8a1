// Index lookup keys: values computed before the lookup, converted to the
// index columns' types. A NULL key or an integer out of the column's range
// can match nothing, so the lookup is skipped.

import type { ColumnInfo, IndexInfo, TableInfo } from '../contract.js';
import { int2Max, int2Min, int4Max, int4Min } from '../types/integer.js';
import type { SqlValue } from '../types/value.js';

/** The key for `index`, or null when no row can match. */
export function lookupKey(table: TableInfo, index: IndexInfo, values: readonly SqlValue[]): SqlValue[] | null {
  const out: SqlValue[] = [];
  for (let i = 0; i < index.columnPositions.length; i++) {
    const column = table.columns[index.columnPositions[i] ?? -1];
    const v = values[i] ?? null;
    if (v === null || column === undefined) return null;
    const converted = convertKey(v, column);
    if (converted === undefined) return null;
    out.push(converted);
  }
  return out;
}

function convertKey(v: SqlValue, column: ColumnInfo): SqlValue | undefined {
  switch (column.type.kind) {
    case 'int2': case 'int4': {
      const n = typeof v === 'bigint' ? Number(v) : (v as number);
      const [min, max] = column.type.kind === 'int2' ? [int2Min, int2Max] : [int4Min, int4Max];
      return n < min || n > max ? undefined : n;
    }
    case 'int8': return typeof v === 'bigint' ? v : BigInt(v as number);
    default: return v;
  }
}
