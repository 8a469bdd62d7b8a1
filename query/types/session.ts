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

/**
 * A TypeSession whose 'now' is read from `clock` on first use, then fixed:
 * for statements that most often never ask (a point read, a Bind of
 * integers), so they skip the clock and its BigInt. A class, not an object
 * literal with a getter: V8 gives each such literal its own accessor objects,
 * which outlived young-generation collections here (pgbench -S promoted
 * ~500 bytes per statement to the old generation).
 */
export class LazyNowSession implements TypeSession {
  private now: bigint | undefined;

  constructor(readonly timeZone: TimeZone, private readonly clock: () => bigint) {}

  get nowMicros(): bigint {
    this.now ??= this.clock();
    return this.now;
  }
}

/** UTC, with 'now' at 2000-01-01 00:00:00: for tests and for contexts without a transaction. */
export const defaultSession: TypeSession = makeSession();
