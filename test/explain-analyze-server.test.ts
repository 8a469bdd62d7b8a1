// EXPLAIN ANALYZE of a join + aggregate on the column path inside the real
// server, through node-postgres: every vectorized operator line carries
// PostgreSQL's (actual time=... rows=N loops=1), the counts add up, and the
// session goes on answering queries (in and out of a transaction) afterwards.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { serversStoppedAfterEach } from './helpers/server.js';

const start = serversStoppedAfterEach();

// 20,000 sales over 500 customers in 5 regions.
const sql = `SELECT c_region, count(*), sum(amount) FROM sales JOIN cust ON s_cust = c_id
  WHERE c_region = 'east' AND s_day >= date '2024-01-01' GROUP BY c_region`;

describe('EXPLAIN ANALYZE on the column path in the server', () => {
  it('shows rows and time on every vectorized line and leaves the session usable', async () => {
    const server = await start();
    const client = new pg.Client({ host: '127.0.0.1', port: server.pgPort, user: 'admin', database: 'thunderdb' });
    await client.connect();
    try {
      await client.query('CREATE TABLE cust (c_id int PRIMARY KEY, c_region text)');
      await client.query(`INSERT INTO cust SELECT g, (ARRAY['east', 'west', 'north', 'south', 'central'])[g % 5 + 1] FROM generate_series(1, 500) g`);
      await client.query('CREATE TABLE sales (s_id int PRIMARY KEY, s_cust int, s_day date, amount numeric(12,2))');
      await client.query(`INSERT INTO sales SELECT g, g % 500 + 1, date '2023-07-01' + (g % 365), (g % 100) + 0.5 FROM generate_series(1, 20000) g`);
      await client.query(`SET thunderdb.read_path = 'column'`);
      const expected = (await client.query({ text: sql, rowMode: 'array' })).rows;

      const plan = (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ANALYZE ${sql}`)).rows.map((r) => r['QUERY PLAN']);
      const text = plan.join('\n');
      expect(text).toContain('Read Path: column');
      const vectorized = plan.filter((l) => l.includes('Vectorized'));
      expect(vectorized.length, text).toBeGreaterThanOrEqual(6);
      for (const l of vectorized) expect(l, text).toMatch(/\(actual time=(\d+\.\d{3})\.\.(\d+\.\d{3}) rows=\d+ loops=1\)$/);
      const rowsOf = (title: string): number => Number(/rows=(\d+) loops/.exec(plan.find((l) => l.includes(title)) ?? '')?.[1] ?? -1);
      // 'east' customers (c_id % 5 = 0: 100 of 500), counted from the data.
      const east = Number((await client.query({ text: `SELECT count(*) FROM cust WHERE c_region = 'east'`, rowMode: 'array' })).rows[0]?.[0]);
      expect(rowsOf('Vectorized Column Scan on cust')).toBe(500);
      // cust's filter is the line right above its scan.
      const custScan = plan.findIndex((l) => l.includes('Vectorized Column Scan on cust'));
      const custFilter = plan.slice(0, custScan).filter((l) => l.includes('Vectorized Filter')).at(-1) ?? '';
      expect(Number(/rows=(\d+) loops/.exec(custFilter)?.[1]), text).toBe(east);
      expect(text).toContain('Rows Scanned: 20000');
      expect(rowsOf('Vectorized Hash Join')).toBe(Number(expected[0]?.[1]));
      expect(rowsOf('Vectorized Hash Aggregate')).toBe(1);
      expect(text).toMatch(/Build: \w+ input \(\d+ rows?\), probed by the \w+ input/);
      expect(text).toMatch(/^Execution Time: \d+\.\d{3} ms$/m);

      // The same connection goes on: the query, a transaction, and a second EXPLAIN ANALYZE.
      expect((await client.query({ text: sql, rowMode: 'array' })).rows).toEqual(expected);
      await client.query('BEGIN');
      await client.query(`UPDATE sales SET amount = amount + 1 WHERE s_id = 1`);
      const inTxn = (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ANALYZE ${sql}`)).rows.map((r) => r['QUERY PLAN']);
      expect(inTxn.at(-1)).toMatch(/^Read Path: row \(the transaction has uncommitted writes to sales\)$/);
      await client.query('ROLLBACK');
      expect((await client.query({ text: sql, rowMode: 'array' })).rows).toEqual(expected);
    } finally {
      await client.end();
    }
  }, 120_000);
});
