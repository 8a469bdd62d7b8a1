// Multi-node wiring: the gRPC transport on grpc_port, learning the peers'
// node ids (handshake, remembered in data_dir/cluster-peers.json), and what
// the admin API shows about the other members. No Raft logic lives here.
//
// Starting the Raft group needs its voter ids, but cluster.peers lists
// addresses only. The first start therefore waits until every configured
// peer has answered the handshake once (logging "waiting for peers" every
// few seconds; /admin/ready answers 503 meanwhile), writes the learned ids to
// data_dir/cluster-peers.json, and opens the log with every node as a voter.
// Later starts read that file and start at once, so a node restarting while
// a peer is down still rejoins; the handshake then checks that each peer's id
// is unchanged. Changing cluster.peers of an existing cluster is not a
// membership change (none exists through the config yet): a new address is
// waited for, a removed one simply stops being dialed but stays a voter.
//
// Membership (see docs/clustering.md): once a node has started Raft, the
// configuration it opens the log with is the one in
// data_dir/cluster-membership.json (membership-store.ts, saved whenever a
// ConfigChange entry applies; ConfigChange entries in the WAL tail override
// it inside the Raft core), never cluster.peers. A node with an empty data
// directory first asks its peers' admin APIs what they are: if one already
// runs a Raft configuration without this node, it joins (the leader adds it
// as a learner and promotes it once caught up); if every peer is itself
// waiting for the others, or lists this node as a voter, it bootstraps as
// described above.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { GrpcTransport, TransportClosedError, TransportListenError, type Message, type PeerStatus, type ReplicatedLog } from '../log/index.js';
import type { ThunderConfig } from './config/types.js';
import type { NodeMetrics } from './metrics.js';
import { saveMembership, type MembershipRecord } from './membership-store.js';
import { raftObserver } from './observers.js';
import { StartupError } from './startup-error.js';

const peersFileName = 'cluster-peers.json';

interface PeersFile {
  readonly version: 1;
  readonly cluster_name: string;
  readonly node_id: number;
  /** Peer address to node id. */
  readonly peers: Readonly<Record<string, number>>;
}

/** The startup wait was abandoned (SIGTERM while waiting for peers or a leader). */
export class StartAbortedError extends Error {
  override readonly name = 'StartAbortedError';
}

function readPeersFile(config: ThunderConfig): Map<string, number> {
  const path = join(config.storage.dataDir, peersFileName);
  if (!existsSync(path)) return new Map();
  let parsed: PeersFile;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as PeersFile;
  } catch (err) {
    throw new StartupError(`${path}: cannot read the remembered peer ids (${(err as Error).message}); fix or remove the file`);
  }
  if (parsed.node_id !== config.node.nodeId) {
    throw new StartupError(
      `node.node_id = ${config.node.nodeId}: storage.data_dir "${config.storage.dataDir}" belongs to node ${parsed.node_id} ` +
        `(${path}); a node's id never changes: use its own data directory or its old id`,
    );
  }
  if (parsed.cluster_name !== config.cluster.clusterName) {
    throw new StartupError(
      `cluster.cluster_name = "${config.cluster.clusterName}": storage.data_dir "${config.storage.dataDir}" belongs to cluster ` +
        `"${parsed.cluster_name}" (${path}); use that name or another data directory`,
    );
  }
  return new Map(Object.entries(parsed.peers).filter((e): e is [string, number] => Number.isSafeInteger(e[1]) && e[1] > 0));
}

function writePeersFile(config: ThunderConfig, peers: ReadonlyMap<string, number>): void {
  const path = join(config.storage.dataDir, peersFileName);
  const body: PeersFile = { version: 1, cluster_name: config.cluster.clusterName, node_id: config.node.nodeId, peers: Object.fromEntries(peers) };
  writeFileSync(`${path}.tmp`, JSON.stringify(body, null, 2) + '\n');
  renameSync(`${path}.tmp`, path);
}

function checkPeerAddresses(config: ThunderConfig): void {
  const { peers } = config.cluster;
  const self = `${config.network.listenAddr}:${config.network.grpcPort}`;
  const seen = new Set<string>();
  for (const peer of peers) {
    if (seen.has(peer)) throw new StartupError(`cluster.peers = ${JSON.stringify(peers)}: "${peer}" is listed twice`);
    if (peer === self) throw new StartupError(`cluster.peers = ${JSON.stringify(peers)}: "${peer}" is this node's own network.grpc_port; list only the other nodes`);
    seen.add(peer);
  }
}

