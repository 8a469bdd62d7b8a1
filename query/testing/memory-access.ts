// An in-memory TableAccess for tests. Rows are kept by key (the JSON of the
// primary-key values, or a hidden row id) and scanned in key order; every
// index is a hash map from its column values to row keys, so lookups,
// conflict checks and PostgreSQL's 23505 are honest and cheap. It is a test
// double, not a storage engine: no MVCC, no transactions.

import type { ColumnInfo, IndexInfo, RowHandle, RowBatches, TableAccess, TableInfo } from '../contract.js';
import { rowKey } from '../executor/row-key.js';
import { compareValues } from '../types/compare.js';
import { SqlError } from '../types/errors.js';
import { formatText } from '../types/text-io.js';
import { defaultSession } from '../types/session.js';
import type { SqlType } from '../types/sql-type.js';
import type { SqlValue } from '../types/value.js';

/** Rows per scan batch: small, so tests cross batch boundaries. */
export const memoryScanBatchRows = 64;

interface StoredRow {
  readonly key: Uint8Array;
  readonly keyText: string;
  readonly row: readonly SqlValue[];
  readonly rowId: number;
}

/** One index: its column values (as a hash key) → the keys of the rows holding them. */
class IndexMap {
  readonly entries = new Map<string, Set<string>>();
  constructor(readonly positions: readonly number[], readonly types: readonly SqlType[]) {}

  /** The hash key of a row's index values; null when one is NULL (NULLs never match). */
  keyOf(row: readonly SqlValue[]): string | null {
    const values = this.positions.map((p) => row[p] ?? null);
    return values.includes(null) ? null : rowKey(values, this.types);
  }

  add(row: StoredRow): void {
    const k = this.keyOf(row.row);
    if (k === null) return;
    let set = this.entries.get(k);
    if (set === undefined) { set = new Set(); this.entries.set(k, set); }
    set.add(row.keyText);
  }

  remove(row: StoredRow): void {
    const k = this.keyOf(row.row);
    if (k !== null) this.entries.get(k)?.delete(row.keyText);
  }
}

class MemoryTable {
  readonly rows = new Map<string, StoredRow>();
  readonly indexes = new Map<number, IndexMap>();
  nextRowId = 1;
  /** Rows in key order, rebuilt after a write. */
  ordered: StoredRow[] | null = null;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

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

function handle(r: StoredRow): RowHandle {
  return { key: r.key, row: r.row };
}

export class MemoryAccess implements TableAccess {
  constructor(private readonly store: MemoryStore) {}

  /** The index's map, built from the stored rows the first time it is needed. */
  private indexMap(table: TableInfo, index: IndexInfo): IndexMap {
    const data = this.store.table(table.id);
    let map = data.indexes.get(index.id);
    if (map === undefined) {
      map = new IndexMap(index.columnPositions, index.columnPositions.map((p) => table.columns[p]?.type ?? { kind: 'text' }));
      for (const r of data.rows.values()) map.add(r);
      data.indexes.set(index.id, map);
    }
    return map;
  }

  private ordered(table: TableInfo): StoredRow[] {
    const data = this.store.table(table.id);
    if (data.ordered !== null) return data.ordered;
    const rows = [...data.rows.values()];
    const pk = table.primaryKey;
    data.ordered = pk === null ? rows.sort((a, b) => a.rowId - b.rowId) : rows.sort((a, b) => comparePk(table, pk, a.row, b.row));
    return data.ordered;
  }

  async *scan(table: TableInfo): RowBatches {
    const rows = this.ordered(table);
    for (let i = 0; i < rows.length; i += memoryScanBatchRows) yield rows.slice(i, i + memoryScanBatchRows).map(handle);
  }

  async lookup(table: TableInfo, index: IndexInfo, values: readonly SqlValue[]): Promise<readonly RowHandle[]> {
    const map = this.indexMap(table, index);
    const probe: SqlValue[] = [];
    index.columnPositions.forEach((p, i) => { probe[p] = values[i] ?? null; });
    const k = map.keyOf(probe);
    const data = this.store.table(table.id);
    const found = k === null ? [] : [...(map.entries.get(k) ?? [])].map((t) => data.rows.get(t)).filter((r): r is StoredRow => r !== undefined);
    const pk = table.primaryKey;
    if (pk !== null) found.sort((a, b) => comparePk(table, pk, a.row, b.row));
    return found.map(handle);
  }

