// BEGIN, COMMIT, ROLLBACK, SAVEPOINT, ROLLBACK TO, RELEASE, with
// PostgreSQL's warnings (COMMIT outside a block is a warning, not an error)
// and its rules for the failed state.

import type { Begin, Commit, ReleaseSavepoint, Rollback, RollbackToSavepoint, Savepoint } from '../../ast/index.js';
import type { StatementResult } from '../../engine.js';
import { EngineSqlState, sqlError } from '../errors.js';
import type { SessionHost } from '../session-host.js';
import { command, warning } from './results.js';

const noTransaction = 'there is no transaction in progress';

export function begin(host: SessionHost, statement: Begin): StatementResult {
  const txn = host.transaction();
  if (txn?.explicit === true) {
    host.notice(warning(EngineSqlState.activeSqlTransaction, 'there is already a transaction in progress'));
    return command('BEGIN');
  }
  const { isolationLevel, readOnly } = statement.options;
  host.beginBlock({ isolation: isolationLevel === 'read uncommitted' ? 'read committed' : isolationLevel, readOnly });
  return command('BEGIN');
}

export async function commit(host: SessionHost, statement: Commit): Promise<StatementResult> {
  const txn = host.transaction();
  if (txn === null || !txn.explicit) {
    if (statement.chain) throw sqlError(EngineSqlState.noActiveSqlTransaction, 'COMMIT AND CHAIN can only be used in transaction blocks');
    host.notice(warning(EngineSqlState.noActiveSqlTransaction, noTransaction));
    if (txn !== null) await host.commitTransaction();
    return command('COMMIT');
  }
  const characteristics = { isolation: txn.isolation, readOnly: txn.readOnly };
  if (txn.failed) {
    host.rollbackTransaction();
    if (statement.chain) host.beginBlock(characteristics);
    return command('ROLLBACK');
  }
  await host.commitTransaction();
  if (statement.chain) host.beginBlock(characteristics);
  return command('COMMIT');
}

export function rollback(host: SessionHost, statement: Rollback): StatementResult {
  const txn = host.transaction();
  if (txn === null || !txn.explicit) {
    if (statement.chain) throw sqlError(EngineSqlState.noActiveSqlTransaction, 'ROLLBACK AND CHAIN can only be used in transaction blocks');
    host.notice(warning(EngineSqlState.noActiveSqlTransaction, noTransaction));
    host.rollbackTransaction();
    return command('ROLLBACK');
  }
  const characteristics = { isolation: txn.isolation, readOnly: txn.readOnly };
  host.rollbackTransaction();
  if (statement.chain) host.beginBlock(characteristics);
  return command('ROLLBACK');
}

function requireBlock(host: SessionHost, what: string): NonNullable<ReturnType<SessionHost['transaction']>> {
  const txn = host.transaction();
  if (txn === null || !txn.explicit) throw sqlError(EngineSqlState.noActiveSqlTransaction, `${what} can only be used in transaction blocks`);
  return txn;
}

export function savepoint(host: SessionHost, statement: Savepoint): StatementResult {
  const txn = requireBlock(host, 'SAVEPOINT');
  txn.addSavepoint(statement.name, txn.settingsUndo.length);
  return command('SAVEPOINT');
}

export function rollbackToSavepoint(host: SessionHost, statement: RollbackToSavepoint): StatementResult {
  const txn = requireBlock(host, 'ROLLBACK TO SAVEPOINT');
  const at = txn.findSavepoint(statement.name);
  const target = at === undefined ? undefined : txn.savepoints[at];
  if (at === undefined || target === undefined) {
    throw sqlError(EngineSqlState.invalidSavepointSpecification, `savepoint "${statement.name}" does not exist`);
  }
  txn.writes.rollbackTo(target.writeMark);
  txn.rollbackDdlTo(target.ddlMark);
  host.settings.undo(txn, target.settingsUndoSize, false);
  // The savepoint itself stays (PostgreSQL keeps it for another ROLLBACK TO).
  txn.savepoints.length = at + 1;
  txn.failed = false;
  return command('ROLLBACK');
}

export function releaseSavepoint(host: SessionHost, statement: ReleaseSavepoint): StatementResult {
  const txn = requireBlock(host, 'RELEASE SAVEPOINT');
  const at = txn.findSavepoint(statement.name);
  if (at === undefined) throw sqlError(EngineSqlState.invalidSavepointSpecification, `savepoint "${statement.name}" does not exist`);
  txn.savepoints.length = at;
  return command('RELEASE');
}
