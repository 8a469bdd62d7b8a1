// The key property: for random tables (ints, numeric(15,2), low-cardinality
// text, dates, NULLs) changed by random committed inserts, updates and
// deletes, and random queries from the grammar the vectorized path supports,
// the column path and the row path return the same rows at the same index.

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultRow } from '../engine.js';
import { rows, run } from '../engine-impl/testing/harness.js';
import { Decimal } from '../types/numeric/decimal.js';
import { vectorizedCounters } from './path.js';
import { openColumnTestEngine, type ColumnTestEngine } from './testing.js';

let t: ColumnTestEngine;
let tableNumber = 0;

beforeAll(async () => {
  t = await openColumnTestEngine({ segmentRowsMax: 64 });
});

afterAll(async () => {
  await t.close();
});

const texts = ['ant', 'bee', 'cat', 'dog', 'eel'];

const rowArb = fc.record({
  a: fc.option(fc.integer({ min: -50, max: 50 }), { nil: null }),
  b: fc.option(fc.bigInt({ min: -1000n, max: 1000n }), { nil: null }),
  m: fc.option(fc.integer({ min: -100_000, max: 100_000 }), { nil: null }),
  s: fc.option(fc.constantFrom(...texts), { nil: null }),
  d: fc.option(fc.integer({ min: 0, max: 400 }), { nil: null }),
});
type RowSpec = typeof rowArb extends fc.Arbitrary<infer R> ? R : never;

const opArb = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('insert' as const), rows: fc.array(rowArb, { minLength: 1, maxLength: 30 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('update' as const), lo: fc.integer({ min: 0, max: 120 }), span: fc.integer({ min: 0, max: 30 }), row: rowArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), lo: fc.integer({ min: 0, max: 120 }), span: fc.integer({ min: 0, max: 20 }) }) },
);

function lit(r: RowSpec): string {
  const m = r.m === null ? 'NULL' : `${(r.m / 100).toFixed(2)}`;
  return `${r.a ?? 'NULL'}, ${r.b ?? 'NULL'}, ${m}, ${r.s === null ? 'NULL' : `'${r.s}'`}, ${r.d === null ? 'NULL' : `date '1995-01-01' + ${r.d}`}`;
}

const atomArb = fc.oneof(
  fc.tuple(fc.constantFrom('<', '<=', '>', '>=', '=', '<>'), fc.integer({ min: -50, max: 50 })).map(([op, c]) => `a ${op} ${c}`),
  fc.tuple(fc.constantFrom('<', '>=', '='), fc.integer({ min: -1000, max: 1000 })).map(([op, c]) => `b ${op} ${c}`),
  fc.tuple(fc.constantFrom('<', '<=', '>', '>='), fc.integer({ min: -100_000, max: 100_000 })).map(([op, c]) => `m ${op} ${(c / 100).toFixed(2)}`),
  fc.tuple(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: 200 })).map(([lo, span]) => `d BETWEEN date '1995-01-01' + ${lo} AND date '1995-01-01' + ${lo + span}`),
  fc.integer({ min: 0, max: 400 }).map((x) => `d < date '1995-01-01' + interval '${x} days'`),
  fc.tuple(fc.constantFrom('<', '<=', '>', '>=', '=', '<>'), fc.integer({ min: -24, max: 401 * 24 }), fc.boolean()).map(([op, h, swap]) => (swap
    ? `timestamp '1995-01-01 00:00' + interval '${h} hours' ${op} d`
    : `d ${op} date '1995-01-01' + interval '${h} hours'`)),
  fc.constantFrom(...texts).map((x) => `s = '${x}'`),
  fc.constantFrom('a%', '%e%', 'c%t', '_e_').map((p) => `s LIKE '${p}'`),
  fc.subarray(texts, { minLength: 1, maxLength: 3 }).map((xs) => `s IN (${xs.map((x) => `'${x}'`).join(', ')})`),
  fc.subarray([1, 2, 3, -4, 17], { minLength: 1, maxLength: 3 }).map((xs) => `a IN (${xs.join(', ')})`),
  fc.constantFrom('a IS NULL', 'm IS NOT NULL', 's IS NULL', 'd IS NOT NULL'),
  fc.integer({ min: -200, max: 200 }).map((c) => `m * (1 - 0.05) + a > ${c}`),
  fc.integer({ min: -60, max: 60 }).map((c) => `a + 1 - a * 2 <= ${c}`),
  // A constant on the left of - and * (kept as a scalar, not broadcast), and a NULL one.
  fc.integer({ min: -60, max: 60 }).map((c) => `(10 - a) * 3 > ${c}`),
  fc.integer({ min: -200, max: 200 }).map((c) => `2.5 - m * 2 < ${c}`),
  fc.constantFrom('(a + NULL::int) IS NULL', '(m * NULL::numeric) IS NOT NULL'),
  // Column against column (NULL on either side), filtered only over earlier conjuncts' survivors.
  fc.constantFrom('a < b', 'a >= b', 'a = b', 'a <> b', 'a * 100 <= b'),
);

