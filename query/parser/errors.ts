// The parser's errors. The classes live in query/types/errors.ts (one SqlError
// hierarchy for the whole query layer); this file adds the constructors the
// transformers use and the position conversion the protocol needs.

import { FeatureNotSupportedError, SqlSyntaxError } from '../types/errors.js';
import type { SourcePosition } from '../ast/index.js';

export { FeatureNotSupportedError, SqlSyntaxError };

/**
 * PostgreSQL's ErrorResponse `P` field for an AST position: 1-based and
 * counted in characters (code points), where AST positions are 0-based
 * UTF-16 offsets. Undefined for -1 (no position).
 */
export function errorPosition(text: string, position: SourcePosition): number | undefined {
  if (position < 0) return undefined;
  let characters = 0;
  for (let i = 0; i < position && i < text.length; i++) {
    const unit = text.charCodeAt(i);
    // A high surrogate and its low surrogate are one character.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < position) i++;
    characters++;
  }
  return characters + 1;
}

/** 42601 with PostgreSQL's message; `position` is already the 1-based P field. */
export function syntaxError(message: string, errorPos?: number): SqlSyntaxError {
  return new SqlSyntaxError(message, errorPos === undefined ? {} : { position: errorPos });
}

/**
 * 0A000 for valid PostgreSQL that ThunderDB does not handle, naming the
 * construct: `TABLESAMPLE is not supported`.
 */
export function notSupported(construct: string, errorPos?: number): FeatureNotSupportedError {
  return new FeatureNotSupportedError(`${construct} is not supported`, errorPos === undefined ? {} : { position: errorPos });
}
