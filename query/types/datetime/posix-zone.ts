// POSIX TZ strings ('EST5EDT,M3.2.0,M11.1.0', 'UTC+3', '<+0530>-5:30'), which
// PostgreSQL's pg_tzset() accepts when no tz database zone has the name. Offsets
// in the string are WEST of Greenwich. A DST name without rules takes the US
// rules (TZDEFRULESTRING), as PostgreSQL does.

export type PosixRule =
  | { readonly kind: 'julian-no-leap'; readonly day: number; readonly timeSeconds: number }
  | { readonly kind: 'day-of-year'; readonly day: number; readonly timeSeconds: number }
  | { readonly kind: 'month-week-day'; readonly month: number; readonly week: number; readonly weekday: number; readonly timeSeconds: number };

export interface PosixZone {
  readonly stdOffsetWest: number;
  readonly dst: { readonly offsetWest: number; readonly start: PosixRule; readonly end: PosixRule } | null;
}

import { dateToJulian, julianToDate, unixEpochJulianDay } from './calendar.js';

const secsPerHour = 3600;
const secsPerDay = 86400;
const defaultRules = ',M3.2.0,M11.1.0';
/** getsecs() bound: 167 hours allows quasi-POSIX rules such as M10.4.6/26. */
const ruleHoursMax = 24 * 7 - 1;

class Scanner {
  constructor(readonly text: string, public pos = 0) {}
  peek(): string { return this.text.charAt(this.pos); }
  atEnd(): boolean { return this.pos >= this.text.length; }
  /** getnum(): digits within [min, max]. */
  number(min: number, max: number): number | undefined {
    const m = /^\d+/.exec(this.text.slice(this.pos));
    if (m === null) return undefined;
    const n = Number(m[0]);
    if (n < min || n > max) return undefined;
    this.pos += m[0].length;
    return n;
  }
  /** getsecs(): hh[:mm[:ss]]. */
  seconds(): number | undefined {
    const h = this.number(0, ruleHoursMax);
    if (h === undefined) return undefined;
    let total = h * secsPerHour;
    for (const [limit, unit] of [[59, 60], [60, 1]] as const) {
      if (this.peek() !== ':') break;
      this.pos++;
      const n = this.number(0, limit);
      if (n === undefined) return undefined;
      total += n * unit;
    }
    return total;
  }
  /** getoffset(): [+-]hh[:mm[:ss]]. */
  offset(): number | undefined {
    const sign = this.peek() === '-' ? -1 : 1;
    if (this.peek() === '-' || this.peek() === '+') this.pos++;
    const s = this.seconds();
    return s === undefined ? undefined : sign * s;
  }
  /** getzname()/getqzname(): an abbreviation, possibly <quoted>. */
  name(): string | undefined {
    if (this.peek() === '<') {
      const end = this.text.indexOf('>', this.pos + 1);
      if (end < 0) return undefined;
      const name = this.text.slice(this.pos + 1, end);
      this.pos = end + 1;
      return name;
    }
    const m = /^[^\d,+-]*/.exec(this.text.slice(this.pos));
    const name = m?.[0] ?? '';
    this.pos += name.length;
    return name;
  }
  rule(): PosixRule | undefined {
    let rule: PosixRule | undefined;
    const c = this.peek();
    if (c === 'J') {
      this.pos++;
      const day = this.number(1, 365);
      rule = day === undefined ? undefined : { kind: 'julian-no-leap', day, timeSeconds: 0 };
    } else if (c === 'M') {
      this.pos++;
      const month = this.number(1, 12);
      const week = this.text.charAt(this.pos++) === '.' ? this.number(1, 5) : undefined;
      const weekday = this.text.charAt(this.pos++) === '.' ? this.number(0, 6) : undefined;
      if (month === undefined || week === undefined || weekday === undefined) return undefined;
      rule = { kind: 'month-week-day', month, week, weekday, timeSeconds: 0 };
    } else {
      const day = this.number(0, 365);
      rule = day === undefined ? undefined : { kind: 'day-of-year', day, timeSeconds: 0 };
    }
    if (rule === undefined) return undefined;
    let time = 2 * secsPerHour;
    if (this.peek() === '/') {
      this.pos++;
      const t = this.offset();
      if (t === undefined) return undefined;
      time = t;
    }
    return { ...rule, timeSeconds: time };
  }
}