const filterArb: fc.Arbitrary<string> = fc.letrec<{ f: string }>((tie) => ({
  f: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    atomArb,
    fc.tuple(tie('f'), tie('f')).map(([x, y]) => `(${x} AND ${y})`),
    fc.tuple(tie('f'), tie('f')).map(([x, y]) => `(${x} OR ${y})`),
    tie('f').map((x) => `NOT (${x})`),
  ),
})).f;

const aggregateArb = fc.constantFrom(
  'count(*)', 'count(m)', 'sum(m)', 'avg(m)', 'min(m)', 'max(m)', 'sum(a)', 'avg(a)', 'min(d)', 'max(d)', 'sum(b)', 'avg(b)', 'max(b)',
  'sum(m * (1 - 0.05))', 'sum(1.25 - m)', 'sum(m * (1 + 0.25) * (1 - 0.1))', `sum(CASE WHEN s = 'cat' THEN m ELSE 0 END)`, `sum(CASE WHEN a > 0 THEN 1 ELSE 0 END)`, `sum(CASE WHEN s = 'cat' OR s = 'dog' THEN 1 ELSE 0 END)`,
  'count(s)', `count(*) FILTER (WHERE s LIKE '%e%')`, 'sum(m) FILTER (WHERE a < 0)',
);

// The fused scan-aggregate kernel's shapes (parallel/fused.ts): conjunctions of number comparisons, text keys, sum/avg/count.
const kernelAtomArb = fc.oneof(
  fc.tuple(fc.constantFrom('<', '<=', '>', '>=', '=', '<>'), fc.integer({ min: -50, max: 50 })).map(([op, c]) => `a ${op} ${c}`),
  fc.tuple(fc.constantFrom('<', '<=', '>', '>='), fc.integer({ min: -100_000, max: 100_000 })).map(([op, c]) => `m ${op} ${(c / 100).toFixed(2)}`),
  fc.tuple(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: 200 })).map(([lo, span]) => `d BETWEEN date '1995-01-01' + ${lo} AND date '1995-01-01' + ${lo + span}`),
  fc.integer({ min: -200, max: 200 }).map((c) => `m * (1 - 0.05) + a > ${c}`),
);
const kernelAggregateArb = fc.constantFrom('count(*)', 'count(m)', 'sum(m)', 'avg(m)', 'sum(a)', 'avg(a)', 'sum(b)', 'sum(m * (1 - 0.05))', 'sum(m * (1 + 0.25) * (1 - 0.1))', 'count(a + 1)');

