// Wires one ThunderDB node together and owns its lifecycle:
// admin API first (so /admin/live answers during recovery), then the data and
// WAL directories, the WAL (recovery), with cluster.peers the gRPC transport
// and the peers' ids (cluster.ts), the Raft log, and readiness. Stopping runs
// the same steps backwards. No domain logic lives here.
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createAdminApp, type AdminNodeView, type Lifecycle, type ViewStatus } from '../admin/index.js';
import { entryDataBytesMax, openReplicatedLog, openWal, type Membership, type RaftLimits, type ReplicatedLog, type Wal } from '../log/index.js';
import { columnStoreDirectory } from '../materializers/columnstore/index.js';
import { openRowStore, rowStoreDirectory, type RowStore } from '../materializers/index.js';
import { forwardingEngine, startPgServer, type PgServer } from '../protocols/pg/index.js';
import { createQueryEngine, loadSqlParser, type ThunderQueryEngine } from '../query/index.js';
import { setParallelScanWorkers, startParallelScanWorkers, vectorizedCounters } from '../query/vectorized/index.js';
import { Checkpointer } from './checkpointer.js';
import { openColumnStoreService, skipApplied, type ColumnStoreService } from './columnstore-service.js';
import { Cluster, StartAbortedError } from './cluster.js';
import type { ThunderConfig } from './config/types.js';
import { leaderNamingLog } from './follower-writes.js';
import { forwardingCluster } from './forwarding.js';
import { MembershipManager } from './membership-manager.js';
import { loadMembership, saveMembership, type MembershipRecord } from './membership-store.js';
import { createNodeMetrics, type NodeMetrics } from './metrics.js';
import { raftObserver, walObserver } from './observers.js';
import type { SystemdNotifier } from './sd-notify.js';
import { finishInterruptedInstall, NodeSnapshots } from './snapshot-store.js';
import { StartupError } from './startup-error.js';
import { ensureWritableDir, lockDir } from './storage-dirs.js';
import { buildInfo } from './version.js';

export interface NodeDeps {
  readonly logger: Logger;
  readonly notifier: SystemdNotifier;
  /**
   * The log stopped on a storage error or a broken invariant. Everything
   * acknowledged is already durable; the process must exit non-zero rather
   * than serve from state it no longer trusts.
   */
  readonly onFatal: (error: Error) => void;
  /**
   * Fires on SIGTERM while starting: waits that may last forever without a
   * quorum (peers' handshakes, a leader) give up with StartAbortedError.
   */
  readonly abort?: AbortSignal;
}

/** Settings that SIGHUP may change while the node runs. */
export interface RuntimeSettings {
  slowQueryEnabled: boolean;
  slowQueryThresholdMs: number;
  maxConnections: number;
}

export interface RunningNode {
  readonly settings: RuntimeSettings;
  /** The admin API's bound port. */
  readonly adminPort: number;
  /** Stops accepting, finishes in-flight work, fsyncs and closes. Idempotent. */
  stop(reason: string): Promise<void>;
  /** Applies the reloadable part of a new configuration. */
  applyReload(next: ThunderConfig): void;
}

/** What the node holds while it starts, serves and stops. */
interface NodeState {
  lifecycle: Lifecycle;
  wal: Wal | undefined;
  log: ReplicatedLog | undefined;
  rowStore: RowStore | undefined;
  checkpointer: Checkpointer | undefined;
  columnStore: ColumnStoreService | undefined;
  engine: ThunderQueryEngine | undefined;
  pgServer: PgServer | undefined;
  /** Only with cluster.peers. */
  cluster: Cluster | undefined;
  membership: MembershipManager | undefined;
  snapshots: NodeSnapshots | undefined;
  readonly releaseLocks: Array<() => void>;
}

function raftTiming(config: ThunderConfig): { tickIntervalMs: number; heartbeatTicks: number; electionTimeoutTicks: number } {
  // One tick is one heartbeat interval (etcd's convention); validation already
  // guarantees heartbeat < election timeout, so electionTimeoutTicks >= 2.
  const tickIntervalMs = config.cluster.raftHeartbeatIntervalMs;
  return {
    tickIntervalMs,
    heartbeatTicks: 1,
    electionTimeoutTicks: Math.max(2, Math.round(config.cluster.raftElectionTimeoutMs / tickIntervalMs)),
  };
}

