// Session and literal time zones: fixed offsets, and IANA zones through the
// platform's Intl tz database (Node ships full ICU). Offsets here are seconds
// EAST of UTC (local = utc + offset); PostgreSQL's internal `tz` is the negation.

import { InvalidParameterValueError } from '../errors.js';
import {
  dateToJulian, floorDivBig, postgresEpochJulianDay, secsPerDay, unixToPostgresEpochSeconds, usecsPerSecBig,
} from './calendar.js';
import { parsePosixZone, posixOffsetAt } from './posix-zone.js';
import type { PosixZone } from './posix-zone.js';
import { zoneAbbreviations } from './zone-abbreviations.js';

export type TimeZone =
  | { readonly kind: 'fixed'; readonly name: string; readonly utcOffsetSeconds: number }
  | { readonly kind: 'iana'; readonly name: string }
  /** A POSIX TZ string with daylight-saving rules ('EST5EDT4,M3.2.0,M11.1.0'). */
  | { readonly kind: 'posix'; readonly name: string; readonly rules: PosixZone };

export const utcZone: TimeZone = { kind: 'fixed', name: 'UTC', utcOffsetSeconds: 0 };

/** Largest |offset| PostgreSQL accepts in literals (MAX_TZDISP_HOUR = 15, exclusive of 16h). */
export const utcOffsetSecondsLimit = 16 * 3600;
/** Date's range in milliseconds. */
const jsDateMsMax = 8.64e15;
/**
 * Far-future instants are moved back by whole 400-year Gregorian cycles (the
 * calendar repeats exactly, and so do the zone's final DST rules), so the
 * years Date cannot represent still get PostgreSQL's answer.
 */
const farFutureUnixSeconds = 32503680000; // 3000-01-01
const gregorianCycleSeconds = 146097 * 86400;

export function fixedOffsetZone(utcOffsetSeconds: number, name = formatOffsetName(utcOffsetSeconds)): TimeZone {
  return { kind: 'fixed', name, utcOffsetSeconds };
}

function formatOffsetName(offset: number): string {
  const abs = Math.abs(offset);
  const hh = String(Math.floor(abs / 3600)).padStart(2, '0');
  const mm = String(Math.floor((abs % 3600) / 60)).padStart(2, '0');
  return `${offset < 0 ? '-' : '+'}${hh}:${mm}`;
}

const formatters = new Map<string, Intl.DateTimeFormat | null>();

function formatterFor(name: string): Intl.DateTimeFormat | null {
  let f = formatters.get(name);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: name, hourCycle: 'h23', era: 'short', year: 'numeric', month: 'numeric', day: 'numeric',
        hour: 'numeric', minute: 'numeric', second: 'numeric',
      });
    } catch {
      f = null;
    }
    formatters.set(name, f);
  }
  return f;
}

const fixedNames = new Map<string, string>([['utc', 'UTC'], ['gmt', 'GMT'], ['etc/utc', 'UTC'], ['etc/gmt', 'GMT'], ['z', 'UTC'], ['zulu', 'UTC'], ['universal', 'UTC']]);

/**
 * pg_tzset(): a tz database zone by name (case-insensitive), else a POSIX TZ
 * string ('UTC+3' is three hours WEST of Greenwich), else undefined.
 */
export function findTimeZone(name: string): TimeZone | undefined {
  const fixed = fixedNames.get(name.toLowerCase());
  if (fixed !== undefined) return { kind: 'fixed', name: fixed, utcOffsetSeconds: 0 };
  // ICU would read 'GMT+3' and '+05:30' with the ISO sign; PostgreSQL reads them as POSIX.
  if (/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(name) && !/^(GMT|UTC)[+-]/i.test(name)) {
    const f = formatterFor(name);
    if (f !== null) return { kind: 'iana', name: f.resolvedOptions().timeZone };
  }
  const rules = parsePosixZone(name);
  if (rules === undefined) return undefined;
  if (rules.dst === null) return fixedOffsetZone(rules.stdOffsetWest === 0 ? 0 : -rules.stdOffsetWest, name.toUpperCase());
  return { kind: 'posix', name: name.toUpperCase(), rules };
}

/**
 * SET TIME ZONE: a bare number is hours east (ISO sign), an IANA name is a
 * zone, and a POSIX string such as 'UTC+3' or '+05:30' is an offset WEST of
 * Greenwich, exactly as in PostgreSQL.
 */
