// ParseDateTime(): splits a date/time/interval literal into typed fields, and
// the keyword tables of datetime.c. A port of PostgreSQL 15's logic; the
// decoders in decode-datetime.ts and interval.ts interpret the fields.

export type FieldType = 'number' | 'string' | 'date' | 'time' | 'tz' | 'special';

export interface DateTimeField {
  /** Lowercased text of the field. */
  text: string;
  type: FieldType;
}

/** MAXDATEFIELDS and the work-buffer sizes PostgreSQL parses into. */
export const dateFieldsMax = 25;
export const dateLiteralBufferBytes = 128 + 1; // MAXDATELEN + 1 (date, time)
export const timestampLiteralBufferBytes = 128 + 25; // MAXDATELEN + MAXDATEFIELDS
export const intervalLiteralBufferBytes = 256;

function isDigit(c: string): boolean { return c >= '0' && c <= '9'; }
function isAlpha(c: string): boolean { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
function isAlnum(c: string): boolean { return isDigit(c) || isAlpha(c); }
function isSpace(c: string): boolean { return c === ' ' || (c >= '\t' && c <= '\r'); }
/** C ispunct() in the C locale: printable ASCII that is not alphanumeric or space. */
function isPunct(c: string): boolean {
  const code = c.charCodeAt(0);
  return code > 0x20 && code < 0x7f && !isAlnum(c);
}

/** The field list, or undefined for DTERR_BAD_FORMAT. */
export function splitDateTimeFields(input: string, bufferBytes: number): DateTimeField[] | undefined {
  const fields: DateTimeField[] = [];
  let used = 0;
  let i = 0;
  let text = '';
  // APPEND_CHAR: fail once the work buffer would overflow, as PostgreSQL does for over-long input.
  const append = (c: string): boolean => {
    if (used + 1 >= bufferBytes) return false;
    used++;
    text += c;
    return true;
  };
  const at = (k: number): string => input.charAt(k);
  while (i < input.length) {
    const c = at(i);
    if (isSpace(c)) { i++; continue; }
    if (fields.length >= dateFieldsMax) return undefined;
    text = '';
    let type: FieldType;
    if (isDigit(c)) {
      const r = scanDigitField(input, i, append);
      if (r === undefined) return undefined;
      [i, type] = r;
    } else if (c === '.') {
      if (!append(c)) return undefined;
      i++;
      while (isDigit(at(i))) { if (!append(at(i++))) return undefined; }
      type = 'number';
    } else if (isAlpha(c)) {
      const r = scanAlphaField(input, i, append, () => text);
      if (r === undefined) return undefined;
      [i, type] = r;
    } else if (c === '+' || c === '-') {
      const r = scanSignedField(input, i, append);
      if (r === undefined) return undefined;
      [i, type] = r;
    } else if (isPunct(c)) {
      i++;
      continue;
    } else {
      return undefined;
    }
    used++; // the terminating NUL
    fields.push({ text, type });
  }
  return fields;
}

type Append = (c: string) => boolean;

function scanDigitField(input: string, start: number, append: Append): [number, FieldType] | undefined {
  let i = start;
  const at = (k: number): string => input.charAt(k);
  while (isDigit(at(i))) { if (!append(at(i++))) return undefined; }
  if (at(i) === ':') {
    if (!append(at(i++))) return undefined;
    while (isDigit(at(i)) || at(i) === ':' || at(i) === '.') { if (!append(at(i++))) return undefined; }
    return [i, 'time'];
  }
  if (at(i) === '-' || at(i) === '/' || at(i) === '.') {
    const delim = at(i);
    if (!append(at(i++))) return undefined;
    if (isDigit(at(i))) {
      let type: FieldType = delim === '.' ? 'number' : 'date';
      while (isDigit(at(i))) { if (!append(at(i++))) return undefined; }
      if (at(i) === delim) {
        type = 'date';
        if (!append(at(i++))) return undefined;
        while (isDigit(at(i)) || at(i) === delim) { if (!append(at(i++))) return undefined; }
      }
      return [i, type];
    }
    while (isAlnum(at(i)) || at(i) === delim) { if (!append(at(i++).toLowerCase())) return undefined; }
    return [i, 'date'];
  }
  return [i, 'number'];
}

function scanAlphaField(input: string, start: number, append: Append, current: () => string): [number, FieldType] | undefined {
  let i = start;
  const at = (k: number): string => input.charAt(k);
  while (isAlpha(at(i))) { if (!append(at(i++).toLowerCase())) return undefined; }
  // A date with a text month ('jan-01-2024') or a zone name ('america/new_york', 'gmt+8').
  let isDate = at(i) === '-' || at(i) === '/' || at(i) === '.';
  if (!isDate && (at(i) === '+' || isDigit(at(i)))) isDate = lookupDateToken(current()) === undefined;
  if (!isDate) return [i, 'string'];
  do {
    if (!append(at(i++).toLowerCase())) return undefined;
  } while ('+-/_.:'.includes(at(i)) && at(i) !== '' || isAlnum(at(i)));
  return [i, 'date'];
}

function scanSignedField(input: string, start: number, append: Append): [number, FieldType] | undefined {
  let i = start;
  const at = (k: number): string => input.charAt(k);
  if (!append(at(i++))) return undefined;
  while (isSpace(at(i))) i++;
  if (isDigit(at(i))) {
    if (!append(at(i++))) return undefined;
    while (isDigit(at(i)) || at(i) === ':' || at(i) === '.' || at(i) === '-') { if (!append(at(i++))) return undefined; }
    return [i, 'tz'];
  }
  if (isAlpha(at(i))) {
    while (isAlpha(at(i))) { if (!append(at(i++).toLowerCase())) return undefined; }
    return [i, 'special'];
  }
  return undefined;
}

/** Keyword kinds of datetime.c's datetktbl. */
export type DateToken =
  | { readonly kind: 'reserved'; readonly value: 'early' | 'late' | 'epoch' | 'now' | 'today' | 'tomorrow' | 'yesterday' | 'zulu' }
  | { readonly kind: 'month'; readonly value: number }
  | { readonly kind: 'dow'; readonly value: number }
  | { readonly kind: 'ampm'; readonly value: 'am' | 'pm' }
  | { readonly kind: 'adbc'; readonly value: 'ad' | 'bc' }
  | { readonly kind: 'units'; readonly value: DateUnit }
  | { readonly kind: 'isotime' }
  | { readonly kind: 'ignore' }
  | { readonly kind: 'dtzmod'; readonly value: number };

export type DateUnit = 'day' | 'dow' | 'doy' | 'hour' | 'isodow' | 'isoyear' | 'julian' | 'month' | 'minute' | 'second' | 'year';

const months = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const monthNames = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

const dateTokens = new Map<string, DateToken>([
  ['-infinity', { kind: 'reserved', value: 'early' }], ['ad', { kind: 'adbc', value: 'ad' }],
  ['allballs', { kind: 'reserved', value: 'zulu' }], ['am', { kind: 'ampm', value: 'am' }],
  ['at', { kind: 'ignore' }], ['bc', { kind: 'adbc', value: 'bc' }], ['d', { kind: 'units', value: 'day' }],
  ['dow', { kind: 'units', value: 'dow' }], ['doy', { kind: 'units', value: 'doy' }], ['dst', { kind: 'dtzmod', value: 3600 }],
  ['epoch', { kind: 'reserved', value: 'epoch' }], ['h', { kind: 'units', value: 'hour' }],
  ['infinity', { kind: 'reserved', value: 'late' }], ['isodow', { kind: 'units', value: 'isodow' }],
  ['isoyear', { kind: 'units', value: 'isoyear' }], ['j', { kind: 'units', value: 'julian' }],
  ['jd', { kind: 'units', value: 'julian' }], ['julian', { kind: 'units', value: 'julian' }],
  ['m', { kind: 'units', value: 'month' }], ['mm', { kind: 'units', value: 'minute' }],
  ['now', { kind: 'reserved', value: 'now' }], ['on', { kind: 'ignore' }], ['pm', { kind: 'ampm', value: 'pm' }],
  ['s', { kind: 'units', value: 'second' }], ['sept', { kind: 'month', value: 9 }], ['t', { kind: 'isotime' }],
  ['today', { kind: 'reserved', value: 'today' }], ['tomorrow', { kind: 'reserved', value: 'tomorrow' }],
  ['y', { kind: 'units', value: 'year' }], ['yesterday', { kind: 'reserved', value: 'yesterday' }],
  ['sun', { kind: 'dow', value: 0 }], ['sunday', { kind: 'dow', value: 0 }], ['mon', { kind: 'dow', value: 1 }],
  ['monday', { kind: 'dow', value: 1 }], ['tue', { kind: 'dow', value: 2 }], ['tues', { kind: 'dow', value: 2 }],
  ['tuesday', { kind: 'dow', value: 2 }], ['wed', { kind: 'dow', value: 3 }], ['weds', { kind: 'dow', value: 3 }],
  ['wednesday', { kind: 'dow', value: 3 }], ['thu', { kind: 'dow', value: 4 }], ['thur', { kind: 'dow', value: 4 }],
  ['thurs', { kind: 'dow', value: 4 }], ['thursday', { kind: 'dow', value: 4 }], ['fri', { kind: 'dow', value: 5 }],
  ['friday', { kind: 'dow', value: 5 }], ['sat', { kind: 'dow', value: 6 }], ['saturday', { kind: 'dow', value: 6 }],
  ...months.map((m, i): [string, DateToken] => [m, { kind: 'month', value: i + 1 }]),
  ...monthNames.map((m, i): [string, DateToken] => [m, { kind: 'month', value: i + 1 }]),
]);

/** Tokens are compared on their first TOKMAXLEN (10) characters, as in datebsearch(). */
export const tokenCharsMax = 10;

export function lookupDateToken(lowercase: string): DateToken | undefined {
  const key = lowercase.slice(0, tokenCharsMax);
  const token = dateTokens.get(key);
  // A stored token shorter than 10 characters must match exactly.
  return token !== undefined && (lowercase.length <= tokenCharsMax || key.length === tokenCharsMax) ? token : undefined;
}

export type IntervalUnit =
  | 'microsecond' | 'millisecond' | 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month' | 'quarter'
  | 'year' | 'decade' | 'century' | 'millennium' | 'timezone' | 'timezone_hour' | 'timezone_minute';

export type DeltaToken =
  | { readonly kind: 'units'; readonly value: IntervalUnit }
  | { readonly kind: 'ago' }
  | { readonly kind: 'ignore' };

const unitSpellings: readonly [IntervalUnit, readonly string[]][] = [
  ['century', ['c', 'cent', 'centuries', 'century']],
  ['day', ['d', 'day', 'days']],
  ['decade', ['dec', 'decade', 'decades', 'decs']],
  ['hour', ['h', 'hour', 'hours', 'hr', 'hrs']],
  ['minute', ['m', 'min', 'mins', 'minute', 'minutes']],
  ['microsecond', ['microsecon', 'us', 'usec', 'usecs', 'useconds']],
  ['millennium', ['mil', 'millennia', 'millennium', 'mils']],
  ['millisecond', ['millisecon', 'ms', 'msec', 'msecs', 'mseconds']],
  ['month', ['mon', 'mons', 'month', 'months']],
  ['quarter', ['qtr', 'quarter']],
  ['second', ['s', 'sec', 'second', 'seconds', 'secs']],
  ['timezone', ['timezone']],
  ['timezone_hour', ['timezone_h']],
  ['timezone_minute', ['timezone_m']],
  ['week', ['w', 'week', 'weeks']],
  ['year', ['y', 'year', 'years', 'yr', 'yrs']],
];

const deltaTokens = new Map<string, DeltaToken>([
  ['@', { kind: 'ignore' }], ['ago', { kind: 'ago' }],
  ...unitSpellings.flatMap(([unit, names]) => names.map((n): [string, DeltaToken] => [n, { kind: 'units', value: unit }])),
]);

/** deltatktbl lookup (interval units, also used by extract/date_trunc field names). */
export function lookupDeltaToken(lowercase: string): DeltaToken | undefined {
  const key = lowercase.slice(0, tokenCharsMax);
  const token = deltaTokens.get(key);
  return token !== undefined && (lowercase.length <= tokenCharsMax || key.length === tokenCharsMax) ? token : undefined;
}
