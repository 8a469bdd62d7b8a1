// Operator-level behaviour of the column path, each checked against exact
// expected values (not only against the row path): numeric scales, NULLs in
// filters and aggregates, dictionary predicates, zone-map pruning, group
// keys, fallbacks, and the freshness bound.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlError } from '../types/errors.js';
import { rows, run } from '../engine-impl/testing/harness.js';
import { vectorizedCounters } from './path.js';
import { openColumnTestEngine, type ColumnTestEngine } from './testing.js';

let t: ColumnTestEngine;

beforeAll(async () => {
  t = await openColumnTestEngine({ segmentRowsMax: 4 });
  const s = t.session();
  await run(s, `CREATE TABLE v (id int4 PRIMARY KEY, x int4, m numeric(15,2), s text, d date)`);
  await run(s, `INSERT INTO v VALUES (1, 10, 1.50, 'apple', date '2020-01-01'), (2, NULL, 2.25, 'banana', date '2020-01-02'),
    (3, 30, NULL, 'apricot', NULL), (4, 40, 4.00, NULL, date '2020-03-01'), (5, 50, 5.10, 'apple', date '2021-01-01'),
    (6, 2000000000, 0.01, 'cherry', date '2021-06-01')`);
});

afterAll(async () => {
  await t.close();
});

async function column(sql: string): Promise<string[][]> {
  const s = t.session();
  await run(s, `SET thunderdb.read_path = 'column'`);
  const before = vectorizedCounters.columnRuns;
  const out = (await rows(s, sql)).map((r) => r.map((v) => (v === null ? 'NULL' : String(v))));
  expect(vectorizedCounters.columnRuns, sql).toBe(before + 1);
  await run(s, `SET thunderdb.read_path = 'row'`);
  expect((await rows(s, sql)).map((r) => r.map((v) => (v === null ? 'NULL' : String(v)))), sql).toEqual(out);
  return out;
}

describe('vectorized operators', () => {
  it('sums numerics exactly and averages with PostgreSQL scales', async () => {
    expect(await column('SELECT sum(m), avg(m), sum(m * (1 - 0.05)), avg(x), count(m), count(*) FROM v')).toEqual([
      ['12.86', '2.5720000000000000', '12.2170', '400000026.00000000', '5', '6'],
    ]);
  });

  it('returns one row of NULL sums and zero counts when nothing matches', async () => {
    expect(await column('SELECT sum(m), avg(m), min(d), count(*) FROM v WHERE x > 3000000000')).toEqual([['NULL', 'NULL', 'NULL', '0']]);
  });

  it('applies three-valued logic in filters', async () => {
    expect(await column('SELECT id FROM v WHERE NOT (x > 20) ORDER BY id')).toEqual([['1']]);
    expect(await column('SELECT id FROM v WHERE x > 20 OR m < 2 ORDER BY id')).toEqual([['1'], ['3'], ['4'], ['5'], ['6']]);
    expect(await column('SELECT id FROM v WHERE x NOT IN (10, 30) ORDER BY id')).toEqual([['4'], ['5'], ['6']]);
  });

  it('evaluates text predicates once per dictionary entry', async () => {
    expect(await column(`SELECT id FROM v WHERE s LIKE 'ap%' ORDER BY id`)).toEqual([['1'], ['3'], ['5']]);
    expect(await column(`SELECT id FROM v WHERE s LIKE '%an%' OR s IN ('cherry') ORDER BY id`)).toEqual([['2'], ['6']]);
  });

  it('groups by text and date keys, NULL as its own group', async () => {
    expect(await column(`SELECT s, count(*), sum(CASE WHEN x > 20 THEN m ELSE 0 END) FROM v GROUP BY s ORDER BY s NULLS FIRST`)).toEqual([
      ['NULL', '1', '4.00'], ['apple', '2', '5.10'], ['apricot', '1', 'NULL'], ['banana', '1', '0'], ['cherry', '1', '0.01'],
    ]);
  });

  it('prunes segments whose zone maps exclude the predicate', async () => {
    const s = t.session();
    await run(s, `SET thunderdb.read_path = 'column'`);
    const plan = (await rows(s, `EXPLAIN ANALYZE SELECT count(*) FROM v WHERE d >= date '2021-01-01'`)).map((r) => String(r[0])).join('\n');
    expect(plan).toMatch(/Segments: 1 of 2 scanned, 1 pruned by zone maps/);
  });

  it('falls back to the row path on an integer overflow, which then reports it', async () => {
    const s = t.session();
    await run(s, `SET thunderdb.read_path = 'column'`);
    const fallbacks = vectorizedCounters.fallbacks;
    await expect(rows(s, 'SELECT sum(x * 2) FROM v')).rejects.toMatchObject({ sqlState: '22003' });
    expect(vectorizedCounters.fallbacks).toBe(fallbacks + 1);
    // EXPLAIN ANALYZE runs the leaf inside the upper plan's execution: the fallback surfaces there and the row path reruns it.
    await expect(rows(s, 'EXPLAIN ANALYZE SELECT sum(x * 2) FROM v')).rejects.toMatchObject({ sqlState: '22003' });
    expect(vectorizedCounters.fallbacks).toBe(fallbacks + 2);
    expect((await rows(s, 'SELECT count(*) FROM v')).length).toBe(1);
  });
});

describe('freshness', () => {
  it('errors with 57014 past the wait bound, or falls back when thunderdb.column_fallback = on', async () => {
    const lagging = await openColumnTestEngine({ batchLagMs: 60_000, applyOnDemand: false });
    try {
      const s = lagging.session();
      await run(s, 'CREATE TABLE f (id int4 PRIMARY KEY, x int4)');
      await run(s, 'INSERT INTO f VALUES (1, 5), (2, 7)');
      await run(s, `SET thunderdb.read_path = 'column'`);
      await run(s, `SET thunderdb.column_wait_timeout = '50ms'`);
      const error = await rows(s, 'SELECT sum(x) FROM f').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SqlError);
      expect(error).toMatchObject({ sqlState: '57014' });
      expect((error as SqlError).message).toContain('column store did not reach read index');
      await run(s, 'SET thunderdb.column_fallback = on');
      expect(await rows(s, 'SELECT sum(x) FROM f')).toEqual([[12n]]);
    } finally {
      await lagging.close();
    }
  });

  it('refuses an unknown read path', async () => {
    await expect(run(t.session(), `SET thunderdb.read_path = 'sideways'`)).rejects.toMatchObject({ sqlState: '22023' });
  });
});
