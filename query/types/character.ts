// text, varchar(n) and char(n). Lengths count characters (code points), as
// PostgreSQL does in UTF-8. Comparison is by code point: ThunderDB uses the C
// collation (see DESIGN.md).

import { CharacterNotInRepertoireError, StringDataRightTruncationError } from './errors.js';

declare global {
  interface String {
    /** ES2024, in Node 20; the project's lib is ES2023. */
    isWellFormed(): boolean;
  }
}

/**
 * Rejects what PostgreSQL's UTF-8 text cannot hold: NUL and unpaired
 * surrogates (which have no UTF-8 encoding).
 */
export function checkText(text: string): string {
  // Native checks first: the regex test was a visible share of a COPY's parsing (issue 5).
  if (text.isWellFormed() && !text.includes('\0')) return text;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) throw new CharacterNotInRepertoireError('invalid byte sequence for encoding "UTF8": 0x00');
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) { i++; continue; }
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      throw new CharacterNotInRepertoireError(`invalid byte sequence for encoding "UTF8": 0x${(0xe0 | (c >> 12)).toString(16)} 0x${(0x80 | ((c >> 6) & 0x3f)).toString(16)} 0x${(0x80 | (c & 0x3f)).toString(16)}`);
    }
  }
  return text;
}

/** Length in characters (code points). */
export function characterLength(text: string): number {
  let length = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) { length--; i++; }
  }
  return length;
}

/** The UTF-16 index just past the first `count` code points. */
function indexAfterCharacters(text: string, count: number): number {
  let i = 0;
  for (let n = 0; n < count && i < text.length; n++) {
    const c = text.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
  }
  return i;
}

export type LengthCoercion = 'explicit' | 'assignment';

function tooLong(kind: 'varchar' | 'bpchar', length: number): StringDataRightTruncationError {
  const name = kind === 'varchar' ? 'character varying' : 'character';
  return new StringDataRightTruncationError(`value too long for type ${name}(${length})`);
}

/**
 * varchar(n): an explicit cast truncates silently; assignment (and input)
 * may drop only trailing spaces beyond n, anything else is 22001.
 */
export function coerceVarchar(text: string, length: number, mode: LengthCoercion): string {
  if (text.length <= length) return text;
  if (characterLength(text) <= length) return text;
  const cut = indexAfterCharacters(text, length);
  if (mode === 'assignment' && !/^ *$/.test(text.slice(cut))) throw tooLong('varchar', length);
  return text.slice(0, cut);
}

/** char(n): the same truncation rules, then blank-padded to n characters. */
export function coerceBpchar(text: string, length: number, mode: LengthCoercion): string {
  const chars = characterLength(text);
  if (chars === length) return text;
  if (chars < length) return text + ' '.repeat(length - chars);
  const cut = indexAfterCharacters(text, length);
  if (mode === 'assignment' && !/^ *$/.test(text.slice(cut))) throw tooLong('bpchar', length);
  return text.slice(0, cut);
}

/** char(n) → text/varchar drops trailing blanks; so do its comparisons and hashes. */
export function bpcharTrimmed(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0x20) end--;
  return end === text.length ? text : text.slice(0, end);
}

/**
 * C-collation order: by code point. JavaScript's `<` compares UTF-16 code
 * units, which differs once surrogate pairs meet U+E000..U+FFFF, so the first
 * differing unit is remapped.
 */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) < codePointRank(y) ? -1 : 1;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

function codePointRank(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800;
  if (unit >= 0xd800) return unit + 0x2000;
  return unit;
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeUtf8(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

/** Strict UTF-8 decoding: invalid bytes are 22021, as in PostgreSQL. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return checkText(utf8Decoder.decode(bytes));
  } catch (error) {
    if (error instanceof TypeError) throw invalidUtf8(bytes);
    throw error;
  }
}

/** Length of the sequence a UTF-8 lead byte announces (pg_utf_mblen). */
function utf8SequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if ((lead & 0xe0) === 0xc0) return 2;
  if ((lead & 0xf0) === 0xe0) return 3;
  if ((lead & 0xf8) === 0xf0) return 4;
  return 1;
}

/** report_invalid_encoding(): names the bytes of the first invalid sequence. */
function invalidUtf8(bytes: Uint8Array): CharacterNotInRepertoireError {
  let i = 0;
  while (i < bytes.length) {
    const length = utf8SequenceLength(bytes[i] ?? 0);
    const sequence = bytes.subarray(i, i + length);
    if (sequence.length === length && (length > 1 || (bytes[i] ?? 0) < 0x80)) {
      try {
        utf8Decoder.decode(sequence);
        i += length;
        continue;
      } catch {
        // fall through: this is the invalid sequence
      }
    }
    const shown = [...sequence].map((b) => `0x${b.toString(16).padStart(2, '0')}`).join(' ');
    return new CharacterNotInRepertoireError(`invalid byte sequence for encoding "UTF8": ${shown}`);
  }
  return new CharacterNotInRepertoireError('invalid byte sequence for encoding "UTF8"');
}
