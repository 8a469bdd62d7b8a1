// An in-memory TableAccess for tests. Rows are kept by key (the JSON of the
// primary-key values, or a hidden row id), scanned in key order, and unique
// indexes are enforced with PostgreSQL's 23505. It is a test double, not a
// storage engine: lookups and conflict checks are linear, but honest.

import type { ColumnInfo, IndexInfo, RowHandle, RowBatches, TableAccess, TableInfo } from '../contract.js';
import { compareValues, valuesEqual } from '../types/compare.js';
import { SqlError } from '../types/errors.js';
import { formatText } from '../types/text-io.js';
import { defaultSession } from '../types/session.js';
import type { SqlValue } from '../types/value.js';

/** Rows per scan batch: small, so tests cross batch boundaries. */
export const memoryScanBatchRows = 64;

interface StoredRow {
  readonly key: Uint8Array;
  readonly keyText: string;
  readonly row: readonly SqlValue[];
  readonly rowId: number;
}

class MemoryTable {
  readonly rows = new Map<string, StoredRow>();
  nextRowId = 1;
}

const encoder = new TextEncoder();

function jsonValue(v: SqlValue): unknown {
  if (typeof v === 'bigint') return `${v}n`;
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) return String(v);
  return Array.isArray(v) ? v.map(jsonValue) : v;
}

export class MemoryStore {
  private readonly tables = new Map<number, MemoryTable>();
  private readonly identities = new Map<string, bigint>();

  table(id: number): MemoryTable {
    let t = this.tables.get(id);
    if (t === undefined) { t = new MemoryTable(); this.tables.set(id, t); }
    return t;
  }

  drop(id: number): void {
    this.tables.delete(id);
  }

  nextIdentity(table: TableInfo, column: ColumnInfo): bigint {
    const k = `${table.id}.${column.id}`;
    const next = (this.identities.get(k) ?? 0n) + 1n;
    this.identities.set(k, next);
    return next;
  }
}

function indexValues(index: IndexInfo, row: readonly SqlValue[]): SqlValue[] {
  return index.columnPositions.map((p) => row[p] ?? null);
}

function sameIndexValues(table: TableInfo, index: IndexInfo, a: readonly SqlValue[], b: readonly SqlValue[]): boolean {
  return index.columnPositions.every((p, i) => {
    const x = a[i] ?? null;
    const y = b[i] ?? null;
    const type = table.columns[p]?.type;
    return x !== null && y !== null && type !== undefined && valuesEqual(x, y, type);
  });
}

export class MemoryAccess implements TableAccess {
  constructor(private readonly store: MemoryStore) {}

  private keyFor(table: TableInfo, row: readonly SqlValue[], data: MemoryTable): { key: Uint8Array; keyText: string; rowId: number } {
    const rowId = data.nextRowId++;
    const keyText = table.primaryKey === null ? `#${rowId}` : JSON.stringify(indexValues(table.primaryKey, row).map(jsonValue));
    return { key: encoder.encode(keyText), keyText, rowId };
  }

  private sorted(table: TableInfo): StoredRow[] {
    const rows = [...this.store.table(table.id).rows.values()];
    const pk = table.primaryKey;
    if (pk === null) return rows.sort((a, b) => a.rowId - b.rowId);
    return rows.sort((a, b) => {
      for (const p of pk.columnPositions) {
        const x = a.row[p] ?? null;
        const y = b.row[p] ?? null;
        const type = table.columns[p]?.type;
        if (x === null || y === null || type === undefined) continue;
        const c = compareValues(x, y, type);
        if (c !== 0) return c;
      }
      return 0;
    });
  }

  async *scan(table: TableInfo): RowBatches {
    const rows = this.sorted(table);
    for (let i = 0; i < rows.length; i += memoryScanBatchRows) {
      yield rows.slice(i, i + memoryScanBatchRows).map((r) => ({ key: r.key, row: r.row }));
    }
  }

  async lookup(table: TableInfo, index: IndexInfo, values: readonly SqlValue[]): Promise<readonly RowHandle[]> {
    return this.sorted(table)
      .filter((r) => sameIndexValues(table, index, indexValues(index, r.row), values))
      .map((r) => ({ key: r.key, row: r.row }));
  }

  async conflicts(table: TableInfo, row: readonly SqlValue[], index: IndexInfo | null): Promise<readonly RowHandle[]> {
    const indexes = index === null ? table.indexes.filter((i) => i.unique) : [index];
    const out: RowHandle[] = [];
    for (const i of indexes) {
      const wanted = indexValues(i, row);
      const existing = this.sorted(table).find((r) => sameIndexValues(table, i, indexValues(i, r.row), wanted));
      if (existing !== undefined && !out.some((h) => h.key === existing.key)) out.push({ key: existing.key, row: existing.row });
    }
    return out;
  }

  private checkUnique(table: TableInfo, row: readonly SqlValue[], except: string | null): void {
    const data = this.store.table(table.id);
    for (const index of table.indexes.filter((i) => i.unique)) {
      const wanted = indexValues(index, row);
      for (const stored of data.rows.values()) {
        if (stored.keyText === except || !sameIndexValues(table, index, indexValues(index, stored.row), wanted)) continue;
        const names = index.columnPositions.map((p) => table.columns[p]?.name ?? '?').join(', ');
        const values = index.columnPositions.map((p, k) => {
          const v = wanted[k] ?? null;
          const type = table.columns[p]?.type;
          return v === null || type === undefined ? 'null' : formatText(v, type, defaultSession);
        }).join(', ');
        throw new SqlError('23505', `duplicate key value violates unique constraint "${index.name}"`, { detail: `Key (${names})=(${values}) already exists.` });
      }
    }
  }

  async insert(table: TableInfo, row: readonly SqlValue[]): Promise<RowHandle> {
    const data = this.store.table(table.id);
    this.checkUnique(table, row, null);
    const { key, keyText, rowId } = this.keyFor(table, row, data);
    const stored: StoredRow = { key, keyText, row: [...row], rowId };
    data.rows.set(keyText, stored);
    return { key, row: stored.row };
  }

  async update(table: TableInfo, old: RowHandle, row: readonly SqlValue[]): Promise<RowHandle> {
    const data = this.store.table(table.id);
    const oldText = new TextDecoder().decode(old.key);
    const existing = data.rows.get(oldText);
    if (existing === undefined) throw new Error(`update of a row that is not stored: ${oldText}`);
    this.checkUnique(table, row, oldText);
    data.rows.delete(oldText);
    const keyText = table.primaryKey === null ? oldText : JSON.stringify(indexValues(table.primaryKey, row).map(jsonValue));
    const stored: StoredRow = { key: encoder.encode(keyText), keyText, row: [...row], rowId: existing.rowId };
    data.rows.set(keyText, stored);
    return { key: stored.key, row: stored.row };
  }

  async delete(table: TableInfo, old: RowHandle): Promise<void> {
    this.store.table(table.id).rows.delete(new TextDecoder().decode(old.key));
  }

  nextIdentity(table: TableInfo, column: ColumnInfo): bigint {
    return this.store.nextIdentity(table, column);
  }
}
