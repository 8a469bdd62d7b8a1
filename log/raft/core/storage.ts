// What the core reads from durable storage: synchronously, and only metadata.
// `WriteAheadLog` (log/types.ts) satisfies this interface structurally.
//
// The core never reads entry payloads from storage: it keeps the entries it
// may still need (unapplied ones, and a recent tail to send to followers) in
// memory (see log-view.ts). Writes go the other way, through `Ready`.

import type { HardState } from '../../types.js';
import type { Membership } from './membership.js';

/**
 * What a snapshot covers: the state after applying the log up to `index`
 * (whose entry has `term`), and the configuration in force there. The core
 * handles only this metadata; the bytes are the application's (the driver
 * streams them in chunks beside the InstallSnapshot message, see
 * ../snapshot.ts).
 */
export interface SnapshotMeta {
  readonly index: number;
  readonly term: number;
  readonly membership: Membership;
}

export interface RaftStorage {
  /** First index still stored. */
  firstIndex(): number;
  /** Last durable index; `firstIndex() - 1` when empty. */
  lastIndex(): number;
  /**
   * Term of the durable entry at `index`; for `firstIndex() - 1`, the term of
   * the compaction point. `undefined` outside that range. Must not throw.
   */
  term(index: number): number | undefined;
  /** The hard state recovered at open. Read once, when the core is built. */
  hardState(): HardState;
  /**
   * The latest snapshot the application can send to a follower that needs
   * entries the leader no longer holds (at or below the applied index).
   * Optional: without it such a follower cannot be caught up (a warning).
   * Must not throw.
   */
  snapshot?(): SnapshotMeta | undefined;
}

/**
 * Where the core logs elections and anomalies. A pino `Logger` satisfies it.
 * Logging is the only side effect the core has, and it changes no state.
 */
export interface RaftLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export const silentRaftLogger: RaftLogger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
};
