// COPY FROM's data, in PostgreSQL's text and CSV formats, as it arrives in
// chunks: UTF-8 is decoded incrementally, records are cut at line ends (CSV
// records may span lines inside quotes; in text a backslash makes the next
// character data, a line end included), a `\.` line ends the data, and
// each record's fields are handed on with the line it started on. Errors
// carry PostgreSQL's messages; the caller adds the line to the context.
//
// Line ends are \n, \r\n or a lone \r, whichever the first line uses; a
// different one later is an error, as in PostgreSQL (CopyReadLineText).

import { EngineSqlState } from '../errors.js';
import { copyLineBytesMax } from '../limits.js';
import { appliesTo, type CopyFormat } from './copy-options.js';

export interface CopyRecord {
  /** One per column; null is SQL NULL. */
  readonly fields: readonly (string | null)[];
  /** 1-based line of the input the record starts on. */
  readonly line: number;
}

/** A data error at a line (the sink turns it into `COPY t, line n` context). */
export class CopyLineError extends Error {
  readonly hint: string | undefined;
  constructor(readonly line: number, readonly sqlState: string, message: string, readonly column?: string, readonly value?: string, hint?: string) {
    super(message);
    this.hint = hint;
  }
}

/** The line end the data uses, fixed by its first line (PostgreSQL's EolType). */
type LineEnd = 'unknown' | 'nl' | 'crnl' | 'cr';

const textEscapes: Readonly<Record<string, string>> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

export class CopyParser {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private buffer = '';
  /** How far the current record was scanned, and (CSV) whether that point is inside quotes. */
  private scanned = 0;
  private inQuotes = false;
  private lineEnd: LineEnd = 'unknown';
  /** Length of the line end found by the last recordEnd() (1 or 2). */
  private lineEndLength = 1;
  /** Lines consumed before the current record. */
  private linesDone = 0;
  private headerPending: boolean;
  private ended = false;

  constructor(
    private readonly format: CopyFormat,
    private readonly columns: readonly string[],
    private readonly onRecord: (record: CopyRecord) => void,
  ) {
    this.headerPending = format.header !== false;
  }

  push(chunk: Uint8Array): void {
    if (this.ended) return;
    this.buffer += this.decode(chunk, true);
    this.drain(false);
  }

  finish(): void {
    if (!this.ended) this.buffer += this.decode(new Uint8Array(0), false);
    this.drain(true);
  }

  private decode(chunk: Uint8Array, stream: boolean): string {
    try {
      return this.decoder.decode(chunk, { stream });
    } catch {
      throw new CopyLineError(this.linesDone + 1, EngineSqlState.characterNotInRepertoire, 'invalid byte sequence for encoding "UTF8"');
    }
  }

  private drain(final: boolean): void {
    let start = 0;
    while (!this.ended) {
      const end = this.recordEnd(start, final);
      if (end < 0) break;
      this.record(this.buffer.slice(start, end), this.lineCount(start, end) + 1);
      start = end + this.lineEndLength;
      this.scanned = start;
    }
    this.buffer = this.ended ? '' : this.buffer.slice(start);
    this.scanned = Math.max(0, this.scanned - start);
    if (final && !this.ended && this.buffer.length > 0) {
      if (this.format.csv && this.inQuotes) throw new CopyLineError(this.linesDone + 1, EngineSqlState.badCopyFileFormat, 'unterminated CSV quoted field');
      const rest = this.buffer;
      const lines = this.lineCount(0, rest.length) + 1;
      this.buffer = '';
      this.record(rest, lines);
    }
    if (this.buffer.length > copyLineBytesMax) {
      throw new CopyLineError(this.linesDone + 1, EngineSqlState.programLimitExceeded, `COPY line longer than ${copyLineBytesMax} bytes`);
    }
  }

  /** Lines a record spans (CSV quoted newlines count). */
  private lineCount(start: number, end: number): number {
    let n = 0;
    for (let i = this.buffer.indexOf('\n', start); i >= 0 && i < end; i = this.buffer.indexOf('\n', i + 1)) n++;
    return n;
  }

