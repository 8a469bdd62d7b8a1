// Writes Raft's hard state through the WAL, coalescing writes.
//
// Term and vote must be durable before any message that depends on them is
// sent, so a change to either is awaited. A change of the commit index alone
// is written in the background: the stored commit index may lag (log/types.ts
// allows it; recovery re-learns the rest), and waiting for it would add a
// second fsync to every commit. It is written only after the entries it
// covers are durable (the driver persists a Ready's entries first), so it
// never points past the durable log.

import type { HardState, WriteAheadLog } from '../types.js';

export class HardStateWriter {
  private lastRequested: HardState;
  private wanted: HardState | undefined;
  private writing: Promise<void> | undefined;
  private failure: unknown;

  constructor(
    private readonly wal: WriteAheadLog,
    initial: HardState,
    private readonly onFailure: (error: unknown) => void,
  ) {
    this.lastRequested = initial;
  }

  /** Resolves once `state` must and can be relied upon (see the header comment). */
  async save(state: HardState): Promise<void> {
    const mustWait = state.term !== this.lastRequested.term || state.vote !== this.lastRequested.vote;
    this.lastRequested = state;
    this.wanted = state;
    this.writing ??= this.writeLoop();
    if (!mustWait) return;
    await this.writing;
    if (this.failure !== undefined) throw this.failure;
  }

  /** Resolves once every requested state is written (or writing failed). */
  async flush(): Promise<void> {
    await this.writing;
  }

  /** Never rejects: a failure is recorded and reported, and fails the node. */
  private async writeLoop(): Promise<void> {
    try {
      while (this.wanted !== undefined && this.failure === undefined) {
        const state = this.wanted;
        this.wanted = undefined;
        await this.wal.saveHardState(state);
      }
    } catch (error) {
      this.failure = error;
      this.onFailure(error);
    } finally {
      this.writing = undefined;
    }
  }
}
