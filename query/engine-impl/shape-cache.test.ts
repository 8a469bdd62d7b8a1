// The statement cache's shape level as sessions see it: a simple-query text
// run through a shared template with its constants as typed parameters must
// answer exactly as the same text parsed and compiled on its own. The plain
// run is the same text behind a comment, which the shape scanner leaves to
// the ordinary path.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { EngineSession, StatementResult } from '../engine.js';
import { openTestEngine, rows, run, runAll, type TestEngine } from './testing/harness.js';

let t: TestEngine;
let s: EngineSession;

const plainPrefix = '/* plain */ ';

type Outcome = { readonly ok: readonly StatementResult[] } | { readonly error: { sqlState: string; message: string; position: number | undefined } };

async function outcome(session: EngineSession, sql: string, positionShift: number): Promise<Outcome> {
  try {
    return { ok: await runAll(session, sql) };
  } catch (error) {
    const e = error as { sqlState?: string; message: string; position?: number };
    if (e.sqlState === undefined) throw error;
    return { error: { sqlState: e.sqlState, message: e.message, position: e.position === undefined ? undefined : e.position - positionShift } };
  }
}

/** Runs `sql` shaped and plain (inside BEGIN ... ROLLBACK for writes) and returns both outcomes. */
async function both(sql: string, writes: boolean): Promise<[Outcome, Outcome]> {
  const once = async (text: string, shift: number): Promise<Outcome> => {
    if (!writes) return outcome(s, text, shift);
    await run(s, 'BEGIN');
    try {
      return await outcome(s, text, shift);
    } finally {
      await run(s, 'ROLLBACK');
    }
  };
  return [await once(sql, 0), await once(plainPrefix + sql, plainPrefix.length)];
}

beforeAll(async () => {
  t = await openTestEngine();
  s = t.session();
  await run(s, 'CREATE TABLE t (a int PRIMARY KEY, b bigint, c numeric, d smallint, e text)');
  await run(s, `INSERT INTO t VALUES (1, 10, 1.5, 1, 'one'), (2, 20000000000, -2.25, 2, 'two'), (3, -5, 0, 3, 'three'),
    (-7, NULL, 100.125, -7, 'minus seven'), (2147483647, 9223372036854775807, 1e20, 32767, NULL)`);
});

afterAll(async () => {
  await t.close();
});

// Constants around the edges of int4, int8 and numeric, small ones and anything.
const integer = fc.oneof(
  fc.integer({ min: -10, max: 10 }),
  fc.integer(),
  fc.constantFrom(2147483647n, 2147483648n, -2147483648n, -2147483649n, 9223372036854775807n, 9223372036854775808n, -9223372036854775808n, -9223372036854775809n, 32767n, 32768n),
  fc.bigInt({ min: -(10n ** 22n), max: 10n ** 22n }),
).map(String);
const decimal = fc.tuple(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 0, max: 99999 })).map(([i, f]) => `${i}.${f}`);
const small = fc.integer({ min: -3, max: 6 }).map(String);

