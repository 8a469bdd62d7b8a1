// Parses type names as they appear in SQL (CREATE TABLE, CAST, ::) into
// SqlType descriptors, with PostgreSQL's aliases and modifier checks. `serial`
// and friends are column-definition sugar handled by the caller.

import {
  FeatureNotSupportedError, InvalidParameterValueError, SqlSyntaxError, UndefinedObjectError,
} from './errors.js';
import {
  arrayOf, datetimePrecisionMax, numericPrecisionMax, numericScaleMax, numericScaleMin,
  SqlTypes, varcharLengthMax,
} from './sql-type.js';
import type { IntervalFields, ScalarSqlType, SqlType } from './sql-type.js';

const typeNameCharsMax = 256;
const floatPrecisionBitsMax = 53;
const realPrecisionBitsMax = 24;

type Token = { readonly kind: 'word'; readonly text: string } | { readonly kind: 'number'; readonly value: number } | { readonly kind: 'punct'; readonly text: string };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source.charAt(i);
    if (/\s/.test(c)) { i++; continue; }
    if (c === '"') {
      const end = source.indexOf('"', i + 1);
      if (end < 0) throw new SqlSyntaxError(`unterminated quoted identifier at or near "${source.slice(i)}"`);
      tokens.push({ kind: 'word', text: source.slice(i + 1, end) });
      i = end + 1;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(source.slice(i))?.[0] ?? c;
      tokens.push({ kind: 'word', text: m.toLowerCase() });
      i += m.length;
    } else if (/[-+0-9]/.test(c)) {
      const m = /^[-+]?[0-9]+/.exec(source.slice(i))?.[0];
      if (m === undefined) throw new SqlSyntaxError(`syntax error at or near "${c}"`);
      tokens.push({ kind: 'number', value: Number(m) });
      i += m.length;
    } else if ('()[],'.includes(c)) {
      tokens.push({ kind: 'punct', text: c });
      i++;
    } else {
      throw new SqlSyntaxError(`syntax error at or near "${c}"`);
    }
  }
  return tokens;
}

class Cursor {
  index = 0;
  constructor(readonly tokens: readonly Token[], readonly source: string) {}
  peekWord(offset = 0): string | undefined {
    const t = this.tokens[this.index + offset];
    return t?.kind === 'word' ? t.text : undefined;
  }
  acceptWord(...words: string[]): boolean {
    for (let k = 0; k < words.length; k++) if (this.peekWord(k) !== words[k]) return false;
    this.index += words.length;
    return true;
  }
  acceptPunct(text: string): boolean {
    const t = this.tokens[this.index];
    if (t?.kind === 'punct' && t.text === text) { this.index++; return true; }
    return false;
  }
  expectPunct(text: string): void {
    if (!this.acceptPunct(text)) throw this.syntaxError();
  }
  expectNumber(): number {
    const t = this.tokens[this.index];
    if (t?.kind !== 'number') throw this.syntaxError();
    this.index++;
    return t.value;
  }
  atEnd(): boolean {
    return this.index >= this.tokens.length;
  }
  syntaxError(): SqlSyntaxError {
    const t = this.tokens[this.index];
    const near = t === undefined ? 'end of input' : `"${t.kind === 'number' ? t.value : t.text}"`;
    return new SqlSyntaxError(`syntax error at or near ${near}`);
  }
  /** `( n [, m]* )` if present. */
  modifiers(): number[] | null {
    if (!this.acceptPunct('(')) return null;
    const values = [this.expectNumber()];
    while (this.acceptPunct(',')) values.push(this.expectNumber());
    this.expectPunct(')');
    return values;
  }
}

