// Runs one pgbench workload against PostgreSQL and ThunderDB in the same run,
// checks that both hold the same answers afterwards, and reports ratios.
import { psql, startPostgres } from './postgres.js';
import { runPgbench, type PgbenchResult } from './pgbench.js';
import { machineInfo, writeResults } from './report.js';
import { startThunderdb } from './thunderdb.js';

export interface Workload {
  readonly name: string;
  readonly title: string;
  /** Statements run once through psql before measuring (schema and data). */
  readonly setup: readonly string[];
  readonly script: string;
  readonly modes: readonly ('simple' | 'extended' | 'prepared')[];
  /** A query whose single-line answer must match on both systems after the runs. */
  readonly check: string;
  readonly seconds: number;
  readonly clients: number;
  readonly threads: number;
}

interface SystemResult { readonly system: string; readonly mode: string; readonly result: PgbenchResult }

function row(r: SystemResult, anchor: SystemResult | undefined): string {
  const ratio = anchor ? (r.result.tps / anchor.result.tps).toFixed(2) : '';
  return `| ${r.system} | ${r.mode} | ${Math.round(r.result.tps).toLocaleString('en-US')} | ${r.result.latencyMsP50.toFixed(3)} | ${r.result.latencyMsP99.toFixed(3)} | ${r.result.failed} | ${ratio} |`;
}

export async function compareWithPostgres(workload: Workload): Promise<void> {
  const postgres = await startPostgres();
  const thunder = await startThunderdb();
  const results: SystemResult[] = [];
  const checks: Record<string, string> = {};
  try {
    for (const [system, env] of [['postgresql', postgres.env], ['thunderdb', thunder.env]] as const) {
      const loadStart = Date.now();
      for (const statement of workload.setup) psql(env, statement);
      process.stdout.write(`${system}: setup took ${Date.now() - loadStart} ms\n`);
      for (const mode of workload.modes) {
        process.stdout.write(`${system}: ${workload.name} -M ${mode}, ${workload.clients} clients, ${workload.seconds} s...\n`);
        const result = runPgbench({ env, script: workload.script, clients: workload.clients, threads: workload.threads, seconds: workload.seconds, mode });
        results.push({ system, mode, result });
      }
      checks[system] = psql(env, workload.check).trim();
    }
  } finally {
    await thunder.stop();
    postgres.stop();
  }
  const agree = checks['postgresql'] !== undefined && checks['postgresql'] === checks['thunderdb'];
  const lines = [
    `# ${workload.title}`, '',
    `Machine: ${Object.entries(machineInfo()).map(([k, v]) => `${k} ${v}`).join(', ')}. PostgreSQL ${postgres.version}.`,
    `pgbench -c ${workload.clients} -j ${workload.threads} -T ${workload.seconds} per mode; both with durable commits (synchronous_commit on / sync_commit = true).`, '',
    '| system | mode | TPS | p50 ms | p99 ms | failed | ThunderDB/PostgreSQL |', '|---|---|---:|---:|---:|---:|---:|',
    ...results.map((r) => row(r, r.system === 'thunderdb' ? results.find((a) => a.system === 'postgresql' && a.mode === r.mode) : undefined)),
    '', `Answer check \`${workload.check}\`: PostgreSQL \`${checks['postgresql'] ?? ''}\`, ThunderDB \`${checks['thunderdb'] ?? ''}\` — ${agree ? 'agree' : 'DIFFER'}.`, '',
  ];
  writeResults(workload.name, { workload, machine: machineInfo(), postgresVersion: postgres.version, results, checks, agree }, lines.join('\n'));
  if (!agree) process.exitCode = 1;
}