async function listenAdmin(app: FastifyInstance, config: ThunderConfig): Promise<number> {
  const { listenAddr, httpPort } = config.network;
  try {
    await app.listen({ host: listenAddr, port: httpPort });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new StartupError(
        `network.http_port = ${httpPort}: port already in use on ${listenAddr}:${httpPort}; ` +
          `stop the process using it or choose another port (THUNDERDB_NETWORK_HTTP_PORT)`,
      );
    }
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
      throw new StartupError(
        `network.listen_addr = "${listenAddr}": no local interface has this address (${code}); ` +
          `use 127.0.0.1, 0.0.0.0 or an address of this machine`,
      );
    }
    throw new StartupError(`network.http_port = ${httpPort}: cannot listen on ${listenAddr}:${httpPort} (${code ?? (err as Error).message})`);
  }
  const address = app.server.address();
  return typeof address === 'object' && address !== null ? address.port : httpPort;
}

/** Maps a listener's bind error to the config key an operator must change. */
function listenError(err: unknown, key: string, listenAddr: string, port: number, envVar: string): StartupError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return new StartupError(
      `${key} = ${port}: port already in use on ${listenAddr}:${port}; stop the process using it or choose another port (${envVar})`,
    );
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
    return new StartupError(
      `network.listen_addr = "${listenAddr}": no local interface has this address (${code}); use 127.0.0.1, 0.0.0.0 or an address of this machine`,
    );
  }
  return new StartupError(`${key} = ${port}: cannot listen on ${listenAddr}:${port} (${code ?? (err as Error).message})`);
}

/**
 * Test-only: THUNDER_TEST_RAFT_TAIL_ENTRIES_MAX (outside the THUNDERDB_*
 * namespace) shrinks the entries a leader keeps in memory for followers, so
 * integration tests reach "follower behind the leader's log: send a
 * snapshot" with a few hundred rows instead of 16,384 entries.
 */
function testRaftLimits(): { limits?: Partial<RaftLimits> } {
  const raw = process.env['THUNDER_TEST_RAFT_TAIL_ENTRIES_MAX'];
  if (raw === undefined || raw === '') return {};
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 8) throw new StartupError(`THUNDER_TEST_RAFT_TAIL_ENTRIES_MAX = "${raw}": expected an integer of at least 8`);
  return { limits: { tailEntriesMax: value } };
}

/** Test-only: THUNDER_TEST_SNAPSHOT_INSTALL_PAUSE_MS holds a snapshot install halfway, so a test can kill -9 the node there. */
function testSnapshotPause(): { testPauseInInstallMs?: number } {
  const raw = process.env['THUNDER_TEST_SNAPSHOT_INSTALL_PAUSE_MS'];
  if (raw === undefined || raw === '') return {};
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) throw new StartupError(`THUNDER_TEST_SNAPSHOT_INSTALL_PAUSE_MS = "${raw}": expected a non-negative integer`);
  return { testPauseInInstallMs: value };
}

/**
 * Test-only: THUNDER_TEST_TXN_ENTRY_BYTES_MAX (deliberately outside the
 * THUNDERDB_* configuration namespace) lowers the engine's largest txn entry,
 * so integration tests make multi-part transactions from small COPYs.
 */
function testTxnEntryBytesMax(): { txnEntryBytesMax?: number } {
  const raw = process.env['THUNDER_TEST_TXN_ENTRY_BYTES_MAX'];
  if (raw === undefined || raw === '') return {};
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1024) throw new StartupError(`THUNDER_TEST_TXN_ENTRY_BYTES_MAX = "${raw}": expected an integer of at least 1024 bytes`);
  return { txnEntryBytesMax: value };
}