  /**
   * The index of the line end closing the record at `start` (its length in
   * lineEndLength), or -1 when the record is not complete yet. At the end of
   * the data (`final`) a trailing backslash or \r needs no next character.
   */
  private recordEnd(start: number, final: boolean): number {
    const buffer = this.buffer;
    let i = Math.max(this.scanned, start);
    if (i === start) this.inQuotes = false;
    while (i < buffer.length) {
      i = this.format.csv ? this.csvSpecial(i) : textSpecial(buffer, i);
      if (i < 0 || i >= buffer.length) {
        if (i < 0) i = buffer.length - 1; // an escape character waiting for the next one
        break;
      }
      const c = buffer[i];
      if (c === '\\') {
        if (i + 1 >= buffer.length && !final) break;
        i += 2; // text: the next character is data, even a line end
        continue;
      }
      if (c === '\n') {
        if (this.lineEnd === 'cr' || this.lineEnd === 'crnl') throw this.lineEndError('newline');
        this.lineEnd = 'nl';
        this.lineEndLength = 1;
        return this.found(i);
      }
      // \r: a line end of its own or the start of \r\n.
      if (this.lineEnd === 'nl') throw this.lineEndError('carriage return');
      if (i + 1 >= buffer.length && !final) break;
      if (buffer[i + 1] === '\n') {
        this.lineEnd = 'crnl';
        this.lineEndLength = 2;
        return this.found(i);
      }
      if (this.lineEnd === 'crnl') throw this.lineEndError('carriage return');
      this.lineEnd = 'cr';
      this.lineEndLength = 1;
      return this.found(i);
    }
    this.scanned = Math.min(i, buffer.length);
    return -1;
  }

  private found(i: number): number {
    this.scanned = i;
    return i;
  }

  /**
   * CSV: from `i`, the next line end outside quotes (the buffer's length if
   * none), or -1 when an escape character ends the buffer inside quotes.
   */
  private csvSpecial(from: number): number {
    const { quote, escape } = this.format;
    const buffer = this.buffer;
    for (let i = from; i < buffer.length; i++) {
      const c = buffer[i];
      if (this.inQuotes) {
        if (c === escape && escape !== quote && i + 1 < buffer.length && (buffer[i + 1] === quote || buffer[i + 1] === escape)) i++;
        else if (c === escape && escape !== quote && i + 1 >= buffer.length) return -1;
        else if (c === quote) this.inQuotes = false;
      } else if (c === quote) {
        this.inQuotes = true;
      } else if (c === '\n' || c === '\r') {
        return i;
      }
    }
    return buffer.length;
  }

  private lineEndError(what: 'newline' | 'carriage return'): CopyLineError {
    const csv = this.format.csv;
    const escape = what === 'newline' ? '\\n' : '\\r';
    return new CopyLineError(
      this.linesDone + 1, EngineSqlState.badCopyFileFormat, `${csv ? 'unquoted' : 'literal'} ${what} found in data`, undefined, undefined,
      csv ? `Use quoted CSV field to represent ${what}.` : `Use "${escape}" to represent ${what}.`,
    );
  }

  private record(raw: string, lines: number): void {
    const line = this.linesDone + 1;
    this.linesDone += lines;
    const text = raw;
    if (text === '\\.') {
      this.ended = true;
      return;
    }
    const fields = this.format.csv ? this.csvFields(text, line) : this.textFields(text, line);
    if (this.headerPending) {
      this.headerPending = false;
      if (this.format.header === 'match') this.matchHeader(fields, line);
      return;
    }
    if (fields.length < this.columns.length) {
      throw new CopyLineError(line, EngineSqlState.badCopyFileFormat, `missing data for column "${this.columns[fields.length] ?? ''}"`);
    }
    if (fields.length > this.columns.length) throw new CopyLineError(line, EngineSqlState.badCopyFileFormat, 'extra data after last expected column');
    this.onRecord({ fields, line });
  }

  private matchHeader(fields: readonly (string | null)[], line: number): void {
    if (fields.length !== this.columns.length) {
      throw new CopyLineError(line, EngineSqlState.badCopyFileFormat, `wrong number of fields in header line: got ${fields.length}, expected ${this.columns.length}`);
    }
    fields.forEach((f, i) => {
      if (f !== this.columns[i]) {
        throw new CopyLineError(line, EngineSqlState.badCopyFileFormat, `column name mismatch in header line field ${i + 1}: got "${f ?? ''}", expected "${this.columns[i] ?? ''}"`);
      }
    });
  }

