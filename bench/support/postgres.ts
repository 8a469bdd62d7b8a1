// A throwaway PostgreSQL cluster (Debian's postgresql package) on a free port,
// the anchor every SQL benchmark runs beside. As root, the server runs as the
// `postgres` user, which PostgreSQL requires.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from './ports.js';

export interface PostgresCluster {
  readonly port: number;
  readonly version: string;
  /** libpq-style connection settings for pgbench/psql. */
  readonly env: NodeJS.ProcessEnv;
  stop(): void;
}

function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) throw new Error('PostgreSQL is not installed: run `apt-get install -y postgresql` (.ci/run does)');
  const versions = readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  if (versions[0] === undefined) throw new Error(`no PostgreSQL version under ${root}`);
  return join(root, versions[0], 'bin');
}

function asPostgresUser(command: string, args: readonly string[]): string[] {
  return process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--', command, ...args] : [command, ...args];
}

function run(argv: readonly string[]): string {
  const [command, ...args] = argv;
  const result = spawnSync(command ?? '', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${argv.join(' ')} failed:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

/**
 * Starts PostgreSQL with settings comparable to ThunderDB's defaults:
 * synchronous_commit on (durable commits), fsync on, a modest shared_buffers.
 */
export async function startPostgres(settings: Readonly<Record<string, string>> = {}): Promise<PostgresCluster> {
  const bin = postgresBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'thunderdb-bench-pg-'));
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  chmodSync(dir, 0o700);
  const dataDir = join(dir, 'data');
  run(asPostgresUser(join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C']));
  const [port = 0] = await freePorts(1);
  const options = [
    `-p ${port}`, '-c listen_addresses=127.0.0.1', `-k ${dir}`, '-c shared_buffers=256MB', '-c max_connections=100',
    ...Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`),
  ].join(' ');
  run(asPostgresUser(join(bin, 'pg_ctl'), ['-D', dataDir, '-o', options, '-l', join(dir, 'server.log'), '-w', 'start']));
  const env = { ...process.env, PGHOST: '127.0.0.1', PGPORT: String(port), PGUSER: 'postgres', PGDATABASE: 'postgres' };
  const stop = (): void => {
    const [command = '', ...args] = asPostgresUser(join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'fast', 'stop']);
    spawnSync(command, args);
    rmSync(dir, { recursive: true, force: true });
  };
  let version: string;
  try {
    version = psql(env, 'show server_version').trim();
  } catch (err) {
    stop();
    throw err;
  }
  return {
    port,
    version,
    env,
    stop,
  };
}

export function psql(env: NodeJS.ProcessEnv, sql: string): string {
  const result = spawnSync('psql', ['-X', '-v', 'ON_ERROR_STOP=1', '-Atc', sql], { env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`psql -c ${JSON.stringify(sql.slice(0, 200))} failed: ${result.stderr}`);
  return result.stdout;
}

