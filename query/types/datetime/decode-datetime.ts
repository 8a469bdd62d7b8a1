// DecodeDateTime() and DecodeTimeOnly() from PostgreSQL 15's datetime.c:
// interpret the fields of a date, time or timestamp literal (DateStyle ISO, MDY).

import { roundHalfEven } from '../float.js';
import {
  dateToJulian, julianToDate, postgresEpochJulianDay, timeOfDayToFields, timestampToFields, usecsPerDay, usecsPerSecBig,
} from './calendar.js';
import {
  allSecsMask, bit, dateMask, decodeDate, decodeNumber, decodeNumberField, decodeTime, decodeTimezone, emptyTm, F,
  fail, parseFraction, parseFractionalSecond, strtoint, timeMask, timeOverflows, validateDate,
} from './decode-parts.js';
import type { DecodeContext, Tm } from './decode-parts.js';
import { findTimeZone, localOffsetFor, lookupZoneAbbreviation, utcOffsetAt } from './time-zone.js';
import type { TimeZone } from './time-zone.js';
import { lookupDateToken } from './tokens.js';
import type { DateTimeField, DateUnit } from './tokens.js';

/** What a literal may consult: the session zone and the transaction's start ('now'). */
export interface DateTimeContext {
  readonly timeZone: TimeZone;
  /** Transaction start, µs since 2000-01-01 UTC. */
  readonly nowMicros: bigint;
}

export type DecodedKind = 'date' | 'epoch' | 'late' | 'early';

export interface Decoded {
  kind: DecodedKind;
  tm: Tm;
  /** Zone offset in seconds WEST of UTC (PostgreSQL's tz), resolved for full dates. */
  tzWest: number;
  /** Whether the literal named a zone (otherwise tzWest is the session zone's). */
  hasZone: boolean;
}

class State implements DecodeContext {
  fmask = 0;
  ptype: DateUnit | 'time' | null = null;
  is2digits = false;
  isJulian = false;
  haveTextMonth = false;
  bc = false;
  mer: 'am' | 'pm' | null = null;
  namedZone: TimeZone | undefined;
  /** A dynamic abbreviation's zone ('MSK'): resolved like a named zone, but never needs a date. */
  abbreviationZone: TimeZone | undefined;
  tzWest = 0;
  kind: DecodedKind = 'date';
  tm = emptyTm();
  constructor(readonly ctx: DateTimeContext) {}
}

/** Local wall-clock fields of `now` in the session zone, with the zone's offset. */
function currentLocal(ctx: DateTimeContext): { tm: Tm; tzWest: number } {
  const offset = utcOffsetAt(ctx.timeZone, ctx.nowMicros);
  const f = timestampToFields(ctx.nowMicros + BigInt(offset) * usecsPerSecBig);
  const tm = emptyTm();
  Object.assign(tm, { year: f.year, mon: f.month, mday: f.day, hour: f.hour, min: f.minute, sec: f.second, fsec: f.micros });
  return { tm, tzWest: -offset };
}

function setDateFromJulian(tm: Tm, julian: number): void {
  const d = julianToDate(julian);
  tm.year = d.year; tm.mon = d.month; tm.mday = d.day;
}

/** Fields labelled by a preceding unit, as in ISO 'y2001m02d04' or 'j2451187'. */
function decodeLabelledNumber(s: State, field: string): number {
  const [val, end] = strtoint(field, 0);
  const rest = field.slice(end);
  const ptype = s.ptype;
  if (rest.startsWith('.')) {
    if (ptype !== 'julian' && ptype !== 'time' && ptype !== 'second') fail();
  } else if (rest.length > 0) {
    fail();
  }
  const tm = s.tm;
  let tmask: number;
  switch (ptype) {
    case 'year': tm.year = val; tmask = bit(F.year); break;
    case 'month':
      if ((s.fmask & bit(F.month)) && (s.fmask & bit(F.hour))) { tm.min = val; tmask = bit(F.minute); } else { tm.mon = val; tmask = bit(F.month); }
      break;
    case 'day': tm.mday = val; tmask = bit(F.day); break;
    case 'hour': tm.hour = val; tmask = bit(F.hour); break;
    case 'minute': tm.min = val; tmask = bit(F.minute); break;
    case 'second':
      tm.sec = val; tmask = bit(F.second);
      if (rest.startsWith('.')) { tm.fsec = parseFractionalSecond(rest); tmask = allSecsMask; }
      break;
    case 'julian': {
      if (val < 0) fail('field-overflow');
      tmask = dateMask;
      setDateFromJulian(tm, val);
      s.isJulian = true;
      if (rest.startsWith('.')) {
        const t = timeOfDayToFields(roundHalfEven(parseFraction(rest) * usecsPerDay));
        Object.assign(tm, { hour: t.hour, min: t.minute, sec: t.second, fsec: t.micros });
        tmask |= timeMask;
      }
      break;
    }
    case 'time': {
      const r = decodeNumberField(field, s.fmask | dateMask, tm, s);
      if (r.tmask !== timeMask) fail();
      tmask = r.tmask;
      break;
    }
    default: return fail();
  }
  s.ptype = null;
  s.kind = 'date';
  return tmask;
}

