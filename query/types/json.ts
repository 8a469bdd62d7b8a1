// json and jsonb. json keeps the input text verbatim after validating it;
// jsonb is parsed into a normalised tree (numbers are numeric, object keys
// sorted by byte length then bytes, duplicate keys resolved last-wins) and
// printed in PostgreSQL's jsonb style: {"a": 1, "b": [1, 2]}.

import { InvalidTextRepresentationError, ProgramLimitExceededError, UntranslatableCharacterError } from './errors.js';
import { compareText } from './character.js';
import { Decimal, formatNumeric, parseNumeric } from './numeric/decimal.js';
import { compareNumeric } from './numeric/numeric-math.js';

/** Nesting deeper than this is refused (PostgreSQL's limit is the stack depth). */
export const jsonNestingDepthMax = 1000;

export type JsonbValue = null | boolean | string | Decimal | readonly JsonbValue[] | JsonbObject;

/** An object with keys in jsonb storage order and no duplicates. */
export class JsonbObject {
  constructor(readonly keys: readonly string[], readonly values: readonly JsonbValue[]) {}
  get(key: string): JsonbValue | undefined {
    const i = this.keys.indexOf(key);
    return i < 0 ? undefined : this.values[i];
  }
}

/** A jsonb datum: a wrapper, because the JSON value null must not be confused with SQL NULL. */
export class Jsonb {
  constructor(readonly root: JsonbValue) {}
  toString(): string {
    return formatJsonb(this);
  }
}

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) { n += 4; i++; } else n += 3;
  }
  return n;
}

/** jsonb key order: shorter (in UTF-8 bytes) first, then bytewise (= code point order). */
export function compareJsonbKeys(a: string, b: string): number {
  const la = utf8Length(a);
  const lb = utf8Length(b);
  return la !== lb ? (la < lb ? -1 : 1) : compareText(a, b);
}

/** Builds an object from pairs in input order: sorted, last duplicate wins. */
export function makeJsonbObject(pairs: readonly (readonly [string, JsonbValue])[]): JsonbObject {
  const latest = new Map<string, JsonbValue>();
  for (const [k, v] of pairs) { latest.delete(k); latest.set(k, v); }
  const keys = [...latest.keys()].sort(compareJsonbKeys);
  return new JsonbObject(keys, keys.map((k) => latest.get(k) ?? null));
}

/** jsonb reuses the json lexer, so its syntax errors also say "type json". */
function syntaxError(detail: string): InvalidTextRepresentationError {
  return new InvalidTextRepresentationError('invalid input syntax for type json', { detail });
}

class JsonParser {
  pos = 0;
  depth = 0;
  constructor(readonly text: string, readonly build: boolean) {}

