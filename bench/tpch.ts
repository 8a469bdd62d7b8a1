// npm run bench -- tpch [--sf 0.2] [--runs 5] [--queries 1,6] [--systems thunderdb,postgresql,duckdb]
//   [--budget-s 60] [--thunder-node-args=--cpu-prof,--cpu-prof-dir=/tmp/prof]
//
// TPC-H queries 1, 3, 5, 6, 10, 12, 14 and 19 on ThunderDB beside a real
// PostgreSQL and DuckDB (2 threads), over the same generated data (our own
// deterministic generator, bench/support/tpch-gen.ts), loaded with COPY. Each
// query runs once to warm up, then best of `--runs`; a query whose warm-up
// took longer than `--budget-s` is timed once more only. Answers are checked
// against PostgreSQL's: numbers as text after normalising the scale, binary
// floats within a relative 1e-9, text with trailing blanks removed (DuckDB
// has no blank-padded char(n)), rows in order (every ORDER BY is total).
// Results: bench/results/tpch.{json,md} at the default SF 0.2, and
// tpch-sf<N>.{json,md} (e.g. tpch-sf1) at any other scale factor.
import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import postgres from 'postgres';
import { startDuckdb } from './support/duckdb.js';
import { psql, startPostgres } from './support/postgres.js';
import { machineInfo, writeResults } from './support/report.js';
import { startThunderdb } from './support/thunderdb.js';
import { tpchCopyText, tpchSchema, tpchTableNames, type TpchTable } from './support/tpch-gen.js';
import { tpchQueries, type TpchQuery } from './support/tpch-queries.js';

const systems = ['thunderdb', 'postgresql', 'duckdb'] as const;
type System = (typeof systems)[number];

const { values: args } = parseArgs({
  options: {
    sf: { type: 'string', default: '0.2' },
    runs: { type: 'string', default: '5' },
    queries: { type: 'string', default: tpchQueries.map((q) => q.id).join(',') },
    systems: { type: 'string', default: systems.join(',') },
    'budget-s': { type: 'string', default: '60' },
    'thunder-node-args': { type: 'string', default: '' },
  },
});
const scaleFactor = Number(args.sf);
const runs = Number(args.runs);
const budgetMs = Number(args['budget-s']) * 1000;
const queryIds = args.queries.split(',').map(Number);
const chosenSystems = args.systems.split(',') as System[];
const thunderNodeArgs = args['thunder-node-args'] === '' ? [] : args['thunder-node-args'].split(',');
const queries = queryIds.map((id) => {
  const query = tpchQueries.find((q) => q.id === id);
  if (query === undefined) throw new Error(`--queries: no TPC-H query ${id} here; have ${tpchQueries.map((q) => q.id).join(', ')}`);
  return query;
});
if (!(scaleFactor > 0) || !(runs >= 1)) throw new Error('--sf must be positive and --runs at least 1');
for (const s of chosenSystems) if (!systems.includes(s)) throw new Error(`--systems: unknown system ${s}`);

interface Answer {
  readonly rows: readonly (readonly (string | null)[])[];
  readonly floats: readonly boolean[];
}

interface QueryTiming {
  readonly system: System;
  readonly query: number;
  readonly bestMs: number;
  readonly warmupMs: number;
  readonly runs: number;
  readonly rows: number;
}

interface LoadTiming { readonly system: System; readonly table: TpchTable; readonly rows: number; readonly ms: number }

// ---- data ------------------------------------------------------------------

/** Writes every table's COPY text to `dir` once; returns the row count of each. */
async function generate(dir: string): Promise<Map<TpchTable, number>> {
  const counts = new Map<TpchTable, number>();
  for (const table of tpchTableNames) {
    const started = Date.now();
    const out = createWriteStream(join(dir, `${table}.tbl`));
    let rows = 0;
    for (const chunk of tpchCopyText(table, { scaleFactor })) {
      for (let i = chunk.indexOf('\n'); i !== -1; i = chunk.indexOf('\n', i + 1)) rows++;
      if (!out.write(chunk)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    counts.set(table, rows);
    process.stdout.write(`generated ${table}: ${rows.toLocaleString('en-US')} rows in ${Date.now() - started} ms\n`);
  }
  return counts;
}

/** Counts rows as they stream past and prints rows/s every second. */
function progress(system: System, table: TpchTable, total: number): Transform {
  let rows = 0;
  let lastPrint = Date.now();
  const started = lastPrint;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) rows++;
      const now = Date.now();
      if (now - lastPrint >= 1000) {
        lastPrint = now;
        process.stdout.write(`  ${system} ${table}: ${rows.toLocaleString('en-US')}/${total.toLocaleString('en-US')} rows sent, ${Math.round(rows / ((now - started) / 1000)).toLocaleString('en-US')} rows/s (the server acknowledges at the end)\n`);
      }
      callback(null, chunk);
    },
  });
}

