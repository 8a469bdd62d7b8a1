// Large transactions through the real server: a COPY too big for one log
// entry is proposed as parts (THUNDER_TEST_TXN_ENTRY_BYTES_MAX lowers the
// entry size so a small COPY spans dozens of them). Readers never see a
// prefix, kill -9 in the middle leaves all of the COPY or none of it, and a
// prefix of parts left in the log by a leader that died is dropped.
//
// On one node the parts are appended in one turn and usually written and
// committed in one batch, so the counting reader guards the property rather
// than provoking a partial apply; materializers/rowstore/txn-parts.test.ts
// reads between parts deterministically.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { EntryKind, openWal } from '../log/index.js';
import { decodeEntry, openRowStore, primaryKeyOf, rowStoreDirectory, type TxnEffect } from '../materializers/index.js';
import { encodeEntries } from '../query/engine-impl/commit.js';
import { removeDir, startServer, type TestServer } from './helpers/server.js';

const entryBytesMax = 64 * 1024;
const env = { THUNDER_TEST_TXN_ENTRY_BYTES_MAX: String(entryBytesMax) };
const started: TestServer[] = [];
const dirs = new Set<string>();

afterEach(async () => {
  for (const server of started.splice(0)) if (server.child.exitCode === null && server.child.signalCode === null) await server.stop();
  for (const dir of dirs) removeDir(dir);
  dirs.clear();
});

async function start(dir?: string, extraEnv: Readonly<Record<string, string>> = {}): Promise<TestServer> {
  const server = await startServer({ env: { ...env, ...extraEnv }, ...(dir === undefined ? {} : { dir }) });
  started.push(server);
  dirs.add(server.dir);
  return server;
}

async function client(port: number): Promise<pg.Client> {
  const c = new pg.Client({ host: '127.0.0.1', port, user: 'admin', database: 'thunderdb' });
  await c.connect();
  return c;
}

/** Rows of an id and 60 characters that do not compress (the WAL compresses entries). */
function copyData(rows: number, from = 0): string {
  let seed = 12345 + from;
  const pad = (): string => {
    let s = '';
    for (let k = 0; k < 60; k++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      s += String.fromCharCode(97 + (seed % 26));
    }
    return s;
  };
  let out = '';
  for (let i = from; i < from + rows; i++) out += `${i}\t${pad()}\n`;
  return out;
}

/** COPY through psql (stdin piped); resolves with psql's exit status and output. */
function psqlCopy(port: number, table: string, data: string): { done: Promise<{ status: number | null; stdout: string; stderr: string }> } {
  const child = spawn('psql', ['-X', '-h', '127.0.0.1', '-p', String(port), '-U', 'admin', '-d', 'thunderdb', '-v', 'ON_ERROR_STOP=1', '-c', `COPY ${table} FROM STDIN`], {
    stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, PGCONNECT_TIMEOUT: '10' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
  child.stdin.on('error', () => undefined);
  child.stdin.end(data);
  return { done: new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr }))) };
}

