// The rows a table holds now, for DDL that must check them (SET NOT NULL,
// unique indexes, ADD PRIMARY KEY). The caller holds the table's exclusive
// lock, so the latest committed state is the whole truth.

import type { KeyedRow, TableDef } from '../../../materializers/index.js';
import type { EngineCore } from '../engine-core.js';

export async function* latestRows(core: EngineCore, table: TableDef): AsyncGenerator<KeyedRow> {
  const snapshot = core.openSnapshot();
  try {
    if (snapshot.catalog.tableById(table.id) === undefined) return;
    yield* snapshot.scan(table.id);
  } finally {
    snapshot.release();
  }
}

/** Whether the table holds any row. */
export async function hasRows(core: EngineCore, table: TableDef): Promise<boolean> {
  for await (const _row of latestRows(core, table)) return true;
  return false;
}
