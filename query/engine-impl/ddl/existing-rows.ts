// The rows a table holds now, for DDL that must check them (SET NOT NULL,
// unique indexes, ADD PRIMARY KEY, TRUNCATE in a block). The caller holds
// the table's exclusive lock, so the latest committed state is the whole
// truth; in a transaction block that altered the table the rows come in the
// block's definition (`table`), projected by column id (projection.ts).

import type { KeyedRow, TableDef } from '../../../materializers/index.js';
import type { EngineCore } from '../engine-core.js';
import { projectOnto } from '../projection.js';

export async function* latestRows(core: EngineCore, table: TableDef): AsyncGenerator<KeyedRow> {
  const snapshot = core.openSnapshot();
  try {
    const committed = snapshot.catalog.tableById(table.id);
    if (committed === undefined) return;
    if (committed === table) {
      yield* snapshot.scan(table.id);
      return;
    }
    for await (const r of snapshot.scan(table.id)) yield { key: r.key, row: projectOnto(committed, table, r.row) };
  } finally {
    snapshot.release();
  }
}

/** Whether the table holds any row. */
export async function hasRows(core: EngineCore, table: TableDef): Promise<boolean> {
  for await (const _row of latestRows(core, table)) return true;
  return false;
}
