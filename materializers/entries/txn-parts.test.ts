import { describe, expect, it } from 'vitest';
import type { DecodedEntry } from './decode.js';
import type { RawTxnEntry } from './txn.js';
import { TxnPartAssembler, type AssembledEntry } from './txn-parts.js';

const txn = (txnId: bigint): RawTxnEntry => ({ txnId, sessionId: 1, commitTsMicros: 0n, effects: [], sequences: [] });
const part = (txnId: bigint, number: number, continues: boolean): DecodedEntry => ({ type: 'txnPart', txn: txn(txnId), part: { number, continues } });
const single = (txnId: bigint): DecodedEntry => ({ type: 'txn', txn: txn(txnId) });

/** Feeds entries at consecutive indexes from 1; each held value is "txnId/index". */
function feed(a: TxnPartAssembler<string>, entries: readonly (readonly [number, DecodedEntry | null])[], from = 1): AssembledEntry<string>[] {
  return entries.map(([term, decoded], i) => a.accept(from + i, term, decoded, (p) => `${p.type === 'txnPart' ? p.txn.txnId : p.txnId}/${from + i}`));
}

describe('TxnPartAssembler', () => {
  it('completes consecutive parts at the last one, and passes other entries through', () => {
    const a = new TxnPartAssembler<string>();
    const out = feed(a, [[1, single(1n)], [1, part(2n, 0, true)], [1, part(2n, 1, true)], [1, part(2n, 2, false)], [1, single(3n)]]);
    expect(out.map((o) => o.kind)).toEqual(['single', 'buffered', 'buffered', 'complete', 'single']);
    expect(out[3]).toEqual({ kind: 'complete', txnId: 2n, parts: ['2/2', '2/3', '2/4'] });
    expect(a.pendingTxn()).toBeNull();
    expect(a.droppedTxns).toBe(0);
  });

  it('drops pending parts at any entry that does not continue them; later parts are orphans', () => {
    for (const interloper of [single(9n), null, { type: 'txnAbort', txnId: 2n } as const, part(9n, 1, false), part(2n, 2, true)]) {
      const a = new TxnPartAssembler<string>();
      const out = feed(a, [[1, part(2n, 0, true)], [1, interloper], [1, part(2n, 1, false)]]);
      expect(out[0]?.kind).toBe('buffered');
      expect(['single', 'orphan']).toContain(out[1]?.kind);
      expect(out[2]?.kind).toBe('orphan');
      expect(a.pendingTxn()).toBeNull();
      expect(a.droppedTxns).toBe(1);
    }
  });

  it('drops parts when the term changes (a new leader), and a new transaction starts cleanly after', () => {
    const a = new TxnPartAssembler<string>();
    const out = feed(a, [[1, part(2n, 0, true)], [1, part(2n, 1, true)], [2, part(2n, 2, false)], [2, part(5n, 0, true)], [2, part(5n, 1, false)]]);
    expect(out.map((o) => o.kind)).toEqual(['buffered', 'buffered', 'orphan', 'buffered', 'complete']);
    expect(a.droppedTxns).toBe(1);
  });

  it('a new part 0 replaces an unfinished transaction', () => {
    const a = new TxnPartAssembler<string>();
    const out = feed(a, [[1, part(2n, 0, true)], [1, part(3n, 0, true)], [1, part(3n, 1, false)]]);
    expect(out[2]).toEqual({ kind: 'complete', txnId: 3n, parts: ['3/2', '3/3'] });
    expect(a.pendingTxn()).toBeNull();
  });

  it('needs the very next index: a gap drops the parts', () => {
    const a = new TxnPartAssembler<string>();
    expect(a.accept(1, 1, part(2n, 0, true), () => 'x').kind).toBe('buffered');
    expect(a.pendingTxn()).toEqual({ txnId: 2n, firstIndex: 1, parts: 1 });
    expect(a.accept(3, 1, part(2n, 1, false), () => 'x').kind).toBe('orphan');
  });
});
