// Typed SQL errors. Every error a value routine raises carries its SQLSTATE so
// the PostgreSQL protocol can report it verbatim, and (optionally) the MySQL
// error number the MySQL protocol reports instead. Messages are PostgreSQL's
// own texts, so clients and tests that match on them keep working.

/** The SQLSTATE codes raised by query/types (a subset of PostgreSQL's). */
export const SqlState = {
  featureNotSupported: '0A000',
  protocolViolation: '08P01',
  stringDataRightTruncation: '22001',
  numericValueOutOfRange: '22003',
  invalidDatetimeFormat: '22007',
  datetimeFieldOverflow: '22008',
  invalidTimeZoneDisplacementValue: '22009',
  divisionByZero: '22012',
  intervalFieldOverflow: '22015',
  invalidArgumentForLogarithm: '2201E',
  invalidArgumentForPowerFunction: '2201F',
  characterNotInRepertoire: '22021',
  invalidParameterValue: '22023',
  invalidTextRepresentation: '22P02',
  invalidBinaryRepresentation: '22P03',
  untranslatableCharacter: '22P05',
  programLimitExceeded: '54000',
  cannotCoerce: '42846',
  undefinedFunction: '42883',
  undefinedObject: '42704',
  syntaxError: '42601',
} as const;
export type SqlStateCode = (typeof SqlState)[keyof typeof SqlState];

export interface SqlErrorFields {
  readonly detail?: string;
  readonly hint?: string;
  /** 1-based character position in the statement text, when known. */
  readonly position?: number;
  /** MySQL error number; subclasses supply a sensible default. */
  readonly mysqlErrno?: number;
}

/** Base class of every error that reaches a client as an SQL error. */
export class SqlError extends Error {
  readonly sqlState: string;
  readonly detail: string | undefined;
  readonly hint: string | undefined;
  readonly position: number | undefined;
  readonly mysqlErrno: number | undefined;

  constructor(sqlState: string, message: string, fields: SqlErrorFields = {}) {
    super(message);
    this.name = new.target.name;
    this.sqlState = sqlState;
    this.detail = fields.detail;
    this.hint = fields.hint;
    this.position = fields.position;
    this.mysqlErrno = fields.mysqlErrno;
  }
}

// MySQL numbers chosen to match what MySQL reports for the nearest condition.
const mysqlErrnoOutOfRange = 1264; // ER_WARN_DATA_OUT_OF_RANGE
const mysqlErrnoDataTooLong = 1406; // ER_DATA_TOO_LONG
const mysqlErrnoDivisionByZero = 1365; // ER_DIVISION_BY_ZERO
const mysqlErrnoWrongValue = 1366; // ER_TRUNCATED_WRONG_VALUE_FOR_FIELD
const mysqlErrnoWrongDatetime = 1292; // ER_TRUNCATED_WRONG_VALUE
const mysqlErrnoNotSupported = 1235; // ER_NOT_SUPPORTED_YET

function withErrno(fields: SqlErrorFields | undefined, errno: number): SqlErrorFields {
  return { mysqlErrno: errno, ...fields };
}

