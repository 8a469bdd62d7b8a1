import { describe, expect, it } from 'vitest';
import { EntryKind, type LogEntry } from '../../types.js';
import { SimStorage } from '../testing/sim-cluster.js';
import { InvariantError } from './assert.js';
import { defaultRaftLimits, type RaftLimits } from './config.js';
import { LogView } from './log-view.js';

const entry = (index: number, term: number, bytes = 1): LogEntry => ({ index, term, kind: EntryKind.Normal, data: new Uint8Array(bytes) });

/** A view over durable entries with the given terms (index 1 first). */
function viewOf(terms: readonly number[], options: { commit?: number; applied?: number; limits?: Partial<RaftLimits> } = {}): LogView {
  const storage = new SimStorage();
  storage.persist(terms.map((term, k) => entry(k + 1, term)), { term: Math.max(0, ...terms), vote: 0, commit: options.commit ?? 0 });
  const applied = options.applied ?? 0;
  return new LogView(storage, { ...defaultRaftLimits, ...options.limits }, storage.entries.slice(applied), options.commit ?? 0, applied);
}

describe('LogView', () => {
  it('commits only up to the last entry the leader sent, not a stale tail beyond it', () => {
    const log = viewOf([1, 1, 1, 1, 1]);
    // A delayed request carrying a high commit index but only entry 2.
    expect(log.maybeAppend(1, 1, 5, [entry(2, 1)])).toBe(2);
    expect(log.commitIndex()).toBe(2);
    expect(log.lastIndex()).toBe(5);
  });

  it('truncates a conflicting suffix and forgets it was persisted', () => {
    const log = viewOf([1, 1, 1, 1]);
    expect(log.persistedIndex()).toBe(4);
    expect(log.maybeAppend(2, 1, 0, [entry(3, 2)])).toBe(3);
    expect(log.lastIndex()).toBe(3);
    expect(log.persistedIndex()).toBe(2);
    expect(log.takeUnpersisted().map((e) => e.index)).toEqual([3]);
  });

  it('refuses a mismatching previous entry and never replaces committed entries', () => {
    const log = viewOf([1, 1, 2], { commit: 2 });
    expect(log.maybeAppend(3, 1, 0, [entry(4, 3)])).toBeUndefined();
    expect(() => log.append([entry(2, 3)])).toThrow(InvariantError);
  });

  it('asserts that terms never decrease and indexes stay contiguous', () => {
    const log = viewOf([2]);
    expect(() => log.append([entry(2, 1)])).toThrow(InvariantError);
    expect(() => log.append([entry(2, 2), entry(4, 2)])).toThrow(InvariantError);
    expect(() => log.append([entry(3, 2)])).toThrow(InvariantError);
  });

  it('ignores a persistence acknowledgment for entries replaced since the Ready', () => {
    const log = viewOf([1]);
    log.append([entry(2, 1), entry(3, 1)]);
    const handedOut = log.takeUnpersisted();
    expect(handedOut.map((e) => e.index)).toEqual([2, 3]);
    log.append([entry(3, 2)]);
    log.persistedTo(3, 1);
    expect(log.persistedIndex()).toBe(1);
    expect(log.takeUnpersisted().map((e) => `${e.index}:${e.term}`)).toEqual(['3:2']);
    log.persistedTo(3, 2);
    expect(log.persistedIndex()).toBe(3);
  });

  it('hands out only committed entries that are durable', () => {
    const log = viewOf([1]);
    log.append([entry(2, 1)]);
    log.commitTo(2);
    expect(log.takeCommittedToApply().map((e) => e.index)).toEqual([1]);
    expect(log.hasCommittedToApply()).toBe(false);
    log.takeUnpersisted();
    log.persistedTo(2, 1);
    expect(log.takeCommittedToApply().map((e) => e.index)).toEqual([2]);
  });

  it('finds where terms may match for fast backtracking', () => {
    const log = viewOf([1, 1, 2, 2, 2, 4, 4]);
    expect(log.findConflictByTerm(7, 3)).toEqual({ index: 5, term: 2 });
    expect(log.findConflictByTerm(7, 4)).toEqual({ index: 7, term: 4 });
    expect(log.findConflictByTerm(4, 1)).toEqual({ index: 2, term: 1 });
    expect(log.findConflictByTerm(4, 0)).toEqual({ index: 0, term: 0 });
  });

  it('bounds messages by entries and bytes, but always sends one entry', () => {
    const storage = new SimStorage();
    storage.persist([entry(1, 1, 600), entry(2, 1, 600), entry(3, 1, 600)], undefined);
    const log = new LogView(storage, { ...defaultRaftLimits, messageBytesMax: 1000, messageEntriesMax: 2 }, storage.entries, 0, 0);
    expect(log.entriesFrom(1)?.map((e) => e.index)).toEqual([1]);
    const small = viewOf([1, 1, 1], { limits: { messageEntriesMax: 2 } });
    expect(small.entriesFrom(1)?.map((e) => e.index)).toEqual([1, 2]);
    expect(small.entriesFrom(4)).toEqual([]);
  });

  it('evicts applied, durable entries beyond tailEntriesMax and reports misses below the tail', () => {
    const storage = new SimStorage();
    const log = new LogView(storage, { ...defaultRaftLimits, tailEntriesMax: 4 }, [], 0, 0);
    log.append(Array.from({ length: 20 }, (_, k) => entry(k + 1, 1)));
    storage.persist(log.takeUnpersisted(), undefined);
    log.persistedTo(20, 1);
    log.commitTo(20);
    log.evict();
    // Nothing applied yet: everything stays.
    expect(log.tailEntryCount()).toBe(20);
    log.takeCommittedToApply();
    log.evict();
    expect(log.tailEntryCount()).toBe(4);
    expect(log.entriesFrom(16)).toBeUndefined();
    expect(log.entriesFrom(17)?.map((e) => e.index)).toEqual([17, 18, 19, 20]);
    expect(log.term(16)).toBe(1);
  });
});
