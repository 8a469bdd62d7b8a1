// Cluster membership: voters and learners, and the ConfigChange entry that
// changes them one server at a time (Raft dissertation §4.1).
//
// A configuration takes effect on a node as soon as its entry is in that
// node's log (appended, not committed), and is undone if the entry is
// truncated away. Only one change may be uncommitted at a time, and a leader
// proposes one only after an entry of its own term has committed (the fix to
// single-server changes from the raft-dev list, 2015): with those two rules,
// any two successive configurations' majorities overlap.
//
// Entry encoding (EntryKind.ConfigChange, `data`), big-endian, version 1:
//   u8 version = 1
//   u8 op            1 addLearner, 2 promote (learner to voter), 3 remove
//   u32 nodeId       the server the change is about
//   u16 voterCount,   voterCount   x u32 voter id     the configuration AFTER the change
//   u16 learnerCount, learnerCount x u32 learner id
// Carrying the whole resulting configuration makes each entry self-contained:
// a node recovering from a log whose earlier config entries were compacted
// needs only the last one. Decoders reject other versions loudly (the log
// would then come from newer software).

import { invariant } from './assert.js';

export interface Membership {
  readonly voters: readonly number[];
  readonly learners: readonly number[];
}

export const ConfigChangeOp = { addLearner: 1, promote: 2, remove: 3 } as const;
export type ConfigChangeOpName = keyof typeof ConfigChangeOp;

export interface ConfigChange {
  readonly op: ConfigChangeOpName;
  readonly nodeId: number;
}

export const configChangeVersion = 1;
/** Members in one configuration; bounds the decoder and the u16 counts. */
export const membersMax = 1024;

export function isMember(m: Membership, id: number): boolean {
  return m.voters.includes(id) || m.learners.includes(id);
}

/** The configuration after `change`, or why it cannot be applied to `m`. */
export function applyConfigChange(m: Membership, change: ConfigChange): Membership | string {
  const { op, nodeId } = change;
  if (!Number.isSafeInteger(nodeId) || nodeId < 1 || nodeId > 0xffff_ffff) return `node id ${nodeId} is not a positive 32-bit integer`;
  switch (op) {
    case 'addLearner':
      if (isMember(m, nodeId)) return `node ${nodeId} is already a member`;
      if (m.voters.length + m.learners.length >= membersMax) return `a configuration holds at most ${membersMax} members`;
      return { voters: m.voters, learners: [...m.learners, nodeId] };
    case 'promote':
      if (!m.learners.includes(nodeId)) return `node ${nodeId} is not a learner`;
      return { voters: [...m.voters, nodeId], learners: m.learners.filter((id) => id !== nodeId) };
    case 'remove':
      if (!isMember(m, nodeId)) return `node ${nodeId} is not a member`;
      if (m.voters.length === 1 && m.voters[0] === nodeId) return `node ${nodeId} is the last voter`;
      return { voters: m.voters.filter((id) => id !== nodeId), learners: m.learners.filter((id) => id !== nodeId) };
    default:
      return `unknown config change ${String(op satisfies never)}`;
  }
}

export function encodeConfigChange(change: ConfigChange, after: Membership): Uint8Array {
  const bytes = new Uint8Array(2 + 4 + 2 + 4 * after.voters.length + 2 + 4 * after.learners.length);
  const view = new DataView(bytes.buffer);
  let at = 0;
  view.setUint8(at++, configChangeVersion);
  view.setUint8(at++, ConfigChangeOp[change.op]);
  view.setUint32(at, change.nodeId);
  at += 4;
  for (const ids of [after.voters, after.learners]) {
    view.setUint16(at, ids.length);
    at += 2;
    for (const id of ids) {
      view.setUint32(at, id);
      at += 4;
    }
  }
  return bytes;
}

export interface DecodedConfigChange {
  readonly change: ConfigChange;
  readonly after: Membership;
}

/**
 * Decodes a ConfigChange entry. The log is this node's own, written by Raft
 * leaders running this code: a malformed entry is a broken invariant.
 */
export function decodeConfigChange(data: Uint8Array): DecodedConfigChange {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  invariant(data.byteLength >= 10, `config change entry too short: ${data.byteLength} bytes`);
  const version = view.getUint8(0);
  invariant(version === configChangeVersion, `config change entry version ${version}, this build reads ${configChangeVersion}`);
  const opCode = view.getUint8(1);
  const op = (Object.keys(ConfigChangeOp) as ConfigChangeOpName[]).find((name) => ConfigChangeOp[name] === opCode);
  invariant(op !== undefined, `config change entry op ${opCode} is unknown`);
  const nodeId = view.getUint32(2);
  let at = 6;
  const lists: number[][] = [];
  for (let k = 0; k < 2; k++) {
    invariant(at + 2 <= data.byteLength, 'config change entry truncated');
    const count = view.getUint16(at);
    at += 2;
    invariant(count <= membersMax && at + 4 * count <= data.byteLength, 'config change entry truncated');
    const ids: number[] = [];
    for (let i = 0; i < count; i++, at += 4) ids.push(view.getUint32(at));
    lists.push(ids);
  }
  invariant(at === data.byteLength, 'config change entry has trailing bytes');
  const [voters = [], learners = []] = lists;
  invariant(voters.length > 0, 'a configuration needs a voter');
  return { change: { op, nodeId }, after: { voters, learners } };
}
