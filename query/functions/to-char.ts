// to_char(): PostgreSQL's template patterns for timestamps and numbers, the
// common subset (FM, TH and the usual date/time fields; 9, 0, ., D, ',', G,
// S, MI, PL for numbers). Unknown letters are copied, as PostgreSQL does.

import { julianToWeekday, dateToJulian } from '../types/datetime/calendar.js';
import type { DateTimeFields } from '../types/datetime/calendar.js';
import { isoWeek, isoYear } from '../types/datetime/extract.js';
import { Decimal, formatNumeric } from '../types/numeric/decimal.js';
import { numericRound } from '../types/numeric/numeric-math.js';
import { floatToNumeric } from '../types/cast.js';

const monthNames = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const dayNames = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

export interface ToCharFields extends DateTimeFields {
  /** Zone abbreviation or offset text for TZ, '' for timestamp without zone. */
  readonly zone: string;
  readonly offsetSeconds: number;
}

type FieldFormatter = (f: ToCharFields, fillMode: boolean) => string;

function padded(value: number, width: number, fillMode: boolean): string {
  const sign = value < 0 ? '-' : '';
  const digits = String(Math.abs(value));
  return fillMode ? `${sign}${digits}` : `${sign}${digits.padStart(width, '0')}`;
}

function cased(word: string, pattern: string, fillMode: boolean, width: number): string {
  const first = pattern.charAt(0);
  const text = pattern === pattern.toUpperCase() ? word.toUpperCase() : first === first.toUpperCase() ? word : word.toLowerCase();
  return fillMode ? text : text.padEnd(width, ' ');
}

const hour12 = (h: number): number => (h % 12 === 0 ? 12 : h % 12);
const dayOfWeek = (f: ToCharFields): number => julianToWeekday(dateToJulian(f.year, f.month, f.day));
const dayOfYear = (f: ToCharFields): number => dateToJulian(f.year, f.month, f.day) - dateToJulian(f.year, 1, 1) + 1;

/** Patterns, longest first so 'HH24' wins over 'HH' and 'MONTH' over 'MON'. */
const dateTimePatterns: readonly (readonly [string, FieldFormatter])[] = [
  ['HH24', (f, fm) => padded(f.hour, 2, fm)],
  ['HH12', (f, fm) => padded(hour12(f.hour), 2, fm)],
  ['HH', (f, fm) => padded(hour12(f.hour), 2, fm)],
  ['MI', (f, fm) => padded(f.minute, 2, fm)],
  ['SSSS', (f) => String(f.hour * 3600 + f.minute * 60 + f.second)],
  ['SS', (f, fm) => padded(f.second, 2, fm)],
  ['MS', (f, fm) => padded(Math.floor(f.micros / 1000), 3, fm)],
  ['US', (f, fm) => padded(f.micros, 6, fm)],
  ['AM', (f) => (f.hour < 12 ? 'AM' : 'PM')], ['PM', (f) => (f.hour < 12 ? 'AM' : 'PM')],
  ['am', (f) => (f.hour < 12 ? 'am' : 'pm')], ['pm', (f) => (f.hour < 12 ? 'am' : 'pm')],
  ['A.M.', (f) => (f.hour < 12 ? 'A.M.' : 'P.M.')], ['P.M.', (f) => (f.hour < 12 ? 'A.M.' : 'P.M.')],
  ['YYYY', (f, fm) => padded(f.year > 0 ? f.year : 1 - f.year, 4, fm)],
  ['IYYY', (f, fm) => padded(isoYear(f.year, f.month, f.day), 4, fm)],
  ['YYY', (f, fm) => padded(f.year % 1000, 3, fm)],
  ['YY', (f, fm) => padded(f.year % 100, 2, fm)],
  ['Y', (f) => String(f.year % 10)],
  ['MONTH', (f, fm) => cased(monthNames[f.month - 1] ?? '', 'MONTH', fm, 9)],
  ['Month', (f, fm) => cased(monthNames[f.month - 1] ?? '', 'Month', fm, 9)],
  ['month', (f, fm) => cased(monthNames[f.month - 1] ?? '', 'month', fm, 9)],
  ['MON', (f) => (monthNames[f.month - 1] ?? '').slice(0, 3).toUpperCase()],
  ['Mon', (f) => (monthNames[f.month - 1] ?? '').slice(0, 3)],
  ['mon', (f) => (monthNames[f.month - 1] ?? '').slice(0, 3).toLowerCase()],
  ['MM', (f, fm) => padded(f.month, 2, fm)],
  ['DAY', (f, fm) => cased(dayNames[dayOfWeek(f)] ?? '', 'DAY', fm, 9)],
  ['Day', (f, fm) => cased(dayNames[dayOfWeek(f)] ?? '', 'Day', fm, 9)],
  ['day', (f, fm) => cased(dayNames[dayOfWeek(f)] ?? '', 'day', fm, 9)],
  ['DY', (f) => (dayNames[dayOfWeek(f)] ?? '').slice(0, 3).toUpperCase()],
  ['Dy', (f) => (dayNames[dayOfWeek(f)] ?? '').slice(0, 3)],
  ['dy', (f) => (dayNames[dayOfWeek(f)] ?? '').slice(0, 3).toLowerCase()],
  ['DDD', (f, fm) => padded(dayOfYear(f), 3, fm)],
  ['DD', (f, fm) => padded(f.day, 2, fm)],
  ['D', (f) => String(dayOfWeek(f) + 1)],
  ['ID', (f) => String(dayOfWeek(f) === 0 ? 7 : dayOfWeek(f))],
  ['IW', (f, fm) => padded(isoWeek(f.year, f.month, f.day), 2, fm)],
  ['WW', (f, fm) => padded(Math.floor((dayOfYear(f) - 1) / 7) + 1, 2, fm)],
  ['Q', (f) => String(Math.floor((f.month - 1) / 3) + 1)],
  ['J', (f) => String(dateToJulian(f.year, f.month, f.day))],
  ['TZ', (f) => f.zone.toUpperCase()],
  ['tz', (f) => f.zone.toLowerCase()],
  ['OF', (f) => offsetText(f.offsetSeconds)],
];