/** Parses 'int', 'varchar(10)', 'double precision', 'timestamptz(3)', 'text[]', 'int array'... */
export function parseTypeName(source: string): SqlType {
  if (source.length > typeNameCharsMax) throw new SqlSyntaxError('type name too long');
  const cursor = new Cursor(tokenize(source), source);
  const internal = internalArrayName(cursor);
  if (internal !== undefined) return internal;
  const base = parseBase(cursor);
  let isArray = false;
  for (;;) {
    if (cursor.acceptPunct('[')) {
      if (!cursor.acceptPunct(']')) { cursor.expectNumber(); cursor.expectPunct(']'); }
      isArray = true;
    } else if (cursor.acceptWord('array')) {
      if (cursor.acceptPunct('[')) { cursor.expectNumber(); cursor.expectPunct(']'); }
      isArray = true;
    } else {
      break;
    }
  }
  if (!cursor.atEnd()) throw cursor.syntaxError();
  return isArray ? arrayOf(base) : base;
}

/** `_int4` is how pg_type names array types; drivers sometimes send it. */
function internalArrayName(cursor: Cursor): SqlType | undefined {
  const word = cursor.peekWord();
  if (cursor.tokens.length !== 1 || word === undefined || !word.startsWith('_') || word.length < 2) return undefined;
  const element = parseTypeName(word.slice(1));
  return element.kind === 'array' ? unknownType(word) : arrayOf(element);
}

function noModifiers(cursor: Cursor, name: string, type: ScalarSqlType): ScalarSqlType {
  if (cursor.modifiers() !== null) throw new SqlSyntaxError(`type modifier is not allowed for type "${name}"`);
  return type;
}

function parseBase(cursor: Cursor): ScalarSqlType {
  const word = cursor.peekWord();
  if (word === undefined) throw cursor.syntaxError();
  cursor.index++;
  switch (word) {
    case 'bool': case 'boolean': return noModifiers(cursor, word, SqlTypes.bool);
    case 'int2': case 'smallint': return noModifiers(cursor, word, SqlTypes.int2);
    case 'int': case 'int4': case 'integer': return noModifiers(cursor, word, SqlTypes.int4);
    case 'int8': case 'bigint': return noModifiers(cursor, word, SqlTypes.int8);
    case 'real': case 'float4': return noModifiers(cursor, word, SqlTypes.float4);
    case 'float8': return noModifiers(cursor, word, SqlTypes.float8);
    case 'double':
      if (!cursor.acceptWord('precision')) throw cursor.syntaxError();
      return SqlTypes.float8;
    case 'float': return parseFloatType(cursor);
    case 'numeric': case 'decimal': case 'dec': return parseNumericType(cursor);
    case 'text': return noModifiers(cursor, word, SqlTypes.text);
    case 'varchar': return characterType(cursor, 'varchar');
    case 'character': case 'char': case 'nchar': case 'national':
      if (word === 'national' && !cursor.acceptWord('character') && !cursor.acceptWord('char')) throw cursor.syntaxError();
      return characterType(cursor, cursor.acceptWord('varying') ? 'varchar' : 'bpchar', true);
    case 'bpchar': return characterType(cursor, 'bpchar');
    case 'bytea': return noModifiers(cursor, word, SqlTypes.bytea);
    case 'uuid': return noModifiers(cursor, word, SqlTypes.uuid);
    case 'date': return noModifiers(cursor, word, SqlTypes.date);
    case 'time': case 'timestamp': return parseDatetimeType(cursor, word);
    case 'timestamptz': return { kind: 'timestamptz', precision: datetimePrecision(cursor, 'TIMESTAMP', ' WITH TIME ZONE') };
    case 'timetz': throw new FeatureNotSupportedError('type "time with time zone" is not supported');
    case 'interval': return parseIntervalType(cursor);
    case 'json': return noModifiers(cursor, word, SqlTypes.json);
    case 'jsonb': return noModifiers(cursor, word, SqlTypes.jsonb);
    default: return unknownType(word);
  }
}

function unknownType(word: string): never {
  throw new UndefinedObjectError(`type "${word}" does not exist`);
}

function parseFloatType(cursor: Cursor): ScalarSqlType {
  const mods = cursor.modifiers();
  if (mods === null) return SqlTypes.float8;
  const bits = mods[0] ?? 0;
  if (mods.length !== 1) throw cursor.syntaxError();
  if (bits < 1) throw new InvalidParameterValueError('precision for type float must be at least 1 bit');
  if (bits > floatPrecisionBitsMax) throw new InvalidParameterValueError('precision for type float must be less than 54 bits');
  return bits <= realPrecisionBitsMax ? SqlTypes.float4 : SqlTypes.float8;
}

