// Starts the real bin/thunderdb as a child process on free ports with its own
// temporary directories, and gives tests its logs, admin URL and exit status.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import { freePorts } from './ports.js';

export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const thunderdbBin = join(projectRoot, 'bin', 'thunderdb');

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface TestServer {
  readonly child: ChildProcess;
  readonly dir: string;
  readonly configPath: string;
  readonly httpPort: number;
  /** The PostgreSQL protocol port. */
  readonly pgPort: number;
  readonly adminUrl: string;
  readonly exited: Promise<ExitStatus>;
  output(): string;
  /** Resolves once a line matching `pattern` has been printed (stdout or stderr). */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  get(path: string): Promise<{ status: number; body: string; json: () => unknown }>;
  signal(signal: NodeJS.Signals): void;
  /** SIGTERM and wait; kills with SIGKILL if it does not stop in time. */
  stop(): Promise<ExitStatus>;
}

export interface ServerOptions {
  /** Extra TOML appended per section, e.g. { storage: 'sync_commit = false' }. */
  readonly toml?: Readonly<Record<string, string>>;
  readonly env?: NodeJS.ProcessEnv;
  /** Reuse an existing directory (restart tests). */
  readonly dir?: string;
  readonly waitReady?: boolean;
}

export async function writeTestConfig(dir: string, toml: Readonly<Record<string, string>> = {}): Promise<{ configPath: string; httpPort: number; pgPort: number }> {
  const [pg, mysql, resp, http, grpc] = await freePorts(5);
  const sections: Record<string, string[]> = {
    network: [`listen_addr = "127.0.0.1"`, `pg_port = ${pg}`, `mysql_port = ${mysql}`, `resp_port = ${resp}`, `http_port = ${http}`, `grpc_port = ${grpc}`],
    storage: [`data_dir = "${join(dir, 'data')}"`, `wal_dir = "${join(dir, 'wal')}"`],
    logging: [`level = "info"`, `format = "json"`],
  };
  for (const [section, text] of Object.entries(toml)) {
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    const keys = new Set(lines.map((l) => l.split('=')[0]?.trim()));
    sections[section] = [...(sections[section] ?? []).filter((l) => !keys.has(l.split('=')[0]?.trim())), ...lines];
  }
  const configPath = join(dir, 'thunderdb.toml');
  writeFileSync(configPath, Object.entries(sections).map(([s, lines]) => `[${s}]\n${lines.join('\n')}\n`).join('\n'));
  return { configPath, httpPort: http ?? 0, pgPort: pg ?? 0 };
}

export function makeTempDir(prefix = 'thunderdb-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function startServer(options: ServerOptions = {}): Promise<TestServer> {
  const dir = options.dir ?? makeTempDir();
  const { configPath, httpPort, pgPort } = await writeTestConfig(dir, options.toml);
  const child = spawn(process.execPath, [thunderdbBin, '--config', configPath], {
    env: { ...cleanEnv(), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const waiters: Array<{ pattern: RegExp; resolve: () => void }> = [];
  const onData = (chunk: Buffer): void => {
    output += chunk.toString();
    for (const w of waiters.splice(0)) {
      if (w.pattern.test(output)) w.resolve();
      else waiters.push(w);
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<ExitStatus>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const adminUrl = `http://127.0.0.1:${httpPort}`;
  const server: TestServer = {
    child, dir, configPath, httpPort, pgPort, adminUrl, exited,
    output: () => output,
    waitForOutput(pattern, timeoutMs = 15_000) {
      if (pattern.test(output)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; output:\n${output}`)), timeoutMs);
        waiters.push({ pattern, resolve: () => { clearTimeout(timer); resolve(); } });
      });
    },
    async get(path) {
      const res = await fetch(adminUrl + path);
      const body = await res.text();
      return { status: res.status, body, json: () => JSON.parse(body) as unknown };
    },
    signal: (sig) => { child.kill(sig); },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const status = await exited;
      clearTimeout(timer);
      return status;
    },
  };
  if (options.waitReady ?? true) await waitReady(server);
  return server;
}

/** Polls /admin/ready until 200, failing early if the process exits. */
export async function waitReady(server: TestServer, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitedEarly: ExitStatus | undefined;
  void server.exited.then((s) => { exitedEarly = s; });
  while (Date.now() < deadline) {
    if (exitedEarly) throw new Error(`thunderdb exited (${JSON.stringify(exitedEarly)}) before ready:\n${server.output()}`);
    try {
      const res = await server.get('/admin/ready');
      if (res.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await sleep(50);
  }
  throw new Error(`thunderdb not ready after ${timeoutMs} ms:\n${server.output()}`);
}

/** The test runner's environment without THUNDERDB_* settings that would leak into the server. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('THUNDERDB_') && key !== 'NOTIFY_SOCKET') env[key] = value;
  }
  return env;
}

/** Runs bin/thunderdb to completion (for --version, --help, config errors). */
export function runThunderdb(args: readonly string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 15_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [thunderdbBin, ...args], { cwd: projectRoot, env: { ...cleanEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`thunderdb ${args.join(' ')} did not exit in ${timeoutMs} ms:\n${stdout}${stderr}`)); }, timeoutMs);
    child.on('exit', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

/**
 * For a test file: a `start` that runs startServer and, after each test,
 * stops (SIGKILL if it hangs; nothing if it already exited) and deletes
 * every server it started.
 */
export function serversStoppedAfterEach(): (options?: ServerOptions) => Promise<TestServer> {
  const started: TestServer[] = [];
  afterEach(async () => {
    // Stop every server before deleting anything: a restarted server shares
    // its predecessor's directory and may still be writing to it.
    const servers = started.splice(0);
    for (const server of servers) await server.stop();
    for (const dir of new Set(servers.map((s) => s.dir))) removeDir(dir);
  });
  return async (options = {}) => {
    const server = await startServer(options);
    started.push(server);
    return server;
  };
}