  fail(detail: string): never {
    throw syntaxError(detail);
  }
  skipSpace(): void {
    for (;;) {
      const c = this.text.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) this.pos++; else return;
    }
  }
  /** The token at pos, for error messages (PostgreSQL reports the offending token). */
  tokenText(): string {
    const rest = this.text.slice(this.pos);
    const word = /^[A-Za-z0-9_\-+.]+/.exec(rest)?.[0];
    return word ?? rest.charAt(0);
  }
  parseDocument(): JsonbValue {
    this.skipSpace();
    if (this.pos >= this.text.length) this.fail('The input string ended unexpectedly.');
    const value = this.parseValue();
    this.skipSpace();
    if (this.pos < this.text.length) this.fail(`Expected end of input, but found "${this.tokenText()}".`);
    return value;
  }
  parseValue(): JsonbValue {
    this.skipSpace();
    const c = this.text.charAt(this.pos);
    if (c === '') this.fail('The input string ended unexpectedly.');
    if (c === '{') return this.parseObject();
    if (c === '[') return this.parseArray();
    if (c === '"') return this.parseString();
    if (c === '-' || (c >= '0' && c <= '9')) return this.parseNumber();
    const word = /^[A-Za-z0-9_]+/.exec(this.text.slice(this.pos))?.[0];
    if (word === 'true' || word === 'false' || word === 'null') {
      this.pos += word.length;
      return word === 'null' ? null : word === 'true';
    }
    if (word !== undefined) this.fail(`Token "${word}" is invalid.`);
    return this.fail(`Expected JSON value, but found "${c}".`);
  }
  enter(): void {
    if (++this.depth > jsonNestingDepthMax) throw new ProgramLimitExceededError('stack depth limit exceeded');
  }
  parseArray(): JsonbValue {
    this.enter();
    this.pos++;
    const items: JsonbValue[] = [];
    this.skipSpace();
    if (this.text[this.pos] === ']') { this.pos++; this.depth--; return items; }
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.text.length) this.fail('The input string ended unexpectedly.');
      if (this.text[this.pos] === ']' || this.text[this.pos] === ',') this.fail(`Expected JSON value, but found "${this.text[this.pos]}".`);
      const v = this.parseValue();
      if (this.build) items.push(v);
      this.skipSpace();
      const c = this.text.charAt(this.pos++);
      if (c === ']') break;
      if (c !== ',') this.unexpected(c, 'Expected "," or "]", but found');
    }
    this.depth--;
    return items;
  }
  unexpected(c: string, prefix: string): never {
    if (c === '') this.fail('The input string ended unexpectedly.');
    this.pos--;
    return this.fail(`${prefix} "${this.tokenText()}".`);
  }
  parseObject(): JsonbValue {
    this.enter();
    this.pos++;
    const pairs: [string, JsonbValue][] = [];
    this.skipSpace();
    if (this.text[this.pos] === '}') { this.pos++; this.depth--; return this.build ? makeJsonbObject(pairs) : null; }
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] !== '"') this.unexpected(this.text.charAt(this.pos++), 'Expected string, but found');
      const key = this.parseString();
      this.skipSpace();
      const colon = this.text.charAt(this.pos++);
      if (colon !== ':') this.unexpected(colon, 'Expected ":", but found');
      const v = this.parseValue();
      if (this.build) pairs.push([key, v]);
      this.skipSpace();
      const c = this.text.charAt(this.pos++);
      if (c === '}') break;
      if (c !== ',') this.unexpected(c, 'Expected "," or "}", but found');
    }
    this.depth--;
    return this.build ? makeJsonbObject(pairs) : null;
  }
  parseNumber(): JsonbValue {
    const m = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/.exec(this.text.slice(this.pos));
    const word = /^[A-Za-z0-9_\-+.]+/.exec(this.text.slice(this.pos))?.[0] ?? '';
    if (m === null || m[0].length < word.length) this.fail(`Token "${word}" is invalid.`);
    this.pos += m[0].length;
    return this.build ? parseNumeric(m[0]) : null;
  }
  parseString(): string {
    const start = ++this.pos;
    let out = '';
    let chunk = start;
    for (;;) {
      const c = this.text.charCodeAt(this.pos);
      if (Number.isNaN(c)) this.fail('The input string ended unexpectedly.');
      if (c === 0x22) break;
      if (c < 0x20) this.fail(`Character with value 0x${c.toString(16).padStart(2, '0')} must be escaped.`);
      if (c === 0x5c) {
        out += this.text.slice(chunk, this.pos);
        out += this.parseEscape();
        chunk = this.pos;
        continue;
      }
      this.pos++;
    }
    out += this.text.slice(chunk, this.pos);
    this.pos++;
    return out;
  }
  parseEscape(): string {
    const e = this.text.charAt(this.pos + 1);
    this.pos += 2;
    const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
    const mapped = simple[e];
    if (mapped !== undefined) return mapped;
    if (e !== 'u') {
      if (e === '') this.fail('The input string ended unexpectedly.');
      this.fail(`Escape sequence "\\${e}" is invalid.`);
    }
    const hex = this.text.slice(this.pos, this.pos + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('"\\u" must be followed by four hexadecimal digits.');
    this.pos += 4;
    const code = Number.parseInt(hex, 16);
    if (!this.build) return '';
    return this.unicodeEscape(code);
  }
  unicodeEscape(code: number): string {
    if (code === 0) {
      throw new UntranslatableCharacterError('unsupported Unicode escape sequence', { detail: '\\u0000 cannot be converted to text.' });
    }
    if (code >= 0xd800 && code <= 0xdbff) {
      const low = /^\\u([dD][c-fC-F][0-9a-fA-F]{2})/.exec(this.text.slice(this.pos));
      if (low === null) this.fail('Unicode high surrogate must not follow a high surrogate.');
      this.pos += 6;
      return String.fromCharCode(code, Number.parseInt(low[1] ?? '', 16));
    }
    if (code >= 0xdc00 && code <= 0xdfff) this.fail('Unicode low surrogate must follow a high surrogate.');
    return String.fromCharCode(code);
  }
}

/** json_in: validates, keeps the text as given. */
export function parseJson(text: string): string {
  new JsonParser(text, false).parseDocument();
  return text;
}

