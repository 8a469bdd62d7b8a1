// Snapshots of the row store for Raft (log/raft/snapshot.ts): a frozen view
// of the durable state to stream to a follower, and the follower's install
// that replaces the whole store with one.
//
// What a snapshot holds: every RocksDB key and value, as written by the last
// checkpoint (catalog, markers, sequences and the applied index included).
// That is exactly what a restart reopens, so a follower that loads it and
// reopens its core is in the state the leader would be in after a restart at
// that checkpoint. Consistency: RocksDB is written only by checkpoints, and
// an iterator reads from the implicit RocksDB snapshot taken when it is
// created (kv-store.ts), so an iterator created while no checkpoint batch is
// in flight sees the state at `checkpointIndex` and nothing later, however
// long the stream takes (verified in snapshot.test.ts).

import type { KvBatchOp, KvBatchOps, KvIterator, KvStore } from './kv-store.js';
import { RowStoreReplacedError } from './errors.js';

/** The state of the last checkpoint, pinned; stream it once with pairs(), or release() it. */
export interface PinnedRowSnapshot {
  /** The applied index of the checkpoint it holds. */
  readonly index: number;
  /** Every key and value in key order. Once only; releases the pin at the end. */
  pairs(): AsyncIterable<readonly [Uint8Array, Uint8Array]>;
  /** Idempotent. */
  release(): Promise<void>;
}

export function pinIterator(index: number, iterator: KvIterator): PinnedRowSnapshot {
  let used = false;
  return {
    index,
    async *pairs() {
      if (used) throw new Error(`the pinned row store snapshot at ${index} was already streamed`);
      used = true;
      try {
        for (let kv = await iterator.next(); kv !== undefined; kv = await iterator.next()) yield kv;
      } finally {
        await iterator.close();
      }
    },
    release: () => iterator.close(),
  };
}

/**
 * A KvStore that can be revoked: the core built over it then fails its
 * RocksDB reads with RowStoreReplacedError instead of reading a store a
 * snapshot replaced under it. Its in-memory versions stay consistent at
 * their read indexes, so only storage reads must be stopped.
 */
export class FencedKv implements KvStore {
  private revoked = false;

  constructor(readonly inner: KvStore) {}

  revoke(): void {
    this.revoked = true;
  }

  get(key: Uint8Array): Promise<Uint8Array | undefined> {
    if (this.revoked) return Promise.reject(new RowStoreReplacedError());
    return this.inner.get(key);
  }

  iterate(range: { readonly gte?: Uint8Array; readonly lt?: Uint8Array }, reverse?: boolean): KvIterator {
    if (this.revoked) throw new RowStoreReplacedError();
    return this.inner.iterate(range, reverse);
  }

  batch(ops: readonly KvBatchOp[] | KvBatchOps, options: { readonly sync: boolean }): Promise<void> {
    if (this.revoked) return Promise.reject(new RowStoreReplacedError());
    return this.inner.batch(ops, options);
  }

  clear(range: { readonly gte: Uint8Array; readonly lt: Uint8Array }): Promise<void> {
    if (this.revoked) return Promise.reject(new RowStoreReplacedError());
    return this.inner.clear(range);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** Pairs per RocksDB batch while clearing and loading. */
const loadBatchPairsMax = 1024;
const loadBatchBytesMax = 4 * 1024 * 1024;

/**
 * Replaces every key of `kv` by `pairs`: deletes what is there, loads the
 * snapshot in bounded batches, and makes the last batch synced (RocksDB's
 * WAL is sequential, so that fsync covers the earlier batches). Not atomic:
 * the caller records the install (server/snapshot-store.ts) and redoes it
 * after a crash.
 */
export async function replaceAllKeys(kv: KvStore, pairs: AsyncIterable<readonly [Uint8Array, Uint8Array]>): Promise<number> {
  let ops: KvBatchOp[] = [];
  let bytes = 0;
  const flush = async (sync: boolean): Promise<void> => {
    if (ops.length > 0 || sync) await kv.batch(ops.length > 0 ? ops : [{ type: 'del', key: new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff]) }], { sync });
    ops = [];
    bytes = 0;
  };
  const old = kv.iterate({});
  try {
    for (let pair = await old.next(); pair !== undefined; pair = await old.next()) {
      ops.push({ type: 'del', key: pair[0] });
      if (ops.length >= loadBatchPairsMax) await flush(false);
    }
  } finally {
    await old.close();
  }
  await flush(false);
  let loaded = 0;
  for await (const [key, value] of pairs) {
    ops.push({ type: 'put', key, value });
    bytes += key.length + value.length;
    loaded++;
    if (ops.length >= loadBatchPairsMax || bytes >= loadBatchBytesMax) await flush(false);
  }
  await flush(true);
  return loaded;
}
