// Membership changes on real processes: a three-node cluster, a fourth node
// started with cluster.peers pointing at it joins (learner, then voter) and
// receives the rows written before it came; DELETE of the leader itself
// (asked on the new node, which forwards it); leader transfer to a chosen
// node; DELETE of a follower; DELETE refused below replication_factor (2
// here, so that two removals fit in four nodes); and a restart of the joined
// node, whose membership comes from data_dir and not from its config. One scenario, in
// order: each step builds on the cluster the previous one left. Short Raft
// timings (300 ms election, 50 ms heartbeat); no timing assertions.
import { afterAll, describe, expect, it } from 'vitest';
import { freePorts } from './helpers/ports.js';
import { agreedLeader, idsOf, insertItems, raftOf, range, until, writeOnLeader } from './helpers/cluster.js';
import { makeTempDir, removeDir, startServer, waitReady, type TestServer } from './helpers/server.js';

interface Members {
  readonly members: ReadonlyArray<{ node_id: number | null; role: string; membership: string }>;
  readonly leader_id: number | null;
  readonly voters: number[];
  readonly learners: number[];
  readonly replication_factor: number;
}

const started: TestServer[] = [];
const dirs: string[] = [];

afterAll(async () => {
  await Promise.all(started.map((s) => s.stop()));
  for (const dir of dirs) removeDir(dir);
});

async function membersOf(server: TestServer): Promise<Members> {
  const res = await server.get('/admin/cluster/members');
  if (res.status !== 200) throw new Error(`members ${res.status}: ${res.body}`);
  return res.json() as Members;
}

async function send(server: TestServer, method: string, path: string, body?: object): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(server.adminUrl + path, {
    method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: res.status, json: await res.json() as Record<string, unknown> };
}

const ids = (server: TestServer): Promise<number[]> => idsOf(server, 'items');

