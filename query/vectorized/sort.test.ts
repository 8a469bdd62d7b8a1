// Sort, top-N and limit over the leaf's vectors (sort.ts): the column path
// returns what the row path returns for ORDER BY / LIMIT / OFFSET over every
// key kind (NULLs, NaN, DESC, NULLS FIRST/LAST, several keys, dictionary and
// utf8 text with non-ASCII, numerics of different scales, deleted rows), and
// EXPLAIN shows the sort as part of the leaf. Every ORDER BY here is a total
// order (ties end on id), as PostgreSQL's sort need not be stable.

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareKeys, type SortSpec } from '../executor/compare-rows.js';
import type { Row } from '../executor/index.js';
import { rows, run } from '../engine-impl/testing/harness.js';
import type { ResultRow } from '../engine.js';
import { Decimal } from '../types/numeric/decimal.js';
import type { SqlType } from '../types/sql-type.js';
import { vectorizedCounters } from './path.js';
import { SortCollector, type ValueAt, type VectorSort } from './sort.js';
import { openColumnTestEngine, type ColumnTestEngine } from './testing.js';
import type { Vec } from './vec.js';

let t: ColumnTestEngine;

// Low-cardinality text (a dictionary per segment) with non-ASCII: é, CJK, an astral emoji and U+FFFD, whose
// UTF-16 order differs from code point order (the row executor orders text by code point).
const words = ['ant', 'Bee', 'émile', '中文', 'zeta', '😀', '\uFFFD', 'ant '];

beforeAll(async () => {
  // 64-row segments (many units to merge); more than 8 distinct strings in a segment makes it utf8.
  t = await openColumnTestEngine({ segmentRowsMax: 64, dictionaryEntriesMax: 8 });
  const s = t.session();
  await run(s, `CREATE TABLE st (id int8 PRIMARY KEY, a int4, b int8, m numeric(15,2), w numeric(12,4), n numeric, f float8, ok bool, c text, u text, d date, ts timestamp)`);
  let seed = 7;
  const next = (k: number): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % k; };
  const floats = ['NULL', `'NaN'`, `'Infinity'`, `'-Infinity'`, '-0', '0', '1.5', '-2.25', '1e300'];
  const nums = ['NULL', '1.5', '1.50', '2', '0.125', '-3.1', '100', '2.000'];
  const values: string[] = [];
  for (let i = 1; i <= 700; i++) {
    const a = next(9) === 0 ? 'NULL' : String(next(21) - 10);
    const b = next(11) === 0 ? 'NULL' : String((next(2000) - 1000) * 1_000_003);
    const m = next(10) === 0 ? 'NULL' : `${next(4000) - 2000}.${String(next(100)).padStart(2, '0')}`;
    const w = next(10) === 0 ? 'NULL' : `${next(50) - 25}.${String(next(10000)).padStart(4, '0')}`;
    const c = next(9) === 0 ? 'NULL' : `'${words[next(words.length)] ?? 'ant'}'`;
    // Segments of rows 1-320: at most 8 distinct u values (dictionary); later ones: many (utf8).
    const u = next(12) === 0 ? 'NULL' : i <= 320 ? `'${words[next(4)] ?? ''}${next(2)}'` : `'${words[next(words.length)] ?? ''}${next(500)}'`;
    const ok = ['NULL', 'true', 'false'][next(3)] ?? 'NULL';
    const d = next(8) === 0 ? 'NULL' : `date '1995-01-01' + ${next(300)}`;
    const ts = next(8) === 0 ? 'NULL' : `timestamp '1995-01-01 00:00' + interval '${next(100000)} minutes'`;
    values.push(`(${i}, ${a}, ${b}, ${m}, ${w}, ${nums[next(nums.length)] ?? 'NULL'}, ${floats[next(floats.length)] ?? 'NULL'}, ${ok}, ${c}, ${u}, ${d}, ${ts})`);
  }
  for (let k = 0; k < values.length; k += 100) await run(s, `INSERT INTO st VALUES ${values.slice(k, k + 100).join(', ')}`);
  // Deleted and updated rows: the sort sees only the visible ones.
  await run(s, `DELETE FROM st WHERE id % 17 = 3 OR id BETWEEN 100 AND 140`);
  await run(s, `UPDATE st SET m = m + 1, c = 'zeta' WHERE id % 23 = 5`);
});

afterAll(async () => {
  await t.close();
});

function canonical(row: ResultRow): string {
  return JSON.stringify(row.map((v) => (v instanceof Decimal ? `n:${v.toString()}` : typeof v === 'bigint' ? `b:${v}` : typeof v === 'number' && Object.is(v, -0) ? 'f:-0' : v)));
}

async function both(sql: string): Promise<{ row: string[]; column: string[]; plan: string }> {
  const s = t.session();
  await run(s, `SET thunderdb.read_path = 'row'`);
  const row = (await rows(s, sql)).map(canonical);
  await run(s, `SET thunderdb.read_path = 'column'`);
  const column = (await rows(s, sql)).map(canonical);
  const plan = (await rows(s, `EXPLAIN ${sql}`)).map((r) => String(r[0])).join('\n');
  return { row, column, plan };
}

