// VACUUM and ANALYZE: accepted and done nothing (the row store collects old
// versions by itself; there are no statistics yet). The tables they name
// must exist, as in PostgreSQL.

import type { Vacuum } from '../../ast/index.js';
import type { StatementResult } from '../../engine.js';
import { requireTable } from '../ddl/ddl-support.js';
import { EngineSqlState, sqlError } from '../errors.js';
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
