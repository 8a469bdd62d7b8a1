// Writes Raft's hard state through the WAL, coalescing writes.
//
// Term and vote must be durable before any message that depends on them is
// sent, so a change to either is awaited. A change of the commit index alone
// is written in the background when the driver calls writeDeferred (once per
// election timeout): the
// stored commit index may lag (log/types.ts allows it; recovery re-learns the
// rest), and waiting for it would add a second fsync to every commit.
//
// The stored commit never exceeds the WAL's durableIndex() at write time. The
// driver persisting a Ready's entries first is not enough: with sync_commit
// off an append resolves once written, before its fdatasync, while this file
// is replaced with an fsync of its own, so a power loss could keep the commit
// index and lose the entries it covers. A commit clamped here is stored in
// full by a later write, once the entries are synced and the commit moves on.

import type { HardState, WriteAheadLog } from '../types.js';

export class HardStateWriter {
  private lastRequested: HardState;
  /** What the WAL holds (or is writing): a write of the same state is skipped. */
  private lastWritten: HardState;
  private wanted: HardState | undefined;
  private writing: Promise<void> | undefined;
  private failure: unknown;
  /** A term or vote change is wanted: write without waiting for the next tick. */
  private urgent = false;
  /** close(): write whatever is wanted. */
  private flushing = false;

  constructor(
    private readonly wal: WriteAheadLog,
    initial: HardState,
    private readonly onFailure: (error: unknown) => void,
  ) {
    this.lastRequested = initial;
    this.lastWritten = initial;
  }

  /** Resolves once `state` must and can be relied upon (see the header comment). */
  async save(state: HardState): Promise<void> {
    const mustWait = this.changesTermOrVote(state);
    this.lastRequested = state;
    this.wanted = state;
    // A commit-only change waits for the next tick (writeDeferred).
    if (!mustWait) return;
    this.urgent = true;
    this.writing ??= this.writeLoop();
    await this.writing;
    if (this.failure !== undefined) throw this.failure;
  }

  /** Whether saving `state` would change the term or vote (and so be awaited). */
  changesTermOrVote(state: HardState): boolean {
    return state.term !== this.lastRequested.term || state.vote !== this.lastRequested.vote;
  }

  /**
   * Called once per election timeout by the driver: writes a commit-only change deferred since.
   * Commit changes come with nearly every Ready under load, and each write of
   * this file costs an fdatasync, a rename and a directory fsync, on every
   * node: written back to back they competed with the WAL's fsyncs for the
   * disk (measured with 3 nodes on one machine). Once per election timeout
   * bounds that, and the stored commit may lag anyway.
   */
  writeDeferred(): void {
    if (this.wanted !== undefined) this.writing ??= this.writeLoop();
  }

  /** Resolves once every requested state is written (or writing failed). */
  async flush(): Promise<void> {
    this.flushing = true;
    this.writeDeferred();
    await this.writing;
  }

  /** Never rejects: a failure is recorded and reported, and fails the node. */
  private async writeLoop(): Promise<void> {
    // Yield first: the loop may end without awaiting a write (a skipped
    // state), and its `finally` must not run before save() stored it in `writing`.
    await Promise.resolve();
    try {
      // One write per start; more only for a term or vote change (or close) requested meanwhile.
      for (let first = true; this.wanted !== undefined && this.failure === undefined && (first || this.urgent || this.flushing); first = false) {
        const state = { ...this.wanted, commit: Math.min(this.wanted.commit, this.wal.durableIndex()) };
        this.wanted = undefined;
        this.urgent = false;
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