const rowSortOrLimit = /^\s*(->\s+)?(Sort|Limit)\b/m;

describe('vectorized sort, top-N and limit', () => {
  const covered = [
    'SELECT id, a, m FROM st ORDER BY a, id',
    'SELECT id, a, m FROM st ORDER BY a DESC, id',
    'SELECT id, a FROM st ORDER BY a NULLS FIRST, id DESC',
    'SELECT id, a FROM st ORDER BY a DESC NULLS LAST, id LIMIT 25',
    'SELECT id, b, m FROM st ORDER BY m DESC, b, id LIMIT 10',
    'SELECT id, w, m FROM st ORDER BY w, m DESC NULLS FIRST, id LIMIT 40 OFFSET 3',
    // Per-row scales (a CASE over numeric(15,2) and numeric(12,4)) and a scale-3 product.
    'SELECT id, CASE WHEN a > 0 THEN m ELSE w END AS x FROM st ORDER BY x, id',
    'SELECT id, m * 1.5 AS y, w FROM st ORDER BY y DESC, w, id LIMIT 9',
    'SELECT id, f FROM st ORDER BY f, id',
    'SELECT id, f FROM st ORDER BY f DESC NULLS LAST, id LIMIT 20',
    'SELECT id, ok, a FROM st ORDER BY ok, a DESC, id',
    'SELECT id, c FROM st ORDER BY c, id',
    'SELECT id, c FROM st ORDER BY c DESC, id LIMIT 15 OFFSET 5',
    'SELECT id, c, u FROM st ORDER BY u, id',
    'SELECT id, u FROM st ORDER BY u DESC NULLS LAST, id LIMIT 30',
    'SELECT id, c, u FROM st ORDER BY c NULLS FIRST, u DESC, id LIMIT 50',
    'SELECT id, d, ts FROM st ORDER BY d DESC, ts, id LIMIT 7',
    'SELECT id, ts FROM st ORDER BY ts NULLS FIRST, id',
    'SELECT id, a FROM st ORDER BY a, id LIMIT 0',
    'SELECT id, a FROM st ORDER BY a, id OFFSET 10000',
    'SELECT id, a FROM st ORDER BY a, id LIMIT 5 OFFSET 640',
    'SELECT id, a FROM st ORDER BY a, id OFFSET 600',
    'SELECT id, m FROM st WHERE a > 0 ORDER BY m, id LIMIT 12',
    'SELECT id, m * 2 AS mm FROM st WHERE c IS NOT NULL ORDER BY mm DESC, id LIMIT 5',
    'SELECT m, id FROM st ORDER BY 2 DESC LIMIT 3',
    'SELECT c, count(*), sum(m) FROM st GROUP BY c ORDER BY c',
    'SELECT a, sum(m) AS s FROM st GROUP BY a ORDER BY s DESC NULLS LAST, a LIMIT 4 OFFSET 2',
    'SELECT u, count(*) FROM st GROUP BY u ORDER BY count(*) DESC, u LIMIT 6',
    'SELECT count(*) FROM (SELECT id FROM st WHERE a > 0 LIMIT 10) q',
  ];
  for (const sql of covered) {
    it(`column path = row path: ${sql}`, async () => {
      const fallbacks = vectorizedCounters.fallbacks;
      const { row, column, plan } = await both(sql);
      expect(column, sql).toEqual(row);
      expect(plan, sql).toMatch(/Vectorized (Sort|Top-N|Limit)/);
      expect(plan, sql).not.toMatch(rowSortOrLimit);
      // The float column (NaN, ±Infinity, 1e300) falls back in the scan today, before any sorting; the others never.
      if (!sql.includes(' f')) expect(vectorizedCounters.fallbacks, sql).toBe(fallbacks);
    });
  }

  it('takes the first rows of a bare LIMIT in scan order and stops', async () => {
    const s = t.session();
    await run(s, `SET thunderdb.read_path = 'column'`);
    const got = await rows(s, 'SELECT id FROM st LIMIT 5 OFFSET 2');
    expect(got.length).toBe(5);
    const plan = (await rows(s, 'EXPLAIN SELECT id FROM st LIMIT 5 OFFSET 2')).map((r) => String(r[0])).join('\n');
    expect(plan).toContain('Vectorized Limit (limit 5, offset 2)');
  });

  it('leaves the row executor\'s Sort in place for what it does not cover', async () => {
    // A LIMIT that is not a constant, or WITH TIES: the leaf sorts, the row executor's Limit stays above it.
    for (const sql of [
      'SELECT id, a FROM st ORDER BY a, id FETCH FIRST 3 ROWS WITH TIES',
      'SELECT id, a FROM st ORDER BY a DESC, id LIMIT (SELECT 3)',
    ]) {
      const { row, column, plan } = await both(sql);
      expect(column, sql).toEqual(row);
      expect(plan, sql).toMatch(/^Limit\n\s+->\s+Vectorized Sort {2}Sort Key/);
    }
    // A sort key the leaf does not output as a column (an expression over an aggregate's output): the row Sort.
    const { row, column, plan } = await both('SELECT a, count(*) AS k FROM st GROUP BY a ORDER BY count(*) % 3, a');
    expect(column).toEqual(row);
    expect(plan).not.toMatch(/Vectorized (Sort|Top-N|Limit)/);
    expect(plan).toMatch(rowSortOrLimit);
  });

  it('EXPLAIN ANALYZE shows the top-N as part of the leaf and no row Sort', async () => {
    const s = t.session();
    await run(s, `SET thunderdb.read_path = 'column'`);
    const plan = (await rows(s, 'EXPLAIN ANALYZE SELECT id, m FROM st WHERE a >= 0 ORDER BY m DESC, id LIMIT 10')).map((r) => String(r[0]));
    const top = plan.findIndex((l) => l.includes('Vectorized Top-N (limit 10)  Sort Key: m DESC, id'));
    const scan = plan.findIndex((l) => l.includes('Vectorized Column Scan on st'));
    expect(top).toBeGreaterThanOrEqual(0);
    expect(scan).toBeGreaterThan(top);
    expect(plan.join('\n')).not.toMatch(rowSortOrLimit);
  });
});

