// The PostgreSQL listener with real clients: node-postgres, postgres.js and
// psql, over TCP, against the fake engine. SCRAM for all three, refusals,
// cancel, bad input that must cost only its own connection, shutdown.
import { execFile } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import postgres from 'postgres';
import { pino } from 'pino';
import { Parser } from 'pg-protocol/dist/parser.js';
import type { BackendMessage } from 'pg-protocol/dist/messages.js';
import { serialize } from 'pg-protocol/dist/serializer.js';
import { deriveScramVerifier, formatScramVerifier, startPgServer, type PgServer } from '../protocols/pg/index.js';
import { FakeEngine } from '../protocols/pg/session/testing/fake-engine.js';

const host = '127.0.0.1';
const password = 's3cret';
const logger = pino({ level: 'silent' });

let engine: FakeEngine;
let server: PgServer;
let trustServer: PgServer;
let maxConnections = 50;

beforeAll(async () => {
  engine = new FakeEngine();
  server = await startPgServer({
    host, port: 0, engine, logger, maxConnections: () => maxConnections,
    authentication: { enabled: true, superuser: 'admin', password },
  });
  trustServer = await startPgServer({
    host, port: 0, engine, logger, maxConnections: () => 50, authentication: { enabled: false, superuser: 'admin' },
  });
});

afterAll(async () => {
  await server.close();
  await trustServer.close();
});

async function pgClient(options: pg.ClientConfig = {}): Promise<pg.Client> {
  const client = new pg.Client({ host, port: server.port, user: 'admin', password, database: 'thunderdb', ...options });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

function postgresJs(options: postgres.Options<Record<string, postgres.PostgresType>> = {}): postgres.Sql {
  return postgres({ host, port: server.port, user: 'admin', password, database: 'thunderdb', onnotice: () => undefined, ...options });
}

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function psql(args: readonly string[], secret = password): Promise<Run> {
  return new Promise((resolve) => {
    execFile('psql', ['-X', '-h', host, '-p', String(server.port), '-U', 'admin', '-d', 'thunderdb', ...args],
      { env: { ...process.env, PGPASSWORD: secret, PGCONNECT_TIMEOUT: '10' }, timeout: 20_000 },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr }));
  });
}

/** A client that speaks raw bytes, to send what no driver would. */
class RawClient {
  readonly messages: BackendMessage[] = [];
  closed = false;
  private readonly parser = new Parser();
  private wake: () => void = () => undefined;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk) => {
      this.parser.parse(chunk, (m) => this.messages.push(m));
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static async open(port: number): Promise<RawClient> {
    const socket = connect(port, host);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    return new RawClient(socket);
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Waits until `done` holds (or the socket closes); returns the messages so far. */
  async until(done: (messages: readonly BackendMessage[]) => boolean, timeoutMs = 5_000): Promise<BackendMessage[]> {
    const deadline = Date.now() + timeoutMs;
    while (!done(this.messages) && !this.closed && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, 50);
      });
    }
    return this.messages;
  }

  end(): void {
    this.socket.destroy();
  }
}

const readyCount = (messages: readonly BackendMessage[]): number => messages.filter((m) => m.name === 'readyForQuery').length;
const errorIn = (messages: readonly BackendMessage[]): Record<string, unknown> =>
  (messages.find((m) => m.name === 'error') ?? {}) as unknown as Record<string, unknown>;

