// Literal normalisation for the statement cache: `... WHERE aid = 42` and
// `... WHERE aid = 7` share one key, and the constants come back as literals
// to re-bind into the cached tree.
//
// The key is the token stream of PostgreSQL's own scanner (libpg-query's
// scanSync) without whitespace and comments, with each constant replaced by a
// placeholder of its token type. Two texts with the same key differ only in
// constants, layout and comments, so the grammar builds the same tree for
// both except where a constant's value decides the shape; the cache finds
// those cases by verification (see statement-cache.ts).

import { scanSync } from 'libpg-query';
import type { ScanToken } from 'libpg-query';
import type { Literal, LiteralValue } from '../ast/index.js';
import { numberLiteral } from './literal-text.js';
import { parsePostgres } from './parse.js';
import { SourceMap } from './source-map.js';

/** What `normalizeForCache` returns. */
export interface NormalizedStatement {
  /** Equal for texts that differ only in constants, whitespace and comments. */
  readonly key: string;
  /** The constants in text order; a `-` directly before a number is folded in, as the grammar does. */
  readonly literals: readonly Literal[];
}

/** The scan the statement cache works from: the key plus where every token sits. */
export interface ScannedText extends NormalizedStatement {
  /** Start and end (UTF-16 offsets) of each significant token, in order. */
  readonly tokenStarts: readonly number[];
  readonly tokenEnds: readonly number[];
  /** Token type (PostgreSQL's token number) of each significant token. */
  readonly tokenTypes: readonly number[];
}

// PostgreSQL 18 token numbers (gram.h). normalize.test.ts pins them against scanSync.
export const tokenType = {
  ident: 258, fconst: 260, sconst: 261, usconst: 262, bconst: 263, xconst: 264, op: 265, iconst: 266,
  param: 267, typecast: 268, sqlComment: 275, cComment: 276,
  semicolon: 59, minus: 45, leftParen: 40, comma: 44, leftBracket: 91, dot: 46,
} as const;

// Token types after which a '-' is a prefix operator. Keywords are checked by name below.
const operandStartsAfter = new Set<number>([
  tokenType.leftParen, tokenType.comma, tokenType.leftBracket, tokenType.op, 43, 45, 42, 47, 37, 94, 60, 61, 62,
  270, 271, 272, 273, 274,
]);
const keywordsBeforeOperand = new Set([
  'SELECT', 'WHERE', 'AND', 'OR', 'NOT', 'WHEN', 'THEN', 'ELSE', 'LIMIT', 'OFFSET', 'BETWEEN', 'RETURNING',
  'HAVING', 'ON', 'BY', 'TO', 'ZONE', 'DEFAULT', 'VALUES', 'IN', 'SET', 'CASE', 'FETCH', 'FIRST', 'NEXT',
]);

/**
 * The cache key and literals of a query string. Throws SqlSyntaxError when
 * PostgreSQL's scanner rejects the text.
 */
export function normalizeForCache(text: string): NormalizedStatement {
  const scanned = scanForCache(text);
  if (scanned !== null) return { key: scanned.key, literals: scanned.literals };
  parsePostgres(text); // throws the scanner's error with its position
  throw new Error('query/parser: scanSync failed on text the parser accepts');
}

/** As normalizeForCache, with token positions; null when the scanner rejects the text. */
export function scanForCache(text: string): ScannedText | null {
  let tokens: readonly ScanToken[];
  try {
    // libpg-query's scanSync reports scanner errors as a JSON parse failure.
    tokens = text.length === 0 ? [] : scanSync(text).tokens;
  } catch {
    return null;
  }
  const source = new SourceMap(text);
  const significant = tokens.filter((t) => t.tokenType !== tokenType.sqlComment && t.tokenType !== tokenType.cComment);
  const parts: string[] = [];
  const literals: Literal[] = [];
  const tokenStarts: number[] = [];
  const tokenEnds: number[] = [];
  const tokenTypes: number[] = [];
  for (let i = 0; i < significant.length; i++) {
    const token = significant[i];
    if (token === undefined) break;
    tokenStarts.push(source.position(token.start));
    tokenEnds.push(source.position(token.end));
    tokenTypes.push(token.tokenType);
    const next = significant[i + 1];
    if (next !== undefined && isFoldableMinus(significant, i)) {
      const value = constantValue(next, true);
      if (value !== null) {
        parts.push(`-${placeholder(next.tokenType)}`);
        literals.push({ kind: 'literal', value, position: source.position(token.start) });
        tokenStarts.push(source.position(next.start));
        tokenEnds.push(source.position(next.end));
        tokenTypes.push(next.tokenType);
        i++;
        continue;
      }
    }
    const value = constantValue(token, false);
    if (value === null) {
      parts.push(token.text);
    } else {
      parts.push(placeholder(token.tokenType));
      literals.push({ kind: 'literal', value, position: source.position(token.start) });
    }
  }
  return { key: parts.join(' '), literals, tokenStarts, tokenEnds, tokenTypes };
}

/**
 * A '-' the grammar folds into the number after it: a prefix minus (after an
 * operator, '(' ',' or a keyword that starts an expression) before a number
 * that no '::', '[' or '.' binds tighter. A wrong guess only costs a cache
 * miss: the statement cache verifies every literal against the parse tree.
 */
