// Which statements wait for the read barrier (log.readIndex) and which do not,
// over a real log that claims three voters so the engine asks; the errors a
// failed ReadIndex becomes; and the routes the forwarding layer acts on.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ReadIndexError, type ReplicatedLog } from '../../log/index.js';
import type { RoutableSession } from '../engine.js';
import { failsWith, openTestEngine, run, type TestEngine } from './testing/harness.js';

let t: TestEngine;
let single: TestEngine;
let readIndexCalls = 0;
let readIndexFailure: ReadIndexError | undefined;

/** The real log, but three voters and a counted readIndex. */
function threeVoters(log: ReplicatedLog): ReplicatedLog {
  return new Proxy(log, {
    get(target, property) {
      if (property === 'status') return () => ({ ...target.status(), voters: [1, 2, 3] });
      if (property === 'readIndex') {
        return () => {
          readIndexCalls++;
          return readIndexFailure === undefined ? target.readIndex() : Promise.reject(readIndexFailure);
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

beforeAll(async () => {
  t = await openTestEngine({ linearizableReads: true, wrapLog: threeVoters });
  single = await openTestEngine({ linearizableReads: true });
  const s = t.session();
  await run(s, 'CREATE TABLE kv (k int PRIMARY KEY, v text)');
  await run(s, "INSERT INTO kv VALUES (1, 'a')");
});

afterAll(async () => {
  await t.close();
  await single.close();
});

async function calls(body: () => Promise<unknown>): Promise<number> {
  const before = readIndexCalls;
  await body();
  return readIndexCalls - before;
}

describe('the read barrier', () => {
  test('every autocommit read waits for it; writes do not', async () => {
    const s = t.session();
    expect(await calls(() => run(s, 'SELECT v FROM kv WHERE k = 1'))).toBe(1);
    expect(await calls(() => run(s, 'SELECT 1'))).toBe(1);
    expect(await calls(() => run(s, "UPDATE kv SET v = 'b' WHERE k = 1"))).toBe(0);
    expect(await calls(() => run(s, "INSERT INTO kv VALUES (2, 'x') RETURNING k"))).toBe(0);
    const prepared = s.prepare('SELECT v FROM kv WHERE k = $1', []);
    expect(await calls(() => s.executePrepared(prepared, [1]))).toBe(1);
    // SQL-level EXECUTE: as the statement it runs.
    await run(s, "PREPARE rd (int) AS SELECT v FROM kv WHERE k = $1; PREPARE wr (int) AS UPDATE kv SET v = 'c' WHERE k = $1");
    expect(await calls(() => run(s, 'EXECUTE rd(1)'))).toBe(1);
    expect(await calls(() => run(s, 'EXECUTE wr(1)'))).toBe(0);
    await run(s, 'DEALLOCATE ALL');
  });

  test('READ COMMITTED blocks wait per statement; REPEATABLE READ once, for its snapshot', async () => {
    const s = t.session();
    await run(s, 'BEGIN');
    expect(await calls(async () => {
      await run(s, 'SELECT * FROM kv');
      await run(s, 'SELECT * FROM kv');
    })).toBe(2);
    await run(s, 'COMMIT');
    await run(s, 'BEGIN ISOLATION LEVEL REPEATABLE READ');
    expect(await calls(async () => {
      await run(s, 'SELECT * FROM kv');
      await run(s, 'SELECT * FROM kv');
    })).toBe(1);
    await run(s, 'COMMIT');
  });

  test("thunderdb.read_consistency = 'local' skips it, by SET or startup option", async () => {
    const s = t.session();
    await run(s, "SET thunderdb.read_consistency = 'local'");
    expect(await calls(() => run(s, 'SELECT * FROM kv'))).toBe(0);
    await run(s, 'RESET thunderdb.read_consistency');
    expect(await calls(() => run(s, 'SELECT * FROM kv'))).toBe(1);
    const viaStartup = t.session('tester', 'thunderdb', { options: '-c thunderdb.read_consistency=local' });
    expect(await calls(() => run(viaStartup, 'SELECT * FROM kv'))).toBe(0);
    expect(await failsWith(s, "SET thunderdb.read_consistency = 'eventual'")).toMatchObject({ sqlState: '22023' });
  });

  test('a single voter never waits (nothing to confirm)', async () => {
    const s = single.session();
    const before = readIndexCalls;
    await run(s, 'SELECT 1');
    expect(readIndexCalls).toBe(before);
  });

  test('a failed ReadIndex is a retryable error and the session stays usable', async () => {
    const s = t.session();
    readIndexFailure = new ReadIndexError('noLeader');
    expect(await failsWith(s, 'SELECT * FROM kv')).toMatchObject({ sqlState: '57P03', message: expect.stringContaining('no leader is known') as unknown });
    readIndexFailure = new ReadIndexError('timedOut');
    expect(await failsWith(s, 'SELECT * FROM kv')).toMatchObject({ sqlState: '40001' });
    readIndexFailure = new ReadIndexError('leaderLost');
    expect(await failsWith(s, 'SELECT * FROM kv')).toMatchObject({ sqlState: '40001', message: expect.stringContaining('leader changed') as unknown });
    readIndexFailure = undefined;
    expect(await calls(() => run(s, 'SELECT * FROM kv'))).toBe(1);
  });
});

describe('statement routes', () => {
  test.each([
    ['SELECT * FROM kv', 'read'],
    ['SHOW TimeZone', 'read'],
    ['COPY kv TO STDOUT', 'read'],
    ["SET TimeZone = 'UTC'", 'session'],
    ['COMMIT', 'session'],
    ['SELECT * FROM kv FOR UPDATE', 'write'],
    ["WITH d AS (DELETE FROM kv RETURNING k) SELECT * FROM d", 'write'],
    ["INSERT INTO kv VALUES (9, 'z')", 'write'],
    ['COPY kv FROM STDIN', 'write'],
    ['CREATE TABLE z (a int)', 'write'],
    ['BEGIN', 'begin'],
    ['BEGIN READ ONLY', 'session'],
    ['START TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY', 'session'],
    ["SELECT 1; INSERT INTO kv VALUES (9, 'z')", 'write'],
    ['SELEC broken', 'read'],
  ])('%s → %s', (sql, route) => {
    expect((t.session() as RoutableSession).statementRoute(sql)).toBe(route);
  });

  test.each([
    ['COMMIT', true], ['END', true], ['ROLLBACK', true], ['ABORT', true], ['rollback;', true],
    ["SELECT 'commit'", false], ['COMMITTED', false], ['SAVEPOINT a', false], ['BEGIN', false],
  ])('endsTransactionBlock(%s) = %s (from the parse tree)', (sql, ends) => {
    expect((t.session() as RoutableSession).endsTransactionBlock(sql)).toBe(ends);
  });

  test('EXECUTE routes as its prepared body; preparedWrites gives the PREPARE texts of the writes', async () => {
    const s = t.session() as RoutableSession;
    await run(s, "PREPARE w (int) AS INSERT INTO kv VALUES ($1, 'x'); PREPARE r AS SELECT v FROM kv");
    expect(s.statementRoute('EXECUTE w(5)')).toBe('write');
    expect(s.statementRoute('EXECUTE r')).toBe('session');
    expect(s.statementRoute('EXECUTE missing')).toBe('session');
    expect([...s.preparedWrites()]).toEqual([['w', "PREPARE w (int) AS INSERT INTO kv VALUES ($1, 'x')"]]);
    await run(s, 'DEALLOCATE w');
    expect(s.statementRoute('EXECUTE w(5)')).toBe('session');
    expect(s.preparedWrites().size).toBe(0);
  });

  test('changedSettings lists what a session on another node must start with', async () => {
    const s = t.session() as RoutableSession;
    expect([...s.changedSettings()]).toEqual([]);
    await run(s, "SET TimeZone = 'Europe/Paris'");
    await run(s, "SET thunderdb.read_consistency = 'local'");
    expect(Object.fromEntries(s.changedSettings())).toEqual({ timezone: 'Europe/Paris', 'thunderdb.read_consistency': 'local' });
  });
});
