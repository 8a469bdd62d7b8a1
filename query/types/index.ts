// query/types: SQL values with PostgreSQL 15's semantics. The executor, the
// wire protocols and the storage layers import from here only. See DESIGN.md.

export {
  assertNever, CannotCoerceError, CharacterNotInRepertoireError, DatetimeFieldOverflowError, DivisionByZeroError,
  FeatureNotSupportedError, IntervalFieldOverflowError, InvalidArgumentForLogarithmError,
  InvalidArgumentForPowerFunctionError, InvalidBinaryRepresentationError, InvalidDatetimeFormatError,
  InvalidParameterValueError, InvalidTextRepresentationError, InvalidTimeZoneDisplacementError, invalidInputSyntax,
  NumericValueOutOfRangeError, ProgramLimitExceededError, ProtocolViolationError, SqlError, SqlState,
  SqlSyntaxError, StringDataRightTruncationError, UndefinedFunctionError, UndefinedObjectError,
  UntranslatableCharacterError,
} from './errors.js';
export type { SqlErrorFields, SqlStateCode } from './errors.js';

// Type descriptors
export {
  ArrayTypeOid, arrayOf, bpcharType, datetimePrecisionMax, formatTypeName, numericPrecisionMax, numericScaleMax,
  numericScaleMin, numericType, sameType, SqlTypes, timestampType, typeFromOid, typeLength, typeModifier, typeOid,
  TypeOid, varcharLengthMax, varcharType, withoutModifiers,
} from './sql-type.js';
export type { ArraySqlType, IntervalFields, ScalarKind, ScalarSqlType, SqlType, SqlTypeKind } from './sql-type.js';
export { parseTypeName } from './type-name.js';

// Values and the session they are read and printed in
export type { ScalarValue, SqlArray, SqlValue } from './value.js';
export { defaultSession, LazyNowSession, makeSession } from './session.js';
export type { TypeSession } from './session.js';
export { findTimeZone, fixedOffsetZone, parseTimeZoneSetting, utcOffsetAt, utcZone } from './datetime/time-zone.js';
export type { TimeZone } from './datetime/time-zone.js';

// I/O
export { formatScalarText, formatText, parseScalarText, parseText } from './text-io.js';
export { decodeBinary, encodeBinary } from './binary-io.js';

// Casts, comparison, hashing
export { castAssignment, castContext, castExplicit, castValue, floatToNumeric, numericToFloat } from './cast.js';
export type { CastContext, CastMode } from './cast.js';
export { combineHashes, compareScalars, compareValues, hashScalar, hashValue, valuesEqual } from './compare.js';

// Integers and floats
export {
  int2Max, int2Min, int4Max, int4Min, int8Abs, int8Add, int8Div, int8Max, int8Min, int8Mod, int8Mul, int8Neg, int8Sub,
  intAbs, intAdd, intAnd, intDiv, intMod, intMul, intNeg, intNot, intOr, intOutOfRange, intSub, intXor, toSmallInt,
} from './integer.js';
export type { IntKind, SmallIntKind } from './integer.js';
export {
  compareFloat, float8ToFloat4, floatAbs, floatAdd, floatCeil, floatDiv, floatExp, floatFloor, floatLn, floatLog10,
  floatMul, floatNeg, floatPower, floatRound, floatSqrt, floatSub, floatToInt, floatTrunc, formatFloat, roundHalfEven,
} from './float.js';
export type { FloatKind } from './float.js';

// numeric
export { Decimal, formatNumeric, parseNumeric } from './numeric/decimal.js';
export type { DecimalKind } from './numeric/decimal.js';
export {
  applyNumericTypmod, compareNumeric, divideAtScale, divisionScale, normalizeNumeric, numericAbs, numericAdd,
  numericCeil, numericDiv, numericDivTrunc, numericEquals, numericFloor, numericMod, numericMul, numericNeg,
  numericRound, numericSign, numericSqrt, numericSub, numericToInt, numericTrunc,
} from './numeric/numeric-math.js';
export { numericExp, numericLn, numericLog, numericLog10, numericPower } from './numeric/numeric-power.js';

// Character types, bytea, uuid, json
export { bpcharTrimmed, characterLength, coerceBpchar, coerceVarchar, compareText } from './character.js';
export { formatBytea, parseBytea } from './bytea.js';
export { parseUuid, uuidFromBytes, uuidToBytes } from './uuid.js';
export { compareJsonb, formatJsonb, Jsonb, JsonbObject, makeJsonbObject, parseJson, parseJsonb } from './json.js';
export type { JsonbValue } from './json.js';
export { arrayDimensions, flattenArray } from './array.js';

// Date, time, timestamp, interval
export {
  dateNegativeInfinity, datePositiveInfinity, timestampNegativeInfinity, timestampPositiveInfinity,
} from './datetime/calendar.js';
export {
  formatDate, formatTime, formatTimestamp, formatTimestamptz, parseDate, parseTime, parseTimestamp, parseTimestamptz,
} from './datetime/datetime-io.js';
export {
  dateAddDays, dateAddInterval, dateDiff, dateToTimestamp, dateToTimestamptz, intervalToTime, timeAddInterval, timeDiff,
  timestampAddInterval, timestampAge, timestampDiff, timestampSubInterval, timestampToDate, timestampToTime,
  timestampToTimestamptz, timestamptzAddInterval, timestamptzAge, timestamptzSubInterval, timestamptzToDate,
  timestamptzToTime, timestamptzToTimestamp, timeToInterval,
} from './datetime/datetime-math.js';
export { datePart, extractField, truncateInterval, truncateTimestamp } from './datetime/extract.js';
export type { DatetimeField, TemporalKind } from './datetime/extract.js';
export {
  adjustIntervalForTypmod, compareInterval, formatInterval, intervalAdd, intervalDiv, intervalMul, intervalNeg,
  intervalSpan, intervalSub, justifyDays, justifyHours, justifyInterval, makeInterval, parseInterval, zeroInterval,
} from './interval.js';
export type { Interval } from './interval.js';

// to_char
export { intervalToChar, timestampToChar, timestamptzToChar } from './to-char/datetime-to-char.js';
export { floatToChar, integerToChar, numericToChar } from './to-char/number-to-char.js';
