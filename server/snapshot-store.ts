// Raft snapshots of a node (log/raft/snapshot.ts) over its row store: the
// SnapshotSource a leader streams to a follower behind its log, and the
// SnapshotSink a follower receives and installs one with.
//
// What a snapshot is: the row store's state at its last checkpoint
// (materializers/rowstore/snapshot.ts), in the snapshot stream format
// (snapshot-format.ts). The column store is not in it: a follower that
// installs a snapshot rebuilds its column store from the installed row store
// at the snapshot index (server/columnstore-service.ts rebuildFrom), which
// is simpler than a second snapshot format and gives the same rows by
// construction; analytic queries take the row path while it runs.
//
// Receiving (write): chunks go to data_dir/snapshots/incoming.tmp while the
// decoder checks them; a complete, verified stream is fsynced and renamed to
// snapshot-<index>-<term>.tdbsnap. Nothing is in effect yet.
//
// Installing (install), crash-safe by a marker, in this order:
//   1. data_dir/snapshot-install.json names the snapshot file (written
//      atomically: tmp, fsync, rename, fsync dir);
//   2. the row store is replaced by the snapshot (durable at its end);
//   3. the column store is rebuilt from the row store;
//   4. the WAL is reset to continue empty after the snapshot index (its own
//      marker makes that step atomic, log/wal/reset-marker.ts);
//   5. the snapshot's membership is handed to onMembershipInstalled;
//   6. the marker and the snapshot file are removed.
// A crash before 1 leaves the old state; after 1, the next start finds the
// marker and redoes 2–6 before anything opens the views
// (finishInterruptedInstall), so the node comes up in the new state.

import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import {
  snapshotChunkBytesMax, type Membership, type RaftObserver, type SnapshotMeta, type SnapshotSink, type SnapshotSource,
} from '../log/index.js';
import { encodeSnapshot, SnapshotDecoder, type PinnedRowSnapshot, type RowStore } from '../materializers/index.js';
import { StartupError } from './startup-error.js';

const markerFileName = 'snapshot-install.json';
const snapshotsDirName = 'snapshots';
const incomingSuffix = '.incoming';
/** An unused pin is released after this long: it holds a RocksDB snapshot (old files) alive. */
const pinIdleMsMax = 30_000;

/** The slice of the WAL snapshots need. */
export interface SnapshotWal {
  term(index: number): number | undefined;
  reset(index: number, term: number): Promise<void>;
}

export interface NodeSnapshotsOptions {
  readonly dataDir: string;
  readonly rowStore: RowStore;
  readonly wal: SnapshotWal;
  /** The configuration in force (the Raft log's voters and learners). */
  readonly membership: () => Membership;
  /** Rebuilds the views the snapshot does not carry (the column store) from the installed row store; called during install. */
  readonly rebuildDerivedViews: () => Promise<void>;
  /** Persists the snapshot's membership (server/membership-store.ts); optional. */
  readonly onMembershipInstalled?: (membership: Membership, index: number) => Promise<void> | void;
  readonly observer?: Pick<RaftObserver, 'onSnapshotInstalled'>;
  readonly logger: Logger;
  /** Test-only: waits this long inside an install, after the row store was replaced, so a test can kill -9 the process there. */
  readonly testPauseInInstallMs?: number;
}

interface InstallMarker {
  readonly version: 1;
  readonly index: number;
  readonly term: number;
  readonly voters: readonly number[];
  readonly learners: readonly number[];
  /** File name under data_dir/snapshots. */
  readonly file: string;
}

interface Pin {
  readonly meta: SnapshotMeta;
  readonly pinned: PinnedRowSnapshot;
  readonly timer: NodeJS.Timeout;
}

function snapshotFileName(meta: SnapshotMeta): string {
  return `snapshot-${meta.index}-${meta.term}.tdbsnap`;
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function writeFileDurably(dir: string, name: string, body: string): Promise<void> {
  const tmp = join(dir, `${name}.tmp`);
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(body);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, join(dir, name));
  await fsyncDir(dir);
}

/** The pairs of a stored snapshot file, decoded and verified as they are read; memory is about one chunk. */
async function* pairsOfFile(path: string): AsyncGenerator<readonly [Uint8Array, Uint8Array]> {
  let ready: [Uint8Array, Uint8Array][] = [];
  const decoder = new SnapshotDecoder((key, value) => ready.push([key, value]));
  for await (const chunk of createReadStream(path, { highWaterMark: snapshotChunkBytesMax }) as AsyncIterable<Buffer>) {
    decoder.push(chunk);
    const out = ready;
    ready = [];
    yield* out;
  }
  decoder.finish();
}

