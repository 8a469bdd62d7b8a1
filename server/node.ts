// Wires one ThunderDB node together and owns its lifecycle:
// admin API first (so /admin/live answers during recovery), then the data and
// WAL directories, the WAL (recovery), the Raft log, and readiness. Stopping
// runs the same steps backwards. No domain logic lives here.
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createAdminApp, type AdminNodeView, type Lifecycle } from '../admin/index.js';
import { entryDataBytesMax, openReplicatedLog, openWal, type ReplicatedLog, type Wal } from '../log/index.js';
import type { ThunderConfig } from './config/types.js';
import { createNodeMetrics, type NodeMetrics } from './metrics.js';
import { walObserver, raftObserver } from './observers.js';
import type { SystemdNotifier } from './sd-notify.js';
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
}

/** Settings that SIGHUP may change while the node runs. */
export interface RuntimeSettings {
  slowQueryEnabled: boolean;
  slowQueryThresholdMs: number;
  maxConnections: number;
}

export interface RunningNode {
  readonly settings: RuntimeSettings;
  /** The admin API's bound address (useful when http_port was taken by the OS). */
  readonly adminPort: number;
  /** Stops accepting, finishes in-flight work, fsyncs and closes. Idempotent. */
  stop(reason: string): Promise<void>;
  /** Applies the reloadable part of a new configuration. */
  applyReload(next: ThunderConfig): void;
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
  try {
    await app.listen({ host: config.network.listenAddr, port: config.network.httpPort });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const where = `${config.network.listenAddr}:${config.network.httpPort}`;
    if (code === 'EADDRINUSE') {
      throw new StartupError(
        `network.http_port = ${config.network.httpPort}: port already in use on ${where}; ` +
          `stop the process using it or choose another port (THUNDERDB_NETWORK_HTTP_PORT)`,
      );
    }
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
      throw new StartupError(
        `network.listen_addr = "${config.network.listenAddr}": no local interface has this address (${code}); ` +
          `use 127.0.0.1, 0.0.0.0 or an address of this machine`,
      );
    }
    throw new StartupError(`network.http_port = ${config.network.httpPort}: cannot listen on ${where} (${code ?? (err as Error).message})`);
  }
  const address = app.server.address();
  return typeof address === 'object' && address !== null ? address.port : config.network.httpPort;
}