function isFoldableMinus(tokens: readonly ScanToken[], i: number): boolean {
  const token = tokens[i];
  const next = tokens[i + 1];
  if (token?.tokenType !== tokenType.minus || next === undefined) return false;
  if (next.tokenType !== tokenType.iconst && next.tokenType !== tokenType.fconst) return false;
  const after = tokens[i + 2]?.tokenType;
  if (after === tokenType.typecast || after === tokenType.leftBracket || after === tokenType.dot) return false;
  const previous = tokens[i - 1];
  if (previous === undefined) return true;
  if (operandStartsAfter.has(previous.tokenType)) return true;
  return previous.keywordKind !== 0 && keywordsBeforeOperand.has(previous.text.toUpperCase());
}

function placeholder(type: number): string {
  switch (type) {
    case tokenType.iconst: return '$i';
    case tokenType.fconst: return '$f';
    case tokenType.sconst: return '$s';
    case tokenType.bconst: return '$b';
    default: return '$x';
  }
}

/**
 * The literal a constant token stands for, exactly as the parser would build
 * it; null for tokens that are not constants and for constant spellings this
 * decoder does not handle (they stay in the key verbatim, which is always safe).
 */
function constantValue(token: ScanToken, negate: boolean): LiteralValue | null {
  switch (token.tokenType) {
    case tokenType.iconst:
    case tokenType.fconst:
      return numberLiteral(negate ? `-${token.text}` : token.text);
    case tokenType.sconst: {
      if (negate) return null;
      const value = decodeString(token.text);
      return value === null ? null : { type: 'string', value };
    }
    case tokenType.bconst:
    case tokenType.xconst: {
      if (negate) return null;
      const digits = decodeQuotedSegments(token.text.slice(1), (s) => s);
      return digits === null ? null : { type: 'bitString', text: token.text.charAt(0).toLowerCase() + digits };
    }
    default:
      return null;
  }
}

/** 'standard', E'escape' and $tag$dollar$tag$ strings, with continuation lines. */
export function decodeString(text: string): string | null {
  const first = text.charAt(0);
  if (first === "'") return decodeQuotedSegments(text, (s) => s.replaceAll("''", "'"));
  if (first === 'E' || first === 'e') return decodeQuotedSegments(text.slice(1), decodeEscapes);
  if (first === '$') {
    const tagEnd = text.indexOf('$', 1);
    const tag = text.slice(0, tagEnd + 1);
    if (tagEnd < 0 || text.length < 2 * tag.length || !text.endsWith(tag)) return null;
    return text.slice(tag.length, text.length - tag.length);
  }
  return null;
}

/**
 * `'a' <newline> 'b'` segments, each decoded by `decode` (null refuses).
 * Only whitespace may separate segments and it must hold a newline, as in
 * PostgreSQL; the scanner already checked that, so anything else is refused.
 */
function decodeQuotedSegments(text: string, decode: (body: string) => string | null): string | null {
  let result = '';
  let i = 0;
  while (i < text.length) {
    if (text.charAt(i) !== "'") return null;
    let j = i + 1;
    // The body ends at a quote that is not doubled; E-strings also escape quotes with a backslash.
    while (j < text.length) {
      const c = text.charAt(j);
      if (c === '\\' && decode === decodeEscapes) j += 2;
      else if (c === "'" && text.charAt(j + 1) === "'") j += 2;
      else if (c === "'") break;
      else j++;
    }
    if (j >= text.length) return null;
    const body = decode(text.slice(i + 1, j));
    if (body === null) return null;
    result += body;
    i = j + 1;
    const gapStart = i;
    while (i < text.length && /\s/.test(text.charAt(i))) i++;
    if (i < text.length && !text.slice(gapStart, i).includes('\n')) return null;
  }
  return result;
}

const simpleEscapes: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** E-string escapes, decoded as PostgreSQL's scanner does. */
function decodeEscapes(body: string): string | null {
  let out = '';
  let i = 0;
  while (i < body.length) {
    const c = body.charAt(i);
    if (c === "'") { out += "'"; i += 2; continue; } // a doubled quote
    if (c !== '\\') { out += c; i++; continue; }
    const escape = readEscape(body, i + 1);
    if (escape === null) return null;
    out += escape.text;
    i = escape.next;
  }
  return out;
}

const numericEscape = /^(?:x([0-9a-fA-F]{1,2})|([0-7]{1,3})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8}))/;

/**
 * The escape after a backslash at `at`. Byte escapes above 0x7f (whose
 * meaning depends on the bytes after them), NUL and surrogates are refused
 * rather than guessed; a refusal keeps the constant in the key verbatim.
 */
function readEscape(body: string, at: number): { text: string; next: number } | null {
  const e = body.charAt(at);
  const simple = simpleEscapes[e];
  if (simple !== undefined) return { text: simple, next: at + 1 };
  const m = numericEscape.exec(body.slice(at));
  if (m === null) {
    // \u and \U need their digits (PostgreSQL rejects the string); any other character stands for itself.
    return e === 'u' || e === 'U' ? null : { text: e, next: at + 1 };
  }
  const [matched, hex, octal, u4, u8] = m;
  const code = octal !== undefined ? parseInt(octal, 8) : parseInt(hex ?? u4 ?? u8 ?? '', 16);
  const isByte = hex !== undefined || octal !== undefined;
  if (code === 0 || (isByte && code > 0x7f) || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return null;
  return { text: String.fromCodePoint(code), next: at + matched.length };
}
