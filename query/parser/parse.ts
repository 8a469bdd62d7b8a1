// The SQL front-end's entry point: text → PostgreSQL's parse tree (libpg-query,
// the real grammar compiled to WebAssembly) → ThunderDB's AST.

import { hasSqlDetails, loadModule, parseSync } from 'libpg-query';
import type { ParseResult, RawStmt } from 'libpg-query';
import type { SourcePosition, Statement } from '../ast/index.js';
import { syntaxError } from './errors.js';
import { SourceMap } from './source-map.js';
import { transformStatement } from './transform-statement.js';

/** One statement of a (possibly multi-statement) query string. */
export interface ParsedStatement {
  readonly statement: Statement;
  /**
   * The statement's own text, for CommandComplete and logs: from its first
   * token to just before its terminating ';' (or the end of the input), with
   * trailing whitespace removed. Comments inside it are kept.
   */
  readonly text: string;
  /** Where `text` starts in the input (0-based UTF-16 offset, like every AST position). */
  readonly position: SourcePosition;
}

let loading: Promise<void> | null = null;
let loaded = false;

/** Loads the WebAssembly parser; call once at startup and await it before `parseSql`. */
export function loadSqlParser(): Promise<void> {
  loading ??= loadModule().then(() => {
    loaded = true;
  });
  return loading;
}

export function isSqlParserLoaded(): boolean {
  return loaded;
}

/**
 * Parses a query string of zero or more statements separated by ';', as the
 * simple query protocol sends them. Throws SqlSyntaxError (42601) with
 * PostgreSQL's message and 1-based character position for invalid SQL, and
 * FeatureNotSupportedError (0A000) for valid PostgreSQL that ThunderDB does
 * not handle. An empty or comment-only string has no statements.
 */
export function parseSql(text: string): readonly ParsedStatement[] {
  const source = new SourceMap(text);
  const ctx = { source };
  return parsePostgres(text).map((raw) => {
    const { start, end } = statementSpan(raw, source);
    return { statement: transformStatement(requireStmt(raw), ctx), text: text.slice(start, end), position: start };
  });
}

/** libpg-query's parse tree, with its errors turned into SQL errors. */
export function parsePostgres(text: string): readonly RawStmt[] {
  if (!loaded) throw new Error('query/parser: await loadSqlParser() before parsing');
  // libpg-query refuses the empty string; PostgreSQL answers it with EmptyQueryResponse.
  if (text.length === 0) return [];
  let result: ParseResult;
  try {
    result = parseSync(text);
  } catch (error) {
    if (!hasSqlDetails(error) || error.sqlDetails === undefined) throw error;
    // libpg-query reports a 0-based character offset; PostgreSQL's P field is 1-based.
    const cursor = error.sqlDetails.cursorPosition;
    throw syntaxError(error.sqlDetails.message, cursor >= 0 ? cursor + 1 : undefined);
  }
  return result.stmts ?? [];
}

function requireStmt(raw: RawStmt): NonNullable<RawStmt['stmt']> {
  if (raw.stmt === undefined) throw new Error('libpg-query: statement without a parse tree');
  return raw.stmt;
}

/**
 * PostgreSQL's statement span (first token to the terminating ';', or to the
 * end of the text when stmt_len is 0) without trailing whitespace.
 */
function statementSpan(raw: RawStmt, source: SourceMap): { start: number; end: number } {
  const startByte = raw.stmt_location ?? 0;
  const start = source.position(startByte);
  const end = raw.stmt_len === undefined || raw.stmt_len === 0
    ? source.text.length
    : source.position(startByte + raw.stmt_len);
  return { start, end: trimmedEnd(source.text, start, end) };
}

export function trimmedEnd(text: string, start: number, end: number): number {
  let e = end;
  while (e > start && /\s/.test(text.charAt(e - 1))) e--;
  return e;
}