async function loadOverCopy(system: System, env: NodeJS.ProcessEnv, dir: string, counts: Map<TpchTable, number>): Promise<LoadTiming[]> {
  const sql = postgres({ host: env['PGHOST'], port: Number(env['PGPORT']), user: env['PGUSER'], database: env['PGDATABASE'], max: 1, onnotice: () => {} });
  const timings: LoadTiming[] = [];
  try {
    for (const table of tpchTableNames) await sql.unsafe(tpchSchema[table]);
    for (const table of tpchTableNames) {
      const rows = counts.get(table) ?? 0;
      const started = Date.now();
      const writable = await sql.unsafe(`COPY ${table} FROM STDIN`).writable();
      await pipeline(createReadStream(join(dir, `${table}.tbl`)), progress(system, table, rows), writable);
      const ms = Date.now() - started;
      timings.push({ system, table, rows, ms });
      process.stdout.write(`${system}: loaded ${table}, ${rows.toLocaleString('en-US')} rows in ${ms} ms (${Math.round(rows / Math.max(ms, 1) * 1000).toLocaleString('en-US')} rows/s)\n`);
    }
  } finally {
    await sql.end();
  }
  return timings;
}

// ---- queries ---------------------------------------------------------------

type Runner = (sql: string) => Promise<Answer>;

function pgRunner(client: pg.Client): Runner {
  return async (text) => {
    const result = await client.query<(string | null)[]>({ text, rowMode: 'array', types: { getTypeParser: () => (v: string) => v } });
    return { rows: result.rows, floats: result.fields.map((f) => f.dataTypeID === 700 || f.dataTypeID === 701) };
  };
}

async function timeQueries(system: System, run: Runner): Promise<{ timings: QueryTiming[]; answers: Map<number, Answer> }> {
  const timings: QueryTiming[] = [];
  const answers = new Map<number, Answer>();
  for (const query of queries) {
    let started = performance.now();
    const answer = await run(query.sql);
    const warmupMs = performance.now() - started;
    answers.set(query.id, answer);
    const count = warmupMs > budgetMs ? 1 : runs;
    let bestMs = Infinity;
    for (let i = 0; i < count; i++) {
      started = performance.now();
      await run(query.sql);
      bestMs = Math.min(bestMs, performance.now() - started);
    }
    timings.push({ system, query: query.id, bestMs, warmupMs, runs: count, rows: answer.rows.length });
    process.stdout.write(`${system}: Q${query.id} best ${bestMs.toFixed(1)} ms of ${count} (warm-up ${warmupMs.toFixed(1)} ms), ${answer.rows.length} rows\n`);
  }
  return { timings, answers };
}

// ---- answers ---------------------------------------------------------------

const numberText = /^-?\d+(\.\d+)?$/;

function normalise(value: string | null): string {
  if (value === null) return 'NULL';
  if (numberText.test(value)) {
    let text = value.includes('.') ? value.replace(/0+$/, '').replace(/\.$/, '') : value;
    if (text === '-0') text = '0';
    return text;
  }
  return value.trimEnd();
}

function sameValue(a: string | null, b: string | null, float: boolean): boolean {
  const x = normalise(a);
  const y = normalise(b);
  if (x === y) return true;
  if (!float || !numberTextOrExponent(x) || !numberTextOrExponent(y)) return false;
  const p = Number(x);
  const q = Number(y);
  return Math.abs(p - q) <= 1e-9 * Math.max(Math.abs(p), Math.abs(q), 1e-300);
}

function numberTextOrExponent(text: string): boolean { return text !== '' && Number.isFinite(Number(text)); }

/** null when the answers agree, else the first difference. */
function difference(query: TpchQuery, expected: Answer, actual: Answer): string | null {
  if (expected.rows.length !== actual.rows.length) return `${actual.rows.length} rows, expected ${expected.rows.length}`;
  const key = (row: readonly (string | null)[]): string => row.map(normalise).join('\t');
  const left = query.ordered ? expected.rows : [...expected.rows].sort((a, b) => key(a).localeCompare(key(b)));
  const right = query.ordered ? actual.rows : [...actual.rows].sort((a, b) => key(a).localeCompare(key(b)));
  for (let r = 0; r < left.length; r++) {
    const e = left[r] ?? [];
    const a = right[r] ?? [];
    if (e.length !== a.length) return `row ${r + 1}: ${a.length} columns, expected ${e.length}`;
    for (let c = 0; c < e.length; c++) {
      const float = (expected.floats[c] ?? false) || (actual.floats[c] ?? false);
      if (!sameValue(e[c] ?? null, a[c] ?? null, float)) return `row ${r + 1} column ${c + 1}: ${a[c] ?? 'NULL'}, expected ${e[c] ?? 'NULL'}`;
    }
  }
  return null;
}

