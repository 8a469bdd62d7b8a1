// The synchronous point-read path (DESIGN.md, "Point reads"): where it
// answers, it must answer exactly as the ordinary path does; where it cannot
// honour the session's state (a transaction block, a stale plan, a read
// barrier due) it must decline, so the ordinary path runs instead.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ReplicatedLog } from '../../log/index.js';
import type { EngineSession, PreparedStatement, StatementResult } from '../engine.js';
import type { SqlValue } from '../types/index.js';
import { failsWith, openTestEngine, rows, run, type TestEngine } from './testing/harness.js';

let t: TestEngine;

beforeAll(async () => {
  t = await openTestEngine();
  const s = t.session();
  await run(s, 'CREATE TABLE acc (aid int PRIMARY KEY, bid int, abalance int, filler text)');
  await run(s, "INSERT INTO acc VALUES (1, 1, 100, 'a'), (2, 1, 200, 'b'), (3, 2, -5, NULL)");
  await run(s, 'CREATE TABLE pair (a int, b text, v int, PRIMARY KEY (a, b))');
  await run(s, "INSERT INTO pair VALUES (1, 'x', 10), (1, 'y', 11)");
});

afterAll(async () => {
  await t.close();
});

function sync(s: EngineSession, p: PreparedStatement, parameters: readonly SqlValue[]): StatementResult | undefined {
  const fast = s.executePreparedSync;
  if (fast === undefined) throw new Error('the engine session offers no synchronous path');
  return fast.call(s, p, parameters);
}

describe('prepared point reads', () => {
  test('answer as executePrepared does: found, missing, NULL and out-of-range keys', async () => {
    const s = t.session();
    const p = s.prepare('SELECT abalance FROM acc WHERE aid = $1', []);
    for (const key of [1, 2, 3, 4, null, 2 ** 40]) {
      const fast = sync(s, p, [key]);
      expect(fast, `key ${key}`).toBeDefined();
      expect(fast).toEqual(await s.executePrepared(p, [key]));
    }
    expect(sync(s, p, [2])).toMatchObject({ kind: 'rows', rows: [[200]], tag: 'SELECT 1' });
    expect(sync(s, p, [9])).toMatchObject({ kind: 'rows', rows: [], tag: 'SELECT 0' });
  });

  test('SELECT *, expressions, a residual filter and a composite key', async () => {
    const s = t.session();
    const cases: [string, readonly SqlValue[]][] = [
      ['SELECT * FROM acc WHERE aid = $1', [3]],
      ['SELECT abalance * 2 + $2, upper(filler) FROM acc WHERE aid = $1', [1, 5]],
      ['SELECT aid FROM acc WHERE aid = $1 AND abalance > $2', [2, 150]],
      ['SELECT aid FROM acc WHERE aid = $1 AND abalance > $2', [2, 250]],
      ['SELECT v FROM pair WHERE a = $1 AND b = $2', [1, 'y']],
    ];
    for (const [sql, parameters] of cases) {
      const p = s.prepare(sql, []);
      const fast = sync(s, p, parameters);
      expect(fast, sql).toBeDefined();
      expect(fast, sql).toEqual(await s.executePrepared(p, parameters));
    }
  });

  test('other plans decline: scans, secondary keys, partial keys', () => {
    const s = t.session();
    for (const sql of ['SELECT aid FROM acc WHERE bid = $1', 'SELECT count(*) FROM acc WHERE aid = $1', 'SELECT v FROM pair WHERE a = $1']) {
      expect(sync(s, s.prepare(sql, []), [1]), sql).toBeUndefined();
    }
  });

  test("see another session's committed writes", async () => {
    const reader = t.session();
    const writer = t.session();
    const p = reader.prepare('SELECT abalance FROM acc WHERE aid = $1', []);
    await run(writer, 'UPDATE acc SET abalance = abalance + 1 WHERE aid = 1');
    const before = (await rows(writer, 'SELECT abalance FROM acc WHERE aid = 1'))[0];
    expect(sync(reader, p, [1])).toMatchObject({ rows: [before] });
  });

  test('inside a READ COMMITTED block, answer with the block\'s own writes; decline in REPEATABLE READ', async () => {
    const s = t.session();
    const p = s.prepare('SELECT abalance FROM acc WHERE aid = $1', []);
    await run(s, 'BEGIN');
    await run(s, 'UPDATE acc SET abalance = 7 WHERE aid = 2');
    expect(sync(s, p, [2])).toMatchObject({ rows: [[7]] });
    expect(await s.executePrepared(p, [2])).toMatchObject({ rows: [[7]] });
    await run(s, 'ROLLBACK');
    expect(sync(s, p, [2])).toMatchObject({ rows: [[200]] });
    await run(s, 'BEGIN ISOLATION LEVEL REPEATABLE READ');
    expect(sync(s, p, [2])).toBeUndefined();
    expect(await s.executePrepared(p, [2])).toMatchObject({ rows: [[200]] });
    await run(s, 'ROLLBACK');
  });

  test('decline after DDL, so the ordinary path reports a changed result type', async () => {
    const s = t.session();
    await run(s, 'CREATE TABLE ddl (k int PRIMARY KEY, v int)');
    await run(s, 'INSERT INTO ddl VALUES (1, 1)');
    const p = s.prepare('SELECT * FROM ddl WHERE k = $1', []);
    expect(sync(s, p, [1])).toMatchObject({ rows: [[1, 1]] });
    await run(s, 'ALTER TABLE ddl ADD COLUMN w int');
    expect(sync(s, p, [1])).toBeUndefined();
    await expect(s.executePrepared(p, [1])).rejects.toMatchObject({ sqlState: '0A000' });
  });

  test('an error while evaluating fails the statement and leaves the session usable', async () => {
    const s = t.session();
    const p = s.prepare('SELECT abalance / (bid - bid) FROM acc WHERE aid = $1', []);
    expect(() => sync(s, p, [1])).toThrow(expect.objectContaining({ sqlState: '22012' }) as Error);
    expect(s.transactionState()).toBe('idle');
    expect(await rows(s, 'SELECT aid FROM acc WHERE aid = 3')).toEqual([[3]]);
  });
});

