// Invariants of the codec's callers. A failure is a bug in ThunderDB, never
// something a client can cause: decoders return violations for client input.

export function invariant(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`invariant violated: ${message}`);
}

/** The `default:` of an exhaustive switch. */
export function unreachable(value: never): never {
  throw new Error(`unreachable: ${String(value)}`);
}
