// Committed rows seen through a transaction block's private definition.
//
// A block that ran ALTER TABLE on a table that existed before it (DESIGN.md,
// "DDL in a transaction block") binds its statements against its private
// catalog, while the row store still returns committed rows in the committed
// definition's column order. Every read the block makes of committed rows
// (scans, point and index reads, the uniqueness checks' latest rows, the
// before-images of its writes, DDL's checks of existing rows) goes through
// `projectOnto`: by column id, as the row store projects old layouts; a
// column the block added reads as its `missingValue` (the evaluated ADD
// COLUMN default, or NULL), a dropped one disappears. Column types never
// change in place, so values need no conversion; the primary key never
// changes, so keys need none either.

import type { Row, SqlValue, TableDef } from '../../materializers/index.js';

/** Per source definition, per target definition: for each target column, its position in the source or -1. */
const maps = new WeakMap<TableDef, WeakMap<TableDef, Int32Array>>();

function positionsOf(from: TableDef, to: TableDef): Int32Array {
  let byTarget = maps.get(from);
  if (byTarget === undefined) {
    byTarget = new WeakMap();
    maps.set(from, byTarget);
  }
  let map = byTarget.get(to);
  if (map === undefined) {
    const fromPositions = new Map(from.columns.map((c, i) => [c.id, i]));
    map = Int32Array.from(to.columns, (c) => fromPositions.get(c.id) ?? -1);
    byTarget.set(to, map);
  }
  return map;
}

/** A row of `from` (in its column order) in `to`'s column order; the row itself when the definitions are one. */
export function projectOnto(from: TableDef, to: TableDef, row: Row): Row {
  if (from === to) return row;
  const map = positionsOf(from, to);
  const out: SqlValue[] = new Array<SqlValue>(to.columns.length);
  for (let i = 0; i < out.length; i++) {
    const p = map[i] ?? -1;
    out[i] = p >= 0 ? (row[p] ?? null) : (to.columns[i]?.missingValue ?? null);
  }
  return out;
}