/** A plain numeric field of a timestamp literal. */
function decodeDateTimeNumber(s: State, field: string): number {
  const dot = field.indexOf('.');
  const flen = field.length;
  if (dot >= 0 && !(s.fmask & dateMask)) return decodeDate(field, s.fmask, s.tm, s);
  if (dot >= 0 && dot > 2) return decodeNumberField(field, s.fmask, s.tm, s).tmask;
  if (flen >= 6 && (!(s.fmask & dateMask) || !(s.fmask & timeMask))) return decodeNumberField(field, s.fmask, s.tm, s).tmask;
  return decodeNumber(field, s.haveTextMonth, s.fmask, s.tm, s);
}

/** A 'date'-typed field: a date, a zone name, or hhmmss-zz after a full date. */
function decodeDateTimeDateField(s: State, field: string): number {
  if (s.ptype === 'julian') {
    const [val, end] = strtoint(field, 0);
    if (val < 0) fail('field-overflow');
    setDateFromJulian(s.tm, val);
    s.isJulian = true;
    s.tzWest = decodeTimezone(field.slice(end));
    s.ptype = null;
    return dateMask | timeMask | bit(F.tz);
  }
  if (s.ptype !== null || (s.fmask & (bit(F.month) | bit(F.day))) === (bit(F.month) | bit(F.day))) {
    if (/^[0-9]/.test(field) || s.ptype !== null) {
      if (s.ptype !== null && s.ptype !== 'time') fail();
      s.ptype = null;
      if ((s.fmask & timeMask) === timeMask) fail();
      const dash = field.indexOf('-');
      if (dash < 0) fail();
      s.tzWest = decodeTimezone(field.slice(dash));
      return decodeNumberField(field.slice(0, dash), s.fmask, s.tm, s).tmask | bit(F.tz);
    }
    s.namedZone = findTimeZone(field);
    if (s.namedZone === undefined) throw new ZoneNotRecognized(field);
    return bit(F.tz);
  }
  return decodeDate(field, s.fmask, s.tm, s);
}

/** Raised for an unknown zone name: PostgreSQL reports it as 22023, not as bad syntax. */
export class ZoneNotRecognized extends Error {
  constructor(readonly zoneName: string) {
    super(zoneName);
  }
}

