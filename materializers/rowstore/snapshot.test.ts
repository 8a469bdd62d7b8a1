// Row store snapshots: a pinned checkpoint streamed through the snapshot
// format and installed into another store gives the same rows, indexes,
// catalog and sequences, at the snapshot's applied index.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { fullRange } from '../keys/index.js';
import { accounts, accountsId, rowStoreContents, EntryLog, withTempDir } from '../testing/fixtures.js';
import { openRowStore, type RowStore } from './row-store.js';
import { encodeSnapshot, SnapshotDecoder } from './snapshot-format.js';
import { RowStoreReplacedError } from './errors.js';


function history(log: EntryLog, rows: number, from = 0): void {
  if (from === 0) log.ddl({ kind: 'createTable', table: accounts });
  for (let k = from; k < from + rows; k++) log.txn([log.insert(accountsId, [k, `owner${k % 3}`, BigInt(k), `u${k}@x`])]);
}

async function streamBytes(store: RowStore): Promise<{ index: number; chunks: Uint8Array[] }> {
  const pin = store.pinSnapshot();
  if (pin === undefined) throw new Error('no pin');
  const chunks: Uint8Array[] = [];
  for await (const chunk of encodeSnapshot({ index: pin.index, term: 1 }, pin.pairs(), 512)) chunks.push(Buffer.from(chunk));
  return { index: pin.index, chunks };
}

async function* decodedPairs(chunks: readonly Uint8Array[]): AsyncGenerator<readonly [Uint8Array, Uint8Array]> {
  const pairs: [Uint8Array, Uint8Array][] = [];
  const decoder = new SnapshotDecoder((k, v) => pairs.push([k, v]));
  for (const chunk of chunks) decoder.push(chunk);
  decoder.finish();
  yield* pairs;
}

describe('row store snapshots', () => {
  it('installs a pinned checkpoint into another store: same rows, indexes and catalog, applied index set, durable', async () => {
    await withTempDir(async (dir) => {
      const log = new EntryLog();
      history(log, 120);
      const source = await openRowStore({ directory: join(dir, 'a'), bufferPoolBytes: 1 << 20 });
      for (const e of log.entries) source.apply(e);
      await source.checkpoint();
      const { index, chunks } = await streamBytes(source);
      expect(index).toBe(log.lastIndex);

      const target = await openRowStore({ directory: join(dir, 'b'), bufferPoolBytes: 1 << 20 });
      // Something to be replaced: another history.
      const other = new EntryLog();
      history(other, 5);
      for (const e of other.entries) target.apply(e);
      await target.checkpoint();
      await target.installSnapshot(index, decodedPairs(chunks));
      expect([target.appliedIndex(), target.checkpointIndex()]).toEqual([index, index]);
      expect(await rowStoreContents(target)).toEqual(await rowStoreContents(source));

      // The log continues after the snapshot on the installed store.
      history(log, 3, 120);
      for (const e of log.entries.slice(index)) target.apply(e);
      await target.checkpoint();
      await target.close();
      const reopened = await openRowStore({ directory: join(dir, 'b'), bufferPoolBytes: 1 << 20 });
      for (const e of log.entries.slice(index)) source.apply(e);
      expect(reopened.checkpointIndex()).toBe(log.lastIndex);
      expect(await rowStoreContents(reopened)).toEqual(await rowStoreContents(source));
      await reopened.close();
      await source.close();
    });
  });

  it('a pin holds the checkpoint it was taken at: later checkpoints do not leak into the stream', async () => {
    await withTempDir(async (dir) => {
      const log = new EntryLog();
      history(log, 50);
      const store = await openRowStore({ directory: join(dir, 'a'), bufferPoolBytes: 1 << 20 });
      for (const e of log.entries) store.apply(e);
      await store.checkpoint();
      const pinned = await rowStoreContents(store);
      const pin = store.pinSnapshot();
      if (pin === undefined) throw new Error('no pin');
      expect(pin.index).toBe(log.lastIndex);
      history(log, 50, 50);
      for (const e of log.entries.slice(pin.index)) store.apply(e);
      await store.checkpoint();
      const chunks: Uint8Array[] = [];
      for await (const chunk of encodeSnapshot({ index: pin.index, term: 1 }, pin.pairs(), 4096)) chunks.push(Buffer.from(chunk));
      const target = await openRowStore({ directory: join(dir, 'b'), bufferPoolBytes: 1 << 20 });
      await target.installSnapshot(pin.index, decodedPairs(chunks));
      expect(await rowStoreContents(target)).toEqual(pinned);
      await target.close();
      await store.close();
    });
  });

  it('a read in flight on the replaced state fails with a retryable error instead of reading the new contents', async () => {
    await withTempDir(async (dir) => {
      const log = new EntryLog();
      history(log, 30);
      const store = await openRowStore({ directory: join(dir, 'a'), bufferPoolBytes: 1 << 20 });
      for (const e of log.entries) store.apply(e);
      await store.checkpoint();
      const { index, chunks } = await streamBytes(store);
      const fresh = await openRowStore({ directory: join(dir, 'b'), bufferPoolBytes: 64 });
      const old = new EntryLog();
      history(old, 30);
      for (const e of old.entries) fresh.apply(e);
      await fresh.checkpoint();
      const reading = fresh.scan(accountsId, fullRange, fresh.appliedIndex())[Symbol.asyncIterator]();
      await fresh.installSnapshot(index, decodedPairs(chunks));
      await expect(reading.next()).rejects.toBeInstanceOf(RowStoreReplacedError);
      await fresh.close();
      await store.close();
    });
  });
});
