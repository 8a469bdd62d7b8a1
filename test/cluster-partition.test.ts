// Network partitions of a real three-node cluster. Every directed peer link
// goes through a TCP proxy the test controls (node i reaches node j only via
// proxy[i][j], which node i's cluster.peers names), so a test can cut a node
// off and heal it while the processes keep running. Short timeouts (300 ms
// election, 50 ms heartbeat) keep the file quick; no assertion is on timing.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agreedLeader, idsOf, insertItems, pgClient, raftOf, range, sleep, until, writeOnLeader } from './helpers/cluster.js';
import { freePorts } from './helpers/ports.js';
import { makeTempDir, removeDir, startServer, waitReady, type TestServer } from './helpers/server.js';
import { TcpProxy } from './helpers/tcp-proxy.js';

const electionTimeoutMs = 300;
const nodeCount = 3;

describe('a three-node cluster whose links a test can cut', () => {
  const nodes: TestServer[] = [];
  const dirs: string[] = [];
  /** proxies[i][j] carries node i's connection to node j (undefined on the diagonal). */
  const proxies: (TcpProxy | undefined)[][] = [];

  const allProxies = (): TcpProxy[] => proxies.flat().filter((p): p is TcpProxy => p !== undefined);

  /** Cuts node k off from every other node, both directions. */
  function isolate(k: number): void {
    for (let j = 0; j < nodeCount; j++) {
      proxies[k]?.[j]?.cut();
      proxies[j]?.[k]?.cut();
    }
  }

  function healAll(): void {
    for (const p of allProxies()) p.heal();
  }

  const items = (server: TestServer): Promise<number[]> => idsOf(server, 'items');

  beforeAll(async () => {
    const grpcPorts = await freePorts(nodeCount);
    for (let i = 0; i < nodeCount; i++) {
      const row: (TcpProxy | undefined)[] = [];
      for (let j = 0; j < nodeCount; j++) row.push(i === j ? undefined : await TcpProxy.start(grpcPorts[j] ?? 0));
      proxies.push(row);
    }
    for (let i = 0; i < nodeCount; i++) {
      const dir = makeTempDir('thunderdb-partition-');
      dirs.push(dir);
      const peers = (proxies[i] ?? []).filter((p): p is TcpProxy => p !== undefined).map((p) => `"${p.addr}"`).join(', ');
      nodes.push(await startServer({
        dir, waitReady: false,
        toml: {
          node: `node_id = ${i + 1}`,
          network: `grpc_port = ${grpcPorts[i]}`,
          cluster: [
            'cluster_name = "partition-test"', `peers = [${peers}]`, `replication_factor = ${nodeCount}`,
            `raft_election_timeout = "${electionTimeoutMs}ms"`, 'raft_heartbeat_interval = "50ms"',
          ].join('\n'),
        },
      }));
    }
    await Promise.all(nodes.map((n) => waitReady(n, 30_000)));
    await writeOnLeader(nodes, 'CREATE TABLE items (id int PRIMARY KEY, label text)', [], '42P07');
    await insertItems(nodes, 1, 5);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await Promise.all(allProxies().map((p) => p.close()));
    for (const dir of dirs) removeDir(dir);
  });

  it('cut-off leader: never acknowledges a write, the majority elects and commits, and on healing the old leader follows without its write', async () => {
    const old = await agreedLeader(nodes);
    const oldIndex = nodes.indexOf(old);
    const oldTerm = (await raftOf(old)).term;
    isolate(oldIndex);

    // A write on the cut-off leader: it cannot reach a quorum, so it must fail or hang, never succeed.
    const client = pgClient(old);
    await client.connect();
    const minorityWrite = client.query("INSERT INTO items VALUES (100, 'minority')").then(
      () => 'acknowledged' as const,
      (err: unknown) => err as pg.DatabaseError,
    );

    const majority = nodes.filter((n) => n !== old);
    const leader = await agreedLeader(majority);
    const leaderState = await raftOf(leader);
    expect(leaderState.term).toBeGreaterThan(oldTerm);
    await insertItems(majority, 6, 10);

    // The old leader steps down (check-quorum) and says it is not ready: no quorum, no leader.
    const notReady = await until('/admin/ready 503 on the cut-off node', async () => {
      const res = await old.get('/admin/ready');
      return res.status === 503 ? res : undefined;
    });
    expect(notReady.body).toMatch(/leader|quorum/i);
    // /admin/ready counts peers heard within an election timeout; check-quorum
    // steps the leader down at its own next check, which may come a little later.
    await until('the cut-off leader stepping down (check-quorum)', async () => ((await raftOf(old)).role !== 'leader' ? true : undefined));
    expect(await Promise.race([minorityWrite, sleep(200).then(() => 'still waiting' as const)])).not.toBe('acknowledged');

    healAll();
    await until('the old leader following the new one', async () => {
      const state = await raftOf(old);
      return state.role === 'follower' && state.leader_id === leaderState.node_id ? true : undefined;
    });
    await until('the old leader holding the majority\'s writes', async () => ((await items(old)).length === 10 ? true : undefined));
    expect(await items(old)).toEqual(range(1, 10));
    // Its uncommitted write was replaced by the new leader's log: never acknowledged, nowhere present.
    const outcome = await Promise.race([minorityWrite, sleep(5000).then(() => 'still waiting' as const)]);
    console.log('minority write outcome:', typeof outcome === 'string' ? outcome : `${outcome.code} ${outcome.message}`);
    expect(outcome).not.toBe('acknowledged');
    if (typeof outcome !== 'string') {
      expect(['40001', '25006']).toContain(outcome.code);
      expect(outcome.message).toMatch(/leader/);
    }
    await client.end().catch(() => {});
    for (const node of nodes) expect(await items(node)).not.toContain(100);
    expect((await raftOf(await agreedLeader(nodes))).node_id).toBe(leaderState.node_id);
  });

  it('a follower cut off and returning does not disrupt the leader: pre-vote keeps the term', async () => {
    const leader = await agreedLeader(nodes);
    const { term, node_id: leaderId } = await raftOf(leader);
    const follower = nodes.find((n) => n !== leader);
    if (follower === undefined) throw new Error('no follower');
    isolate(nodes.indexOf(follower));
    // Several election timeouts alone: without pre-vote it would have raised its term each time.
    await sleep(5 * electionTimeoutMs);
    const others = nodes.filter((n) => n !== follower);
    await insertItems(others, 11, 15);
    expect((await raftOf(follower)).term).toBe(term);
    expect((await follower.get('/admin/ready')).status).toBe(503);

    healAll();
    await until('the returning follower caught up', async () => ((await items(follower)).length === 15 ? true : undefined));
    expect(await items(follower)).toEqual(range(1, 15));
    const after = await raftOf(await agreedLeader(nodes));
    expect(after.node_id).toBe(leaderId);
    expect(after.term).toBe(term);
    expect((await raftOf(follower)).term).toBe(term);
  });
});
