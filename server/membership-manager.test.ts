// The membership manager against a fake log and cluster: what it refuses and
// why (404, 409 below replication_factor, learner targets), forwarding to
// the leader over real HTTP (and 421 instead of a second hop), idempotent
// joins, the record saved as config entries apply, and promotion of a
// caught-up learner.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Subject } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeConfigChange } from '../log/raft/core/membership.js';
import { EntryKind, type ConfigChange, type LogEntry, type MemberProgress, type ReplicatedLog, type ReplicatedLogStatus } from '../log/index.js';
import type { Cluster } from './cluster.js';
import type { ThunderConfig } from './config/types.js';
import { MembershipManager } from './membership-manager.js';
import { loadMembership } from './membership-store.js';

const logger = pino({ level: 'silent' });
const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface FakeLog {
  status: Partial<ReplicatedLogStatus>;
  progress: MemberProgress[];
  proposed: ConfigChange[];
  transfers: number[];
  committed$: Subject<LogEntry>;
}

function setup(status: Partial<ReplicatedLogStatus>, options: { httpAddrs?: Record<number, string>; progress?: MemberProgress[] } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'thunderdb-manager-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const fake: FakeLog = { status: { role: 'leader', leaderId: 1, term: 2, lastIndex: 50, configIndex: 0, learners: [], ...status }, progress: options.progress ?? [], proposed: [], transfers: [], committed$: new Subject() };
  const log = {
    status: () => fake.status as ReplicatedLogStatus,
    progress: () => fake.progress,
    committed$: fake.committed$,
    proposeConfigChange: (change: ConfigChange) => {
      fake.proposed.push(change);
      return Promise.resolve({ index: 51, term: 2 });
    },
    transferLeadership: (id: number) => {
      fake.transfers.push(id);
      // The target wins the election at once.
      fake.status = { ...fake.status, role: 'follower', leaderId: id, term: 3 };
    },
    retire: () => {},
  };
  const peersAdded: Array<[string, number]> = [];
  const cluster = {
    transport: { addPeer: (addr: string, id: number) => (peersAdded.push([addr, id]), true) },
    memberAddresses: () => [{ node_id: 1, raft_addr: '127.0.0.1:9001' }],
    httpAddressOf: (id: number) => options.httpAddrs?.[id] ?? '',
  };
  // Only the fields the manager reads; the rest of ThunderConfig does not matter here.
  const config = {
    node: { nodeId: 1 },
    cluster: { replicationFactor: 3, raftHeartbeatIntervalMs: 10, raftElectionTimeoutMs: 50 },
    storage: { dataDir },
  } as unknown as ThunderConfig;
  const manager = new MembershipManager({
    config, logger, record: { index: 0, voters: [1, 2, 3], learners: [] },
    log: log as unknown as ReplicatedLog, cluster: cluster as unknown as Cluster,
  });
  cleanups.push(() => manager.stop());
  return { manager, fake, peersAdded, dataDir };
}

