// npm run bench -- freshness [--seconds 15] [--writers 4] [--rate 0] [--copy-rows 1000000]
//   [--skip-copy] [--skip-freshness] [--thunder-node-args=--cpu-prof,--cpu-prof-dir=/tmp/prof]
//
// Issue 5's two analytic-freshness figures, through the PostgreSQL protocol:
//
// 1. Freshness. `--writers` node-postgres clients insert single rows with
//    increasing ids (as fast as they can, or `--rate` rows/s in total); each
//    records when its INSERT was acknowledged. A separate reader, forced onto
//    the column path (SET thunderdb.read_path = 'column'), waits for the next
//    acknowledgement and at once runs `SELECT count(*) ... WHERE seq = $1`
//    for that row (seq is not a key, so the query is a column scan, not an
//    index lookup). The query pins a read index at or after the commit and
//    waits for the column store to apply it, so it must see the row on its
//    first try: a miss is a violation (counted; must be 0), and the reader
//    retries until it sees it. Visibility latency = the time the first query
//    that saw the row returned - the ack time: it includes the query's own
//    round trip, so it is an upper bound of "commit to visible". Beside it:
//    how often and how long queries waited for the column store (the
//    thunderdb_column_wait_* counters in /admin/metrics) and the column
//    store's lag in entries sampled from /admin/health.
// 2. COPY load throughput: the same pgbench_accounts-like rows (text format)
//    through COPY FROM STDIN into ThunderDB and a real PostgreSQL, rows/s.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import postgres from 'postgres';
import { startPostgres, type PostgresCluster } from './support/postgres.js';
import { machineInfo, writeResults } from './support/report.js';
import { startThunderdb, type ThunderdbServer } from './support/thunderdb.js';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '15' },
    writers: { type: 'string', default: '4' },
    rate: { type: 'string', default: '0' },
    'copy-rows': { type: 'string', default: '1000000' },
    'skip-copy': { type: 'boolean', default: false },
    'skip-freshness': { type: 'boolean', default: false },
    'thunder-node-args': { type: 'string', default: '' },
  },
});
const seconds = Number(args.seconds);
const writers = Number(args.writers);
const rate = Number(args.rate);
const copyRows = Number(args['copy-rows']);
const thunderNodeArgs = args['thunder-node-args'] === '' ? [] : args['thunder-node-args'].split(',');
if (!(seconds > 0) || !Number.isInteger(writers) || writers < 1 || !(rate >= 0) || !Number.isInteger(copyRows) || copyRows < 1) {
  throw new Error('--seconds must be positive, --writers a positive integer, --rate 0 (as fast as possible) or more, --copy-rows a positive integer');
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function summary(values: readonly number[]): { count: number; p50: number; p99: number; max: number; mean: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const mean = sorted.reduce((s, v) => s + v, 0) / Math.max(sorted.length, 1);
  return { count: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? NaN, mean };
}

function clientFor(env: NodeJS.ProcessEnv): pg.Client {
  return new pg.Client({ host: env['PGHOST'], port: Number(env['PGPORT']), user: env['PGUSER'], database: env['PGDATABASE'] });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// ---- freshness -------------------------------------------------------------

interface Ack { readonly seq: number; readonly ackMs: number }

interface FreshnessOutcome {
  readonly seconds: number;
  readonly writers: number;
  readonly targetRate: number;
  readonly rowsWritten: number;
  readonly writeRate: number;
  readonly insertMs: ReturnType<typeof summary>;
  /** Ack -> the first query that saw the row returned. */
  readonly visibleMs: ReturnType<typeof summary>;
  /** Ack -> the query started (the reader's own scheduling delay). */
  readonly startDelayMs: ReturnType<typeof summary>;
  /** Round trip of the queries that saw the row. */
  readonly queryMs: ReturnType<typeof summary>;
  /** `SELECT 1` on the reader's connection right after each sample: the round-trip floor on this machine under this load. */
  readonly floorMs: ReturnType<typeof summary>;
  readonly violations: number;
  readonly explain: string;
  readonly columnWait: { readonly queries: number; readonly waited: number; readonly waitedMsTotal: number; readonly waitedMsMean: number };
  readonly columnLagEntries: ReturnType<typeof summary>;
}

/** thunderdb_column_wait_* from /admin/metrics (they are process-wide totals). */
async function columnWaitCounters(httpPort: number): Promise<{ queries: number; waited: number; seconds: number }> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/admin/metrics`)).text();
  const value = (name: string): number => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm').exec(text)?.[1] ?? NaN);
  return {
    queries: value('thunderdb_column_wait_checks_total'),
    waited: value('thunderdb_column_waits_total'),
    seconds: value('thunderdb_column_wait_seconds_total'),
  };
}

async function columnLag(httpPort: number): Promise<number> {
  const body = await (await fetch(`http://127.0.0.1:${httpPort}/admin/health`)).json() as { components?: { columnstore?: { lag_entries?: number } } };
  return body.components?.columnstore?.lag_entries ?? NaN;
}

async function measureFreshness(server: ThunderdbServer): Promise<FreshnessOutcome> {
  const setup = clientFor(server.env);
  await setup.connect();
  await setup.query('DROP TABLE IF EXISTS fresh_events');
  await setup.query('CREATE TABLE fresh_events (id bigint PRIMARY KEY, seq bigint NOT NULL, client integer NOT NULL, amount integer NOT NULL)');
  await setup.end();

  const writerClients = Array.from({ length: writers }, () => clientFor(server.env));
  const reader = clientFor(server.env);
  await Promise.all([...writerClients, reader].map((c) => c.connect()));
  await reader.query(`SET thunderdb.read_path = 'column'`);
  const readSql = 'SELECT count(*)::int AS n FROM fresh_events WHERE seq = $1';
  const explain = (await reader.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${readSql.replace('$1', '1')}`)).rows.map((r) => r['QUERY PLAN']).join('\n');
  if (!explain.includes('Read Path: column')) throw new Error(`the freshness query does not run on the column path:\n${explain}`);

  let stop = false;
  let nextSeq = 1;
  const insertMs: number[] = [];
  let waitingReader: ((ack: Ack) => void) | null = null;
  const intervalMs = rate > 0 ? (1000 * writers) / rate : 0;

  async function writer(client: pg.Client, k: number): Promise<void> {
    let due = performance.now();
    while (!stop) {
      if (intervalMs > 0) {
        due += intervalMs;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
      }
      const seq = nextSeq++;
      const started = performance.now();
      await client.query({ name: 'ins', text: 'INSERT INTO fresh_events VALUES ($1, $2, $3, $4)', values: [seq, seq, k, seq % 1000] });
      const ackMs = performance.now();
      insertMs.push(ackMs - started);
      const wake = waitingReader;
      if (wake !== null) {
        waitingReader = null;
        wake({ seq, ackMs });
      }
    }
  }

  const visibleMs: number[] = [];
  const startDelayMs: number[] = [];
  const queryMs: number[] = [];
  const floorMs: number[] = [];
  let violations = 0;
  async function readerLoop(): Promise<void> {
    while (!stop) {
      // The next acknowledgement, not an old one: the query starts right after it.
      const ack = await new Promise<Ack>((resolve) => { waitingReader = resolve; });
      const started = performance.now();
      startDelayMs.push(started - ack.ackMs);
      for (let attempt = 0; ; attempt++) {
        const queryStarted = performance.now();
        const n = (await reader.query<{ n: number }>({ name: 'fresh', text: readSql, values: [ack.seq] })).rows[0]?.n ?? 0;
        const returned = performance.now();
        if (n === 1) {
          visibleMs.push(returned - ack.ackMs);
          queryMs.push(returned - queryStarted);
          const floorStarted = performance.now();
          await reader.query({ name: 'one', text: 'SELECT 1' });
          floorMs.push(performance.now() - floorStarted);
          break;
        }
        if (attempt === 0) violations++;
        if (attempt > 1000) throw new Error(`row seq=${ack.seq} still not visible after 1000 queries`);
      }
    }
  }

  const lag: number[] = [];
  async function lagSampler(): Promise<void> {
    while (!stop) {
      lag.push(await columnLag(server.httpPort));
      await sleep(100);
    }
  }

  // One second of warm-up (JIT, plan cache), then the measured run.
  const warm = Promise.all(writerClients.map((c, k) => writer(c, k)));
  await sleep(1000);
  stop = true;
  await warm;
  stop = false;
  insertMs.length = 0;
  const before = await columnWaitCounters(server.httpPort);
  const firstSeq = nextSeq;
  const started = performance.now();
  const running = Promise.all([...writerClients.map((c, k) => writer(c, k)), readerLoop(), lagSampler()]);
  const progress = setInterval(() => {
    const elapsed = (performance.now() - started) / 1000;
    process.stdout.write(`  ${elapsed.toFixed(0)} s: ${(nextSeq - firstSeq).toLocaleString('en-US')} rows written, ${visibleMs.length} visibility samples, ${violations} violations\n`);
  }, 2000);
  await sleep(seconds * 1000);
  stop = true;
  // The reader may be waiting for an ack that no writer will send any more.
  const pendingReader = waitingReader as ((ack: Ack) => void) | null;
  if (pendingReader !== null) pendingReader({ seq: 1, ackMs: performance.now() });
  await running;
  clearInterval(progress);
  const elapsedS = (performance.now() - started) / 1000;
  const after = await columnWaitCounters(server.httpPort);
  await Promise.all([...writerClients, reader].map((c) => c.end()));
  const rowsWritten = nextSeq - firstSeq;
  const queries = after.queries - before.queries;
  const waited = after.waited - before.waited;
  const waitedMsTotal = (after.seconds - before.seconds) * 1000;
  return {
    seconds: elapsedS, writers, targetRate: rate, rowsWritten, writeRate: rowsWritten / elapsedS,
    insertMs: summary(insertMs), visibleMs: summary(visibleMs), startDelayMs: summary(startDelayMs), queryMs: summary(queryMs), floorMs: summary(floorMs),
    violations, explain,
    columnWait: { queries, waited, waitedMsTotal, waitedMsMean: waited > 0 ? waitedMsTotal / waited : 0 },
    columnLagEntries: summary(lag),
  };
}

// ---- COPY ------------------------------------------------------------------

const copySchema = 'CREATE TABLE copy_accounts (aid integer PRIMARY KEY, bid integer NOT NULL, abalance integer NOT NULL, filler char(84))';

/** pgbench_accounts-like COPY text (pgbench -i leaves filler empty; here it holds a short text), in ~64 KiB chunks. */
function copyChunks(rows: number): Buffer[] {
  const chunks: Buffer[] = [];
  let pending: string[] = [];
  let bytes = 0;
  for (let aid = 1; aid <= rows; aid++) {
    const line = `${aid}\t${Math.floor((aid - 1) / 100_000) + 1}\t${(aid * 7919) % 10_000 - 5000}\taccount ${aid}\n`;
    pending.push(line);
    bytes += line.length;
    if (bytes >= 65_536) {
      chunks.push(Buffer.from(pending.join('')));
      pending = [];
      bytes = 0;
    }
  }
  if (pending.length > 0) chunks.push(Buffer.from(pending.join('')));
  return chunks;
}

interface CopyOutcome {
  readonly system: 'thunderdb' | 'postgresql';
  readonly rows: number;
  readonly ms: number;
  readonly rowsPerSecond: number;
  readonly counted: number;
  /** The server process's CPU time (user + system) during the COPY: steadier than wall time on a shared machine. ThunderDB only. */
  readonly serverCpuMs: number | null;
}

/** User + system CPU ms of a process, from /proc (Linux); null elsewhere. */
function processCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 (utime, stime) in clock ticks: 100 a second on Linux.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

async function copyLoad(system: CopyOutcome['system'], env: NodeJS.ProcessEnv, chunks: readonly Buffer[], serverPid?: number): Promise<CopyOutcome> {
  const sql = postgres({ host: env['PGHOST'], port: Number(env['PGPORT']), user: env['PGUSER'], database: env['PGDATABASE'], max: 1, onnotice: () => {} });
  try {
    await sql.unsafe('DROP TABLE IF EXISTS copy_accounts');
    await sql.unsafe(copySchema);
    let sent = 0;
    const cpuBefore = serverPid === undefined ? null : processCpuMs(serverPid);
    const started = performance.now();
    const progress = setInterval(() => {
      const elapsed = (performance.now() - started) / 1000;
      process.stdout.write(`  ${system}: ${sent}/${chunks.length} chunks sent after ${elapsed.toFixed(0)} s (the server acknowledges at the end)\n`);
    }, 2000);
    try {
      const writable = await sql.unsafe('COPY copy_accounts FROM STDIN').writable();
      await pipeline(Readable.from((function* counting() { for (const c of chunks) { sent++; yield c; } })()), writable);
    } finally {
      clearInterval(progress);
    }
    const ms = performance.now() - started;
    const cpuAfter = serverPid === undefined ? null : processCpuMs(serverPid);
    const serverCpuMs = cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore;
    const counted = Number((await sql.unsafe<{ n: string }[]>('SELECT count(*) AS n FROM copy_accounts'))[0]?.n ?? NaN);
    if (counted !== copyRows) throw new Error(`${system}: copy_accounts holds ${counted} rows after COPY, expected ${copyRows}`);
    const outcome = { system, rows: copyRows, ms, rowsPerSecond: copyRows / (ms / 1000), counted, serverCpuMs };
    process.stdout.write(`${system}: COPY ${copyRows.toLocaleString('en-US')} rows in ${ms.toFixed(0)} ms (${Math.round(outcome.rowsPerSecond).toLocaleString('en-US')} rows/s)${serverCpuMs === null ? '' : `, server CPU ${serverCpuMs} ms (${Math.round(copyRows / (serverCpuMs / 1000)).toLocaleString('en-US')} rows per CPU second)`}\n`);
    return outcome;
  } finally {
    await sql.end();
  }
}

// ---- report ----------------------------------------------------------------

const f = (v: number, digits = 2): string => Number.isFinite(v) ? v.toFixed(digits) : '—';
const n0 = (v: number): string => Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '—';

function markdown(fresh: FreshnessOutcome | null, copies: readonly CopyOutcome[], pgVersion: string | null): string {
  const lines = [
    '# Freshness and COPY load (issue 5)', '',
    `Machine: ${Object.entries(machineInfo()).map(([k, v]) => `${k} ${v}`).join(', ')}.${pgVersion === null ? '' : ` PostgreSQL ${pgVersion}.`}`,
    'ThunderDB single node, durable commits (sync_commit = true), default column store settings.',
    `Load average (1 min) at start ${f(loadAtStart, 1)}, at end ${f(loadavg()[0] ?? NaN, 1)} on ${machineInfo()['cpus']} CPUs: the machine is shared, and the tails below are mostly its scheduling.`, '',
  ];
  if (fresh !== null) {
    const v = fresh.visibleMs;
    lines.push(
      '## Commit acknowledgement → visible to an analytic (column-path) query', '',
      `${fresh.writers} writers (node-postgres, prepared single-row INSERTs, ${fresh.targetRate > 0 ? `${fresh.targetRate} rows/s target` : 'as fast as they go'}) for ${f(fresh.seconds, 1)} s:`,
      `${n0(fresh.rowsWritten)} rows, **${n0(fresh.writeRate)} rows/s**; INSERT round trip p50 ${f(fresh.insertMs.p50)} ms, p99 ${f(fresh.insertMs.p99)} ms.`,
      `A reader with \`SET thunderdb.read_path = 'column'\` queries \`SELECT count(*) FROM fresh_events WHERE seq = $1\` right after each acknowledgement it can catch.`, '',
      '| measure | samples | p50 ms | p99 ms | max ms | mean ms |', '|---|---:|---:|---:|---:|---:|',
      `| **ack → visible** (first query that saw the row returned) | ${v.count} | ${f(v.p50)} | **${f(v.p99)}** | ${f(v.max)} | ${f(v.mean)} |`,
      `| of which ack → query sent (reader scheduling) | ${fresh.startDelayMs.count} | ${f(fresh.startDelayMs.p50)} | ${f(fresh.startDelayMs.p99)} | ${f(fresh.startDelayMs.max)} | ${f(fresh.startDelayMs.mean)} |`,
      `| query round trip (incl. any column store wait) | ${fresh.queryMs.count} | ${f(fresh.queryMs.p50)} | ${f(fresh.queryMs.p99)} | ${f(fresh.queryMs.max)} | ${f(fresh.queryMs.mean)} |`,
      `| \`SELECT 1\` round trip right after (the floor under this load) | ${fresh.floorMs.count} | ${f(fresh.floorMs.p50)} | ${f(fresh.floorMs.p99)} | ${f(fresh.floorMs.max)} | ${f(fresh.floorMs.mean)} |`,
      '',
      `Target p99 < 10 ms: **${v.p99 < 10 ? 'met' : 'missed'}**. Violations (a query started after the ack that did not see the row): **${fresh.violations}**.`,
      `Column store waits (\`thunderdb_column_wait_*\`): ${fresh.columnWait.queries} column-path queries, ${fresh.columnWait.waited} found the store behind their read index and waited, ${f(fresh.columnWait.waitedMsTotal)} ms in total (mean ${f(fresh.columnWait.waitedMsMean, 3)} ms per wait).`,
      `Column store lag sampled from /admin/health every 100 ms: p50 ${f(fresh.columnLagEntries.p50, 0)}, p99 ${f(fresh.columnLagEntries.p99, 0)}, max ${f(fresh.columnLagEntries.max, 0)} entries (${fresh.columnLagEntries.count} samples).`,
      '', 'Plan of the reader\'s query:', '', '```', fresh.explain, '```', '',
    );
  }
  if (copies.length > 0) {
    const by = (s: CopyOutcome['system']): CopyOutcome | undefined => copies.find((c) => c.system === s);
    const t = by('thunderdb');
    const p = by('postgresql');
    lines.push(
      '## COPY FROM STDIN load throughput', '',
      `${n0(copyRows)} pgbench_accounts-like rows (\`${copySchema}\`), text format, one COPY over postgres.js, the same bytes to each system; time until COPY's acknowledgement.`, '',
      '| system | rows | ms | rows/s | server CPU ms | rows per server CPU second |', '|---|---:|---:|---:|---:|---:|',
      ...copies.map((c) => `| ${c.system} | ${n0(c.rows)} | ${n0(c.ms)} | ${n0(c.rowsPerSecond)} | ${c.serverCpuMs === null ? '—' : n0(c.serverCpuMs)} | ${c.serverCpuMs === null ? '—' : n0(c.rows / (c.serverCpuMs / 1000))} |`),
      '',
      t !== undefined && p !== undefined ? `ThunderDB/PostgreSQL: ${f(t.rowsPerSecond / p.rowsPerSecond)}.` : '',
      'Server CPU is the ThunderDB process\'s user + system time over the COPY (/proc): the machine is shared, so wall time varies with the load of others; PostgreSQL\'s backend is not measured.',
      '',
    );
  }
  return lines.join('\n');
}