/** The SQL engine over the log and row store, and the PostgreSQL listener in front of it. */
async function startSqlService(config: ThunderConfig, state: NodeState, deps: NodeDeps, settings: RuntimeSettings): Promise<void> {
  if (state.log === undefined || state.rowStore === undefined) throw new Error('the log and row store open before the SQL service');
  if (config.security.tlsEnabled) {
    throw new StartupError('security.tls_enabled = true: TLS is not supported by this version yet; set it to false (clients are answered "no TLS")');
  }
  await loadSqlParser();
  const { cluster } = state;
  state.engine = createQueryEngine({
    log: cluster === undefined ? state.log : leaderNamingLog(state.log, (leaderId) => cluster.pgAddressOf(leaderId)),
    // Only a cluster can have more than one voter; a single node never awaits a read barrier.
    linearizableReads: cluster !== undefined,
    rowStore: state.rowStore, logger: deps.logger.child({ component: 'sql' }), ...testTxnEntryBytesMax(),
    // A snapshot install rebuilds the column store (server/snapshot-store.ts): always read the current one.
    currentColumnStore: () => state.columnStore?.current(),
    checkpoint: async () => {
      const { checkpointer, rowStore } = state;
      if (checkpointer === undefined || rowStore === undefined) throw new Error('the checkpointer starts with the log; CHECKPOINT ran before it');
      // The column store applies in batches: have it apply everything this
      // node has applied first, so the checkpoint covers every commit made
      // before the statement (as the row store's, applied on commit, does).
      await state.columnStore?.current()?.waitApplied(rowStore.appliedIndex(), checkpointColumnWaitMs);
      await checkpointer.checkpointNow();
    },
    vacuum: async (tableIds, horizonIndex) => {
      const store = state.columnStore?.current();
      if (store === undefined || state.rowStore === undefined) return [];
      // Every commit before the statement is in the segments it merges (as CHECKPOINT waits above).
      await store.waitApplied(state.rowStore.appliedIndex(), checkpointColumnWaitMs);
      return store.compact({ tableIds: tableIds ?? undefined, horizonIndex });
    },
  });
  const { listenAddr, pgPort } = config.network;
  try {
    state.pgServer = await startPgServer({
      host: listenAddr,
      port: pgPort,
      // In a cluster, writes sent to a follower run on the leader (protocols/pg/DESIGN.md, "Forwarding").
      engine: cluster === undefined ? state.engine : forwardingEngine(state.engine, forwardingCluster(state.log, cluster, config)),
      logger: deps.logger.child({ component: 'pg' }),
      maxConnections: () => settings.maxConnections,
      authentication: {
        enabled: config.security.authenticationEnabled,
        superuser: config.security.superuser,
        password: config.security.superuserPassword,
        passwordHash: config.security.superuserPasswordHash,
      },
    });
  } catch (err) {
    if (err instanceof StartupError) throw err;
    throw listenError(err, 'network.pg_port', listenAddr, pgPort, 'THUNDERDB_NETWORK_PG_PORT');
  }
  deps.logger.info({ addr: `${listenAddr}:${state.pgServer.port}` }, 'PostgreSQL protocol listening');
}

/** How long CHECKPOINT waits for the column store to apply what the row store has (it is normally milliseconds behind). */
const checkpointColumnWaitMs = 60_000;

/** The open views for /admin/health and the lag metrics. */
function viewStatuses(state: NodeState): ViewStatus[] {
  const out: ViewStatus[] = [];
  if (state.rowStore !== undefined) {
    const stats = state.rowStore.stats();
    out.push({
      name: 'rowstore',
      appliedIndex: stats.appliedIndex,
      checkpointIndex: stats.checkpointIndex,
      details: {
        cachedBytes: stats.cachedBytes, bufferPoolBytes: stats.bufferPoolBytes, rowEntries: stats.rowEntries,
        dirtyRows: stats.dirtyRows, packedRows: stats.packedRows, bulkRowsWritten: stats.bulkRowsWritten, snapshots: stats.snapshots,
      },
    });
  }
  if (state.columnStore !== undefined) {
    const stats = state.columnStore.store.stats();
    const commitIndex = state.log?.status().commitIndex ?? stats.appliedIndex;
    // Applied in batches: behind means committed entries wait for the next batch; how long since the last one landed.
    const behindMs = commitIndex > stats.appliedIndex && stats.lastAppliedWallMs !== null ? Math.max(0, Date.now() - stats.lastAppliedWallMs) : 0;
    out.push({
      name: 'columnstore',
      appliedIndex: stats.appliedIndex,
      checkpointIndex: stats.checkpointIndex,
      details: {
        behindMs, tables: stats.tables, segments: stats.segments, rows: stats.rows, liveRows: stats.liveRows,
        keyIndexBytes: stats.keyIndexBytes,
      },
    });
  }
  return out;
}