function offsetText(seconds: number): string {
  const abs = Math.abs(seconds);
  const hh = String(Math.floor(abs / 3600)).padStart(2, '0');
  const mm = Math.floor((abs % 3600) / 60);
  return `${seconds < 0 ? '-' : '+'}${hh}${mm === 0 ? '' : `:${String(mm).padStart(2, '0')}`}`;
}

function ordinalSuffix(n: number): string {
  const lastTwo = n % 100;
  if (lastTwo >= 11 && lastTwo <= 13) return 'th';
  return ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th';
}

/** to_char(timestamp, template). */
export function formatDateTime(f: ToCharFields, template: string): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    if (template[i] === '"') {
      const end = template.indexOf('"', i + 1);
      out += template.slice(i + 1, end < 0 ? template.length : end);
      i = end < 0 ? template.length : end + 1;
      continue;
    }
    if (template[i] === '\\' && i + 1 < template.length) { out += template[i + 1]; i += 2; continue; }
    const fillMode = template.startsWith('FM', i);
    const at = fillMode ? i + 2 : i;
    const match = dateTimePatterns.find(([pattern]) => template.startsWith(pattern, at));
    if (match === undefined) { out += template[i]; i++; continue; }
    const [pattern, format] = match;
    let piece = format(f, fillMode);
    let next = at + pattern.length;
    const suffix = template.slice(next, next + 2);
    if (suffix === 'TH' || suffix === 'th') {
      const ordinal = ordinalSuffix(Number(piece));
      piece += suffix === 'TH' ? ordinal.toUpperCase() : ordinal;
      next += 2;
    }
    out += piece;
    i = next;
  }
  return out;
}

/** to_char(number, template): digit positions 9 and 0, a decimal point, group separators, sign patterns. */
export function formatNumber(value: Decimal, template: string): string {
  const fillMode = template.includes('FM');
  const body = template.replace(/FM/g, '');
  const pointIndex = body.search(/[.D]/);
  const intPattern = pointIndex < 0 ? body : body.slice(0, pointIndex);
  const fracPattern = pointIndex < 0 ? '' : body.slice(pointIndex + 1);
  const fracDigits = (fracPattern.match(/[90]/g) ?? []).length;
  const rounded = numericRound(value, fracDigits);
  const negative = rounded.sign() < 0;
  const [intText = '', fracText = ''] = formatNumeric(rounded).replace('-', '').split('.');
  const intSlots = (intPattern.match(/[90]/g) ?? []).length;
  if (intText.replace(/^0+/, '').length > intSlots) return placeholder(body);
  const intPart = fillInteger(intPattern, intText === '0' && !intPattern.includes('0') && intSlots > 0 ? '' : intText, fillMode);
  const fracPart = fillFraction(fracPattern, fracText, fillMode);
  const point = pointIndex < 0 ? '' : '.';
  return applySign(intPart + point + fracPart, negative, body, fillMode);
}

function placeholder(body: string): string {
  return ` ${body.replace(/[90]/g, '#').replace(/[DG]/g, (c) => (c === 'D' ? '.' : ',')).replace(/[SMIPL]/g, '')}`;
}

function fillInteger(pattern: string, digits: string, fillMode: boolean): string {
  let out = '';
  let d = digits.length - 1;
  let started = false;
  for (let p = pattern.length - 1; p >= 0; p--) {
    const c = pattern[p];
    if (c === '9' || c === '0') {
      if (d >= 0) { out = (digits[d] ?? '') + out; d--; started = true; } else if (c === '0') { out = `0${out}`; } else if (!fillMode) { out = ` ${out}`; }
    } else if (c === ',' || c === 'G') {
      out = (d >= 0 || started) && d >= 0 ? `,${out}` : fillMode ? out : ` ${out}`;
    }
  }
  return out;
}

function fillFraction(pattern: string, digits: string, fillMode: boolean): string {
  let out = '';
  let d = 0;
  for (const c of pattern) if (c === '9' || c === '0') out += digits[d++] ?? '0';
  if (fillMode) {
    const zeroPositions = pattern.replace(/[^90]/g, '');
    let keep = out.length;
    while (keep > 0 && out[keep - 1] === '0' && zeroPositions[keep - 1] === '9') keep--;
    out = out.slice(0, keep);
  }
  return out;
}

function applySign(text: string, negative: boolean, body: string, fillMode: boolean): string {
  if (body.includes('MI')) return negative ? `${text}-` : fillMode ? text : `${text} `;
  if (body.includes('PL')) return negative ? `-${text}` : `+${text}`;
  const trimmed = text.trimStart();
  const lead = text.slice(0, text.length - trimmed.length);
  if (body.startsWith('S')) return `${fillMode ? '' : lead}${negative ? '-' : '+'}${trimmed}`;
  if (fillMode) return `${negative ? '-' : ''}${trimmed}`;
  return negative ? `${lead}-${trimmed}` : `${lead} ${trimmed}`;
}

/** The numeric value to_char formats: integers exactly, floats as PostgreSQL's float8 → numeric cast. */
export function decimalOf(value: number | bigint, integral: boolean): Decimal {
  if (typeof value === 'bigint') return Decimal.of(value, 0);
  return integral ? Decimal.fromInteger(value) : floatToNumeric(value, 'float8');
}
