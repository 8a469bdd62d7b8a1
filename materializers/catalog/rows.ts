// Rows through the catalog: resolving a row's layout, projecting a row
// written with an older layout onto a table's current columns (by column id;
// columns added since read as their missingValue), and the key columns of a
// table or index. Derived data is cached per immutable TableDef.

import type { IndexDef, LayoutResolver, Row, RowLayout, SqlType, SqlValue } from '../entries/index.js';
import { encodeKey } from '../keys/index.js';
import type { TableDef } from './catalog.js';

interface TableDerived {
  readonly layouts: ReadonlyMap<number, RowLayout>;
  /** One resolver per table version: every applied row asks for it. */
  readonly resolve: LayoutResolver;
  /** Per old layout id: for each current column, its position in the old layout or -1. */
  readonly projections: Map<number, Int32Array>;
  readonly positions: ReadonlyMap<number, number>;
  readonly keyTypes: readonly SqlType[];
  readonly keyPositions: readonly number[];
}

const derivedByTable = new WeakMap<TableDef, TableDerived>();
const hiddenRowIdTypes: readonly SqlType[] = [{ kind: 'int8' }];

function derived(table: TableDef): TableDerived {
  let d = derivedByTable.get(table);
  if (d === undefined) {
    const positions = new Map(table.columns.map((c, i) => [c.id, i]));
    const pkIds = table.primaryKey?.columnIds ?? [];
    const layouts = new Map(table.layouts.map((l) => [l.id, l]));
    d = {
      layouts,
      resolve: (layoutId) => layouts.get(layoutId),
      projections: new Map(),
      positions,
      keyTypes: table.primaryKey === null ? hiddenRowIdTypes : pkIds.map((id) => table.columns[positions.get(id) ?? -1]?.type ?? hiddenRowIdTypes[0] as SqlType),
      keyPositions: pkIds.map((id) => positions.get(id) ?? -1),
    };
    derivedByTable.set(table, d);
  }
  return d;
}

/** Resolves the layouts rows of this table may have been written with. */
export function layoutResolverOf(table: TableDef): LayoutResolver {
  return derived(table).resolve;
}

/** A row written with `layout`, in the table's current column order (the row itself when already current). */
export function projectRow(table: TableDef, layout: RowLayout, row: Row): Row {
  if (layout.id === table.layout.id) return row;
  const d = derived(table);
  let map = d.projections.get(layout.id);
  if (map === undefined) {
    const oldPositions = new Map(layout.columns.map((c, i) => [c.id, i]));
    map = Int32Array.from(table.columns, (c) => oldPositions.get(c.id) ?? -1);
    d.projections.set(layout.id, map);
  }
  const out: SqlValue[] = new Array<SqlValue>(table.columns.length);
  for (let i = 0; i < out.length; i++) {
    const from = map[i] ?? -1;
    out[i] = from >= 0 ? (row[from] ?? null) : (table.columns[i]?.missingValue ?? null);
  }
  return out;
}

/** The types of the row key: the primary key columns, or int8 for the hidden row id. */
export function tableKeyTypes(table: TableDef): readonly SqlType[] {
  return derived(table).keyTypes;
}

/** The primary key of a row in the table's current layout (tables with a primary key only). */
export function primaryKeyOf(table: TableDef, row: Row): Uint8Array {
  const d = derived(table);
  return encodeKey(d.keyTypes, d.keyPositions.map((p) => row[p] ?? null));
}

interface IndexColumns {
  readonly types: readonly SqlType[];
  readonly positions: readonly number[];
}

// Keyed by table, then index id: positions depend on the table's column order.
const indexDerived = new WeakMap<TableDef, Map<number, IndexColumns>>();

function indexColumns(table: TableDef, index: IndexDef): IndexColumns {
  let byIndex = indexDerived.get(table);
  if (byIndex === undefined) {
    byIndex = new Map();
    indexDerived.set(table, byIndex);
  }
  let d = byIndex.get(index.id);
  if (d === undefined) {
    const { positions } = derived(table);
    const ps = index.columnIds.map((id) => positions.get(id) ?? -1);
    d = { types: ps.map((p) => table.columns[p]?.type ?? hiddenRowIdTypes[0] as SqlType), positions: ps };
    byIndex.set(index.id, d);
  }
  return d;
}

/** The index's key column types, in key order. */
export function indexKeyTypes(table: TableDef, index: IndexDef): readonly SqlType[] {
  return indexColumns(table, index).types;
}

/** The index key of a row in the table's current layout. */
export function indexKeyOf(table: TableDef, index: IndexDef, row: Row): Uint8Array {
  const { types, positions } = indexColumns(table, index);
  return encodeKey(types, positions.map((p) => row[p] ?? null));
}

/** Whether a row's index key holds a NULL (PostgreSQL: such rows never conflict in a unique index). */
export function indexKeyHasNull(table: TableDef, index: IndexDef, row: Row): boolean {
  return indexColumns(table, index).positions.some((p) => (row[p] ?? null) === null);
}