describe('node-postgres', () => {
  it('runs simple and parameterised queries after SCRAM', async () => {
    const client = await pgClient();
    expect((await client.query('select * from users order by id')).rows.slice(0, 2)).toEqual([{ id: 1, name: 'alice' }, { id: 2, name: 'bob' }]);
    const params = await client.query('select $1::int4 as a, $2::text as b, $3::bytea as c', [42, 'x', Buffer.from([1, 2])]);
    expect(params.rows).toEqual([{ a: 42, b: 'x', c: Buffer.from([1, 2]) }]);
    expect((await client.query('select * from users where id = $1', [2])).rows).toEqual([{ id: 2, name: 'bob' }]);
    await client.end();
  });

  it('reports SQL errors with their fields and stays usable; tracks transactions', async () => {
    const client = await pgClient();
    await expect(client.query("select fail('22012', 'division by zero')")).rejects.toMatchObject({ code: '22012', message: 'division by zero', position: '8' });
    await client.query('begin');
    await expect(client.query("select fail('23505', 'duplicate')")).rejects.toMatchObject({ code: '23505' });
    await expect(client.query('select 1')).rejects.toMatchObject({ code: '25P02' });
    await client.query('rollback');
    expect((await client.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
    await client.end();
  });

  it('reads binary results (binary: true) for the common types', async () => {
    // node-postgres supports `binary` but @types/pg does not declare it.
    const client = await pgClient({ binary: true } as pg.ClientConfig);
    const [row] = (await client.query('select * from types')).rows as Record<string, unknown>[];
    expect(row).toMatchObject({
      bool: true, int2: -12, int4: 123456, int8: '9007199254740993', float4: 1.5, float8: -2.25, text: 'héllo wörld',
      int4_array: [1, null, 3],
    });
    expect(Number(row?.['numeric'])).toBe(12345.6789);
    expect((row?.['timestamptz'] as Date).toISOString()).toBe('2024-02-29T12:34:56.789Z');
    await client.end();
  });

  it('refuses a wrong password, a missing database, and clients over max_connections', async () => {
    await expect(pgClient({ password: 'wrong' })).rejects.toMatchObject({ code: '28P01', message: 'password authentication failed for user "admin"' });
    await expect(pgClient({ user: 'mallory' })).rejects.toMatchObject({ code: '28P01', message: 'password authentication failed for user "mallory"' });
    await expect(pgClient({ database: 'nope' })).rejects.toMatchObject({ code: '3D000', message: 'database "nope" does not exist' });
    const holder = await pgClient();
    maxConnections = server.connectionCount();
    try {
      await expect(pgClient()).rejects.toMatchObject({ code: '53300', message: 'sorry, too many clients already' });
    } finally {
      maxConnections = 50;
    }
    const after = await pgClient();
    await after.end();
    await holder.end();
  });

  it('logs in against a stored SCRAM verifier', async () => {
    const passwordHash = formatScramVerifier(deriveScramVerifier('from a hash', Buffer.from('sixteen byte salt')));
    const hashed = await startPgServer({
      host, port: 0, engine, logger, maxConnections: () => 5, authentication: { enabled: true, superuser: 'admin', passwordHash },
    });
    try {
      const client = new pg.Client({ host, port: hashed.port, user: 'admin', password: 'from a hash', database: 'thunderdb' });
      await client.connect();
      expect((await client.query('select 2 as two')).rows).toEqual([{ two: 2 }]);
      await client.end();
    } finally {
      await hashed.close();
    }
  });
});

describe('postgres.js', () => {
  it('runs parameterised queries, reusing its named prepared statements', async () => {
    const sql = postgresJs({ max: 1 });
    expect([...await sql`select * from users where id = ${1}`]).toEqual([{ id: 1, name: 'alice' }]);
    const session = engine.sessions.at(-1);
    const prepared = session?.prepareCount ?? 0;
    expect([...await sql`select * from users where id = ${2}`]).toEqual([{ id: 2, name: 'bob' }]);
    expect(session?.prepareCount).toBe(prepared);
    const [row] = await sql`select * from types`;
    expect(row).toMatchObject({
      bool: true, int2: -12, int4: 123456, float8: -2.25, text: 'héllo wörld', uuid: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
      bytea: Buffer.from('deadbeef', 'hex'), jsonb: { a: 1, b: true },
    });
    await expect(sql`select fail('42P01', 'relation "x" does not exist')`).rejects.toMatchObject({ code: '42P01' });
    await sql.end();
  });

  it('cancels a running statement with a CancelRequest', async () => {
    const sql = postgresJs({ max: 1 });
    await sql`select 1`;
    const slow = sql`select sleep(10000)`.execute();
    // Observe the outcome at once: the rejection can arrive while cancel() is awaited.
    const outcome = slow.then(() => undefined, (err: unknown) => err);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    await slow.cancel();
    expect(await outcome).toMatchObject({ code: '57014' });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect([...await sql`select 3 as three`]).toEqual([{ three: 3 }]);
    await sql.end();
  });

  it('is refused with a wrong password', async () => {
    const sql = postgresJs({ password: 'wrong', max: 1 });
    await expect(sql`select 1`).rejects.toMatchObject({ code: '28P01' });
    await sql.end();
  });
});

describe('psql', () => {
  it('connects with SCRAM and prints a result', async () => {
    const run = await psql(['-c', 'select * from users where id = 1']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain(' id | name');
    expect(run.stdout).toContain('  1 | alice');
    expect(run.stdout).toContain('(1 row)');
  });

  it('shows SQL errors and a wrong password', async () => {
    const failing = await psql(['-c', "select fail('22012', 'division by zero')"]);
    expect(failing.code).toBe(1);
    expect(failing.stderr).toContain('ERROR:  division by zero');
    const refused = await psql(['-c', 'select 1'], 'wrong');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('password authentication failed for user "admin"');
  });
});

describe('bad input costs only its own connection', () => {
  async function trustedRaw(): Promise<RawClient> {
    const raw = await RawClient.open(trustServer.port);
    raw.write(serialize.startup({ user: 'admin', database: 'thunderdb' }));
    await raw.until((m) => readyCount(m) === 1);
    return raw;
  }

  function frame(type: string, body: Buffer): Buffer {
    const header = Buffer.alloc(5);
    header.write(type, 0, 'latin1');
    header.writeInt32BE(body.length + 4, 1);
    return Buffer.concat([header, body]);
  }

  let witness: pg.Client;
  beforeAll(async () => {
    witness = await pgClient();
  });
  afterAll(async () => {
    await witness.end();
  });

  async function witnessWorks(): Promise<void> {
    expect((await witness.query('select 7 as seven')).rows).toEqual([{ seven: 7 }]);
  }

  it('garbage instead of a startup packet: FATAL, closed', async () => {
    const raw = await RawClient.open(trustServer.port);
    raw.write(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    const messages = await raw.until(() => false);
    expect(raw.closed).toBe(true);
    expect(errorIn(messages)).toMatchObject({ severity: 'FATAL', code: '54000' });
    await witnessWorks();
  });

  it('a huge length: FATAL 54000 before any of it is buffered, closed', async () => {
    const raw = await trustedRaw();
    raw.write(Buffer.from([0x51, 0x7f, 0xff, 0xff, 0xff]));
    const messages = await raw.until(() => false);
    expect(raw.closed).toBe(true);
    expect(errorIn(messages)).toMatchObject({ severity: 'FATAL', code: '54000' });
    await witnessWorks();
  });

  it('an unknown message type: FATAL 08P01, closed', async () => {
    const raw = await trustedRaw();
    raw.write(Buffer.from('z\0\0\0\x04'));
    const messages = await raw.until(() => false);
    expect(raw.closed).toBe(true);
    expect(errorIn(messages)).toMatchObject({ severity: 'FATAL', code: '08P01', message: 'invalid frontend message type 122' });
    await witnessWorks();
  });

  it('invalid UTF-8 in a query: ERROR 22021, and the connection goes on', async () => {
    const raw = await trustedRaw();
    raw.write(frame('Q', Buffer.from([0x73, 0x65, 0x6c, 0xff, 0xfe, 0x00])));
    await raw.until((m) => readyCount(m) === 2);
    expect(errorIn(raw.messages)).toMatchObject({ severity: 'ERROR', code: '22021' });
    raw.write(serialize.query('select 1'));
    const messages = await raw.until((m) => readyCount(m) === 3);
    expect(messages.some((m) => m.name === 'dataRow')).toBe(true);
    expect(raw.closed).toBe(false);
    raw.end();
    await witnessWorks();
  });

  it('a 10 MB statement: the engine refuses it, the client carries on', async () => {
    const client = await pgClient();
    await expect(client.query(`select ${'x'.repeat(10 * 1024 * 1024)}`)).rejects.toMatchObject({ code: '42601' });
    expect((await client.query('select 8 as eight')).rows).toEqual([{ eight: 8 }]);
    await client.end();
    await witnessWorks();
  });

  it('a client that vanishes mid-statement', async () => {
    const raw = await trustedRaw();
    raw.write(serialize.query('select sleep(200)'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    raw.end();
    await witnessWorks();
  });
});

describe('listener lifecycle', () => {
  it('refuses a port in use with EADDRINUSE', async () => {
    await expect(startPgServer({
      host, port: server.port, engine, logger, maxConnections: () => 5, authentication: { enabled: false, superuser: 'admin' },
    })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });

  it('drops a client that does not finish authenticating in time', async () => {
    const strict = await startPgServer({
      host, port: 0, engine, logger, maxConnections: () => 5, authenticationTimeoutMs: 100,
      authentication: { enabled: true, superuser: 'admin', password },
    });
    const raw = await RawClient.open(strict.port);
    raw.write(serialize.startup({ user: 'admin', database: 'thunderdb' }));
    const messages = await raw.until(() => false);
    expect(raw.closed).toBe(true);
    expect(messages.map((m) => m.name)).toEqual(['authenticationSASL', 'error']);
    expect(errorIn(messages)).toMatchObject({ severity: 'FATAL', code: '57014', message: 'canceling authentication due to timeout' });
    await strict.close();
  });

  it('on close: running statements finish, then every session gets FATAL 57P01', async () => {
    const closing = await startPgServer({
      host, port: 0, engine, logger, maxConnections: () => 5, shutdownGraceMs: 2_000,
      authentication: { enabled: false, superuser: 'admin' },
    });
    const errors: unknown[] = [];
    const connectTo = async (): Promise<pg.Client> => {
      const client = new pg.Client({ host, port: closing.port, user: 'admin', database: 'thunderdb' });
      client.on('error', (error) => errors.push(error));
      await client.connect();
      return client;
    };
    const idle = await connectTo();
    const busy = await connectTo();
    expect(closing.connectionCount()).toBe(2);
    const running = busy.query('select sleep(300)');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await closing.close();
    expect((await running).rows).toEqual([{ sleep: 300 }]);
    // node-postgres reports the FATAL, then the connection ending, on each client.
    const fatal = errors.filter((e) => (e as { code?: string }).code === '57P01');
    expect(fatal).toHaveLength(2);
    expect(fatal[0]).toMatchObject({ message: 'terminating connection due to administrator command' });
    expect(closing.connectionCount()).toBe(0);
    void idle.end().catch(() => undefined);
    void busy.end().catch(() => undefined);
  });

  it('on close: a statement still running after the grace period is cut short', async () => {
    const closing = await startPgServer({
      host, port: 0, engine, logger, maxConnections: () => 5, shutdownGraceMs: 100,
      authentication: { enabled: false, superuser: 'admin' },
    });
    const client = new pg.Client({ host, port: closing.port, user: 'admin', database: 'thunderdb' });
    client.on('error', () => undefined);
    await client.connect();
    // Settle the query's outcome as soon as it happens: it rejects while
    // close() is still being awaited, and must not count as unhandled.
    const running = client.query('select sleep(10000)').then(() => undefined, (err: unknown) => err);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await closing.close();
    expect(await running).toMatchObject({ code: '57P01' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
