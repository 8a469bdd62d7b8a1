// The SQL errors the engine raises, with PostgreSQL's SQLSTATEs and message
// texts (clients and tests match on them). Everything here is a SqlError and
// reaches the client; StatementRestart is the one internal signal and never
// does.

import { SqlError, type SqlErrorFields } from '../types/index.js';

export const EngineSqlState = {
  successfulCompletion: '00000',
  warning: '01000',
  activeSqlTransaction: '25001',
  readOnlySqlTransaction: '25006',
  noActiveSqlTransaction: '25P01',
  inFailedSqlTransaction: '25P02',
  invalidTransactionState: '25000',
  invalidSavepointSpecification: '3B001',
  uniqueViolation: '23505',
  notNullViolation: '23502',
  checkViolation: '23514',
  serializationFailure: '40001',
  deadlockDetected: '40P01',
  statementCompletionUnknown: '40003',
  queryCanceled: '57014',
  cannotConnectNow: '57P03',
  undefinedTable: '42P01',
  undefinedColumn: '42703',
  undefinedObject: '42704',
  undefinedSchema: '3F000',
  undefinedDatabase: '3D000',
  duplicateTable: '42P07',
  duplicateColumn: '42701',
  duplicateObject: '42710',
  duplicateSchema: '42P06',
  duplicateDatabase: '42P04',
  duplicatePreparedStatement: '42P05',
  undefinedPreparedStatement: '26000',
  wrongObjectType: '42809',
  invalidTableDefinition: '42P16',
  dependentObjectsStillExist: '2BP01',
  objectInUse: '55006',
  cantChangeRuntimeParam: '55P02',
  invalidParameterValue: '22023',
  featureNotSupported: '0A000',
  syntaxError: '42601',
  badCopyFileFormat: '22P04',
  invalidTextRepresentation: '22P02',
  characterNotInRepertoire: '22021',
  insufficientResources: '53000',
  programLimitExceeded: '54000',
  invalidCatalogName: '3D000',
  internalError: 'XX000',
} as const;
export type EngineSqlState = (typeof EngineSqlState)[keyof typeof EngineSqlState];

export function sqlError(state: EngineSqlState, message: string, fields?: SqlErrorFields): SqlError {
  return new SqlError(state, message, fields);
}

export function inFailedTransaction(): SqlError {
  return sqlError(EngineSqlState.inFailedSqlTransaction, 'current transaction is aborted, commands ignored until end of transaction block');
}

export function deadlockDetected(detail: string): SqlError {
  return sqlError(EngineSqlState.deadlockDetected, 'deadlock detected', { detail, hint: 'See server log for query details.' });
}

export function serializationFailure(what: 'update' | 'delete' | 'readWrite' | 'ddl'): SqlError {
  switch (what) {
    case 'update': return sqlError(EngineSqlState.serializationFailure, 'could not serialize access due to concurrent update');
    case 'delete': return sqlError(EngineSqlState.serializationFailure, 'could not serialize access due to concurrent delete');
    case 'readWrite':
      return sqlError(EngineSqlState.serializationFailure, 'could not serialize access due to read/write dependencies among transactions', {
        detail: 'Reason code: Canceled on identification as a pivot, during commit attempt.',
        hint: 'The transaction might succeed if retried.',
      });
    case 'ddl': return sqlError(EngineSqlState.serializationFailure, 'could not serialize access due to concurrent table definition change');
    default: {
      const never: never = what;
      throw new Error(`unreachable serialization failure ${String(never)}`);
    }
  }
}

export type CancelReason = 'user' | 'timeout';

export function queryCanceled(reason: CancelReason): SqlError {
  return sqlError(EngineSqlState.queryCanceled, reason === 'user' ? 'canceling statement due to user request' : 'canceling statement due to statement timeout');
}

export function featureNotSupported(message: string): SqlError {
  return sqlError(EngineSqlState.featureNotSupported, message);
}

/**
 * Thrown by TableAccess under READ COMMITTED when a row the statement is
 * about to write changed after the statement's snapshot: the engine rolls
 * the statement back to its start and runs it again on a fresh snapshot
 * (the effect of PostgreSQL's EvalPlanQual, done by re-execution). Not a
 * SqlError, so code that handles SQL errors does not swallow it.
 */
export class StatementRestart extends Error {
  override readonly name = 'StatementRestart';
  constructor(readonly reason: 'rowChanged' | 'tableChanged') {
    super(`statement restart: ${reason}`);
  }
}

/** A broken engine invariant: a bug, never bad input (STYLE.md: assertions stay on). */
export class EngineInvariantError extends Error {
  override readonly name = 'EngineInvariantError';
}

export function invariant(condition: boolean, message: string): asserts condition {
  if (!condition) throw new EngineInvariantError(message);
}

export function unreachable(value: never, what: string): never {
  throw new EngineInvariantError(`unhandled ${what}: ${JSON.stringify(value)}`);
}
