// Typed errors of the entry codecs. Decoding never returns a silently wrong
// value: a payload that is truncated, has trailing bytes, breaks a limit, or
// (for whole entries) fails its checksum raises EntryDecodeError.

/** Why a decode failed; stable strings for metrics and tests. */
export type EntryDecodeReason =
  | 'truncated' // fewer bytes than a field needs
  | 'trailing' // bytes left after the last field
  | 'malformed' // a field holds a value its type cannot hold
  | 'limit' // a length or count beyond a named limit
  | 'checksum' // the entry's CRC-32C does not match
  | 'version' // an unknown format version or entry type
  | 'layout'; // a row names a layout its table does not have

export class EntryDecodeError extends Error {
  override readonly name = 'EntryDecodeError';
  constructor(readonly reason: EntryDecodeReason, message: string) {
    super(message);
  }
}

/**
 * A value does not fit the type it is encoded as (a number for an int8
 * column, 2^31 for int4, a lone surrogate in text). The executor produced it:
 * a bug, reported before anything is proposed.
 */
export class EntryEncodeError extends Error {
  override readonly name = 'EntryEncodeError';
}

/** An effect (a row near the entry size) larger than one log entry can hold: TxnStreamEncoder cannot split it. */
export class EffectTooLargeError extends EntryEncodeError {
  constructor(readonly effectBytes: number, readonly bytesMax: number) {
    super(`an effect of ${effectBytes} bytes does not fit in one entry of at most ${bytesMax} bytes`);
  }
}