async function leaderStub(answer: object, statusCode: number): Promise<{ addr: string; seen: Array<{ method: string; url: string; headers: IncomingHttpHeaders }> }> {
  const seen: Array<{ method: string; url: string; headers: IncomingHttpHeaders }> = [];
  const server: Server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    res.writeHead(statusCode, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { addr: `127.0.0.1:${address.port}`, seen };
}

describe('membership manager', () => {
  it('removes a member only if the voters left reach replication_factor, and 404s a stranger', async () => {
    const { manager, fake } = setup({ voters: [1, 2, 3], learners: [4] });
    const below = await manager.remove(2, false);
    expect(below.statusCode).toBe(409);
    expect(below.body).toMatchObject({ error: expect.stringMatching(/would leave 2 voters, below cluster\.replication_factor = 3: add a node first/) as unknown });
    expect((await manager.remove(9, false)).statusCode).toBe(404);
    expect(fake.proposed).toEqual([]);
    // A learner does not count towards the voters.
    const learner = await manager.remove(4, false);
    expect(learner).toMatchObject({ statusCode: 200, body: { removed: 4, index: 51 } });
    expect(fake.proposed).toEqual([{ op: 'remove', nodeId: 4 }]);
  });

  it('on a follower: forwards to the leader, marked; answers 421 to a request already forwarded, 503 without a leader', async () => {
    const leader = await leaderStub({ removed: 3 }, 200);
    const { manager } = setup({ role: 'follower', leaderId: 2, voters: [1, 2, 3, 4] }, { httpAddrs: { 2: leader.addr } });
    expect(await manager.remove(3, false)).toEqual({ statusCode: 200, body: { removed: 3 } });
    expect(leader.seen).toMatchObject([{ method: 'DELETE', url: '/admin/cluster/members/3', headers: { 'x-thunderdb-forwarded': '1' } }]);
    const again = await manager.remove(3, true);
    expect(again).toMatchObject({ statusCode: 421, body: { leader_id: 2, leader_http_addr: leader.addr } });
    const lost = setup({ role: 'follower', leaderId: 0, voters: [1, 2, 3] });
    expect((await lost.manager.transferLeader(2, false)).statusCode).toBe(503);
  });

  it('transfers to the most caught-up voter when no target is given, and refuses a learner', async () => {
    const { manager, fake } = setup({ voters: [1, 2, 3], learners: [4] }, {
      progress: [{ nodeId: 2, matchIndex: 40, state: 'replicate' }, { nodeId: 3, matchIndex: 50, state: 'replicate' }, { nodeId: 4, matchIndex: 50, state: 'replicate' }],
    });
    const learner = await manager.transferLeader(4, false);
    expect(learner.statusCode).toBe(409);
    expect(learner.body).toMatchObject({ error: expect.stringContaining('learner') as unknown });
    expect(await manager.transferLeader(undefined, false)).toEqual({ statusCode: 200, body: { leader_id: 3, previous_leader_id: 1, term: 3 } });
    expect(fake.transfers).toEqual([3]);
  });

  it('adds a joining node once (dialing it), and answers a repeated join without a new change', async () => {
    const { manager, fake, peersAdded } = setup({ voters: [1, 2, 3] });
    const first = await manager.join({ nodeId: 4, raftAddr: '127.0.0.1:9004' }, false);
    expect(first).toMatchObject({ statusCode: 200, body: { node_id: 4, index: 51, members: [{ node_id: 1, raft_addr: '127.0.0.1:9001' }] } });
    expect(peersAdded).toEqual([['127.0.0.1:9004', 4]]);
    fake.status = { ...fake.status, learners: [4], configIndex: 51 };
    expect(await manager.join({ nodeId: 4, raftAddr: '127.0.0.1:9004' }, false)).toMatchObject({ statusCode: 200, body: { index: 51, learners: [4] } });
    expect(fake.proposed).toEqual([{ op: 'addLearner', nodeId: 4 }]);
  });

  it('saves each newer applied configuration, and knows when it removed this node', () => {
    const { manager, fake, dataDir } = setup({ voters: [1, 2, 3] });
    manager.attach(fake.committed$);
    const entry = (index: number, change: ConfigChange, voters: number[], learners: number[]): LogEntry =>
      ({ index, term: 2, kind: EntryKind.ConfigChange, data: encodeConfigChange(change, { voters, learners }) }) as LogEntry;
    fake.committed$.next(entry(7, { op: 'addLearner', nodeId: 4 }, [1, 2, 3], [4]));
    expect(loadMembership(dataDir)).toEqual({ index: 7, voters: [1, 2, 3], learners: [4] });
    fake.committed$.next(entry(9, { op: 'remove', nodeId: 1 }, [2, 3], [4]));
    expect(manager.isRemoved()).toBe(true);
    // Replay of an older entry changes nothing.
    fake.committed$.next(entry(7, { op: 'addLearner', nodeId: 4 }, [1, 2, 3], [4]));
    expect(loadMembership(dataDir)).toEqual({ index: 9, voters: [2, 3], learners: [4] });
    expect(manager.isRemoved()).toBe(true);
  });

  it('promotes a learner once it replicates within the lag bound, not before', async () => {
    const { manager, fake } = setup({ voters: [1, 2, 3], learners: [4], lastIndex: 1000 }, { progress: [{ nodeId: 4, matchIndex: 100, state: 'replicate' }] });
    manager.start();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(fake.proposed).toEqual([]);
    fake.progress = [{ nodeId: 4, matchIndex: 990, state: 'replicate' }];
    const deadline = Date.now() + 5000;
    while (fake.proposed.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fake.proposed[0]).toEqual({ op: 'promote', nodeId: 4 });
  });
});