function buildAdminView(config: ThunderConfig, state: NodeState, metrics: NodeMetrics): AdminNodeView {
  return {
    nodeId: config.node.nodeId,
    clusterName: config.cluster.clusterName,
    replicationFactor: config.cluster.replicationFactor,
    raftAddr: `${config.network.listenAddr}:${config.network.grpcPort}`,
    pgAddr: `${config.network.listenAddr}:${config.network.pgPort}`,
    httpAddr: `${config.network.listenAddr}:${config.network.httpPort}`,
    version: buildInfo().version,
    startedAtMs: Date.now(),
    lifecycle: () => state.lifecycle,
    raft: () => {
      if (state.log === undefined) return undefined;
      const s = state.log.status();
      return {
        role: s.role, term: s.term, leaderId: s.leaderId, commitIndex: s.commitIndex,
        appliedIndex: s.appliedIndex, firstIndex: s.firstIndex, lastIndex: s.lastIndex, voters: s.voters, learners: s.learners,
        ...(s.role === 'leader' ? { progress: state.log.progress() } : {}),
      };
    },
    cluster: () => {
      const { cluster, log } = state;
      if (cluster === undefined) return undefined;
      return {
        peers: () => cluster.members(),
        matchIndex: (nodeId, term) => cluster.matchIndex(nodeId, term),
        quorumReachable: () => log !== undefined && cluster.quorumReachable(log),
        waitingForPeers: () => cluster.waitingForPeers(),
        joining: () => cluster.joining(),
        removed: () => state.membership?.isRemoved() ?? false,
        ...(state.membership === undefined ? {} : { control: state.membership }),
      };
    },
    wal: () => state.wal === undefined ? undefined : {
      dir: config.storage.walDir,
      sizeBytes: state.wal.sizeBytes(),
      maxSizeBytes: config.storage.maxWalSizeBytes,
      firstIndex: state.wal.firstIndex(),
      lastIndex: state.wal.lastIndex(),
      syncCommit: config.storage.syncCommit,
      compression: config.storage.compressionAlgorithm,
    },
    views: () => viewStatuses(state),
    metrics: async () => {
      if (state.wal !== undefined) metrics.walSizeBytes.set(state.wal.sizeBytes());
      if (state.log !== undefined) {
        // Gauges come from status() so they are right on every node, not only
        // where proposals originate.
        const s = state.log.status();
        metrics.raftTerm.set(s.term);
        metrics.raftCommitIndex.set(s.commitIndex);
        metrics.raftAppliedIndex.set(s.appliedIndex);
        metrics.raftIsLeader.set(s.role === 'leader' ? 1 : 0);
        metrics.raftVoters.set(s.voters.length);
        metrics.raftLearners.set(s.learners.length);
        // Only the leader knows followers' progress; elsewhere the series disappear.
        metrics.raftReplicationLagEntries.reset();
        for (const p of state.log.progress()) metrics.raftReplicationLagEntries.set({ peer: String(p.nodeId) }, Math.max(0, s.lastIndex - p.matchIndex));
      }
      const commitIndex = state.log?.status().commitIndex;
      for (const v of viewStatuses(state)) {
        const lag = commitIndex === undefined ? 0 : Math.max(0, commitIndex - v.appliedIndex);
        metrics.viewLagEntries.set({ view: v.name }, lag);
        metrics.viewLagSeconds.set({ view: v.name }, lag === 0 ? 0 : (v.details['behindMs'] ?? 0) / 1000);
      }
      const counts: [typeof metrics.columnWaits, number][] = [
        [metrics.columnWaitChecks, vectorizedCounters.waitChecks], [metrics.columnWaits, vectorizedCounters.waits], [metrics.columnWaitSeconds, vectorizedCounters.waitMs / 1000],
      ];
      for (const [counter, value] of counts) {
        counter.reset();
        counter.inc(value);
      }
      for (const peer of state.cluster?.members() ?? []) {
        if (peer.nodeId !== 0) metrics.clusterPeerConnected.set({ peer: String(peer.nodeId) }, peer.connected ? 1 : 0);
      }
      return { contentType: metrics.registry.contentType, body: await metrics.registry.metrics() };
    },
  };
}

