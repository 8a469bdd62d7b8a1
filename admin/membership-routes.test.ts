// Membership routes (fastify inject, a fake ClusterControl): input checked
// before anything reaches the server, answers passed through with their
// status, the forwarded header seen, learners shown with their role and lag.
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createAdminApp, type AdminNodeView, type ClusterControl, type ControlResult, type RaftView } from './index.js';

const logger = pino({ level: 'silent' });

interface Call {
  readonly op: string;
  readonly arg: unknown;
  readonly forwarded: boolean;
}

function fakeControl(calls: Call[], answer: ControlResult): ClusterControl {
  return {
    join: (req, forwarded) => (calls.push({ op: 'join', arg: req, forwarded }), Promise.resolve(answer)),
    remove: (id, forwarded) => (calls.push({ op: 'remove', arg: id, forwarded }), Promise.resolve(answer)),
    transferLeader: (target, forwarded) => (calls.push({ op: 'transfer', arg: target, forwarded }), Promise.resolve(answer)),
    removed: (notice) => (calls.push({ op: 'removed', arg: notice, forwarded: false }), Promise.resolve(answer)),
  };
}

const leader: RaftView = {
  role: 'leader', term: 7, leaderId: 1, commitIndex: 40, appliedIndex: 40, firstIndex: 1, lastIndex: 42, voters: [1, 2, 3], learners: [4],
  progress: [{ nodeId: 2, matchIndex: 42, state: 'replicate' }, { nodeId: 3, matchIndex: 40, state: 'replicate' }, { nodeId: 4, matchIndex: 12, state: 'replicate' }],
};

function view(control: ClusterControl | undefined, raft: RaftView = leader, removed = false): AdminNodeView {
  return {
    nodeId: 1, clusterName: 'c1', replicationFactor: 3, raftAddr: '10.0.0.1:9090', pgAddr: '10.0.0.1:5432', httpAddr: '10.0.0.1:8088',
    version: '0.1.0', startedAtMs: Date.now(),
    lifecycle: () => 'serving',
    raft: () => raft,
    cluster: () => ({
      peers: () => [2, 3, 4].map((id) => ({
        nodeId: id, addr: `10.0.0.${id}:9090`, pgAddr: '', httpAddr: '', connected: true, lastHeardMsAgo: 5, lastError: '',
        sentMessages: 0, droppedMessages: 0, receivedMessages: 0,
      })),
      matchIndex: () => undefined, quorumReachable: () => true, waitingForPeers: () => false, removed: () => removed,
      ...(control === undefined ? {} : { control }),
    }),
    wal: () => undefined,
    views: () => [],
    metrics: () => Promise.resolve({ contentType: 'text/plain', body: '' }),
  };
}

