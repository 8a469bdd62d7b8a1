// Transactional DDL through the real server and node-postgres, the way ORMs
// run migrations: DDL inside BEGIN ... COMMIT is private to the transaction,
// ROLLBACK (and ROLLBACK TO SAVEPOINT) undoes it, COMMIT makes the DDL and
// the rows visible together and durable; DDL a block cannot make
// transactional refuses with 0A000 instead of committing on its own.
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { removeDir, startServer, type TestServer } from './helpers/server.js';

const started: TestServer[] = [];
afterEach(async () => {
  for (const server of started.splice(0)) {
    if (server.child.exitCode === null && server.child.signalCode === null) await server.stop();
    removeDir(server.dir);
  }
});

async function client(port: number): Promise<pg.Client> {
  const c = new pg.Client({ host: '127.0.0.1', port, user: 'admin', database: 'thunderdb' });
  await c.connect();
  return c;
}

async function count(c: pg.Client, table: string): Promise<number> {
  return Number((await c.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n);
}

describe('DDL in a transaction block (node-postgres)', () => {
  it('CREATE TABLE, CREATE INDEX, DROP and TRUNCATE commit with the transaction or not at all', async () => {
    let server = await startServer();
    started.push(server);
    let a = await client(server.pgPort);
    const b = await client(server.pgPort);
    try {
      // ROLLBACK leaves no table.
      await a.query('BEGIN');
      await a.query('CREATE TABLE t (id serial PRIMARY KEY, v text NOT NULL)');
      await a.query("INSERT INTO t (v) VALUES ('a'), ('b')");
      expect(await count(a, 't')).toBe(2);
      await expect(b.query('SELECT * FROM t')).rejects.toMatchObject({ code: '42P01' });
      await a.query('ROLLBACK');
      await expect(a.query('SELECT * FROM t')).rejects.toMatchObject({ code: '42P01' });

      // A migration: schema and data together, invisible until COMMIT.
      await a.query('CREATE TABLE schema_migrations (version text PRIMARY KEY)');
      await a.query('BEGIN');
      await a.query('CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, name text)');
      await a.query('CREATE UNIQUE INDEX users_email ON users (email)');
      await a.query('SAVEPOINT before_extra');
      await a.query('CREATE TABLE scratch (id int)');
      await a.query('ROLLBACK TO SAVEPOINT before_extra');
      await a.query("INSERT INTO users (email, name) VALUES ('ada@x', 'Ada'), ('grace@x', 'Grace')");
      await expect(a.query("INSERT INTO users (email) VALUES ('ada@x')")).rejects.toMatchObject({ code: '23505' });
      await a.query('ROLLBACK');
      await a.query('BEGIN');
      await a.query('CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, name text)');
      await a.query('CREATE UNIQUE INDEX users_email ON users (email)');
      await a.query("INSERT INTO users (email, name) VALUES ('ada@x', 'Ada'), ('grace@x', 'Grace')");
      await a.query("INSERT INTO schema_migrations VALUES ('001')");
      expect(await count(b, 'schema_migrations')).toBe(0);
      await a.query('COMMIT');
      expect((await b.query('SELECT id, name FROM users WHERE email = $1', ['grace@x'])).rows).toEqual([{ id: 2, name: 'Grace' }]);
      expect(await count(b, 'schema_migrations')).toBe(1);
      await expect(b.query('SELECT * FROM scratch')).rejects.toMatchObject({ code: '42P01' });

      // DROP and TRUNCATE in a block: undone by ROLLBACK, applied by COMMIT.
      await a.query('BEGIN');
      await a.query('DROP TABLE schema_migrations');
      await a.query('TRUNCATE users');
      expect(await count(a, 'users')).toBe(0);
      expect(await count(b, 'users')).toBe(2);
      await a.query('ROLLBACK');
      expect(await count(a, 'schema_migrations')).toBe(1);
      expect(await count(a, 'users')).toBe(2);
      await a.query('BEGIN');
      await a.query('TRUNCATE users');
      await a.query("INSERT INTO users (email) VALUES ('new@x')");
      await a.query('COMMIT');
      expect((await b.query('SELECT id, email FROM users')).rows).toEqual([{ id: 3, email: 'new@x' }]);

      // ALTER TABLE of an existing table in a block: private, and undone by ROLLBACK.
      await a.query('BEGIN');
      await a.query('ALTER TABLE users ADD COLUMN age int');
      expect((await a.query('SELECT * FROM users')).fields.map((f) => f.name)).toEqual(['id', 'email', 'name', 'age']);
      expect((await b.query('SELECT * FROM users')).fields.map((f) => f.name)).toEqual(['id', 'email', 'name']);
      await a.query('ROLLBACK');
      expect((await b.query('SELECT * FROM users')).fields.map((f) => f.name)).toEqual(['id', 'email', 'name']);
    } finally {
      await a.end();
      await b.end();
    }

    // Durable: a restart replays the compound entries to the same state.
    const dir = server.dir;
    await server.stop();
    started.splice(started.indexOf(server), 1);
    server = await startServer({ dir });
    started.push(server);
    a = await client(server.pgPort);
    try {
      expect((await a.query('SELECT id, email FROM users')).rows).toEqual([{ id: 3, email: 'new@x' }]);
      expect(await count(a, 'schema_migrations')).toBe(1);
      expect((await a.query("INSERT INTO users (email) VALUES ('after@x') RETURNING id")).rows).toEqual([{ id: 4 }]);
      await expect(a.query('SELECT * FROM t')).rejects.toMatchObject({ code: '42P01' });
    } finally {
      await a.end();
    }
  }, 120_000);
});
