import { describe, expect, it } from 'vitest';
import { encodeDdlEntry, encodeKey, encodeTxnEntry, type RowLayout, type TxnPartInfo } from '../../materializers/index.js';
import { EntryKind, type LogEntry } from '../../log/index.js';
import { keyString } from './keys.js';
import { trackerTxnKeysPerTableMax } from './limits.js';
import { ModificationTracker } from './modification-tracker.js';

const layout: RowLayout = { id: 1, columns: [{ id: 1, type: { kind: 'int4' } }] };
const key = (n: number): Uint8Array => encodeKey([{ kind: 'int4' }], [n]);

function txn(index: number, txnId: bigint, keys: readonly number[], part?: TxnPartInfo): LogEntry {
  const effects = keys.map((k) => ({ tableId: 7, op: 'insert' as const, key: key(k), after: [k] }));
  return { index, term: 1, kind: EntryKind.Normal, data: encodeTxnEntry({ txnId, sessionId: 1, commitTsMicros: 0n, effects, sequences: [] }, () => layout, part) };
}

describe('ModificationTracker', () => {
  it('answers whether a key or table changed after a read index', () => {
    const tracker = new ModificationTracker(() => 0);
    tracker.onCommitted(txn(5, 1n, [1, 2]));
    expect(tracker.keyChangedAfter(7, keyString(key(1)), 4)).toBe(true);
    expect(tracker.keyChangedAfter(7, keyString(key(1)), 5)).toBe(false);
    expect(tracker.keyChangedAfter(7, keyString(key(3)), 0)).toBe(false);
    expect(tracker.tableChangedAfter(7, 4)).toBe(true);
    expect(tracker.tableChangedAfter(8, 0)).toBe(false);
  });

  it('counts pending commits as changed until their last part commits; keys change at the last part', () => {
    const tracker = new ModificationTracker(() => 0);
    tracker.registerPending(9n, [`r7:${keyString(key(1))}`, `r7:${keyString(key(2))}`], [7]);
    expect(tracker.keyChangedAfter(7, keyString(key(1)), 100)).toBe(true);
    tracker.onCommitted(txn(3, 9n, [1], { number: 0, continues: true }));
    expect(tracker.tableChangedAfter(7, 100)).toBe(true);
    tracker.onCommitted(txn(4, 9n, [2], { number: 1, continues: false }));
    expect(tracker.keyChangedAfter(7, keyString(key(1)), 100)).toBe(false);
    // Both keys changed at the last part's index, not at the part that carried them.
    expect(tracker.keyChangedAfter(7, keyString(key(1)), 3)).toBe(true);
    expect(tracker.keyChangedAfter(7, keyString(key(2)), 3)).toBe(true);
    expect(tracker.keyChangedAfter(7, keyString(key(1)), 4)).toBe(false);
  });

  it('records an entry it was told is its own from the registration, and decodes a copy of the same bytes', () => {
    const own = new ModificationTracker(() => 0);
    const entry = txn(5, 3n, [1, 2]);
    own.registerPending(3n, [`r7:${keyString(key(1))}`, `r7:${keyString(key(2))}`], [7]);
    own.noteOwnEntry(3n, entry.data);
    own.onCommitted(entry);
    const decoded = new ModificationTracker(() => 0);
    decoded.registerPending(3n, [`r7:${keyString(key(1))}`, `r7:${keyString(key(2))}`], [7]);
    decoded.noteOwnEntry(3n, entry.data);
    // Re-read from the WAL: other bytes object, so the entry is decoded.
    decoded.onCommitted({ ...entry, data: Uint8Array.from(entry.data) });
    for (const tracker of [own, decoded]) {
      expect(tracker.keyChangedAfter(7, keyString(key(1)), 4)).toBe(true);
      expect(tracker.keyChangedAfter(7, keyString(key(2)), 5)).toBe(false);
      expect(tracker.keyChangedAfter(7, keyString(key(3)), 0)).toBe(false);
      expect(tracker.tableChangedAfter(7, 4)).toBe(true);
      expect(tracker.tableChangedAfter(7, 100)).toBe(false);
    }
  });

  it('an own entry is recorded from its registration without decoding it', () => {
    const tracker = new ModificationTracker(() => 0);
    tracker.registerPending(4n, [`r7:${keyString(key(9))}`], [7]);
    // Bytes no decoder accepts: only the registration can have recorded key 9.
    const data = Uint8Array.from([255, 255, 255]);
    tracker.noteOwnEntry(4n, data);
    tracker.onCommitted({ index: 6, term: 1, kind: EntryKind.Normal, data });
    expect(tracker.keyChangedAfter(7, keyString(key(9)), 5)).toBe(true);
    expect(tracker.keyChangedAfter(7, keyString(key(9)), 6)).toBe(false);
  });

  it('a DDL part changes its tables at the last part, with the rows', () => {
    const tracker = new ModificationTracker(() => 0);
    const ddl = { index: 3, term: 1, kind: EntryKind.Normal, data: encodeDdlEntry({ changes: [{ kind: 'truncateTable', tableId: 7 }] }, { txnId: 9n, number: 0, continues: true }) };
    tracker.onCommitted(ddl);
    expect(tracker.tableResetAfter(7, 0)).toBe(false);
    tracker.onCommitted(txn(4, 9n, [1], { number: 1, continues: false }));
    expect(tracker.tableResetAfter(7, 3)).toBe(true);
    expect(tracker.keyChangedAfter(7, keyString(key(5)), 3)).toBe(true);
    expect(tracker.keyChangedAfter(7, keyString(key(5)), 4)).toBe(false);
  });

  it('a transaction changing more than trackerTxnKeysPerTableMax rows of a table changes every key of it', () => {
    const tracker = new ModificationTracker(() => 0);
    const many = Array.from({ length: trackerTxnKeysPerTableMax + 1 }, (_, i) => i);
    const few = { tableId: 8, op: 'insert' as const, key: key(1), after: [1] };
    const effects = [...many.map((k) => ({ tableId: 7, op: 'insert' as const, key: key(k), after: [k] })), few];
    tracker.onCommitted({ index: 5, term: 1, kind: EntryKind.Normal, data: encodeTxnEntry({ txnId: 1n, sessionId: 1, commitTsMicros: 0n, effects, sequences: [] }, () => layout) });
    // Table 7 as a whole (even a key it did not write), table 8 key by key.
    expect(tracker.keyChangedAfter(7, keyString(key(-1)), 4)).toBe(true);
    expect(tracker.keyChangedAfter(7, keyString(key(3)), 5)).toBe(false);
    expect(tracker.tableChangedAfter(7, 4)).toBe(true);
    expect(tracker.keyChangedAfter(8, keyString(key(1)), 4)).toBe(true);
    expect(tracker.keyChangedAfter(8, keyString(key(2)), 4)).toBe(false);
    expect(tracker.size()).toBeLessThan(10);
  });

  it('a pending bulk table counts every key of it as changed until the commit lands', () => {
    const tracker = new ModificationTracker(() => 0);
    tracker.registerPending(3n, [], [7], [7]);
    expect(tracker.keyChangedAfter(7, keyString(key(42)), 100)).toBe(true);
    expect(tracker.keyChangedAfter(8, keyString(key(42)), 100)).toBe(false);
    tracker.clearPending(3n);
    expect(tracker.keyChangedAfter(7, keyString(key(42)), 100)).toBe(false);
  });

  it('records nothing for parts dropped unfinished', () => {
    const tracker = new ModificationTracker(() => 0);
    tracker.onCommitted(txn(3, 9n, [1], { number: 0, continues: true }));
    tracker.onCommitted({ index: 4, term: 2, kind: EntryKind.Empty, data: new Uint8Array(0) });
    tracker.onCommitted(txn(5, 9n, [2], { number: 1, continues: false }));
    expect(tracker.keyChangedAfter(7, keyString(key(1)), 0)).toBe(false);
    expect(tracker.keyChangedAfter(7, keyString(key(2)), 0)).toBe(false);
    expect(tracker.tableChangedAfter(7, 0)).toBe(false);
  });

  it('a truncate changes every key of its table', () => {
    const tracker = new ModificationTracker(() => 0);
    tracker.onCommitted({ index: 6, term: 1, kind: EntryKind.Normal, data: encodeDdlEntry({ changes: [{ kind: 'truncateTable', tableId: 7 }] }) });
    expect(tracker.keyChangedAfter(7, keyString(key(42)), 5)).toBe(true);
    expect(tracker.keyChangedAfter(7, keyString(key(42)), 6)).toBe(false);
  });

  it('prunes what no live snapshot can ask about', () => {
    let oldest = 0;
    const tracker = new ModificationTracker(() => oldest);
    tracker.onCommitted(txn(1, 1n, [1]));
    tracker.onCommitted(txn(2, 2n, [2]));
    oldest = 1;
    tracker.prune();
    expect(tracker.keyChangedAfter(7, keyString(key(2)), 1)).toBe(true);
    expect(tracker.size()).toBe(2); // key 2 and table 7 at index 2
  });
});
