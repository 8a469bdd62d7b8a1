// VACUUM and ANALYZE: accepted and done nothing (the row store collects old
// versions by itself; there are no statistics yet). The tables they name
// must exist, as in PostgreSQL. CHECKPOINT: the views write their
// checkpoints now and the statement returns when they are durable.

import type { Vacuum } from '../../ast/index.js';
import type { StatementResult } from '../../engine.js';
import { requireTable } from '../ddl/ddl-support.js';
import { EngineSqlState, featureNotSupported, sqlError } from '../errors.js';
import type { RunMode, SessionHost } from '../session-host.js';
import { command } from './results.js';

export function vacuum(host: SessionHost, statement: Vacuum, mode: RunMode): StatementResult {
  if (statement.command === 'vacuum' && (host.transaction() !== null || mode === 'implicitBlock')) {
    throw sqlError(EngineSqlState.activeSqlTransaction, 'VACUUM cannot run inside a transaction block');
  }
  const catalog = host.core.catalog();
  for (const t of statement.tables) requireTable(host, catalog, t.table);
  return command(statement.command === 'vacuum' ? 'VACUUM' : 'ANALYZE');
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
