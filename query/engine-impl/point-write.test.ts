// The synchronous path inside a transaction block (DESIGN.md, "Point
// writes"): BEGIN, primary-key UPDATEs, one-row INSERTs and point reads run
// in one call when nothing has to wait. Where it answers it must do what the
// ordinary path does (same rows, same errors, same failed block); where a
// lock is taken, a row is not in memory or a check must read, it must
// decline having changed nothing, so the ordinary path waits or reports.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { EngineSession, PreparedStatement, StatementResult } from '../engine.js';
import type { SqlValue } from '../types/index.js';
import { failsWith, openTestEngine, rows, run, type TestEngine } from './testing/harness.js';

let t: TestEngine;

beforeAll(async () => {
  t = await openTestEngine();
  const s = t.session();
  await run(s, 'CREATE TABLE acc (aid int PRIMARY KEY, bid int, abalance int NOT NULL, filler text, CHECK (abalance > -1000))');
  await run(s, 'CREATE TABLE hist (aid int, delta int, at timestamp)');
  await run(s, 'CREATE TABLE uniq (k int PRIMARY KEY, u int UNIQUE)');
});

beforeEach(async () => {
  const s = t.session();
  await run(s, 'DELETE FROM acc');
  await run(s, 'DELETE FROM hist');
  await run(s, "INSERT INTO acc VALUES (1, 1, 100, 'a'), (2, 1, 200, 'b'), (3, 2, 300, NULL)");
  s.close();
});

afterAll(async () => {
  await t.close();
});

function fast(s: EngineSession, sql: string): StatementResult | undefined {
  const sync = s.executeSimpleSync;
  if (sync === undefined) throw new Error('the engine session offers no synchronous path');
  return sync.call(s, sql);
}

/** Runs `sql` once on the ordinary path (compiling its shape), so the next text of that shape may take the synchronous one. */
async function warm(s: EngineSession, sql: string): Promise<StatementResult> {
  return run(s, sql);
}

