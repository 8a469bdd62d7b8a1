// Through the engine: SET thunderdb.read_path switches paths, EXPLAIN says
// which, both paths agree, own uncommitted writes force the row path.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows, run } from '../engine-impl/testing/harness.js';
import { openColumnTestEngine, type ColumnTestEngine } from './testing.js';

let t: ColumnTestEngine;

beforeAll(async () => {
  t = await openColumnTestEngine({ segmentRowsMax: 256 });
  const s = t.session();
  await run(s, `CREATE TABLE li (id int8 PRIMARY KEY, qty numeric(15,2), price numeric(15,2), disc numeric(15,2), flag char(1), status text, shipdate date, n int4)`);
  const values: string[] = [];
  for (let i = 1; i <= 2000; i++) {
    const flag = ['A', 'N', 'R'][i % 3] ?? 'A';
    const status = i % 7 === 0 ? 'NULL' : `'${['open', 'fulfilled', 'pending'][i % 2]}'`;
    values.push(`(${i}, ${(i % 50) + 1}.${i % 10}0, ${1000 + (i % 997)}.${String(i % 100).padStart(2, '0')}, 0.0${i % 10}, '${flag}', ${status}, date '1994-01-01' + ${i % 1500}, ${i % 13 === 0 ? 'NULL' : i % 100})`);
  }
  await run(s, `INSERT INTO li VALUES ${values.join(', ')}`);
  await run(s, `CREATE TABLE part (p_id int4 PRIMARY KEY, p_type text, p_size int4)`);
  const parts: string[] = [];
  for (let i = 0; i < 100; i++) parts.push(`(${i}, '${['PROMO BRASS', 'STANDARD TIN', 'PROMO STEEL', 'LARGE COPPER'][i % 4]}', ${i % 50})`);
  await run(s, `INSERT INTO part VALUES ${parts.join(', ')}`);
});

afterAll(async () => {
  await t.close();
});

const q1 = `SELECT flag, status, sum(qty) AS sum_qty, sum(price) AS sum_base, sum(price * (1 - disc)) AS sum_disc, avg(qty) AS avg_qty, avg(disc), count(*) AS n,
  min(shipdate), max(price), avg(n), sum(n), count(n)
  FROM li WHERE shipdate <= date '1998-12-01' - interval '90' day GROUP BY flag, status ORDER BY flag, status`;
const q6 = `SELECT sum(price * disc) AS revenue FROM li WHERE shipdate >= date '1994-01-01' AND shipdate < date '1994-01-01' + interval '1' year
  AND disc BETWEEN 0.06 - 0.01 AND 0.06 + 0.01 AND qty < 24`;

async function both(sql: string): Promise<[unknown[], unknown[]]> {
  const s = t.session();
  await run(s, `SET thunderdb.read_path = 'row'`);
  const row = await rows(s, sql);
  await run(s, `SET thunderdb.read_path = 'column'`);
  const column = await rows(s, sql);
  return [row, column];
}