/** Directories, WAL recovery, the row store and the Raft log (replaying after the row store's checkpoint), in that order. Fills `state` as it goes. */
async function openStorage(config: ThunderConfig, state: NodeState, deps: NodeDeps, metrics: NodeMetrics): Promise<void> {
  const { logger } = deps;
  ensureWritableDir(config.storage.dataDir, 'storage.data_dir');
  ensureWritableDir(config.storage.walDir, 'storage.wal_dir');
  state.releaseLocks.push(await lockDir(config.storage.walDir, 'storage.wal_dir'));
  const recoveryStartMs = Date.now();
  state.wal = await openWal({
    dir: config.storage.walDir,
    segmentSizeBytes: config.storage.walSegmentSizeBytes,
    bufferSizeBytes: config.storage.walBufferSizeBytes,
    syncCommit: config.storage.syncCommit,
    compression: config.storage.compressionAlgorithm,
    logger: logger.child({ component: 'wal' }),
    observer: walObserver(metrics),
  });
  logger.info(
    { firstIndex: state.wal.firstIndex(), lastIndex: state.wal.lastIndex(), ms: Date.now() - recoveryStartMs },
    'WAL recovered',
  );
  const rowStore = await openRowStore({
    directory: rowStoreDirectory(config.storage.dataDir),
    bufferPoolBytes: config.storage.bufferPoolSizeBytes,
  });
  state.rowStore = rowStore;
  const wal = state.wal;
  const snapshotParts = {
    dataDir: config.storage.dataDir, rowStore, wal, logger: logger.child({ component: 'snapshot' }),
    // The installed snapshot's configuration is the one in force at its index (membership-store.ts).
    onMembershipInstalled: (m: Membership, index: number) => saveMembership(config.storage.dataDir, { index, voters: [...m.voters], learners: [...m.learners] }),
  };
  // Before the column store opens and the log replays: a crash may have interrupted a snapshot install.
  await finishInterruptedInstall(snapshotParts, columnStoreDirectory(config.storage.dataDir));
  state.columnStore = await openColumnStoreService(
    {
      dataDir: config.storage.dataDir, compression: config.storage.compressionAlgorithm, coldCompression: config.storage.coldCompressionAlgorithm,
      compactionThreads: config.storage.compactionThreads,
      logger: logger.child({ component: 'columnstore' }),
    },
    state.wal.firstIndex(),
    rowStore,
  );
  const columnStore = state.columnStore;
  await setParallelScanWorkers(config.storage.parallelScanThreads === 0 ? null : config.storage.parallelScanThreads);
  // Booted while the log replays, so the first analytic query does not wait for them.
  startParallelScanWorkers();
  logger.info({ checkpointIndex: rowStore.checkpointIndex() }, 'row store opened; replaying the log after its checkpoint');
  let membership: MembershipRecord = { index: 0, voters: [config.node.nodeId], learners: [] };
  if (config.cluster.peers.length > 0) {
    const record = loadMembership(config.storage.dataDir);
    state.cluster = await Cluster.listen(config, logger.child({ component: 'cluster' }), metrics);
    const walEmpty = state.wal.lastIndex() === 0 && state.wal.hardState().term === 0;
    membership = await state.cluster.startMembership(record, walEmpty, deps.abort);
    refuseIfRemoved(config, membership);
  }
  const snapshots = new NodeSnapshots({
    ...snapshotParts,
    membership: () => {
      const s = state.log?.status();
      return { voters: s?.voters ?? membership.voters, learners: s?.learners ?? membership.learners };
    },
    rebuildDerivedViews: () => state.columnStore?.rebuildFrom(rowStore) ?? Promise.resolve(),
    observer: raftObserver(metrics),
    ...testSnapshotPause(),
  });
  state.snapshots = snapshots;
  state.cluster?.transport.attachSnapshots({ source: snapshots, sink: snapshots });
  state.log = await openReplicatedLog({
    nodeId: config.node.nodeId,
    peers: membership.voters,
    learners: membership.learners,
    snapshotSource: snapshots,
    snapshotSink: snapshots,
    ...testRaftLimits(),
    ...(state.cluster === undefined ? {} : { transport: state.cluster.transport }),
    wal: state.wal,
    ...raftTiming(config),
    logger: logger.child({ component: 'raft' }),
    observer: raftObserver(metrics),
    entryDataBytesMax,
    // Replay starts after what the row store has durably applied.
    appliedIndex: Math.min(rowStore.checkpointIndex(), columnStore?.checkpointIndex() ?? Number.POSITIVE_INFINITY),
    onFatal: deps.onFatal,
  });
  // Views subscribe before the log starts: committed$ is hot and does not
  // replay for late subscribers. The row store applies synchronously, so a
  // resolved proposal is already visible to readers.
  rowStore.attachToLog(skipApplied(state.log.committed$, () => rowStore.appliedIndex()), deps.onFatal);
  columnStore?.attach(state.log.committed$, deps.onFatal);
  state.cluster?.attach();
  if (state.cluster !== undefined) {
    state.membership = new MembershipManager({ config, log: state.log, cluster: state.cluster, logger: logger.child({ component: 'cluster' }), record: membership,
      onConfigChange: (op) => metrics.raftConfigChanges.inc({ op }), onFatal: deps.onFatal,
    });
    state.membership.attach(state.log.committed$);
    state.membership.start();
  }
  await untilAborted(state.log.waitReady(), deps.abort, 'stopped while waiting for a Raft leader (no quorum)');
  state.checkpointer = new Checkpointer({
    views: [
      {
        name: 'rowstore', checkpoint: () => rowStore.checkpoint(), checkpointIndex: () => rowStore.checkpointIndex(),
        checkpointDue: () => rowStore.checkpointDue(),
      },
      ...(columnStore === undefined ? [] : [columnStore.view]),
    ],
    log: {
      sizeBytes: () => state.wal?.sizeBytes() ?? 0,
      compact: (index) => state.log?.compact(index) ?? Promise.resolve(),
      liveFollowersMatchIndex: () => state.log?.liveFollowersMatchIndex(),
    },
    intervalMs: config.storage.checkpointIntervalMs,
    maxWalSizeBytes: config.storage.maxWalSizeBytes,
    logger: logger.child({ component: 'checkpoint' }),
  });
  state.checkpointer.start();
}

