// Invariants of the session's own code. A failure is a bug in ThunderDB (or
// in the engine it talks to), never something a client can cause.

export function invariant(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`invariant violated: ${message}`);
}

/** The `default:` of an exhaustive switch. */
export function unreachable(value: never): never {
  throw new Error(`unreachable: ${JSON.stringify(value)}`);
}
