// The seam to RocksDB: a small typed interface over level-rocksdb (levelup +
// encoding-down + rocksdb, which ship no TypeScript types). Keys and values
// are binary. Iterators read from the implicit snapshot RocksDB takes when
// they are created, which the row store's scan merge relies on.

import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';

export type KvBatchOp =
  | { readonly type: 'put'; readonly key: Uint8Array; readonly value: Uint8Array }
  | { readonly type: 'del'; readonly key: Uint8Array };

/**
 * The ops of a batch, read by position. Arrays are one; a checkpoint passes a
 * list that builds each op when it is read, so a million-row batch is not a
 * million op objects and two million key and value buffers held (and
 * promoted by the GC) for the whole write.
 */
export interface KvBatchOps {
  readonly length: number;
  at(index: number): KvBatchOp | undefined;
}

export interface KvIterator {
  /** The next entry in range, or undefined at the end. Keys and values are owned by the caller. */
  next(): Promise<readonly [Uint8Array, Uint8Array] | undefined>;
  /** Releases the iterator (and its snapshot). Idempotent. */
  close(): Promise<void>;
}

export interface KvStore {
  get(key: Uint8Array): Promise<Uint8Array | undefined>;
  iterate(range: { readonly gte?: Uint8Array; readonly lt?: Uint8Array }, reverse?: boolean): KvIterator;
  /** Applies all ops atomically; `sync` waits for the RocksDB WAL fsync. */
  batch(ops: readonly KvBatchOp[] | KvBatchOps, options: { readonly sync: boolean }): Promise<void>;
  /**
   * Deletes every key in [gte, lt), in RocksDB's own threads (not atomic, not
   * synced: for ranges nothing will ever write again, such as a dropped
   * object's, whose marker the next synced batch forgets).
   */
  clear(range: { readonly gte: Uint8Array; readonly lt: Uint8Array }): Promise<void>;
  close(): Promise<void>;
}

/**
 * A batch larger than this is handed to RocksDB in slices of this many ops,
 * yielding to the event loop between slices, and written once at the end
 * (still atomic). Passing 200k ops in one call blocked the event loop for a
 * second in a row-store checkpoint: every query waited (pgbench p99, issue 4).
 */
export const kvBatchSliceOpsMax = 2048;

/** levelup's chained batch: ops are copied into RocksDB's WriteBatch as they are added. */
interface LevelChainedBatch {
  put(key: Uint8Array, value: Uint8Array): LevelChainedBatch;
  del(key: Uint8Array): LevelChainedBatch;
  write(options: { sync: boolean }): Promise<void>;
}

/** The slice of levelup's API we use. */
interface LevelUp {
  open(): Promise<void>;
  get(key: Uint8Array): Promise<Uint8Array>;
  batch(ops: readonly KvBatchOp[], options: { sync: boolean }): Promise<void>;
  batch(): LevelChainedBatch;
  clear(options: Record<string, unknown>): Promise<void>;
  iterator(options: Record<string, unknown>): LevelIterator;
  close(): Promise<void>;
}
interface LevelIterator {
  next(): Promise<[Uint8Array, Uint8Array] | undefined>;
  end(): Promise<void>;
}
type LevelFactory = (location: string, options: Record<string, unknown>) => LevelUp;

const require = createRequire(import.meta.url);

/** Plain Uint8Array views: Buffer.slice() aliases memory, Uint8Array.slice() copies. */
function plain(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * A Buffer over the same bytes. level-codec's binary encoding copies
 * anything that is not a Buffer (Buffer.from), and RocksDB copies the bytes
 * into its batch when the op is added, so a view is enough: one copy per key
 * and value of a checkpoint instead of two.
 */
function bufferView(bytes: Uint8Array): Uint8Array {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { notFound?: unknown }).notFound === true;
}

class RocksKvStore implements KvStore {
  constructor(private readonly db: LevelUp) {}

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    try {
      return plain(await this.db.get(key));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  iterate(range: { readonly gte?: Uint8Array; readonly lt?: Uint8Array }, reverse = false): KvIterator {
    const it = this.db.iterator({ ...range, reverse });
    let ended = false;
    return {
      async next() {
        if (ended) return undefined;
        const kv = await it.next();
        return kv === undefined ? undefined : [plain(kv[0]), plain(kv[1])] as const;
      },
      async close() {
        if (ended) return;
        ended = true;
        await it.end();
      },
    };
  }

  batch(ops: readonly KvBatchOp[] | KvBatchOps, options: { readonly sync: boolean }): Promise<void> {
    if (ops.length === 0) return Promise.resolve();
    if (Array.isArray(ops) && ops.length <= kvBatchSliceOpsMax) return this.db.batch(ops as readonly KvBatchOp[], { sync: options.sync });
    return this.slicedBatch(ops, options.sync);
  }

  /** One atomic write, filled a slice per event-loop turn (see kvBatchSliceOpsMax). */
  private async slicedBatch(ops: KvBatchOps, sync: boolean): Promise<void> {
    const chained = this.db.batch();
    for (let start = 0; start < ops.length; start += kvBatchSliceOpsMax) {
      if (start > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      const end = Math.min(ops.length, start + kvBatchSliceOpsMax);
      for (let i = start; i < end; i++) {
        const op = ops.at(i);
        if (op === undefined) throw new Error(`batch op ${i} of ${ops.length} is missing`);
        if (op.type === 'put') chained.put(bufferView(op.key), bufferView(op.value));
        else chained.del(bufferView(op.key));
      }
    }
    await chained.write({ sync });
  }

  clear(range: { readonly gte: Uint8Array; readonly lt: Uint8Array }): Promise<void> {
    return this.db.clear({ gte: range.gte, lt: range.lt });
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

/** Opens (creating if needed) a RocksDB database in `directory`. */
export async function openRocksKvStore(directory: string): Promise<KvStore> {
  await mkdir(directory, { recursive: true });
  const level = require('level-rocksdb') as LevelFactory;
  const db = level(directory, { keyEncoding: 'binary', valueEncoding: 'binary', createIfMissing: true });
  await db.open();
  return new RocksKvStore(db);
}