describe('simple-query statements in a block', () => {
  test('BEGIN, UPDATE, SELECT and INSERT answer synchronously and see the block\'s writes; COMMIT publishes them', async () => {
    const s = t.session();
    const other = t.session();
    expect(fast(s, 'BEGIN')).toEqual({ kind: 'command', tag: 'BEGIN' });
    expect(s.transactionState()).toBe('inTransaction');
    await warm(s, 'UPDATE acc SET abalance = abalance + 1 WHERE aid = 3');
    await warm(s, 'SELECT abalance FROM acc WHERE aid = 3');
    await warm(s, 'INSERT INTO hist (aid, delta, at) VALUES (3, 1, CURRENT_TIMESTAMP)');
    expect(fast(s, 'UPDATE acc SET abalance = abalance + 5 WHERE aid = 1')).toEqual({ kind: 'command', tag: 'UPDATE 1' });
    expect(fast(s, 'UPDATE acc SET abalance = abalance + 5 WHERE aid = 1')).toEqual({ kind: 'command', tag: 'UPDATE 1' });
    expect(fast(s, 'SELECT abalance FROM acc WHERE aid = 1')).toMatchObject({ rows: [[110]], tag: 'SELECT 1' });
    expect(fast(s, 'UPDATE acc SET abalance = abalance + 5 WHERE aid = 42')).toEqual({ kind: 'command', tag: 'UPDATE 0' });
    expect(fast(s, 'INSERT INTO hist (aid, delta, at) VALUES (1, 10, CURRENT_TIMESTAMP)')).toEqual({ kind: 'command', tag: 'INSERT 0 1' });
    // The ordinary path in the same block sees the same state.
    expect(await rows(s, 'SELECT aid, abalance FROM acc ORDER BY aid')).toEqual([[1, 110], [2, 200], [3, 301]]);
    expect(await rows(s, 'SELECT aid, delta, at = now() FROM hist ORDER BY aid')).toEqual([[1, 10, true], [3, 1, true]]);
    // Nobody else sees them before COMMIT.
    expect(await rows(other, 'SELECT abalance FROM acc WHERE aid = 1')).toEqual([[100]]);
    expect(await rows(other, 'SELECT count(*) FROM hist')).toEqual([[0n]]);
    await run(s, 'COMMIT');
    expect(await rows(other, 'SELECT aid, abalance FROM acc ORDER BY aid')).toEqual([[1, 110], [2, 200], [3, 301]]);
    expect(await rows(other, 'SELECT count(*) FROM hist')).toEqual([[2n]]);
  });

  test('ROLLBACK drops what the synchronous statements wrote', async () => {
    const s = t.session();
    await warm(s, 'UPDATE acc SET abalance = abalance + 1 WHERE aid = 3');
    await warm(s, 'INSERT INTO hist (aid, delta, at) VALUES (3, 1, CURRENT_TIMESTAMP)');
    fast(s, 'BEGIN');
    expect(fast(s, 'UPDATE acc SET abalance = abalance + 7 WHERE aid = 2')).toMatchObject({ tag: 'UPDATE 1' });
    expect(fast(s, 'INSERT INTO hist (aid, delta, at) VALUES (2, 7, CURRENT_TIMESTAMP)')).toMatchObject({ tag: 'INSERT 0 1' });
    await run(s, 'ROLLBACK');
    expect(await rows(s, 'SELECT abalance FROM acc WHERE aid = 2')).toEqual([[200]]);
    expect(await rows(s, 'SELECT count(*) FROM hist')).toEqual([[1n]]);
  });

  test('decline outside a block, in REPEATABLE READ and in a read-only block (which then reports 25006)', async () => {
    const s = t.session();
    await warm(s, 'UPDATE acc SET abalance = abalance + 0 WHERE aid = 3');
    expect(fast(s, 'UPDATE acc SET abalance = abalance + 1 WHERE aid = 1')).toBeUndefined();
    await run(s, 'BEGIN ISOLATION LEVEL REPEATABLE READ');
    expect(fast(s, 'UPDATE acc SET abalance = abalance + 1 WHERE aid = 1')).toBeUndefined();
    await run(s, 'ROLLBACK');
    await run(s, 'BEGIN READ ONLY');
    expect(fast(s, 'UPDATE acc SET abalance = abalance + 1 WHERE aid = 1')).toBeUndefined();
    expect((await failsWith(s, 'UPDATE acc SET abalance = abalance + 1 WHERE aid = 1')).sqlState).toBe('25006');
    await run(s, 'ROLLBACK');
    expect(await rows(s, 'SELECT abalance FROM acc WHERE aid = 1')).toEqual([[100]]);
  });

  test('an error fails the block: 25P02 until ROLLBACK, and nothing of the block is kept', async () => {
    const s = t.session();
    await warm(s, 'UPDATE acc SET abalance = abalance + 1 WHERE aid = 3');
    await warm(s, 'UPDATE acc SET abalance = abalance - 1 WHERE aid = 3');
    fast(s, 'BEGIN');
    expect(fast(s, 'UPDATE acc SET abalance = abalance + 1 WHERE aid = 1')).toMatchObject({ tag: 'UPDATE 1' });
    // The CHECK constraint, raised by the synchronous path with PostgreSQL's words.
    expect(() => fast(s, 'UPDATE acc SET abalance = abalance - 5000 WHERE aid = 2')).toThrow(
      expect.objectContaining({ sqlState: '23514', message: 'new row for relation "acc" violates check constraint "acc_abalance_check"' }) as Error,
    );
    expect(s.transactionState()).toBe('failed');
    expect(fast(s, 'UPDATE acc SET abalance = abalance + 1 WHERE aid = 1')).toBeUndefined();
    expect((await failsWith(s, 'UPDATE acc SET abalance = abalance + 1 WHERE aid = 1')).sqlState).toBe('25P02');
    await run(s, 'ROLLBACK');
    expect(s.transactionState()).toBe('idle');
    expect(await rows(s, 'SELECT aid, abalance FROM acc ORDER BY aid')).toEqual([[1, 100], [2, 200], [3, 300]]);
  });

  test('a duplicate primary key declines, and the ordinary path reports 23505', async () => {
    const s = t.session();
    await warm(s, "INSERT INTO acc (aid, bid, abalance, filler) VALUES (10, 1, 0, 'x')");
    fast(s, 'BEGIN');
    expect(fast(s, "INSERT INTO acc (aid, bid, abalance, filler) VALUES (11, 1, 0, 'x')")).toMatchObject({ tag: 'INSERT 0 1' });
    expect(fast(s, "INSERT INTO acc (aid, bid, abalance, filler) VALUES (11, 1, 0, 'x')")).toBeUndefined();
    expect(fast(s, "INSERT INTO acc (aid, bid, abalance, filler) VALUES (2, 1, 0, 'x')")).toBeUndefined();
    expect((await failsWith(s, "INSERT INTO acc (aid, bid, abalance, filler) VALUES (2, 1, 0, 'x')")).sqlState).toBe('23505');
    await run(s, 'ROLLBACK');
    expect(await rows(s, 'SELECT count(*) FROM acc')).toEqual([[4n]]);
  });

  test('a table with a unique secondary index takes the ordinary path', async () => {
    const s = t.session();
    await warm(s, 'INSERT INTO uniq (k, u) VALUES (1, 1)');
    fast(s, 'BEGIN');
    expect(fast(s, 'INSERT INTO uniq (k, u) VALUES (2, 2)')).toBeUndefined();
    await run(s, 'ROLLBACK');
  });
});