const queryArb = fc.oneof(
  fc.record({ keys: fc.subarray(['s'], { maxLength: 1 }), aggs: fc.array(kernelAggregateArb, { minLength: 1, maxLength: 4 }), where: fc.array(kernelAtomArb, { maxLength: 3 }) })
    .map(({ keys, aggs, where }) => ({
      sql: `SELECT ${[...keys, ...aggs].join(', ')} FROM TBL${where.length === 0 ? '' : ` WHERE ${where.join(' AND ')}`}${keys.length > 0 ? ` GROUP BY ${keys.join(', ')}` : ''}`,
      ordered: false,
    })),
  fc.record({
    // Keys the earlier ones determine (a * 2 after a, s IS NULL after s) or not (before them).
    keys: fc.subarray(['s', 'a', 'd', 'a * 2', 's IS NULL'], { maxLength: 3 }), aggs: fc.array(aggregateArb, { minLength: 1, maxLength: 4 }),
    where: fc.option(filterArb, { nil: null }),
  }).map(({ keys, aggs, where }) => ({
    sql: `SELECT ${[...keys, ...aggs].join(', ')} FROM TBL${where === null ? '' : ` WHERE ${where}`}${keys.length > 0 ? ` GROUP BY ${keys.join(', ')}` : ''}`,
    ordered: false,
  })),
  fc.record({ where: filterArb, aggs: fc.array(aggregateArb, { minLength: 1, maxLength: 3 }), dimWhere: fc.constantFrom('', ` AND label LIKE '%1%'`, ` AND k > 0`) })
    .map(({ where, aggs, dimWhere }) => ({
      sql: `SELECT label, ${aggs.join(', ')} FROM TBL JOIN DIM ON a = k WHERE ${where}${dimWhere} GROUP BY label`,
      ordered: false,
    })),
  // The join kernel's shapes (parallel/dimjoin.ts): grouped by a fact text column, CASE over dimension text, column-vs-column filters.
  fc.record({
    where: fc.array(kernelAtomArb, { maxLength: 2 }), cols: fc.subarray(['a < b', 'm * 2 >= a', 'a <> b'], { maxLength: 2 }),
    dimWhere: fc.constantFrom('', `label LIKE '%1%'`, `(label = 'L2' OR m > 3)`),
    aggs: fc.array(fc.constantFrom('count(*)', 'sum(m)', 'avg(a)', `sum(CASE WHEN label LIKE '%1%' THEN m ELSE 0 END)`,
      `count(CASE WHEN label = 'L3' OR m > 1 THEN 1 END)`, `sum(CASE WHEN label IN ('L1', 'L2') THEN m * 2 WHEN m > 0 THEN m END)`), { minLength: 1, maxLength: 3 }),
  }).map(({ where, cols, dimWhere, aggs }) => {
    const conds = [...where, ...cols, ...(dimWhere === '' ? [] : [dimWhere])];
    return { sql: `SELECT s, ${aggs.join(', ')} FROM TBL JOIN DIM ON a = k${conds.length === 0 ? '' : ` WHERE ${conds.join(' AND ')}`} GROUP BY s`, ordered: false };
  }),
  // Multi-way inner joins (int, int8 = int4 and text keys; duplicate and NULL keys on both sides), with and without an aggregate above.
  fc.record({ where: filterArb, key: fc.constantFrom('a = k', 'b = k'), aggs: fc.array(aggregateArb, { minLength: 1, maxLength: 3 }), tagWhere: fc.constantFrom('', ' AND w > 1', ` AND name <> 'cat'`) })
    .map(({ where, key, aggs, tagWhere }) => ({
      sql: `SELECT label, w, ${aggs.join(', ')} FROM TBL JOIN DIM ON ${key} JOIN TAG ON s = name WHERE ${where}${tagWhere} GROUP BY label, w`,
      ordered: false,
    })),
  fc.record({ where: fc.option(filterArb, { nil: null }) }).map(({ where }) => ({
    sql: `SELECT id, a, label, w, m FROM TBL JOIN TAG ON s = name JOIN DIM ON k = a${where === null ? '' : ` WHERE ${where}`}`,
    ordered: false,
  })),
  // ORDER BY a numeric/date column LIMIT: the leaf's top-N prefilter (ties, NULLs, offsets, expressions).
  fc.record({
    where: fc.option(filterArb, { nil: null }), key: fc.constantFrom('a', 'b', 'm', 'd', 'm * 2 - a'), dir: fc.constantFrom('', ' DESC'),
    nulls: fc.constantFrom('', ' NULLS FIRST', ' NULLS LAST'), limit: fc.integer({ min: 1, max: 15 }), offset: fc.integer({ min: 0, max: 5 }),
  }).map(({ where, key, dir, nulls, limit, offset }) => ({
    sql: `SELECT id, a, b, m, d, m * 2 - a FROM TBL${where === null ? '' : ` WHERE ${where}`} ORDER BY ${key}${dir}${nulls}, id LIMIT ${limit} OFFSET ${offset}`,
    ordered: true,
  })),
  // ORDER BY an aggregate (or a group key) LIMIT: the aggregate's top-N over its groups (ties, NULL sums, offsets).
  fc.record({
    where: fc.option(filterArb, { nil: null }), agg: aggregateArb, by: fc.constantFrom('a', 'label', 'd'), sortOn: fc.constantFrom('agg', 'key'),
    dir: fc.constantFrom('', ' DESC'), nulls: fc.constantFrom('', ' NULLS FIRST', ' NULLS LAST'), limit: fc.integer({ min: 1, max: 6 }), offset: fc.integer({ min: 0, max: 3 }),
  }).map(({ where, agg, by, sortOn, dir, nulls, limit, offset }) => ({
    sql: `SELECT ${by}, ${agg} AS v, count(*) FROM TBL JOIN DIM ON a = k${where === null ? '' : ` WHERE ${where}`} GROUP BY ${by} ORDER BY ${sortOn === 'agg' ? 'v' : by}${dir}${nulls}, ${by} LIMIT ${limit} OFFSET ${offset}`,
    ordered: true,
  })),
  // ORDER BY any of the leaf's columns (text in code point order, numerics, dates, expressions), several keys,
  // with and without LIMIT/OFFSET: the leaf's own sort/top-N (sort.ts). Total orders: the last key is id.
  fc.record({
    where: fc.option(filterArb, { nil: null }),
    keys: fc.array(fc.record({ key: fc.constantFrom('a', 'b', 'm', 's', 'd', 'm * 2 - a'), dir: fc.constantFrom('', ' DESC'), nulls: fc.constantFrom('', ' NULLS FIRST', ' NULLS LAST') }), { minLength: 1, maxLength: 3 }),
    idDir: fc.constantFrom('', ' DESC'), limit: fc.option(fc.integer({ min: 0, max: 25 }), { nil: null }), offset: fc.option(fc.integer({ min: 0, max: 40 }), { nil: null }),
  }).map(({ where, keys, idDir, limit, offset }) => ({
    sql: `SELECT id, a, b, m, s, d, m * 2 - a FROM TBL${where === null ? '' : ` WHERE ${where}`} ORDER BY ${keys.map((k) => `${k.key}${k.dir}${k.nulls}`).join(', ')}, id${idDir}${limit === null ? '' : ` LIMIT ${limit}`}${offset === null ? '' : ` OFFSET ${offset}`}`,
    ordered: true,
  })),
  // The same over a join's rows and over groups (ORDER BY group keys and aggregates, no LIMIT too).
  fc.record({ where: fc.option(filterArb, { nil: null }), dir: fc.constantFrom('', ' DESC'), limit: fc.option(fc.integer({ min: 0, max: 10 }), { nil: null }) }).map(({ where, dir, limit }) => ({
    sql: `SELECT id, label, m FROM TBL JOIN DIM ON a = k${where === null ? '' : ` WHERE ${where}`} ORDER BY label${dir}, m${dir} NULLS FIRST, id${limit === null ? '' : ` LIMIT ${limit}`}`,
    ordered: true,
  })),
  fc.record({ agg: aggregateArb, dir: fc.constantFrom('', ' DESC'), limit: fc.option(fc.integer({ min: 0, max: 6 }), { nil: null }) }).map(({ agg, dir, limit }) => ({
    sql: `SELECT s, d, ${agg} AS v FROM TBL GROUP BY s, d ORDER BY s${dir}, v${dir}, d${limit === null ? '' : ` LIMIT ${limit}`}`,
    ordered: true,
  })),
  fc.record({ where: fc.option(filterArb, { nil: null }), limit: fc.option(fc.integer({ min: 0, max: 20 }), { nil: null }) }).map(({ where, limit }) => ({
    sql: `SELECT id, a, b, m, s, d, m * 2 - a FROM TBL${where === null ? '' : ` WHERE ${where}`} ORDER BY id${limit === null ? '' : ` LIMIT ${limit}`}`,
    ordered: true,
  })),
);

