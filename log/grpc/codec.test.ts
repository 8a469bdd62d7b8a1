import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EntryKind } from '../types.js';
import type { Message } from '../raft/index.js';
import { CodecError } from './byte-io.js';
import { decodeMessage, encodeMessage } from './message-codec.js';
import { decodeFields, encodeFields } from './protobuf.js';
import {
  decodeHelloReply, decodeHelloRequest, decodeRaftBatch, decodeSnapshotAck, decodeSnapshotChunk, encodeHelloReply, encodeHelloRequest, encodeRaftBatch,
  encodeSnapshotAck, encodeSnapshotChunk,
} from './wire.js';

const u53 = fc.nat({ max: Number.MAX_SAFE_INTEGER });
const id = fc.integer({ min: 1, max: 0xffff_ffff });
const head = { from: id, to: id, term: u53 };
const entry = fc.record({
  index: u53, term: u53, kind: fc.constantFrom(EntryKind.Normal, EntryKind.ConfigChange, EntryKind.Empty),
  data: fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
});

const message: fc.Arbitrary<Message> = fc.oneof(
  fc.record({ kind: fc.constant('VoteRequest' as const), ...head, lastLogIndex: u53, lastLogTerm: u53, transfer: fc.boolean() }),
  fc.record({ kind: fc.constant('VoteResponse' as const), ...head, granted: fc.boolean() }),
  fc.record({ kind: fc.constant('PreVoteRequest' as const), ...head, lastLogIndex: u53, lastLogTerm: u53 }),
  fc.record({ kind: fc.constant('PreVoteResponse' as const), ...head, granted: fc.boolean() }),
  fc.record({
    kind: fc.constant('AppendRequest' as const), ...head, prevLogIndex: u53, prevLogTerm: u53, commitIndex: u53, commitOnly: fc.boolean(),
    entries: fc.array(entry, { maxLength: 5 }),
  }),
  fc.record({ kind: fc.constant('AppendAccepted' as const), ...head, matchIndex: u53 }),
  fc.record({ kind: fc.constant('AppendRejected' as const), ...head, rejectedIndex: u53, hintIndex: u53, hintTerm: u53 }),
  fc.record({ kind: fc.constant('Heartbeat' as const), ...head, commitIndex: u53, readRound: u53 }),
  fc.record({ kind: fc.constant('HeartbeatResponse' as const), ...head, readRound: u53 }),
  fc.record({ kind: fc.constant('ReadIndexRequest' as const), ...head, requestId: u53 }),
  fc.record({ kind: fc.constant('ReadIndexResponse' as const), ...head, requestId: u53, ok: fc.boolean(), index: u53 }),
  fc.record({
    kind: fc.constant('InstallSnapshot' as const), ...head,
    snapshot: fc.record({ index: u53, term: u53, membership: fc.record({ voters: fc.array(id, { maxLength: 7 }), learners: fc.array(id, { maxLength: 3 }) }) }),
  }),
  fc.record({ kind: fc.constant('TimeoutNow' as const), ...head }),
);

describe('Raft message codec', () => {
  it('round-trips every message kind', () => {
    fc.assert(fc.property(message, (m) => {
      expect(decodeMessage(encodeMessage(m))).toEqual(m);
    }), { numRuns: 2000 });
  });

  it('refuses every truncation and trailing bytes with CodecError, never another error', () => {
    fc.assert(fc.property(message, (m) => {
      const bytes = encodeMessage(m);
      for (let cut = 0; cut < bytes.length; cut++) expect(() => decodeMessage(bytes.subarray(0, cut))).toThrow(CodecError);
      expect(() => decodeMessage(Buffer.concat([bytes, Buffer.from([0])]))).toThrow(CodecError);
    }), { numRuns: 200 });
  });

  it('refuses random bytes with CodecError only', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), (a) => {
      try {
        decodeMessage(Buffer.from(a));
      } catch (err) {
        expect(err).toBeInstanceOf(CodecError);
      }
    }), { numRuns: 2000 });
  });

  it('bounds an untrusted entry length before allocating', () => {
    const m: Message = { kind: 'AppendRequest', from: 1, to: 2, term: 1, prevLogIndex: 0, prevLogTerm: 0, commitIndex: 0, commitOnly: false, entries: [{ index: 1, term: 1, kind: EntryKind.Normal, data: Buffer.from('x') }] };
    const bytes = Buffer.from(encodeMessage(m));
    bytes.writeUInt32BE(0xffff_fff0, bytes.length - 5);
    expect(() => decodeMessage(bytes)).toThrow(/above/);
  });

  it('refuses another format version', () => {
    const bytes = Buffer.from(encodeMessage({ kind: 'TimeoutNow', from: 1, to: 2, term: 3 }));
    bytes[0] = 9;
    expect(() => decodeMessage(bytes)).toThrow(/version 9/);
  });
});

