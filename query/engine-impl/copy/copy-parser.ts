// COPY FROM's data, in PostgreSQL's text and CSV formats, as it arrives in
// chunks: UTF-8 is decoded incrementally, records are cut at newlines (CSV
// records may span lines inside quotes), a `\.` line ends the data, and
// each record's fields are handed on with the line it started on. Errors
// carry PostgreSQL's messages; the caller adds the line to the context.

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
  constructor(readonly line: number, readonly sqlState: string, message: string, readonly column?: string, readonly value?: string) {
    super(message);
  }
}

const textEscapes: Readonly<Record<string, string>> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

export class CopyParser {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private buffer = '';
  /** CSV: how far the current record was scanned, and whether that point is inside quotes. */
  private scanned = 0;
  private inQuotes = false;
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
      const end = this.format.csv ? this.csvRecordEnd(start) : this.buffer.indexOf('\n', start);
      if (end < 0) break;
      this.record(this.buffer.slice(start, end), this.lineCount(start, end) + 1);
      start = end + 1;
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

  /** The index of the newline ending the CSV record at `start`, or -1 when it is not complete yet. */
  private csvRecordEnd(start: number): number {
    const { quote, escape } = this.format;
    let i = Math.max(this.scanned, start);
    if (i === start) this.inQuotes = false;
    for (; i < this.buffer.length; i++) {
      const c = this.buffer[i];
      if (this.inQuotes) {
        if (c === escape && escape !== quote && i + 1 < this.buffer.length && (this.buffer[i + 1] === quote || this.buffer[i + 1] === escape)) i++;
        else if (c === escape && escape !== quote && i + 1 >= this.buffer.length) break;
        else if (c === quote) this.inQuotes = false;
      } else if (c === quote) {
        this.inQuotes = true;
      } else if (c === '\n') {
        this.scanned = i;
        return i;
      }
    }
    this.scanned = i;
    return -1;
  }

  private record(raw: string, lines: number): void {
    const line = this.linesDone + 1;
    this.linesDone += lines;
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
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