function listenError(err: unknown, config: ThunderConfig): StartupError {
  const { listenAddr, grpcPort } = config.network;
  const code = err instanceof TransportListenError ? err.code : undefined;
  if (code === 'EADDRINUSE') {
    return new StartupError(
      `network.grpc_port = ${grpcPort}: port already in use on ${listenAddr}:${grpcPort}; stop the process using it or choose another port (THUNDERDB_NETWORK_GRPC_PORT)`,
    );
  }
  return new StartupError(`network.grpc_port = ${grpcPort}: cannot listen on ${listenAddr}:${grpcPort} (${(err as Error).message})`);
}

/** Per-follower replication as the leader sees it, from the AppendAccepted answers it received. */
interface MatchSeen {
  term: number;
  matchIndex: number;
}

export interface ClusterMemberView {
  readonly nodeId: number;
  readonly addr: string;
  readonly connected: boolean;
  readonly lastHeardMsAgo: number | undefined;
  readonly lastError: string;
  /** host:pg_port and host:http_port, the host being the one we dial; '' until its handshake. */
  readonly pgAddr: string;
  readonly httpAddr: string;
  readonly sentMessages: number;
  readonly droppedMessages: number;
  readonly receivedMessages: number;
}

/** "host" of "host:port" or "[v6]:port" (brackets kept, so host:port can be rebuilt). */
function hostOf(addr: string): string {
  const colon = addr.lastIndexOf(':');
  return colon < 0 ? addr : addr.slice(0, colon);
}

export class Cluster {
  private readonly matches = new Map<number, MatchSeen>();
  private unsubscribe: (() => void) | undefined;
  /** Voter ids (this node and every peer, sorted) once every peer's id is known. */
  private voterIds: readonly number[] | undefined;
  private joiningNow = false;

  private constructor(
    readonly transport: GrpcTransport,
    private readonly config: ThunderConfig,
    private readonly logger: Logger,
    private readonly known: ReadonlyMap<string, number>,
  ) {}

  /** Checks cluster.peers and binds grpc_port; the peers are dialed from here on. Rejects with StartupError. */
  static async listen(config: ThunderConfig, logger: Logger, metrics: NodeMetrics): Promise<Cluster> {
    checkPeerAddresses(config);
    const known = readPeersFile(config);
    const { replicationFactor, peers } = config.cluster;
    if (replicationFactor !== 1 + peers.length) {
      logger.warn(
        { replicationFactor, nodes: 1 + peers.length },
        'cluster.replication_factor is below the number of nodes: today the whole keyspace is one region and every node holds a copy',
      );
    }
    const snapshotCounters = raftObserver(metrics);
    const transport = new GrpcTransport({
      nodeId: config.node.nodeId,
      clusterName: config.cluster.clusterName,
      listenAddr: config.network.listenAddr,
      port: config.network.grpcPort,
      advertiseAddr: `${config.network.listenAddr}:${config.network.grpcPort}`,
      pgPort: config.network.pgPort,
      httpPort: config.network.httpPort,
      peers,
      knownPeerIds: known,
      logger,
      observer: {
        onSent: (peer, n) => metrics.transportSentMessages.inc({ peer: String(peer) }, n),
        onDropped: (peer, reason, n) => metrics.transportDroppedMessages.inc({ peer: String(peer), reason }, n),
        onReceived: (peer, n) => metrics.transportReceivedMessages.inc({ peer: String(peer) }, n),
        // The Raft observer owns the snapshot counters (RaftObserver.onSnapshotSent).
        onSnapshotSent: (peer, bytes) => snapshotCounters.onSnapshotSent?.(peer, bytes),
      },
    });
    try {
      await transport.start();
    } catch (err) {
      await transport.close();
      throw listenError(err, config);
    }
    return new Cluster(transport, config, logger, known);
  }

  /**
   * Resolves with the voter ids once every peer's node id is known (from the
   * handshake, or remembered from an earlier run). Rejects with
   * StartAbortedError if `abort` fires first.
   */
  async learnPeers(abort: AbortSignal | undefined): Promise<readonly number[]> {
    const onAbort = (): void => void this.transport.close();
    if (abort?.aborted === true) onAbort();
    abort?.addEventListener('abort', onAbort);
    let ids: Map<string, number>;
    try {
      ids = await this.transport.waitForPeerIds();
    } catch (err) {
      if (err instanceof TransportClosedError) throw new StartAbortedError('stopped while waiting for peers to answer the handshake');
      throw err;
    } finally {
      abort?.removeEventListener('abort', onAbort);
    }
    const { known, config } = this;
    const learned = new Map([...known, ...ids]);
    if (learned.size !== known.size || [...ids].some(([addr, id]) => known.get(addr) !== id)) writePeersFile(config, learned);
    const voters = [...new Set([config.node.nodeId, ...ids.values()])].sort((a, b) => a - b);
    this.logger.info({ voters, peers: Object.fromEntries(ids) }, `cluster: starting Raft with voters ${voters.join(', ')}`);
    this.voterIds = voters;
    return voters;
  }