describe('Parse of the same text again', () => {
  test('reuses the plan while it is current; after DDL a new Parse sees the new shape', async () => {
    const s = t.session();
    await run(s, 'CREATE TABLE again (k int PRIMARY KEY, v int)');
    await run(s, 'INSERT INTO again VALUES (1, 10)');
    const first = s.prepare('SELECT * FROM again WHERE k = $1', []);
    const second = s.prepare('SELECT * FROM again WHERE k = $1', []);
    expect(sync(s, second, [1])).toMatchObject({ rows: [[1, 10]] });
    await run(s, 'ALTER TABLE again ADD COLUMN w int DEFAULT 5');
    await expect(s.executePrepared(first, [1])).rejects.toMatchObject({ sqlState: '0A000' });
    const third = s.prepare('SELECT * FROM again WHERE k = $1', []);
    expect(third.resultColumns?.map((c) => c.name)).toEqual(['k', 'v', 'w']);
    expect(await s.executePrepared(third, [1])).toMatchObject({ rows: [[1, 10, 5]] });
    await run(s, "SET search_path = 'nowhere', public");
    expect(await s.executePrepared(s.prepare('SELECT * FROM again WHERE k = $1', []), [1])).toMatchObject({ rows: [[1, 10, 5]] });
  });
});

describe('simple-query point reads', () => {
  test('answer once the shape is compiled, as executeSimple does', async () => {
    const s = t.session();
    const fast = (sql: string): StatementResult | undefined => s.executeSimpleSync?.(sql);
    // The first text of a shape compiles on the ordinary path.
    expect(fast('SELECT abalance FROM acc WHERE aid = 3')).toBeUndefined();
    const ordinary = await run(s, 'SELECT abalance FROM acc WHERE aid = 3');
    expect(fast('SELECT abalance FROM acc WHERE aid = 3')).toEqual(ordinary);
    expect(fast('SELECT abalance FROM acc WHERE aid = 2')).toMatchObject({ rows: [[200]] });
    expect(fast('SELECT abalance FROM acc WHERE aid = 99')).toMatchObject({ rows: [], tag: 'SELECT 0' });
    await run(s, 'BEGIN');
    expect(fast('SELECT abalance FROM acc WHERE aid = 2')).toMatchObject({ rows: [[200]] });
    await run(s, 'COMMIT');
    expect(fast("SELECT abalance FROM acc WHERE filler = 'a'")).toBeUndefined();
  });

  test('a failed statement leaves no failed state behind', async () => {
    const s = t.session();
    expect((await failsWith(s, 'SELECT abalance / (bid - bid) FROM acc WHERE aid = 1')).sqlState).toBe('22012');
    expect(() => s.executeSimpleSync?.('SELECT abalance / (bid - bid) FROM acc WHERE aid = 2')).toThrow(expect.objectContaining({ sqlState: '22012' }) as Error);
    expect(s.transactionState()).toBe('idle');
  });
});

describe('linearizable reads with several voters', () => {
  let cluster: TestEngine;
  const threeVoters = (log: ReplicatedLog): ReplicatedLog => new Proxy(log, {
    get(target, property) {
      if (property === 'status') return () => ({ ...target.status(), voters: [1, 2, 3] });
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });

  beforeAll(async () => {
    cluster = await openTestEngine({ linearizableReads: true, wrapLog: threeVoters });
    await run(cluster.session(), 'CREATE TABLE kv (k int PRIMARY KEY, v int)');
  });

  afterAll(async () => {
    await cluster.close();
  });

  test('decline, so the read waits for the barrier; local reads need none', async () => {
    const s = cluster.session();
    const p = s.prepare('SELECT v FROM kv WHERE k = $1', []);
    expect(sync(s, p, [1])).toBeUndefined();
    await run(s, "SET thunderdb.read_consistency = 'local'");
    const local = s.prepare('SELECT v FROM kv WHERE k = $1', []);
    expect(sync(s, local, [1])).toMatchObject({ rows: [] });
  });
});
