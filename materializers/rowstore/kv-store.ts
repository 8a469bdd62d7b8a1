// The seam to RocksDB: a small typed interface over level-rocksdb (levelup +
// encoding-down + rocksdb, which ship no TypeScript types). Keys and values
// are binary. Iterators read from the implicit snapshot RocksDB takes when
// they are created, which the row store's scan merge relies on.

import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';

export type KvBatchOp =
  | { readonly type: 'put'; readonly key: Uint8Array; readonly value: Uint8Array }
  | { readonly type: 'del'; readonly key: Uint8Array };

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
  batch(ops: readonly KvBatchOp[], options: { readonly sync: boolean }): Promise<void>;
  close(): Promise<void>;
}

/** The slice of levelup's API we use. */
interface LevelUp {
  open(): Promise<void>;
  get(key: Uint8Array): Promise<Uint8Array>;
  batch(ops: readonly KvBatchOp[], options: { sync: boolean }): Promise<void>;
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

  batch(ops: readonly KvBatchOp[], options: { readonly sync: boolean }): Promise<void> {
    return ops.length === 0 ? Promise.resolve() : this.db.batch(ops, { sync: options.sync });
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
