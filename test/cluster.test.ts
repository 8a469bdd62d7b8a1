// Real multi-node clusters: three bin/thunderdb processes on free loopback
// ports, Raft over the gRPC transport (log/grpc) with short timeouts
// (300 ms election, 50 ms heartbeat) so the file stays well under a minute
// on two cores. One scenario, in order, because every step builds on the
// cluster the previous one left: election, replication to followers, the
// forwarded follower write, kill -9 of the leader, re-election, catching up after
// a restart, a node of another cluster being refused, and a full restart
// with one node left down (peer ids remembered in data_dir).
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { freePorts } from './helpers/ports.js';
import { agreedLeader, alive, idsOf, insertItems, query, raftOf, retryableCodes, until, writeOnLeader } from './helpers/cluster.js';
import { makeTempDir, removeDir, startServer, waitReady, type TestServer } from './helpers/server.js';

interface Members {
  readonly members: ReadonlyArray<{ node_id: number | null; role: string; status: string; pg_addr: string | null }>;
  readonly leader_id: number | null;
  readonly replication_factor: number;
}

const started: TestServer[] = [];
const dirs: string[] = [];

afterAll(async () => {
  await Promise.all(started.map((s) => s.stop()));
  for (const dir of dirs) removeDir(dir);
});

const ids = (server: TestServer): Promise<number[]> => idsOf(server, 'items');