const readTemplates: readonly ((i: string, j: string, n: string, k: string) => string)[] = [
  (i) => `SELECT a, b, c, d, e FROM t WHERE a = ${i}`,
  (i, j, n) => `SELECT a + ${i}, b * ${j}, c - ${n}, d + ${i} FROM t WHERE a > ${j} ORDER BY a`,
  (i, j, n) => `SELECT ${i}, ${j}, ${n}, ${i} + ${j}, ${n} * ${i}`,
  (i, _j, _n, k) => `SELECT a, d * ${i} FROM t ORDER BY ${k === '1' ? '1' : '2'} LIMIT ${k.startsWith('-') ? '2' : k}`,
  (i, j) => `SELECT count(*), sum(b) FROM t WHERE b BETWEEN ${i} AND ${j}`,
  (i, j, n) => `SELECT CASE WHEN a > ${i} THEN ${n} ELSE ${j} END FROM t ORDER BY a`,
  (i) => `SELECT a / ${i}, a % ${i} FROM t ORDER BY a`,
  (i, j, n) => `SELECT a FROM t WHERE a IN (${i}, ${j}, ${n}) OR d = ${j} ORDER BY a`,
  (_i, _j, _n, k) => `SELECT substr(e, ${k}, ${k}), e FROM t ORDER BY a`,
  (i, _j, n) => `SELECT d FROM t WHERE d = ${i} OR c = ${n} OR c > ${i}`,
  (i, j) => `SELECT greatest(${i}, ${j}), coalesce(b, ${i}) FROM t ORDER BY a`,
  (i) => `SELECT a FROM t WHERE a = ${i}::int8 OR a = ${i}::int2`,
  (i, j) => `SELECT -${i.replace(/^-/, '')} AS x, b - ${j} FROM t ORDER BY a`,
  (i, j) => `SELECT d, count(*) FROM t GROUP BY d HAVING sum(a) > ${i} OR count(*) = ${j} ORDER BY 1`,
];

const writeTemplates: readonly ((i: string, j: string, n: string, k: string) => string)[] = [
  (i, j, n) => `INSERT INTO t (a, b, c, d) VALUES (${i}, ${j}, ${n}, ${i}) RETURNING *`,
  (i, j, n, k) => `INSERT INTO t VALUES (${i}, ${j}, ${n}, ${k}, 'x'), (${j}, ${i}, ${n}, ${k}, 'y') RETURNING a, d`,
  (i, j) => `UPDATE t SET b = b + -${j.replace(/^-/, '')}, d = d + ${i} WHERE a = 1 RETURNING b, d`,
  (i, _j, n) => `UPDATE t SET c = c * ${n}, e = e || ${i} WHERE a > ${i} RETURNING a, c, e`,
  (i) => `DELETE FROM t WHERE a = ${i} OR d > ${i} RETURNING a`,
];

describe('the shape level answers as parsing each text would', () => {
  test('property: reads', async () => {
    await fc.assert(fc.asyncProperty(fc.nat(readTemplates.length - 1), integer, integer, fc.oneof(decimal, integer), small, async (which, i, j, n, k) => {
      const sql = (readTemplates[which] as (typeof readTemplates)[0])(i, j, n, k);
      const [shaped, plain] = await both(sql, false);
      expect(shaped, sql).toEqual(plain);
    }), { numRuns: 400 });
  });

  test('property: writes (each inside a rolled-back block)', async () => {
    await fc.assert(fc.asyncProperty(fc.nat(writeTemplates.length - 1), integer, integer, fc.oneof(decimal, integer), small, async (which, i, j, n, k) => {
      const sql = (writeTemplates[which] as (typeof writeTemplates)[0])(i, j, n, k);
      const [shaped, plain] = await both(sql, true);
      expect(shaped, sql).toEqual(plain);
    }), { numRuns: 200 });
  });

  test('error positions point into the text that was sent, not the template\'s', async () => {
    await expect(run(s, 'SELECT a FROM t WHERE a = 1 AND e = 5')).rejects.toMatchObject({ sqlState: '42883' });
    const long = 'SELECT a FROM t WHERE a = 123456789 AND e = 5';
    const [shaped, plain] = await both(long, false);
    expect(shaped).toEqual(plain);
    expect('error' in shaped && shaped.error.position).toBe(long.indexOf('e = 5') + 3);
  });
});