// The collector alone against a stable sort of the row values (compare-rows.ts), over random units, selections,
// keys, NULLs and NaNs: full sorts and the bounded heap.
describe('SortCollector', () => {
  const types: SqlType[] = [{ kind: 'int4' }, { kind: 'float8' }, { kind: 'text' }];
  const valueAt: ValueAt = (vec, i) => {
    switch (vec.t) {
      case 'num': return vec.nulls !== null && vec.nulls[i] === 1 ? null : (vec.v[i] ?? null);
      case 'bool': return vec.v[i] === 2 ? null : vec.v[i] === 1;
      case 'dict': return vec.nulls !== null && vec.nulls[i] === 1 ? null : (vec.dict[vec.codes[i] ?? 0] ?? null);
      case 'str': return vec.v[i] ?? null;
    }
  };
  const cell = fc.record({
    a: fc.option(fc.integer({ min: -3, max: 3 }), { nil: null }),
    f: fc.option(fc.constantFrom(NaN, -1.5, 0, 2, Infinity), { nil: null }),
    s: fc.option(fc.constantFrom('a', 'B', 'é', '😀', '\uFFFD', ''), { nil: null }),
    keep: fc.boolean(),
  });
  it('orders and cuts as a stable sort would', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.array(cell, { maxLength: 40 }), fc.boolean()), { maxLength: 6 }),
      fc.array(fc.record({ column: fc.constantFrom(0, 1, 2), descending: fc.boolean(), nullsFirst: fc.boolean() }), { minLength: 0, maxLength: 3 }),
      fc.option(fc.integer({ min: 0, max: 12 }), { nil: null }), fc.integer({ min: 0, max: 6 }),
      (units, keySpecs, limit, offset) => {
        const sort: VectorSort = {
          keys: keySpecs.map((k) => ({ ...k, type: types[k.column] as SqlType, name: `c${k.column}` })),
          limit, offset: keySpecs.length === 0 && limit === null && offset === 0 ? 1 : offset, top: { kind: 'values', rows: [], columns: [] } as never,
        };
        const collector = new SortCollector(sort, types, valueAt);
        const expected: Row[] = [];
        for (const [cells, utf8] of units) {
          const dict = [...new Set(cells.map((c) => c.s ?? ''))];
          const vecs: Vec[] = [
            { t: 'num', v: Float64Array.from(cells, (c) => c.a ?? 0), nulls: Uint8Array.from(cells, (c) => (c.a === null ? 1 : 0)), scale: -1, rowScales: null },
            { t: 'num', v: Float64Array.from(cells, (c) => c.f ?? 0), nulls: Uint8Array.from(cells, (c) => (c.f === null ? 1 : 0)), scale: -1, rowScales: null },
            utf8 ? { t: 'str', v: cells.map((c) => c.s) } : { t: 'dict', codes: Uint32Array.from(cells, (c) => dict.indexOf(c.s ?? '')), dict, nulls: Uint8Array.from(cells, (c) => (c.s === null ? 1 : 0)) },
          ];
          const sel = Uint32Array.from(cells.flatMap((c, i) => (c.keep ? [i] : [])));
          for (const i of sel) expected.push([cells[i]?.a ?? null, cells[i]?.f ?? null, cells[i]?.s ?? null]);
          if (collector.add(vecs, sel)) break;
        }
        const specs: SortSpec[] = sort.keys.map((k) => ({ type: k.type, descending: k.descending, nullsFirst: k.nullsFirst }));
        const keyOf = (r: Row): Row => sort.keys.map((k) => r[k.column] ?? null);
        const reference = [...expected].sort((x, y) => compareKeys(keyOf(x), keyOf(y), specs))
          .slice(sort.offset, sort.limit === null ? undefined : sort.offset + sort.limit);
        expect(collector.finish()).toEqual(reference);
      },
    ), { numRuns: 600 });
  });
});