  waitingForPeers(): boolean {
    return this.voterIds === undefined && !this.joiningNow;
  }

  joining(): boolean {
    return this.joiningNow;
  }

  /**
   * The configuration to open the Raft log with: the saved record; else,
   * for a node that ran before this record existed, the bootstrap voters;
   * else (empty data directory) bootstrap or join, whichever the peers say.
   * Saves the record when it had none. Rejects with StartAbortedError.
   */
  async startMembership(record: MembershipRecord | undefined, walEmpty: boolean, abort: AbortSignal | undefined): Promise<MembershipRecord> {
    const { config, logger } = this;
    // Never started Raft: no record, no log, no peer ids remembered.
    const fresh = walEmpty && this.known.size === 0;
    if (record !== undefined) {
      logger.info({ index: record.index, voters: record.voters, learners: record.learners }, 'cluster: membership from data_dir/cluster-membership.json (not from cluster.peers)');
      this.voterIds = record.voters;
      return record;
    }
    let result: MembershipRecord;
    if (!fresh) {
      result = { index: 0, voters: await this.learnPeers(abort), learners: [] };
    } else {
      const found = await this.discover(abort);
      if (found === 'bootstrap') {
        result = { index: 0, voters: await this.learnPeers(abort), learners: [] };
      } else {
        result = await this.join(found, abort);
        // Ties the data directory to this node id and cluster name, as a bootstrap does.
        writePeersFile(config, this.transport.peerIds());
      }
    }
    saveMembership(config.storage.dataDir, result);
    this.voterIds = result.voters;
    return result;
  }

  /** What a peer's admin API says it is, or undefined if it does not answer yet. */
  private async peerState(httpAddr: string): Promise<'bootstrapping' | 'hasMe' | 'withoutMe' | undefined> {
    try {
      const res = await fetch(`http://${httpAddr}/admin/cluster/members`, { signal: AbortSignal.timeout(1000) });
      if (res.status !== 200) return undefined;
      const body = await res.json() as { waiting_for_peers?: boolean; joining?: boolean; voters?: number[]; learners?: number[] };
      if (body.waiting_for_peers === true) return 'bootstrapping';
      if (body.joining === true || !Array.isArray(body.voters) || body.voters.length === 0) return undefined;
      return body.voters.includes(this.config.node.nodeId) ? 'hasMe' : 'withoutMe';
    } catch {
      return undefined;
    }
  }

