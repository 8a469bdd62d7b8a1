// Starts the real bin/thunderdb for a benchmark, on free ports with its own
// temporary data and WAL directories, and waits until it is ready.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePorts } from './ports.js';

// Compiled, this file is dist/bench/support/thunderdb.js.
const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface ThunderdbServer {
  readonly pgPort: number;
  readonly httpPort: number;
  readonly pid: number;
  /** libpq-style settings for pgbench/psql. */
  readonly env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

export async function startThunderdb(extraToml: Readonly<Record<string, string>> = {}, nodeArgs: readonly string[] = []): Promise<ThunderdbServer> {
  const dir = mkdtempSync(join(tmpdir(), 'thunderdb-bench-'));
  const [pg = 0, mysql = 0, resp = 0, http = 0, grpc = 0] = await freePorts(5);
  const sections: Record<string, string> = {
    network: `listen_addr = "127.0.0.1"\npg_port = ${pg}\nmysql_port = ${mysql}\nresp_port = ${resp}\nhttp_port = ${http}\ngrpc_port = ${grpc}`,
    storage: `data_dir = "${join(dir, 'data')}"\nwal_dir = "${join(dir, 'wal')}"\nsync_commit = true`,
    logging: 'level = "warn"',
  };
  for (const [section, text] of Object.entries(extraToml)) sections[section] = `${sections[section] ?? ''}\n${text}`;
  const configPath = join(dir, 'thunderdb.toml');
  writeFileSync(configPath, Object.entries(sections).map(([s, t]) => `[${s}]\n${t}\n`).join('\n'));
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, join(projectRoot, 'bin', 'thunderdb'), '--config', configPath], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`thunderdb exited with ${child.exitCode} before it was ready`);
    try {
      if ((await fetch(`http://127.0.0.1:${http}/admin/ready`)).status === 200) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error('thunderdb was not ready within 60 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    pgPort: pg,
    httpPort: http,
    pid: child.pid ?? 0,
    env: { ...process.env, PGHOST: '127.0.0.1', PGPORT: String(pg), PGUSER: 'admin', PGDATABASE: 'thunderdb' },
    async stop() {
      const exited = new Promise((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
