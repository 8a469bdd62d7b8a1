// COPY options with PostgreSQL's defaults filled in and its checks made
// (ProcessCopyOptions): one-byte delimiter/quote/escape, CSV-only options,
// text-only options refused in BINARY mode, and the combinations it forbids.

import type { CopyColumns, CopyOptions } from '../../ast/index.js';
import { EngineSqlState, featureNotSupported, sqlError } from '../errors.js';

export interface CopyFormat {
  /** PostgreSQL's binary format: the text options below keep their defaults and are unused. */
  readonly binary: boolean;
  readonly csv: boolean;
  readonly delimiter: string;
  readonly nullText: string;
  readonly quote: string;
  readonly escape: string;
  readonly header: boolean | 'match';
  /** Column names (of the COPY's column list) each option applies to; 'all' for `*`. */
  readonly forceQuote: ReadonlySet<string> | 'all';
  readonly forceNotNull: ReadonlySet<string> | 'all';
  readonly forceNull: ReadonlySet<string> | 'all';
}

function columnSet(c: CopyColumns | null): ReadonlySet<string> | 'all' {
  if (c === null) return new Set();
  return c.kind === 'all' ? 'all' : new Set(c.columns);
}

function invalid(message: string): Error {
  return sqlError(EngineSqlState.invalidParameterValue, message);
}

function singleByte(value: string, what: string): string {
  if (Buffer.byteLength(value, 'utf8') !== 1) throw invalid(`COPY ${what} must be a single one-byte character`);
  return value;
}

function syntax(message: string): Error {
  return sqlError(EngineSqlState.syntaxError, message);
}

export function copyFormat(options: CopyOptions, direction: 'from' | 'to'): CopyFormat {
  const binary = options.format === 'binary';
  if (binary && options.delimiter !== null) throw syntax('cannot specify DELIMITER in BINARY mode');
  if (binary && options.null !== null) throw syntax('cannot specify NULL in BINARY mode');
  // PostgreSQL 15 says 0A000 here (and 42601 for the two above).
  if (binary && options.header !== false) throw featureNotSupported('cannot specify HEADER in BINARY mode');
  if (options.default !== null) throw featureNotSupported('COPY DEFAULT is not supported');
  if (options.encoding !== null && !/^utf-?8$/i.test(options.encoding)) throw featureNotSupported(`COPY ENCODING ${options.encoding} is not supported; only UTF8`);
  const csv = options.format === 'csv';
  if (!csv && (options.quote !== null || options.escape !== null)) throw featureNotSupported(`COPY ${options.quote !== null ? 'quote' : 'escape'} available only in CSV mode`);
  if (!csv && (options.forceQuote !== null || options.forceNotNull !== null || options.forceNull !== null)) {
    throw featureNotSupported('COPY force options are available only in CSV mode');
  }
  if (direction === 'from' && options.forceQuote !== null) throw featureNotSupported('COPY FORCE_QUOTE cannot be used with COPY FROM');
  if (direction === 'to' && (options.forceNotNull !== null || options.forceNull !== null)) throw featureNotSupported('COPY FORCE_NOT_NULL and FORCE_NULL cannot be used with COPY TO');
  if (direction === 'to' && options.header === 'match') throw featureNotSupported('cannot use "match" with HEADER in COPY TO');
  const delimiter = singleByte(options.delimiter ?? (csv ? ',' : '\t'), 'delimiter');
  const quote = singleByte(options.quote ?? '"', 'quote');
  const escape = singleByte(options.escape ?? quote, 'escape');
  const nullText = options.null ?? (csv ? '' : '\\N');
  if (delimiter === '\n' || delimiter === '\r') throw invalid('COPY delimiter cannot be newline or carriage return');
  if (nullText.includes('\n') || nullText.includes('\r')) throw invalid('COPY null representation cannot use newline or carriage return');
  if (!csv && delimiter === '\\') throw invalid('COPY delimiter cannot be "\\"');
  if (csv && delimiter === quote) throw invalid('COPY delimiter and quote must be different');
  if (nullText.includes(delimiter)) throw invalid('COPY delimiter character must not appear in the NULL specification');
  return {
    binary, csv, delimiter, nullText, quote, escape, header: options.header,
    forceQuote: columnSet(options.forceQuote), forceNotNull: columnSet(options.forceNotNull), forceNull: columnSet(options.forceNull),
  };
}

export function appliesTo(set: ReadonlySet<string> | 'all', column: string): boolean {
  return set === 'all' || set.has(column);
}
