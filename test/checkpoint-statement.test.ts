// CHECKPOINT over the PostgreSQL protocol: the views write their checkpoints
// before the statement answers (the periodic one is a minute away here), it
// runs inside a transaction block without disturbing it, and psql accepts it.
import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { serversStoppedAfterEach, type TestServer } from './helpers/server.js';

const start = serversStoppedAfterEach();

interface ViewHealth { readonly applied_index: number; readonly checkpoint_index: number }

async function views(server: TestServer): Promise<Record<string, ViewHealth>> {
  const health = (await server.get('/admin/health')).json() as { components: Record<string, ViewHealth> };
  return { rowstore: health.components['rowstore'] as ViewHealth, columnstore: health.components['columnstore'] as ViewHealth };
}

describe('CHECKPOINT', () => {
  it('writes every view\'s checkpoint before it answers, also inside a transaction block', async () => {
    const server = await start({ toml: { storage: 'checkpoint_interval = "1h"' } });
    const client = new pg.Client({ host: '127.0.0.1', port: server.pgPort, user: 'admin', database: 'thunderdb' });
    await client.connect();
    try {
      await client.query('CREATE TABLE cp (id int PRIMARY KEY, v text)');
      await client.query("INSERT INTO cp SELECT g, 'row ' || g FROM generate_series(1, 500) g");
      const before = await views(server);
      expect(before.rowstore?.checkpoint_index).toBeLessThan(before.rowstore?.applied_index ?? 0);

      const result = await client.query('CHECKPOINT');
      expect(result.command).toBe('CHECKPOINT');
      const after = await views(server);
      for (const name of ['rowstore', 'columnstore']) {
        expect(after[name]?.checkpoint_index, name).toBeGreaterThanOrEqual(before.rowstore?.applied_index ?? Infinity);
      }

      await client.query('BEGIN');
      await client.query("INSERT INTO cp VALUES (501, 'in the block')");
      await client.query('CHECKPOINT');
      await client.query('COMMIT');
      const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM cp');
      expect(rows[0]?.n).toBe('501');
    } finally {
      await client.end();
    }
    const out = execFileSync('psql', ['-h', '127.0.0.1', '-p', String(server.pgPort), '-U', 'admin', '-d', 'thunderdb', '-c', 'CHECKPOINT'], { encoding: 'utf8' });
    expect(out.trim()).toBe('CHECKPOINT');
  });
});
