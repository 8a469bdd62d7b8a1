// The binder's errors: PostgreSQL's SQLSTATEs, messages and hints. AST
// positions are 0-based UTF-16 offsets; the error's `position` is PostgreSQL's
// 1-based P field, exact for text without astral characters (the engine, which
// has the statement text, may refine it with errorPosition()).

import type { SourcePosition } from '../ast/index.js';
import { FeatureNotSupportedError, SqlError, UndefinedFunctionError } from '../types/errors.js';
import type { SqlErrorFields } from '../types/errors.js';

export const BinderState = {
  undefinedTable: '42P01',
  undefinedColumn: '42703',
  ambiguousColumn: '42702',
  duplicateAlias: '42712',
  duplicateColumn: '42701',
  groupingError: '42803',
  datatypeMismatch: '42804',
  ambiguousFunction: '42725',
  invalidColumnReference: '42P10',
  undefinedParameter: '42P02',
  indeterminateDatatype: '42P18',
  windowingError: '42P20',
  wrongObjectType: '42809',
  invalidRecursion: '42P19',
  syntaxError: '42601',
  generatedAlways: '428C9',
  undefinedObject: '42704',
  invalidSchemaName: '3F000',
  cardinalityViolation: '21000',
  notNullViolation: '23502',
  checkViolation: '23514',
} as const;

/** PostgreSQL's P field for an AST position (undefined when the node has none). */
export function positionField(position: SourcePosition | undefined): SqlErrorFields {
  return position === undefined || position < 0 ? {} : { position: position + 1 };
}

export function bindError(sqlState: string, message: string, position?: SourcePosition, extra: SqlErrorFields = {}): SqlError {
  return new SqlError(sqlState, message, { ...extra, ...positionField(position) });
}

export function notSupported(feature: string, position?: SourcePosition): FeatureNotSupportedError {
  return new FeatureNotSupportedError(`${feature} is not supported`, positionField(position));
}

export function undefinedTable(name: string, position?: SourcePosition): SqlError {
  return bindError(BinderState.undefinedTable, `relation "${name}" does not exist`, position);
}

export function undefinedColumn(name: string, position?: SourcePosition): SqlError {
  return bindError(BinderState.undefinedColumn, `column ${name} does not exist`, position);
}

export function ambiguousColumn(name: string, position?: SourcePosition): SqlError {
  return bindError(BinderState.ambiguousColumn, `column reference "${name}" is ambiguous`, position);
}

export function datatypeMismatch(message: string, position?: SourcePosition, hint?: string): SqlError {
  return bindError(BinderState.datatypeMismatch, message, position, hint === undefined ? {} : { hint });
}

export function groupingError(message: string, position?: SourcePosition): SqlError {
  return bindError(BinderState.groupingError, message, position);
}

export function undefinedFunction(signature: string, position?: SourcePosition, hint = 'No function matches the given name and argument types. You might need to add explicit type casts.'): UndefinedFunctionError {
  return new UndefinedFunctionError(`function ${signature} does not exist`, { hint, ...positionField(position) });
}

export function undefinedOperator(signature: string, position?: SourcePosition): UndefinedFunctionError {
  return new UndefinedFunctionError(`operator does not exist: ${signature}`, {
    hint: 'No operator matches the given name and argument types. You might need to add explicit type casts.',
    ...positionField(position),
  });
}

export function syntaxError(message: string, position?: SourcePosition): SqlError {
  return bindError(BinderState.syntaxError, message, position);
}