describe('a three-node cluster over gRPC', () => {
  const grpcPorts: number[] = [];
  const nodes: TestServer[] = [];

  function clusterToml(i: number, clusterName = 'it-cluster'): Record<string, string> {
    const peers = grpcPorts.filter((_, j) => j !== i).map((p) => `"127.0.0.1:${p}"`).join(', ');
    return {
      node: `node_id = ${i + 1}`,
      network: `grpc_port = ${grpcPorts[i]}`,
      cluster: [
        `cluster_name = "${clusterName}"`, `peers = [${peers}]`, 'replication_factor = 3',
        'raft_election_timeout = "300ms"', 'raft_heartbeat_interval = "50ms"',
      ].join('\n'),
    };
  }

  async function startNode(i: number, dir: string): Promise<TestServer> {
    const server = await startServer({ dir, toml: clusterToml(i), waitReady: false });
    started.push(server);
    return server;
  }

  it('elects exactly one leader, and every node serves once its peers answered', async () => {
    grpcPorts.push(...await freePorts(3));
    for (let i = 0; i < 3; i++) dirs.push(makeTempDir('thunderdb-cluster-'));
    // Stagger one node: the others must wait for its handshake ("waiting for peers") and not be ready meanwhile.
    nodes.push(await startNode(0, dirs[0] ?? ''), await startNode(1, dirs[1] ?? ''));
    const first = nodes[0];
    if (first === undefined) throw new Error('no node');
    await first.waitForOutput(/waiting for peers/);
    expect((await first.get('/admin/ready')).status).toBe(503);
    nodes.push(await startNode(2, dirs[2] ?? ''));
    await Promise.all(nodes.map((n) => waitReady(n, 30_000)));
    const leader = await agreedLeader(nodes);
    const members = (await leader.get('/admin/cluster/members')).json() as Members;
    expect(members.members.map((m) => m.node_id)).toEqual([1, 2, 3]);
    expect(members.members.every((m) => m.status === 'up')).toBe(true);
    expect(members.members.filter((m) => m.role === 'leader')).toHaveLength(1);
    expect(members.replication_factor).toBe(3);
  });

  it('replicates a table and rows written on the leader to both followers', async () => {
    await writeOnLeader(nodes, 'CREATE TABLE items (id int PRIMARY KEY, label text)', [], '42P07');
    await insertItems(nodes, 1, 20);
    const leader = await agreedLeader(nodes);
    for (const follower of nodes.filter((n) => n !== leader)) {
      await until('rows on a follower', async () => ((await ids(follower)).length === 20 ? true : undefined));
      expect(await ids(follower)).toEqual(Array.from({ length: 20 }, (_, k) => k + 1));
    }
    await until('followers caught up in /admin/cluster/raft', async () => {
      const r = await raftOf(await agreedLeader(nodes));
      return r.followers?.length === 2 && r.followers.every((f) => f.lag_entries === 0) ? true : undefined;
    });
    const metrics = (await leader.get('/admin/metrics')).body;
    expect(metrics).toMatch(/thunderdb_raft_transport_sent_messages_total\{[^}]*peer="\d"/);
  });

  it('forwards a write sent to a follower to the leader, and reads it back on the other follower at once', async () => {
    const leader = await agreedLeader(nodes);
    const [follower, other] = nodes.filter((n) => n !== leader);
    if (follower === undefined || other === undefined) throw new Error('two followers expected');
    // Leadership moving between finding the leader and the write is the one reason to retry.
    const inserted = await until('a forwarded write', async () => {
      try {
        return await query(follower, "INSERT INTO items VALUES (21, 'via follower') RETURNING id, label");
      } catch (err) {
        if (retryableCodes.has((err as pg.DatabaseError).code ?? '')) return undefined;
        throw err;
      }
    });
    expect(inserted.rows).toEqual([{ id: 21, label: 'via follower' }]);
    // Linearizable read on another node: no waiting for replication.
    expect((await query(other, 'SELECT label FROM items WHERE id = 21')).rows).toEqual([{ label: 'via follower' }]);
    // A block on a follower runs on the leader as a whole; ROLLBACK leaves nothing behind.
    const c = new pg.Client({ host: '127.0.0.1', port: follower.pgPort, user: 'admin', database: 'thunderdb' });
    await c.connect();
    try {
      await c.query('BEGIN');
      await c.query("INSERT INTO items VALUES (998, 'rolled back')");
      expect((await c.query('SELECT count(*)::int AS n FROM items')).rows).toEqual([{ n: 22 }]);
      await c.query('ROLLBACK');
      await c.query('DELETE FROM items WHERE id = 21');
    } finally {
      await c.end();
    }
    expect((await ids(other)).length).toBe(20);
  });

  it('elects a new leader after kill -9 of the leader, keeps every acknowledged row and takes writes', async () => {
    const oldLeader = await agreedLeader(nodes);
    oldLeader.signal('SIGKILL');
    await oldLeader.exited;
    const survivors = nodes.filter((n) => n !== oldLeader);
    const leader = await agreedLeader(survivors);
    expect(await ids(leader)).toEqual(Array.from({ length: 20 }, (_, k) => k + 1));
    await insertItems(survivors, 21, 30);
    const other = survivors.find((n) => n !== leader);
    if (other === undefined) throw new Error('no other survivor');
    await until('new rows on the other survivor', async () => ((await ids(other)).length === 30 ? true : undefined));
    const members = (await leader.get('/admin/cluster/members')).json() as Members;
    expect(members.members.filter((m) => m.status === 'down')).toHaveLength(1);
  });

  it('lets the old leader rejoin as a follower and catch up', async () => {
    const index = nodes.findIndex((n) => !alive(n));
    const dir = dirs[index];
    if (index < 0 || dir === undefined) throw new Error('no stopped node');
    const restarted = await startNode(index, dir);
    nodes[index] = restarted;
    await waitReady(restarted, 30_000);
    const leader = await agreedLeader(nodes);
    expect(leader).not.toBe(restarted);
    expect((await raftOf(restarted)).role).toBe('follower');
    await until('the restarted node caught up', async () => ((await ids(restarted)).length === 30 ? true : undefined));
    expect(await ids(restarted)).toEqual(Array.from({ length: 30 }, (_, k) => k + 1));
    const members = (await leader.get('/admin/cluster/members')).json() as Members;
    await until('all members up again', async () => {
      const m = (await leader.get('/admin/cluster/members')).json() as Members;
      return m.members.every((x) => x.status === 'up') ? true : undefined;
    });
    expect(members.leader_id).toBe((await raftOf(leader)).node_id);
  });

  it('refuses a node of another cluster_name, with a log line on both sides', async () => {
    const dir = makeTempDir('thunderdb-cluster-foreign-');
    dirs.push(dir);
    const [foreignGrpc] = await freePorts(1);
    const target = nodes[0];
    if (target === undefined) throw new Error('no node');
    const foreign = await startServer({
      dir, waitReady: false,
      toml: {
        node: 'node_id = 9',
        network: `grpc_port = ${foreignGrpc}`,
        cluster: `cluster_name = "elsewhere"\npeers = ["127.0.0.1:${grpcPorts[0]}"]\nraft_election_timeout = "300ms"\nraft_heartbeat_interval = "50ms"`,
      },
    });
    started.push(foreign);
    await foreign.waitForOutput(/refusing peer 127\.0\.0\.1:\d+: it belongs to cluster \\"it-cluster\\", this node to cluster \\"elsewhere\\"/);
    await target.waitForOutput(/refusing node 9 at 127\.0\.0\.1:\d+: it belongs to cluster \\"elsewhere\\", this node to cluster \\"it-cluster\\"/);
    expect((await foreign.get('/admin/ready')).status).toBe(503);
    expect(await foreign.stop()).toEqual({ code: 0, signal: null });
    // The cluster is unaffected.
    await agreedLeader(nodes);
  });

  it('restarts from remembered peer ids: two of three nodes serve while the third stays down', async () => {
    const statuses = await Promise.all(nodes.map((n) => n.stop()));
    expect(statuses.every((st) => st.code === 0)).toBe(true);
    for (const index of [0, 1]) {
      const dir = dirs[index];
      if (dir === undefined) throw new Error('no dir');
      nodes[index] = await startNode(index, dir);
    }
    const two = nodes.slice(0, 2);
    await Promise.all(two.map((n) => waitReady(n, 30_000)));
    for (const n of two) expect(n.output()).not.toContain('waiting for peers');
    const leader = await agreedLeader(two);
    expect(await ids(leader)).toEqual(Array.from({ length: 30 }, (_, k) => k + 1));
    await insertItems(two, 31, 31);
  });

  it('without a quorum: writes fail with 25006 and linearizable reads with a retryable error; local reads still serve', async () => {
    const two = nodes.slice(0, 2);
    const leader = await agreedLeader(two);
    const survivor = two.find((n) => n !== leader);
    if (survivor === undefined) throw new Error('no survivor');
    expect(await leader.stop()).toEqual({ code: 0, signal: null });
    const write = await query(survivor, "INSERT INTO items VALUES (32, 'no quorum')").then(() => undefined, (err: unknown) => err as pg.DatabaseError);
    expect(write?.code).toBe('25006');
    expect(write?.message).toMatch(/^this node is a follower (and no leader is known yet|and could not forward the statement to the leader \(node \d at 127\.0\.0\.1:\d+\))/);
    const read = await query(survivor, 'SELECT count(*) FROM items').then(() => undefined, (err: unknown) => err as pg.DatabaseError);
    expect(['57P03', '40001']).toContain(read?.code);
    expect(read?.message).toMatch(/^cannot confirm a linearizable read/);
    const c = new pg.Client({ host: '127.0.0.1', port: survivor.pgPort, user: 'admin', database: 'thunderdb', options: '-c thunderdb.read_consistency=local' });
    await c.connect();
    try {
      expect((await c.query('SELECT count(*)::int AS n FROM items')).rows).toEqual([{ n: 31 }]);
    } finally {
      await c.end();
    }
  });
});
