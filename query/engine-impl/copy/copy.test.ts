import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CopyOptions } from '../../ast/index.js';
import { formatCopyHeader, formatCopyLine } from './copy-format.js';
import { copyFormat, type CopyFormat } from './copy-options.js';
import type { CopyLineError} from './copy-parser.js';
import { CopyParser, type CopyRecord } from './copy-parser.js';

const defaults: CopyOptions = {
  format: 'text', header: false, delimiter: null, null: null, default: null, quote: null, escape: null,
  forceQuote: null, forceNotNull: null, forceNull: null, freeze: false, encoding: null,
};

function fmt(options: Partial<CopyOptions> = {}, direction: 'from' | 'to' = 'from'): CopyFormat {
  return copyFormat({ ...defaults, ...options }, direction);
}

/** Parses `data` fed in chunks of `chunk` bytes. */
function parse(data: string, format: CopyFormat, columns = ['a', 'b'], chunk = 1_000_000): CopyRecord[] {
  const out: CopyRecord[] = [];
  const parser = new CopyParser(format, columns, (r) => out.push(r));
  const bytes = Buffer.from(data, 'utf8');
  for (let i = 0; i < bytes.length; i += chunk) parser.push(bytes.subarray(i, i + chunk));
  parser.finish();
  return out;
}

function fields(data: string, format: CopyFormat, columns = ['a', 'b']): (string | null)[][] {
  return parse(data, format, columns).map((r) => [...r.fields]);
}

describe('COPY text format', () => {
  it('splits at tabs, reads \\N as NULL and unescapes', () => {
    expect(fields('1\tx\n2\t\\N\n3\ta\\tb\\\\c\\nd\n', fmt())).toEqual([['1', 'x'], ['2', null], ['3', 'a\tb\\c\nd']]);
  });

  it('cuts rows without escapes the same way: empty fields, NULL first and last, a custom null string', () => {
    const four = ['a', 'b', 'c', 'd'];
    expect(fields('\\N\t\t\t\n\tx\t\\N\t\\N\n', fmt(), four)).toEqual([[null, '', '', ''], ['', 'x', null, null]]);
    expect(fields('-|NUL|NULL|\n', fmt({ delimiter: '|', null: 'NUL' }), four)).toEqual([['-', null, 'NULL', '']]);
    expect(() => fields('1\t2\t3\n', fmt())).toThrow(/extra data after last expected column/);
  });

  it('reads octal and hex escapes as UTF-8 bytes', () => {
    expect(fields('\\303\\251\t\\x41\\101\n', fmt())).toEqual([['é', 'AA']]);
  });

  it('an escaped delimiter is data', () => {
    expect(fields('a\\|b|c\n', fmt({ delimiter: '|' }))).toEqual([['a|b', 'c']]);
  });

  it('stops at \\. and accepts CRLF and a last line without newline', () => {
    expect(fields('1\tx\r\n2\ty', fmt())).toEqual([['1', 'x'], ['2', 'y']]);
    expect(fields('1\tx\n\\.\ngarbage\n', fmt())).toEqual([['1', 'x']]);
  });

  it('line ends: \\r\\n or a lone \\r as the first line has them; another one later is an error', () => {
    expect(fields('1\tx\r2\ty\r', fmt())).toEqual([['1', 'x'], ['2', 'y']]);
    for (let chunk = 1; chunk < 5; chunk++) {
      expect(parse('1\tx\r2\ty\\\r\r3\tz', fmt(), ['a', 'b'], chunk).map((r) => r.fields)).toEqual([['1', 'x'], ['2', 'y\r'], ['3', 'z']]);
      expect(parse('1,"a\rb"\r2,c\r', fmt({ format: 'csv' }), ['a', 'b'], chunk).map((r) => r.fields)).toEqual([['1', 'a\rb'], ['2', 'c']]);
    }
    expect(fields('1\tx\r\n2\ty\r\n\\.\r\n', fmt())).toEqual([['1', 'x'], ['2', 'y']]);
    expect(() => parse('1\tx\n2\ty\r\n', fmt())).toThrow(expect.objectContaining({ line: 2, message: 'literal carriage return found in data', hint: 'Use "\\r" to represent carriage return.' }));
    expect(() => parse('1\tx\r\n2\ty\n', fmt())).toThrow(expect.objectContaining({ line: 2, message: 'literal newline found in data' }));
    expect(() => parse('1\tx\r\n2\ty\rz\r\n', fmt())).toThrow(expect.objectContaining({ message: 'literal carriage return found in data' }));
    expect(() => parse('1,x\n2,y\r\n', fmt({ format: 'csv' }))).toThrow(expect.objectContaining({ message: 'unquoted carriage return found in data', hint: 'Use quoted CSV field to represent carriage return.' }));
    expect(() => parse('1,x\r\n2,y\n', fmt({ format: 'csv' }))).toThrow(expect.objectContaining({ message: 'unquoted newline found in data' }));
    expect(fields('1,"a\r\nb"\n2,"\r"\n', fmt({ format: 'csv' }))).toEqual([['1', 'a\r\nb'], ['2', '\r']]);
  });

  it('a backslash makes a line end data', () => {
    expect(fields('1\ta\\\nb\n2\tc\\\r\n', fmt())).toEqual([['1', 'a\nb'], ['2', 'c\r']]);
  });

  it('compares the NULL string before unescaping', () => {
    expect(fields('NULL\t\\N\n', fmt({ null: 'NULL' }))).toEqual([[null, 'N']]);
  });

  it('reports a missing or extra column with its line number', () => {
    const error = (data: string): CopyLineError => {
      try {
        parse(data, fmt());
      } catch (e) {
        return e as CopyLineError;
      }
      throw new Error('expected an error');
    };
    expect(error('1\tx\n2\n')).toMatchObject({ line: 2, sqlState: '22P04', message: 'missing data for column "b"' });
    expect(error('1\tx\n2\ty\n3\ty\tz\n')).toMatchObject({ line: 3, sqlState: '22P04', message: 'extra data after last expected column' });
  });

  it('gives the same records however the input is cut into chunks', () => {
    const data = 'é1\tx\\ty\r\n\\N\tz\r\n3\t\\303\\251\r\n';
    const whole = parse(data, fmt());
    for (let chunk = 1; chunk < 8; chunk++) expect(parse(data, fmt(), ['a', 'b'], chunk)).toEqual(whole);
  });
});