function dirBytes(dir: string): number {
  let n = 0;
  for (const name of readdirSync(dir)) {
    const stat = statSync(join(dir, name));
    n += stat.isDirectory() ? dirBytes(join(dir, name)) : stat.size;
  }
  return n;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('large transactions are atomic', () => {
  it('a COPY spanning many log entries is never seen half-applied by another connection', async () => {
    const server = await start();
    const writer = await client(server.pgPort);
    const reader = await client(server.pgPort);
    try {
      await writer.query('CREATE TABLE t (id int PRIMARY KEY, pad text)');
      const rowsPerCopy = 20_000; // about 1.5 MB: 25 or more entries of 64 KiB
      const rounds = 3;
      const seen = new Set<number>();
      let copying = true;
      const counting = (async () => {
        while (copying) {
          const r = await reader.query<{ n: string }>('SELECT count(*) AS n FROM t');
          seen.add(Number(r.rows[0]?.n));
        }
      })();
      for (let round = 0; round < rounds; round++) {
        const result = await psqlCopy(server.pgPort, 't', copyData(rowsPerCopy, round * rowsPerCopy)).done;
        expect(result.stderr).toBe('');
        expect(result.stdout.trim()).toBe(`COPY ${rowsPerCopy}`);
      }
      copying = false;
      await counting;
      for (const n of seen) expect(n % rowsPerCopy, `a reader saw ${n} rows`).toBe(0);
      const r = await reader.query<{ n: string; lo: number; hi: number }>('SELECT count(*) AS n, min(id) AS lo, max(id) AS hi FROM t');
      expect(r.rows[0]).toEqual({ n: String(rounds * rowsPerCopy), lo: 0, hi: rounds * rowsPerCopy - 1 });
    } finally {
      await writer.end();
      await reader.end();
    }
  });

  it('kill -9 in the middle of a multi-entry COPY leaves all of it or none after restart', async () => {
    const rows = 40_000; // about 3 MB: about 50 entries of 64 KiB
    let server = await start();
    const dir = server.dir;
    const outcomes: number[] = [];
    // Kill as soon as the COPY's entries start reaching the WAL, and at a fixed delay (while rows are still being loaded).
    // Group commit usually writes all parts in one write, so a durable prefix is rare here; the next test (and
    // test/sql-large-txn.test.ts, in process) makes one deterministically.
    const triggers: readonly ({ readonly walGrowthBytes: number } | { readonly delayMs: number })[] = [{ walGrowthBytes: 1 }, { delayMs: 400 }, { walGrowthBytes: 1 }];
    for (const [round, trigger] of triggers.entries()) {
      const table = `t${round}`;
      const c = await client(server.pgPort);
      await c.query(`CREATE TABLE ${table} (id int PRIMARY KEY, pad text)`);
      await c.end();
      const walDir = join(dir, 'wal');
      const baseline = dirBytes(walDir);
      const startedMs = performance.now();
      const copy = psqlCopy(server.pgPort, table, copyData(rows));
      if ('delayMs' in trigger) await sleep(trigger.delayMs);
      const deadline = performance.now() + 60_000;
      while ('walGrowthBytes' in trigger && dirBytes(walDir) - baseline < trigger.walGrowthBytes && performance.now() < deadline) await sleep(1);
      server.signal('SIGKILL');
      expect((await server.exited).signal, server.output().slice(-3000)).toBe('SIGKILL');
      await copy.done;
      console.log(`round ${round}: killed after ${((performance.now() - startedMs) / 1000).toFixed(1)} s, WAL grew ${dirBytes(walDir) - baseline} bytes`);

      server = await start(dir);
      const check = await client(server.pgPort);
      try {
        const r = await check.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
        const n = Number(r.rows[0]?.n);
        expect([0, rows], `table ${table} has ${n} rows after kill -9`).toContain(n);
        outcomes.push(n);
        console.log(`round ${round}: ${n} rows after restart`);
        // Nothing is stuck: the table takes new rows (ids past the COPY's) and counts them.
        await check.query(`INSERT INTO ${table} VALUES (${rows}, 'after')`);
        expect((await check.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n).toBe(String(n + 1));
      } finally {
        await check.end();
      }
    }
    // Restart once more cleanly: the state holds after a checkpointed shutdown and replay.
    const expected = outcomes.map((n) => n + 1);
    await server.stop();
    server = await start(dir);
    const last = await client(server.pgPort);
    try {
      for (const [round, n] of expected.entries()) {
        expect((await last.query<{ n: string }>(`SELECT count(*) AS n FROM t${round}`)).rows[0]?.n).toBe(String(n));
      }
    } finally {
      await last.end();
    }
  }, 240_000);

  it('kill -9 right after a COPY is acknowledged (its rows written to RocksDB ahead of any checkpoint) loses none of them', async () => {
    const rows = 40_000;
    // A load takes the bulk path past a quarter of the buffer pool (RowStoreOptions.bulkRowsMinBytes): 1 MB here.
    const smallPool = { THUNDERDB_STORAGE_BUFFER_POOL_SIZE: '4MB' };
    let server = await start(undefined, smallPool);
    const dir = server.dir;
    // At once, and once the row store has had time to write the bulk rows but (likely) not to checkpoint them.
    for (const [round, delayMs] of [0, 300].entries()) {
      const table = `b${round}`;
      const c = await client(server.pgPort);
      await c.query(`CREATE TABLE ${table} (id int PRIMARY KEY, pad text)`);
      await c.end();
      const result = await psqlCopy(server.pgPort, table, copyData(rows)).done;
      expect(result.stdout.trim(), result.stderr).toBe(`COPY ${rows}`);
      if (delayMs > 0) await sleep(delayMs);
      server.signal('SIGKILL');
      expect((await server.exited).signal).toBe('SIGKILL');
      server = await start(dir, smallPool);
      const check = await client(server.pgPort);
      try {
        expect((await check.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n).toBe(String(rows));
        // Point reads and a key-ordered scan go to the row store.
        expect((await check.query<{ pad: string }>(`SELECT pad FROM ${table} WHERE id = 12345`)).rows).toHaveLength(1);
        expect((await check.query<{ id: number }>(`SELECT id FROM ${table} ORDER BY id DESC LIMIT 2`)).rows).toEqual([{ id: rows - 1 }, { id: rows - 2 }]);
        await check.query(`UPDATE ${table} SET pad = 'changed' WHERE id = 7`);
        await check.query(`DELETE FROM ${table} WHERE id = 8`);
        expect((await check.query<{ pad: string }>(`SELECT pad FROM ${table} WHERE id = 7`)).rows).toEqual([{ pad: 'changed' }]);
        expect((await check.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n).toBe(String(rows - 1));
      } finally {
        await check.end();
      }
    }
    await server.stop();
    server = await start(dir, smallPool);
    const last = await client(server.pgPort);
    try {
      for (const table of ['b0', 'b1']) {
        expect((await last.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n).toBe(String(rows - 1));
        expect((await last.query<{ pad: string }>(`SELECT pad FROM ${table} WHERE id = 7`)).rows).toEqual([{ pad: 'changed' }]);
        expect((await last.query(`SELECT pad FROM ${table} WHERE id = 8`)).rows).toEqual([]);
      }
    } finally {
      await last.end();
    }
  }, 240_000);

  it('a committed prefix of parts without its last part is dropped by the restarted server, and blocks nothing', async () => {
    let server = await start();
    const dir = server.dir;
    const c = await client(server.pgPort);
    await c.query('CREATE TABLE p (id int PRIMARY KEY, pad text)');
    await c.query("INSERT INTO p VALUES (1, 'one')");
    await c.end();
    await server.stop();

    // What a leader that died mid-way leaves: the first parts of a transaction in its log, the last part never.
    const store = await openRowStore({ directory: rowStoreDirectory(join(dir, 'data')), bufferPoolBytes: 1 << 24 });
    const def = store.catalog().tables().find((t) => t.name === 'p');
    await store.close();
    if (def === undefined) throw new Error('table p is missing');
    const effects: TxnEffect[] = [];
    for (let id = 2; id < 3000; id++) {
      const row = [id, 'q'.repeat(40)];
      effects.push({ tableId: def.id, op: 'insert', key: primaryKeyOf(def, row), after: row });
    }
    const parts = encodeEntries({ txnId: 424242n, sessionId: 1, commitTsMicros: 1n }, effects, [], () => def.layout, 16 * 1024);
    expect(parts.length).toBeGreaterThan(4);
    const wal = await openWal({
      dir: join(dir, 'wal'), segmentSizeBytes: 64 * 1024 * 1024, bufferSizeBytes: 1 << 20, syncCommit: true, compression: 'lz4',
      logger: pino({ level: 'silent' }),
    });
    const last = wal.lastIndex();
    const term = wal.term(last) ?? 1;
    await wal.append(parts.slice(0, -1).map((data, i) => ({ index: last + 1 + i, term, kind: EntryKind.Normal, data })));
    await wal.close();

    server = await start(dir);
    const check = await client(server.pgPort);
    try {
      expect((await check.query<{ n: string }>('SELECT count(*) AS n FROM p')).rows[0]?.n).toBe('1');
      // The keys the dropped parts held are free: nothing applied them, nothing waits for them.
      await check.query("INSERT INTO p VALUES (2, 'two'), (2999, 'last')");
      expect((await check.query<{ n: string }>('SELECT count(*) AS n FROM p')).rows[0]?.n).toBe('3');
    } finally {
      await check.end();
    }
    await server.stop();
    server = await start(dir);
    const again = await client(server.pgPort);
    try {
      expect((await again.query<{ id: number }>('SELECT id FROM p ORDER BY id')).rows.map((r) => r.id)).toEqual([1, 2, 2999]);
    } finally {
      await again.end();
    }
    // The parts stayed in the log, committed, and the next leader's term followed them: they were replayed and dropped.
    await server.stop();
    const after = await openWal({
      dir: join(dir, 'wal'), segmentSizeBytes: 64 * 1024 * 1024, bufferSizeBytes: 1 << 20, syncCommit: true, compression: 'lz4',
      logger: pino({ level: 'silent' }),
    });
    try {
      const tail = await after.read(last + 1, last + parts.length + 1);
      expect(tail.slice(0, -1).map((e) => decodeEntry(e.data).type)).toEqual(parts.slice(0, -1).map(() => 'txnPart'));
      expect(tail.at(-1)?.term).toBeGreaterThan(term);
    } finally {
      await after.close();
    }
  });
});