// ---- systems ---------------------------------------------------------------

interface SystemOutcome { version: string; loads: LoadTiming[]; timings: QueryTiming[]; answers: Map<number, Answer> }

async function runOverPg(system: 'thunderdb' | 'postgresql', dir: string, counts: Map<TpchTable, number>): Promise<SystemOutcome> {
  const server = system === 'thunderdb'
    ? await startThunderdb({}, thunderNodeArgs)
    : await startPostgres({ max_parallel_workers_per_gather: '2', work_mem: '64MB' });
  const env = server.env;
  const client = new pg.Client({ host: env['PGHOST'], port: Number(env['PGPORT']), user: env['PGUSER'], database: env['PGDATABASE'] });
  try {
    const loads = await loadOverCopy(system, env, dir, counts);
    await client.connect();
    const analyzeStarted = Date.now();
    if (system === 'postgresql') psql(env, 'ANALYZE');
    else await client.query('ANALYZE').catch((error: unknown) => process.stdout.write(`thunderdb: ANALYZE not run (${String(error)})\n`));
    process.stdout.write(`${system}: ANALYZE took ${Date.now() - analyzeStarted} ms\n`);
    // Both systems settle the load before timing: PostgreSQL writes its dirty
    // buffers, ThunderDB its views' checkpoints (else the row store's early
    // checkpoint of the loaded rows runs under the first queries).
    const checkpointStarted = Date.now();
    if (system === 'postgresql') psql(env, 'CHECKPOINT');
    else await client.query('CHECKPOINT');
    process.stdout.write(`${system}: CHECKPOINT took ${Date.now() - checkpointStarted} ms\n`);
    const version = (await client.query<{ v: string }>('SELECT version() AS v')).rows[0]?.v ?? 'unknown';
    return { version, loads, ...(await timeQueries(system, pgRunner(client))) };
  } finally {
    await client.end().catch(() => {});
    if ('pgPort' in server) await server.stop(); else server.stop();
  }
}

async function runDuckdb(dir: string, counts: Map<TpchTable, number>): Promise<SystemOutcome> {
  const duck = await startDuckdb(2);
  try {
    const loads: LoadTiming[] = [];
    for (const table of tpchTableNames) await duck.exec(tpchSchema[table]);
    for (const table of tpchTableNames) {
      const started = Date.now();
      await duck.exec(`COPY ${table} FROM '${join(dir, `${table}.tbl`)}' (FORMAT csv, DELIMITER '\t', HEADER false, QUOTE '', ESCAPE '', AUTO_DETECT false)`);
      const ms = Date.now() - started;
      const rows = counts.get(table) ?? 0;
      loads.push({ system: 'duckdb', table, rows, ms });
      process.stdout.write(`duckdb: loaded ${table}, ${rows.toLocaleString('en-US')} rows in ${ms} ms\n`);
    }
    const run: Runner = async (sql) => duck.query(sql);
    return { version: duck.version, loads, ...(await timeQueries('duckdb', run)) };
  } finally {
    duck.close();
  }
}

// ---- report ----------------------------------------------------------------

function geomean(values: readonly number[]): number {
  return values.length === 0 ? NaN : Math.exp(values.reduce((s, v) => s + Math.log(v), 0) / values.length);
}

function ms(value: number | undefined): string { return value === undefined ? '—' : value < 10 ? value.toFixed(2) : value.toFixed(1); }
function ratio(a: number | undefined, b: number | undefined): string { return a === undefined || b === undefined ? '—' : (a / b).toFixed(1); }

