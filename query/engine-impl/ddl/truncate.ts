// TRUNCATE: one DDL entry marking each table empty. It commits at once
// (not with the surrounding transaction; see DESIGN.md). RESTART IDENTITY
// resets the tables' sequences with a txn entry of sequence marks only.

import { encodeTxnEntry, type SequenceMark, type TableDef } from '../../../materializers/index.js';
import type { Truncate } from '../../ast/index.js';
import type { StatementResult } from '../../engine.js';
import type { SessionHost } from '../session-host.js';
import { command } from '../utility/results.js';
import { lockTablesForDdl, proposeDdl, requireTable, withDdl } from './ddl-support.js';

export function truncate(host: SessionHost, statement: Truncate): Promise<StatementResult> {
  return withDdl(host, async (catalog, lock) => {
    const tables: TableDef[] = [];
    for (const t of statement.tables) {
      const table = requireTable(host, catalog, t.name);
      if (!tables.includes(table)) tables.push(table);
    }
    await lockTablesForDdl(host, lock, tables, 'TRUNCATE');
    await proposeDdl(host.core, catalog, tables.map((t) => ({ kind: 'truncateTable', tableId: t.id })));
    if (statement.restartIdentity) await restartSequences(host, tables);
    return command('TRUNCATE TABLE');
  });
}

async function restartSequences(host: SessionHost, tables: readonly TableDef[]): Promise<void> {
  const { core } = host;
  const catalog = core.catalog();
  const marks: SequenceMark[] = [];
  for (const sequence of catalog.sequences()) {
    const owner = sequence.ownedBy;
    if (owner === null || owner.columnId === 0 || !tables.some((t) => t.id === owner.tableId)) continue;
    marks.push({ sequenceId: sequence.id, value: core.sequences.restart(sequence) });
  }
  if (marks.length === 0) return;
  const data = encodeTxnEntry({ txnId: core.newTxnId(), sessionId: host.sessionId, commitTsMicros: core.nowMicros(), effects: [], sequences: marks }, () => {
    throw new Error('a marks-only entry has no rows');
  });
  await core.propose(data);
}
