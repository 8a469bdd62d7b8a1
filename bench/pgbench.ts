// npm run bench -- pgbench [--scale 10] [--seconds 30] [--clients 8] [--threads 2] [--only tpcb,select,select-prepared,select-extended,simple-update]
//                          [--node-args "--max-semi-space-size=64"]   (V8 flags for the ThunderDB process)
//
// pgbench's own workloads against a throwaway PostgreSQL and ThunderDB in the
// same run: `pgbench -i -s SCALE` on both (timed), then per workload PostgreSQL
// and ThunderDB one after the other (so drift on a shared machine hits both):
// TPC-B (the default script), -S simple, -S -M prepared, -S -M extended, -N. Durable commits
// on both (synchronous_commit on / sync_commit = true). Checks the TPC-B
// balance invariant on both: after TPC-B, sum(abalance) = sum(bbalance) =
// sum(tbalance) = sum(delta); -N updates only accounts and history, so after
// it sum(abalance) = sum(delta).
import { spawnSync } from 'node:child_process';
import { psql, startPostgres, type PostgresCluster } from './support/postgres.js';
import { runPgbench, type PgbenchBuiltin, type PgbenchResult } from './support/pgbench.js';
import { machineInfo, writeResults } from './support/report.js';
import { startThunderdb, type ThunderdbServer } from './support/thunderdb.js';

interface Workload {
  readonly id: string;
  readonly title: string;
  readonly builtin: PgbenchBuiltin;
  readonly mode: 'simple' | 'extended' | 'prepared';
}

const workloads: readonly Workload[] = [
  { id: 'tpcb', title: 'TPC-B (default script)', builtin: 'tpcb-like', mode: 'simple' },
  { id: 'select', title: '-S (select only), simple', builtin: 'select-only', mode: 'simple' },
  { id: 'select-prepared', title: '-S -M prepared', builtin: 'select-only', mode: 'prepared' },
  // Parse + Bind + Execute per statement: ThunderDB's read path without the plan kept across executions.
  { id: 'select-extended', title: '-S -M extended', builtin: 'select-only', mode: 'extended' },
  { id: 'simple-update', title: '-N (simple update)', builtin: 'simple-update', mode: 'simple' },
];

interface Options {
  readonly scale: number;
  readonly seconds: number;
  readonly clients: number;
  readonly threads: number;
  readonly only: readonly string[];
  /** Extra flags for ThunderDB's node process (V8 tuning), reported with the results. */
  readonly nodeArgs: readonly string[];
}