export class FeatureNotSupportedError extends SqlError {
  constructor(message: string, fields?: SqlErrorFields) {
    super(SqlState.featureNotSupported, message, withErrno(fields, mysqlErrnoNotSupported));
  }
}
export class ProtocolViolationError extends SqlError {
  constructor(message: string, fields?: SqlErrorFields) {
    super(SqlState.protocolViolation, message, fields);
  }
}
export class StringDataRightTruncationError extends SqlError {
  constructor(message: string, fields?: SqlErrorFields) {
    super(SqlState.stringDataRightTruncation, message, withErrno(fields, mysqlErrnoDataTooLong));
  }
}
export class NumericValueOutOfRangeError extends SqlError {
  constructor(message: string, fields?: SqlErrorFields) {
    super(SqlState.numericValueOutOfRange, message, withErrno(fields, mysqlErrnoOutOfRange));
  }
}
export class InvalidDatetimeFormatError extends SqlError {
  constructor(message: string, fields?: SqlErrorFields) {
    super(SqlState.invalidDatetimeFormat, message, withErrno(fields, mysqlErrnoWrongDatetime));
  }
}
export class DatetimeFieldOverflowError extends SqlError {
  constructor(message: string, fields?: SqlErrorFields) {
    super(SqlState.datetimeFieldOverflow, message, withErrno(fields, mysqlErrnoWrongDatetime));
  }
}
export class InvalidTimeZoneDisplacementError extends SqlError {
  constructor(message: string, fields?: SqlErrorFields) {
    super(SqlState.invalidTimeZoneDisplacementValue, message, withErrno(fields, mysqlErrnoWrongDatetime));
  }
}
export class DivisionByZeroError extends SqlError {
  constructor(message = 'division by zero', fields?: SqlErrorFields) {
    super(SqlState.divisionByZero, message, withErrno(fields, mysqlErrnoDivisionByZero));
  }
}
export class IntervalFieldOverflowError extends SqlError {
  constructor(message: string, fields?: SqlErrorFields) {
    super(SqlState.intervalFieldOverflow, message, withErrno(fields, mysqlErrnoWrongDatetime));
  }
}
export class InvalidArgumentForLogarithmError extends SqlError {
  constructor(message: string, fields?: SqlErrorFields) {
    super(SqlState.invalidArgumentForLogarithm, message, fields);
  }
}
export class InvalidArgumentForPowerFunctionError extends SqlError {
  constructor(message: string, fields?: SqlErrorFields) {
    super(SqlState.invalidArgumentForPowerFunction, message, fields);
  }
}
export class CharacterNotInRepertoireError extends SqlError {
  constructor(message: string, fields?: SqlErrorFields) {
    super(SqlState.characterNotInRepertoire, message, withErrno(fields, mysqlErrnoWrongValue));
  }
}
export class InvalidParameterValueError extends SqlError {
  constructor(message: string, fields?: SqlErrorFields) {
    super(SqlState.invalidParameterValue, message, fields);
  }
}
export class InvalidTextRepresentationError extends SqlError {
  constructor(message: string, fields?: SqlErrorFields) {
    super(SqlState.invalidTextRepresentation, message, withErrno(fields, mysqlErrnoWrongValue));
  }
}
export class InvalidBinaryRepresentationError extends SqlError {
  constructor(message: string, fields?: SqlErrorFields) {
    super(SqlState.invalidBinaryRepresentation, message, fields);
  }
}
export class UntranslatableCharacterError extends SqlError {
  constructor(message: string, fields?: SqlErrorFields) {
    super(SqlState.untranslatableCharacter, message, withErrno(fields, mysqlErrnoWrongValue));
  }
}
export class ProgramLimitExceededError extends SqlError {
  constructor(message: string, fields?: SqlErrorFields) {
    super(SqlState.programLimitExceeded, message, fields);
  }
}
export class CannotCoerceError extends SqlError {
  constructor(message: string, fields?: SqlErrorFields) {
    super(SqlState.cannotCoerce, message, fields);
  }
}
export class UndefinedFunctionError extends SqlError {
  constructor(message: string, fields?: SqlErrorFields) {
    super(SqlState.undefinedFunction, message, fields);
  }
}
export class UndefinedObjectError extends SqlError {
  constructor(message: string, fields?: SqlErrorFields) {
    super(SqlState.undefinedObject, message, fields);
  }
}
export class SqlSyntaxError extends SqlError {
  constructor(message: string, fields?: SqlErrorFields) {
    super(SqlState.syntaxError, message, fields);
  }
}

/** `invalid input syntax for type integer: "abc"` (22P02). */
export function invalidInputSyntax(typeName: string, text: string, fields?: SqlErrorFields): InvalidTextRepresentationError {
  return new InvalidTextRepresentationError(`invalid input syntax for type ${typeName}: "${text}"`, fields);
}

/** Thrown when an internal invariant breaks: a bug, never bad input. */
export function assertNever(value: never, what: string): never {
  throw new Error(`unreachable: unexpected ${what} ${JSON.stringify(value)}`);
}
