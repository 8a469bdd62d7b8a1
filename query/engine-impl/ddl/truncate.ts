// TRUNCATE: one DDL entry marking each table empty, O(1) to apply. RESTART
// IDENTITY resets the tables' sequences with a txn entry of sequence marks
// only. In a transaction block (pgbench -i: BEGIN; TRUNCATE; COPY; COMMIT)
// TRUNCATE is a delete of every row in the transaction's write set instead,
// under the exclusive table lock it keeps to the end: transactional, and
// O(rows) (see DESIGN.md, "DDL").

import { encodeTxnEntry, type SequenceMark, type TableDef } from '../../../materializers/index.js';
import type { Truncate } from '../../ast/index.js';
import type { StatementResult } from '../../engine.js';
import type { SessionHost } from '../session-host.js';
import { command } from '../utility/results.js';
import type { Transaction } from '../transaction.js';
import { ddlBlock, lockTablesForDdl, proposeDdl, refuseInBlock, requireTable, withDdl } from './ddl-support.js';
import { latestRows } from './existing-rows.js';

export function truncate(host: SessionHost, statement: Truncate): Promise<StatementResult> {
  if (statement.restartIdentity) refuseInBlock(host, 'TRUNCATE ... RESTART IDENTITY');
  return withDdl(host, async (catalog, lock) => {
    const tables: TableDef[] = [];
    for (const t of statement.tables) {
      const table = requireTable(host, catalog, t.name);
      if (!tables.includes(table)) tables.push(table);
    }
    await lockTablesForDdl(host, lock, tables, 'TRUNCATE');
    const block = ddlBlock(host);
    if (block !== null) {
      await deleteEveryRow(host, block, tables);
      return command('TRUNCATE TABLE');
    }
    await proposeDdl(host.core, catalog, tables.map((t) => ({ kind: 'truncateTable', tableId: t.id })));
    if (statement.restartIdentity) await restartSequences(host, tables);
    return command('TRUNCATE TABLE');
  });
}

/**
 * TRUNCATE in a transaction block: a delete of every committed row (with its
 * before-image) in the write set. The exclusive table lock is held, so no
 * other writer has pending changes, and the latest committed rows are all
 * there is; this transaction has not written the tables (lockTablesForDdl).
 */
async function deleteEveryRow(host: SessionHost, txn: Transaction, tables: readonly TableDef[]): Promise<void> {
  // Its own command: the statements after it see the rows gone.
  const command = ++txn.command;
  for (const table of tables) {
    if (txn.createdTables.has(table.id)) continue;
    for await (const { key, row } of latestRows(host.core, table)) {
      txn.writes.record({ tableId: table.id, op: 'delete', key, before: row, command });
    }
  }
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
