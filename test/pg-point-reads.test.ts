// Primary-key point reads over the wire, where the server answers them
// synchronously (query/engine-impl/DESIGN.md, "Point reads"): simple,
// unnamed and named prepared statements must see committed writes of other
// sessions, a block's own writes, and fail without harming the session.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { removeDir, startServer, type TestServer } from './helpers/server.js';

let server: TestServer;
let a: pg.Client;
let b: pg.Client;

async function client(): Promise<pg.Client> {
  const c = new pg.Client({ host: '127.0.0.1', port: server.pgPort, user: 'admin', database: 'thunderdb' });
  c.on('error', () => undefined);
  await c.connect();
  return c;
}

/** The same lookup as a simple query, an unnamed extended one and a named prepared one. */
async function balances(c: pg.Client, aid: number): Promise<unknown[]> {
  const simple = await c.query(`SELECT abalance FROM acc WHERE aid = ${aid}`);
  const unnamed = await c.query('SELECT abalance FROM acc WHERE aid = $1', [aid]);
  const named = await c.query({ name: 'balance', text: 'SELECT abalance FROM acc WHERE aid = $1', values: [aid] });
  return [simple.rows, unnamed.rows, named.rows];
}

beforeAll(async () => {
  server = await startServer({ toml: { storage: 'sync_commit = false' } });
  a = await client();
  b = await client();
  await a.query('CREATE TABLE acc (aid int PRIMARY KEY, abalance int, filler text)');
  await a.query("INSERT INTO acc VALUES (1, 100, 'x'), (2, 200, 'y')");
});

afterAll(async () => {
  await a.end();
  await b.end();
  const status = await server.stop();
  removeDir(server.dir);
  expect(status.code).toBe(0);
});


