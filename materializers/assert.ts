// Invariant checks that stay on in production (STYLE.md, TigerBeetle). A broken
// invariant means this view can no longer be trusted: the error propagates out
// of apply() and the node stops. Bad input (a garbled payload, a bad DDL
// proposal) is never asserted on: it raises a typed error instead.

/** A materializer invariant was violated: a bug or corrupted storage, never bad input. */
export class MaterializerInvariantError extends Error {
  override readonly name = 'MaterializerInvariantError';
}

/** Throws `MaterializerInvariantError` unless `condition` holds. One condition per call. */
export function invariant(condition: boolean, message: string): asserts condition {
  if (!condition) throw new MaterializerInvariantError(message);
}

/** Ends every `switch` over a discriminated union: the compiler proves it unreachable. */
export function unreachable(value: never, what: string): never {
  throw new MaterializerInvariantError(`unhandled ${what}: ${String(value)}`);
}