export async function startNode(config: ThunderConfig, deps: NodeDeps): Promise<RunningNode> {
  const { logger } = deps;
  if (config.cluster.peers.length > 0) {
    throw new StartupError(
      `cluster.peers = ${JSON.stringify(config.cluster.peers)}: multi-node replication is not available in this ` +
        `version yet; remove the peers (and THUNDERDB_CLUSTER_PEERS) to run a single node`,
    );
  }
  const metrics: NodeMetrics = createNodeMetrics({ nodeId: config.node.nodeId, clusterName: config.cluster.clusterName });
  let lifecycle: Lifecycle = 'starting';
  let wal: Wal | undefined;
  let log: ReplicatedLog | undefined;
  const releaseLocks: Array<() => void> = [];
  const settings: RuntimeSettings = {
    slowQueryEnabled: config.logging.slowQueryEnabled,
    slowQueryThresholdMs: config.logging.slowQueryThresholdMs,
    maxConnections: config.network.maxConnections,
  };

  const view: AdminNodeView = {
    nodeId: config.node.nodeId,
    clusterName: config.cluster.clusterName,
    replicationFactor: config.cluster.replicationFactor,
    raftAddr: `${config.network.listenAddr}:${config.network.grpcPort}`,
    version: buildInfo().version,
    startedAtMs: Date.now(),
    lifecycle: () => lifecycle,
    raft: () => {
      if (log === undefined) return undefined;
      const s = log.status();
      return {
        role: s.role, term: s.term, leaderId: s.leaderId, commitIndex: s.commitIndex,
        appliedIndex: s.appliedIndex, firstIndex: s.firstIndex, lastIndex: s.lastIndex, voters: s.voters,
      };
    },
    wal: () => wal === undefined ? undefined : {
      dir: config.storage.walDir,
      sizeBytes: wal.sizeBytes(),
      maxSizeBytes: config.storage.maxWalSizeBytes,
      firstIndex: wal.firstIndex(),
      lastIndex: wal.lastIndex(),
      syncCommit: config.storage.syncCommit,
      compression: config.storage.compressionAlgorithm,
    },
    metrics: async () => {
      if (wal !== undefined) metrics.walSizeBytes.set(wal.sizeBytes());
      if (log !== undefined) {
        // Gauges come from status() so they are right on every node, not only
        // where proposals originate.
        const s = log.status();
        metrics.raftTerm.set(s.term);
        metrics.raftCommitIndex.set(s.commitIndex);
        metrics.raftAppliedIndex.set(s.appliedIndex);
        metrics.raftIsLeader.set(s.role === 'leader' ? 1 : 0);
      }
      return { contentType: metrics.registry.contentType, body: await metrics.registry.metrics() };
    },
  };

  const admin = createAdminApp({ view, logger: logger.child({ component: 'admin' }) });
  const adminPort = await listenAdmin(admin, config);
  logger.info({ addr: `http://${config.network.listenAddr}:${adminPort}` }, 'admin API listening');

  const closeStorage = async (): Promise<void> => {
    if (log !== undefined) await log.close();
    else if (wal !== undefined) await wal.close();
    for (const release of releaseLocks.splice(0)) release();
  };

  try {
    ensureWritableDir(config.storage.dataDir, 'storage.data_dir');
    ensureWritableDir(config.storage.walDir, 'storage.wal_dir');
    releaseLocks.push(lockDir(config.storage.walDir, 'storage.wal_dir'));
    const recoveryStartMs = Date.now();
    wal = await openWal({
      dir: config.storage.walDir,
      segmentSizeBytes: config.storage.walSegmentSizeBytes,
      bufferSizeBytes: config.storage.walBufferSizeBytes,
      syncCommit: config.storage.syncCommit,
      compression: config.storage.compressionAlgorithm,
      logger: logger.child({ component: 'wal' }),
      observer: walObserver(metrics),
    });
    logger.info(
      { firstIndex: wal.firstIndex(), lastIndex: wal.lastIndex(), sizeBytes: wal.sizeBytes(), ms: Date.now() - recoveryStartMs },
      'WAL recovered',
    );
    log = await openReplicatedLog({
      nodeId: config.node.nodeId,
      peers: [config.node.nodeId],
      wal,
      ...raftTiming(config),
      logger: logger.child({ component: 'raft' }),
      observer: raftObserver(metrics),
      entryDataBytesMax,
      onFatal: deps.onFatal,
    });
    // The views subscribe here (before start) once they exist; committed$ is
    // hot and does not replay for late subscribers. Its error is the fatal
    // path above, already reported through onFatal.
    log.committed$.subscribe({ error: () => undefined });
    await log.waitReady();
  } catch (err) {
    lifecycle = 'stopping';
    await admin.close();
    await closeStorage().catch((closeErr: unknown) => logger.error({ err: closeErr }, 'closing storage after a failed start'));
    throw err;
  }

  lifecycle = 'serving';
  const status = log.status();
  logger.info({ nodeId: config.node.nodeId, term: status.term, commitIndex: status.commitIndex }, 'ThunderDB is ready');
  await deps.notifier.notify(`READY=1\nSTATUS=serving, commit index ${status.commitIndex}\nMAINPID=${process.pid}`);

  let stopping: Promise<void> | undefined;
  return {
    settings,
    adminPort,
    stop(reason: string): Promise<void> {
      stopping ??= (async () => {
        logger.info({ reason }, 'stopping: finishing in-flight work');
        lifecycle = 'stopping';
        await deps.notifier.notify('STOPPING=1');
        await admin.close();
        await closeStorage();
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
