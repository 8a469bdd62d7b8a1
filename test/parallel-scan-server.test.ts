// The fused scan-aggregate over worker threads inside the real server (the
// workers are started from dist/ with `eval`): EXPLAIN ANALYZE shows the
// parallel degree, and the answer is the row path's, before and after
// deletes and updates; the same for a fact ⋈ small dimension join (Q14's shape).
import { describe, expect, it } from 'vitest';
import { serversStoppedAfterEach } from './helpers/server.js';
import { textRows } from './helpers/text-query.js';

const start = serversStoppedAfterEach();


// Q14's shape: the fact ⋈ small dimension join kernel (query/vectorized/parallel/dimjoin.ts).
const q14 = `SELECT 100.00 * sum(CASE WHEN ptype LIKE 'PROMO%' THEN price * (1 - disc) ELSE 0 END) / sum(price * (1 - disc)), count(*)
  FROM li, pt WHERE pkey = pk AND d >= date '1995-09-01' AND d < date '1995-09-01' + interval '1' year`;

// Q12's shape: grouped by a fact text column, a dimension of sparse keys, CASE over dimension-only conditions.
const q12 = `SELECT flag, sum(CASE WHEN prio = '1-URGENT' OR prio = '2-HIGH' THEN 1 ELSE 0 END), sum(CASE WHEN prio <> '1-URGENT' AND prio <> '2-HIGH' THEN 1 ELSE 0 END)
  FROM od, li WHERE ok = id AND disc * 100 < qty AND d >= date '1993-01-01' GROUP BY flag ORDER BY flag`;

const q1 = `SELECT flag, status, sum(qty), sum(price * (1 - disc)), sum(price * (1 - disc) * (1 + tax)), avg(qty), avg(disc), count(*)
  FROM li WHERE d <= date '1998-12-01' - interval '90' day GROUP BY flag, status ORDER BY flag, status`;

describe('parallel scan in the server', () => {
  it('spreads a large scan-aggregate over 2 worker threads with the row path answer', async () => {
    const server = await start({ toml: { storage: 'parallel_scan_threads = 2' } });
    const port = server.pgPort;
    await textRows(port,
      'CREATE TABLE li (id int PRIMARY KEY, flag char(1), status char(1), qty numeric(15,2), price numeric(15,2), disc numeric(15,2), tax numeric(15,2), d date, pkey int)',
      // Past the 100,000 visible rows from which a scan is spread over workers.
      `INSERT INTO li SELECT g, CASE WHEN g % 3 = 0 THEN 'A' WHEN g % 3 = 1 THEN 'N' ELSE 'R' END, CASE WHEN g % 7 < 3 THEN 'F' ELSE 'O' END,
        (g % 50) + 1, 900 + (g * 7919) % 100000 / 100.0, (g % 11) / 100.0, (g % 9) / 100.0, date '1992-01-01' + (g % 2500),
        CASE WHEN g % 101 = 0 THEN NULL ELSE (g * 31) % 2100 END FROM generate_series(1, 130000) g`);
    await textRows(port, 'CREATE TABLE pt (pk int PRIMARY KEY, ptype text)',
      `INSERT INTO pt SELECT g, CASE WHEN g % 5 = 0 THEN 'PROMO BRUSHED' ELSE 'STANDARD POLISHED' END FROM generate_series(1, 2000) g`);
    await textRows(port, 'CREATE TABLE od (ok int PRIMARY KEY, prio text)',
      `INSERT INTO od SELECT g * 2, CASE WHEN g % 97 = 0 THEN NULL WHEN g % 5 = 0 THEN '1-URGENT' WHEN g % 5 = 1 THEN '2-HIGH'
        WHEN g % 5 = 2 THEN '3-MEDIUM' ELSE '5-LOW' END
        FROM generate_series(1, 50000) g`);
    const both = async (): Promise<void> => {
      for (const [sql, groups] of [[q1, 6], [q14, 1], [q12, 3]] as const) {
        const column = await textRows(port, "SET thunderdb.read_path = 'column'", sql);
        const row = await textRows(port, "SET thunderdb.read_path = 'row'", sql);
        expect(column).toEqual(row);
        expect(column).toHaveLength(groups);
        const plan = (await textRows(port, "SET thunderdb.read_path = 'column'", `EXPLAIN ANALYZE ${sql}`)).map((r) => r[0]).join('\n');
        expect(plan).toMatch(/fused, parallel workers=2/);
      }
    };
    await both();
    await textRows(port, 'DELETE FROM li WHERE id % 13 = 0', "UPDATE li SET price = price + 1, flag = 'A' WHERE id % 17 = 0",
      'DELETE FROM od WHERE ok % 14 = 0', "UPDATE od SET prio = '2-HIGH' WHERE ok % 22 = 0",
      'DELETE FROM pt WHERE pk % 7 = 0', "UPDATE pt SET ptype = 'PROMO ANODIZED' WHERE pk % 11 = 0");
    await both();
  }, 300_000);
});
