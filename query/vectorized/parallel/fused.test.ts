// The fused kernel, on this thread and over worker threads, answers exactly
// as the operator-at-a-time column path and the row path: group order,
// scales, deletes and updates at the read index, a write committed while
// the workers run, NULLs and out-of-range values (which leave the kernel).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows, run } from '../../engine-impl/testing/harness.js';
import { vectorizedCounters } from '../path.js';
import { openColumnTestEngine, type ColumnTestEngine } from '../testing.js';
import { setFusedOptions } from './fused.js';
import { setParallelScanWorkers } from './pool.js';

let t: ColumnTestEngine;

beforeAll(async () => {
  // Small segments: many per table, so every worker gets some.
  t = await openColumnTestEngine({ segmentRowsMax: 512 });
  await setParallelScanWorkers(2);
  const s = t.session();
  await run(s, `CREATE TABLE li (id int8 PRIMARY KEY, qty numeric(15,2), price numeric(15,2), disc numeric(15,2), tax numeric(15,2),
    flag char(1), status char(1), shipdate date, n int4)`);
  const values: string[] = [];
  for (let i = 1; i <= 4000; i++) {
    values.push(`(${i}, ${(i % 50) + 1}.${i % 10}0, ${1000 + (i % 997)}.${String(i % 100).padStart(2, '0')}, 0.0${i % 10}, 0.0${i % 9}, '${['A', 'N', 'R'][(i * 7) % 3] ?? 'A'}',
      '${i % 5 === 0 ? 'O' : 'F'}', date '1994-01-01' + ${i % 1500}, ${i % 100})`);
  }
  await run(s, `INSERT INTO li VALUES ${values.join(', ')}`);
});

afterAll(async () => {
  setFusedOptions({ enabled: true, parallelRowsMin: 100_000 });
  await setParallelScanWorkers(null);
  await t.close();
});

const q1 = `SELECT flag, status, sum(qty) AS sum_qty, sum(price) AS sum_base, sum(price * (1 - disc)) AS sum_disc, sum(price * (1 - disc) * (1 + tax)) AS sum_charge,
  avg(qty) AS avg_qty, avg(price), avg(disc), count(*) AS n, sum(n), avg(n), count(qty)
  FROM li WHERE shipdate <= date '1998-12-01' - interval '90' day GROUP BY flag, status`;
const q6 = `SELECT sum(price * disc) AS revenue, count(*) FROM li WHERE shipdate >= date '1994-01-01' AND shipdate < date '1994-01-01' + interval '1' year
  AND disc BETWEEN 0.06 - 0.01 AND 0.06 + 0.01 AND qty < 24`;
const queries = [q1, q6,
  `SELECT status, sum(n * 2 + 1), count(*) FROM li WHERE n >= 10 AND price > 1500.5 GROUP BY status`,
  `SELECT sum(qty), avg(price), count(*) FROM li WHERE shipdate > date '2030-01-01'`,
  `SELECT flag, sum(qty) FROM li WHERE n < 0 GROUP BY flag`,
];

type Mode = 'row' | 'operators' | 'fused' | 'parallel';

async function answer(sql: string, mode: Mode): Promise<unknown[]> {
  const s = t.session();
  await run(s, `SET thunderdb.read_path = '${mode === 'row' ? 'row' : 'column'}'`);
  setFusedOptions({ enabled: mode !== 'operators', parallelRowsMin: mode === 'parallel' ? 0 : Infinity });
  return rows(s, sql);
}

async function explain(sql: string): Promise<string> {
  const s = t.session();
  await run(s, `SET thunderdb.read_path = 'column'`);
  return (await rows(s, `EXPLAIN ANALYZE ${sql}`)).map((r) => String(r[0])).join('\n');
}

async function expectAllAgree(list: readonly string[] = queries): Promise<void> {
  for (const sql of list) {
    const row = await answer(sql, 'row');
    // Unordered queries: the column paths make groups in the order they meet them, the same on every column path.
    const operators = await answer(sql, 'operators');
    expect(await answer(sql, 'fused'), sql).toEqual(operators);
    expect(await answer(sql, 'parallel'), sql).toEqual(operators);
    const key = (r: unknown): string => JSON.stringify(r, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : typeof v === 'object' && v !== null && 'coefficient' in v ? String(v) : v));
    expect(operators.map(key).sort(), sql).toEqual(row.map(key).sort());
  }
}