export class NodeSnapshots implements SnapshotSource, SnapshotSink {
  private pin: Pin | undefined;
  /** The last complete, verified snapshot received and its size. */
  private received: { readonly meta: SnapshotMeta; readonly file: string; readonly bytes: number } | undefined;
  private readonly dir: string;
  /** Numbers the files of streams received at once (two leaders in quick succession). */
  private incomingSeq = 0;
  /** The snapshot file an install is reading: never deleted as superseded. */
  private installing: string | undefined;

  constructor(private readonly options: NodeSnapshotsOptions) {
    this.dir = join(options.dataDir, snapshotsDirName);
  }

  // ---- SnapshotSource (leader) ----

  latest(): SnapshotMeta | undefined {
    const { rowStore, wal } = this.options;
    const index = rowStore.checkpointIndex();
    if (this.pin !== undefined && this.pin.meta.index === index) return this.pin.meta;
    if (index === 0) return undefined;
    const term = wal.term(index);
    if (term === undefined) return undefined;
    const pinned = rowStore.pinSnapshot();
    if (pinned === undefined) return this.pin?.meta; // a checkpoint is being written: the older pin still serves
    this.releasePin();
    const meta: SnapshotMeta = { index: pinned.index, term, membership: this.options.membership() };
    const timer = setTimeout(() => this.releasePin(), pinIdleMsMax);
    timer.unref();
    this.pin = { meta, pinned, timer };
    return meta;
  }

  async *read(meta: SnapshotMeta): AsyncGenerator<Uint8Array> {
    const pin = this.takePin(meta);
    yield* encodeSnapshot({ index: meta.index, term: meta.term }, pin.pairs(), snapshotChunkBytesMax);
  }

  /** The pin for `meta`: the one latest() took, or a fresh one if the checkpoint has not moved. */
  private takePin(meta: SnapshotMeta): PinnedRowSnapshot {
    const pin = this.pin;
    if (pin !== undefined && pin.meta.index === meta.index && pin.meta.term === meta.term) {
      clearTimeout(pin.timer);
      this.pin = undefined;
      return pin.pinned;
    }
    const fresh = this.options.rowStore.checkpointIndex() === meta.index ? this.options.rowStore.pinSnapshot() : undefined;
    if (fresh === undefined || fresh.index !== meta.index) {
      void fresh?.release();
      throw new Error(`snapshot ${meta.index} is no longer available (the row store checkpointed past it); the leader retries with a newer one`);
    }
    return fresh;
  }

  private releasePin(): void {
    const pin = this.pin;
    this.pin = undefined;
    if (pin === undefined) return;
    clearTimeout(pin.timer);
    pin.pinned.release().catch((err: unknown) => this.options.logger.warn({ err }, 'releasing a snapshot pin failed'));
  }

  // ---- SnapshotSink (follower) ----

  holds(meta: SnapshotMeta): boolean {
    return this.options.rowStore.appliedIndex() >= meta.index;
  }

