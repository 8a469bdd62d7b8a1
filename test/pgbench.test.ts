// The real pgbench 15 against the real server, unmodified: `pgbench -i -s 1`
// (DROP TABLE IF EXISTS, CREATE TABLE ... WITH (fillfactor=100), TRUNCATE,
// COPY ... WITH (FREEZE ON), VACUUM ANALYZE, ADD PRIMARY KEY), then the
// built-in TPC-B, select-only (-S) and simple-update (-N) scripts in each
// query mode. A run starts with pgbench's partition check, a pg_catalog join
// with a CROSS JOIN LATERAL over current_schemas(); it must succeed, not be
// skipped as an error. No transaction may fail, and TPC-B's invariant must
// hold at the end: sum(abalance) = sum(bbalance) = sum(tbalance) = sum(delta).
import { spawn, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startServer, type TestServer } from './helpers/server.js';

let server: TestServer;
let env: NodeJS.ProcessEnv;

function pgbench(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('pgbench', args, { encoding: 'utf8', env, timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function pgbenchAsync(args: readonly string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('pgbench', args, { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function psqlValue(sql: string): string {
  const result = spawnSync('psql', ['-X', '-v', 'ON_ERROR_STOP=1', '-Atc', sql], { encoding: 'utf8', env });
  expect(result.stderr).toBe('');
  return result.stdout.trim();
}

beforeAll(async () => {
  server = await startServer({ toml: { storage: 'sync_commit = false' } });
  env = {
    ...process.env, PGHOST: '127.0.0.1', PGPORT: String(server.pgPort), PGUSER: 'admin', PGDATABASE: 'thunderdb', PGCONNECT_TIMEOUT: '10',
  };
});

afterAll(async () => {
  await server.stop();
  removeDir(server.dir);
});

describe('pgbench against ThunderDB', () => {
  it('initialises scale 1 to the end', () => {
    const init = pgbench(['-i', '-s', '1']);
    expect(init.stderr).toContain('done in');
    expect(init.stderr).not.toMatch(/error/i);
    expect(init.status).toBe(0);
    expect(psqlValue('select count(*) from pgbench_accounts')).toBe('100000');
    expect(psqlValue('select count(*) from pgbench_branches')).toBe('1');
    expect(psqlValue('select count(*) from pgbench_tellers')).toBe('10');
  }, 60_000);

  it('answers the partition check pgbench runs before a benchmark', () => {
    const check = psqlValue(`select o.n, p.partstrat, pg_catalog.count(i.inhparent) from pg_catalog.pg_class as c
      join pg_catalog.pg_namespace as n on (n.oid = c.relnamespace)
      cross join lateral (select pg_catalog.array_position(pg_catalog.current_schemas(true), n.nspname)) as o(n)
      left join pg_catalog.pg_partitioned_table as p on (p.partrelid = c.oid)
      left join pg_catalog.pg_inherits as i on (c.oid = i.inhparent)
      where c.relname = 'pgbench_accounts' and o.n is not null group by 1, 2 order by 1 asc limit 1`);
    expect(check).toBe('2||0');
  });

  // The three query modes run side by side (pgbench is C and cheap; the server is the one being measured),
  // one script at a time so that what -N adds to the history, which moves no teller or branch, can be measured.
  const modes = ['simple', 'extended', 'prepared'] as const;
  let simpleUpdateDelta = 0n;

  // pgbench vacuums before a run and truncates pgbench_history, so only the first batch (-S, which writes no
  // history) does that; the writing batches run with -n so the history keeps every delta the balances got.
  for (const script of [['-S'], ['-n'], ['-n', '-N']]) {
    const name = script.includes('-N') ? '-N' : script.includes('-S') ? '-S (after pgbench\'s vacuum)' : 'TPC-B';
    it(`runs ${name} with -c 4 -j 2 -T 3 in -M simple, extended and prepared with no failed transaction`, async () => {
      const before = BigInt(psqlValue('select coalesce(sum(delta), 0) from pgbench_history'));
      const runs = await Promise.all(modes.map((mode) => pgbenchAsync(['-c', '4', '-j', '2', '-T', '3', '-M', mode, ...script])));
      runs.forEach((run, i) => {
        expect(run.stderr).not.toMatch(/error|abort/i);
        expect(run.status).toBe(0);
        expect(run.stdout).toContain(`query mode: ${modes[i] ?? ''}`);
        expect(run.stdout).toMatch(/number of failed transactions: 0 /);
        expect(Number(/number of transactions actually processed: (\d+)/.exec(run.stdout)?.[1] ?? 0)).toBeGreaterThan(0);
      });
      if (script.includes('-N')) simpleUpdateDelta += BigInt(psqlValue('select coalesce(sum(delta), 0) from pgbench_history')) - before;
    }, 60_000);
  }

  it('keeps the TPC-B invariant: balance sums equal the history\'s', () => {
    const sums = psqlValue(`select (select sum(abalance) from pgbench_accounts), (select sum(bbalance) from pgbench_branches),
      (select sum(tbalance) from pgbench_tellers), (select sum(delta) from pgbench_history), (select count(*) > 0 from pgbench_history)`);
    const [a, b, t, h, any] = sums.split('|');
    expect(any).toBe('t');
    expect(a).toBe(h);
    // -N updates accounts and appends history but leaves tellers and branches alone.
    const tpcb = String(BigInt(h ?? '0') - simpleUpdateDelta);
    expect(b).toBe(tpcb);
    expect(t).toBe(tpcb);
  });
});