  async conflicts(table: TableInfo, row: readonly SqlValue[], index: IndexInfo | null): Promise<readonly RowHandle[]> {
    const data = this.store.table(table.id);
    const out: RowHandle[] = [];
    for (const i of index === null ? table.indexes.filter((x) => x.unique) : [index]) {
      const map = this.indexMap(table, i);
      const k = map.keyOf(row);
      const existing = k === null ? undefined : [...(map.entries.get(k) ?? [])][0];
      const stored = existing === undefined ? undefined : data.rows.get(existing);
      if (stored !== undefined && !out.some((h) => h.key === stored.key)) out.push(handle(stored));
    }
    return out;
  }

  private checkUnique(table: TableInfo, row: readonly SqlValue[], except: string | null): void {
    for (const index of table.indexes.filter((i) => i.unique)) {
      const map = this.indexMap(table, index);
      const k = map.keyOf(row);
      const holders = k === null ? [] : [...(map.entries.get(k) ?? [])].filter((t) => t !== except);
      if (holders.length === 0) continue;
      const names = index.columnPositions.map((p) => table.columns[p]?.name ?? '?').join(', ');
      const values = index.columnPositions.map((p) => {
        const type = table.columns[p]?.type;
        return type === undefined ? '?' : formatText(row[p] ?? null, type, defaultSession);
      }).join(', ');
      throw new SqlError('23505', `duplicate key value violates unique constraint "${index.name}"`, { detail: `Key (${names})=(${values}) already exists.` });
    }
  }

  private put(table: TableInfo, stored: StoredRow): void {
    const data = this.store.table(table.id);
    data.rows.set(stored.keyText, stored);
    for (const index of table.indexes) this.indexMap(table, index).add(stored);
    data.ordered = null;
  }

  private remove(table: TableInfo, keyText: string): StoredRow | undefined {
    const data = this.store.table(table.id);
    const stored = data.rows.get(keyText);
    if (stored === undefined) return undefined;
    data.rows.delete(keyText);
    for (const index of table.indexes) this.indexMap(table, index).remove(stored);
    data.ordered = null;
    return stored;
  }

  private keyText(table: TableInfo, row: readonly SqlValue[], rowId: number): string {
    return table.primaryKey === null ? `#${rowId}` : JSON.stringify(table.primaryKey.columnPositions.map((p) => jsonValue(row[p] ?? null)));
  }

  async insert(table: TableInfo, row: readonly SqlValue[]): Promise<RowHandle> {
    this.checkUnique(table, row, null);
    const rowId = this.store.table(table.id).nextRowId++;
    const keyText = this.keyText(table, row, rowId);
    const stored: StoredRow = { key: encoder.encode(keyText), keyText, row: [...row], rowId };
    this.put(table, stored);
    return handle(stored);
  }

  async update(table: TableInfo, old: RowHandle, row: readonly SqlValue[]): Promise<RowHandle> {
    const oldText = decoder.decode(old.key);
    this.checkUnique(table, row, oldText);
    const existing = this.remove(table, oldText);
    if (existing === undefined) throw new Error(`update of a row that is not stored: ${oldText}`);
    const keyText = table.primaryKey === null ? oldText : this.keyText(table, row, existing.rowId);
    const stored: StoredRow = { key: encoder.encode(keyText), keyText, row: [...row], rowId: existing.rowId };
    this.put(table, stored);
    return handle(stored);
  }

  async delete(table: TableInfo, old: RowHandle): Promise<void> {
    this.remove(table, decoder.decode(old.key));
  }

  nextIdentity(table: TableInfo, column: ColumnInfo): bigint {
    return this.store.nextIdentity(table, column);
  }
}

function comparePk(table: TableInfo, pk: IndexInfo, a: readonly SqlValue[], b: readonly SqlValue[]): number {
  for (const p of pk.columnPositions) {
    const x = a[p] ?? null;
    const y = b[p] ?? null;
    const type = table.columns[p]?.type;
    if (x === null || y === null || type === undefined) continue;
    const c = compareValues(x, y, type);
    if (c !== 0) return c;
  }
  return 0;
}
