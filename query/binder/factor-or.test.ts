// factorOrConjuncts: a conjunct repeated in every arm of an OR moves out of it,
// so a join condition written inside each arm (TPC-H Q19) still drives a hash
// join. Read from EXPLAIN; the answers themselves are checked in 220-tpch.slt.

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
    CREATE TABLE l (k int, q int, m text);
    CREATE TABLE p (k int PRIMARY KEY, b text);
    INSERT INTO p SELECT g, 'b' || (g % 3) FROM generate_series(1, 9) g;
    INSERT INTO l SELECT g % 9 + 1, g, CASE WHEN g % 2 = 0 THEN 'AIR' ELSE 'SHIP' END FROM generate_series(1, 40) g;
  `);
});

describe('common conjuncts of an OR', () => {
  test('a join condition in every arm becomes a hash join', async () => {
    const sql = `SELECT count(*) FROM l, p WHERE (p.k = l.k AND p.b = 'b1' AND l.q < 10) OR (l.k = p.k AND p.b = 'b2' AND l.q > 30)`;
    expect(await explain(sql)).toContain('Hash Join');
    const [[count]] = await db.query(sql) as [[bigint]];
    const [[expected]] = await db.query(`SELECT count(*) FROM l JOIN p ON p.k = l.k WHERE (p.b = 'b1' AND l.q < 10) OR (p.b = 'b2' AND l.q > 30)`) as [[bigint]];
    expect(count).toBe(expected);
  });

  test('an arm that is only the common part absorbs the others', async () => {
    const rows = await db.query(`SELECT count(*) FROM l WHERE (m = 'AIR') OR (m = 'AIR' AND q > 30)`);
    expect(rows).toEqual([[20n]]);
    expect(await explain(`SELECT * FROM l WHERE (m = 'AIR') OR (m = 'AIR' AND q > 30)`)).not.toContain('OR');
  });

  test('ORs without a shared conjunct and volatile ORs stay as written', async () => {
    expect(await explain(`SELECT * FROM l WHERE (m = 'AIR' AND q < 3) OR (m = 'SHIP' AND q > 30)`)).toContain('OR');
    expect(await explain(`SELECT * FROM l WHERE (random() < 0.5 AND q < 3) OR (random() < 0.5 AND q > 30)`)).toContain('random() < ');
  });
});
