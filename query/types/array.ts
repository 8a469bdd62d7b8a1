// Array text I/O ('{1,2,NULL}', '{{1,2},{3,4}}', '{"a b",c}'), following
// PostgreSQL 15's array_in/array_out. Multi-dimensional arrays are nested
// JavaScript arrays and must be rectangular; lower bounds are always 1.

import { FeatureNotSupportedError, InvalidTextRepresentationError, ProgramLimitExceededError } from './errors.js';
import type { ScalarValue, SqlArray, SqlValue } from './value.js';

/** MAXDIM. */
export const arrayDimensionsMax = 6;

function malformed(text: string, detail: string): InvalidTextRepresentationError {
  return new InvalidTextRepresentationError(`malformed array literal: "${text}"`, { detail });
}

/** array_isspace(): the whitespace array literals skip. */
function isArraySpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';
}

/** An element's de-quoted text (null for NULL), or a nested level: the structure before element input. */
type RawValue = string | null | RawArray;
type RawArray = readonly RawValue[];

/**
 * Reads the brace structure first, as ArrayCount does, so a malformed literal
 * is reported as such even when an earlier element would not parse.
 */
class ArrayReader {
  pos = 0;
  /** Structure errors quote the literal from its first brace on, as PostgreSQL's ArrayCount does. */
  quoteFrom = 0;
  constructor(readonly text: string) {}

  skipSpace(): void {
    while (this.pos < this.text.length && isArraySpace(this.text.charAt(this.pos))) this.pos++;
  }
  fail(detail: string): never {
    throw malformed(this.text.slice(this.quoteFrom), detail);
  }
  /** One `{...}` level; `depth` is 1 for the outermost. */
  readLevel(depth: number): RawValue[] {
    if (depth > arrayDimensionsMax) {
      throw new ProgramLimitExceededError(`number of array dimensions (${depth}) exceeds the maximum allowed (${arrayDimensionsMax})`);
    }
    this.pos++; // '{'
    const items: RawValue[] = [];
    let nested: boolean | undefined;
    this.skipSpace();
    if (this.text[this.pos] === '}') {
      if (depth > 1) this.fail('Unexpected "}" character.');
      this.pos++;
      return items;
    }
    for (;;) {
      this.skipSpace();
      const c = this.text.charAt(this.pos);
      if (c === '') this.fail('Unexpected end of input.');
      if (c === '{') {
        if (nested === false) this.fail('Unexpected "{" character.');
        nested = true;
        items.push(this.readLevel(depth + 1));
      } else {
        if (nested === true) this.fail(c === ',' || c === '}' ? `Unexpected "${c}" character.` : 'Unexpected array element.');
        nested = false;
        items.push(this.readElement());
      }
      this.skipSpace();
      const d = this.text.charAt(this.pos++);
      if (d === '}') break;
      if (d === '') this.fail('Unexpected end of input.');
      if (d !== ',') this.fail(d === '"' ? 'Unexpected array element.' : `Unexpected "${d}" character.`);
    }
    if (nested === true) checkRectangular(items, this.text.slice(this.quoteFrom));
    return items;
  }
  /** ReadArrayStr for one element: quotes and backslashes removed; a bare NULL (no quoting at all) is null. */
  readElement(): string | null {
    const first = this.text.charAt(this.pos);
    if (first === ',' || first === '}') this.fail(`Unexpected "${first}" character.`);
    if (first === '"') {
      const value = this.readQuoted();
      this.skipSpace();
      const next = this.text.charAt(this.pos);
      if (next !== ',' && next !== '}') this.fail(next === '' ? 'Unexpected end of input.' : 'Unexpected array element.');
      return value;
    }
    let out = '';
    let escaped = false;
    let significantLength = 0; // trailing unescaped whitespace is dropped
    for (;;) {
      const c = this.text.charAt(this.pos);
      if (c === '' || c === ',' || c === '}') break;
      if (c === '{') this.fail('Unexpected "{" character.');
      if (c === '"') this.fail('Unexpected array element.');
      if (c === '\\') {
        const next = this.text.charAt(this.pos + 1);
        if (next === '') this.fail('Unexpected end of input.');
        out += next;
        this.pos += 2;
        escaped = true;
        significantLength = out.length;
        continue;
      }
      out += c;
      this.pos++;
      if (!isArraySpace(c)) significantLength = out.length;
    }
    const value = out.slice(0, significantLength);
    if (!escaped && /^null$/i.test(value)) return null;
    return value;
  }
  readQuoted(): string {
    this.pos++;
    let out = '';
    for (;;) {
      const c = this.text.charAt(this.pos);
      if (c === '') this.fail('Unexpected end of input.');
      this.pos++;
      if (c === '"') return out;
      if (c === '\\') {
        const next = this.text.charAt(this.pos);
        if (next === '') this.fail('Unexpected end of input.');
        out += next;
        this.pos++;
        continue;
      }
      out += c;
    }
  }
}

