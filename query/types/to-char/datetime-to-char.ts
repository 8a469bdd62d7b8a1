// to_char() for timestamp, timestamptz and interval (formatting.c's
// DCH_to_char) in the C locale: English month and day names.

import { InvalidDatetimeFormatError } from '../errors.js';
import { isoWeek, isoYear } from '../datetime/extract.js';
import {
  dateToJulian, isFiniteTimestamp, julianToWeekday, timestampToFields, usecsPerSecBig,
} from '../datetime/calendar.js';
import { utcOffsetAt } from '../datetime/time-zone.js';
import type { TimeZone } from '../datetime/time-zone.js';
import type { Interval } from '../interval.js';
import { ordinalSuffix, parseFormat } from './format-nodes.js';
import type { FormatNode, KeywordNode } from './format-nodes.js';

const keywords = [
  'A.D.', 'A.M.', 'AD', 'AM', 'B.C.', 'BC', 'CC', 'DAY', 'DDD', 'DD', 'DY', 'Day', 'Dy', 'D', 'FF1', 'FF2', 'FF3', 'FF4',
  'FF5', 'FF6', 'FX', 'HH24', 'HH12', 'HH', 'IDDD', 'ID', 'IW', 'IYYY', 'IYY', 'IY', 'I', 'J', 'MI', 'MM', 'MONTH', 'MON',
  'MS', 'Month', 'Mon', 'OF', 'P.M.', 'PM', 'Q', 'RM', 'SSSSS', 'SSSS', 'SS', 'TZH', 'TZM', 'TZ', 'US', 'WW', 'W', 'Y,YYY',
  'YYYY', 'YYY', 'YY', 'Y', 'a.d.', 'a.m.', 'ad', 'am', 'b.c.', 'bc', 'cc', 'day', 'ddd', 'dd', 'dy', 'd', 'ff1', 'ff2',
  'ff3', 'ff4', 'ff5', 'ff6', 'fx', 'hh24', 'hh12', 'hh', 'iddd', 'id', 'iw', 'iyyy', 'iyy', 'iy', 'i', 'j', 'mi', 'mm',
  'month', 'mon', 'ms', 'of', 'p.m.', 'pm', 'q', 'rm', 'sssss', 'ssss', 'ss', 'tzh', 'tzm', 'tz', 'us', 'ww', 'w',
  'y,yyy', 'yyyy', 'yyy', 'yy', 'y',
] as const;
type Keyword = (typeof keywords)[number];

const monthNames = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const dayNames = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const romanMonths = ['XII', 'XI', 'X', 'IX', 'VIII', 'VII', 'VI', 'V', 'IV', 'III', 'II', 'I'];
/** Padded width of month and day names (MAX_MONTH_LEN / MAX_DAY_LEN) and roman months. */
const nameWidth = 9;
const romanWidth = 4;

/** The broken-down value being formatted (PostgreSQL's TmToChar). */
interface Tm {
  year: number; mon: number; mday: number; hour: number; min: number; sec: number; fsec: number;
  yday: number; wday: number;
  /** Seconds east of UTC, and the zone's abbreviation, for timestamptz. */
  gmtoff: number; zone: string | null;
  isInterval: boolean;
}

/** printf("%0*d") as PostgreSQL uses it: `width` digits, plus a sign for negatives (width + 1 in C). */
function pad(value: number | bigint, width: number, fill: boolean): string {
  const negative = value < 0;
  const digits = String(negative ? -value : value);
  return (negative ? '-' : '') + digits.padStart(fill ? 0 : width, '0');
}

function caseAs(keyword: string, name: string): string {
  if (keyword === keyword.toUpperCase()) return name.toUpperCase();
  if (keyword === keyword.toLowerCase()) return name.toLowerCase();
  return name;
}

/** ADJUST_YEAR: BC years count from 1 for dates, stay signed for intervals. */
function adjustYear(tm: Tm, year = tm.year): number {
  return tm.isInterval ? year : year <= 0 ? -(year - 1) : year;
}