describe('COPY CSV format', () => {
  const csv = fmt({ format: 'csv' });

  it('reads quoted fields with doubled quotes, delimiters and newlines', () => {
    const records = parse('1,"a,b"\n2,"say ""hi"""\n3,"multi\nline"\n4,x\n', csv);
    expect(records.map((r) => r.fields)).toEqual([['1', 'a,b'], ['2', 'say "hi"'], ['3', 'multi\nline'], ['4', 'x']]);
    expect(records.map((r) => r.line)).toEqual([1, 2, 3, 5]);
  });

  it('an unquoted empty field is NULL, a quoted one an empty string', () => {
    expect(fields(',""\n', csv)).toEqual([[null, '']]);
  });

  it('FORCE_NOT_NULL and FORCE_NULL', () => {
    expect(fields(',""\n', fmt({ format: 'csv', forceNotNull: { kind: 'columns', columns: ['a'] }, forceNull: { kind: 'all' } }))).toEqual([['', null]]);
  });

  it('a separate escape character', () => {
    expect(fields('1,"a\\"b\\\\"\n', fmt({ format: 'csv', escape: '\\' }))).toEqual([['1', 'a"b\\']]);
  });

  it('skips the header, or matches it', () => {
    expect(fields('a,b\n1,2\n', fmt({ format: 'csv', header: true }))).toEqual([['1', '2']]);
    expect(fields('a,b\n1,2\n', fmt({ format: 'csv', header: 'match' }))).toEqual([['1', '2']]);
    expect(() => parse('a,c\n1,2\n', fmt({ format: 'csv', header: 'match' }))).toThrow('column name mismatch in header line field 2: got "c", expected "b"');
  });

  it('an unterminated quote is an error at the line it started on', () => {
    expect(() => parse('1,x\n2,"open\n', csv)).toThrow(expect.objectContaining({ line: 2, message: 'unterminated CSV quoted field' }));
  });

  it('gives the same records however the input is cut into chunks', () => {
    const data = '1,"a ""q"" \n b"\r\n2,\r\n"3",é\r\n';
    const whole = parse(data, csv);
    for (let chunk = 1; chunk < 8; chunk++) expect(parse(data, csv, ['a', 'b'], chunk)).toEqual(whole);
  });
});

describe('COPY options', () => {
  it('refuses what PostgreSQL refuses', () => {
    expect(() => fmt({ quote: "'" })).toThrow('COPY quote available only in CSV mode');
    expect(() => fmt({ format: 'csv', delimiter: '"' })).toThrow('COPY delimiter and quote must be different');
    expect(() => fmt({ delimiter: 'ab' })).toThrow('COPY delimiter must be a single one-byte character');
    expect(() => fmt({ format: 'csv', forceQuote: { kind: 'all' } }, 'from')).toThrow('FORCE_QUOTE cannot be used with COPY FROM');
  });
});

describe('COPY TO formatting', () => {
  it('text: escapes backslashes, control characters and the delimiter', () => {
    expect(formatCopyLine(['a\tb', null, 'c\\d\ne'], ['x', 'y', 'z'], fmt({}, 'to'))).toBe('a\\tb\t\\N\tc\\\\d\\ne\n');
  });

  it('CSV: quotes when needed, FORCE_QUOTE, and a header', () => {
    const csv = fmt({ format: 'csv', forceQuote: { kind: 'columns', columns: ['y'] } }, 'to');
    expect(formatCopyLine(['a,b', 'plain', 'say "x"', '', null], ['x', 'y', 'z', 'w', 'v'], csv)).toBe('"a,b","plain","say ""x""","",\n');
    expect(formatCopyHeader(['id', 'na,me'], csv)).toBe('id,"na,me"\n');
    // \. is quoted only where it would stand alone on a line.
    expect(formatCopyLine(['\\.', '\\.'], ['x', 'z'], csv)).toBe('\\.,\\.\n');
    expect(formatCopyLine(['\\.'], ['x'], csv)).toBe('"\\."\n');
  });

  it('what COPY TO writes, COPY FROM reads back (text and CSV)', () => {
    const value = fc.option(fc.string({ unit: 'grapheme' }), { nil: null });
    fc.assert(fc.property(fc.array(fc.tuple(value, value), { maxLength: 10 }), fc.constantFrom('text', 'csv'), (rows, kind) => {
      const out = fmt({ format: kind as 'text' | 'csv' }, 'to');
      const data = rows.map((r) => formatCopyLine(r, ['a', 'b'], out)).join('');
      const back = fields(data, fmt({ format: kind as 'text' | 'csv' }));
      expect(back).toEqual(rows.map((r) => [...r]));
    }), { numRuns: 300 });
  });
});
