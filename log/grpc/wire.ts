// The messages and service of raft.proto, as plain TypeScript objects and
// hand-written protobuf encoders, plus the generic grpc-js service
// definition that carries them (requests and replies are passed to grpc-js
// as already-encoded Buffers).
import type { ServiceDefinition } from '@grpc/grpc-js';
import { CodecError } from './byte-io.js';
import { decodeFields, encodeFields, encodeRepeatedBytes } from './protobuf.js';

/** Bumped when the two sides could no longer understand each other. */
/** 2: AppendRequest carries commitOnly (message format 2); a node of version 1 is refused at Hello. */
export const protocolVersion = 2;
export const metadataNodeId = 'thunder-node-id';
export const metadataClusterName = 'thunder-cluster-name';
/** Cluster names and addresses longer than this are refused on decode. */
const textBytesMax = 1024;

export interface HelloRequest {
  readonly protocolVersion: number;
  readonly nodeId: number;
  readonly clusterName: string;
  readonly advertiseAddr: string;
  /** The sender's network.pg_port and network.http_port (0: not serving), so peers can name its client endpoints. */
  readonly pgPort: number;
  readonly httpPort: number;
}

export interface HelloReply {
  readonly protocolVersion: number;
  readonly nodeId: number;
  readonly clusterName: string;
  readonly accepted: boolean;
  readonly reason: string;
  readonly pgPort: number;
  readonly httpPort: number;
}

function text(value: string | undefined, what: string): string {
  const s = value ?? '';
  if (Buffer.byteLength(s) > textBytesMax) throw new CodecError(`${what} longer than ${textBytesMax} bytes`);
  return s;
}

function port(value: number | undefined): number {
  const v = value ?? 0;
  if (v > 65_535) throw new CodecError(`port ${v} is above 65535`);
  return v;
}

export function encodeHelloRequest(m: HelloRequest): Buffer {
  return encodeFields([[1, m.protocolVersion], [2, m.nodeId], [3, m.clusterName], [4, m.advertiseAddr], [5, m.pgPort], [6, m.httpPort]]);
}

export function decodeHelloRequest(buf: Buffer): HelloRequest {
  const f = decodeFields(buf);
  return {
    protocolVersion: f.varint(1) ?? 0, nodeId: f.varint(2) ?? 0,
    clusterName: text(f.string(3), 'cluster_name'), advertiseAddr: text(f.string(4), 'advertise_addr'),
    pgPort: port(f.varint(5)), httpPort: port(f.varint(6)),
  };
}

export function encodeHelloReply(m: HelloReply): Buffer {
  return encodeFields([[1, m.protocolVersion], [2, m.nodeId], [3, m.clusterName], [4, m.accepted], [5, m.reason], [6, m.pgPort], [7, m.httpPort]]);
}

export function decodeHelloReply(buf: Buffer): HelloReply {
  const f = decodeFields(buf);
  return {
    protocolVersion: f.varint(1) ?? 0, nodeId: f.varint(2) ?? 0, clusterName: text(f.string(3), 'cluster_name'),
    accepted: (f.varint(4) ?? 0) === 1, reason: text(f.string(5), 'reason'),
    pgPort: port(f.varint(6)), httpPort: port(f.varint(7)),
  };
}

/** A RaftBatch: each element one message-codec frame. */
export function encodeRaftBatch(messages: readonly Buffer[]): Buffer {
  return encodeRepeatedBytes(1, messages);
}

export function decodeRaftBatch(buf: Buffer): readonly Buffer[] {
  return decodeFields(buf).bytes(1);
}

export function encodeSendSummary(batchesReceived: number): Buffer {
  return encodeFields([[1, batchesReceived]]);
}

/**
 * One piece of an InstallSnapshot stream (raft.proto SnapshotChunk). The
 * first carries the InstallSnapshot Raft message (message-codec.ts); every
 * chunk carries `offset` (bytes of the snapshot before it) and its bytes;
 * the last has `last` set.
 */
export interface SnapshotChunk {
  readonly message: Buffer | undefined;
  readonly offset: number;
  readonly data: Buffer;
  readonly last: boolean;
}

export function encodeSnapshotChunk(c: SnapshotChunk): Buffer {
  return encodeFields([[1, c.message], [2, c.offset === 0 ? undefined : c.offset], [3, c.data], [4, c.last ? true : undefined]]);
}

export function decodeSnapshotChunk(buf: Buffer): SnapshotChunk {
  const f = decodeFields(buf);
  return { message: f.bytes(1)[0], offset: f.varint(2) ?? 0, data: f.bytes(3)[0] ?? Buffer.alloc(0), last: (f.varint(4) ?? 0) === 1 };
}

export function encodeSnapshotAck(bytesReceived: number): Buffer {
  return encodeFields([[1, bytesReceived]]);
}

export function decodeSnapshotAck(buf: Buffer): number {
  return decodeFields(buf).varint(1) ?? 0;
}

const identity = (b: Buffer): Buffer => b;

/** raft.proto's service, with Buffers in and out: encoding happens in this file. */
export const raftServiceDefinition = {
  Hello: {
    path: '/thunderdb.raft.v1.Raft/Hello',
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
  Send: {
    path: '/thunderdb.raft.v1.Raft/Send',
    requestStream: true,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
  InstallSnapshot: {
    path: '/thunderdb.raft.v1.Raft/InstallSnapshot',
    requestStream: true,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
} satisfies ServiceDefinition;
