// One outgoing connection to a configured peer (host:port): Hello, then one
// client stream (raft.proto's Send) carrying this node's messages to it, fed
// from a bounded queue. Failures are logged and retried with backoff; nothing
// here throws to the caller of enqueue().
import { Client, credentials, Metadata, status as grpcStatus, type ClientWritableStream, type ServiceError } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { TransportLimits } from './limits.js';
import {
  decodeHelloReply, decodeSnapshotAck, encodeHelloRequest, encodeRaftBatch, encodeSnapshotChunk, metadataClusterName, metadataNodeId, protocolVersion,
  raftServiceDefinition, type HelloReply,
} from './wire.js';

export type LinkState = 'connecting' | 'streaming' | 'backoff' | 'refused' | 'closed';
export type DropReason = 'queue_full' | 'disconnected' | 'unknown_peer' | 'malformed';

export interface LinkHost {
  readonly nodeId: number;
  readonly clusterName: string;
  readonly advertiseAddr: string;
  readonly pgPort: number;
  readonly httpPort: number;
  readonly limits: TransportLimits;
  readonly logger: Logger;
  readonly random: () => number;
  /** Why `nodeId` may not be used by the peer at `addr` (a duplicate), or undefined. */
  claim(link: PeerLink, nodeId: number): string | undefined;
  onConnected(link: PeerLink): void;
  onSent(link: PeerLink, messages: number): void;
  onDropped(link: PeerLink, reason: DropReason, messages: number): void;
}

const identity = (b: Buffer): Buffer => b;

export class PeerLink {
  /** Learned by Hello (or given from a previous run); 0 while unknown. */
  nodeId: number;
  state: LinkState = 'connecting';
  /** Why the last attempt failed (shown by admin views and "waiting for peers"). */
  lastError = '';
  connectedSinceMs: number | undefined;
  /** The peer's pg_port and http_port from its Hello reply; 0 until known. */
  pgPort = 0;
  httpPort = 0;
  sentMessages = 0;
  droppedMessages = 0;
  private readonly client: Client;
  private call: ClientWritableStream<Buffer> | undefined;
  private queue: Buffer[] = [];
  private queuedBytes = 0;
  private flushScheduled = false;
  private waitingDrain = false;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private lastLoggedError = '';
  /** The InstallSnapshot stream in progress to this peer (at most one). */
  private snapshotCall: ClientWritableStream<Buffer> | undefined;

  constructor(readonly addr: string, private readonly host: LinkHost, expectedNodeId = 0) {
    this.nodeId = expectedNodeId;
    this.client = new Client(addr, credentials.createInsecure(), {
      // grpc-js defaults to a 1 s first reconnect and 120 s max: too slow for
      // a peer restarting in a cluster with 300 ms election timeouts.
      'grpc.initial_reconnect_backoff_ms': host.limits.reconnectDelayMsMin,
      'grpc.max_reconnect_backoff_ms': host.limits.reconnectDelayMsMax,
      'grpc.max_send_message_length': host.limits.frameBytesMax,
      'grpc.max_receive_message_length': host.limits.frameBytesMax,
      'grpc.keepalive_time_ms': 5000,
      'grpc.keepalive_timeout_ms': 2000,
    });
  }

  start(): void {
    this.connect();
  }

  /** Queues one encoded message; drops it (counted) when disconnected or the queue is full. */
  enqueue(frame: Buffer): void {
    if (this.state !== 'streaming') {
      this.host.onDropped(this, 'disconnected', 1);
      return;
    }
    const { queueMessagesMax, queueBytesMax } = this.host.limits;
    if (this.queue.length >= queueMessagesMax || this.queuedBytes + frame.length > queueBytesMax) {
      this.host.onDropped(this, 'queue_full', 1);
      return;
    }
    this.queue.push(frame);
    this.queuedBytes += frame.length;
    if (!this.flushScheduled && !this.waitingDrain) {
      this.flushScheduled = true;
      // Messages of one Ready arrive in one send(): flushing once the current
      // job is done batches them. A microtask, not setImmediate: that would
      // wait behind every other callback of this event-loop phase (a busy
      // leader's client queries), adding to every commit's latency.
      queueMicrotask(() => this.flush());
    }
  }

  queuedMessages(): number {
    return this.queue.length;
  }

  /** Whether an InstallSnapshot stream to this peer is in progress. */
  get streamingSnapshot(): boolean {
    return this.snapshotCall !== undefined;
  }