function parseNumericType(cursor: Cursor): ScalarSqlType {
  const mods = cursor.modifiers();
  if (mods === null) return SqlTypes.numeric;
  const [precision = 0, scale = 0] = mods;
  if (mods.length > 2) throw new InvalidParameterValueError('invalid NUMERIC type modifier');
  if (precision < 1 || precision > numericPrecisionMax) {
    throw new InvalidParameterValueError(`NUMERIC precision ${precision} must be between 1 and ${numericPrecisionMax}`);
  }
  if (scale < numericScaleMin || scale > numericScaleMax) {
    throw new InvalidParameterValueError(`NUMERIC scale ${scale} must be between ${numericScaleMin} and ${numericScaleMax}`);
  }
  return { kind: 'numeric', precision, scale };
}

/** `char` alone means char(1); `varchar` and `bpchar` alone are unconstrained. */
function characterType(cursor: Cursor, kind: 'varchar' | 'bpchar', sqlSpelling = false): ScalarSqlType {
  const mods = cursor.modifiers();
  const typeName = kind === 'varchar' ? 'varchar' : 'char';
  if (mods === null) {
    return kind === 'bpchar' && sqlSpelling ? { kind, length: 1 } : (kind === 'varchar' ? SqlTypes.varchar : SqlTypes.bpchar);
  }
  const length = mods[0] ?? 0;
  if (mods.length !== 1) throw new InvalidParameterValueError('invalid type modifier');
  if (length < 1) throw new InvalidParameterValueError(`length for type ${typeName} must be at least 1`);
  if (length > varcharLengthMax) throw new InvalidParameterValueError(`length for type ${typeName} cannot exceed ${varcharLengthMax}`);
  return { kind, length };
}

/** A `(p)` precision; PostgreSQL reduces p > 6 to 6 with a warning. */
function datetimePrecision(cursor: Cursor, sqlName: string, suffix: string): number | null {
  const mods = cursor.modifiers();
  if (mods === null) return null;
  const precision = mods[0] ?? 0;
  if (mods.length !== 1) throw new InvalidParameterValueError('invalid type modifier');
  if (precision < 0) throw new InvalidParameterValueError(`${sqlName}(${precision})${suffix} precision must not be negative`);
  return Math.min(precision, datetimePrecisionMax);
}

function parseDatetimeType(cursor: Cursor, word: 'time' | 'timestamp'): ScalarSqlType {
  const sqlName = word.toUpperCase();
  const precision = datetimePrecision(cursor, sqlName, '');
  if (cursor.acceptWord('with', 'time', 'zone')) {
    if (word === 'time') throw new FeatureNotSupportedError('type "time with time zone" is not supported');
    return { kind: 'timestamptz', precision };
  }
  cursor.acceptWord('without', 'time', 'zone');
  return { kind: word, precision };
}

const intervalFieldWords = ['year', 'month', 'day', 'hour', 'minute', 'second'] as const;
const allowedIntervalRanges = new Set<string>([
  'year', 'month', 'day', 'hour', 'minute', 'second', 'year to month', 'day to hour', 'day to minute',
  'day to second', 'hour to minute', 'hour to second', 'minute to second',
]);

function parseIntervalType(cursor: Cursor): ScalarSqlType {
  let precision = datetimePrecision(cursor, 'INTERVAL', '');
  let fields: IntervalFields | null = null;
  const first = cursor.peekWord();
  if (precision === null && first !== undefined && (intervalFieldWords as readonly string[]).includes(first)) {
    cursor.index++;
    let range = first;
    if (cursor.acceptWord('to')) {
      const last = cursor.peekWord();
      if (last === undefined) throw cursor.syntaxError();
      cursor.index++;
      range = `${first} to ${last}`;
    }
    if (!allowedIntervalRanges.has(range)) throw cursor.syntaxError();
    fields = range as IntervalFields;
    if (range.endsWith('second')) precision = datetimePrecision(cursor, 'INTERVAL', '');
  }
  return { kind: 'interval', fields, precision };
}
