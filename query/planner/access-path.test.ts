// The planner's choices, read from EXPLAIN: index lookups for equality on a
// whole key (the OLTP fast path), sequential scans otherwise, predicate
// pushdown through joins and subqueries, join algorithms.

import { beforeAll, describe, expect, test } from 'vitest';
import { loadSqlParser } from '../parser/index.js';
import { TestDatabase } from '../testing/test-database.js';

let db: TestDatabase;

async function explain(sql: string): Promise<string> {
  return (await db.query(`EXPLAIN ${sql}`)).map((r) => r[0]).join('\n');
}

beforeAll(async () => {
  await loadSqlParser();
  db = new TestDatabase();
  await db.run(`
    CREATE TABLE pgbench_accounts (aid int PRIMARY KEY, bid int, abalance int, filler char(84));
    CREATE TABLE pair (a int, b int, v text, PRIMARY KEY (a, b));
    CREATE TABLE tagged (id int PRIMARY KEY, tag varchar(10), owner int);
    CREATE INDEX tagged_tag_idx ON tagged (tag);
    CREATE UNIQUE INDEX tagged_owner_key ON tagged (owner);
    INSERT INTO pgbench_accounts SELECT g, 1, 0, '' FROM generate_series(1, 50) g;
  `);
});

describe('access paths', () => {
  test('equality on the primary key is an index lookup', async () => {
    expect(await explain('SELECT abalance FROM pgbench_accounts WHERE aid = $1')).toBe(
      'Index Lookup using pgbench_accounts_pkey on pgbench_accounts\n  Index Cond: (aid = $1)');
  });

  test('UPDATE and DELETE by key look up the row too', async () => {
    expect(await explain('UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2')).toBe(
      'Update on pgbench_accounts\n  ->  Index Lookup using pgbench_accounts_pkey on pgbench_accounts\n        Index Cond: (aid = $2)');
    expect(await explain('DELETE FROM pgbench_accounts WHERE aid = 3')).toContain('Index Lookup using pgbench_accounts_pkey');
  });

  test('other conditions on a looked-up row become its filter', async () => {
    expect(await explain('SELECT * FROM pgbench_accounts WHERE aid = 7 AND abalance > 0')).toBe(
      'Index Lookup using pgbench_accounts_pkey on pgbench_accounts\n  Index Cond: (aid = 7)\n  Filter: (abalance > 0)');
  });

  test('ranges and partial keys scan', async () => {
    expect(await explain('SELECT * FROM pgbench_accounts WHERE aid > 5')).toBe('Seq Scan on pgbench_accounts\n  Filter: (aid > 5)');
    expect(await explain('SELECT * FROM pair WHERE a = 1')).toContain('Seq Scan on pair');
    expect(await explain('SELECT * FROM pair WHERE b = 2 AND a = 1')).toContain('Index Lookup using pair_pkey on pair');
  });

  test('secondary and unique indexes are used; the key value may be an expression', async () => {
    expect(await explain(`SELECT * FROM tagged WHERE tag = 'x'`)).toContain('Index Lookup using tagged_tag_idx on tagged');
    expect(await explain('SELECT * FROM tagged WHERE owner = 2 + 3')).toContain('Index Lookup using tagged_owner_key on tagged');
    expect(await explain('SELECT * FROM tagged WHERE owner = id')).toContain('Seq Scan on tagged');
  });

  test('conditions reach the scan through subqueries', async () => {
    expect(await explain('SELECT * FROM (SELECT aid, abalance FROM pgbench_accounts) s WHERE s.aid = 4')).toContain('Index Lookup using pgbench_accounts_pkey');
  });

  test('IN lists and = ANY (array) become one lookup per key', async () => {
    expect(await explain('SELECT * FROM pgbench_accounts WHERE aid IN (1, 2, 3)')).toBe(
      'Index Lookup using pgbench_accounts_pkey on pgbench_accounts\n  Index Cond: (aid = ANY (ARRAY[1, 2, 3]))');
    expect(await explain('SELECT * FROM pgbench_accounts WHERE aid = ANY ($1)')).toContain('Index Cond: (aid = ANY ($1))');
    expect(await db.query('SELECT aid FROM pgbench_accounts WHERE aid IN (3, 1, 3, NULL, 99) ORDER BY aid')).toEqual([[1], [3]]);
    expect(await db.query('SELECT aid FROM pgbench_accounts WHERE aid = ANY ($1) ORDER BY aid', [[5, null, 6]])).toEqual([[5], [6]]);
    expect(await db.query('SELECT aid FROM pgbench_accounts WHERE aid = 4 AND aid IN (4, 5)')).toEqual([[4]]);
  });

  test('lookups run and return the right row', async () => {
    expect(await db.query('SELECT aid FROM pgbench_accounts WHERE aid = $1', [42])).toEqual([[42]]);
    expect(await db.query('SELECT aid FROM pgbench_accounts WHERE aid = $1', [4200])).toEqual([]);
    expect(await db.query('SELECT aid FROM pgbench_accounts WHERE aid = 9999999999')).toEqual([]);
  });
});

