// The session settings value I/O depends on. DateStyle (ISO, MDY),
// IntervalStyle (postgres) and extra_float_digits (1) are fixed; the time zone
// and the transaction start (what 'now' means) come from the session.

import type { DateTimeContext } from './datetime/decode-datetime.js';
import { utcZone } from './datetime/time-zone.js';
import type { TimeZone } from './datetime/time-zone.js';

export interface TypeSession extends DateTimeContext {
  readonly timeZone: TimeZone;
  /** Transaction start, µs since 2000-01-01 UTC: the value of now(), 'now', 'today'. */
  readonly nowMicros: bigint;
}

export function makeSession(timeZone: TimeZone = utcZone, nowMicros = 0n): TypeSession {
  return { timeZone, nowMicros };
}

/** UTC, with 'now' at 2000-01-01 00:00:00: for tests and for contexts without a transaction. */
export const defaultSession: TypeSession = makeSession();