describe('the fused scan-aggregate kernel', () => {
  it('answers as the operator path and the row path, on this thread and on 2 workers', async () => {
    const parallelBefore = vectorizedCounters.parallelRuns;
    await expectAllAgree();
    // Q1, Q6 and the status query on workers; zone maps prune every segment of the last two (nothing to spread).
    expect(vectorizedCounters.parallelRuns - parallelBefore).toBeGreaterThanOrEqual(3);
    setFusedOptions({ parallelRowsMin: 0 });
    expect(await explain(q1)).toContain('fused, parallel workers=2');
    setFusedOptions({ parallelRowsMin: Infinity });
    const serial = await explain(q1);
    expect(serial).toContain('fused;');
    expect(serial).not.toContain('parallel workers');
  });

  it('sees deletes and updates at the read index', async () => {
    const s = t.session();
    await run(s, `DELETE FROM li WHERE id % 7 = 0`);
    await run(s, `UPDATE li SET price = price + 1, flag = 'R' WHERE id % 11 = 0`);
    await expectAllAgree();
  });

  it('answers at its snapshot while a write commits during the parallel run', async () => {
    const before = await answer(q1, 'row');
    setFusedOptions({ enabled: true, parallelRowsMin: 0 });
    const reader = t.session();
    await run(reader, `SET thunderdb.read_path = 'column'`);
    const pending = rows(reader, q1);
    const writer = t.session();
    await run(writer, `INSERT INTO li SELECT i, 1.00, 2.00, 0.01, 0.02, 'A', 'F', date '1995-01-01', 1 FROM generate_series(100001, 100500) i`);
    const after = await answer(q1, 'row');
    expect(after).not.toEqual(before);
    const seen = await pending;
    const sorted = (r: unknown[]): string[] => r.map((x) => JSON.stringify(x, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : typeof v === 'object' && v !== null && 'coefficient' in v ? String(v) : v))).sort();
    // Either snapshot, never a mix of the two.
    expect([JSON.stringify(sorted(before)), JSON.stringify(sorted(after))]).toContain(JSON.stringify(sorted(seen)));
    await expectAllAgree();
  });

  it('leaves the kernel for NULLs and for values past the exact range, with the same answers', async () => {
    const s = t.session();
    await run(s, `INSERT INTO li VALUES (200001, NULL, 5.00, 0.01, 0.01, 'N', 'O', date '1994-02-02', NULL)`);
    await expectAllAgree();
    await run(s, `DELETE FROM li WHERE id = 200001`);
    await run(s, `INSERT INTO li VALUES (200002, 9999999999999.99, 9999999999999.99, 0.01, 0.01, 'N', 'O', date '1994-02-02', 7)`);
    // price × (1 - disc) × (1 + tax) at scale 6 is past 2^53 for that row: the statement runs on the row path.
    await expectAllAgree();
  });
});

// Fact ⋈ small dimension on an integer key under a global aggregate (Q14, Q19): the join kernel (dimjoin.ts).
const q14 = `SELECT 100.00 * sum(CASE WHEN ptype LIKE 'PROMO%' THEN price * (1 - disc) ELSE 0 END) / sum(price * (1 - disc)) AS promo,
  count(*), count(CASE WHEN ptype LIKE 'PROMO%' THEN 1 END)
  FROM li, pt WHERE n = pk AND shipdate >= date '1995-01-01' AND shipdate < date '1995-01-01' + interval '6' month`;
const q19 = `SELECT sum(price * (1 - disc)) AS revenue, count(*) FROM li, pt
  WHERE (pk = n AND brand = 'Brand#1' AND cont IN ('SM CASE', 'SM BOX') AND qty >= 1 AND qty <= 1 + 10 AND psize BETWEEN 1 AND 5
      AND flag IN ('A', 'N') AND status = 'F')
    OR (pk = n AND brand = 'Brand#2' AND cont IN ('MED BAG', 'MED BOX') AND qty >= 10 AND qty <= 20 AND psize BETWEEN 1 AND 10
      AND flag IN ('A', 'R') AND status = 'F')`;