describe('raft.proto messages', () => {
  it('round-trips Hello and its reply', () => {
    const hello = { protocolVersion: 1, nodeId: 7, clusterName: 'prod-é', advertiseAddr: '10.0.0.7:9090', pgPort: 5432, httpPort: 8088 };
    expect(decodeHelloRequest(encodeHelloRequest(hello))).toEqual(hello);
    const reply = { protocolVersion: 1, nodeId: 3, clusterName: 'prod', accepted: false, reason: 'another cluster', pgPort: 0, httpPort: 65535 };
    expect(decodeHelloReply(encodeHelloReply(reply))).toEqual(reply);
  });

  it('round-trips a RaftBatch, including empty and large elements', () => {
    const parts = [Buffer.alloc(0), Buffer.from('abc'), Buffer.alloc(70_000, 7)];
    expect(decodeRaftBatch(encodeRaftBatch(parts)).map((b) => Buffer.from(b))).toEqual(parts);
  });

  it('encodes a RaftBatch byte for byte as the generic field encoder does (lengths across varint widths)', () => {
    const parts = [0, 1, 127, 128, 300, 16_383, 16_384, 70_000].map((bytes) => Buffer.alloc(bytes, bytes % 251));
    expect(encodeRaftBatch(parts).equals(encodeFields(parts.map((part) => [1, part] as const)))).toBe(true);
    expect(encodeRaftBatch([]).length).toBe(0);
  });

  it('matches protobuf encodings of known values (varint 300, string field)', () => {
    // From the protobuf encoding guide: field 1 = 150 is 08 96 01.
    expect(encodeFields([[1, 150]]).toString('hex')).toBe('089601');
    expect(encodeFields([[2, 'testing']]).toString('hex')).toBe('120774657374696e67');
    expect(decodeFields(Buffer.from('089601', 'hex')).varint(1)).toBe(150);
  });

  it('refuses truncated protobuf with CodecError', () => {
    const bytes = encodeHelloRequest({ protocolVersion: 1, nodeId: 7, clusterName: 'abc', advertiseAddr: 'h:1', pgPort: 1, httpPort: 2 });
    for (let cut = 1; cut < bytes.length; cut++) {
      try {
        decodeHelloRequest(bytes.subarray(0, cut));
      } catch (err) {
        expect(err).toBeInstanceOf(CodecError);
      }
    }
  });
});

describe('SnapshotChunk and SnapshotAck (raft.proto)', () => {
  it('round-trips chunks, including the first with its message and an empty last one', () => {
    fc.assert(fc.property(
      fc.option(fc.uint8Array({ maxLength: 64 }), { nil: undefined }), u53, fc.uint8Array({ maxLength: 256 }), fc.boolean(),
      (message, offset, data, last) => {
        const chunk = { message: message === undefined ? undefined : Buffer.from(message), offset, data: Buffer.from(data), last };
        const decoded = decodeSnapshotChunk(encodeSnapshotChunk(chunk));
        expect(decoded).toEqual(chunk);
      },
    ));
    expect(decodeSnapshotAck(encodeSnapshotAck(1_397_263))).toBe(1_397_263);
  });

  it('matches protobuf bytes: offset 300 is field 2 varint ac 02, last is field 4 = 1', () => {
    expect(encodeSnapshotChunk({ message: undefined, offset: 300, data: Buffer.from([7]), last: true }).toString('hex')).toBe('10ac021a01072001');
  });
});