describe('membership changes on a running cluster', () => {
  const grpcPorts: number[] = [];
  /** By node id - 1; the removed node stays in the array but leaves `live`. */
  const nodes: TestServer[] = [];
  let live: TestServer[] = [];

  function toml(i: number): Record<string, string> {
    // Node 4 (i = 3) lists the three others; the first three list each other only.
    const peers = grpcPorts.filter((_, j) => j !== i && (i === 3 || j < 3)).map((p) => `"127.0.0.1:${p}"`).join(', ');
    return {
      node: `node_id = ${i + 1}`,
      network: `grpc_port = ${grpcPorts[i]}`,
      cluster: [
        'cluster_name = "members-it"', `peers = [${peers}]`, 'replication_factor = 2',
        'raft_election_timeout = "300ms"', 'raft_heartbeat_interval = "50ms"',
      ].join('\n'),
    };
  }

  async function startNode(i: number): Promise<TestServer> {
    const server = await startServer({ dir: dirs[i] ?? '', toml: toml(i), waitReady: false });
    started.push(server);
    nodes[i] = server;
    return server;
  }

  function node(id: number): TestServer {
    const n = nodes[id - 1];
    if (n === undefined) throw new Error(`no node ${id}`);
    return n;
  }

  it('bootstraps three nodes as before and writes rows', async () => {
    grpcPorts.push(...await freePorts(4));
    for (let i = 0; i < 4; i++) dirs.push(makeTempDir('thunderdb-members-'));
    await Promise.all([0, 1, 2].map((i) => startNode(i)));
    live = nodes.slice(0, 3);
    await Promise.all(live.map((n) => waitReady(n, 60_000)));
    await agreedLeader(live);
    await writeOnLeader(live, 'CREATE TABLE items (id int PRIMARY KEY, label text)', [], '42P07');
    await insertItems(live, 1, 10);
    for (const n of live) expect((await membersOf(n)).voters).toEqual([1, 2, 3]);
  });

  it('a fourth node with peers = the three joins as learner, is promoted, and has the earlier rows', async () => {
    const fourth = await startNode(3);
    await fourth.waitForOutput(/joining cluster as learner/, 60_000);
    await fourth.waitForOutput(/caught up, promoted to voter/, 60_000);
    await waitReady(fourth, 60_000);
    live = nodes.slice(0, 4);
    for (const n of live) {
      await until(`node 4 a voter in /admin/cluster/members of ${n.adminUrl}`, async () => {
        const m = await membersOf(n);
        return m.voters.includes(4) && m.members.some((x) => x.node_id === 4 && x.membership === 'voter') ? true : undefined;
      });
    }
    await until('the earlier rows on node 4', async () => ((await ids(fourth)).length === 10 ? true : undefined));
    expect(await ids(fourth)).toEqual(range(1, 10));
    // It did not bootstrap itself: it never was a voter of its own one-node or four-node group.
    expect(fourth.output()).not.toContain('starting Raft with voters');
    await insertItems(live, 11, 12);
    await until('new rows on node 4', async () => ((await ids(fourth)).length === 12 ? true : undefined));
    const metrics = (await (await agreedLeader(live)).get('/admin/metrics')).body;
    expect(metrics).toMatch(/thunderdb_raft_config_changes_total\{[^}]*op="addLearner"[^}]*\} 1/);
    expect(metrics).toMatch(/thunderdb_raft_replication_lag_entries\{[^}]*peer="4"/);
    expect(metrics).toMatch(/thunderdb_raft_voters\{[^}]*\} 4/);
  });

  it('removes the leader itself when asked on a follower: it steps down and the others elect a leader and commit', async () => {
    const leader = await agreedLeader(live);
    const leaderId = (await raftOf(leader)).node_id;
    const res = await until('the removal of the leader committed', async () => {
      const r = await send(node(4), 'DELETE', `/admin/cluster/members/${leaderId}`);
      return r.status === 200 ? r : undefined;
    }, 60_000);
    expect(res.json).toMatchObject({ removed: leaderId });
    live = live.filter((n) => n !== leader);
    const next = await agreedLeader(live);
    expect((await raftOf(next)).voters).not.toContain(leaderId);
    await until('the old leader reports itself removed', async () => {
      const health = (await leader.get('/admin/health')).json() as { components: { raft: { removed?: boolean; role?: string } } };
      return health.components.raft.removed === true && health.components.raft.role !== 'leader' ? true : undefined;
    });
    await leader.waitForOutput(/raft: retired/);
    await insertItems(live, 13, 14);
    for (const n of live) await until('rows after removing the leader', async () => ((await ids(n)).length === 14 ? true : undefined));
  });

  it('moves leadership to a chosen node (asked on another follower, which forwards)', async () => {
    // Elections on two busy cores may interfere; the endpoint then answers 409 or 504, and asking again is right.
    const answer = await until('a completed transfer to node 4', async () => {
      const leader = await agreedLeader(live);
      if (leader === node(4)) return { status: 200, json: { leader_id: 4 } as Record<string, unknown> };
      const asked = live.find((n) => n !== leader && n !== node(4));
      if (asked === undefined) throw new Error('no follower to ask');
      const res = await send(asked, 'POST', '/admin/cluster/leader/transfer', { target: 4 });
      return res.status === 200 ? res : undefined;
    }, 60_000);
    expect(answer.json).toMatchObject({ leader_id: 4 });
    // Node 4 itself became leader (in the term the answer names, unless node 4 already led).
    const term = typeof answer.json['term'] === 'number' ? answer.json['term'] : '\\d+';
    await node(4).waitForOutput(new RegExp(`"leaderId":4,"term":${term},"role":"leader"`));
  });

  it('refuses to remove an unknown node (404) and removes a follower through another follower', async () => {
    const leader = await agreedLeader(live);
    const unknown = await send(leader, 'DELETE', '/admin/cluster/members/99');
    expect(unknown.status).toBe(404);
    expect(unknown.json['error']).toMatch(/node 99 is not a member/);
    // Remove a follower, asking another follower.
    const victim = live.find((n) => n !== leader && n !== node(4));
    const asked = live.find((n) => n !== leader && n !== victim);
    if (victim === undefined || asked === undefined) throw new Error('not enough followers');
    const victimId = (await raftOf(victim)).node_id;
    const res = await until('the removal committed', async () => {
      const r = await send(asked, 'DELETE', `/admin/cluster/members/${victimId}`);
      return r.status === 200 ? r : undefined;
    }, 60_000);
    expect(res.json).toMatchObject({ removed: victimId });
    live = live.filter((n) => n !== victim);
    for (const n of live) {
      await until('the removal on every remaining node', async () => ((await membersOf(n)).voters.includes(victimId) ? undefined : true));
    }
    // The removed node knows it: not ready, health says removed.
    await until('the removed node reports itself removed', async () => {
      const health = (await victim.get('/admin/health')).json() as { components: { raft: { removed?: boolean } } };
      return health.components.raft.removed === true ? true : undefined;
    });
    expect((await victim.get('/admin/ready')).status).toBe(503);
    // It stops its Raft clock: no more (pre-)elections from it.
    await victim.waitForOutput(/raft: retired/);
    // Restarted, it refuses to start rather than wait forever for a leader that no longer replicates to it.
    expect(await victim.stop()).toEqual({ code: 0, signal: null });
    const again = await startNode(victimId - 1);
    expect((await again.exited).code).not.toBe(0);
    expect(again.output()).toMatch(/this node was removed from the cluster .*empty storage\.data_dir and storage\.wal_dir/);
    // The remaining two still commit writes.
    await insertItems(live, 15, 15);
    for (const n of live) await until('rows after the removal', async () => ((await ids(n)).length === 15 ? true : undefined));
  });

  it('refuses a removal that would leave fewer voters than replication_factor, with 409', async () => {
    const leader = await agreedLeader(live);
    const follower = live.find((n) => n !== leader);
    if (follower === undefined) throw new Error('no follower');
    const followerId = (await raftOf(follower)).node_id;
    const res = await send(leader, 'DELETE', `/admin/cluster/members/${followerId}`);
    expect(res.status).toBe(409);
    expect(res.json['error']).toMatch(/below cluster\.replication_factor = 2/);
    expect((await membersOf(leader)).voters).toHaveLength(2);
  });

  it('restarts the joined node from its saved membership, not from cluster.peers', async () => {
    const voters = (await membersOf(node(4))).voters;
    expect(voters).toHaveLength(2);
    expect(voters).toContain(4);
    expect(await node(4).stop()).toEqual({ code: 0, signal: null });
    const restarted = await startNode(3);
    live = live.map((n) => (n.dir === restarted.dir ? restarted : n));
    await waitReady(restarted, 60_000);
    expect(restarted.output()).toContain('membership from data_dir/cluster-membership.json');
    expect(restarted.output()).not.toContain('joining cluster as learner');
    expect((await membersOf(restarted)).voters).toEqual(voters);
    await insertItems(live, 16, 16);
    await until('rows on the restarted node', async () => ((await ids(restarted)).length === 16 ? true : undefined));
    expect(await ids(restarted)).toEqual(range(1, 16));
  });
});