// ---- main ------------------------------------------------------------------

const loadAtStart = loadavg()[0] ?? NaN;
let fresh: FreshnessOutcome | null = null;
const copies: CopyOutcome[] = [];
let pgVersion: string | null = null;
const chunks = args['skip-copy'] ? [] : copyChunks(copyRows);
if (!args['skip-freshness'] || !args['skip-copy']) {
  process.stdout.write('== thunderdb ==\n');
  const thunder = await startThunderdb({}, thunderNodeArgs);
  try {
    if (!args['skip-freshness']) fresh = await measureFreshness(thunder);
    if (!args['skip-copy']) copies.push(await copyLoad('thunderdb', thunder.env, chunks, thunder.pid));
  } finally {
    await thunder.stop();
  }
}
if (!args['skip-copy']) {
  process.stdout.write('== postgresql ==\n');
  const cluster: PostgresCluster = await startPostgres();
  try {
    pgVersion = cluster.version;
    copies.push(await copyLoad('postgresql', cluster.env, chunks));
  } finally {
    cluster.stop();
  }
}
writeResults('freshness', { machine: machineInfo(), loadAverage: { start: loadAtStart, end: loadavg()[0] }, postgresql: pgVersion, freshness: fresh, copy: copies }, markdown(fresh, copies, pgVersion));
if (fresh !== null && fresh.violations > 0) process.exitCode = 1;