describe('joins', () => {
  test('equi-joins hash; small outer sides probe an index', async () => {
    expect(await explain('SELECT * FROM pgbench_accounts a JOIN tagged t ON t.owner = a.aid')).toMatch(/^Hash Join\n {2}Hash Cond: \(a\.aid = t\.owner\)/);
    expect(await explain('SELECT * FROM (VALUES (1), (2)) v(x) JOIN pgbench_accounts a ON a.aid = v.x')).toContain('Index Lookup using pgbench_accounts_pkey on pgbench_accounts a');
    expect(await explain('SELECT * FROM pgbench_accounts a JOIN tagged t ON t.owner < a.aid')).toMatch(/^Nested Loop\n {2}Join Filter/);
  });

  test('single-table conditions are pushed below the join', async () => {
    const plan = await explain('SELECT * FROM pgbench_accounts a JOIN tagged t ON t.owner = a.aid WHERE a.aid = 1 AND t.tag = $1');
    expect(plan).toContain('Index Lookup using pgbench_accounts_pkey on pgbench_accounts a\n        Index Cond: (aid = 1)');
    expect(plan).toMatch(/Index Lookup using \w+ on tagged t\n.*\n {8}Filter: \(\(tag\)::text = \$1\)/);
  });

  test('a WHERE on the null-extended side of a left join stays above it', async () => {
    const plan = await explain('SELECT * FROM pgbench_accounts a LEFT JOIN tagged t ON t.owner = a.aid WHERE t.tag IS NULL');
    expect(plan.split('\n').slice(0, 3)).toEqual(['Hash Left Join', '  Hash Cond: (a.aid = t.owner)', '  Filter: (t.tag IS NULL)']);
  });
});

describe('EXPLAIN', () => {
  test('aggregates, HAVING, sorts and subplans', async () => {
    expect(await explain('SELECT bid, count(*) FROM pgbench_accounts GROUP BY bid HAVING count(*) > 1 ORDER BY 2')).toBe([
      'Sort', '  Sort Key: count', '  ->  HashAggregate', '        Group Key: pgbench_accounts.bid', '        Filter: (count > 1)',
      '        ->  Seq Scan on pgbench_accounts',
    ].join('\n'));
    expect(await explain('SELECT aid FROM pgbench_accounts a WHERE EXISTS (SELECT 1 FROM tagged t WHERE t.owner = a.aid)')).toMatch(
      /^Seq Scan on pgbench_accounts a\n {2}Filter: \(EXISTS SubPlan \d+\)\n {2}SubPlan \d+\n {4}-> {2}Index Lookup using tagged_owner_key on tagged t\n {10}Index Cond: \(owner = outer\.a\.aid\)$/);
  });
});

describe('EXPLAIN ANALYZE', () => {
  test('adds actual rows and loops per node', async () => {
    const plan = await explain('ANALYZE SELECT count(*) FROM pgbench_accounts WHERE abalance = 0');
    expect(plan).toMatch(/^Aggregate \(actual time=\d+\.\d{3}\.\.\d+\.\d{3} rows=1 loops=1\)/);
    expect(plan).toMatch(/Seq Scan on pgbench_accounts \(actual time=[\d.]+ rows=50 loops=1\)/);
    expect(plan).toMatch(/Execution Time: \d+\.\d{3} ms$/);
  });
});
