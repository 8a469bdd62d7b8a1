// Typed errors of the WAL.

/**
 * The log on disk is damaged in a way recovery must not paper over (a bad record
 * followed by good ones, damage in a sealed segment, a missing segment, a bad
 * hard state file). Carries the file and byte offset so an operator can act.
 */
export class WalCorruptionError extends Error {
  override readonly name = 'WalCorruptionError';
  readonly file: string;
  readonly offset: number;

  /** `advice` says what the operator should do; the default suits a damaged segment. */
  constructor(file: string, offset: number, detail: string, advice = segmentAdvice(file)) {
    super(`WAL corruption in ${file} at byte offset ${offset}: ${detail}. ${advice}`);
    this.file = file;
    this.offset = offset;
  }
}

function segmentAdvice(file: string): string {
  return (
    'The node cannot start safely from this log. Restore this data directory from a replica ' +
    "or a backup (in a cluster: wipe this node's WAL and let it re-replicate from the leader); " +
    `or, accepting the loss of every entry from this point on, move ${file} and any later ` +
    'segment files aside and restart.'
  );
}

/** Rejects appends and reads after `close()`. */
export class WalClosedError extends Error {
  override readonly name = 'WalClosedError';
  constructor() {
    super('the WAL is closed');
  }
}
