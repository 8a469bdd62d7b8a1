// Raft snapshots end to end with real processes: a three-node cluster with a
// 1 MB WAL limit and 1 s checkpoints, so the leader compacts its WAL, and a
// leader that keeps only 8 entries in memory for followers
// (THUNDER_TEST_RAFT_TAIL_ENTRIES_MAX), so a follower behind needs a
// snapshot. A follower is stopped and wiped, rows are written until the
// leader compacted past everything it had, and the follower, restarted with
// the same id and peers, catches up by snapshot (rows checked over pg). Then
// the same with a kill -9 in the middle of the install
// (THUNDER_TEST_SNAPSHOT_INSTALL_PAUSE_MS holds it halfway): the restarted
// node finishes the install and catches up. Last, a fourth node joins after
// the leader compacted its log: it is sent a snapshot before its promotion.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { freePorts } from './helpers/ports.js';
import { agreedLeader, alive, query, raftOf, range, until, writeOnLeader } from './helpers/cluster.js';
import { makeTempDir, removeDir, startServer, waitReady, type TestServer } from './helpers/server.js';

const started: TestServer[] = [];
const dirs: string[] = [];

afterAll(async () => {
  await Promise.all(started.map((s) => s.stop()));
  if (process.env['SNAP_DEBUG_DIR'] !== undefined) {
    const { writeFileSync } = await import('node:fs');
    started.forEach((s, k) => writeFileSync(join(process.env['SNAP_DEBUG_DIR'] ?? '', `node-${k}.log`), s.output()));
  }
  for (const dir of dirs) removeDir(dir);
});

async function walFirstIndex(server: TestServer): Promise<number> {
  const health = (await server.get('/admin/health')).json() as { components: { wal: { first_index: number } } };
  return health.components.wal.first_index;
}

/** Rows `from`..`to` with 8 KB of incompressible text each, five to a statement (one log entry). */
async function insertBig(nodes: readonly TestServer[], from: number, to: number): Promise<void> {
  for (let id = from; id <= to; id += 5) {
    const ids = Array.from({ length: Math.min(5, to - id + 1) }, (_, k) => id + k);
    const values = ids.map((_, k) => `($${2 * k + 1}, $${2 * k + 2})`).join(', ');
    const params = ids.flatMap((n) => [n, randomBytes(4096).toString('hex')]);
    await writeOnLeader(nodes, `INSERT INTO items VALUES ${values}`, params, '23505');
  }
}

async function idsOf(server: TestServer): Promise<number[]> {
  return (await query(server, 'SELECT id FROM items ORDER BY id')).rows.map((r: { id: number }) => r.id);
}

/** count(*) and sum(id) on the column path (the column store rebuilt from the installed row store) and on the row path. */
async function aggregatesOnBothPaths(server: TestServer): Promise<{ column: unknown; row: unknown }> {
  const c = new pg.Client({ host: '127.0.0.1', port: server.pgPort, user: 'admin', database: 'thunderdb' });
  await c.connect();
  try {
    const sql = 'SELECT count(*)::text AS n, sum(id)::text AS s FROM items';
    await c.query("SET thunderdb.read_path = 'column'");
    const plan = (await c.query(`EXPLAIN ${sql}`)).rows.map((r: Record<string, string>) => Object.values(r).join(' ')).join('\n');
    if (!/Read Path: column/.test(plan)) throw new Error(`not on the column path: ${plan}`);
    const column = (await c.query(sql)).rows[0] as unknown;
    await c.query("SET thunderdb.read_path = 'row'");
    return { column, row: (await c.query(sql)).rows[0] as unknown };
  } finally {
    await c.end();
  }
}

