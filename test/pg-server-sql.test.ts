// SQL through the real server: bin/thunderdb on free ports, driven by real
// PostgreSQL clients (psql, node-postgres, postgres.js), including restart and
// kill -9 durability of acknowledged rows.
import { spawnSync } from 'node:child_process';
import pg from 'pg';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { serversStoppedAfterEach } from './helpers/server.js';

const start = serversStoppedAfterEach();

function psql(port: number, sql: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('psql', ['-X', '-h', '127.0.0.1', '-p', String(port), '-U', 'admin', '-d', 'thunderdb', '-v', 'ON_ERROR_STOP=1', '-Atc', sql], {
    encoding: 'utf8',
    env: { ...process.env, PGCONNECT_TIMEOUT: '10' },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

async function client(port: number): Promise<pg.Client> {
  const c = new pg.Client({ host: '127.0.0.1', port, user: 'admin', database: 'thunderdb' });
  await c.connect();
  return c;
}

describe('SQL over the PostgreSQL protocol', () => {
  it('runs DDL, DML and queries from psql', async () => {
    const server = await start();
    expect(psql(server.pgPort, 'CREATE TABLE accounts (id integer PRIMARY KEY, owner text NOT NULL, balance numeric(12,2) DEFAULT 0)').status).toBe(0);
    expect(psql(server.pgPort, "INSERT INTO accounts VALUES (1, 'ada', 10.50), (2, 'grace', 20), (3, 'linus', 0)").stdout.trim()).toBe('INSERT 0 3');
    expect(psql(server.pgPort, 'SELECT owner, balance FROM accounts WHERE balance > 5 ORDER BY id').stdout).toBe('ada|10.50\ngrace|20.00\n');
    expect(psql(server.pgPort, 'SELECT count(*), sum(balance) FROM accounts').stdout).toBe('3|30.50\n');
    const duplicate = psql(server.pgPort, "INSERT INTO accounts VALUES (1, 'again', 1)");
    expect(duplicate.status).not.toBe(0);
    expect(duplicate.stderr).toContain('duplicate key value violates unique constraint');
  });

  it('keeps a session usable after an error and reports SQLSTATEs', async () => {
    const server = await start();
    const c = await client(server.pgPort);
    try {
      await expect(c.query('SELECT * FROM missing_table')).rejects.toMatchObject({ code: '42P01' });
      await expect(c.query('SELECT 1/0')).rejects.toMatchObject({ code: '22012' });
      await expect(c.query('SELEC 1')).rejects.toMatchObject({ code: '42601' });
      expect((await c.query('SELECT 1 + 1 AS two')).rows).toEqual([{ two: 2 }]);
      await c.query('BEGIN');
      await expect(c.query('SELECT 1/0')).rejects.toMatchObject({ code: '22012' });
      await expect(c.query('SELECT 1')).rejects.toMatchObject({ code: '25P02' });
      await c.query('ROLLBACK');
      expect((await c.query('SELECT 2 AS n')).rows).toEqual([{ n: 2 }]);
    } finally {
      await c.end();
    }
  });

  it('commits and rolls back transactions, with parameters (extended protocol)', async () => {
    const server = await start();
    const c = await client(server.pgPort);
    try {
      await c.query('CREATE TABLE kv (k text PRIMARY KEY, v integer)');
      await c.query('BEGIN');
      await c.query('INSERT INTO kv VALUES ($1, $2)', ['a', 1]);
      await c.query('ROLLBACK');
      await c.query('BEGIN');
      await c.query('INSERT INTO kv VALUES ($1, $2)', ['b', 2]);
      await c.query('UPDATE kv SET v = v + $1 WHERE k = $2', [40, 'b']);
      await c.query('COMMIT');
      expect((await c.query('SELECT k, v FROM kv ORDER BY k')).rows).toEqual([{ k: 'b', v: 42 }]);
      const sql = postgres({ host: '127.0.0.1', port: server.pgPort, user: 'admin', database: 'thunderdb', max: 2, fetch_types: false });
      try {
        expect([...await sql`SELECT v FROM kv WHERE k = ${'b'}`]).toEqual([{ v: 42 }]);
      } finally {
        await sql.end();
      }
    } finally {
      await c.end();
    }
  });

  it('keeps committed rows across a clean restart and across kill -9', async () => {
    const first = await start();
    expect(psql(first.pgPort, 'CREATE TABLE events (id integer PRIMARY KEY, note text)').status).toBe(0);
    expect(psql(first.pgPort, "INSERT INTO events VALUES (1, 'before restart')").status).toBe(0);
    expect((await first.stop()).code).toBe(0);
    const second = await start({ dir: first.dir });
    expect(psql(second.pgPort, 'SELECT note FROM events').stdout).toBe('before restart\n');
    // A stream of acknowledged inserts, then SIGKILL mid-stream.
    const c = await client(second.pgPort);
    c.on('error', () => undefined);
    const acknowledged: number[] = [];
    const writer = (async () => {
      for (let id = 2; id < 100_000; id++) {
        await c.query('INSERT INTO events VALUES ($1, $2)', [id, `row ${id}`]);
        acknowledged.push(id);
      }
    })().catch(() => undefined);
    while (acknowledged.length < 300) await new Promise((resolve) => setTimeout(resolve, 10));
    second.signal('SIGKILL');
    await writer;
    const third = await start({ dir: first.dir });
    const rows = psql(third.pgPort, 'SELECT id FROM events ORDER BY id').stdout.trim().split('\n').map(Number);
    const present = new Set(rows);
    for (const id of acknowledged) expect(present.has(id), `acknowledged row ${id}`).toBe(true);
    expect(present.has(1)).toBe(true);
  });
});
