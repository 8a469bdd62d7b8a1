// The forwarding decisions, with a fake local session, a fake cluster and a
// fake leader link (no sockets): what runs here, what goes to the leader, how
// a block is pinned to the leader, and what the client gets when the leader
// is unknown, unreachable, or lost mid-statement.
import { describe, expect, it } from 'vitest';
import type {
  EngineNotice, PreparedStatement, RoutableSession, StatementResult, StatementRoute, TransactionState,
} from '../../../query/engine.js';
import { SqlError, SqlTypes, type SqlType, type SqlValue } from '../../../query/types/index.js';
import { forwardedParameter, forwardingEngine, ForwardingSession, type ForwardingCluster, type LeaderView } from './forwarding-session.js';
import { LinkLostError, type LeaderLink } from './leader-connection.js';

function routeOf(sql: string): StatementRoute {
  if (/^\s*begin/i.test(sql)) return 'begin';
  if (/^\s*execute w/i.test(sql)) return 'write';
  if (/^\s*(insert|update|delete|create)/i.test(sql)) return 'write';
  if (/^\s*(set|commit|rollback)/i.test(sql)) return 'session';
  return 'read';
}

class FakeLocal implements RoutableSession {
  readonly ran: string[] = [];
  readonly settings = new Map<string, string>();
  closed = false;
  async *executeSimple(sql: string): AsyncIterable<StatementResult> {
    await Promise.resolve();
    this.ran.push(sql);
    yield { kind: 'command', tag: `LOCAL ${sql}` };
  }
  prepare(sql: string, parameterTypes: readonly (SqlType | undefined)[]): PreparedStatement {
    return { parameterTypes: parameterTypes.map((t) => t ?? SqlTypes.int4), resultColumns: undefined, sql } as PreparedStatement;
  }
  executePrepared(statement: PreparedStatement): Promise<StatementResult> {
    const sql = (statement as unknown as { sql: string }).sql;
    this.ran.push(sql);
    return Promise.resolve({ kind: 'command', tag: `LOCAL ${sql}` });
  }
  transactionState(): TransactionState {
    return 'idle';
  }
  reportedParameters(): ReadonlyMap<string, string> {
    return new Map([['TimeZone', 'UTC']]);
  }
  takeNotices(): readonly EngineNotice[] {
    return [];
  }
  cancel(): void {}
  close(): void {
    this.closed = true;
  }
  statementRoute(sql: string): StatementRoute {
    return routeOf(sql);
  }
  endsTransactionBlock(sql: string): boolean {
    return /^\s*(commit|rollback)/i.test(sql);
  }
  changedSettings(): ReadonlyMap<string, string> {
    return this.settings;
  }
  readonly writes = new Map<string, string>();
  preparedWrites(): ReadonlyMap<string, string> {
    return this.writes;
  }
}