function canonical(row: ResultRow): string {
  return JSON.stringify(row.map((v) => (v instanceof Decimal ? `n:${v.toString()}` : typeof v === 'bigint' ? `b:${v}` : v)));
}

describe('column path = row path', () => {
  it('holds for random tables, changes and queries', async () => {
    const runsBefore = vectorizedCounters.columnRuns;
    const joinsBefore = vectorizedCounters.joinRuns;
    const fusedBefore = vectorizedCounters.fusedRuns;
    await fc.assert(fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 8 }), fc.array(queryArb, { minLength: 1, maxLength: 6 }), async (ops, queries) => {
      const table = `pt${++tableNumber}`;
      const s = t.session();
      await run(s, `CREATE TABLE ${table} (id int8 PRIMARY KEY, a int4, b int8, m numeric(15,2), s text, d date)`);
      await run(s, `CREATE TABLE ${table}_dim (k int4 PRIMARY KEY, label text)`);
      await run(s, `INSERT INTO ${table}_dim SELECT i, 'L' || (i % 7) FROM generate_series(-50, 50, 3) i`);
      await run(s, `CREATE TABLE ${table}_tag (tid int4 PRIMARY KEY, name text, w int4)`);
      await run(s, `INSERT INTO ${table}_tag VALUES (1, 'ant', 1), (2, 'bee', 2), (3, 'bee', 3), (4, NULL, 4), (5, 'cat', NULL), (6, 'eel', 2), (7, 'zzz', 9)`);
      let nextId = 1;
      for (const op of ops) {
        if (op.kind === 'insert') {
          await run(s, `INSERT INTO ${table} VALUES ${op.rows.map((r) => `(${nextId++}, ${lit(r)})`).join(', ')}`);
        } else if (op.kind === 'update') {
          const r = op.row;
          await run(s, `UPDATE ${table} SET (a, b, m, s, d) = (${lit(r)}) WHERE id BETWEEN ${op.lo} AND ${op.lo + op.span}`);
        } else {
          await run(s, `DELETE FROM ${table} WHERE id BETWEEN ${op.lo} AND ${op.lo + op.span}`);
        }
      }
      for (const q of queries) {
        const sql = q.sql.replace('TBL', table).replace('DIM', `${table}_dim`).replace('TAG', `${table}_tag`);
        await run(s, `SET thunderdb.read_path = 'row'`);
        const rowResult = (await rows(s, sql)).map(canonical);
        await run(s, `SET thunderdb.read_path = 'column'`);
        const columnResult = (await rows(s, sql)).map(canonical);
        if (!q.ordered) { rowResult.sort(); columnResult.sort(); }
        expect(columnResult, sql).toEqual(rowResult);
      }
      await run(s, `DROP TABLE ${table}`);
      await run(s, `DROP TABLE ${table}_dim`);
      await run(s, `DROP TABLE ${table}_tag`);
    }), { numRuns: Number(process.env.THUNDER_VECTOR_RUNS ?? 40), interruptAfterTimeLimit: 60_000 });
    console.log(`column runs ${vectorizedCounters.columnRuns - runsBefore} (vectorized joins ${vectorizedCounters.joinRuns - joinsBefore}, fused ${vectorizedCounters.fusedRuns - fusedBefore}), fallbacks ${vectorizedCounters.fallbacks}`);
    expect(vectorizedCounters.columnRuns).toBeGreaterThan(runsBefore);
    expect(vectorizedCounters.joinRuns).toBeGreaterThan(joinsBefore);
    expect(vectorizedCounters.fusedRuns).toBeGreaterThan(fusedBefore);
  }, 120_000);
});
