// Invariant checks that stay on in production (STYLE.md, after TigerBeetle).
// A failed assertion means the WAL's own bookkeeping is wrong: the process must
// stop rather than write or serve a log it no longer understands. Bad input
// (arguments, file contents) is reported with RangeError / WalCorruptionError,
// never with an assertion.

export class WalAssertionError extends Error {
  override readonly name = 'WalAssertionError';
}

export function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new WalAssertionError(`WAL invariant broken: ${message}`);
}