function checkRectangular(items: readonly RawValue[], text: string): void {
  const shape = (v: RawValue): string => (Array.isArray(v) ? `${v.length}[${v.length > 0 ? shape((v as RawArray)[0] ?? null) : ''}]` : '');
  const first = shape(items[0] ?? null);
  for (const item of items) {
    if (shape(item) !== first) throw malformed(text, 'Multidimensional arrays must have sub-arrays with matching dimensions.');
  }
}

/** Optional '[1:3]={...}' decoration; only lower bound 1 is supported. */
function readDimensions(reader: ArrayReader): number[] | null {
  const text = reader.text;
  if (text[reader.pos] !== '[') return null;
  const lengths: number[] = [];
  while (text[reader.pos] === '[') {
    const m = /^\[\s*(-?\d+)\s*(?::\s*(-?\d+)\s*)?\]/.exec(text.slice(reader.pos));
    if (m === null) reader.fail(/^\[\s*(-?\d+)?/.test(text.slice(reader.pos)) ? 'Missing "]" after array dimensions.' : 'Missing array dimension value.');
    const lower = m[2] === undefined ? 1 : Number(m[1]);
    const upper = Number(m[2] ?? m[1]);
    if (upper < lower) throw new InvalidTextRepresentationError('upper bound cannot be less than lower bound');
    if (lower !== 1) throw new FeatureNotSupportedError('array lower bounds other than 1 are not supported');
    lengths.push(upper - lower + 1);
    reader.pos += m[0].length;
    reader.skipSpace();
  }
  if (text[reader.pos] !== '=') reader.fail('Missing "=" after array dimensions.');
  reader.pos++;
  reader.skipSpace();
  if (text[reader.pos] !== '{') reader.fail('Array contents must start with "{".');
  return lengths;
}

function dimensionsOf(value: SqlArray | RawArray): number[] {
  const dims: number[] = [];
  let level: unknown = value;
  while (Array.isArray(level) && level.length > 0) {
    dims.push(level.length);
    level = (level as unknown[])[0];
  }
  return dims;
}

function parseElements(raw: RawArray, parseElement: (text: string) => ScalarValue): SqlValue[] {
  return raw.map((v) => (v === null ? null : typeof v === 'string' ? parseElement(v) : parseElements(v, parseElement)));
}

/** array_in with an element parser (the element type's input function). */
export function parseArray(text: string, parseElement: (text: string) => ScalarValue): SqlArray {
  const reader = new ArrayReader(text);
  reader.skipSpace();
  const declared = readDimensions(reader);
  if (text[reader.pos] !== '{') reader.fail('Array value must start with "{" or dimension information.');
  reader.quoteFrom = reader.pos;
  const raw = reader.readLevel(1);
  reader.skipSpace();
  if (reader.pos < text.length) reader.fail('Junk after closing right brace.');
  reader.quoteFrom = 0;
  if (declared !== null && dimensionsOf(raw).join() !== declared.join()) {
    reader.fail('Specified array dimensions do not match array contents.');
  }
  return parseElements(raw, parseElement);
}

/** array_out's quoting: empty, NULL-like, or containing {}",\ or whitespace. */
function quoteElement(s: string): string {
  if (s.length > 0 && !/^null$/i.test(s) && !/[{}",\\ \t\n\r\v\f]/.test(s)) return s;
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** array_out with an element formatter (the element type's output function). */
export function formatArray(value: SqlArray, formatElement: (value: ScalarValue) => string): string {
  const parts = value.map((item) => {
    if (item === null) return 'NULL';
    if (Array.isArray(item)) return formatArray(item as SqlArray, formatElement);
    return quoteElement(formatElement(item as ScalarValue));
  });
  return `{${parts.join(',')}}`;
}

/** Dimensions of a (rectangular) array value; [] for an empty array. */
export function arrayDimensions(value: SqlArray): number[] {
  return dimensionsOf(value);
}

/** Elements in row-major order. */
export function flattenArray(value: SqlArray): SqlValue[] {
  const out: SqlValue[] = [];
  const walk = (v: SqlArray, depth: number, dims: number): void => {
    for (const item of v) {
      if (depth < dims - 1) walk(item as SqlArray, depth + 1, dims); else out.push(item);
    }
  };
  walk(value, 0, dimensionsOf(value).length);
  return out;
}