describe('locks', () => {
  test('a row locked by another block declines without queueing; the ordinary path waits and sees the other commit', async () => {
    const a = t.session();
    const b = t.session();
    for (const s of [a, b]) await warm(s, 'UPDATE acc SET abalance = abalance + 0 WHERE aid = 3');
    fast(a, 'BEGIN');
    fast(b, 'BEGIN');
    expect(fast(a, 'UPDATE acc SET abalance = abalance + 10 WHERE aid = 1')).toMatchObject({ tag: 'UPDATE 1' });
    expect(fast(b, 'UPDATE acc SET abalance = abalance + 20 WHERE aid = 1')).toBeUndefined();
    const waiting = run(b, 'UPDATE acc SET abalance = abalance + 20 WHERE aid = 1');
    await run(a, 'COMMIT');
    expect(await waiting).toMatchObject({ tag: 'UPDATE 1' });
    await run(b, 'COMMIT');
    // Neither increment is lost.
    expect(await rows(a, 'SELECT abalance FROM acc WHERE aid = 1')).toEqual([[130]]);
  });

  test('deadlocks between blocks that wrote synchronously are still detected (40P01)', async () => {
    const a = t.session();
    const b = t.session();
    for (const s of [a, b]) await warm(s, 'UPDATE acc SET abalance = abalance + 0 WHERE aid = 3');
    fast(a, 'BEGIN');
    fast(b, 'BEGIN');
    expect(fast(a, 'UPDATE acc SET abalance = abalance + 1 WHERE aid = 1')).toMatchObject({ tag: 'UPDATE 1' });
    expect(fast(b, 'UPDATE acc SET abalance = abalance + 1 WHERE aid = 2')).toMatchObject({ tag: 'UPDATE 1' });
    const aWaits = run(a, 'UPDATE acc SET abalance = abalance + 1 WHERE aid = 2');
    expect((await failsWith(b, 'UPDATE acc SET abalance = abalance + 1 WHERE aid = 1')).sqlState).toBe('40P01');
    await run(b, 'ROLLBACK');
    expect(await aWaits).toMatchObject({ tag: 'UPDATE 1' });
    await run(a, 'COMMIT');
    expect(await rows(a, 'SELECT aid, abalance FROM acc WHERE aid < 3 ORDER BY aid')).toEqual([[1, 101], [2, 201]]);
  });
});

describe('prepared statements in a block', () => {
  test('BEGIN, UPDATE and SELECT answer through executePreparedSync as executePrepared would', async () => {
    const s = t.session();
    const sync = (p: PreparedStatement, parameters: readonly SqlValue[]): StatementResult | undefined => s.executePreparedSync?.(p, parameters);
    const begin = s.prepare('BEGIN', []);
    const update = s.prepare('UPDATE acc SET abalance = abalance + $1 WHERE aid = $2', []);
    const select = s.prepare('SELECT abalance FROM acc WHERE aid = $1', []);
    expect(sync(update, [1, 1])).toBeUndefined();
    expect(sync(begin, [])).toEqual({ kind: 'command', tag: 'BEGIN' });
    expect(sync(update, [-4, 1])).toEqual({ kind: 'command', tag: 'UPDATE 1' });
    expect(sync(select, [1])).toMatchObject({ rows: [[96]] });
    await run(s, 'COMMIT');
    expect(await rows(s, 'SELECT abalance FROM acc WHERE aid = 1')).toEqual([[96]]);
    sync(begin, []);
    expect(() => sync(update, [null, 1])).toThrow(
      expect.objectContaining({ sqlState: '23502', message: 'null value in column "abalance" of relation "acc" violates not-null constraint' }) as Error,
    );
    expect(s.transactionState()).toBe('failed');
    await run(s, 'ROLLBACK');
  });
});
