// Binary encoding of one Raft Message (log/raft/core/messages.ts), carried in
// the `messages` field of raft.proto's RaftBatch. Big-endian, versioned:
//
//   u8 version (1) | u8 kind code | u32 from | u32 to | u53 term | fields of the kind
//
// u53 is a safe integer as two u32 halves (hi, lo). Entries are
// `u53 index | u53 term | u8 entry kind | u32 length | data`; a membership is
// `u16 count | u32 ids…` for voters then learners. Kind codes travel between
// processes of different versions: never renumber, only add.
//
// Why not the WAL's record framing: it carries a CRC and compression flags
// that a gRPC stream (TCP + HTTP/2 framing) does not need, and Raft messages
// are more than entries. Why not protobuf fields per message: the kinds change
// with the Raft engine (pre-vote, ReadIndex, ...) and a hand-written codec
// beside the TypeScript union is checked by the compiler's exhaustiveness.
import { EntryKind, type LogEntry } from '../types.js';
import type { Message, MessageKind } from '../raft/index.js';
import { ByteReader, ByteWriter, CodecError } from './byte-io.js';

/** 2: AppendRequest has a u8 commitOnly after commitIndex. */
export const messageFormatVersion = 2;
/** Entry payloads larger than this are refused on decode (the WAL stores at most 16 MiB). */
export const entryDataBytesMax = 16 * 1024 * 1024;
/** Entries in one AppendRequest (the core sends at most messageEntriesMax, 1024 by default). */
export const messageEntriesMax = 65_536;
/** Members of a snapshot's configuration (the core allows 1024). */
export const membershipIdsMax = 4096;

const kindCodes: Readonly<Record<MessageKind, number>> = {
  VoteRequest: 1,
  VoteResponse: 2,
  PreVoteRequest: 3,
  PreVoteResponse: 4,
  AppendRequest: 5,
  AppendAccepted: 6,
  AppendRejected: 7,
  Heartbeat: 8,
  HeartbeatResponse: 9,
  ReadIndexRequest: 10,
  ReadIndexResponse: 11,
  InstallSnapshot: 12,
  TimeoutNow: 13,
};
const kindsByCode = new Map<number, MessageKind>(Object.entries(kindCodes).map(([k, c]) => [c, k as MessageKind]));
const entryKinds = new Set<number>(Object.values(EntryKind));

function unreachable(value: never): never {
  throw new Error(`unhandled message kind ${JSON.stringify(value)}`);
}

function writeIds(w: ByteWriter, ids: readonly number[]): void {
  w.u16(ids.length);
  for (const id of ids) w.u32(id);
}

function readIds(r: ByteReader, what: string): number[] {
  const count = r.u16(what);
  if (count > membershipIdsMax) throw new CodecError(`${what}: ${count} ids is above ${membershipIdsMax}`);
  const ids: number[] = [];
  for (let i = 0; i < count; i++) ids.push(r.u32(what));
  return ids;
}

function writeEntries(w: ByteWriter, entries: readonly LogEntry[]): void {
  w.u32(entries.length);
  for (const e of entries) {
    w.u53(e.index);
    w.u53(e.term);
    w.u8(e.kind);
    w.bytes(e.data);
  }
}

function readEntries(r: ByteReader): LogEntry[] {
  const count = r.u32('entry count');
  if (count > messageEntriesMax) throw new CodecError(`${count} entries in one message is above ${messageEntriesMax}`);
  const entries: LogEntry[] = [];
  for (let i = 0; i < count; i++) {
    const index = r.u53('entry index');
    const term = r.u53('entry term');
    const kind = r.u8('entry kind');
    if (!entryKinds.has(kind)) throw new CodecError(`unknown entry kind ${kind}`);
    const data = r.bytes('entry data', entryDataBytesMax);
    entries.push({ index, term, kind: kind as EntryKind, data });
  }
  return entries;
}

