// What the decoder returns when a client's bytes are unacceptable. A value, not
// a throw: the session matches on it like on any other message, and nothing a
// client sends can unwind the event loop.
import type { SqlState } from './constants.js';

/**
 * The client broke the protocol. Carries the SQLSTATE and text to put in the
 * ErrorResponse.
 *
 * `fatal`: framing is lost (bad length, unknown type byte) or the connection
 * is still in its startup phase. The decoder has stopped for good; send
 * ErrorResponse with severity FATAL and close the connection.
 *
 * Not fatal: one correctly framed message had a bad body (a string without its
 * NUL, invalid UTF-8, a count running past the end). The decoder skipped
 * exactly that frame and goes on. PostgreSQL answers these with ERROR, not
 * FATAL, so the session does the same: send ErrorResponse, and in extended
 * query mode discard messages until Sync.
 */
export class ProtocolViolation extends Error {
  override readonly name = 'ProtocolViolation';
  readonly kind = 'violation';

  constructor(
    readonly sqlState: SqlState,
    message: string,
    readonly fatal: boolean,
    /** Type byte of the offending frame; undefined for startup packets and framing errors. */
    readonly messageType: number | undefined,
  ) {
    super(message);
  }
}

export function fatalViolation(sqlState: SqlState, message: string, messageType?: number): ProtocolViolation {
  return new ProtocolViolation(sqlState, message, true, messageType);
}