function notForInterval(tm: Tm): void {
  if (tm.isInterval) {
    throw new InvalidDatetimeFormatError('invalid format specification for an interval value', {
      hint: 'Intervals are not tied to specific calendar dates.',
    });
  }
}

function yearDigits(tm: Tm, n: KeywordNode<Keyword>, year: number, digits: number): string {
  const y = adjustYear(tm, year);
  return pad(digits === 4 ? y : y % 10 ** digits, digits, n.fillMode);
}

/** C's %0*d: `width` counts the sign too. */
function cPad(value: number, width: number): string {
  return value < 0 ? `-${String(-value).padStart(width - 1, '0')}` : String(value).padStart(width, '0');
}

/** One keyword's text, before any TH suffix. Returns null for "prints nothing". */
function keywordText(n: KeywordNode<Keyword>, tm: Tm): string | null {
  const k = n.keyword;
  const upper = k.toUpperCase();
  const fm = n.fillMode;
  const pm = tm.hour % 24 >= 12;
  switch (upper) {
    case 'A.M.': case 'P.M.': return caseAs(k, pm ? 'P.M.' : 'A.M.');
    case 'AM': case 'PM': return caseAs(k, pm ? 'PM' : 'AM');
    case 'HH': case 'HH12': return pad(tm.hour % 12 === 0 ? 12 : tm.hour % 12, 2, fm);
    case 'HH24': return pad(tm.hour, 2, fm);
    case 'MI': return pad(tm.min, 2, fm);
    case 'SS': return pad(tm.sec, 2, fm);
    case 'FF1': return pad(Math.trunc(tm.fsec / 100000), 1, false);
    case 'FF2': return pad(Math.trunc(tm.fsec / 10000), 2, false);
    case 'FF3': case 'MS': return pad(Math.trunc(tm.fsec / 1000), 3, false);
    case 'FF4': return pad(Math.trunc(tm.fsec / 100), 4, false);
    case 'FF5': return pad(Math.trunc(tm.fsec / 10), 5, false);
    case 'FF6': case 'US': return pad(tm.fsec, 6, false);
    case 'SSSS': case 'SSSSS': return String(tm.hour * 3600 + tm.min * 60 + tm.sec);
    case 'TZ': notForInterval(tm); return tm.zone === null ? '' : caseAs(k, tm.zone);
    case 'TZH': notForInterval(tm); return `${tm.gmtoff >= 0 ? '+' : '-'}${pad(Math.trunc(Math.abs(tm.gmtoff) / 3600), 2, false)}`;
    case 'TZM': notForInterval(tm); return pad(Math.trunc((Math.abs(tm.gmtoff) % 3600) / 60), 2, false);
    case 'OF': {
      notForInterval(tm);
      const abs = Math.abs(tm.gmtoff);
      const minutes = abs % 3600 !== 0 ? `:${pad(Math.trunc((abs % 3600) / 60), 2, false)}` : '';
      return `${tm.gmtoff >= 0 ? '+' : '-'}${pad(Math.trunc(abs / 3600), 2, fm)}${minutes}`;
    }
    case 'A.D.': case 'B.C.': notForInterval(tm); return caseAs(k, tm.year <= 0 ? 'B.C.' : 'A.D.');
    case 'AD': case 'BC': notForInterval(tm); return caseAs(k, tm.year <= 0 ? 'BC' : 'AD');
    default: return calendarKeywordText(n, tm);
  }
}

