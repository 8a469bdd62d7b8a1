// Timing of TPC-H Q1 and Q6 on a lineitem-shaped table, column path vs row
// path, in-process. Skipped unless THUNDER_VECTOR_MEASURE_ROWS is set; prints,
// never asserts a time (ARCHITECTURE.md, "Performance discipline").
//   THUNDER_VECTOR_MEASURE_ROWS=1000000 npx vitest run query/vectorized/measure.test.ts

import { describe, expect, it } from 'vitest';
import { rows, run } from '../engine-impl/testing/harness.js';
import { openColumnTestEngine } from './testing.js';

const rowCount = Number(process.env.THUNDER_VECTOR_MEASURE_ROWS ?? 0);

const q1 = `SELECT l_returnflag, l_linestatus, sum(l_quantity) AS sum_qty, sum(l_extendedprice) AS sum_base_price,
  sum(l_extendedprice * (1 - l_discount)) AS sum_disc_price, sum(l_extendedprice * (1 - l_discount) * (1 + l_tax)) AS sum_charge,
  avg(l_quantity) AS avg_qty, avg(l_extendedprice) AS avg_price, avg(l_discount) AS avg_disc, count(*) AS count_order
  FROM lineitem WHERE l_shipdate <= date '1998-12-01' - interval '90' day
  GROUP BY l_returnflag, l_linestatus ORDER BY l_returnflag, l_linestatus`;
const q6 = `SELECT sum(l_extendedprice * l_discount) AS revenue FROM lineitem
  WHERE l_shipdate >= date '1994-01-01' AND l_shipdate < date '1994-01-01' + interval '1' year
  AND l_discount BETWEEN 0.06 - 0.01 AND 0.06 + 0.01 AND l_quantity < 24`;

describe.skipIf(rowCount === 0)('Q1 / Q6 timing', () => {
  it(`on ${rowCount} rows`, async () => {
    const t = await openColumnTestEngine();
    const s = t.session();
    await run(s, `CREATE TABLE lineitem (l_id int8 PRIMARY KEY, l_quantity numeric(15,2), l_extendedprice numeric(15,2), l_discount numeric(15,2),
      l_tax numeric(15,2), l_returnflag char(1), l_linestatus char(1), l_shipdate date, l_suppkey int4)`);
    // Generated inside the engine (short statements: the statement cache never holds big literal ASTs).
    const loadStart = performance.now();
    const batch = 50_000;
    for (let lo = 1; lo <= rowCount; lo += batch) {
      const hi = Math.min(rowCount, lo + batch - 1);
      await run(s, `INSERT INTO lineitem SELECT i, q, q * (900 + (i * 104729) % 1000) + ((i * 37) % 100) / 100.0, ((i * 31) % 11) / 100.0, ((i * 17) % 9) / 100.0,
        substr('ANR', ((i * 13) % 3 + 1)::int4, 1), CASE WHEN (i * 7727) % 2526 > 1260 THEN 'O' ELSE 'F' END, date '1992-01-02' + ((i * 7727) % 2526)::int4, (i * 7) % 10000
        FROM (SELECT i, (i * 7919) % 50 + 1 AS q FROM generate_series(${lo}::int8, ${hi}::int8) i) g`);
    }
    const loadMs = performance.now() - loadStart;
    await t.columnStore.waitApplied(t.rowStore.appliedIndex(), 60_000);
    const timings: Record<string, number[]> = {};
    const answers: Record<string, unknown> = {};
    for (const [name, sql] of [['Q1', q1], ['Q6', q6]] as const) {
      for (const path of ['row', 'column'] as const) {
        await run(s, `SET thunderdb.read_path = '${path}'`);
        const times: number[] = [];
        for (let k = 0; k < (path === 'row' ? 2 : 5); k++) {
          const started = performance.now();
          const result = await rows(s, sql);
          times.push(performance.now() - started);
          answers[`${name}/${path}`] = result;
        }
        timings[`${name} ${path}`] = times;
      }
      expect(answers[`${name}/column`]).toEqual(answers[`${name}/row`]);
    }
    console.log(JSON.stringify({ rowCount, loadMs: Math.round(loadMs), timingsMs: Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, v.map((x) => Math.round(x))])) }));
    await t.close();
  }, 3_600_000);
});