/** A word: keyword, month, weekday, zone abbreviation or zone name. */
function decodeDateTimeWord(s: State, field: string, i: number, fields: readonly DateTimeField[], timeOnly: boolean): number | null {
  const abbrev = lookupZoneAbbreviation(field);
  if (abbrev !== undefined) {
    if (abbrev.kind === 'fixed') {
      s.tzWest = -abbrev.utcOffsetSeconds;
      s.tm.isdst = abbrev.daylight ? 1 : 0;
      return abbrev.daylight ? bit(F.dtz) | bit(F.tz) : bit(F.tz);
    }
    s.abbreviationZone = abbrev.zone;
    return bit(F.dyntz) | bit(F.tz);
  }
  const token = lookupDateToken(field);
  if (token === undefined) {
    s.namedZone = findTimeZone(field);
    if (s.namedZone === undefined) fail();
    return bit(F.tz);
  }
  switch (token.kind) {
    case 'ignore': return null;
    case 'reserved': return decodeReserved(s, token.value, timeOnly);
    case 'month': {
      if (timeOnly) fail();
      let tmask = bit(F.month);
      if ((s.fmask & bit(F.month)) && !s.haveTextMonth && !(s.fmask & bit(F.day)) && s.tm.mon >= 1 && s.tm.mon <= 31) {
        s.tm.mday = s.tm.mon;
        tmask = bit(F.day);
      }
      s.haveTextMonth = true;
      s.tm.mon = token.value;
      return tmask;
    }
    case 'dtzmod':
      s.tm.isdst = 1;
      s.tzWest -= token.value;
      return bit(F.dtzmod) | bit(F.dtz);
    case 'ampm': s.mer = token.value; return bit(F.ampm);
    case 'adbc': s.bc = token.value === 'bc'; return bit(F.adbc);
    case 'dow': if (timeOnly) fail(); s.tm.wday = token.value; return bit(F.dow);
    case 'units': s.ptype = token.value; return 0;
    case 'isotime': {
      if (!timeOnly && (s.fmask & dateMask) !== dateMask) fail();
      const next = fields[i + 1];
      if (next === undefined || (next.type !== 'number' && next.type !== 'time' && next.type !== 'date')) fail();
      s.ptype = 'time';
      return 0;
    }
  }
}

function decodeReserved(s: State, value: string, timeOnly: boolean): number {
  const { ctx, tm } = s;
  switch (value) {
    case 'now': {
      const cur = currentLocal(ctx);
      Object.assign(tm, { year: cur.tm.year, mon: cur.tm.mon, mday: cur.tm.mday, hour: cur.tm.hour, min: cur.tm.min, sec: cur.tm.sec, fsec: cur.tm.fsec });
      s.tzWest = cur.tzWest;
      s.kind = 'date';
      return timeOnly ? timeMask : dateMask | timeMask | bit(F.tz);
    }
    case 'zulu':
      tm.hour = 0; tm.min = 0; tm.sec = 0; s.tzWest = 0; s.kind = 'date';
      if (timeOnly) tm.isdst = 0;
      return timeMask | bit(F.tz);
    case 'today': case 'tomorrow': case 'yesterday': {
      if (timeOnly) fail();
      const cur = currentLocal(ctx).tm;
      const delta = value === 'today' ? 0 : value === 'tomorrow' ? 1 : -1;
      setDateFromJulian(tm, dateToJulian(cur.year, cur.mon, cur.mday) + delta);
      s.kind = 'date';
      return dateMask;
    }
    default:
      if (timeOnly) fail();
      s.kind = value as DecodedKind;
      return bit(F.reserved);
  }
}

function applyMeridian(s: State): void {
  const tm = s.tm;
  if (s.mer !== null && tm.hour > 12) fail('field-overflow');
  if (s.mer === 'am' && tm.hour === 12) tm.hour = 0;
  else if (s.mer === 'pm' && tm.hour !== 12) tm.hour += 12;
}

function localMicros(tm: Tm): bigint {
  const days = dateToJulian(tm.year, tm.mon, tm.mday) - postgresEpochJulianDay;
  return BigInt(days) * 86_400_000_000n + BigInt(((tm.hour * 60 + tm.min) * 60 + tm.sec) * 1_000_000);
}

/** DecodeDateTime(): fields of a date or timestamp literal. */
export function decodeDateTime(fields: readonly DateTimeField[], ctx: DateTimeContext): Decoded {
  const s = new State(ctx);
  for (let i = 0; i < fields.length; i++) {
    const { text, type } = fields[i] ?? fail();
    let tmask: number | null;
    switch (type) {
      case 'date': tmask = decodeDateTimeDateField(s, text); break;
      case 'time':
        if (s.ptype !== null) { if (s.ptype !== 'time') fail(); s.ptype = null; }
        tmask = decodeTime(text, s.tm);
        if (timeOverflows(s.tm.hour, s.tm.min, s.tm.sec, s.tm.fsec)) fail('field-overflow');
        break;
      case 'tz': s.tzWest = decodeTimezone(text); tmask = bit(F.tz); break;
      case 'number':
        tmask = s.ptype !== null ? decodeLabelledNumber(s, text) : decodeDateTimeNumber(s, text);
        break;
      case 'string': case 'special': tmask = decodeDateTimeWord(s, text, i, fields, false); break;
    }
    if (tmask === null) continue;
    if (tmask & s.fmask) fail();
    s.fmask |= tmask;
  }
  validateDate(s.fmask, s.isJulian, s.is2digits, s.bc, s.tm);
  applyMeridian(s);
  if (s.kind === 'date') {
    if ((s.fmask & dateMask) !== dateMask) fail(); // a time alone is not a timestamp
    const zone = s.namedZone ?? s.abbreviationZone;
    if (zone !== undefined) {
      if (s.fmask & bit(F.dtzmod)) fail();
      s.tzWest = -localOffsetFor(zone, localMicros(s.tm));
    } else if (!(s.fmask & bit(F.tz))) {
      if (s.fmask & bit(F.dtzmod)) fail();
      s.tzWest = -localOffsetFor(ctx.timeZone, localMicros(s.tm));
    }
  }
  return { kind: s.kind, tm: s.tm, tzWest: s.tzWest, hasZone: (s.fmask & bit(F.tz)) !== 0 };
}