  async write(meta: SnapshotMeta, chunks: AsyncIterable<Uint8Array>): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const incoming = join(this.dir, `${++this.incomingSeq}${incomingSuffix}`);
    const decoder = new SnapshotDecoder();
    let bytes = 0;
    const handle = await open(incoming, 'w');
    try {
      for await (const chunk of chunks) {
        decoder.push(chunk);
        await handle.write(chunk);
        bytes += chunk.length;
      }
      const { header } = decoder.finish();
      if (header.index !== meta.index || header.term !== meta.term) {
        throw new Error(`the snapshot stream holds ${header.index}/${header.term}, the leader announced ${meta.index}/${meta.term}`);
      }
      await handle.sync();
    } catch (err) {
      await handle.close();
      await unlink(incoming).catch(() => undefined);
      throw err;
    }
    await handle.close();
    const file = snapshotFileName(meta);
    await rename(incoming, join(this.dir, file));
    await fsyncDir(this.dir);
    // Older received snapshots are superseded (streams still arriving, and the one being installed, are not).
    for (const name of await readdir(this.dir)) {
      if (name !== file && name !== this.installing && name.endsWith('.tdbsnap')) await unlink(join(this.dir, name)).catch(() => undefined);
    }
    this.received = { meta, file, bytes };
  }

  async install(meta: SnapshotMeta): Promise<void> {
    const received = this.received;
    if (received === undefined || received.meta.index !== meta.index || received.meta.term !== meta.term) {
      throw new Error(`asked to install snapshot ${meta.index}/${meta.term} but the last one received is ${received === undefined ? 'none' : `${received.meta.index}/${received.meta.term}`}`);
    }
    const marker: InstallMarker = {
      version: 1, index: meta.index, term: meta.term, voters: meta.membership.voters, learners: meta.membership.learners, file: received.file,
    };
    await writeFileDurably(this.options.dataDir, markerFileName, JSON.stringify(marker) + '\n');
    const startedMs = Date.now();
    this.installing = received.file;
    try {
      await applyInstall(this.options, marker, this.options.rebuildDerivedViews);
    } finally {
      this.installing = undefined;
    }
    this.received = undefined;
    this.options.logger.info({ index: meta.index, term: meta.term, bytes: received.bytes, ms: Date.now() - startedMs }, `installed snapshot ${meta.index} from the leader`);
    try {
      this.options.observer?.onSnapshotInstalled?.(meta.index, received.bytes);
    } catch (err) {
      this.options.logger.warn({ err }, 'snapshot observer threw; ignored');
    }
  }

  close(): void {
    this.releasePin();
  }
}

/** Steps 2–6 of an install (see the header); idempotent, so a start after a crash redoes them. */
async function applyInstall(
  options: Pick<NodeSnapshotsOptions, 'dataDir' | 'rowStore' | 'wal' | 'onMembershipInstalled' | 'testPauseInInstallMs' | 'logger'>,
  marker: InstallMarker,
  rebuildDerivedViews: () => Promise<void>,
): Promise<void> {
  const path = join(options.dataDir, snapshotsDirName, marker.file);
  await options.rowStore.installSnapshot(marker.index, pairsOfFile(path));
  if (options.testPauseInInstallMs !== undefined) {
    options.logger.warn({ ms: options.testPauseInInstallMs }, 'snapshot install paused (test hook)');
    await new Promise((resolve) => setTimeout(resolve, options.testPauseInInstallMs));
  }
  await rebuildDerivedViews();
  await options.wal.reset(marker.index, marker.term);
  await options.onMembershipInstalled?.({ voters: marker.voters, learners: marker.learners }, marker.index);
  await unlink(join(options.dataDir, markerFileName));
  await fsyncDir(options.dataDir);
  await unlink(path).catch(() => undefined);
}

/**
 * At start, after the WAL and the row store opened and before anything else
 * reads them: finishes an install a crash interrupted (the marker exists).
 * `columnStoreDir` is wiped: the column store then opens empty below the
 * WAL's first index and is rebuilt from the row store (openColumnStoreService).
 */
export async function finishInterruptedInstall(
  options: Pick<NodeSnapshotsOptions, 'dataDir' | 'rowStore' | 'wal' | 'onMembershipInstalled' | 'logger'>,
  columnStoreDir: string,
): Promise<boolean> {
  const markerPath = join(options.dataDir, markerFileName);
  let raw: string;
  try {
    raw = await readFile(markerPath, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    // No install in progress: what a previous run received but never installed is of no use now.
    await rm(join(options.dataDir, snapshotsDirName), { recursive: true, force: true });
    return false;
  }
  let marker: InstallMarker;
  try {
    marker = JSON.parse(raw) as InstallMarker;
    if (marker.version !== 1 || !Number.isSafeInteger(marker.index) || !Number.isSafeInteger(marker.term) || typeof marker.file !== 'string') {
      throw new Error('unexpected contents');
    }
  } catch (err) {
    throw new StartupError(
      `${markerPath}: a snapshot install was interrupted but its marker is unreadable (${(err as Error).message}); ` +
        'wipe storage.data_dir and storage.wal_dir of this node and restart it: it catches up from the leader',
    );
  }
  options.logger.warn({ index: marker.index, term: marker.term }, `finishing the install of snapshot ${marker.index} interrupted by a crash`);
  await applyInstall(options, marker, () => rm(columnStoreDir, { recursive: true, force: true }));
  return true;
}
