// Snapshots at the driver level: the interface a state store implements so
// the replicated log can send a snapshot to a follower that fell behind the
// leader's log, and install one it receives.
//
// The core (core/follower.ts handleInstallSnapshot, core/leader.ts
// sendSnapshot) deals only with SnapshotMeta: index, term, configuration.
// The bytes belong to the application (the row store's last checkpoint,
// server/snapshot-store.ts) and travel beside the InstallSnapshot message
// (log/grpc: the InstallSnapshot RPC):
//
//   leader                                         follower
//   core: InstallSnapshot{meta} in Ready.messages
//   transport: for each chunk of source.read(meta)  ──▶  sink.write(meta, chunks)
//              (chunks of at most snapshotChunkBytesMax, in order, with
//              (meta.index, offset) so a restarted stream is recognised)
//                                                  transport: once complete, step
//                                                  the InstallSnapshot into the core
//                                                  core: Ready.snapshot = meta
//                                                  driver: await sink.install(meta)
//                                                  (views load it; WAL restarts empty
//                                                  after meta.index), then the rest of
//                                                  the Ready; committed$ continues at
//                                                  meta.index + 1
//
// A lost or failed stream is simply not stepped: the leader's progress for
// that follower stays in the snapshot state for two election timeouts and
// then probes again, which sends a fresh snapshot if still needed.

import type { SnapshotMeta } from './core/storage.js';

export type { SnapshotMeta } from './core/storage.js';

/** Bytes of one snapshot chunk on the wire. */
export const snapshotChunkBytesMax = 1024 * 1024;

export interface SnapshotSource {
  /**
   * The latest snapshot this node can send: a state at or below its applied
   * index, with the configuration in force there. Synchronous and cheap (the
   * core asks when a follower needs one); undefined when there is none.
   */
  latest(): SnapshotMeta | undefined;
  /** The bytes of the snapshot `meta` names, in chunks of at most snapshotChunkBytesMax. */
  read(meta: SnapshotMeta): AsyncIterable<Uint8Array>;
}

export interface SnapshotSink {
  /**
   * Whether this node's state already reaches `meta.index` (it restarted past
   * it, or caught up meanwhile): the transport then steps the message without
   * receiving the bytes, and the core acknowledges it at once. Optional.
   */
  holds?(meta: SnapshotMeta): boolean;
  /** Stores a received snapshot's bytes (not yet in effect). Rejects if they are incomplete or corrupt. */
  write(meta: SnapshotMeta, chunks: AsyncIterable<Uint8Array>): Promise<void>;
  /**
   * Puts a received snapshot in effect, durably, before the driver persists
   * anything after it: the views load it and the WAL continues empty after
   * meta.index (term meta.term at its compaction point). Called by the driver
   * for Ready.snapshot.
   */
  install(meta: SnapshotMeta): Promise<void>;
}