describe('shaped plans are recompiled when what they depend on changes', () => {
  test('after DDL', async () => {
    await run(s, 'CREATE TABLE ddl_t (id int PRIMARY KEY, v int)');
    await run(s, 'INSERT INTO ddl_t VALUES (1, 10), (2, 20)');
    expect(await rows(s, 'SELECT * FROM ddl_t WHERE id = 1')).toEqual([[1, 10]]);
    await run(s, 'ALTER TABLE ddl_t ADD COLUMN w text');
    await run(s, "UPDATE ddl_t SET w = 'new' WHERE id = 2");
    const r = await run(s, 'SELECT * FROM ddl_t WHERE id = 2');
    expect(r.kind === 'rows' && r.columns.map((c) => c.name)).toEqual(['id', 'v', 'w']);
    expect(r.kind === 'rows' && r.rows).toEqual([[2, 20, 'new']]);
    await run(s, 'DROP TABLE ddl_t');
    await run(s, 'CREATE TABLE ddl_t (id bigint PRIMARY KEY, v text)');
    await run(s, "INSERT INTO ddl_t VALUES (3, 'three')");
    const again = await run(s, 'SELECT * FROM ddl_t WHERE id = 3');
    expect(again.kind === 'rows' && again.rows).toEqual([[3n, 'three']]);
    await run(s, 'DROP TABLE ddl_t');
    await expect(run(s, 'SELECT * FROM ddl_t WHERE id = 4')).rejects.toMatchObject({ sqlState: '42P01' });
  });

  test('after search_path changes, in this session only', async () => {
    await run(s, 'CREATE SCHEMA sa');
    await run(s, 'CREATE SCHEMA sb');
    await run(s, 'CREATE TABLE sa.p (id int PRIMARY KEY, v text)');
    await run(s, 'CREATE TABLE sb.p (id int PRIMARY KEY, v text)');
    await run(s, "INSERT INTO sa.p VALUES (1, 'a1'), (2, 'a2')");
    await run(s, "INSERT INTO sb.p VALUES (1, 'b1'), (2, 'b2')");
    const other = t.session();
    await run(other, 'SET search_path = sb');
    await run(s, 'SET search_path = sa');
    expect(await rows(s, 'SELECT v FROM p WHERE id = 1')).toEqual([['a1']]);
    expect(await rows(other, 'SELECT v FROM p WHERE id = 2')).toEqual([['b2']]);
    await run(s, 'SET search_path = sb');
    expect(await rows(s, 'SELECT v FROM p WHERE id = 2')).toEqual([['b2']]);
    await run(s, 'BEGIN');
    await run(s, 'SET LOCAL search_path = sa');
    expect(await rows(s, 'SELECT v FROM p WHERE id = 1')).toEqual([['a1']]);
    await run(s, 'ROLLBACK');
    expect(await rows(s, 'SELECT v FROM p WHERE id = 1')).toEqual([['b1']]);
    await run(s, 'RESET search_path');
  });

  test('after TimeZone changes', async () => {
    await run(s, 'CREATE TABLE tz (id int PRIMARY KEY, at timestamptz)');
    await run(s, "INSERT INTO tz VALUES (1, '2024-01-01 12:00:00+00')");
    await run(s, "SET TimeZone = 'UTC'");
    expect(await rows(s, 'SELECT at::text, at::timestamp::text FROM tz WHERE id = 1')).toEqual([['2024-01-01 12:00:00+00', '2024-01-01 12:00:00']]);
    await run(s, "SET TimeZone = 'Asia/Tokyo'");
    expect(await rows(s, 'SELECT at::text, at::timestamp::text FROM tz WHERE id = 1')).toEqual([['2024-01-01 21:00:00+09', '2024-01-01 21:00:00']]);
    await run(s, 'RESET TimeZone');
  });

  test('in a failed block a shaped statement is refused like any other', async () => {
    await run(s, 'BEGIN');
    await expect(run(s, 'SELECT 1 / 0')).rejects.toMatchObject({ sqlState: '22012' });
    await expect(run(s, 'SELECT a FROM t WHERE a = 1')).rejects.toMatchObject({ sqlState: '25P02' });
    await run(s, 'ROLLBACK');
    expect(await rows(s, 'SELECT a FROM t WHERE a = 2')).toEqual([[2]]);
  });
});
