// ALTER TABLE, CREATE INDEX and DROP INDEX on existing tables inside a
// transaction block through node-postgres, the way an ORM's migration runs
// them: another session sees nothing until COMMIT, ROLLBACK leaves the old
// definition and rows, and a restart keeps what committed.
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

async function fields(c: pg.Client, table: string): Promise<string[]> {
  return (await c.query(`SELECT * FROM ${table} LIMIT 0`)).fields.map((f) => f.name);
}

describe('DDL on existing tables in a transaction block (node-postgres)', () => {
  it('is private until COMMIT, undone by ROLLBACK and durable after COMMIT', async () => {
    let server = await startServer();
    started.push(server);
    let a = await client(server.pgPort);
    const b = await client(server.pgPort);
    try {
      await a.query('CREATE TABLE items (id serial PRIMARY KEY, title text NOT NULL, qty int, note text)');
      await a.query('CREATE INDEX items_qty ON items (qty)');
      await a.query("INSERT INTO items (title, qty, note) VALUES ('a', 1, 'x'), ('b', 2, 'y'), ('c', 3, null)");

      // ROLLBACK: the old definition, indexes and rows are intact.
      await a.query('BEGIN');
      await a.query("ALTER TABLE items ADD COLUMN price numeric(10,2) NOT NULL DEFAULT 9.99");
      await a.query('ALTER TABLE items RENAME COLUMN title TO name');
      await a.query('ALTER TABLE items DROP COLUMN note');
      await a.query('DROP INDEX items_qty');
      await a.query('CREATE UNIQUE INDEX items_name ON items (name)');
      await a.query("UPDATE items SET price = 1.50 WHERE name = 'b'");
      expect((await a.query('SELECT id, name, qty, price FROM items ORDER BY id')).rows).toEqual([
        { id: 1, name: 'a', qty: 1, price: '9.99' }, { id: 2, name: 'b', qty: 2, price: '1.50' }, { id: 3, name: 'c', qty: 3, price: '9.99' },
      ]);
      await expect(a.query("INSERT INTO items (name) VALUES ('a')")).rejects.toMatchObject({ code: '23505' });
      await a.query('ROLLBACK');
      expect(await fields(a, 'items')).toEqual(['id', 'title', 'qty', 'note']);
      expect((await a.query('SELECT title, note FROM items WHERE qty = 2')).rows).toEqual([{ title: 'b', note: 'y' }]);
      expect((await a.query("SELECT indexname FROM pg_indexes WHERE tablename = 'items' ORDER BY 1")).rows.map((r: { indexname: string }) => r.indexname))
        .toEqual(['items_pkey', 'items_qty']);

      // COMMIT: others see nothing until then, everything after.
      await a.query('BEGIN');
      await a.query("ALTER TABLE items ADD COLUMN price numeric(10,2) NOT NULL DEFAULT 9.99, ADD COLUMN tag text");
      await a.query('ALTER TABLE items RENAME COLUMN title TO name');
      await a.query('ALTER TABLE items DROP COLUMN note');
      await a.query('ALTER TABLE items ALTER COLUMN qty SET NOT NULL');
      await a.query('ALTER TABLE items ADD CONSTRAINT items_qty_pos CHECK (qty > 0)');
      await a.query('CREATE UNIQUE INDEX items_name ON items (name)');
      await a.query("INSERT INTO items (name, qty, tag) VALUES ('d', 4, 'new')");
      expect(await fields(b, 'items')).toEqual(['id', 'title', 'qty', 'note']);
      expect((await b.query('SELECT count(*)::int AS n FROM items')).rows).toEqual([{ n: 3 }]);
      await a.query('COMMIT');
      expect(await fields(b, 'items')).toEqual(['id', 'name', 'qty', 'price', 'tag']);
      expect((await b.query('SELECT name, price, tag FROM items ORDER BY id')).rows).toEqual([
        { name: 'a', price: '9.99', tag: null }, { name: 'b', price: '9.99', tag: null }, { name: 'c', price: '9.99', tag: null },
        { name: 'd', price: '9.99', tag: 'new' },
      ]);
      // The column store folded the same DDL part and rows: both paths agree.
      const aggregate = 'SELECT count(*)::int AS n, sum(price)::text AS total, count(tag)::int AS tagged, sum(qty)::int AS qty FROM items';
      await b.query("SET thunderdb.read_path = 'row'");
      const byRow = (await b.query(aggregate)).rows;
      expect(byRow).toEqual([{ n: 4, total: '39.96', tagged: 1, qty: 10 }]);
      await b.query("SET thunderdb.read_path = 'column'");
      expect((await b.query(aggregate)).rows).toEqual(byRow);
      await b.query('RESET thunderdb.read_path');
      await expect(b.query("INSERT INTO items (name, qty) VALUES ('a', 1)")).rejects.toMatchObject({ code: '23505' });
      await expect(b.query("INSERT INTO items (name, qty) VALUES ('z', 0)")).rejects.toMatchObject({ code: '23514' });

      // Still refused, never silently committed on its own.
      await a.query('CREATE TABLE nokey (id int)');
      await a.query('BEGIN');
      await expect(a.query('ALTER TABLE nokey ADD PRIMARY KEY (id)')).rejects.toMatchObject({ code: '0A000' });
      await a.query('ROLLBACK');
    } finally {
      await a.end();
      await b.end();
    }

    const dir = server.dir;
    await server.stop();
    started.splice(started.indexOf(server), 1);
    server = await startServer({ dir });
    started.push(server);
    a = await client(server.pgPort);
    try {
      expect(await fields(a, 'items')).toEqual(['id', 'name', 'qty', 'price', 'tag']);
      expect((await a.query("SELECT id, price FROM items WHERE name = 'd'")).rows).toEqual([{ id: 5, price: '9.99' }]); // 4 went to the INSERT that failed (sequences are not transactional)
      await expect(a.query("INSERT INTO items (name, qty) VALUES ('b', 1)")).rejects.toMatchObject({ code: '23505' });
      const [inserted] = (await a.query<{ id: number }>("INSERT INTO items (name, qty) VALUES ('e', 5) RETURNING id")).rows;
      expect(inserted?.id).toBeGreaterThan(5); // never a value a committed row holds
    } finally {
      await a.end();
    }
  }, 120_000);
});
