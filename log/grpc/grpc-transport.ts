// The Raft Transport over gRPC (raft.proto) on network.grpc_port. Outgoing:
// one PeerLink per configured peer address. Incoming: the server side of the
// peers' Send streams, whose messages go to subscribers. Peer node ids are
// learned by the Hello handshake; the Raft driver addresses messages by id.
import {
  logVerbosity, Server, ServerCredentials, setLogger, setLogVerbosity, status as grpcStatus, type handleClientStreamingCall, type handleUnaryCall, type ServerReadableStream,
  type sendUnaryData, type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { InstallSnapshot, Message, SnapshotSink, SnapshotSource, Transport } from '../raft/index.js';
import { CodecError } from './byte-io.js';
import { ChunkQueue } from './chunk-queue.js';
import { resolveTransportLimits, type TransportLimits } from './limits.js';
import { decodeMessage, encodeMessage } from './message-codec.js';
import { PeerLink, type DropReason, type LinkHost, type LinkState } from './peer-link.js';
import {
  decodeHelloRequest, decodeRaftBatch, decodeSnapshotChunk, encodeHelloReply, encodeSendSummary, encodeSnapshotAck, metadataClusterName, metadataNodeId,
  protocolVersion, raftServiceDefinition, type HelloRequest,
} from './wire.js';

/** Counters for metrics; log/ does not import prom-client. Keep them cheap. */
export interface TransportObserver {
  onSent?(peerNodeId: number, messages: number): void;
  onDropped?(peerNodeId: number, reason: DropReason, messages: number): void;
  onReceived?(peerNodeId: number, messages: number): void;
  /** A snapshot of `bytes` reached follower `peerNodeId` completely. */
  onSnapshotSent?(peerNodeId: number, bytes: number): void;
}

/** Where snapshot bytes come from (leader) and go to (follower): log/raft/snapshot.ts. */
export interface TransportSnapshots {
  readonly source: SnapshotSource;
  readonly sink: SnapshotSink;
}

/** Received chunks queued before the stream is paused (about 8 MiB of 1 MiB chunks). */
const snapshotQueueChunksMax = 8;

export interface GrpcTransportOptions {
  readonly nodeId: number;
  readonly clusterName: string;
  /** Host to bind (network.listen_addr). */
  readonly listenAddr: string;
  /** network.grpc_port; 0 picks a free port (tests). */
  readonly port: number;
  /** host:port peers dial to reach this node; shown in their logs. */
  readonly advertiseAddr: string;
  /** network.pg_port and network.http_port, told to peers in Hello (0: not serving). */
  readonly pgPort: number;
  readonly httpPort: number;
  /** Peer addresses (cluster.peers), host:port, not including this node. */
  readonly peers: readonly string[];
  /** Node ids learned in an earlier run, by address: messages route at once, and Hello checks the id is unchanged. */
  readonly knownPeerIds?: ReadonlyMap<string, number>;
  readonly logger: Logger;
  readonly observer?: TransportObserver;
  readonly limits?: Partial<TransportLimits>;
  /** For backoff jitter; Math.random when omitted. */
  readonly random?: () => number;
}

export interface PeerStatus {
  readonly addr: string;
  /** 0 until the peer answered Hello. */
  readonly nodeId: number;
  readonly state: LinkState;
  /** Our stream to the peer is open. */
  readonly connected: boolean;
  readonly lastError: string;
  /** Date.now() of the last message received from this peer (any stream), if any. */
  readonly lastReceivedMs: number | undefined;
  readonly sentMessages: number;
  readonly droppedMessages: number;
  readonly receivedMessages: number;
  readonly queuedMessages: number;
  /** The peer's pg_port and http_port from its Hello reply; 0 until known. */
  readonly pgPort: number;
  readonly httpPort: number;
}

/** Thrown by start() when grpc_port cannot be bound; `code` is the errno name when known. */
export class TransportListenError extends Error {
  override readonly name = 'TransportListenError';
  constructor(message: string, readonly code: string | undefined) {
    super(message);
  }
}

/** waitForPeerIds() was abandoned because the transport closed. */
export class TransportClosedError extends Error {
  override readonly name = 'TransportClosedError';
  constructor() {
    super('the gRPC transport is closed');
  }
}

let grpcLoggerInstalled = false;

/**
 * grpc-js writes its own errors to stderr as plain text; send them to the
 * node's JSON log instead (process-wide, so the first transport's logger).
 */
function installGrpcLogger(logger: Logger): void {
  if (grpcLoggerInstalled) return;
  grpcLoggerInstalled = true;
  const write = (...args: unknown[]): void => logger.warn({ grpc: args.map(String).join(' ') }, 'grpc-js');
  setLogger({ error: write, info: write, debug: write });
  setLogVerbosity(logVerbosity.ERROR);
}

interface Inbound {
  lastReceivedMs: number;
  receivedMessages: number;
}

export class GrpcTransport implements Transport {
  readonly limits: TransportLimits;
  private readonly links: PeerLink[];
  private readonly host: LinkHost;
  private started = false;
  private readonly linksById = new Map<number, PeerLink>();
  private readonly inbound = new Map<number, Inbound>();
  private readonly receivers = new Set<(message: Message) => void>();
  private readonly server: Server;
  private readonly logger: Logger;
  private readonly connectedWaiters = new Set<() => void>();
  private boundPort = 0;
  private closed = false;
  private malformedLoggedMs = 0;
  private snapshots: TransportSnapshots | undefined;
  /** Senders whose InstallSnapshot stream to us is in progress (one at a time each). */
  private readonly snapshotsIn = new Set<number>();

  constructor(private readonly options: GrpcTransportOptions) {
    this.limits = resolveTransportLimits(options.limits);
    this.logger = options.logger;
    installGrpcLogger(options.logger);
    const host: LinkHost = {
      nodeId: options.nodeId,
      clusterName: options.clusterName,
      advertiseAddr: options.advertiseAddr,
      pgPort: options.pgPort,
      httpPort: options.httpPort,
      limits: this.limits,
      logger: options.logger,
      random: options.random ?? Math.random,
      claim: (link, nodeId) => this.claim(link, nodeId),
      onConnected: () => this.wakeWaiters(),
      onSent: (link, n) => options.observer?.onSent?.(link.nodeId, n),
      onDropped: (link, reason, n) => {
        link.droppedMessages += n;
        options.observer?.onDropped?.(link.nodeId, reason, n);
      },
    };
    this.host = host;
    this.links = options.peers.map((addr) => new PeerLink(addr, host, options.knownPeerIds?.get(addr) ?? 0));
    for (const link of this.links) if (link.nodeId !== 0) this.linksById.set(link.nodeId, link);
    this.server = new Server({
      'grpc.max_receive_message_length': this.limits.frameBytesMax,
      // Peers send keepalive pings every 5 s; without this the server would
      // answer them with GOAWAY ("too many pings").
      'grpc.http2.min_ping_interval_without_data_ms': 1000,
      'grpc.keepalive_permit_without_calls': 1,
    });
    const implementation: UntypedServiceImplementation = {
      Hello: ((call, callback) => this.onHello(call.request, callback)) satisfies handleUnaryCall<Buffer, Buffer>,
      Send: ((call, callback) => this.onSendStream(call, callback)) satisfies handleClientStreamingCall<Buffer, Buffer>,
      InstallSnapshot: ((call, callback) => this.onSnapshotStream(call, callback)) satisfies handleClientStreamingCall<Buffer, Buffer>,
    };
    this.server.addService(raftServiceDefinition, implementation);
  }

  /** Binds grpc_port and starts dialing the peers. Rejects with TransportListenError. */
  async start(): Promise<void> {
    const { listenAddr, port } = this.options;
    const hostPart = listenAddr.includes(':') ? `[${listenAddr}]` : listenAddr;
    this.boundPort = await new Promise<number>((resolve, reject) => {
      this.server.bindAsync(`${hostPart}:${port}`, ServerCredentials.createInsecure(), (err, bound) => {
        if (err === null) resolve(bound);
        else reject(new TransportListenError(err.message, /\b(EADDRINUSE|EADDRNOTAVAIL|EACCES|ENOTFOUND)\b/.exec(err.message)?.[1]));
      });
    });
    this.logger.info({ addr: `${listenAddr}:${this.boundPort}`, peers: this.options.peers }, 'cluster: gRPC transport listening');
    this.started = true;
    for (const link of this.links) link.start();
  }

  /**
   * Dials a member that cluster.peers does not list (a node that joined
   * later). No-op if a link to `addr` or to `nodeId` exists. Returns whether
   * a link was added.
   */
  addPeer(addr: string, nodeId = 0): boolean {
    if (this.closed || addr === '' || this.links.some((l) => l.addr === addr)) return false;
    if (nodeId !== 0 && this.linksById.has(nodeId)) return false;
    const link = new PeerLink(addr, this.host, nodeId);
    this.links.push(link);
    if (nodeId !== 0) this.linksById.set(nodeId, link);
    this.logger.info({ peer: addr, peerNodeId: nodeId === 0 ? undefined : nodeId }, `cluster: dialing ${addr}, a member not in cluster.peers`);
    if (this.started) link.start();
    return true;
  }

  port(): number {
    return this.boundPort;
  }

  /**
   * Where InstallSnapshot bytes come from and go to. Until called, snapshots
   * are neither sent (the message is dropped) nor accepted (the stream is
   * refused): the leader retries after two election timeouts.
   */
  attachSnapshots(snapshots: TransportSnapshots): void {
    this.snapshots = snapshots;
  }

  send(messages: readonly Message[]): void {
    for (const message of messages) {
      const link = this.linksById.get(message.to);
      if (link === undefined) {
        this.options.observer?.onDropped?.(message.to, 'unknown_peer', 1);
        continue;
      }
      if (message.kind === 'InstallSnapshot') {
        this.sendSnapshot(link, message);
        continue;
      }
      let frame: Buffer;
      try {
        frame = encodeMessage(message);
      } catch (err) {
        // A bug in the core or codec; Raft survives a lost message, so log and drop.
        this.logger.error({ err, kind: message.kind, to: message.to }, 'cluster: cannot encode a Raft message; dropped');
        link.droppedMessages += 1;
        this.options.observer?.onDropped?.(message.to, 'malformed', 1);
        continue;
      }
      link.enqueue(frame);
    }
  }

  subscribe(receive: (message: Message) => void): () => void {
    this.receivers.add(receive);
    return () => {
      this.receivers.delete(receive);
    };
  }

  /**
   * Streams the snapshot `message` names beside it (raft.proto
   * InstallSnapshot), one stream per follower at a time. Failures are logged
   * and dropped: Raft retries after two election timeouts.
   */
  private sendSnapshot(link: PeerLink, message: InstallSnapshot): void {
    const { snapshot } = message;
    const source = this.snapshots?.source;
    if (source === undefined || link.streamingSnapshot || link.state !== 'streaming') {
      link.droppedMessages += 1;
      this.options.observer?.onDropped?.(message.to, link.state === 'streaming' ? 'queue_full' : 'disconnected', 1);
      return;
    }
    const startedMs = Date.now();
    this.logger.info({ peerNodeId: message.to, index: snapshot.index, term: snapshot.term }, `cluster: sending snapshot ${snapshot.index} to node ${message.to}`);
    link.streamSnapshot(encodeMessage(message), source.read(snapshot)).then(
      (bytes) => {
        if (bytes === 0) {
          this.logger.info({ peerNodeId: message.to, index: snapshot.index }, `cluster: node ${message.to} already holds snapshot ${snapshot.index}; stream stopped`);
          return;
        }
        this.logger.info(
          { peerNodeId: message.to, index: snapshot.index, bytes, ms: Date.now() - startedMs },
          `cluster: snapshot ${snapshot.index} sent to node ${message.to} (${bytes} bytes)`,
        );
        this.options.observer?.onSnapshotSent?.(message.to, bytes);
      },
      (err: unknown) => {
        this.logger.warn({ err, peerNodeId: message.to, index: snapshot.index }, `cluster: sending snapshot ${snapshot.index} to node ${message.to} failed; Raft retries`);
      },
    );
  }

  /**
   * A leader's snapshot stream: chunks go to the sink as they arrive (the
   * stream pauses while it is behind); only once the sink stored the whole
   * snapshot and verified it is the InstallSnapshot stepped into Raft.
   */
  private onSnapshotStream(call: ServerReadableStream<Buffer, Buffer>, callback: sendUnaryData<Buffer>): void {
    const fromNodeId = Number(call.metadata.get(metadataNodeId)[0]);
    const clusterName = String(call.metadata.get(metadataClusterName)[0] ?? '');
    const reason = this.refusal({ protocolVersion, nodeId: fromNodeId, clusterName });
    if (reason !== undefined) {
      callback({ code: grpcStatus.PERMISSION_DENIED, details: `refused: ${reason}` }, null);
      return;
    }
    const sink = this.snapshots?.sink;
    if (sink === undefined || this.snapshotsIn.has(fromNodeId)) {
      callback({ code: grpcStatus.UNAVAILABLE, details: sink === undefined ? 'not ready to receive snapshots yet' : 'a snapshot from this node is already streaming' }, null);
      return;
    }
    this.snapshotsIn.add(fromNodeId);
    const queue = new ChunkQueue(snapshotQueueChunksMax / 2, () => call.resume());
    let message: InstallSnapshot | undefined;
    let receivedBytes = 0;
    let writing: Promise<void> | undefined;
    let finished = false;
    const finish = (err: Error | undefined): void => {
      if (finished) return;
      finished = true;
      this.snapshotsIn.delete(fromNodeId);
      if (err === undefined) callback(null, encodeSnapshotAck(receivedBytes));
      else callback({ code: grpcStatus.ABORTED, details: err.message }, null);
    };
    call.on('data', (frame: Buffer) => {
      if (finished) return;
      try {
        const chunk = decodeSnapshotChunk(frame);
        if (message === undefined) {
          message = this.snapshotMessage(chunk.message, fromNodeId);
          if (sink.holds?.(message.snapshot) === true) {
            // Already there (restarted past it): no bytes needed; the core acknowledges at once.
            finish(undefined);
            this.deliverMessage(fromNodeId, message);
            return;
          }
          writing = sink.write(message.snapshot, queue);
          const named = message;
          writing.then(
            () => {
              finish(undefined);
              this.logger.info({ peerNodeId: fromNodeId, index: named.snapshot.index, bytes: receivedBytes }, `cluster: received snapshot ${named.snapshot.index} from node ${fromNodeId}`);
              this.deliverMessage(fromNodeId, named);
            },
            (err: unknown) => {
              const error = err instanceof Error ? err : new Error(String(err));
              this.logger.warn({ err: error, peerNodeId: fromNodeId }, 'cluster: a snapshot stream was dropped; the leader retries');
              finish(error);
            },
          );
        }
        if (chunk.offset !== receivedBytes) throw new CodecError(`snapshot chunk at offset ${chunk.offset}, expected ${receivedBytes}`);
        receivedBytes += chunk.data.length;
        if (chunk.data.length > 0) queue.push(chunk.data);
        if (chunk.last) queue.end();
        else if (queue.length >= snapshotQueueChunksMax) call.pause();
      } catch (err) {
        queue.fail(err instanceof Error ? err : new Error(String(err)));
        if (writing === undefined) finish(err instanceof Error ? err : new Error(String(err)));
      }
    });
    call.on('end', () => {
      if (!queue.isEnded) queue.fail(new Error('the snapshot stream ended before its last chunk'));
      if (writing === undefined && message === undefined) finish(new Error('empty snapshot stream'));
    });
    call.on('error', (err) => {
      queue.fail(err);
      if (writing === undefined) {
        finished = true;
        this.snapshotsIn.delete(fromNodeId);
      }
    });
  }

  /** The InstallSnapshot a snapshot stream's first chunk must carry, addressed from `fromNodeId` to us. */
  private snapshotMessage(frame: Buffer | undefined, fromNodeId: number): InstallSnapshot {
    if (frame === undefined) throw new CodecError('the first snapshot chunk carries no InstallSnapshot message');
    const decoded = decodeMessage(frame);
    if (decoded.kind !== 'InstallSnapshot') throw new CodecError(`the first snapshot chunk carries a ${decoded.kind} message`);
    if (decoded.from !== fromNodeId || decoded.to !== this.options.nodeId) throw new CodecError(`snapshot message from ${decoded.from} to ${decoded.to} on node ${fromNodeId}'s stream`);
    return decoded;
  }

  /** Address to node id for every peer that answered Hello (or was known before). */
  peerIds(): Map<string, number> {
    return new Map(this.links.filter((l) => l.nodeId !== 0).map((l) => [l.addr, l.nodeId]));
  }

  /**
   * Resolves once every configured peer's node id is known, logging
   * "waiting for peers" every waitLogIntervalMs meanwhile. Rejects with
   * TransportClosedError if the transport closes first.
   */
  async waitForPeerIds(): Promise<Map<string, number>> {
    const missing = (): PeerLink[] => this.links.filter((l) => l.nodeId === 0);
    if (missing().length === 0) return this.peerIds();
    const startedMs = Date.now();
    const logWaiting = (): void => {
      const waiting = missing();
      this.logger.info(
        { waitingFor: waiting.map((l) => ({ addr: l.addr, lastError: l.lastError || 'no answer yet' })), waitedMs: Date.now() - startedMs },
        `cluster: waiting for peers ${waiting.map((l) => l.addr).join(', ')} to answer the handshake before starting Raft ` +
          `(${this.links.length - waiting.length} of ${this.links.length} known)`,
      );
    };
    logWaiting();
    const interval = setInterval(logWaiting, this.limits.waitLogIntervalMs);
    try {
      await new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (this.closed) {
            this.connectedWaiters.delete(check);
            reject(new TransportClosedError());
          } else if (missing().length === 0) {
            this.connectedWaiters.delete(check);
            resolve();
          }
        };
        this.connectedWaiters.add(check);
        check();
      });
    } finally {
      clearInterval(interval);
    }
    this.logger.info({ peers: Object.fromEntries(this.peerIds()) }, 'cluster: every peer answered the handshake');
    return this.peerIds();
  }

  peers(): PeerStatus[] {
    return this.links.map((l) => {
      const inbound = l.nodeId === 0 ? undefined : this.inbound.get(l.nodeId);
      return {
        addr: l.addr, nodeId: l.nodeId, state: l.state, connected: l.state === 'streaming', lastError: l.lastError,
        lastReceivedMs: inbound?.lastReceivedMs, sentMessages: l.sentMessages, droppedMessages: l.droppedMessages,
        receivedMessages: inbound?.receivedMessages ?? 0, queuedMessages: l.queuedMessages(), pgPort: l.pgPort, httpPort: l.httpPort,
      };
    });
  }

  /** Date.now() when a message from `nodeId` last arrived, if ever. */
  lastReceivedMs(nodeId: number): number | undefined {
    return this.inbound.get(nodeId)?.lastReceivedMs;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wakeWaiters();
    for (const link of this.links) link.close();
    this.receivers.clear();
    // Peers hold long-lived streams to us: a graceful shutdown would wait for them.
    this.server.forceShutdown();
  }

  private wakeWaiters(): void {
    for (const waiter of [...this.connectedWaiters]) waiter();
  }

  private claim(link: PeerLink, nodeId: number): string | undefined {
    const holder = this.linksById.get(nodeId);
    if (holder !== undefined && holder !== link) {
      return `it says it is node ${nodeId}, as does the peer at ${holder.addr}: duplicate node id (node.node_id must differ on every node)`;
    }
    if (link.nodeId !== 0 && link.nodeId !== nodeId) this.linksById.delete(link.nodeId);
    this.linksById.set(nodeId, link);
    return undefined;
  }

  /** Why a node saying `hello` must be refused, or undefined. */
  private refusal(hello: Pick<HelloRequest, 'protocolVersion' | 'nodeId' | 'clusterName'>): string | undefined {
    if (hello.protocolVersion !== protocolVersion) return `it speaks protocol version ${hello.protocolVersion}, this node ${protocolVersion}`;
    if (hello.clusterName !== this.options.clusterName) {
      return `it belongs to cluster "${hello.clusterName}", this node to cluster "${this.options.clusterName}" (cluster.cluster_name)`;
    }
    if (!Number.isSafeInteger(hello.nodeId) || hello.nodeId < 1) return `node id ${hello.nodeId} is not a positive integer`;
    if (hello.nodeId === this.options.nodeId) return `it is node ${hello.nodeId} too: duplicate node id (node.node_id must differ on every node)`;
    return undefined;
  }

  private onHello(request: Buffer, callback: sendUnaryData<Buffer>): void {
    let hello: HelloRequest;
    try {
      hello = decodeHelloRequest(request);
    } catch (err) {
      callback({ code: grpcStatus.INVALID_ARGUMENT, details: `malformed HelloRequest: ${(err as Error).message}` }, null);
      return;
    }
    const reason = this.refusal(hello);
    if (reason !== undefined) {
      this.logger.error(
        { peer: hello.advertiseAddr, peerNodeId: hello.nodeId, peerCluster: hello.clusterName },
        `cluster: refusing node ${hello.nodeId} at ${hello.advertiseAddr || 'an unknown address'}: ${reason}`,
      );
    }
    if (reason === undefined) this.dialBack(hello);
    callback(null, encodeHelloReply({
      protocolVersion, nodeId: this.options.nodeId, clusterName: this.options.clusterName, accepted: reason === undefined, reason: reason ?? '',
      pgPort: this.options.pgPort, httpPort: this.options.httpPort,
    }));
  }

  /**
   * A node we have no link to said hello: a node joining the cluster (it
   * lists us, we do not list it). Dial its advertised address so Raft can
   * answer it. Only once every configured link knows its peer's id: before
   * that, the caller may be a configured peer under another spelling of its
   * address, and a second link would claim the same id.
   */
  private dialBack(hello: HelloRequest): void {
    if (this.linksById.has(hello.nodeId) || this.links.some((l) => l.nodeId === 0)) return;
    if (hello.advertiseAddr === '' || /^(0\.0\.0\.0|\[::\]):/.test(hello.advertiseAddr)) return;
    this.addPeer(hello.advertiseAddr, hello.nodeId);
  }

  private onSendStream(call: ServerReadableStream<Buffer, Buffer>, callback: sendUnaryData<Buffer>): void {
    const fromNodeId = Number(call.metadata.get(metadataNodeId)[0]);
    const clusterName = String(call.metadata.get(metadataClusterName)[0] ?? '');
    const reason = this.refusal({ protocolVersion, nodeId: fromNodeId, clusterName });
    if (reason !== undefined) {
      callback({ code: grpcStatus.PERMISSION_DENIED, details: `refused: ${reason}` }, null);
      return;
    }
    let batches = 0;
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      callback(null, encodeSendSummary(batches));
    };
    call.on('data', (frame: Buffer) => {
      batches += 1;
      this.deliver(fromNodeId, frame);
    });
    call.on('end', finish);
    // A peer that dies or cancels: nothing to answer.
    call.on('error', () => { finished = true; });
  }

  private deliver(fromNodeId: number, frame: Buffer): void {
    let messages: Message[];
    try {
      messages = decodeRaftBatch(frame).map((m) => decodeMessage(m));
    } catch (err) {
      this.options.observer?.onDropped?.(fromNodeId, 'malformed', 1);
      const nowMs = Date.now();
      if (nowMs - this.malformedLoggedMs > 10_000) {
        this.malformedLoggedMs = nowMs;
        this.logger.warn({ err, peerNodeId: fromNodeId }, 'cluster: dropped a malformed Raft batch');
      }
      return;
    }
    const inbound = this.inbound.get(fromNodeId) ?? { lastReceivedMs: 0, receivedMessages: 0 };
    inbound.lastReceivedMs = Date.now();
    inbound.receivedMessages += messages.length;
    this.inbound.set(fromNodeId, inbound);
    this.options.observer?.onReceived?.(fromNodeId, messages.length);
    // The bookkeeping above is once per batch: deliverMessage's would repeat it per message.
    for (const message of messages) {
      if (message.from !== fromNodeId || message.to !== this.options.nodeId) {
        this.options.observer?.onDropped?.(fromNodeId, 'malformed', 1);
        continue;
      }
      this.toReceivers(message);
    }
  }

  private deliverMessage(fromNodeId: number, message: Message): void {
    const inbound = this.inbound.get(fromNodeId) ?? { lastReceivedMs: 0, receivedMessages: 0 };
    inbound.lastReceivedMs = Date.now();
    this.inbound.set(fromNodeId, inbound);
    this.toReceivers(message);
  }

  private toReceivers(message: Message): void {
    for (const receive of this.receivers) {
      try {
        receive(message);
      } catch (err) {
        // The driver must not throw here; if it does, keep the stream alive.
        this.logger.error({ err, kind: message.kind, from: message.from }, 'cluster: a Raft message receiver threw');
      }
    }
  }
}