/** The SQLSTATE the statement failed with, undefined when it succeeded. */
async function sqlStateOf(f: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await f();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

describe('point reads over the wire', () => {
  test("see rows, missing rows and another session's commits, in every protocol", async () => {
    // Twice: the first simple text of a shape compiles on the ordinary path, the second takes the fast one.
    for (let i = 0; i < 2; i++) expect(await balances(a, 1)).toEqual([[{ abalance: 100 }], [{ abalance: 100 }], [{ abalance: 100 }]]);
    expect(await balances(a, 3)).toEqual([[], [], []]);
    await b.query('UPDATE acc SET abalance = 150 WHERE aid = 1');
    expect(await balances(a, 1)).toEqual([[{ abalance: 150 }], [{ abalance: 150 }], [{ abalance: 150 }]]);
  });

  test("a block reads its own writes; others do not see them until COMMIT", async () => {
    await a.query('BEGIN');
    await a.query('UPDATE acc SET abalance = 7 WHERE aid = 2');
    expect(await balances(a, 2)).toEqual([[{ abalance: 7 }], [{ abalance: 7 }], [{ abalance: 7 }]]);
    expect(await balances(b, 2)).toEqual([[{ abalance: 200 }], [{ abalance: 200 }], [{ abalance: 200 }]]);
    await a.query('COMMIT');
    expect(await balances(b, 2)).toEqual([[{ abalance: 7 }], [{ abalance: 7 }], [{ abalance: 7 }]]);
  });

  test('an error in a point read fails that statement only, in and out of a block', async () => {
    for (let i = 0; i < 2; i++) {
      expect(await sqlStateOf(() => a.query('SELECT abalance / (aid - aid) FROM acc WHERE aid = 1'))).toBe('22012');
      expect(await sqlStateOf(() => a.query('SELECT abalance / (aid - aid) FROM acc WHERE aid = $1', [1]))).toBe('22012');
      expect(await sqlStateOf(() => a.query({ name: 'div', text: 'SELECT abalance / (aid - aid) FROM acc WHERE aid = $1', values: [1] }))).toBe('22012');
    }
    expect(await balances(a, 2)).toEqual([[{ abalance: 7 }], [{ abalance: 7 }], [{ abalance: 7 }]]);
    await a.query('BEGIN');
    expect(await sqlStateOf(() => a.query({ name: 'div', text: 'SELECT abalance / (aid - aid) FROM acc WHERE aid = $1', values: [2] }))).toBe('22012');
    expect(await sqlStateOf(() => a.query({ name: 'balance', text: 'SELECT abalance FROM acc WHERE aid = $1', values: [2] }))).toBe('25P02');
    await a.query('ROLLBACK');
    expect(await balances(a, 2)).toEqual([[{ abalance: 7 }], [{ abalance: 7 }], [{ abalance: 7 }]]);
  });
});

// In a transaction block, BEGIN and primary-key writes are answered synchronously
// too (query/engine-impl/DESIGN.md, "Point writes").
describe('point writes in a block over the wire', () => {
  test('simple, unnamed and named writes in a block; COMMIT publishes them, a lock held elsewhere is waited for', async () => {
    await a.query('UPDATE acc SET abalance = 0 WHERE aid = 1');
    await a.query('UPDATE acc SET abalance = 0 WHERE aid = 2');
    // Twice: the first text of a shape compiles on the ordinary path, the second takes the synchronous one.
    for (let i = 0; i < 2; i++) {
      await a.query('BEGIN');
      await a.query('UPDATE acc SET abalance = abalance + 1 WHERE aid = 1');
      await a.query('UPDATE acc SET abalance = abalance + $1 WHERE aid = $2', [10, 1]);
      await a.query({ name: 'add', text: 'UPDATE acc SET abalance = abalance + $1 WHERE aid = $2', values: [100, 1] });
      const inserted = await a.query(`INSERT INTO acc (aid, abalance, filler) VALUES (${10 + i}, ${i}, 'new')`);
      expect(inserted.rowCount).toBe(1);
      expect(await balances(a, 1)).toEqual([[{ abalance: 111 * (i + 1) }], [{ abalance: 111 * (i + 1) }], [{ abalance: 111 * (i + 1) }]]);
      expect(await balances(b, 1)).toEqual([[{ abalance: 111 * i }], [{ abalance: 111 * i }], [{ abalance: 111 * i }]]);
      await a.query('COMMIT');
    }
    expect((await b.query('SELECT aid, abalance FROM acc WHERE aid >= 10 ORDER BY aid')).rows).toEqual([{ aid: 10, abalance: 0 }, { aid: 11, abalance: 1 }]);
    // b's block holds row 2: a's write waits for b's COMMIT and then adds to b's value.
    await b.query('BEGIN');
    await b.query('UPDATE acc SET abalance = abalance + 5 WHERE aid = 2');
    await a.query('BEGIN');
    const waiting = a.query('UPDATE acc SET abalance = abalance + 1 WHERE aid = 2');
    await b.query('COMMIT');
    expect((await waiting).rowCount).toBe(1);
    await a.query('COMMIT');
    expect(await balances(b, 2)).toEqual([[{ abalance: 6 }], [{ abalance: 6 }], [{ abalance: 6 }]]);
  });

  test('a failing write fails the block until ROLLBACK, which drops its earlier writes', async () => {
    for (let i = 0; i < 2; i++) {
      await a.query('BEGIN');
      await a.query('UPDATE acc SET abalance = abalance + 1000 WHERE aid = 1');
      expect(await sqlStateOf(() => a.query('UPDATE acc SET abalance = abalance / (aid - aid) WHERE aid = 1'))).toBe('22012');
      expect(await sqlStateOf(() => a.query('UPDATE acc SET abalance = abalance + 1000 WHERE aid = 1'))).toBe('25P02');
      await a.query('ROLLBACK');
    }
    expect(await balances(a, 1)).toEqual([[{ abalance: 222 }], [{ abalance: 222 }], [{ abalance: 222 }]]);
  });
});
