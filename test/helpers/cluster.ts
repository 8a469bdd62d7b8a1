// Helpers for tests that run real multi-node clusters (bin/thunderdb processes
// talking Raft over gRPC): admin views, polling, and SQL on a node.
import pg from 'pg';
import type { TestServer } from './server.js';

export interface RaftState {
  readonly node_id: number;
  readonly role: string;
  readonly term: number;
  readonly leader_id: number | null;
  readonly commit_index: number;
  readonly applied_index: number;
  readonly last_index: number;
  readonly voters: number[];
  readonly learners: number[];
  /** On the leader: each follower's replication. */
  readonly followers?: ReadonlyArray<{ node_id: number; match_index: number | null; lag_entries: number | null }>;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function alive(server: TestServer): boolean {
  return server.child.exitCode === null && server.child.signalCode === null;
}

/** Polls `probe` every 50 ms until it returns a value; errors count as "not yet". */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}${last === undefined ? '' : `: ${String(last)}`}`);
}

export async function raftOf(server: TestServer): Promise<RaftState> {
  const res = await server.get('/admin/cluster/raft');
  if (res.status !== 200) throw new Error(`raft status ${res.status}: ${res.body}`);
  return res.json() as RaftState;
}

export function pgClient(server: TestServer): pg.Client {
  const client = new pg.Client({ host: '127.0.0.1', port: server.pgPort, user: 'admin', database: 'thunderdb', connectionTimeoutMillis: 3000 });
  // A node killed or cut off under an open connection must not crash the test run.
  client.on('error', () => {});
  return client;
}

export async function query(server: TestServer, sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const c = pgClient(server);
  await c.connect();
  try {
    return await c.query(sql, params);
  } finally {
    await c.end().catch(() => {});
  }
}

/** The leader all the given nodes still running agree on, once there is exactly one. */
export async function agreedLeader(nodes: readonly TestServer[], timeoutMs = 30_000): Promise<TestServer> {
  return until('one leader that every given node agrees on', async () => {
    const live = nodes.filter(alive);
    const states = await Promise.all(live.map(raftOf));
    const leaders = states.filter((s) => s.role === 'leader');
    const leaderId = leaders[0]?.node_id;
    if (leaders.length !== 1 || states.some((s) => s.leader_id !== leaderId)) return undefined;
    return live[states.findIndex((s) => s.role === 'leader')];
  }, timeoutMs);
}

/** SQLSTATEs that mean "leadership moved (or the node went away); retry on the leader". */
export const retryableCodes = new Set(['25006', '40001', '57P01', '08006']);

/**
 * Runs a write on whichever node leads, retrying while leadership moves.
 * `done` is the SQLSTATE of a retry whose first attempt had committed after all.
 */
export async function writeOnLeader(nodes: readonly TestServer[], sql: string, params: unknown[], done: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  let retried = false;
  for (;;) {
    const leader = await agreedLeader(nodes);
    try {
      await query(leader, sql, params);
      return;
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      if (retried && code === done) return;
      if (Date.now() > deadline || !(retryableCodes.has(code) || code.startsWith('E'))) throw err;
      retried = true;
      await sleep(100);
    }
  }
}

export async function idsOf(server: TestServer, table: string): Promise<number[]> {
  return (await query(server, `SELECT id FROM ${table} ORDER BY id`)).rows.map((r: { id: number }) => Number(r.id));
}

/** Rows `(id, 'item id')` for ids from..to into the tests' `items` table, each on whichever node leads (retried across elections). */
export async function insertItems(nodes: readonly TestServer[], from: number, to: number): Promise<void> {
  for (const id of range(from, to)) await writeOnLeader(nodes, 'INSERT INTO items VALUES ($1, $2)', [id, `item ${id}`], '23505');
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, k) => from + k);
}