describe('a follower that fell behind the leader\'s compacted log catches up by snapshot', () => {
  const grpcPorts: number[] = [];
  const nodes: TestServer[] = [];

  function clusterToml(i: number): Record<string, string> {
    // Node 4 (i = 3) is not there at bootstrap: the three list only each other; it lists them all.
    const peers = grpcPorts.filter((_, j) => j !== i && (j < 3 || i === 3)).map((p) => `"127.0.0.1:${p}"`).join(', ');
    return {
      node: `node_id = ${i + 1}`,
      network: `grpc_port = ${grpcPorts[i]}`,
      storage: ['wal_segment_size = "1MB"', 'max_wal_size = "1MB"', 'checkpoint_interval = "1s"'].join('\n'),
      cluster: [
        'cluster_name = "snap-cluster"', `peers = [${peers}]`, 'replication_factor = 3',
        'raft_election_timeout = "300ms"', 'raft_heartbeat_interval = "50ms"',
      ].join('\n'),
    };
  }

  async function startNode(i: number, env: NodeJS.ProcessEnv = {}): Promise<TestServer> {
    const server = await startServer({
      dir: dirs[i] ?? '', toml: clusterToml(i), waitReady: false, env: { THUNDER_TEST_RAFT_TAIL_ENTRIES_MAX: '8', ...env },
    });
    started.push(server);
    nodes[i] = server;
    return server;
  }

  /** Stops node i (SIGTERM, or SIGKILL when `kill`) and deletes its data and WAL directories. */
  async function stopAndWipe(i: number): Promise<void> {
    const node = nodes[i];
    if (node === undefined) throw new Error(`no node ${i}`);
    if (alive(node)) await node.stop();
    rmSync(join(dirs[i] ?? '', 'data'), { recursive: true, force: true });
    rmSync(join(dirs[i] ?? '', 'wal'), { recursive: true, force: true });
  }

  /** Writes big rows until the leader's WAL starts past `index`. */
  async function writeUntilCompactedPast(index: number, firstId: number): Promise<number> {
    let next = firstId;
    for (;;) {
      await insertBig(nodes, next, next + 49);
      next += 50;
      const leader = await agreedLeader(nodes);
      const compacted = await until('a checkpoint and compaction on the leader', async () => ((await walFirstIndex(leader)) > index ? true : undefined), 3000).catch(() => false);
      if (compacted) return next - 1;
      if (next > firstId + 2000) throw new Error(`the leader never compacted past ${index}; WAL starts at ${await walFirstIndex(leader)}`);
    }
  }

  it('starts the cluster and replicates a table', async () => {
    grpcPorts.push(...await freePorts(4));
    for (let i = 0; i < 4; i++) dirs.push(makeTempDir('thunderdb-snap-'));
    for (let i = 0; i < 3; i++) await startNode(i);
    await Promise.all(nodes.map((n) => waitReady(n, 30_000)));
    await writeOnLeader(nodes, 'CREATE TABLE items (id int PRIMARY KEY, label text)', [], '42P07');
    await insertBig(nodes, 1, 20);
    for (const node of nodes) await until('rows everywhere', async () => ((await idsOf(node)).length === 20 ? true : undefined));
  });

  it('a wiped follower restarted with the same id and peers is sent a snapshot and serves every row', async () => {
    const leader = await agreedLeader(nodes);
    const i = nodes.findIndex((n) => n !== leader);
    const lastIndexHeld = (await raftOf(nodes[i] as TestServer)).last_index;
    await stopAndWipe(i);
    const lastId = await writeUntilCompactedPast(lastIndexHeld, 21);
    const follower = await startNode(i);
    await waitReady(follower, 30_000);
    await until('every row on the restarted follower', async () => ((await idsOf(follower)).length === lastId ? true : undefined));
    expect(await idsOf(follower)).toEqual(range(1, lastId));
    const current = await agreedLeader(nodes);
    await current.waitForOutput(new RegExp(`snapshot \\d+ sent to node ${i + 1}`), 5000);
    await follower.waitForOutput(/installed snapshot \d+ from the leader/, 5000);
    await follower.waitForOutput(/column store rebuilt from the row store/, 5000);
    const sum = (lastId * (lastId + 1)) / 2;
    expect(await aggregatesOnBothPaths(follower)).toEqual({ column: { n: String(lastId), s: String(sum) }, row: { n: String(lastId), s: String(sum) } });
    // It keeps replicating after the snapshot.
    await insertBig(nodes, lastId + 1, lastId + 10);
    await until('new rows on the follower', async () => ((await idsOf(follower)).length === lastId + 10 ? true : undefined));
  });

  it('a follower killed with -9 in the middle of an install finishes it at restart and catches up', async () => {
    const leader = await agreedLeader(nodes);
    const i = nodes.findIndex((n) => n !== leader);
    const lastIndexHeld = (await raftOf(nodes[i] as TestServer)).last_index;
    const firstId = (await idsOf(leader)).length + 1;
    await stopAndWipe(i);
    const lastId = await writeUntilCompactedPast(lastIndexHeld, firstId);
    const pausing = await startNode(i, { THUNDER_TEST_SNAPSHOT_INSTALL_PAUSE_MS: '60000' });
    await pausing.waitForOutput(/snapshot install paused/, 30_000);
    pausing.signal('SIGKILL');
    await pausing.exited;
    const restarted = await startNode(i);
    await restarted.waitForOutput(/finishing the install of snapshot \d+ interrupted by a crash/, 30_000);
    await waitReady(restarted, 30_000);
    await until('every row after the interrupted install', async () => ((await idsOf(restarted)).length === lastId ? true : undefined));
    expect(await idsOf(restarted)).toEqual(range(1, lastId));
    const sum = (lastId * (lastId + 1)) / 2;
    expect(await aggregatesOnBothPaths(restarted)).toEqual({ column: { n: String(lastId), s: String(sum) }, row: { n: String(lastId), s: String(sum) } });
  });

  it('a new fourth node joins after the leader compacted its log: it is sent a snapshot, then promoted to voter', async () => {
    const leader = await agreedLeader(nodes);
    const firstId = (await idsOf(leader)).length + 1;
    // Compact past the start of the log, so the joiner (replaying from index 1) cannot be served from the WAL.
    const lastId = await writeUntilCompactedPast(1, firstId);
    expect(await walFirstIndex(leader)).toBeGreaterThan(1);
    const fourth = await startNode(3);
    await fourth.waitForOutput(/joining cluster as learner/, 60_000);
    await fourth.waitForOutput(/installed snapshot \d+ from the leader/, 60_000);
    await fourth.waitForOutput(/caught up, promoted to voter/, 60_000);
    await waitReady(fourth, 30_000);
    for (const node of nodes) {
      await until(`node 4 a voter on ${node.adminUrl}`, async () => {
        const members = (await node.get('/admin/cluster/members')).json() as { voters: number[] };
        return members.voters.includes(4) ? true : undefined;
      });
    }
    expect(await idsOf(fourth)).toEqual(range(1, lastId));
    // It counts toward commit now and keeps replicating.
    await insertBig(nodes, lastId + 1, lastId + 10);
    await until('new rows on the fourth node', async () => ((await idsOf(fourth)).length === lastId + 10 ? true : undefined));
  });
});