export function parseTimeZoneSetting(value: string): TimeZone {
  const trimmed = value.trim();
  if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(trimmed)) {
    const hours = Number(trimmed);
    if (Math.abs(hours) * 3600 < utcOffsetSecondsLimit * 10) return fixedOffsetZone(Math.round(hours * 3600));
  }
  const zone = findTimeZone(trimmed);
  if (zone === undefined) throw new InvalidParameterValueError(`invalid value for parameter "TimeZone": "${value}"`);
  return zone;
}

/** Offset of an IANA zone at a Unix time in seconds. */
function ianaOffsetSeconds(name: string, unixSeconds: number): number {
  const f = formatterFor(name);
  if (f === null) return 0;
  let seconds = unixSeconds;
  if (seconds > farFutureUnixSeconds) seconds -= Math.ceil((seconds - farFutureUnixSeconds) / gregorianCycleSeconds) * gregorianCycleSeconds;
  const ms = Math.min(Math.max(seconds * 1000, -jsDateMsMax), jsDateMsMax);
  let year = 0; let month = 1; let day = 1; let hour = 0; let minute = 0; let second = 0; let bc = false;
  for (const part of f.formatToParts(new Date(ms))) {
    switch (part.type) {
      case 'year': year = Number(part.value); break;
      case 'month': month = Number(part.value); break;
      case 'day': day = Number(part.value); break;
      case 'hour': hour = Number(part.value); break;
      case 'minute': minute = Number(part.value); break;
      case 'second': second = Number(part.value); break;
      case 'era': bc = part.value.startsWith('B'); break;
      default: break;
    }
  }
  if (bc) year = 1 - year;
  const localDays = dateToJulian(year, month, day) - postgresEpochJulianDay;
  const localSeconds = localDays * secsPerDay + hour * 3600 + minute * 60 + second + unixToPostgresEpochSeconds;
  return localSeconds - Math.floor(ms / 1000);
}

/** Offset (seconds east) at a Unix time in seconds. */
function offsetAtUnix(zone: TimeZone, unixSeconds: number): number {
  switch (zone.kind) {
    case 'fixed': return zone.utcOffsetSeconds;
    case 'iana': return ianaOffsetSeconds(zone.name, unixSeconds);
    case 'posix': return posixOffsetAt(zone.rules, unixSeconds);
  }
}

/** Offset (seconds east) in force at a UTC instant given as µs since 2000-01-01. */
export function utcOffsetAt(zone: TimeZone, utcMicros: bigint): number {
  if (zone.kind === 'fixed') return zone.utcOffsetSeconds;
  return offsetAtUnix(zone, Number(floorDivBig(utcMicros, usecsPerSecBig)) + unixToPostgresEpochSeconds);
}

/**
 * DetermineTimeZoneOffset(): the offset to apply to a local wall time (µs
 * since 2000-01-01 local). In a spring-forward gap the offset before the
 * transition wins; in a fall-back overlap the one after it.
 */
export function localOffsetFor(zone: TimeZone, localMicros: bigint): number {
  if (zone.kind === 'fixed') return zone.utcOffsetSeconds;
  const local = Number(floorDivBig(localMicros, usecsPerSecBig)) + unixToPostgresEpochSeconds;
  const before = offsetAtUnix(zone, local - secsPerDay);
  const after = offsetAtUnix(zone, local + secsPerDay);
  if (before === after) return before;
  // Find the transition instant between the two probes.
  let low = local - secsPerDay;
  let high = local + secsPerDay;
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (offsetAtUnix(zone, mid) === before) low = mid; else high = mid;
  }
  const boundary = high;
  const beforeTime = local - before;
  const afterTime = local - after;
  if (beforeTime < boundary && afterTime < boundary) return before;
  if (beforeTime > boundary && afterTime >= boundary) return after;
  return beforeTime > afterTime ? before : after;
}

export type AbbreviationMeaning =
  | { readonly kind: 'fixed'; readonly utcOffsetSeconds: number; readonly daylight: boolean }
  | { readonly kind: 'zone'; readonly zone: TimeZone };

const abbreviationTable = new Map<string, AbbreviationMeaning>();
for (const entry of zoneAbbreviations) {
  const [name, meaning, daylight] = entry;
  if (typeof meaning === 'number') {
    abbreviationTable.set(name, { kind: 'fixed', utcOffsetSeconds: meaning, daylight: daylight ?? false });
  } else {
    const zone = findTimeZone(meaning);
    if (zone !== undefined) abbreviationTable.set(name, { kind: 'zone', zone });
  }
}

/** A time zone abbreviation from PostgreSQL's Default set ('est', 'cest', 'z'); lowercase input. */
export function lookupZoneAbbreviation(lowercaseName: string): AbbreviationMeaning | undefined {
  return abbreviationTable.get(lowercaseName);
}
