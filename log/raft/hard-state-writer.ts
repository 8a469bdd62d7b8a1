// Writes Raft's hard state through the WAL, coalescing writes.
//
// Term and vote must be durable before any message that depends on them is
// sent, so a change to either is awaited. A change of the commit index alone
// is written in the background: the stored commit index may lag (log/types.ts
// allows it; recovery re-learns the rest), and waiting for it would add a
// second fsync to every commit.
//
// Nor is a commit-only change written at once: replacing the file costs two
// fsyncs (the temporary and the directory), and writing it after every commit
// batch put those beside every WAL fdatasync, halving the commit rate on one
// disk (TPC-B, issue 4). It is written at most once per
// `commitOnlyDelayMs`; close() flushes it. The lag only lengthens the replay
// at restart, which the views' applied indexes bound anyway.
//
// The stored commit never exceeds the WAL's durableIndex() at write time. The
// driver persisting a Ready's entries first is not enough: with sync_commit
// off an append resolves once written, before its fdatasync, while this file
// is replaced with an fsync of its own, so a power loss could keep the commit
// index and lose the entries it covers. A commit clamped here is stored in
// full by a later write, once the entries are synced and the commit moves on.

import type { HardState, WriteAheadLog } from '../types.js';

/** How long a change of the commit index alone may wait to be stored. */
export const defaultCommitOnlyDelayMs = 1000;

export class HardStateWriter {
  private lastRequested: HardState;
  /** What the WAL holds (or is writing): a write of the same state is skipped. */
  private lastWritten: HardState;
  private wanted: HardState | undefined;
  private writing: Promise<void> | undefined;
  private failure: unknown;
  /** A commit-only change waits for this timer (see the header comment). */
  private delayed: NodeJS.Timeout | undefined;

  constructor(
    private readonly wal: WriteAheadLog,
    initial: HardState,
    private readonly onFailure: (error: unknown) => void,
    private readonly commitOnlyDelayMs = defaultCommitOnlyDelayMs,
  ) {
    this.lastRequested = initial;
    this.lastWritten = initial;
  }

  /** Resolves once `state` must and can be relied upon (see the header comment). */
  async save(state: HardState): Promise<void> {
    const mustWait = state.term !== this.lastRequested.term || state.vote !== this.lastRequested.vote;
    this.lastRequested = state;
    if (!mustWait && this.commitOnlyDelayMs > 0) {
      this.delayed ??= setTimeout(() => this.writeLatest(), this.commitOnlyDelayMs).unref();
      return;
    }
    this.writeLatest();
    await this.writing;
    if (this.failure !== undefined) throw this.failure;
  }

  /** Writes the latest requested state now; resolves once every requested state is written (or writing failed). */
  async flush(): Promise<void> {
    this.writeLatest();
    await this.writing;
  }

  private writeLatest(): void {
    clearTimeout(this.delayed);
    this.delayed = undefined;
    this.wanted = this.lastRequested;
    this.writing ??= this.writeLoop();
  }

  /** Never rejects: a failure is recorded and reported, and fails the node. */
  private async writeLoop(): Promise<void> {
    // Yield first: the loop may end without awaiting a write (a skipped
    // state), and its `finally` must not run before save() stored it in `writing`.
    await Promise.resolve();
    try {
      while (this.wanted !== undefined && this.failure === undefined) {
        const state = { ...this.wanted, commit: Math.min(this.wanted.commit, this.wal.durableIndex()) };
        this.wanted = undefined;
        // With sync_commit off the clamp often yields what is already stored: skip the fsyncs.
        if (state.term === this.lastWritten.term && state.vote === this.lastWritten.vote && state.commit === this.lastWritten.commit) continue;
        this.lastWritten = state;
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
