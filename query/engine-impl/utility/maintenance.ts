// VACUUM compacts the column store (PostgreSQL's VACUUM reclaims dead rows):
// segments of the named tables (none named: every table of this database)
// that hold deleted rows or are small are merged, dropping rows deleted at or
// below the oldest snapshot still open, so no running statement loses rows
// it reads. The row store collects old versions by itself. VACUUM VERBOSE
// reports per table what was merged. ANALYZE is accepted and does nothing
// (there are no statistics yet); its tables must exist, as in PostgreSQL.
// CHECKPOINT: the views write their checkpoints now and the statement
// returns when they are durable.

import type { Vacuum } from '../../ast/index.js';
import type { StatementResult } from '../../engine.js';
import { requireTable } from '../ddl/ddl-support.js';
import type { VacuumStep } from '../engine-core.js';
import { EngineSqlState, featureNotSupported, sqlError } from '../errors.js';
import type { RunMode, SessionHost } from '../session-host.js';
import { command } from './results.js';

export async function vacuum(host: SessionHost, statement: Vacuum, mode: RunMode): Promise<StatementResult> {
  if (statement.command === 'vacuum' && (host.transaction() !== null || mode === 'implicitBlock')) {
    throw sqlError(EngineSqlState.activeSqlTransaction, 'VACUUM cannot run inside a transaction block');
  }
  const catalog = host.core.catalog();
  const tables = statement.tables.map((t) => requireTable(host, catalog, t.table));
  const run = host.core.vacuum;
  if (statement.command !== 'vacuum' || run === undefined) return command(statement.command === 'vacuum' ? 'VACUUM' : 'ANALYZE');
  const tableIds = tables.length > 0 ? tables.map((t) => t.id) : catalog.tables().filter((t) => t.databaseName === host.database).map((t) => t.id);
  const steps = await run(tableIds, host.core.oldestReadIndex());
  if (statement.options.some((o) => o.name === 'verbose')) {
    for (const id of tableIds) {
      const def = catalog.tableById(id);
      if (def === undefined) continue;
      host.notice({ severity: 'INFO', sqlState: '00000', message: vacuumReport(`${def.schemaName}.${def.name}`, steps.filter((s) => s.tableId === id)) });
    }
  }
  return command(statement.command === 'vacuum' ? 'VACUUM' : 'ANALYZE');
}

/** One table's VACUUM VERBOSE line. */
function vacuumReport(name: string, steps: readonly VacuumStep[]): string {
  if (steps.length === 0) return `vacuuming "${name}": column store segments already compact`;
  let segments = 0;
  let merged = 0;
  let dropped = 0;
  let written = 0;
  for (const s of steps) {
    segments += s.segmentsMerged;
    if (s.rowsWritten > 0) merged++;
    dropped += s.rowsDropped;
    written += s.rowsWritten;
  }
  return `vacuuming "${name}": column store merged ${segments} segments into ${merged}, removed ${dropped} dead rows, kept ${written} rows`;
}

/**
 * Like PostgreSQL's, allowed inside a transaction block (it does not touch
 * the transaction). Errors of the checkpoint itself reach the client; the
 * WAL still holds everything, so a failed one loses nothing.
 */
export async function checkpoint(host: SessionHost): Promise<StatementResult> {
  const run = host.core.checkpoint;
  if (run === undefined) throw featureNotSupported('CHECKPOINT: this engine has no checkpointer (it runs without a server)');
  await run();
  return command('CHECKPOINT');
}
