// The one rule for multi-part transactions (EntryType.TxnPart and DdlPart), shared by
// every consumer of committed entries (the row store, the engine's
// modification tracker; later the column store and change streams) so that
// all of them agree on which transactions happened and at which index.
//
// The leader appends the parts of one transaction in one synchronous propose
// loop, so they are consecutive entries of one term: nothing (no other
// transaction, no DDL, no new leader's empty entry) can sit between two of
// them. Hence the rule:
//
// - part 0 starts a pending transaction;
// - part n continues it only if it is the very next entry, of the same term
//   and txnId, numbered n; the last part (continues = false) completes it,
//   and the whole transaction takes effect at the last part's index;
// - any other entry (of any kind: another transaction, DDL, an abort marker,
//   a new leader's empty entry) first drops the pending parts; they never
//   take effect (the transaction was never acknowledged: its last part never
//   committed);
// - a part that continues nothing (its earlier parts were dropped) is an
//   orphan and is ignored, like every later part of that transaction.
//
// So a leader that dies or loses leadership mid-way leaves a prefix that the
// next entry (at the latest the next leader's empty entry) drops, and a later
// transaction is never blocked. Memory is the pending transaction's own
// parts: at most one transaction is pending at a time.

import type { DecodedEntry } from './decode.js';

/** A part of a multi-part transaction: row effects, or a catalog change (DDL in a transaction block). */
export type DecodedPart = Extract<DecodedEntry, { readonly type: 'txnPart' | 'ddlPart' }>;

function isPart(decoded: DecodedEntry | null): decoded is DecodedPart {
  return decoded?.type === 'txnPart' || decoded?.type === 'ddlPart';
}

function txnIdOf(part: DecodedPart): bigint {
  return part.type === 'txnPart' ? part.txn.txnId : part.txnId;
}

export type AssembledEntry<T> =
  /** Not a part: handle the entry as usual. */
  | { readonly kind: 'single' }
  /** A part that continues: held until the last one. */
  | { readonly kind: 'buffered' }
  /** The last part: every part's held value in order (this one last); the transaction takes effect now. */
  | { readonly kind: 'complete'; readonly txnId: bigint; readonly parts: readonly T[] }
  /** A part of a transaction whose earlier parts were dropped: ignore it. */
  | { readonly kind: 'orphan' };

// Shared results: accept() runs for every committed entry on every node, and
// most entries are 'single'.
const singleResult = { kind: 'single' } as const;
const bufferedResult = { kind: 'buffered' } as const;
const orphanResult = { kind: 'orphan' } as const;

interface Pending<T> {
  readonly txnId: bigint;
  readonly term: number;
  readonly firstIndex: number;
  lastIndex: number;
  readonly parts: T[];
}

export interface PendingTxnInfo {
  readonly txnId: bigint;
  /** The index of part 0. */
  readonly firstIndex: number;
  readonly parts: number;
}

export class TxnPartAssembler<T> {
  private pending: Pending<T> | null = null;
  /** Transactions whose parts were dropped unfinished. */
  droppedTxns = 0;

  /**
   * Feeds the next committed entry (in index order, every entry, `decoded`
   * null for entries that carry no data such as a leader's empty entry).
   * `hold` turns a part into what is kept until the last part, given what is
   * held already (the row store decodes rows; it may throw, and then nothing
   * changes).
   */
  accept(index: number, term: number, decoded: DecodedEntry | null, hold: (part: DecodedPart, held: readonly T[]) => T): AssembledEntry<T> {
    const pending = this.pending;
    if (!isPart(decoded)) {
      if (pending !== null) this.drop();
      return singleResult;
    }
    const { part } = decoded;
    const txnId = txnIdOf(decoded);
    const continues = pending !== null && pending.txnId === txnId && pending.term === term &&
      pending.lastIndex + 1 === index && pending.parts.length === part.number;
    if (!continues) {
      if (pending !== null) this.drop();
      if (part.number !== 0) return orphanResult;
    }
    const current = continues ? pending : { txnId, term, firstIndex: index, lastIndex: index, parts: [] };
    const held = hold(decoded, current.parts);
    current.parts.push(held);
    current.lastIndex = index;
    if (part.continues) {
      this.pending = current;
      return bufferedResult;
    }
    this.pending = null;
    return { kind: 'complete', txnId, parts: current.parts };
  }

  /** The pending transaction, if parts of one are held. */
  pendingTxn(): PendingTxnInfo | null {
    const p = this.pending;
    return p === null ? null : { txnId: p.txnId, firstIndex: p.firstIndex, parts: p.parts.length };
  }

  private drop(): void {
    this.pending = null;
    this.droppedTxns++;
  }
}