function parseArgs(argv: readonly string[]): Options {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i] ?? '';
    const value = argv[i + 1];
    if (!name.startsWith('--') || value === undefined) throw new Error(`usage: pgbench [--scale N] [--seconds N] [--clients N] [--threads N] [--only ${workloads.map((w) => w.id).join(',')}]; got ${argv.join(' ')}`);
    values.set(name.slice(2), value);
  }
  const positive = (name: string, fallback: number): number => {
    const n = Number(values.get(name) ?? fallback);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${values.get(name)}`);
    return n;
  };
  const only = (values.get('only') ?? workloads.map((w) => w.id).join(',')).split(',');
  for (const id of only) if (!workloads.some((w) => w.id === id)) throw new Error(`--only: unknown workload ${id}`);
  const nodeArgs = (values.get('node-args') ?? '').split(' ').filter((a) => a !== '');
  return { scale: positive('scale', 10), seconds: positive('seconds', 30), clients: positive('clients', 8), threads: positive('threads', 2), only, nodeArgs };
}

interface InitResult { readonly seconds: number; readonly how: string; settleSeconds?: number }

/** `pgbench -i -s scale`; if that fails on ThunderDB, the same steps without vacuum. */
function initialise(env: NodeJS.ProcessEnv, scale: number): InitResult {
  const attempts: readonly (readonly string[])[] = [[], ['-I', 'dtgp']];
  let lastError = '';
  for (const extra of attempts) {
    const start = process.hrtime.bigint();
    const result = spawnSync('pgbench', ['-i', '-q', '-s', String(scale), ...extra], { env, encoding: 'utf8' });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (result.status === 0) return { seconds, how: `pgbench -i -s ${scale}${extra.length > 0 ? ` ${extra.join(' ')}` : ''}` };
    lastError = `${result.stdout}${result.stderr}`;
    process.stdout.write(`pgbench -i ${extra.join(' ')} failed:\n${lastError}\n`);
  }
  throw new Error(`could not initialise: ${lastError}`);
}

/**
 * Starts both systems from a checkpointed state, so the first workload does
 * not pay for writing out the load: CHECKPOINT on PostgreSQL; on ThunderDB,
 * waits (up to `waitMs`) until the row store's checkpoint covers the index
 * applied now (its checkpointer runs every checkpoint_interval, 60 s by default).
 */
async function settle(system: 'postgresql' | 'thunderdb', env: NodeJS.ProcessEnv, httpPort: number, waitMs: number): Promise<number> {
  const start = Date.now();
  if (system === 'postgresql') {
    psql(env, 'CHECKPOINT');
    return (Date.now() - start) / 1000;
  }
  const rowstore = async (): Promise<{ applied_index: number; checkpoint_index: number } | undefined> => {
    const health = (await (await fetch(`http://127.0.0.1:${httpPort}/admin/health`)).json()) as { components?: { rowstore?: { applied_index: number; checkpoint_index: number } } };
    return health.components?.rowstore;
  };
  const target = (await rowstore())?.applied_index ?? 0;
  while (Date.now() - start < waitMs) {
    const now = await rowstore();
    if (now === undefined || now.checkpoint_index >= target) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return (Date.now() - start) / 1000;
}

interface Balances { readonly accounts: string; readonly branches: string; readonly tellers: string; readonly history: string }

function balances(env: NodeJS.ProcessEnv): Balances {
  const line = psql(env, `SELECT (SELECT coalesce(sum(abalance), 0) FROM pgbench_accounts), (SELECT coalesce(sum(bbalance), 0) FROM pgbench_branches),
    (SELECT coalesce(sum(tbalance), 0) FROM pgbench_tellers), (SELECT coalesce(sum(delta), 0) FROM pgbench_history)`).trim();
  const [accounts = '', branches = '', tellers = '', history = ''] = line.split('|');
  return { accounts, branches, tellers, history };
}

interface Check { readonly after: string; readonly balances: Balances; readonly holds: boolean }

function check(env: NodeJS.ProcessEnv, after: string, full: boolean): Check {
  const b = balances(env);
  const holds = b.accounts === b.history && (!full || (b.accounts === b.branches && b.accounts === b.tellers));
  return { after, balances: b, holds };
}