function writeBody(w: ByteWriter, m: Message): void {
  switch (m.kind) {
    case 'VoteRequest':
      w.u53(m.lastLogIndex); w.u53(m.lastLogTerm); w.u8(m.transfer ? 1 : 0); return;
    case 'PreVoteRequest':
      w.u53(m.lastLogIndex); w.u53(m.lastLogTerm); return;
    case 'VoteResponse':
    case 'PreVoteResponse':
      w.u8(m.granted ? 1 : 0); return;
    case 'AppendRequest':
      w.u53(m.prevLogIndex); w.u53(m.prevLogTerm); w.u53(m.commitIndex); w.u8(m.commitOnly ? 1 : 0); writeEntries(w, m.entries); return;
    case 'AppendAccepted':
      w.u53(m.matchIndex); return;
    case 'AppendRejected':
      w.u53(m.rejectedIndex); w.u53(m.hintIndex); w.u53(m.hintTerm); return;
    case 'Heartbeat':
      w.u53(m.commitIndex); w.u53(m.readRound); return;
    case 'HeartbeatResponse':
      w.u53(m.readRound); return;
    case 'ReadIndexRequest':
      w.u53(m.requestId); return;
    case 'ReadIndexResponse':
      w.u53(m.requestId); w.u8(m.ok ? 1 : 0); w.u53(m.index); return;
    case 'InstallSnapshot':
      w.u53(m.snapshot.index); w.u53(m.snapshot.term);
      writeIds(w, m.snapshot.membership.voters); writeIds(w, m.snapshot.membership.learners); return;
    case 'TimeoutNow':
      return;
    default:
      unreachable(m);
  }
}

interface Head {
  readonly from: number;
  readonly to: number;
  readonly term: number;
}

function readBody(r: ByteReader, kind: MessageKind, h: Head): Message {
  switch (kind) {
    case 'VoteRequest':
      return { kind, ...h, lastLogIndex: r.u53('lastLogIndex'), lastLogTerm: r.u53('lastLogTerm'), transfer: r.bool('transfer') };
    case 'PreVoteRequest':
      return { kind, ...h, lastLogIndex: r.u53('lastLogIndex'), lastLogTerm: r.u53('lastLogTerm') };
    case 'VoteResponse':
    case 'PreVoteResponse':
      return { kind, ...h, granted: r.bool('granted') };
    case 'AppendRequest': {
      const prevLogIndex = r.u53('prevLogIndex');
      const prevLogTerm = r.u53('prevLogTerm');
      const commitIndex = r.u53('commitIndex');
      const commitOnly = r.bool('commitOnly');
      return { kind, ...h, prevLogIndex, prevLogTerm, commitIndex, commitOnly, entries: readEntries(r) };
    }
    case 'AppendAccepted':
      return { kind, ...h, matchIndex: r.u53('matchIndex') };
    case 'AppendRejected':
      return { kind, ...h, rejectedIndex: r.u53('rejectedIndex'), hintIndex: r.u53('hintIndex'), hintTerm: r.u53('hintTerm') };
    case 'Heartbeat':
      return { kind, ...h, commitIndex: r.u53('commitIndex'), readRound: r.u53('readRound') };
    case 'HeartbeatResponse':
      return { kind, ...h, readRound: r.u53('readRound') };
    case 'ReadIndexRequest':
      return { kind, ...h, requestId: r.u53('requestId') };
    case 'ReadIndexResponse':
      return { kind, ...h, requestId: r.u53('requestId'), ok: r.bool('ok'), index: r.u53('index') };
    case 'InstallSnapshot': {
      const index = r.u53('snapshot index');
      const term = r.u53('snapshot term');
      const voters = readIds(r, 'snapshot voters');
      const learners = readIds(r, 'snapshot learners');
      return { kind, ...h, snapshot: { index, term, membership: { voters, learners } } };
    }
    case 'TimeoutNow':
      return { kind, ...h };
    default:
      return unreachable(kind);
  }
}

export function encodeMessage(m: Message): Buffer {
  const w = new ByteWriter(m.kind === 'AppendRequest' ? 64 + m.entries.reduce((n, e) => n + 21 + e.data.byteLength, 0) : 64);
  w.u8(messageFormatVersion);
  w.u8(kindCodes[m.kind]);
  w.u32(m.from);
  w.u32(m.to);
  w.u53(m.term);
  writeBody(w, m);
  return w.finish();
}

/** Decodes one message; throws CodecError on anything malformed. Entry data is copied out of `bytes`. */
export function decodeMessage(bytes: Buffer): Message {
  const r = new ByteReader(bytes);
  const version = r.u8('version');
  if (version !== messageFormatVersion) throw new CodecError(`message format version ${version}; this node speaks ${messageFormatVersion}`);
  const code = r.u8('kind');
  const kind = kindsByCode.get(code);
  if (kind === undefined) throw new CodecError(`unknown message kind code ${code}`);
  const head: Head = { from: r.u32('from'), to: r.u32('to'), term: r.u53('term') };
  const message = readBody(r, kind, head);
  r.end(kind);
  return message;
}