/**
 * A removed node would wait forever for a leader (none replicates to it):
 * say so at once. Its data is a stale copy; joining again needs a clean start.
 */
function refuseIfRemoved(config: ThunderConfig, m: MembershipRecord): void {
  const id = config.node.nodeId;
  if (m.voters.includes(id) || m.learners.includes(id)) return;
  throw new StartupError(
    `node.node_id = ${id}: this node was removed from the cluster (storage.data_dir "${config.storage.dataDir}"/cluster-membership.json: ` +
      `configuration at log index ${m.index} has voters ${m.voters.join(', ')}${m.learners.length > 0 ? `, learners ${m.learners.join(', ')}` : ''}); ` +
      'to add this machine again, empty storage.data_dir and storage.wal_dir and start it with a new node.node_id: it then joins as a new member',
  );
}

/** `promise`, or StartAbortedError(message) once `abort` fires. */
function untilAborted<T>(promise: Promise<T>, abort: AbortSignal | undefined, message: string): Promise<T> {
  if (abort === undefined) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new StartAbortedError(message));
    if (abort.aborted) onAbort();
    abort.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => abort.removeEventListener('abort', onAbort));
  });
}

async function closeStorage(state: NodeState): Promise<void> {
  try {
    // Clients first: stop accepting, let statements in hand finish, then the engine.
    if (state.pgServer !== undefined) await state.pgServer.close();
    state.engine?.close();
    state.membership?.stop();
    // Final checkpoint first, so the next start replays only what follows it.
    if (state.checkpointer !== undefined) await state.checkpointer.stop();
    if (state.log !== undefined) await state.log.close();
    else if (state.wal !== undefined) await state.wal.close();
    // After the log: nothing more is applied; a final checkpoint, then close.
    if (state.columnStore !== undefined) await state.columnStore.close();
    // After the log: its last messages may still go out.
    if (state.cluster !== undefined) await state.cluster.close();
    state.snapshots?.close();
    if (state.rowStore !== undefined) await state.rowStore.close();
  } finally {
    for (const release of state.releaseLocks.splice(0)) release();
  }
}

