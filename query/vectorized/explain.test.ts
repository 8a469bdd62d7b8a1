// EXPLAIN ANALYZE on the column path: every vectorized operator line carries
// PostgreSQL's (actual time=FIRST..TOTAL rows=N loops=1) and its own counts.
// The data is small and regular so each operator's rows can be counted by
// hand (see each test's comments); segments hold 100 rows so zone maps prune.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows, run } from '../engine-impl/testing/harness.js';
import { setFusedOptions } from './parallel/fused.js';
import { openColumnTestEngine, type ColumnTestEngine } from './testing.js';

let t: ColumnTestEngine;

beforeAll(async () => {
  t = await openColumnTestEngine({ segmentRowsMax: 100 });
  const s = t.session();
  // f: ids 1..1000 in order (10 segments of 100, id ascending: id > 500 prunes 5), dim_id = id % 10,
  // kind 'x' when id % 4 = 0 else 'y', v = id, price = id / 100.
  await run(s, `CREATE TABLE f (id int4 PRIMARY KEY, dim_id int4, kind text, v int4, price numeric(15,2))`);
  await run(s, `INSERT INTO f SELECT g, g % 10, CASE WHEN g % 4 = 0 THEN 'x' ELSE 'y' END, g, g / 100.0 FROM generate_series(1, 1000) g`);
  // dim: 0..9, d_grp = d_id % 2; grp: 0 'even', 1 'odd'.
  await run(s, `CREATE TABLE dim (d_id int4 PRIMARY KEY, d_grp int4, d_name text)`);
  await run(s, `INSERT INTO dim SELECT g, g % 2, 'd' || g FROM generate_series(0, 9) g`);
  await run(s, `CREATE TABLE grp (g_id int4 PRIMARY KEY, g_name text)`);
  await run(s, `INSERT INTO grp VALUES (0, 'even'), (1, 'odd')`);
});

afterAll(async () => {
  setFusedOptions({ enabled: true });
  await t.close();
});

async function explain(sql: string, analyze = true): Promise<string[]> {
  const s = t.session();
  await run(s, `SET thunderdb.read_path = 'column'`);
  return (await rows(s, `EXPLAIN ${analyze ? 'ANALYZE ' : ''}${sql}`)).map((r) => String(r[0]));
}

interface Line { readonly rows: number; readonly first: number; readonly total: number; readonly details: readonly string[] }

/** The n-th (0-based) plan line containing `title`: its actual rows and times, and the detail lines under it. */
function line(plan: readonly string[], title: string, n = 0): Line {
  const at = plan.map((l, i) => (l.includes(title) ? i : -1)).filter((i) => i >= 0)[n];
  if (at === undefined) throw new Error(`no line ${n} with ${title} in\n${plan.join('\n')}`);
  const text = plan[at] ?? '';
  const m = /\(actual time=(\d+\.\d{3})\.\.(\d+\.\d{3}) rows=(\d+) loops=1\)$/.exec(text);
  if (m === null) throw new Error(`no actual rows/time on: ${text}`);
  const details: string[] = [];
  for (let i = at + 1; i < plan.length; i++) {
    const d = plan[i] ?? '';
    if (d.includes('->') || !d.startsWith(' ')) break;
    // Yields to other work depend on the machine's load, not on the data.
    if (!d.trim().startsWith('Yielded:')) details.push(d.trim());
  }
  const first = Number(m[1]);
  const total = Number(m[2]);
  expect(first, text).toBeLessThanOrEqual(total);
  return { rows: Number(m[3]), first, total, details };
}

function executionMs(plan: readonly string[]): number {
  const m = /^Execution Time: (\d+\.\d{3}) ms$/.exec(plan.find((l) => l.startsWith('Execution Time')) ?? '');
  expect(m, plan.join('\n')).not.toBeNull();
  return Number(m?.[1]);
}

const threeWay = `SELECT g_name, count(*), sum(v) FROM f JOIN dim ON f.dim_id = dim.d_id JOIN grp ON dim.d_grp = grp.g_id
  WHERE f.id > 500 AND f.kind = 'x' AND dim.d_id < 6 GROUP BY g_name`;

