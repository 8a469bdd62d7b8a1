// A hand-written scanner for the statement cache's shape level: the cache key
// of a simple-protocol text with its numeric constants replaced by
// placeholders, plus where each constant sits. It costs a pass over the
// characters (about a microsecond for a pgbench statement), where
// libpg-query's scanSync costs more than parsing (README-perf.md).
//
// It covers the common subset of PostgreSQL's lexer and gives up (returns
// null) on everything else: comments, dollar quotes and `$n` parameters,
// E'', B'', X'', U&'' and N'' strings, backslashes, hex/octal/binary or `_`
// separated numbers, several statements, characters it does not know. A
// null costs nothing but the cache level: the text is parsed as before.
//
// Two texts with the same key lex to the same tokens except for the values
// of their numeric constants: every other character is kept as written, and
// each whitespace run becomes one space, or one newline when it holds a
// line break (PostgreSQL joins string constants separated by a newline).
// Each placeholder carries the constant's class (int4, int8, numeric, and
// the two magnitudes whose type changes when a '-' is folded in), so texts
// that share a key give their constants the same types.

/** Where one numeric constant sits in the text. */
export interface ShapeConstant {
  /** First character of the digits (or of the '.' of `.5`). */
  readonly start: number;
  readonly end: number;
  /** The constant as written, without sign. */
  readonly text: string;
  /** Offset of a '-' directly before it (whitespace between allowed), else -1. */
  readonly minusAt: number;
  readonly numeric: boolean;
}

export interface ShapeScan {
  readonly key: string;
  readonly constants: readonly ShapeConstant[];
  /** Start offset of every token, in order (for mapping error positions between texts of one key). */
  readonly tokenStarts: readonly number[];
}

/** Marks a placeholder in a key; never part of SQL text (PostgreSQL refuses NUL). */
const placeholderMark = '\u0000';

const enum Ch {
  tab = 9, newline = 10, verticalTab = 11, formFeed = 12, carriageReturn = 13, space = 32,
  quote = 39, doubleQuote = 34, dollar = 36, dot = 46, zero = 48, nine = 57, semicolon = 59,
  upperA = 65, upperE = 69, upperZ = 90, underscore = 95, lowerA = 97, lowerE = 101, lowerZ = 122,
  minus = 45, plus = 43, slash = 47, star = 42, ampersand = 38, backslash = 92,
}

function isSpace(c: number): boolean {
  return c === Ch.space || c === Ch.tab || c === Ch.newline || c === Ch.carriageReturn || c === Ch.formFeed || c === Ch.verticalTab;
}

function isDigit(c: number): boolean {
  return c >= Ch.zero && c <= Ch.nine;
}

function isIdentStart(c: number): boolean {
  return (c >= Ch.lowerA && c <= Ch.lowerZ) || (c >= Ch.upperA && c <= Ch.upperZ) || c === Ch.underscore || c >= 0x80;
}

function isIdentChar(c: number): boolean {
  return isIdentStart(c) || isDigit(c) || c === Ch.dollar;
}

// PostgreSQL's operator characters ("self" punctuation is handled apart).
const operatorChars = new Set('~!@#^&|`?+-*/%<>='.split('').map((s) => s.charCodeAt(0)));
const punctuation = new Set('(),[]:.;'.split('').map((s) => s.charCodeAt(0)));

const int4MaxText = '2147483647';
const int8MaxText = '9223372036854775807';