describe('the column path through the engine', () => {
  it('answers Q1 and Q6 shapes exactly as the row path', async () => {
    for (const sql of [q1, q6,
      `SELECT count(*), sum(CASE WHEN status LIKE 'ful%' THEN price * (1 - disc) ELSE 0 END), sum(CASE WHEN flag = 'R' THEN 1 ELSE 0 END) FROM li WHERE shipdate BETWEEN date '1995-01-01' AND date '1995-12-31'`,
      `SELECT id, price FROM li WHERE flag IN ('A', 'R') AND n > 90 AND status IS NOT NULL ORDER BY id LIMIT 7`,
      `SELECT n, count(*) FROM li WHERE NOT (n < 50) OR n IS NULL GROUP BY n ORDER BY n DESC NULLS FIRST LIMIT 5`,
      `SELECT max(status), min(qty) FROM li WHERE status LIKE '%end%'`,
    ]) {
      const [row, column] = await both(sql);
      expect(column).toEqual(row);
      expect(row.length).toBeGreaterThan(0);
      const s = t.session();
      await run(s, `SET thunderdb.read_path = 'column'`);
      const analyzed = (await rows(s, `EXPLAIN ANALYZE ${sql}`)).map((r) => String(r[0])).join('\n');
      expect(analyzed, sql).toContain('Read Path: column (thunderdb.read_path = column)');
    }
  });

  it('runs inner equi-joins (Q14 / Q12 / Q3 shapes) and the aggregate above them vectorized', async () => {
    const q14 = `SELECT 100.00 * sum(CASE WHEN p_type LIKE 'PROMO%' THEN price * (1 - disc) ELSE 0 END) / sum(price * (1 - disc)) AS promo_revenue
      FROM li, part WHERE n = p_id AND shipdate >= date '1995-09-01' AND shipdate < date '1995-09-01' + interval '1' month`;
    const q12ish = `SELECT flag, sum(CASE WHEN p_size < 10 THEN 1 ELSE 0 END) AS small, count(*) FROM li JOIN part ON n = p_id
      WHERE status IN ('open', 'pending') AND shipdate < date '1996-01-01' AND p_size BETWEEN 5 AND 40 GROUP BY flag ORDER BY flag`;
    const q3ish = `SELECT id, sum(price * (1 - disc)) AS revenue FROM li, part WHERE n = p_id AND p_type = 'STANDARD TIN' AND shipdate > date '1995-03-15'
      GROUP BY id ORDER BY revenue DESC, id LIMIT 10`;
    for (const sql of [q14, q12ish, q3ish]) {
      const [row, column] = await both(sql);
      expect(column, sql).toEqual(row);
      expect(row.length).toBeGreaterThan(0);
    }
    const s = t.session();
    await run(s, `SET thunderdb.read_path = 'column'`);
    const plan = (await rows(s, `EXPLAIN ANALYZE ${q12ish}`)).map((r) => String(r[0])).join('\n');
    expect(plan).toContain('Vectorized Column Scan on li');
    expect(plan).toContain('Vectorized Column Scan on part');
    expect(plan).toContain('Vectorized Hash Join (inner, 1 key');
  });

  it('EXPLAIN names the chosen path and the vectorized operators', async () => {
    const s = t.session();
    await run(s, `SET thunderdb.read_path = 'column'`);
    const plan = (await rows(s, `EXPLAIN ${q6}`)).map((r) => String(r[0])).join('\n');
    expect(plan).toContain('Vectorized Column Scan on li');
    expect(plan).toContain('Read Path: column');
    const analyzed = (await rows(s, `EXPLAIN ANALYZE ${q6}`)).map((r) => String(r[0])).join('\n');
    expect(analyzed).toMatch(/Segments: \d+ of \d+ scanned, \d+ pruned by zone maps/);
    await run(s, `SET thunderdb.read_path = 'row'`);
    const rowPlan = (await rows(s, `EXPLAIN ${q6}`)).map((r) => String(r[0])).join('\n');
    expect(rowPlan).toContain('Seq Scan on li');
    expect(rowPlan).toContain('Read Path: row (thunderdb.read_path = row)');
    await run(s, `SET thunderdb.read_path = 'auto'`);
    const pk = (await rows(s, `EXPLAIN SELECT price FROM li WHERE id = 5`)).map((r) => String(r[0])).join('\n');
    expect(pk).toContain('Read Path: row');
  });

  it('prefilters ORDER BY ... LIMIT in the leaf (top-N) and keeps the exact answer', async () => {
    const sql = `SELECT id, price, n FROM li WHERE flag IN ('A', 'R') ORDER BY n DESC, id LIMIT 7 OFFSET 2`;
    const [row, column] = await both(sql);
    expect(column).toEqual(row);
    expect(row.length).toBe(7);
    const s = t.session();
    await run(s, `SET thunderdb.read_path = 'column'`);
    const plan = (await rows(s, `EXPLAIN ${sql}`)).map((r) => String(r[0])).join('\n');
    // The leaf sorts and cuts its own rows (sort.ts): the row executor's Sort and Limit are gone.
    expect(plan).toContain('Vectorized Top-N (limit 7, offset 2)  Sort Key: n DESC, id');
    expect(plan).not.toMatch(/^\s*(->\s+)?(Sort|Limit)\b/m);
  });

  it('groups by a dimension\'s columns over several probe batches (Q10 shape: groups found by source index) and narrows by ascending join keys, as the row path', async () => {
    const s = t.session();
    await run(s, `CREATE TABLE kind (k_id int4 PRIMARY KEY, k_name text)`);
    await run(s, `INSERT INTO kind VALUES ${Array.from({ length: 50 }, (_, i) => `(${i}, '${['east', 'west', 'north'][i % 3]}')`).join(', ')}`);
    await run(s, `CREATE TABLE ord (o_id int8 PRIMARY KEY, o_flag int4)`);
    await run(s, `INSERT INTO ord VALUES ${Array.from({ length: 2000 }, (_, i) => `(${i + 1}, ${i % 3})`).join(', ')}`);
    // Every li row's n is a part (some NULL); part's 100 rows are one segment under li's 8 (256 rows each).
    const q10ish = `SELECT p_id, p_type, p_size, k_name, sum(price * (1 - disc)) AS revenue, count(*) FROM li, part, kind, ord
      WHERE n = p_id AND p_size = k_id AND id = o_id AND o_flag = 1 GROUP BY p_id, p_type, p_size, k_name ORDER BY revenue DESC, p_id LIMIT 7`;
    // Equal key values at different part rows (same type and kind name): found by value, not index.
    const sharedValues = `SELECT p_type, k_name, sum(price) AS total, count(*) FROM li, part, kind WHERE n = p_id AND p_size = k_id
      GROUP BY p_type, k_name ORDER BY p_type, k_name`;
    const allGroups = `SELECT p_id, p_type, k_name, count(*), sum(qty) FROM li, part, kind, ord WHERE n = p_id AND p_size = k_id AND id = o_id AND o_flag <> 2
      GROUP BY p_id, p_type, k_name ORDER BY p_id`;
    for (const sql of [q10ish, sharedValues, allGroups]) {
      const [row, column] = await both(sql);
      expect(column, sql).toEqual(row);
      expect(row.length).toBeGreaterThan(5);
    }
    await run(s, `SET thunderdb.read_path = 'column'`);
    const plan = (await rows(s, `EXPLAIN ANALYZE ${q10ish}`)).map((r) => String(r[0])).join('\n');
    expect(plan).toContain('Vectorized Column Scan on kind');
    expect(plan).toMatch(/Rows Removed by Join Key Sets: [1-9]/);
    // Q3/Q10's ORDER BY aggregate LIMIT over a multi-way join is the leaf's top-N, above its hash aggregate.
    expect(plan).toMatch(/^Vectorized Top-N \(limit 7\) {2}Sort Key: revenue DESC, p_id.*\n(\s+\S.*\n)*?\s+->\s+Vectorized Hash Aggregate/);
  });

  it('groups only by the keys that determine the others (a primary key, through join keys) and answers as the row path', async () => {
    const s = t.session();
    await run(s, `CREATE TABLE dep (d_id int4 PRIMARY KEY, d_name text, d_kind int4)`);
    // Some NULL names; kinds join kind2's primary key.
    await run(s, `INSERT INTO dep VALUES ${Array.from({ length: 100 }, (_, i) => `(${i}, ${i % 9 === 0 ? 'NULL' : `'dep ${i % 7}'`}, ${i % 5})`).join(', ')}`);
    await run(s, `CREATE TABLE kind2 (k_id int4 PRIMARY KEY, k_name text)`);
    await run(s, `INSERT INTO kind2 VALUES ${Array.from({ length: 5 }, (_, i) => `(${i}, 'kind ${i}')`).join(', ')}`);
    await run(s, `CREATE TABLE nokey (x_id int4, x_name text)`);
    await run(s, `INSERT INTO nokey VALUES ${Array.from({ length: 100 }, (_, i) => `(${i % 50}, 'x ${i % 3}')`).join(', ')}`);
    // Over several segments (256 rows each): its columns have no single source vector under a join.
    await run(s, `CREATE TABLE wide (w_id int4 PRIMARY KEY, w_name text, w_note text)`);
    await run(s, `INSERT INTO wide VALUES ${Array.from({ length: 1000 }, (_, i) => `(${2 * i + 1}, 'w${i % 11}', ${i % 6 === 0 ? 'NULL' : `'note ${i}'`})`).join(', ')}`);
    const determined = [
      `SELECT w_id, w_name, w_note, sum(price) AS total, count(*) FROM li, wide WHERE id = w_id AND flag <> 'N'
        GROUP BY w_id, w_name, w_note ORDER BY total DESC, w_id LIMIT 12`,
      // d_id is dep's key: d_name, d_kind and (d_kind = k_id) k_name follow.
      `SELECT d_id, d_name, sum(price) AS total, d_kind, k_name, count(*) FROM li, dep, kind2 WHERE n = d_id AND d_kind = k_id
        GROUP BY d_id, d_name, d_kind, k_name ORDER BY total DESC, d_id LIMIT 9`,
      // The join key on the fact side (n = d_id) determines dep's row too.
      `SELECT n, d_name, count(*), sum(qty) FROM li, dep WHERE n = d_id GROUP BY n, d_name ORDER BY n`,
    ];
    const notDetermined = [
      // flag is li's, not determined by d_id; x_id is no key (nokey has duplicates: x_name is not determined).
      `SELECT d_id, flag, d_name, count(*) FROM li, dep WHERE n = d_id GROUP BY d_id, flag, d_name ORDER BY d_id, flag`,
      `SELECT x_id, x_name, count(*) FROM li, nokey WHERE n = x_id GROUP BY x_id, x_name ORDER BY x_id, x_name`,
    ];
    const check = async (): Promise<void> => {
      for (const sql of [...determined, ...notDetermined]) {
        const [row, column] = await both(sql);
        expect(column, sql).toEqual(row);
        expect(row.length).toBeGreaterThan(5);
      }
    };
    await check();
    // Updated and deleted dimension rows: the group's values are the visible row's.
    await run(s, `UPDATE dep SET d_name = 'renamed' WHERE d_id % 4 = 1`);
    await run(s, `DELETE FROM dep WHERE d_id % 10 = 3`);
    await run(s, `UPDATE kind2 SET k_name = NULL WHERE k_id = 2`);
    await run(s, `UPDATE wide SET w_note = 'changed' WHERE w_id % 9 = 4`);
    await run(s, `DELETE FROM wide WHERE w_id % 13 = 5`);
    await check();
    await run(s, `SET thunderdb.read_path = 'column'`);
    // Grouped by one key (d_id, n); the flag query by d_id and flag (the planner may add dep's other columns as keys).
    const grouping = async (sql: string): Promise<number> => {
      const plan = (await rows(s, `EXPLAIN ${sql}`)).map((r) => String(r[0])).join('\n');
      const m = /Vectorized Hash Aggregate \((\d+) keys(?:, (\d+) determined by the others)?/.exec(plan);
      expect(m, plan).not.toBeNull();
      return Number(m?.[1]) - Number(m?.[2] ?? 0);
    };
    for (const sql of determined) expect(await grouping(sql), sql).toBe(1);
    expect(await grouping(notDetermined[0] ?? '')).toBe(2);
    expect(await grouping(notDetermined[1] ?? '')).toBe(2);
  });

  it('groups by one integer key by value (wide int8 values, negatives, NULL, thousands of groups) as the row path', async () => {
    for (const sql of [
      `SELECT id * 1099511627776 - 5 AS k, sum(price), count(*) FROM li GROUP BY k ORDER BY k`,
      `SELECT n - 50 AS k, sum(qty) AS total, count(n) FROM li GROUP BY k ORDER BY total DESC, k LIMIT 5`,
      `SELECT shipdate, count(*), min(price) FROM li WHERE flag <> 'N' GROUP BY shipdate ORDER BY shipdate`,
    ]) {
      const [row, column] = await both(sql);
      expect(column, sql).toEqual(row);
      expect(row.length).toBeGreaterThan(4);
    }
    // No row reaches the aggregate: no group.
    const [row, column] = await both(`SELECT n, count(*), sum(price) FROM li WHERE n > 1000 GROUP BY n`);
    expect(row).toEqual([]);
    expect(column).toEqual([]);
  });

  it('keeps only the groups an ORDER BY aggregate LIMIT can return (top-N over groups), with the exact answer', async () => {
    const sql = `SELECT n, sum(price) AS total, count(*) FROM li WHERE flag IN ('A', 'R') GROUP BY n ORDER BY total DESC, n LIMIT 5 OFFSET 1`;
    const [row, column] = await both(sql);
    expect(column).toEqual(row);
    expect(row.length).toBe(5);
    const s = t.session();
    await run(s, `SET thunderdb.read_path = 'column'`);
    const plan = (await rows(s, `EXPLAIN ANALYZE ${sql}`)).map((r) => String(r[0])).join('\n');
    expect(plan).toContain('Vectorized Top-N (limit 5, offset 1)  Sort Key: total DESC, n');
    expect(plan).not.toMatch(/^\s*(->\s+)?(Sort|Limit)\b/m);
    expect(Number(/Groups: (\d+)/.exec(plan)?.[1] ?? 0)).toBeGreaterThan(6);
    expect(plan).toMatch(/Top-N Prefilter: kept \d+ of \d+ groups/);
  });

  it('prunes segments by zone maps', async () => {
    const s = t.session();
    await run(s, `SET thunderdb.read_path = 'column'`);
    const analyzed = (await rows(s, `EXPLAIN ANALYZE SELECT count(*) FROM li WHERE id < 100`)).map((r) => String(r[0])).join('\n');
    expect(analyzed).toMatch(/[1-9]\d* pruned/);
  });

  it('uses the row path for a table the transaction wrote, and sees committed changes', async () => {
    const s = t.session();
    await run(s, `SET thunderdb.read_path = 'column'`);
    await run(s, 'BEGIN');
    await run(s, `UPDATE li SET qty = qty + 1 WHERE id <= 10`);
    const plan = (await rows(s, `EXPLAIN SELECT sum(qty) FROM li`)).map((r) => String(r[0])).join('\n');
    expect(plan).toContain('uncommitted writes');
    const inTxn = await rows(s, `SELECT sum(qty) FROM li`);
    await run(s, 'COMMIT');
    expect(await rows(s, `SELECT sum(qty) FROM li`)).toEqual(inTxn);
    const [row, column] = await both(`SELECT sum(qty), count(*) FROM li`);
    expect(column).toEqual(row);
  });
});