describe('membership routes', () => {
  it('DELETE /admin/cluster/members/:id passes the id and the answer through', async () => {
    const calls: Call[] = [];
    const app = createAdminApp({ view: view(fakeControl(calls, { statusCode: 409, body: { error: 'below replication_factor' } })), logger });
    const res = await app.inject({ method: 'DELETE', url: '/admin/cluster/members/3' });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual({ error: 'below replication_factor' });
    expect(calls).toEqual([{ op: 'remove', arg: 3, forwarded: false }]);
  });

  it('refuses a malformed node id with 400 before asking the server', async () => {
    const calls: Call[] = [];
    const app = createAdminApp({ view: view(fakeControl(calls, { statusCode: 200, body: {} })), logger });
    for (const id of ['abc', '0', '-1', '1.5']) {
      const res = await app.inject({ method: 'DELETE', url: `/admin/cluster/members/${id}` });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: expect.stringContaining('positive integer') as unknown });
    }
    expect(calls).toEqual([]);
  });

  it('marks a request forwarded by another node', async () => {
    const calls: Call[] = [];
    const app = createAdminApp({ view: view(fakeControl(calls, { statusCode: 200, body: { removed: 2 } })), logger });
    const res = await app.inject({ method: 'DELETE', url: '/admin/cluster/members/2', headers: { 'x-thunderdb-forwarded': '3' } });
    expect(res.json()).toEqual({ removed: 2 });
    expect(calls).toEqual([{ op: 'remove', arg: 2, forwarded: true }]);
  });

  it('POST /admin/cluster/leader/transfer takes an optional target', async () => {
    const calls: Call[] = [];
    const app = createAdminApp({ view: view(fakeControl(calls, { statusCode: 200, body: { leader_id: 2 } })), logger });
    expect((await app.inject({ method: 'POST', url: '/admin/cluster/leader/transfer', payload: { target: 2 } })).json()).toEqual({ leader_id: 2 });
    expect((await app.inject({ method: 'POST', url: '/admin/cluster/leader/transfer', payload: {} })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/admin/cluster/leader/transfer' })).statusCode).toBe(200);
    const bad = await app.inject({ method: 'POST', url: '/admin/cluster/leader/transfer', payload: { target: 'two' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: expect.stringContaining('"target"') as unknown });
    expect(calls).toEqual([
      { op: 'transfer', arg: 2, forwarded: false }, { op: 'transfer', arg: undefined, forwarded: false }, { op: 'transfer', arg: undefined, forwarded: false },
    ]);
  });

  it('checks a join request, and the leader\'s removal notice', async () => {
    const calls: Call[] = [];
    const app = createAdminApp({ view: view(fakeControl(calls, { statusCode: 200, body: { ok: true } })), logger });
    expect((await app.inject({ method: 'POST', url: '/admin/cluster/join', payload: { node_id: 4 } })).statusCode).toBe(400);
    expect((await app.inject({ method: 'POST', url: '/admin/cluster/join', payload: { node_id: 4, raft_addr: '10.0.0.4:9090' } })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/admin/cluster/removed', payload: { leader_id: 1 } })).statusCode).toBe(400);
    expect((await app.inject({ method: 'POST', url: '/admin/cluster/removed', payload: { leader_id: 1, index: 9 } })).statusCode).toBe(200);
    expect(calls).toEqual([
      { op: 'join', arg: { nodeId: 4, raftAddr: '10.0.0.4:9090' }, forwarded: false },
      { op: 'removed', arg: { index: 9, leaderId: 1 }, forwarded: false },
    ]);
  });

  it('answers 503 while the node cannot take membership changes yet, and 400 on a single node', async () => {
    const starting = createAdminApp({ view: view(undefined), logger });
    const res = await starting.inject({ method: 'DELETE', url: '/admin/cluster/members/2' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ error: expect.stringContaining('retry') as unknown });
    const single = view(undefined);
    const alone = createAdminApp({ view: { ...single, cluster: undefined }, logger });
    const res2 = await alone.inject({ method: 'POST', url: '/admin/cluster/leader/transfer', payload: {} });
    expect(res2.statusCode).toBe(400);
    expect(res2.json()).toMatchObject({ error: expect.stringContaining('cluster.peers') as unknown });
  });

  it('shows learners with their role, lag from the core\'s progress, and region replicas', async () => {
    const app = createAdminApp({ view: view(undefined), logger });
    const members = (await app.inject('/admin/cluster/members')).json() as { members: Array<{ node_id: number; role: string; membership: string }> };
    expect(members).toMatchObject({ leader_id: 1, term: 7, replication_factor: 3, voters: [1, 2, 3], learners: [4] });
    expect(members.members.map((m) => [m.node_id, m.role, m.membership])).toEqual([
      [1, 'leader', 'voter'], [2, 'follower', 'voter'], [3, 'follower', 'voter'], [4, 'learner', 'learner'],
    ]);
    expect((await app.inject('/admin/cluster/raft')).json()).toMatchObject({
      learners: [4],
      followers: [
        { node_id: 2, membership: 'voter', match_index: 42, lag_entries: 0, state: 'replicate' },
        { node_id: 3, membership: 'voter', match_index: 40, lag_entries: 2 },
        { node_id: 4, membership: 'learner', match_index: 12, lag_entries: 30 },
      ],
    });
    expect((await app.inject('/admin/cluster/regions')).json()).toMatchObject({
      regions: [{ region_id: 1, start_key: '', end_key: '', leader_id: 1, replicas: [
        { node_id: 1, role: 'leader' }, { node_id: 2, role: 'voter' }, { node_id: 3, role: 'voter' }, { node_id: 4, role: 'learner' },
      ] }],
    });
  });

  it('reports a removed node as removed and not ready', async () => {
    const follower: RaftView = { ...leader, role: 'follower', leaderId: 2, progress: undefined };
    const app = createAdminApp({ view: view(undefined, follower, true), logger });
    expect((await app.inject('/admin/ready')).json()).toMatchObject({ reason: 'this node was removed from the cluster' });
    expect((await app.inject('/admin/health')).json()).toMatchObject({ components: { raft: { status: 'unavailable', removed: true } } });
    const members = (await app.inject('/admin/cluster/members')).json() as { removed: boolean; members: Array<{ node_id: number; role: string }> };
    expect(members.removed).toBe(true);
    expect(members.members[0]).toMatchObject({ node_id: 1, role: 'removed' });
  });
});