describe('EXPLAIN ANALYZE on the column path', () => {
  it('gives every operator of a 3-way join and aggregate its rows, and its own counts', async () => {
    setFusedOptions({ enabled: false });
    const plan = await explain(threeWay);
    // Every vectorized line has actual rows and times.
    for (const l of plan.filter((x) => x.includes('Vectorized'))) expect(l, plan.join('\n')).toMatch(/\(actual time=\d+\.\d{3}\.\.\d+\.\d{3} rows=\d+ loops=1\)$/);
    // f: id > 500 prunes the first 5 of 10 segments; 500 rows scanned. kind = 'x' (id % 4 = 0) keeps 125 of
    // them; dim's key set {0..5} (dense: tested after the filters) drops dim_id 6 and 8: 50 rows, 75 left.
    const fScan = line(plan, 'Vectorized Column Scan on f');
    expect(fScan.details).toEqual(['Zone Map Pruning: 1 range/equality conjuncts', 'Segments: 5 of 10 scanned, 5 pruned by zone maps', 'Rows Scanned: 500', 'Rows Removed by Join Key Sets: 50']);
    expect(fScan.rows).toBe(450);
    const fFilter = line(plan, 'Vectorized Filter (2 conjuncts');
    expect(fFilter.rows).toBe(75);
    expect(fFilter.details).toEqual(['Rows Removed by Filter: 375']);
    expect(fFilter.total).toBeGreaterThanOrEqual(fScan.total);
    // dim: d_id < 6 keeps 6 of 10.
    const dimScan = line(plan, 'Vectorized Column Scan on dim');
    expect(dimScan.rows).toBe(10);
    expect(dimScan.details).toContain('Rows Scanned: 10');
    const dimFilter = line(plan, 'Vectorized Filter (1 conjuncts');
    expect(dimFilter.rows).toBe(6);
    expect(dimFilter.details).toEqual(['Rows Removed by Filter: 4']);
    // f ⋈ dim: builds on dim's 6 rows, probed by f's 75, all match (dim_id 0, 2, 4).
    const inner = line(plan, 'Vectorized Hash Join', 1);
    expect(inner.rows).toBe(75);
    expect(inner.details).toEqual([
      'Build: right input (6 rows), probed by the left input (75 rows)',
      'Join Key Sets: the right input\'s keys (1 key) pushed into the left input, removed 50 rows there',
    ]);
    // ... ⋈ grp: grp's 2 rows; every d_grp is 0 or 1, so its key set removes nothing.
    const outer = line(plan, 'Vectorized Hash Join', 0);
    expect(outer.rows).toBe(75);
    expect(outer.details[0]).toBe('Build: right input (2 rows), probed by the left input (75 rows)');
    expect(outer.details[1]).toMatch(/removed 0 rows there$/);
    expect(line(plan, 'Vectorized Column Scan on grp').rows).toBe(2);
    // Inclusive times: each join covers its inputs.
    expect(inner.total).toBeGreaterThanOrEqual(line(plan, 'Vectorized Project (5 columns)').total);
    expect(outer.total).toBeGreaterThanOrEqual(inner.total);
    // Every d_grp is 0: one group ('even') of 75 rows.
    const aggregate = line(plan, 'Vectorized Hash Aggregate');
    expect(aggregate.rows).toBe(1);
    expect(aggregate.details).toEqual(['Groups: 1 from 75 rows']);
    expect(aggregate.total).toBeGreaterThanOrEqual(outer.total);
    // Execution Time covers the leaf (it runs inside the timed execution).
    expect(executionMs(plan)).toBeGreaterThanOrEqual(aggregate.total);
    expect(plan.at(-1)).toBe('Read Path: column (thunderdb.read_path = column)');
    const s = t.session();
    let sum = 0;
    for (let id = 501; id <= 1000; id++) if (id % 4 === 0 && id % 10 <= 5) sum += id;
    await run(s, `SET thunderdb.read_path = 'column'`);
    const answer = await rows(s, threeWay);
    expect(answer.map((r) => r.map(String))).toEqual([['even', '75', String(sum)]]);
  });

  it('a LIMIT over rows is the leaf\'s Vectorized Top-N line, whose time includes the lines below it', async () => {
    setFusedOptions({ enabled: false });
    // kind = 'y' (id % 4 <> 0): 750 of 1000; ORDER BY v DESC LIMIT 3 keeps 3 (v is unique).
    const plan = await explain(`SELECT id, v FROM f WHERE kind = 'y' ORDER BY v DESC LIMIT 3`);
    const scan = line(plan, 'Vectorized Column Scan on f');
    expect(scan.rows).toBe(1000);
    expect(scan.details).toEqual(['Segments: 10 of 10 scanned, 0 pruned by zone maps', 'Rows Scanned: 1000']);
    const filter = line(plan, 'Vectorized Filter');
    expect(filter.rows).toBe(750);
    expect(filter.details).toEqual(['Rows Removed by Filter: 250']);
    const top = line(plan, 'Vectorized Top-N (limit 3)  Sort Key: v DESC');
    expect(top.rows).toBe(3);
    const project = line(plan, 'Vectorized Project (2 columns)');
    expect(top.total).toBeGreaterThanOrEqual(project.total);
    expect(project.total).toBeGreaterThanOrEqual(filter.total);
    // The row executor's Sort and Limit are gone: the leaf hands up the 3 rows in order.
    expect(plan.some((l) => /^\s*(->\s+)?(Sort|Limit)\b/.test(l))).toBe(false);
    expect(executionMs(plan)).toBeGreaterThanOrEqual(top.total);
  });

  it('keeps the fused kernels\' lines, with the rows they count and their time', async () => {
    setFusedOptions({ enabled: true, parallelRowsMin: Infinity });
    // id > 300: 3 of 10 segments pruned, 700 rows, all pass; kinds x and y.
    const scanKernel = await explain(`SELECT kind, count(*), sum(price) FROM f WHERE id > 300 GROUP BY kind ORDER BY kind`);
    const aggregate = line(scanKernel, 'Vectorized Hash Aggregate');
    expect(aggregate.rows).toBe(2);
    expect(aggregate.details).toEqual(['Groups: 2 from 700 rows', 'Kernel: fused; scan, filters and aggregate in one loop on this thread']);
    expect(line(scanKernel, 'Vectorized Filter').details).toEqual(['Rows Removed by Filter: 0']);
    const scan = line(scanKernel, 'Vectorized Column Scan on f');
    expect(scan.rows).toBe(700);
    expect(scan.details).toContain('Segments: 7 of 10 scanned, 3 pruned by zone maps');
    // The join kernel: dim's d_name IN ('d1', 'd2') keeps 2 of 10 (operator path, its own lines); f's id <= 200
    // reads 2 of 10 segments, and 40 of those 200 rows have dim_id 1 or 2.
    const joinKernel = await explain(`SELECT count(*), sum(price) FROM f, dim WHERE f.dim_id = dim.d_id AND d_name IN ('d1', 'd2') AND f.id <= 200`);
    const top = line(joinKernel, 'Vectorized Hash Aggregate');
    expect(top.details).toEqual(['Groups: 1 from 40 rows', 'Kernel: fused; fact scan, filters, join and aggregate in one loop on this thread']);
    const join = line(joinKernel, 'Vectorized Hash Join');
    expect(join.rows).toBe(40);
    expect(join.details[0]).toMatch(/input \(2 rows\), probed by the \w+ input \(200 rows\)$/);
    expect(line(joinKernel, 'Vectorized Column Scan on f').details).toContain('Segments: 2 of 10 scanned, 8 pruned by zone maps');
    expect(joinKernel.filter((l) => l.includes('(inside the fused kernel above)'))).toHaveLength(2);
    expect(line(joinKernel, 'Vectorized Filter (1 conjuncts', 1).rows).toBe(2);
    setFusedOptions({ enabled: true, parallelRowsMin: 100_000 });
  });

  it('gives each of two leaves under a row-executor join its own numbers, inside the join\'s time', async () => {
    setFusedOptions({ enabled: false });
    // The aggregate's output is no join input of the column path: the row executor joins two leaves. kind = 'x'
    // rows have dim_id 0, 2, 4, 6, 8 (250 rows, 5 groups); d_grp = 0 keeps dims 0, 2, 4, 6, 8.
    const plan = await explain(`SELECT d_name, c FROM (SELECT dim_id, count(*) AS c FROM f WHERE kind = 'x' GROUP BY dim_id) a
      JOIN (SELECT d_id, d_name FROM dim WHERE d_grp = 0) d ON a.dim_id = d.d_id`);
    const aggregate = line(plan, 'Vectorized Hash Aggregate');
    expect(aggregate.rows).toBe(5);
    expect(aggregate.details).toEqual(['Groups: 5 from 250 rows']);
    expect(line(plan, 'Vectorized Filter', 0).details).toEqual(['Rows Removed by Filter: 750']);
    const dims = line(plan, 'Vectorized Project');
    expect(dims.rows).toBe(5);
    expect(line(plan, 'Vectorized Filter', 1).details).toEqual(['Rows Removed by Filter: 5']);
    const join = line(plan, 'Hash Join');
    expect(join.rows).toBe(5);
    expect(join.total).toBeGreaterThanOrEqual(Math.max(aggregate.total, dims.total));
  });

  it('plain EXPLAIN prints the operators without running them', async () => {
    setFusedOptions({ enabled: false });
    const plan = await explain(threeWay, false);
    expect(plan.filter((l) => l.includes('Vectorized'))).toHaveLength(12);
    expect(plan.join('\n')).not.toMatch(/actual|Rows Scanned|Segments:|Execution Time/);
    expect(plan.filter((l) => l.includes('Zone Map Pruning'))).toHaveLength(2);
  });
});
