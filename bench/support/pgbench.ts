// Runs pgbench (the real client, C, so the load generator costs little CPU)
// with a custom script and parses its summary.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PgbenchResult {
  readonly tps: number;
  readonly latencyMsAvg: number;
  readonly latencyMsP50: number;
  readonly latencyMsP99: number;
  readonly transactions: number;
  readonly failed: number;
}

/** pgbench's built-in scripts (`-b`): TPC-B, `-S` and `-N`. */
export type PgbenchBuiltin = 'tpcb-like' | 'select-only' | 'simple-update';

export interface PgbenchRun {
  readonly env: NodeJS.ProcessEnv;
  /** A custom script, or a built-in one by name. */
  readonly script: string | { readonly builtin: PgbenchBuiltin };
  readonly clients: number;
  readonly threads: number;
  readonly seconds: number;
  readonly mode: 'simple' | 'extended' | 'prepared';
  readonly variables?: Readonly<Record<string, string>>;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Runs pgbench with per-transaction logging (-l) to compute p50/p99 itself. */
export function runPgbench(run: PgbenchRun): PgbenchResult {
  const dir = mkdtempSync(join(tmpdir(), 'thunderdb-pgbench-'));
  try {
    let scriptArgs: string[];
    if (typeof run.script === 'string') {
      const scriptPath = join(dir, 'script.sql');
      writeFileSync(scriptPath, run.script);
      scriptArgs = ['-f', scriptPath];
    } else {
      scriptArgs = ['-b', run.script.builtin];
    }
    const args = [
      '-n', '-c', String(run.clients), '-j', String(run.threads), '-T', String(run.seconds), '-M', run.mode,
      ...scriptArgs, '-l', '--log-prefix', join(dir, 'log'),
      ...Object.entries(run.variables ?? {}).flatMap(([k, v]) => ['-D', `${k}=${v}`]),
    ];
    const result = spawnSync('pgbench', args, { env: run.env, encoding: 'utf8', cwd: dir });
    if (result.status !== 0) throw new Error(`pgbench ${args.join(' ')} failed:\n${result.stdout}${result.stderr}`);
    const out = result.stdout;
    const tps = Number(/tps = ([\d.]+)/.exec(out)?.[1] ?? NaN);
    const latencyMsAvg = Number(/latency average = ([\d.]+) ms/.exec(out)?.[1] ?? NaN);
    const transactions = Number(/number of transactions actually processed: (\d+)/.exec(out)?.[1] ?? NaN);
    const failed = Number(/number of failed transactions: (\d+)/.exec(out)?.[1] ?? 0);
    const latenciesMs = readLatencies(dir);
    return {
      tps, latencyMsAvg, transactions, failed,
      latencyMsP50: percentile(latenciesMs, 50),
      latencyMsP99: percentile(latenciesMs, 99),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function readLatencies(dir: string): number[] {
  const files = spawnSync('sh', ['-c', `cat ${dir}/log.* 2>/dev/null`], { encoding: 'utf8', maxBuffer: 1 << 30 }).stdout;
  // Each line: client_id transaction_no time_us script_no time_epoch time_us_part
  const latencies = files.split('\n').filter((l) => l !== '').map((line) => Number(line.split(' ')[2]) / 1000);
  return latencies.sort((a, b) => a - b);
}