interface SystemRun {
  readonly system: 'postgresql' | 'thunderdb';
  readonly env: NodeJS.ProcessEnv;
  readonly init: InitResult;
  readonly results: Map<string, PgbenchResult>;
  readonly checks: Check[];
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function markdown(options: Options, runs: readonly SystemRun[], postgresVersion: string): string {
  const [pg, td] = runs;
  const lines = [
    `# pgbench, scale ${options.scale}: ThunderDB beside PostgreSQL`, '',
    `Machine: ${Object.entries(machineInfo()).map(([k, v]) => `${k} ${v}`).join(', ')}. PostgreSQL ${postgresVersion}.`,
    `pgbench -c ${options.clients} -j ${options.threads} -T ${options.seconds} per workload, PostgreSQL then ThunderDB for each; durable commits on both (synchronous_commit on / sync_commit = true).`,
    `ThunderDB's node flags: ${options.nodeArgs.length === 0 ? 'none' : `\`${options.nodeArgs.join(' ')}\``}.`, '',
    '| initialisation | seconds | how | then checkpointed in s |', '|---|---:|---|---:|',
    ...runs.map((r) => `| ${r.system} | ${fmt(r.init.seconds, 2)} | \`${r.init.how}\` | ${fmt(r.init.settleSeconds ?? 0, 1)} |`), '',
    'Each system starts the workloads from a checkpoint taken after its load (CHECKPOINT on PostgreSQL; ThunderDB: waits for the row store checkpointer).', '',
    '| workload | PostgreSQL TPS | p50 ms | p99 ms | ThunderDB TPS | p50 ms | p99 ms | failed (PG/TD) | ThunderDB/PostgreSQL |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const w of workloads) {
    const a = pg?.results.get(w.id);
    const b = td?.results.get(w.id);
    if (a === undefined || b === undefined) continue;
    lines.push(`| ${w.title} | ${fmt(a.tps)} | ${fmt(a.latencyMsP50, 3)} | ${fmt(a.latencyMsP99, 3)} | ${fmt(b.tps)} | ${fmt(b.latencyMsP50, 3)} | ${fmt(b.latencyMsP99, 3)} | ${a.failed}/${b.failed} | ${(b.tps / a.tps).toFixed(2)} |`);
  }
  lines.push('', '| system | after | sum(abalance) | sum(bbalance) | sum(tbalance) | sum(delta) | invariant |', '|---|---|---:|---:|---:|---:|---|');
  for (const r of runs) {
    for (const c of r.checks) {
      lines.push(`| ${r.system} | ${c.after} | ${c.balances.accounts} | ${c.balances.branches} | ${c.balances.tellers} | ${c.balances.history} | ${c.holds ? 'holds' : 'BROKEN'} |`);
    }
  }
  lines.push('', 'After TPC-B all four sums must be equal; -N changes only accounts and history, so after it sum(abalance) = sum(delta).', '');
  return lines.join('\n');
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  let postgres: PostgresCluster | undefined;
  let thunder: ThunderdbServer | undefined;
  try {
    postgres = await startPostgres({ synchronous_commit: 'on' });
    thunder = await startThunderdb({}, options.nodeArgs);
    const runs: SystemRun[] = [];
    for (const [system, env] of [['postgresql', postgres.env], ['thunderdb', thunder.env]] as const) {
      process.stdout.write(`${system}: pgbench -i -s ${options.scale}...\n`);
      const init = initialise(env, options.scale);
      process.stdout.write(`${system}: initialised in ${init.seconds.toFixed(2)} s (${init.how})\n`);
      runs.push({ system, env, init, results: new Map(), checks: [] });
    }
    for (const run of runs) {
      run.init.settleSeconds = await settle(run.system, run.env, thunder.httpPort, 180_000);
      process.stdout.write(`${run.system}: checkpointed after the load in ${run.init.settleSeconds.toFixed(1)} s\n`);
    }
    for (const w of workloads) {
      if (!options.only.includes(w.id)) continue;
      for (const run of runs) {
        process.stdout.write(`${run.system}: ${w.title}, ${options.clients} clients, ${options.seconds} s...\n`);
        const result = runPgbench({ env: run.env, script: { builtin: w.builtin }, clients: options.clients, threads: options.threads, seconds: options.seconds, mode: w.mode });
        process.stdout.write(`${run.system}: ${fmt(result.tps)} TPS, p50 ${fmt(result.latencyMsP50, 3)} ms, p99 ${fmt(result.latencyMsP99, 3)} ms\n`);
        run.results.set(w.id, result);
        if (w.builtin !== 'select-only') run.checks.push(check(run.env, w.title, w.builtin === 'tpcb-like' && !run.results.has('simple-update')));
      }
    }
    const md = markdown(options, runs, postgres.version);
    const json = {
      options, machine: machineInfo(), postgresVersion: postgres.version,
      systems: runs.map((r) => ({ system: r.system, init: r.init, results: Object.fromEntries(r.results), checks: r.checks })),
      ratios: Object.fromEntries(workloads.flatMap((w) => {
        const a = runs[0]?.results.get(w.id);
        const b = runs[1]?.results.get(w.id);
        return a === undefined || b === undefined ? [] : [[w.id, b.tps / a.tps]];
      })),
    };
    writeResults('pgbench', json, md);
    if (runs.some((r) => r.checks.some((c) => !c.holds))) process.exitCode = 1;
  } finally {
    await thunder?.stop();
    postgres?.stop();
  }
}

await main();
