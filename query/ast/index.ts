// ThunderDB's SQL syntax tree: readonly discriminated unions, independent of
// any parser library. query/parser builds it; the binder consumes it.

export type * from './expr.js';
export type * from './select.js';
export type * from './dml.js';
export type * from './ddl.js';
export type * from './utility.js';
export type * from './statement.js';

/** Ends an exhaustive `switch`: the compiler proves it unreachable; reaching it is a bug. */
export function unreachable(value: never, what: string): never {
  throw new Error(`unreachable: unexpected ${what} ${JSON.stringify(value)}`);
}
