// The column store inside the real server: analytic queries take the column
// path, agree with the row path, see the latest commit, and survive a clean
// restart and kill -9 (the store reloads its checkpoint and replays the log).
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { until } from './helpers/cluster.js';
import { serversStoppedAfterEach } from './helpers/server.js';
import { textRows } from './helpers/text-query.js';

const start = serversStoppedAfterEach();


const analytic = "SELECT flag, sum(qty), count(*), avg(qty), min(d), max(d) FROM li WHERE d < date '1996-01-01' GROUP BY flag ORDER BY flag";

async function bothPaths(port: number): Promise<{ column: string[][]; row: string[][] }> {
  const column = await textRows(port, "SET thunderdb.read_path = 'column'", analytic);
  const row = await textRows(port, "SET thunderdb.read_path = 'row'", analytic);
  return { column, row };
}

describe('column store in the server', () => {
  it('answers analytics on the column path, as the row path does, across restart and kill -9', async () => {
    const first = await start();
    await textRows(first.pgPort,
      'CREATE TABLE li (id int PRIMARY KEY, flag text, qty numeric(15,2), d date)',
      "INSERT INTO li SELECT g, CASE WHEN g % 3 = 0 THEN 'A' ELSE 'N' END, (g % 50) + 0.25, date '1995-01-01' + (g % 1000) FROM generate_series(1, 30000) g");
    const plan = (await textRows(first.pgPort, `EXPLAIN ${analytic}`)).map((r) => r[0]).join('\n');
    expect(plan).toMatch(/Read Path: column/);
    expect(plan).toMatch(/Vectorized Column Scan on li/);

    // The column store reports itself beside the row store, with its lag. It applies in batches (up to
    // 50 ms apart when no query waits), and EXPLAIN does not wait: its health may trail the INSERT briefly.
    type Health = { components: Record<string, { applied_index?: number; lag_entries?: number; live_rows?: number }> };
    const health = await until('the column store to apply the INSERT', async () => {
      const h = (await first.get('/admin/health')).json() as Health;
      return h.components['columnstore']?.live_rows === 30000 ? h : undefined;
    }, 10_000);
    expect(health.components['columnstore']?.applied_index).toBeGreaterThan(0);
    expect(health.components['columnstore']?.lag_entries).toBeGreaterThanOrEqual(0);
    expect(health.components['columnstore']?.live_rows).toBe(30000);
    const metrics = (await first.get('/admin/metrics')).body;
    expect(metrics).toMatch(/thunderdb_view_lag_entries\{view="columnstore"[^}]*\} \d+/);
    expect(metrics).toMatch(/thunderdb_view_lag_seconds\{view="rowstore"[^}]*\} \d+/);

    const before = await bothPaths(first.pgPort);
    expect(before.column).toEqual(before.row);
    expect(before.column.map((r) => r[0])).toEqual(['A', 'N']);

    // A commit is visible to the next analytic query (freshness), on both paths.
    await textRows(first.pgPort, "UPDATE li SET qty = qty + 1 WHERE flag = 'A'", "DELETE FROM li WHERE id <= 10");
    const changed = await bothPaths(first.pgPort);
    expect(changed.column).toEqual(changed.row);
    expect(changed.column).not.toEqual(before.column);

    expect((await first.stop()).code).toBe(0);
    const second = await start({ dir: first.dir });
    expect(await bothPaths(second.pgPort)).toEqual(changed);

    await textRows(second.pgPort, "INSERT INTO li VALUES (30001, 'A', 5, date '1995-06-01')");
    const acknowledged = await bothPaths(second.pgPort);
    second.signal('SIGKILL');
    await second.exited;
    const third = await start({ dir: first.dir });
    const afterKill = await bothPaths(third.pgPort);
    expect(afterKill.column).toEqual(afterKill.row);
    expect(afterKill).toEqual(acknowledged);
  });

  it('VACUUM compacts the column segments on the compaction threads: dead rows go, answers stay, a restart reads the merged segments', async () => {
    const server = await start({ toml: { storage: 'compaction_threads = 1' } });
    type ColumnHealth = { components: Record<string, { rows?: number; live_rows?: number; segments?: number }> };
    const columns = async (): Promise<{ rows?: number; live_rows?: number; segments?: number }> => ((await server.get('/admin/health')).json() as ColumnHealth).components['columnstore'] ?? {};
    // Past one segment (65,536 rows): compaction merges sealed segments only.
    await textRows(server.pgPort,
      'CREATE TABLE li (id int PRIMARY KEY, flag text, qty numeric(15,2), d date)',
      "INSERT INTO li SELECT g, CASE WHEN g % 3 = 0 THEN 'A' ELSE 'N' END, (g % 50) + 0.25, date '1995-01-01' + (g % 1000) FROM generate_series(1, 140000) g",
      'DELETE FROM li WHERE id % 4 <> 0 AND id <= 131072');
    const before = await bothPaths(server.pgPort);
    expect(before.column).toEqual(before.row);
    const dirty = await columns();
    expect(dirty.live_rows).toBe(140000 - 98304);
    expect(dirty.rows).toBeGreaterThan(dirty.live_rows ?? 0);

    const client = new pg.Client({ host: '127.0.0.1', port: server.pgPort, user: 'admin', database: 'thunderdb' });
    const notices: string[] = [];
    client.on('notice', (n) => notices.push(n.message ?? ''));
    await client.connect();
    try {
      expect((await client.query('VACUUM (VERBOSE) li')).command).toBe('VACUUM');
      expect(notices.join('\n')).toMatch(/vacuuming "public\.li": column store merged \d+ segments into \d+, removed 98304 dead rows/);
      // Nothing left to do: said so. The session goes on.
      notices.length = 0;
      await client.query('VACUUM VERBOSE li');
      expect(notices.join('\n')).toMatch(/already compact/);
      await expect(client.query('VACUUM no_such_table')).rejects.toMatchObject({ code: '42P01' });
      expect((await client.query('SELECT count(*)::int AS n FROM li')).rows).toEqual([{ n: 140000 - 98304 }]);
    } finally {
      await client.end();
    }
    const compacted = await columns();
    expect(compacted.rows).toBe(compacted.live_rows);
    expect(compacted.segments).toBeLessThan(dirty.segments ?? 0);
    expect(await bothPaths(server.pgPort)).toEqual(before);

    // The merged segments are what the next checkpoint writes and a restart loads.
    await textRows(server.pgPort, 'CHECKPOINT');
    expect((await server.stop()).code).toBe(0);
    const again = await start({ dir: server.dir });
    expect(await bothPaths(again.pgPort)).toEqual(before);
  });
});