/** tzparse(): the zone, or undefined if the text is not a POSIX TZ string. */
export function parsePosixZone(text: string): PosixZone | undefined {
  const s = new Scanner(text.toUpperCase());
  if (s.name() === undefined || s.atEnd()) return undefined;
  const stdOffsetWest = s.offset();
  if (stdOffsetWest === undefined) return undefined;
  if (s.atEnd()) return { stdOffsetWest, dst: null };
  const dstName = s.name();
  if (dstName === undefined || dstName.length === 0) return undefined;
  let dstOffsetWest = stdOffsetWest - secsPerHour;
  if (!s.atEnd() && s.peek() !== ',' && s.peek() !== ';') {
    const o = s.offset();
    if (o === undefined) return undefined;
    dstOffsetWest = o;
  }
  const rules = s.atEnd() ? new Scanner(defaultRules) : s;
  if (rules.peek() !== ',' && rules.peek() !== ';') return undefined;
  rules.pos++;
  const start = rules.rule();
  if (start === undefined || rules.text.charAt(rules.pos++) !== ',') return undefined;
  const end = rules.rule();
  if (end === undefined || !rules.atEnd()) return undefined;
  return { stdOffsetWest, dst: { offsetWest: dstOffsetWest, start, end } };
}

function isLeap(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

const monthLengths = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** transtime(): seconds from the year's first UTC midnight to the rule's transition. */
function transitionTime(year: number, rule: PosixRule, offsetWest: number): number {
  const leap = isLeap(year);
  let value: number;
  switch (rule.kind) {
    case 'julian-no-leap': value = (rule.day - 1 + (leap && rule.day >= 60 ? 1 : 0)) * secsPerDay; break;
    case 'day-of-year': value = rule.day * secsPerDay; break;
    case 'month-week-day': {
      // Zeller's congruence: weekday of the month's first day.
      const m1 = ((rule.month + 9) % 12) + 1;
      const yy0 = rule.month <= 2 ? year - 1 : year;
      const yy1 = Math.trunc(yy0 / 100);
      const yy2 = yy0 % 100;
      let dow = (Math.trunc((26 * m1 - 2) / 10) + 1 + yy2 + Math.trunc(yy2 / 4) + Math.trunc(yy1 / 4) - 2 * yy1) % 7;
      if (dow < 0) dow += 7;
      let d = rule.weekday - dow;
      if (d < 0) d += 7;
      const length = (monthLengths[rule.month - 1] ?? 31) + (leap && rule.month === 2 ? 1 : 0);
      for (let i = 1; i < rule.week && d + 7 < length; i++) d += 7;
      value = d * secsPerDay;
      for (let i = 0; i < rule.month - 1; i++) value += ((monthLengths[i] ?? 31) + (leap && i === 1 ? 1 : 0)) * secsPerDay;
      break;
    }
  }
  return value + rule.timeSeconds + offsetWest;
}

/** Unix seconds of January 1st, 00:00 UTC. */
function yearStartUnixSeconds(year: number): number {
  return (dateToJulian(year, 1, 1) - unixEpochJulianDay) * secsPerDay;
}

/** Offset in seconds EAST of UTC at a Unix time. */
export function posixOffsetAt(zone: PosixZone, unixSeconds: number): number {
  if (zone.dst === null) return -zone.stdOffsetWest;
  const { year } = julianToDate(Math.floor(unixSeconds / secsPerDay) + unixEpochJulianDay);
  const base = yearStartUnixSeconds(year);
  const start = base + transitionTime(year, zone.dst.start, zone.stdOffsetWest);
  const end = base + transitionTime(year, zone.dst.end, zone.dst.offsetWest);
  const inDst = start <= end ? unixSeconds >= start && unixSeconds < end : unixSeconds < end || unixSeconds >= start;
  return -(inDst ? zone.dst.offsetWest : zone.stdOffsetWest);
}