function calendarKeywordText(n: KeywordNode<Keyword>, tm: Tm): string | null {
  const k = n.keyword;
  const fm = n.fillMode;
  switch (k.toUpperCase()) {
    case 'MONTH': notForInterval(tm); return tm.mon === 0 ? null : caseAs(k, monthNames[tm.mon - 1] ?? '').padEnd(fm ? 0 : nameWidth);
    case 'MON': notForInterval(tm); return tm.mon === 0 ? null : caseAs(k, (monthNames[tm.mon - 1] ?? '').slice(0, 3));
    case 'MM': return pad(tm.mon, 2, fm);
    case 'DAY': notForInterval(tm); return caseAs(k, dayNames[tm.wday] ?? '').padEnd(fm ? 0 : nameWidth);
    case 'DY': notForInterval(tm); return caseAs(k, (dayNames[tm.wday] ?? '').slice(0, 3));
    case 'DDD': return pad(tm.yday, 3, fm);
    case 'IDDD': return pad(isoYearDay(tm), 3, fm);
    case 'DD': return pad(tm.mday, 2, fm);
    case 'D': notForInterval(tm); return String(tm.wday + 1);
    case 'ID': notForInterval(tm); return String(tm.wday === 0 ? 7 : tm.wday);
    case 'WW': return pad(Math.trunc((tm.yday - 1) / 7) + 1, 2, fm);
    case 'IW': return pad(isoWeek(tm.year, tm.mon, tm.mday), 2, fm);
    case 'W': return String(Math.trunc((tm.mday - 1) / 7) + 1);
    case 'Q': return tm.mon === 0 ? null : String(Math.trunc((tm.mon - 1) / 3) + 1);
    case 'CC': return century(tm, fm);
    case 'Y,YYY': { const y = adjustYear(tm); const th = Math.trunc(y / 1000); return `${th},${cPad(y - th * 1000, 3)}`; }
    case 'YYYY': return yearDigits(tm, n, tm.year, 4);
    case 'YYY': return yearDigits(tm, n, tm.year, 3);
    case 'YY': return yearDigits(tm, n, tm.year, 2);
    case 'Y': return String(adjustYear(tm) % 10);
    case 'IYYY': case 'IYY': case 'IY': case 'I': {
      const iy = isoYear(tm.year, tm.mon, tm.mday);
      const digits = k.length;
      return digits === 1 ? String(adjustYear(tm, iy) % 10) : yearDigits(tm, n, iy, digits);
    }
    case 'J': return String(dateToJulian(tm.year, tm.mon, tm.mday));
    case 'RM': return romanMonth(n, tm);
    case 'FX': return '';
    default: return null;
  }
}

function century(tm: Tm, fm: boolean): string {
  const c = tm.isInterval ? Math.trunc(tm.year / 100) : tm.year > 0 ? Math.trunc((tm.year - 1) / 100) + 1 : Math.trunc(tm.year / 100) - 1;
  return c <= 99 && c >= -99 ? pad(c, 2, fm) : String(c);
}

function romanMonth(n: KeywordNode<Keyword>, tm: Tm): string | null {
  if (tm.mon === 0 && tm.year === 0) return null;
  const index = tm.mon === 0 ? (tm.year >= 0 ? 0 : 11) : tm.mon < 0 ? -1 * (tm.mon + 1) : 12 - tm.mon;
  const text = romanMonths[index] ?? '';
  return (n.keyword === 'rm' ? text.toLowerCase() : text).padEnd(n.fillMode ? 0 : romanWidth);
}

function isoYearDay(tm: Tm): number {
  const iy = isoYear(tm.year, tm.mon, tm.mday);
  const day4 = dateToJulian(iy, 1, 4);
  const week1 = day4 - julianToWeekday(day4 - 1);
  return dateToJulian(tm.year, tm.mon, tm.mday) - week1 + 1;
}

function render(nodes: readonly FormatNode<Keyword>[], tm: Tm): string {
  let out = '';
  for (const n of nodes) {
    if (n.kind === 'literal') { out += n.text; continue; }
    const text = keywordText(n, tm);
    if (text === null) continue;
    const numeric = /[0-9]$/.test(text);
    out += n.ordinal !== null && numeric ? text + ordinalSuffix(text, n.ordinal === 'TH') : text;
  }
  return out;
}