  /** Text format: split at unescaped delimiters; `\N` (the null string) compares before unescaping. */
  private textFields(text: string, line: number): (string | null)[] {
    const { delimiter, nullText } = this.format;
    if (!text.includes('\\')) {
      // No escapes (most data): fields cut at each indexOf, not a loop over
      // every character (issue 5); measured faster than String#split too.
      const plain: (string | null)[] = [];
      for (let start = 0; ;) {
        const at = text.indexOf(delimiter, start);
        const raw = at < 0 ? text.slice(start) : text.slice(start, at);
        plain.push(raw === nullText ? null : raw);
        if (at < 0) return plain;
        start = at + 1;
      }
    }
    const fields: (string | null)[] = [];
    let fieldStart = 0;
    for (let i = 0; i <= text.length; i++) {
      if (i < text.length && text[i] === '\\') {
        i++;
        continue;
      }
      if (i < text.length && text[i] !== delimiter) continue;
      const raw = text.slice(fieldStart, i);
      fields.push(raw === nullText ? null : unescapeText(raw, line));
      fieldStart = i + 1;
    }
    return fields;
  }

  private csvFields(text: string, line: number): (string | null)[] {
    const { delimiter, quote, escape } = this.format;
    const fields: (string | null)[] = [];
    let i = 0;
    for (;;) {
      let value = '';
      let quoted = false;
      while (i < text.length && text[i] !== delimiter) {
        if (text[i] !== quote) {
          value += text[i++];
          continue;
        }
        quoted = true;
        i++;
        for (;;) {
          if (i >= text.length) throw new CopyLineError(line, EngineSqlState.badCopyFileFormat, 'unterminated CSV quoted field');
          const c = text[i] as string;
          const next = text[i + 1];
          if (c === escape && (next === quote || next === escape)) {
            value += next;
            i += 2;
          } else if (c === quote) {
            i++;
            break;
          } else {
            value += c;
            i++;
          }
        }
      }
      fields.push(this.csvValue(value, quoted, fields.length));
      if (i >= text.length) return fields;
      i++; // the delimiter
    }
  }

  private csvValue(value: string, quoted: boolean, index: number): string | null {
    const column = this.columns[index] ?? '';
    if (value !== this.format.nullText) return value;
    if (!quoted) return appliesTo(this.format.forceNotNull, column) ? value : null;
    return appliesTo(this.format.forceNull, column) ? null : value;
  }
}

const textSpecials = /[\\\r\n]/g;

/** Text format: the index of the next backslash or line end from `from` (the buffer's length if none). */
function textSpecial(buffer: string, from: number): number {
  textSpecials.lastIndex = from;
  const match = textSpecials.exec(buffer);
  return match === null ? buffer.length : match.index;
}

/** PostgreSQL's text-format escapes: \b \f \n \r \t \v, \ooo (octal byte), \xhh (hex byte), \c (c itself). */
export function unescapeText(raw: string, line: number): string {
  if (!raw.includes('\\')) return raw;
  let out = '';
  let bytes: number[] = [];
  const flush = (): void => {
    if (bytes.length === 0) return;
    try {
      out += new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(bytes));
    } catch {
      throw new CopyLineError(line, EngineSqlState.characterNotInRepertoire, 'invalid byte sequence for encoding "UTF8"');
    }
    bytes = [];
  };
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    if (c !== '\\' || i + 1 >= raw.length) {
      flush();
      out += c;
      continue;
    }
    const n = raw[++i] as string;
    const octal = /^[0-7]{1,3}/.exec(raw.slice(i, i + 3));
    const hex = n === 'x' ? /^[0-9a-fA-F]{1,2}/.exec(raw.slice(i + 1, i + 3)) : null;
    if (octal !== null) {
      bytes.push(parseInt(octal[0], 8) & 0xff);
      i += octal[0].length - 1;
    } else if (hex !== null) {
      bytes.push(parseInt(hex[0], 16));
      i += hex[0].length;
    } else {
      flush();
      out += textEscapes[n] ?? n;
    }
  }
  flush();
  return out;
}
