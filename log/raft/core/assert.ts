// Invariant checks that stay on in production (STYLE.md, TigerBeetle). A broken
// invariant means this node's Raft state can no longer be trusted: the error
// propagates out of the core and the driver stops the node. Bad input from the
// network is never asserted on; it is ignored where it arrives.

/** A Raft invariant was violated: a bug or corrupted storage, never bad input. */
export class InvariantError extends Error {
  override readonly name = 'InvariantError';
}

/** Throws `InvariantError` unless `condition` holds. One condition per call. */
export function invariant(condition: boolean, message: string): asserts condition {
  if (!condition) throw new InvariantError(message);
}

/** Ends every `switch` over a discriminated union: the compiler proves it unreachable. */
export function unreachable(value: never, what: string): never {
  throw new InvariantError(`unhandled ${what}: ${JSON.stringify(value)}`);
}