function parse(format: string): FormatNode<Keyword>[] {
  return parseFormat(format, { keywords, suffixes: true });
}

function fieldsTm(micros: bigint, gmtoff: number, zone: string | null): Tm {
  const f = timestampToFields(micros);
  const julian = dateToJulian(f.year, f.month, f.day);
  return {
    year: f.year, mon: f.month, mday: f.day, hour: f.hour, min: f.minute, sec: f.second, fsec: f.micros,
    yday: julian - dateToJulian(f.year, 1, 1) + 1, wday: julianToWeekday(julian), gmtoff, zone, isInterval: false,
  };
}

/** to_char(timestamp, format); NULL for ±infinity. */
export function timestampToChar(ts: bigint, format: string): string | null {
  if (!isFiniteTimestamp(ts)) return null;
  return render(parse(format), fieldsTm(ts, 0, null));
}

/** to_char(timestamptz, format) in the session zone. */
export function timestamptzToChar(ts: bigint, format: string, zone: TimeZone): string | null {
  if (!isFiniteTimestamp(ts)) return null;
  const offset = utcOffsetAt(zone, ts);
  return render(parse(format), fieldsTm(ts + BigInt(offset) * usecsPerSecBig, offset, zoneAbbreviation(zone, offset, ts)));
}

const abbreviationFormatters = new Map<string, Intl.DateTimeFormat>();

/** ICU's English short name ('EST', 'PDT'), when it has a letters-only one. */
function icuAbbreviation(zoneName: string, utcMicros: bigint): string | undefined {
  let f = abbreviationFormatters.get(zoneName);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zoneName, timeZoneName: 'short' });
    abbreviationFormatters.set(zoneName, f);
  }
  const ms = Number(utcMicros / 1000n) + 946_684_800_000;
  if (Math.abs(ms) > 8.64e15) return undefined;
  const name = f.formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName')?.value;
  return name !== undefined && /^[A-Z]{2,5}$/.test(name) && !/^(GMT|UTC)$/.test(name) ? name : undefined;
}

/**
 * The zone abbreviation TZ prints: 'UTC'/'GMT', ICU's abbreviation for IANA
 * zones where it has one, otherwise the numeric offset ('+0530'), which is
 * what tzdata uses for zones without letters (see DESIGN.md, gaps).
 */
function zoneAbbreviation(zone: TimeZone, offset: number, utcMicros: bigint): string {
  if (zone.kind === 'fixed' && zone.utcOffsetSeconds === 0 && /^(UTC|GMT)$/.test(zone.name)) return zone.name;
  if (zone.kind === 'iana') {
    if (/^(Etc\/)?(UTC|UCT|Universal|Zulu)$/.test(zone.name)) return 'UTC';
    const icu = icuAbbreviation(zone.name, utcMicros);
    if (icu !== undefined) return icu;
  }
  const abs = Math.abs(offset);
  const hh = String(Math.trunc(abs / 3600)).padStart(2, '0');
  const mm = abs % 3600 === 0 ? '' : String(Math.trunc((abs % 3600) / 60)).padStart(2, '0');
  return `${offset >= 0 ? '+' : '-'}${hh}${mm}`;
}

/** to_char(interval, format). */
export function intervalToChar(iv: Interval, format: string): string {
  const year = Math.trunc(iv.months / 12);
  const mon = iv.months % 12;
  const hour = iv.micros / 3_600_000_000n;
  let rest = iv.micros - hour * 3_600_000_000n;
  const min = Number(rest / 60_000_000n);
  rest -= BigInt(min) * 60_000_000n;
  const sec = Number(rest / 1_000_000n);
  const tm: Tm = {
    year, mon, mday: iv.days, hour: Number(hour), min, sec, fsec: Number(rest - BigInt(sec) * 1_000_000n),
    yday: (year * 12 + mon) * 30 + iv.days, wday: 0, gmtoff: 0, zone: null, isInterval: true,
  };
  return render(parse(format), tm);
}
