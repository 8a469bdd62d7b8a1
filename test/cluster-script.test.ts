// scripts/cluster.sh: the configurations it writes, and start/status/stop of
// a real three-node cluster.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, makeTempDir, projectRoot, removeDir, runThunderdb } from './helpers/server.js';

const script = join(projectRoot, 'scripts', 'cluster.sh');
const dirs: string[] = [];

afterAll(() => {
  for (const dir of dirs) {
    // A test that timed out before its `stop` leaves nodes running: end them by their pid files.
    for (let i = 1; i <= 7; i++) {
      const pidFile = join(dir, `node-${i}`, 'thunderdb.pid');
      if (!existsSync(pidFile)) continue;
      try {
        process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    removeDir(dir);
  }
});

function run(args: readonly string[], timeoutMs = 40_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script, ...args], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`cluster.sh ${args.join(' ')} timed out:\n${stdout}${stderr}`)); }, timeoutMs);
    child.on('exit', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A base port whose next `count` ports are all free now. */
async function freeRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + 10 * Math.floor(Math.random() * 3000);
    const free = await Promise.all(Array.from({ length: count }, (_, k) => portFree(base + k)));
    if (free.every(Boolean)) return base;
  }
  throw new Error('no free port range');
}

/** Node rows of `status` whose ready column says ready (not the header). */
function readyNodes(status: string): number {
  return (status.match(/^\d+\s+\d+\s+\S+\s+ready\s/gm) ?? []).length;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('scripts/cluster.sh', () => {
  it('writes one valid configuration per node with distinct ports, peers and absolute paths', async () => {
    const dir = makeTempDir('thunderdb-cluster-sh-');
    dirs.push(dir);
    const result = await run(['--nodes', '3', '--data-dir', join(dir, 'c'), '--base-port', '31000', 'init']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`bin/thunderdb --config ${join(dir, 'c', 'node-2', 'thunderdb.toml')}`);
    for (let i = 1; i <= 3; i++) {
      const path = join(dir, 'c', `node-${i}`, 'thunderdb.toml');
      const toml = readFileSync(path, 'utf8');
      expect(toml).toContain(`node_id = ${i}`);
      expect(toml).toContain(`grpc_port = ${31000 + 10 * (i - 1) + 4}`);
      expect(toml).toContain(`data_dir = "${join(dir, 'c', `node-${i}`, 'data')}"`);
      const peers = [1, 2, 3].filter((j) => j !== i).map((j) => `"127.0.0.1:${31000 + 10 * (j - 1) + 4}"`).join(', ');
      expect(toml).toContain(`peers = [${peers}]`);
      const check = await runThunderdb(['--check-config', '--config', path]);
      expect(check.code, check.stderr).toBe(0);
      expect(check.stdout).toContain('cluster.replication_factor = 3');
    }
  });

  it('refuses bad arguments with exit code 2', async () => {
    expect((await run(['--nodes', 'x', '--data-dir', '/tmp/x'])).code).toBe(2);
    expect((await run(['--nodes', '3'])).stderr).toContain('--data-dir DIR is required');
    expect((await run(['--nodes', '3', '--data-dir', '/tmp/x', 'bogus'])).code).toBe(2);
  });

  it('starts three nodes, reports the members, and stops them', async () => {
    const dir = makeTempDir('thunderdb-cluster-sh-');
    dirs.push(dir);
    const base = await freeRange(30);
    const args = ['--nodes', '3', '--data-dir', dir, '--base-port', String(base), '--election-timeout', '300ms', '--heartbeat', '50ms'];
    try {
      const started = await run([...args, 'start']);
      expect(started.code, started.stderr).toBe(0);
      expect(started.stdout).toMatch(/node 3 started \(pid \d+\)/);
      let status = '';
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        status = (await run([...args, 'status'])).stdout;
        if (readyNodes(status) === 3 && status.includes('members as node')) break;
        await sleep(200);
      }
      const logs = [1, 2, 3].map((i) => { try { return readFileSync(join(dir, `node-${i}`, 'thunderdb.log'), 'utf8').slice(-3000); } catch { return ''; } }).join('\n');
      expect(readyNodes(status), `${status}\n${logs}`).toBe(3);
      expect((status.match(/ leader {2}up/g) ?? []).length, status).toBe(1);
      expect((status.match(/ follower {2}up/g) ?? []).length, status).toBe(2);
    } finally {
      const stopped = await run([...args, 'stop'], 45_000);
      expect(stopped.code, `${stopped.stdout}${stopped.stderr}`).toBe(0);
    }
    for (let i = 1; i <= 3; i++) {
      expect(existsSync(join(dir, `node-${i}`, 'thunderdb.pid'))).toBe(false);
      expect(readFileSync(join(dir, `node-${i}`, 'thunderdb.log'), 'utf8')).toContain('stopped cleanly');
    }
  }, 90_000);
});