/** Compares two digit strings without leading zeros by magnitude. */
function compareDigits(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The class of an integer constant: its type, and whether folding a '-'
 * into it would change the type (2147483648 is int8, -2147483648 int4).
 */
function integerClass(digits: string): string {
  if (digits.length <= 9) return 'i4';
  let i = 0;
  while (i < digits.length - 1 && digits.charCodeAt(i) === Ch.zero) i++;
  const bare = i === 0 ? digits : digits.slice(i);
  const vs4 = compareDigits(bare, int4MaxText);
  if (vs4 <= 0) return 'i4';
  if (bare === '2147483648') return 'i4m';
  const vs8 = compareDigits(bare, int8MaxText);
  if (vs8 <= 0) return 'i8';
  if (bare === '9223372036854775808') return 'i8m';
  return 'n';
}

/** The key and constants of `text`, or null when it is outside the subset this scanner knows. */
export function scanShape(text: string): ShapeScan | null {
  const n = text.length;
  let key = '';
  let keyFrom = 0; // text[keyFrom, i) is still to be copied into the key verbatim
  const constants: ShapeConstant[] = [];
  const tokenStarts: number[] = [];
  let lastMinusAt = -1; // offset of a '-' that is the last token so far
  let sawTerminator = false;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      key += text.slice(keyFrom, i);
      let newline = false;
      while (i < n && isSpace(text.charCodeAt(i))) {
        const w = text.charCodeAt(i);
        if (w === Ch.newline || w === Ch.carriageReturn) newline = true;
        i++;
      }
      key += newline ? '\n' : ' ';
      keyFrom = i;
      continue;
    }
    if (sawTerminator) return null; // something after ';': several statements
    tokenStarts.push(i);
    const minusBefore = lastMinusAt;
    lastMinusAt = -1;
    if (isIdentStart(c)) {
      let j = i + 1;
      while (j < n && isIdentChar(text.charCodeAt(j))) j++;
      // E'..', B'..', X'..', N'..', U&'..' and U&"..": prefixed constants and identifiers.
      const next = text.charCodeAt(j);
      if (next === Ch.quote || (next === Ch.ampersand && j === i + 1 && (c === 85 || c === 117))) return null;
      i = j;
      continue;
    }
    if (isDigit(c) || (c === Ch.dot && isDigit(text.charCodeAt(i + 1)))) {
      const end = scanNumber(text, i);
      if (end < 0) return null;
      const written = text.slice(i, end);
      const numeric = !/^[0-9]+$/.test(written);
      key += text.slice(keyFrom, i) + placeholderMark + (numeric ? 'n' : integerClass(written));
      keyFrom = end;
      constants.push({ start: i, end, text: written, minusAt: minusBefore, numeric });
      i = end;
      continue;
    }
    if (c === Ch.quote || c === Ch.doubleQuote) {
      const end = scanQuoted(text, i, c);
      if (end < 0) return null;
      i = end;
      continue;
    }
    if (operatorChars.has(c)) {
      let j = i;
      while (j < n && operatorChars.has(text.charCodeAt(j))) {
        const o = text.charCodeAt(j);
        const p = text.charCodeAt(j + 1);
        if ((o === Ch.minus && p === Ch.minus) || (o === Ch.slash && p === Ch.star)) return null; // a comment
        j++;
      }
      // PostgreSQL splits operators by rules (a trailing + or - is cut off);
      // the key keeps the characters, so only the '-' right before a number matters here.
      if (text.charCodeAt(j - 1) === Ch.minus) lastMinusAt = j - 1;
      i = j;
      continue;
    }
    if (punctuation.has(c)) {
      if (c === Ch.semicolon) sawTerminator = true;
      i++;
      continue;
    }
    return null; // '$', '\', or anything else this scanner does not know
  }
  key += text.slice(keyFrom, n);
  return { key, constants, tokenStarts };
}

/** End of the number starting at `start`, or -1 for forms left to the real lexer. */
function scanNumber(text: string, start: number): number {
  const n = text.length;
  let i = start;
  while (i < n && isDigit(text.charCodeAt(i))) i++;
  if (text.charCodeAt(i) === Ch.dot) {
    if (text.charCodeAt(i + 1) === Ch.dot) return -1; // `1..2`
    i++;
    while (i < n && isDigit(text.charCodeAt(i))) i++;
  }
  const e = text.charCodeAt(i);
  if (e === Ch.lowerE || e === Ch.upperE) {
    let j = i + 1;
    const sign = text.charCodeAt(j);
    if (sign === Ch.plus || sign === Ch.minus) j++;
    if (!isDigit(text.charCodeAt(j))) return -1;
    while (j < n && isDigit(text.charCodeAt(j))) j++;
    i = j;
  }
  // `0x1F`, `1_000`, `1abc`, `1.5.`: left to libpg-query.
  const after = text.charCodeAt(i);
  if (isIdentChar(after) || after === Ch.dot) return -1;
  return i;
}

/** End of a '...' or "..." token (doubled quotes inside), or -1 when unterminated or holding a backslash. */
function scanQuoted(text: string, start: number, quote: number): number {
  const n = text.length;
  let i = start + 1;
  for (;;) {
    if (i >= n) return -1;
    const c = text.charCodeAt(i);
    // A backslash means something only without standard_conforming_strings; keep away.
    if (c === Ch.backslash && quote === Ch.quote) return -1;
    if (c === quote) {
      if (text.charCodeAt(i + 1) === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
}

/**
 * Maps a 0-based offset in `from` (a text of some key) to the same place in
 * `to` (another text of that key), by token: the token holding the offset,
 * and the same distance into it (cut at a constant's end, whose length may
 * differ).
 */
export function mapOffset(from: ShapeScan, to: ShapeScan, offset: number): number {
  let index = -1;
  for (let t = 0; t < from.tokenStarts.length; t++) {
    if ((from.tokenStarts[t] ?? 0) <= offset) index = t;
    else break;
  }
  if (index < 0) return offset;
  const fromStart = from.tokenStarts[index] ?? 0;
  const toStart = to.tokenStarts[index] ?? 0;
  const constant = from.constants.find((c) => c.start === fromStart);
  const delta = constant === undefined ? offset - fromStart : 0;
  return toStart + delta;
}