  /**
   * An empty data directory: polls the peers' admin APIs until one runs a
   * configuration without this node (join through it: its admin address),
   * or every peer answered the handshake and each is bootstrapping too or
   * already lists this node as a voter ('bootstrap').
   */
  private async discover(abort: AbortSignal | undefined): Promise<string | 'bootstrap'> {
    const { transport } = this;
    // Logs "waiting for peers" meanwhile; its result is read again below.
    const handshakes = this.transport.waitForPeerIds().catch(() => undefined);
    let allKnown = false;
    void handshakes.then(() => {
      allKnown = true;
    });
    for (;;) {
      if (abort?.aborted === true) throw new StartAbortedError('stopped while asking the peers whether they already form a cluster');
      const peers = this.members();
      const states = await Promise.all(peers.map(async (p) => ({ p, state: p.httpAddr === '' ? undefined : await this.peerState(p.httpAddr) })));
      const running = states.find((x) => x.state === 'withoutMe');
      if (running !== undefined) {
        this.logger.info({ via: running.p.addr }, `cluster: ${running.p.addr} (node ${running.p.nodeId}) already runs a cluster without this node: joining it`);
        return running.p.httpAddr;
      }
      if (allKnown && transport.peerIds().size === peers.length && states.every((x) => x.state === 'bootstrapping' || x.state === 'hasMe')) return 'bootstrap';
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /**
   * Asks the cluster (through `httpAddr`, which forwards to its leader) to
   * add this node as a learner, retrying until it answers yes. Resolves with
   * the configuration to open the log with.
   */
  private async join(httpAddr: string, abort: AbortSignal | undefined): Promise<MembershipRecord> {
    const { config, logger } = this;
    const self = config.node.nodeId;
    const raftAddr = `${config.network.listenAddr}:${config.network.grpcPort}`;
    this.joiningNow = true;
    let target = httpAddr;
    let loggedMs = 0;
    try {
      for (;;) {
        if (abort?.aborted === true) throw new StartAbortedError('stopped while joining the cluster');
        let problem: string;
        try {
          const res = await fetch(`http://${target}/admin/cluster/join`, {
            method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ node_id: self, raft_addr: raftAddr }),
            signal: AbortSignal.timeout(10_000),
          });
          const body = await res.json() as {
            index?: number; voters?: number[]; learners?: number[]; error?: string; leader_http_addr?: string | null;
            members?: Array<{ node_id: number; raft_addr: string }>;
          };
          if (res.status === 200 && Array.isArray(body.voters) && Array.isArray(body.learners)) {
            for (const m of body.members ?? []) if (m.node_id !== self) this.transport.addPeer(m.raft_addr, m.node_id);
            logger.info({ voters: body.voters, learners: body.learners, index: body.index }, 'cluster: joining cluster as learner: the leader added this node; catching up');
            return { index: body.index ?? 0, voters: body.voters, learners: body.learners };
          }
          if (res.status === 421 && typeof body.leader_http_addr === 'string') target = body.leader_http_addr;
          problem = `HTTP ${res.status}: ${body.error ?? 'no error text'}`;
        } catch (err) {
          problem = (err as Error).message;
        }
        if (Date.now() - loggedMs > 3000) {
          loggedMs = Date.now();
          logger.info({ via: target, problem }, `cluster: joining: the cluster has not added this node yet (${problem}); retrying`);
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    } finally {
      this.joiningNow = false;
    }
  }

  /** Watches the leader's AppendAccepted answers, for per-follower match indexes. */
  attach(): void {
    this.unsubscribe = this.transport.subscribe((m: Message) => {
      if (m.kind !== 'AppendAccepted') return;
      const seen = this.matches.get(m.from);
      if (seen === undefined || m.term > seen.term || (m.term === seen.term && m.matchIndex > seen.matchIndex)) {
        this.matches.set(m.from, { term: m.term, matchIndex: m.matchIndex });
      }
    });
  }

  /** The last match index `nodeId` acknowledged to this node as leader in `term`. */
  matchIndex(nodeId: number, term: number): number | undefined {
    const seen = this.matches.get(nodeId);
    return seen !== undefined && seen.term === term ? seen.matchIndex : undefined;
  }

  members(): ClusterMemberView[] {
    const nowMs = Date.now();
    return this.transport.peers().map((p: PeerStatus) => ({
      nodeId: p.nodeId, addr: p.addr, connected: p.connected, lastError: p.lastError,
      pgAddr: p.pgPort === 0 ? '' : `${hostOf(p.addr)}:${p.pgPort}`, httpAddr: p.httpPort === 0 ? '' : `${hostOf(p.addr)}:${p.httpPort}`,
      lastHeardMsAgo: p.lastReceivedMs === undefined ? undefined : nowMs - p.lastReceivedMs,
      sentMessages: p.sentMessages, droppedMessages: p.droppedMessages, receivedMessages: p.receivedMessages,
    }));
  }

  /**
   * Whether this node can reach a quorum now: a follower heard from its
   * leader within an election timeout; a leader heard from enough voters
   * (itself included) within one. Check-quorum makes a cut-off leader step
   * down, but a follower may keep a dead leader's id while it pre-votes.
   */
  quorumReachable(log: ReplicatedLog): boolean {
    const s = log.status();
    if (s.leaderId === 0) return false;
    const windowMs = this.config.cluster.raftElectionTimeoutMs;
    const nowMs = Date.now();
    const heard = (id: number): boolean => {
      const at = this.transport.lastReceivedMs(id);
      return at !== undefined && nowMs - at <= windowMs;
    };
    if (s.role !== 'leader') return s.leaderId === this.config.node.nodeId || heard(s.leaderId);
    const reachable = s.voters.filter((id) => id === this.config.node.nodeId || heard(id)).length;
    return reachable * 2 > s.voters.length;
  }

  /** The admin (HTTP) endpoint of `nodeId`, or '' when unknown. */
  httpAddressOf(nodeId: number): string {
    if (nodeId === this.config.node.nodeId) return `${this.config.network.listenAddr}:${this.config.network.httpPort}`;
    return this.members().find((m) => m.nodeId === nodeId)?.httpAddr ?? '';
  }

  /** Raft addresses of this node and every peer whose id is known, for a joining node to dial. */
  memberAddresses(): Array<{ node_id: number; raft_addr: string }> {
    const self = { node_id: this.config.node.nodeId, raft_addr: `${this.config.network.listenAddr}:${this.config.network.grpcPort}` };
    return [self, ...this.members().filter((m) => m.nodeId !== 0).map((m) => ({ node_id: m.nodeId, raft_addr: m.addr }))];
  }

  /** The PostgreSQL endpoint of `nodeId` (host as we dial it, its pg_port), or '' when unknown. */
  pgAddressOf(nodeId: number): string {
    if (nodeId === this.config.node.nodeId) return `${this.config.network.listenAddr}:${this.config.network.pgPort}`;
    return this.members().find((m) => m.nodeId === nodeId)?.pgAddr ?? '';
  }

  async close(): Promise<void> {
    this.unsubscribe?.();
    await this.transport.close();
  }
}