  /**
   * Streams a snapshot: `message` (the encoded InstallSnapshot) in the first
   * chunk, then `chunks` with their offsets, waiting for HTTP/2 flow control.
   * Resolves with the bytes sent once the peer stored them all, or with 0
   * if the peer answered at once that it already holds the snapshot; rejects
   * if the peer is not connected, the stream breaks, the source fails or the
   * peer refuses (the leader then retries after two election timeouts).
   */
  async streamSnapshot(message: Buffer, chunks: AsyncIterable<Uint8Array>): Promise<number> {
    if (this.state !== 'streaming') throw new Error(`not connected to ${this.addr}`);
    if (this.snapshotCall !== undefined) throw new Error(`a snapshot is already streaming to ${this.addr}`);
    const metadata = new Metadata();
    metadata.set(metadataNodeId, String(this.host.nodeId));
    metadata.set(metadataClusterName, this.host.clusterName);
    let call: ClientWritableStream<Buffer> | undefined;
    const acknowledged = new Promise<number>((resolve, reject) => {
      call = this.client.makeClientStreamRequest<Buffer, Buffer>(
        raftServiceDefinition.InstallSnapshot.path, identity, identity, metadata, {},
        (err, reply) => {
          if (err !== null || reply === undefined) reject(new Error(`snapshot stream to ${this.addr} failed: ${describe(err)}`));
          else resolve(decodeSnapshotAck(reply));
        },
      );
    });
    acknowledged.catch(() => undefined);
    // The peer may answer before the last chunk (it already holds the snapshot): stop writing then.
    let answered = false;
    acknowledged.then(() => { answered = true; }, () => undefined);
    if (call === undefined) throw new Error('grpc-js did not create the call');
    const stream = call;
    stream.on('error', () => {});
    this.snapshotCall = stream;
    let offset = 0;
    try {
      let first = true;
      const write = async (data: Buffer, last: boolean): Promise<void> => {
        const more = stream.write(encodeSnapshotChunk({ message: first ? message : undefined, offset, data, last }));
        first = false;
        offset += data.length;
        // HTTP/2 flow control: wait for room, or for the call to fail.
        if (!more) await Promise.race([new Promise<void>((resolve) => stream.once('drain', resolve)), acknowledged.then(() => undefined)]);
      };
      for await (const chunk of chunks) {
        if (this.snapshotCall !== stream) throw new Error(`the link to ${this.addr} closed`);
        if (answered) break;
        await write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength), false);
      }
      if (!answered) await write(Buffer.alloc(0), true);
      stream.end();
      const received = await acknowledged;
      if (received === 0 && offset > 0 && answered) return 0;
      if (received !== offset) throw new Error(`the peer acknowledged ${received} snapshot bytes of ${offset}`);
      return offset;
    } catch (err) {
      stream.cancel();
      throw err;
    } finally {
      if (this.snapshotCall === stream) this.snapshotCall = undefined;
    }
  }

  close(): void {
    this.snapshotCall?.cancel();
    this.snapshotCall = undefined;
    this.state = 'closed';
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.dropQueue();
    const call = this.call;
    this.call = undefined;
    if (call !== undefined) {
      call.end();
      call.cancel();
    }
    this.client.close();
  }

  private flush(): void {
    this.flushScheduled = false;
    try {
      this.writeQueued();
    } catch (err) {
      // Runs from setImmediate: a throw here would end the process. Raft resends what is lost.
      this.host.logger.error({ err, peer: this.addr }, 'cluster: writing to a peer stream failed; queued messages dropped');
      this.dropQueue();
    }
  }

  private writeQueued(): void {
    const call = this.call;
    if (call === undefined || this.state !== 'streaming') {
      this.dropQueue();
      return;
    }
    while (this.queue.length > 0 && !this.waitingDrain) {
      const batch: Buffer[] = [];
      let bytes = 0;
      while (this.queue.length > 0) {
        const next = this.queue[0];
        if (next === undefined || (batch.length > 0 && bytes + next.length > this.host.limits.batchBytesMax)) break;
        this.queue.shift();
        batch.push(next);
        bytes += next.length;
      }
      this.queuedBytes -= bytes;
      this.sentMessages += batch.length;
      this.host.onSent(this, batch.length);
      if (!call.write(encodeRaftBatch(batch))) {
        // HTTP/2 flow control: hold the rest until the stream drains; the
        // queue bound then decides what is dropped.
        this.waitingDrain = true;
        call.once('drain', () => {
          this.waitingDrain = false;
          this.flush();
        });
      }
    }
  }

  private dropQueue(): void {
    if (this.queue.length > 0) this.host.onDropped(this, 'disconnected', this.queue.length);
    this.queue = [];
    this.queuedBytes = 0;
  }

  private connect(): void {
    if (this.state === 'closed') return;
    this.state = 'connecting';
    const request = encodeHelloRequest({
      protocolVersion, nodeId: this.host.nodeId, clusterName: this.host.clusterName, advertiseAddr: this.host.advertiseAddr,
      pgPort: this.host.pgPort, httpPort: this.host.httpPort,
    });
    this.client.makeUnaryRequest<Buffer, Buffer>(
      raftServiceDefinition.Hello.path, identity, identity, request, new Metadata(),
      { deadline: Date.now() + this.host.limits.helloTimeoutMs },
      (err, reply) => {
        if (this.state === 'closed') return;
        if (err !== null || reply === undefined) {
          this.retry(`hello failed: ${describe(err)}`);
          return;
        }
        let decoded: HelloReply;
        try {
          decoded = decodeHelloReply(reply);
        } catch (decodeErr) {
          this.retry(`malformed hello reply: ${(decodeErr as Error).message}`);
          return;
        }
        this.onHelloReply(decoded);
      },
    );
  }

  private onHelloReply(reply: HelloReply): void {
    const { logger } = this.host;
    const refusal = this.refusal(reply);
    if (refusal !== undefined) {
      this.state = 'refused';
      this.lastError = refusal;
      logger.error({ peer: this.addr, peerNodeId: reply.nodeId, peerCluster: reply.clusterName }, `cluster: refusing peer ${this.addr}: ${refusal}`);
      this.schedule(this.host.limits.refusedRetryDelayMs);
      return;
    }
    if (this.nodeId !== reply.nodeId) logger.info({ peer: this.addr, peerNodeId: reply.nodeId }, `cluster: peer ${this.addr} is node ${reply.nodeId}`);
    this.nodeId = reply.nodeId;
    this.pgPort = reply.pgPort;
    this.httpPort = reply.httpPort;
    this.openStream();
  }

  /** Why the peer's answer makes it unusable, or undefined. Logged by the caller. */
  private refusal(reply: HelloReply): string | undefined {
    if (reply.protocolVersion !== protocolVersion) return `it speaks protocol version ${reply.protocolVersion}, this node ${protocolVersion}`;
    if (reply.clusterName !== this.host.clusterName) {
      return `it belongs to cluster "${reply.clusterName}", this node to cluster "${this.host.clusterName}" (cluster.cluster_name)`;
    }
    // Checked after the cluster name, so the line reads from this node's side.
    if (!reply.accepted) return `it refused this node: ${reply.reason}`;
    if (reply.nodeId === this.host.nodeId) return `it is node ${reply.nodeId} too: duplicate node id (node.node_id must differ on every node)`;
    if (this.nodeId !== 0 && reply.nodeId !== this.nodeId) {
      return `it says it is node ${reply.nodeId} but was node ${this.nodeId} before (node.node_id of a member must not change)`;
    }
    return this.host.claim(this, reply.nodeId);
  }

  private openStream(): void {
    const metadata = new Metadata();
    metadata.set(metadataNodeId, String(this.host.nodeId));
    metadata.set(metadataClusterName, this.host.clusterName);
    const call = this.client.makeClientStreamRequest<Buffer, Buffer>(
      raftServiceDefinition.Send.path, identity, identity, metadata, {},
      (err) => {
        if (this.call !== call) return;
        this.call = undefined;
        this.connectedSinceMs = undefined;
        this.waitingDrain = false;
        this.dropQueue();
        if (this.state === 'closed') return;
        this.retry(`stream ended: ${describe(err)}`);
      },
    );
    // Errors surface in the callback above; without a listener an 'error' event would throw.
    call.on('error', () => {});
    this.call = call;
    this.state = 'streaming';
    this.failures = 0;
    this.lastError = '';
    this.lastLoggedError = '';
    this.connectedSinceMs = Date.now();
    this.host.logger.info({ peer: this.addr, peerNodeId: this.nodeId }, `cluster: connected to node ${this.nodeId} at ${this.addr}`);
    this.host.onConnected(this);
  }

  private retry(error: string): void {
    this.state = 'backoff';
    this.lastError = error;
    if (error !== this.lastLoggedError) {
      // One line per distinct failure, not one per attempt.
      this.lastLoggedError = error;
      this.host.logger.warn({ peer: this.addr, peerNodeId: this.nodeId }, `cluster: peer ${this.addr} unreachable (${error}); retrying`);
    }
    const { reconnectDelayMsMin, reconnectDelayMsMax } = this.host.limits;
    const delay = Math.min(reconnectDelayMsMax, reconnectDelayMsMin * 2 ** Math.min(this.failures, 20));
    this.failures += 1;
    this.schedule(Math.round(delay * (0.5 + this.host.random() / 2)));
  }

  private schedule(delayMs: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.connect();
    }, delayMs);
    this.timer.unref();
  }
}

function describe(err: ServiceError | null): string {
  if (err === null) return 'closed by the peer';
  const name = Object.entries(grpcStatus).find(([, code]) => code === err.code)?.[0] ?? String(err.code);
  return `${name}: ${err.details || err.message}`;
}