const joinQueries = [q14, q19,
  `SELECT count(*), sum(qty), avg(price), sum(CASE WHEN brand = 'Brand#1' THEN n + 1 WHEN psize > 3 THEN 1 END) FROM pt JOIN li ON pk = n WHERE qty < 30`,
  `SELECT sum(price) FROM li, pt WHERE n = pk AND ptype LIKE 'NOTHING%'`,
];

describe('the fused join kernel (fact ⋈ small dimension)', () => {
  beforeAll(async () => {
    const s = t.session();
    await run(s, `CREATE TABLE pt (pk int4 PRIMARY KEY, ptype text, brand text, cont text, psize int4)`);
    const values: string[] = [];
    for (let k = 0; k < 100; k++) {
      const nullable = (v: string): string => (k % 13 === 5 ? 'NULL' : `'${v}'`);
      values.push(`(${k}, ${nullable(k % 4 === 0 ? 'PROMO X' : 'STANDARD Y')}, ${nullable(`Brand#${k % 3}`)}, '${['SM CASE', 'MED BAG', 'SM BOX', 'MED BOX'][k % 4] ?? ''}', ${k % 17 === 3 ? 'NULL' : k % 12})`);
    }
    await run(s, `INSERT INTO pt VALUES ${values.join(', ')}`);
  });

  it('answers as the operator path and the row path, on this thread and on 2 workers', async () => {
    const before = vectorizedCounters.fusedRuns;
    const parallelBefore = vectorizedCounters.parallelRuns;
    await expectAllAgree(joinQueries);
    expect(vectorizedCounters.fusedRuns - before).toBeGreaterThanOrEqual(2 * joinQueries.length);
    expect(vectorizedCounters.parallelRuns - parallelBefore).toBeGreaterThanOrEqual(joinQueries.length);
    setFusedOptions({ parallelRowsMin: 0 });
    expect(await explain(q14)).toContain('fused, parallel workers=2');
  });

  it('sees deletes and updates on both sides, and NULL keys', async () => {
    const s = t.session();
    await run(s, `DELETE FROM pt WHERE pk % 9 = 0`);
    await run(s, `UPDATE pt SET brand = 'Brand#1', psize = 2 WHERE pk % 10 = 1`);
    await run(s, `UPDATE li SET n = NULL WHERE id % 13 = 0`);
    await run(s, `UPDATE li SET n = 500 WHERE id % 17 = 0`);
    await expectAllAgree(joinQueries);
  });

  it('leaves the kernel for a dimension key past the direct-index range, with the same answers', async () => {
    const s = t.session();
    await run(s, `INSERT INTO pt VALUES (2000000000, 'PROMO Z', 'Brand#1', 'SM CASE', 3)`);
    await run(s, `UPDATE li SET n = 2000000000 WHERE id % 19 = 0`);
    await expectAllAgree(joinQueries);
    // The other queries' dimension filters leave that key out (or no row at all): they still take the kernel.
    expect(await explain(q14)).not.toContain('fused');
  });
});

// Q12's shape: fact ⋈ a dimension a quarter of its size or more (orders), grouped by a fact dictionary column,
// column-versus-column date filters, CASE over dimension-only conditions (dimjoin.ts's class array).
const q12 = `SELECT mode,
  sum(CASE WHEN prio = '1-URGENT' OR prio = '2-HIGH' THEN 1 ELSE 0 END) AS high,
  sum(CASE WHEN prio <> '1-URGENT' AND prio <> '2-HIGH' THEN 1 ELSE 0 END) AS low
  FROM ord, line WHERE okey = lokey AND mode IN ('MAIL', 'SHIP') AND commitd < receiptd AND shipd < commitd
    AND receiptd >= date '1994-01-01' AND receiptd < date '1994-01-01' + interval '1' year
  GROUP BY mode ORDER BY mode`;
const groupedQueries = [q12,
  `SELECT mode, flag, count(*), sum(qty), avg(qty * 2), sum(CASE WHEN prio = '1-URGENT' THEN qty WHEN total > 500 THEN 1 END), count(qty)
    FROM line JOIN ord ON lokey = okey WHERE shipd < receiptd GROUP BY mode, flag ORDER BY mode, flag`,
  // Dimension values in an aggregate: not a kernel shape (the operator path), the same answers.
  `SELECT mode, sum(total), count(prio) FROM ord, line WHERE okey = lokey AND qty > 10 GROUP BY mode ORDER BY mode`,
];

describe('the fused join kernel grouped by fact dictionary columns (Q12)', () => {
  beforeAll(async () => {
    const s = t.session();
    await run(s, `CREATE TABLE ord (okey int8 PRIMARY KEY, prio text, total numeric(12,2))`);
    await run(s, `CREATE TABLE line (id int8 PRIMARY KEY, lokey int8, mode text, flag char(1), qty numeric(15,2), shipd date, commitd date, receiptd date)`);
    const orders: string[] = [];
    // Sparse keys (every 4th, as TPC-H's o_orderkey), 1,200 orders: more than a quarter of line's 3,000 rows.
    for (let k = 0; k < 1200; k++) {
      const prio = k % 23 === 7 ? 'NULL' : `'${['1-URGENT', '2-HIGH', '3-MEDIUM', '4-NOT SPECIFIED', '5-LOW'][k % 5] ?? ''}'`;
      orders.push(`(${k * 4 + 1}, ${prio}, ${(k * 37) % 1000}.${k % 100})`);
    }
    await run(s, `INSERT INTO ord VALUES ${orders.join(', ')}`);
    const lines: string[] = [];
    for (let i = 1; i <= 3000; i++) {
      const key = i % 29 === 0 ? 'NULL' : String(((i * 7) % 1300) * 4 + 1); // some keys past the last order: no match
      const mode = i % 31 === 0 ? 'NULL' : `'${['MAIL', 'SHIP', 'AIR', 'TRUCK'][i % 4] ?? ''}'`;
      const ship = `date '1993-10-01' + ${i % 500}`;
      lines.push(`(${i}, ${key}, ${mode}, '${['A', 'N', 'R'][i % 3] ?? ''}', ${(i % 50) + 1}.${i % 10}0, ${ship}, ${ship} + ${(i * 3) % 40 - 10}, ${ship} + ${(i * 5) % 30})`);
    }
    await run(s, `INSERT INTO line VALUES ${lines.join(', ')}`);
  });

  it('answers as the operator path and the row path, on this thread and on 2 workers', async () => {
    const before = vectorizedCounters.fusedRuns;
    await expectAllAgree(groupedQueries);
    expect(vectorizedCounters.fusedRuns - before).toBeGreaterThanOrEqual(2 * (groupedQueries.length - 1));
    setFusedOptions({ parallelRowsMin: 0 });
    expect(await explain(q12)).toContain('fused, parallel workers=2');
    expect(await answer(q12, 'row')).toHaveLength(2);
  });

  it('sees deletes and updates on both sides, NULL join keys, dimension columns and group keys', async () => {
    const s = t.session();
    await run(s, `DELETE FROM ord WHERE okey % 9 = 0`);
    await run(s, `UPDATE ord SET prio = NULL WHERE okey % 10 = 1`);
    await run(s, `UPDATE line SET lokey = NULL, mode = 'MAIL' WHERE id % 13 = 0`);
    await run(s, `UPDATE line SET mode = NULL WHERE id % 17 = 0`);
    await expectAllAgree(groupedQueries);
  });

  it('leaves the kernel when a dimension key is past the direct-index range, with the same answers', async () => {
    const s = t.session();
    await run(s, `INSERT INTO ord VALUES (2000000000, '1-URGENT', 1.00)`);
    await run(s, `UPDATE line SET lokey = 2000000000 WHERE id % 19 = 0`);
    const before = vectorizedCounters.fusedRuns;
    await expectAllAgree(groupedQueries);
    expect(vectorizedCounters.fusedRuns - before).toBe(0);
    await run(s, `DELETE FROM ord WHERE okey = 2000000000`);
    expect(await explain(q12)).toContain('fused');
  });
});
