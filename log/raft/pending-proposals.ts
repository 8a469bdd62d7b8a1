// Proposals made on this node and not yet committed, keyed by log index.

import type { LogEntry } from '../types.js';
import { ProposalDroppedError } from './errors.js';

export interface ProposalResult {
  readonly index: number;
  readonly term: number;
}

interface Pending {
  readonly term: number;
  readonly proposedAtMs: number;
  readonly resolve: (result: ProposalResult) => void;
  readonly reject: (error: Error) => void;
}

export class PendingProposals {
  private readonly byIndex = new Map<number, Pending>();

  get size(): number {
    return this.byIndex.size;
  }

  add(index: number, term: number, proposedAtMs: number): Promise<ProposalResult> {
    return new Promise((resolve, reject) => {
      this.byIndex.set(index, { term, proposedAtMs, resolve, reject });
    });
  }

  /**
   * Settles the proposal at `entry.index`, if any: resolved when the committed
   * entry is ours (same term), rejected when another leader's entry took the
   * index. Returns the proposal's time, for the latency metric.
   */
  settle(entry: LogEntry): number | undefined {
    const pending = this.byIndex.get(entry.index);
    if (pending === undefined) return undefined;
    this.byIndex.delete(entry.index);
    if (pending.term === entry.term) {
      pending.resolve({ index: entry.index, term: entry.term });
      return pending.proposedAtMs;
    }
    pending.reject(new ProposalDroppedError(entry.index, pending.term, entry.term));
    return undefined;
  }

  /** Rejects every proposal at or below `index` (a snapshot jumped over them). */
  rejectThrough(index: number, makeError: (index: number) => Error): void {
    for (const [at, pending] of this.byIndex) {
      if (at > index) continue;
      this.byIndex.delete(at);
      pending.reject(makeError(at));
    }
  }

  rejectAll(error: Error): void {
    for (const pending of this.byIndex.values()) pending.reject(error);
    this.byIndex.clear();
  }
}