class FakeLink implements LeaderLink {
  readonly ran: Array<{ sql: string; parameters?: readonly SqlValue[] }> = [];
  state: TransactionState = 'idle';
  lose: LinkLostError | undefined;
  closed = false;
  constructor(readonly leaderId: number, readonly startup: Readonly<Record<string, string>>) {}
  usable(): boolean {
    return !this.closed;
  }
  private step(sql: string): StatementResult {
    if (this.lose !== undefined) throw this.lose;
    if (/^\s*begin/i.test(sql)) this.state = 'inTransaction';
    if (/^\s*(commit|rollback)/i.test(sql)) this.state = 'idle';
    if (/dup/.test(sql)) {
      if (this.state === 'inTransaction') this.state = 'failed';
      throw new SqlError('23505', 'duplicate key value violates unique constraint "t_pkey"');
    }
    return { kind: 'command', tag: `LEADER ${sql}` };
  }
  async *simpleQuery(sql: string): AsyncIterable<StatementResult> {
    await Promise.resolve();
    this.ran.push({ sql });
    yield this.step(sql);
  }
  extendedQuery(sql: string, _types: readonly SqlType[], parameters: readonly SqlValue[]): Promise<StatementResult> {
    this.ran.push({ sql, parameters });
    try {
      return Promise.resolve(this.step(sql));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }
  transactionState(): TransactionState {
    return this.state;
  }
  takeNotices(): EngineNotice[] {
    return [];
  }
  cancel(): void {}
  close(): void {
    this.closed = true;
  }
}

class FakeCluster implements ForwardingCluster {
  view: LeaderView = { self: false, leaderId: 2, pgAddr: '10.0.0.2:5432' };
  readonly links: FakeLink[] = [];
  unreachable = false;
  catchUps = 0;
  leader(): LeaderView {
    return this.view;
  }
  connect(leaderId: number, _pgAddr: string, startup: Readonly<Record<string, string>>): Promise<LeaderLink> {
    if (this.unreachable) return Promise.reject(new LinkLostError(false, 'connect ECONNREFUSED'));
    const link = new FakeLink(leaderId, startup);
    this.links.push(link);
    return Promise.resolve(link);
  }
  catchUp(): Promise<void> {
    this.catchUps++;
    return Promise.resolve();
  }
  cannotForward(leaderId: number, pgAddr: string, why: string): SqlError {
    return new SqlError('25006', `cannot forward to node ${leaderId} ${pgAddr}: ${why}`);
  }
}

async function tags(session: RoutableSession, sql: string): Promise<string[]> {
  const out: string[] = [];
  for await (const r of session.executeSimple(sql)) out.push(r.kind === 'command' ? r.tag : r.kind);
  return out;
}

async function error(promise: Promise<unknown>): Promise<SqlError> {
  return promise.then(() => {
    throw new Error('expected an error');
  }, (err: unknown) => err as SqlError);
}

function setup(): { local: FakeLocal; cluster: FakeCluster; session: ForwardingSession } {
  const local = new FakeLocal();
  const cluster = new FakeCluster();
  const session = new ForwardingSession(local, cluster, { user: 'admin', database: 'thunderdb', parameters: {} });
  return { local, cluster, session };
}

describe('on a follower', () => {
  it('runs reads and session statements here, writes on the leader, then catches up', async () => {
    const { local, cluster, session } = setup();
    expect(await tags(session, 'SELECT 1')).toEqual(['LOCAL SELECT 1']);
    expect(await tags(session, "SET TimeZone = 'UTC'")).toEqual(["LOCAL SET TimeZone = 'UTC'"]);
    expect(await tags(session, 'INSERT INTO t VALUES (1)')).toEqual(['LEADER INSERT INTO t VALUES (1)']);
    expect(local.ran).toEqual(['SELECT 1', "SET TimeZone = 'UTC'"]);
    // Linearizable reads wait for themselves; only read_consistency = local needs the catch-up after a write.
    expect(cluster.catchUps).toBe(0);
    local.settings.set('thunderdb.read_consistency', 'local');
    await tags(session, 'INSERT INTO t VALUES (2)');
    expect(cluster.catchUps).toBe(1);
    local.settings.delete('thunderdb.read_consistency');
    // One link per session, reused (until the settings change); the leader knows the session was forwarded.
    await tags(session, 'UPDATE t SET a = 2');
    expect(cluster.links).toHaveLength(3);
    expect(cluster.links[0]?.startup).toMatchObject({ user: 'admin', database: 'thunderdb', [forwardedParameter]: 'on' });
  });

  it('pins a block to the leader from BEGIN to COMMIT, reads included', async () => {
    const { local, cluster, session } = setup();
    await tags(session, 'BEGIN');
    expect(session.transactionState()).toBe('inTransaction');
    expect(await tags(session, 'SELECT * FROM t')).toEqual(['LEADER SELECT * FROM t']);
    await tags(session, 'COMMIT');
    expect(session.transactionState()).toBe('idle');
    expect(await tags(session, 'SELECT * FROM t')).toEqual(['LOCAL SELECT * FROM t']);
    expect(local.ran).toEqual(['SELECT * FROM t']);
    expect(cluster.links[0]?.ran.map((r) => r.sql)).toEqual(['BEGIN', 'SELECT * FROM t', 'COMMIT']);
  });

  it('passes the leader\'s errors on unchanged; a failed block stays on the leader until ROLLBACK', async () => {
    const { cluster, session } = setup();
    expect(await error(tags(session, 'INSERT dup'))).toMatchObject({ sqlState: '23505' });
    expect(session.transactionState()).toBe('idle');
    await tags(session, 'BEGIN');
    expect(await error(tags(session, 'INSERT dup'))).toMatchObject({ sqlState: '23505' });
    expect(session.transactionState()).toBe('failed');
    await tags(session, 'ROLLBACK');
    expect(session.transactionState()).toBe('idle');
    expect(cluster.links).toHaveLength(1);
  });

  it('knows where the block stands even when the consumer stops reading results early', async () => {
    const { cluster, session } = setup();
    for await (const result of session.executeSimple('BEGIN')) {
      expect(result).toEqual({ kind: 'command', tag: 'LEADER BEGIN' });
      break;
    }
    expect(session.transactionState()).toBe('inTransaction');
    expect(await tags(session, 'SELECT 1')).toEqual(['LEADER SELECT 1']);
    expect(cluster.links).toHaveLength(1);
  });

  it('runs prepared writes on the leader with their parameters, prepared reads here', async () => {
    const { local, cluster, session } = setup();
    const write = session.prepare('INSERT INTO t VALUES ($1)', [undefined]);
    const read = session.prepare('SELECT * FROM t WHERE a = $1', [SqlTypes.int4]);
    expect(write.parameterTypes).toEqual([SqlTypes.int4]);
    expect(await session.executePrepared(write, [7])).toEqual({ kind: 'command', tag: 'LEADER INSERT INTO t VALUES ($1)' });
    expect(await session.executePrepared(read, [7])).toEqual({ kind: 'command', tag: 'LOCAL SELECT * FROM t WHERE a = $1' });
    expect(cluster.links[0]?.ran).toEqual([{ sql: 'INSERT INTO t VALUES ($1)', parameters: [7] }]);
    expect(local.ran).toEqual(['SELECT * FROM t WHERE a = $1']);
  });

  it('defines a SQL-level prepared write on the leader once before forwarding its EXECUTE, again on a new link or text', async () => {
    const { local, cluster, session } = setup();
    local.writes.set('w', 'PREPARE w AS INSERT INTO t VALUES ($1)');
    expect(await tags(session, 'EXECUTE r')).toEqual(['LOCAL EXECUTE r']);
    expect(cluster.links).toHaveLength(0);
    expect(await tags(session, 'EXECUTE w(1)')).toEqual(['LEADER EXECUTE w(1)']);
    expect(await tags(session, 'EXECUTE w(2)')).toEqual(['LEADER EXECUTE w(2)']);
    expect(cluster.links[0]?.ran.map((r) => r.sql)).toEqual(['PREPARE w AS INSERT INTO t VALUES ($1)', 'EXECUTE w(1)', 'EXECUTE w(2)']);
    // Prepared again here under the same name with another body: replaced on the leader.
    local.writes.set('w', 'PREPARE w AS DELETE FROM t WHERE a = $1');
    await tags(session, 'EXECUTE w(3)');
    expect(cluster.links[0]?.ran.map((r) => r.sql).slice(3)).toEqual(['DEALLOCATE "w"; PREPARE w AS DELETE FROM t WHERE a = $1', 'EXECUTE w(3)']);
    // A new link (settings changed) starts with nothing prepared.
    local.settings.set('search_path', 's');
    await tags(session, 'EXECUTE w(4)');
    expect(cluster.links[1]?.ran.map((r) => r.sql)).toEqual(['PREPARE w AS DELETE FROM t WHERE a = $1', 'EXECUTE w(4)']);
  });

  it('reopens the link after a SET (settings replayed at startup) or a leader change', async () => {
    const { local, cluster, session } = setup();
    await tags(session, 'INSERT INTO t VALUES (1)');
    local.settings.set('timezone', 'Europe/Paris');
    await tags(session, 'INSERT INTO t VALUES (2)');
    expect(cluster.links).toHaveLength(2);
    expect(cluster.links[0]?.closed).toBe(true);
    expect(cluster.links[1]?.startup).toMatchObject({ timezone: 'Europe/Paris' });
    cluster.view = { self: false, leaderId: 3, pgAddr: '10.0.0.3:5432' };
    await tags(session, 'INSERT INTO t VALUES (3)');
    expect(cluster.links.map((l) => l.leaderId)).toEqual([2, 2, 3]);
  });
});

describe('Parse against a catalog a moment old', () => {
  it('catches up once after an undefined-table error on a follower, not for other errors, not on the leader', async () => {
    const { cluster, session } = setup();
    expect(await session.catchUpAfterPrepareError(new SqlError('42P01', 'relation "t" does not exist'))).toBe(true);
    expect(cluster.catchUps).toBe(1);
    expect(session.catchUpAfterPrepareError(new SqlError('42601', 'syntax error'))).toBeUndefined();
    cluster.view = { self: true };
    expect(session.catchUpAfterPrepareError(new SqlError('42P01', 'relation "t" does not exist'))).toBeUndefined();
    expect(cluster.catchUps).toBe(1);
  });
});

describe('when forwarding is impossible', () => {
  it('no leader known, or the leader unreachable: 25006, and nothing ran', async () => {
    const { local, cluster, session } = setup();
    cluster.view = { self: false, leaderId: 0, pgAddr: '' };
    expect(await error(tags(session, 'INSERT INTO t VALUES (1)'))).toMatchObject({ sqlState: '25006', message: expect.stringContaining('no leader is known') as unknown });
    cluster.view = { self: false, leaderId: 2, pgAddr: '10.0.0.2:5432' };
    cluster.unreachable = true;
    expect(await error(tags(session, 'INSERT INTO t VALUES (1)'))).toMatchObject({ sqlState: '25006', message: expect.stringContaining('ECONNREFUSED') as unknown });
    expect(local.ran).toEqual([]);
    // Reads go on.
    expect(await tags(session, 'SELECT 1')).toEqual(['LOCAL SELECT 1']);
  });

  it('the link lost mid-block: 40001, then 25P02 until ROLLBACK, and the next block uses a new link', async () => {
    const { cluster, session } = setup();
    await tags(session, 'BEGIN');
    const first = cluster.links[0];
    if (first === undefined) throw new Error('no link');
    first.lose = new LinkLostError(true, 'connection closed');
    expect(await error(tags(session, 'UPDATE t SET a = 1'))).toMatchObject({ sqlState: '40001' });
    expect(session.transactionState()).toBe('failed');
    expect(await error(tags(session, 'SELECT 1'))).toMatchObject({ sqlState: '25P02' });
    expect(await tags(session, 'ROLLBACK')).toEqual(['ROLLBACK']);
    expect(session.transactionState()).toBe('idle');
    await tags(session, 'BEGIN');
    expect(cluster.links).toHaveLength(2);
    expect(first.closed).toBe(true);
  });

  it('a statement in flight on a leader that no longer leads is given up: 40003', async () => {
    const local = new FakeLocal();
    const cluster = new FakeCluster();
    const session = new ForwardingSession(local, cluster, { user: 'admin', database: 'thunderdb', parameters: {} }, 5);
    await tags(session, 'INSERT INTO t VALUES (1)');
    const link = cluster.links[0];
    if (link === undefined) throw new Error('no link');
    // The leader hangs: the statement never answers until the link is closed.
    link.extendedQuery = () => new Promise((_, reject) => {
      link.close = () => reject(new LinkLostError(true, 'closed by this node'));
    });
    const prepared = session.prepare('UPDATE t SET a = $1', [SqlTypes.int4]);
    const pending = error(session.executePrepared(prepared, [1]));
    cluster.view = { self: false, leaderId: 3, pgAddr: '10.0.0.3:5432' };
    expect(await pending).toMatchObject({ sqlState: '40003' });
  });

  it('the link lost during an autocommit write: 40003, its outcome is unknown', async () => {
    const { cluster, session } = setup();
    await tags(session, 'INSERT INTO t VALUES (1)');
    const link = cluster.links[0];
    if (link === undefined) throw new Error('no link');
    link.lose = new LinkLostError(true, 'connection reset');
    expect(await error(tags(session, 'INSERT INTO t VALUES (2)'))).toMatchObject({ sqlState: '40003' });
    expect(session.transactionState()).toBe('idle');
  });
});

describe('on the leader, and for sessions forwarded here', () => {
  it('the leader runs everything itself', async () => {
    const { local, cluster, session } = setup();
    cluster.view = { self: true };
    await tags(session, 'BEGIN');
    await tags(session, 'INSERT INTO t VALUES (1)');
    expect(local.ran).toEqual(['BEGIN', 'INSERT INTO t VALUES (1)']);
    expect(cluster.links).toHaveLength(0);
  });

  it('a session opened by another node\'s forwarding is never forwarded again', () => {
    const local = new FakeLocal();
    const engine = forwardingEngine({ openSession: () => local, databaseExists: () => true }, new FakeCluster());
    expect(engine.openSession({ user: 'admin', database: 'thunderdb', parameters: { [forwardedParameter]: 'on' } })).toBe(local);
    expect(engine.openSession({ user: 'admin', database: 'thunderdb', parameters: {} })).toBeInstanceOf(ForwardingSession);
  });
});