function markdown(outcomes: Map<System, SystemOutcome>, checks: Map<string, string | null>): string {
  const best = (s: System, q: number): number | undefined => outcomes.get(s)?.timings.find((t) => t.query === q)?.bestMs;
  const lines = [
    '# TPC-H (queries 1, 3, 5, 6, 10, 12, 14, 19)', '',
    `Scale factor ${scaleFactor} (lineitem ${(outcomes.values().next().value?.loads.find((l) => l.table === 'lineitem')?.rows ?? 0).toLocaleString('en-US')} rows), our generator (bench/support/tpch-gen.ts). Best of ${runs} after a warm-up (1 timed run when the warm-up exceeded ${budgetMs / 1000} s).`,
    `Machine: ${Object.entries(machineInfo()).map(([k, v]) => `${k} ${v}`).join(', ')}.`,
    ...(thunderNodeArgs.length > 0 ? [`ThunderDB's node flags: \`${thunderNodeArgs.join(' ')}\`.`] : []),
    ...[...outcomes].map(([s, o]) => `- ${s}: ${o.version.split('\n')[0] ?? ''}`),
    '', '| query | ThunderDB ms | PostgreSQL ms | DuckDB ms | ThunderDB/PostgreSQL | ThunderDB/DuckDB | answers |', '|---|---:|---:|---:|---:|---:|---|',
  ];
  for (const q of queries) {
    const t = best('thunderdb', q.id);
    const p = best('postgresql', q.id);
    const d = best('duckdb', q.id);
    const verdicts = [...checks].filter(([k]) => k.startsWith(`Q${q.id} `)).map(([k, v]) => `${k.split(' ')[1]}: ${v === null ? 'agree' : `DIFFER (${v})`}`);
    lines.push(`| Q${q.id} ${q.title} | ${ms(t)} | ${ms(p)} | ${ms(d)} | ${ratio(t, p)} | ${ratio(t, d)} | ${verdicts.join('; ') || '—'} |`);
  }
  const all = (s: System): number[] => queries.map((q) => best(s, q.id)).filter((v): v is number => v !== undefined);
  const [gt, gp, gd] = [geomean(all('thunderdb')), geomean(all('postgresql')), geomean(all('duckdb'))];
  lines.push(`| geometric mean | ${ms(gt)} | ${ms(gp)} | ${ms(gd)} | ${ratio(gt, gp)} | ${ratio(gt, gd)} | |`, '');
  lines.push('## Load (COPY; then ANALYZE and CHECKPOINT on PostgreSQL and ThunderDB; DuckDB COPY from the same files)', '', '| table | rows | ThunderDB ms | PostgreSQL ms | DuckDB ms | ThunderDB rows/s |', '|---|---:|---:|---:|---:|---:|');
  for (const table of tpchTableNames) {
    const load = (s: System): LoadTiming | undefined => outcomes.get(s)?.loads.find((l) => l.table === table);
    const t = load('thunderdb');
    const rows = (t ?? load('postgresql') ?? load('duckdb'))?.rows ?? 0;
    lines.push(`| ${table} | ${rows.toLocaleString('en-US')} | ${t?.ms ?? '—'} | ${load('postgresql')?.ms ?? '—'} | ${load('duckdb')?.ms ?? '—'} | ${t ? Math.round(t.rows / Math.max(t.ms, 1) * 1000).toLocaleString('en-US') : '—'} |`);
  }
  const total = (s: System): string => { const o = outcomes.get(s); return o ? String(o.loads.reduce((sum, l) => sum + l.ms, 0)) : '—'; };
  lines.push(`| total | | ${total('thunderdb')} | ${total('postgresql')} | ${total('duckdb')} | |`, '');
  return lines.join('\n');
}

// ---- main ------------------------------------------------------------------

const dir = mkdtempSync(join(tmpdir(), 'thunderdb-tpch-'));
const outcomes = new Map<System, SystemOutcome>();
try {
  const counts = await generate(dir);
  // Each system runs alone, so each has both cores to itself.
  for (const system of chosenSystems) {
    process.stdout.write(`\n== ${system} ==\n`);
    outcomes.set(system, system === 'duckdb' ? await runDuckdb(dir, counts) : await runOverPg(system, dir, counts));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// PostgreSQL is the reference; without it, the first system that ran.
const checks = new Map<string, string | null>();
const reference = outcomes.get('postgresql') ?? outcomes.values().next().value;
for (const query of queries) {
  const expected = reference?.answers.get(query.id);
  for (const [system, outcome] of outcomes) {
    if (outcome === reference || expected === undefined) continue;
    const actual = outcome.answers.get(query.id);
    checks.set(`Q${query.id} ${system}`, actual === undefined ? 'no answer' : difference(query, expected, actual));
  }
}
const agree = [...checks.values()].every((v) => v === null);
// The default scale factor keeps the plain name; others (issue 5 asks for SF 1
// as well) get their own files so one run does not overwrite the other.
const resultsName = scaleFactor === 0.2 ? 'tpch' : `tpch-sf${String(scaleFactor).replace('.', '_')}`;
writeResults(resultsName, {
  scaleFactor, runs, budgetMs, queries: queryIds, machine: machineInfo(),
  versions: Object.fromEntries([...outcomes].map(([s, o]) => [s, o.version])),
  timings: [...outcomes.values()].flatMap((o) => o.timings),
  loads: [...outcomes.values()].flatMap((o) => o.loads),
  checks: Object.fromEntries(checks), agree,
}, markdown(outcomes, checks));
if (!agree) process.exitCode = 1;
