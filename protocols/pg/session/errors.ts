// How anything that goes wrong becomes an ErrorResponse. SqlError (from the
// engine, query/types or the session itself) carries its own SQLSTATE; a
// ProtocolViolation from the codec too; anything else is a bug in ThunderDB:
// logged with its stack, reported as XX000, and the session carries on.
import type { Logger } from 'pino';
import type { BufferWriter, ErrorFields, ErrorSeverity } from '../codec/index.js';
import { ProtocolViolation, writeErrorResponse } from '../codec/index.js';
import { SqlError } from '../../../query/types/index.js';

/** SQLSTATEs the session raises itself (the codec's own are in codec/constants.ts). */
export const SessionSqlState = {
  ProtocolViolation: '08P01',
  FeatureNotSupported: '0A000',
  InvalidAuthorizationSpecification: '28000',
  InvalidPassword: '28P01',
  InvalidCatalogName: '3D000',
  TooManyConnections: '53300',
  AdminShutdown: '57P01',
  CannotConnectNow: '57P03',
  QueryCanceled: '57014',
  DuplicatePreparedStatement: '42P05',
  DuplicateCursor: '42P03',
  InvalidSqlStatementName: '26000',
  InvalidCursorName: '34000',
  UndefinedObject: '42704',
  InvalidParameterValue: '22023',
  InvalidBinaryRepresentation: '22P03',
  ObjectNotInPrerequisiteState: '55000',
  ProgramLimitExceeded: '54000',
  InternalError: 'XX000',
} as const;
export type SessionSqlState = (typeof SessionSqlState)[keyof typeof SessionSqlState];

/** An error the session raises, in the same hierarchy the engine throws. */
export function sessionError(sqlState: SessionSqlState, message: string, detail?: string): SqlError {
  return new SqlError(sqlState, message, detail === undefined ? {} : { detail });
}

/** ErrorResponse fields for anything thrown; logs what is not a client-facing error. */
export function errorFieldsOf(error: unknown, severity: ErrorSeverity, logger: Logger): ErrorFields {
  if (error instanceof SqlError) {
    return {
      severity,
      code: error.sqlState,
      message: error.message,
      detail: error.detail,
      hint: error.hint,
      position: error.position,
    };
  }
  if (error instanceof ProtocolViolation) return { severity, code: error.sqlState, message: error.message };
  logger.error({ err: error }, 'internal error while serving a PostgreSQL client');
  const text = error instanceof Error ? error.message : String(error);
  return { severity, code: SessionSqlState.InternalError, message: `internal error: ${text}` };
}

export function writeError(w: BufferWriter, error: unknown, logger: Logger): void {
  writeErrorResponse(w, errorFieldsOf(error, 'ERROR', logger));
}

export function writeFatal(w: BufferWriter, code: string, message: string, detail?: string): void {
  writeErrorResponse(w, { severity: 'FATAL', code, message, detail });
}