/** DecodeTimeOnly(): fields of a time literal; a date part is accepted only in limited forms. */
export function decodeTimeOnly(fields: readonly DateTimeField[], ctx: DateTimeContext): Tm {
  const s = new State(ctx);
  for (let i = 0; i < fields.length; i++) {
    const { text, type } = fields[i] ?? fail();
    let tmask: number | null;
    switch (type) {
      case 'date': tmask = decodeTimeOnlyDateField(s, text, i, fields); break;
      case 'time': tmask = decodeTime(text, s.tm); break;
      case 'tz': s.tzWest = decodeTimezone(text); tmask = bit(F.tz); break;
      case 'number': tmask = s.ptype !== null ? decodeLabelledNumber(s, text) : decodeTimeOnlyNumber(s, text, i, fields); break;
      case 'string': case 'special': tmask = decodeDateTimeWord(s, text, i, fields, true); break;
    }
    if (tmask === null) continue;
    if (tmask & s.fmask) fail();
    s.fmask |= tmask;
  }
  validateDate(s.fmask, s.isJulian, s.is2digits, s.bc, s.tm);
  applyMeridian(s);
  if (timeOverflows(s.tm.hour, s.tm.min, s.tm.sec, s.tm.fsec)) fail('field-overflow');
  if ((s.fmask & timeMask) !== timeMask) fail();
  // A zone with transitions needs a date to pick its offset (pg_get_timezone_offset fails).
  if (s.namedZone !== undefined && hasTransitions(s.namedZone) && (s.fmask & dateMask) !== dateMask) fail();
  return s.tm;
}

function hasTransitions(zone: TimeZone): boolean {
  return zone.kind === 'posix' || (zone.kind === 'iana' && !/^(Etc\/|UTC$|GMT$)/.test(zone.name));
}

function decodeTimeOnlyDateField(s: State, field: string, i: number, fields: readonly DateTimeField[]): number {
  const last = fields[fields.length - 1];
  if (i === 0 && fields.length >= 2 && (last?.type === 'date' || fields[1]?.type === 'time')) {
    return decodeDate(field, s.fmask, s.tm, s);
  }
  if (/^[0-9]/.test(field)) {
    if ((s.fmask & timeMask) === timeMask) fail();
    const dash = field.indexOf('-');
    if (dash < 0) fail();
    s.tzWest = decodeTimezone(field.slice(dash));
    return decodeNumberField(field.slice(0, dash), s.fmask | dateMask, s.tm, s).tmask | bit(F.tz);
  }
  s.namedZone = findTimeZone(field);
  if (s.namedZone === undefined) throw new ZoneNotRecognized(field);
  return bit(F.tz);
}

function decodeTimeOnlyNumber(s: State, field: string, i: number, fields: readonly DateTimeField[]): number {
  const dot = field.indexOf('.');
  if (dot >= 0) {
    if (i === 0 && fields.length >= 2 && fields[fields.length - 1]?.type === 'date') return decodeDate(field, s.fmask, s.tm, s);
    if (dot > 2) return decodeNumberField(field, s.fmask | dateMask, s.tm, s).tmask;
    return fail();
  }
  if (field.length > 4) return decodeNumberField(field, s.fmask | dateMask, s.tm, s).tmask;
  return decodeNumber(field, false, s.fmask | dateMask, s.tm, s);
}