/** jsonb_in. */
export function parseJsonb(text: string): Jsonb {
  return new Jsonb(new JsonParser(text, true).parseDocument());
}

/** escape_json(). */
export function escapeJsonString(s: string): string {
  let out = '"';
  let chunk = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c !== 0x22 && c !== 0x5c) continue;
    out += s.slice(chunk, i);
    chunk = i + 1;
    switch (c) {
      case 0x08: out += '\\b'; break;
      case 0x0c: out += '\\f'; break;
      case 0x0a: out += '\\n'; break;
      case 0x0d: out += '\\r'; break;
      case 0x09: out += '\\t'; break;
      case 0x22: out += '\\"'; break;
      case 0x5c: out += '\\\\'; break;
      default: out += `\\u${c.toString(16).padStart(4, '0')}`;
    }
  }
  return `${out}${s.slice(chunk)}"`;
}

function formatValue(v: JsonbValue): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') return escapeJsonString(v);
  if (v instanceof Decimal) return formatNumeric(v);
  if (v instanceof JsonbObject) {
    return `{${v.keys.map((k, i) => `${escapeJsonString(k)}: ${formatValue(v.values[i] ?? null)}`).join(', ')}}`;
  }
  return `[${v.map(formatValue).join(', ')}]`;
}

/** jsonb_out. */
export function formatJsonb(j: Jsonb): string {
  return formatValue(j.root);
}

/** jsonb type rank: null < string < numeric < bool < array < object (JsonbValue.type order). */
function typeRank(v: JsonbValue): number {
  if (v === null) return 0;
  if (typeof v === 'string') return 1;
  if (v instanceof Decimal) return 2;
  if (typeof v === 'boolean') return 3;
  return v instanceof JsonbObject ? 0x11 : 0x10;
}

type Token = { readonly begin: boolean; readonly value: JsonbValue; readonly rawScalar: boolean };

/** The iterator stream of JsonbIteratorNext: container begins, keys, values, elements, ends. */
function* tokens(root: JsonbValue): Generator<Token | 'end'> {
  const isContainer = (v: JsonbValue): boolean => Array.isArray(v) || v instanceof JsonbObject;
  const rawScalar = !isContainer(root);
  yield* walk(rawScalar ? [root] : root, rawScalar);
  function* walk(v: JsonbValue, raw: boolean): Generator<Token | 'end'> {
    yield { begin: true, value: v, rawScalar: raw };
    const children: readonly JsonbValue[] = v instanceof JsonbObject
      ? v.keys.flatMap((k, i) => [k, v.values[i] ?? null])
      : (v as readonly JsonbValue[]);
    for (const c of children) {
      if (isContainer(c)) yield* walk(c, false); else yield { begin: false, value: c, rawScalar: false };
    }
    yield 'end';
  }
}

function containerSize(v: JsonbValue): number {
  return v instanceof JsonbObject ? v.keys.length : (v as readonly JsonbValue[]).length;
}

function compareTokens(a: Token, b: Token): number {
  const ra = typeRank(a.value);
  const rb = typeRank(b.value);
  if (a.begin !== b.begin || ra !== rb) return ra > rb ? 1 : -1;
  if (!a.begin) return compareScalars(a.value, b.value);
  let res = 0;
  if (a.rawScalar !== b.rawScalar) res = a.rawScalar ? -1 : 1;
  const na = containerSize(a.value);
  const nb = containerSize(b.value);
  if (na !== nb) res = na > nb ? 1 : -1;
  return res;
}

function compareScalars(a: JsonbValue, b: JsonbValue): number {
  if (typeof a === 'string' && typeof b === 'string') return compareText(a, b);
  if (a instanceof Decimal && b instanceof Decimal) return compareNumeric(a, b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  return 0;
}

/** compareJsonbContainers(): PostgreSQL's jsonb btree order. */
export function compareJsonb(a: Jsonb, b: Jsonb): number {
  const ia = tokens(a.root);
  const ib = tokens(b.root);
  for (;;) {
    const ta = ia.next();
    const tb = ib.next();
    if (ta.done === true || tb.done === true) return ta.done === tb.done ? 0 : ta.done === true ? -1 : 1;
    if (ta.value === 'end' || tb.value === 'end') {
      if (ta.value === tb.value) continue;
      return ta.value === 'end' ? -1 : 1;
    }
    const res = compareTokens(ta.value, tb.value);
    if (res !== 0) return res;
  }
}
