// Statements the engine handles itself (everything the compiler does not):
// one exhaustive switch from statement kind to handler.

import type { Statement } from '../ast/index.js';
import type { ResultColumn, StatementResult } from '../engine.js';
import type { SqlValue } from '../types/index.js';
import { copy } from './copy/copy-statement.js';
import { alterTable } from './ddl/alter-table.js';
import { createIndex } from './ddl/create-index.js';
import { createTable } from './ddl/create-table.js';
import { dropIndex, dropTable } from './ddl/drop.js';
import { createDatabase, createSchema, dropDatabase, dropSchema } from './ddl/schema-database.js';
import { truncate } from './ddl/truncate.js';
import { EngineSqlState, featureNotSupported, sqlError, unreachable } from './errors.js';
import type { RunMode, SessionHost } from './session-host.js';
import { command, textColumn } from './utility/results.js';
import { discard, reset, set, setTransaction, show } from './utility/settings-statements.js';
import { deallocate, execute, prepare } from './utility/sql-prepared.js';
import { begin, commit, releaseSavepoint, rollback, rollbackToSavepoint, savepoint } from './utility/transaction-control.js';
import { checkpoint, vacuum } from './utility/maintenance.js';

export async function dispatchStatement(host: SessionHost, statement: Statement, parameters: readonly SqlValue[], mode: RunMode): Promise<StatementResult> {
  if (parameters.length > 0 && statement.kind !== 'execute') throw sqlError(EngineSqlState.syntaxError, `${statement.kind} statements take no parameters`);
  switch (statement.kind) {
    case 'select': case 'insert': case 'update': case 'delete': case 'explain':
      return host.runData(statement, parameters, mode, []);
    case 'createTable': return createTable(host, statement);
    case 'dropTable': return dropTable(host, statement);
    case 'createIndex': return createIndex(host, statement);
    case 'dropIndex': return dropIndex(host, statement);
    case 'alterTable': return alterTable(host, statement, mode);
    case 'truncate': return truncate(host, statement);
    case 'createDatabase': return createDatabase(host, statement, mode === 'implicitBlock');
    case 'dropDatabase': return dropDatabase(host, statement, mode === 'implicitBlock');
    case 'createSchema': return createSchema(host, statement);
    case 'dropSchema': return dropSchema(host, statement);
    case 'begin': return begin(host, statement);
    case 'commit': return commit(host, statement);
    case 'rollback': return rollback(host, statement);
    case 'savepoint': return savepoint(host, statement);
    case 'rollbackToSavepoint': return rollbackToSavepoint(host, statement);
    case 'releaseSavepoint': return releaseSavepoint(host, statement);
    case 'set': return set(host, statement);
    case 'setTransaction': return setTransaction(host, statement);
    case 'show': return show(host, statement);
    case 'reset': return reset(host, statement);
    case 'copy': return copy(host, statement, mode);
    case 'vacuum': return vacuum(host, statement, mode);
    case 'checkpoint': return checkpoint(host);
    case 'prepare': return prepare(host, statement);
    case 'execute': return execute(host, statement, mode);
    case 'deallocate': return deallocate(host, statement);
    case 'discard': return discard(host, statement);
    case 'listen': throw featureNotSupported('LISTEN is not supported');
    case 'notify': throw featureNotSupported('NOTIFY is not supported');
    case 'unlisten': return command('UNLISTEN');
    default: return unreachable(statement, 'statement');
  }
}

/** Result columns of a utility statement prepared through the extended protocol. */
export function preparedResultColumns(statement: Statement): readonly ResultColumn[] | undefined {
  if (statement.kind !== 'show') return undefined;
  return statement.name.toLowerCase() === 'all' ? [textColumn('name'), textColumn('setting'), textColumn('description')] : [textColumn(statement.name)];
}