export async function startNode(config: ThunderConfig, deps: NodeDeps): Promise<RunningNode> {
  const { logger } = deps;
  const metrics = createNodeMetrics({ nodeId: config.node.nodeId, clusterName: config.cluster.clusterName });
  const settings: RuntimeSettings = {
    slowQueryEnabled: config.logging.slowQueryEnabled,
    slowQueryThresholdMs: config.logging.slowQueryThresholdMs,
    maxConnections: config.network.maxConnections,
  };
  const state: NodeState = {
    lifecycle: 'starting', wal: undefined, log: undefined, rowStore: undefined, checkpointer: undefined, columnStore: undefined,
    engine: undefined, pgServer: undefined, cluster: undefined, membership: undefined, snapshots: undefined, releaseLocks: [],
  };
  const admin = createAdminApp({ view: buildAdminView(config, state, metrics), logger: logger.child({ component: 'admin' }) });
  const adminPort = await listenAdmin(admin, config);
  logger.info({ addr: `http://${config.network.listenAddr}:${adminPort}` }, 'admin API listening');
  try {
    await openStorage(config, state, deps, metrics);
    await startSqlService(config, state, deps, settings);
  } catch (err) {
    state.lifecycle = 'stopping';
    await admin.close();
    await closeStorage(state).catch((closeErr: unknown) => logger.error({ err: closeErr }, 'closing storage after a failed start'));
    throw err;
  }
  const status = state.log?.status();
  await deps.notifier.notify(`READY=1\nSTATUS=serving, commit index ${status?.commitIndex ?? 0}\nMAINPID=${process.pid}`);
  state.lifecycle = 'serving';
  logger.info({ nodeId: config.node.nodeId, term: status?.term, commitIndex: status?.commitIndex }, 'ThunderDB is ready');
  return makeRunningNode(state, admin, adminPort, settings, deps);
}

function makeRunningNode(state: NodeState, admin: FastifyInstance, adminPort: number, settings: RuntimeSettings, deps: NodeDeps): RunningNode {
  const { logger } = deps;
  let stopping: Promise<void> | undefined;
  return {
    settings,
    adminPort,
    stop(reason: string): Promise<void> {
      stopping ??= (async () => {
        logger.info({ reason }, 'stopping: finishing in-flight work');
        state.lifecycle = 'stopping';
        await deps.notifier.notify('STOPPING=1');
        try {
          await admin.close();
        } finally {
          // The WAL is fsynced and closed even if the admin server failed to close.
          await closeStorage(state);
        }
        logger.info('stopped cleanly: WAL fsynced and closed');
      })();
      return stopping;
    },
    applyReload(next: ThunderConfig): void {
      logger.level = next.logging.level;
      settings.slowQueryEnabled = next.logging.slowQueryEnabled;
      settings.slowQueryThresholdMs = next.logging.slowQueryThresholdMs;
      settings.maxConnections = next.network.maxConnections;
    },
  };
}
