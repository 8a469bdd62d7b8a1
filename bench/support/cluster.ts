// Starts a ThunderDB cluster of real bin/thunderdb processes for a benchmark:
// N nodes on free loopback ports, each with its own data and WAL directories,
// that can be killed with SIGKILL and restarted on the same directory.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePorts } from './ports.js';

// Compiled, this file is dist/bench/support/cluster.js.
const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface RaftView {
  readonly node_id: number;
  readonly role: string;
  readonly term: number;
  readonly leader_id: number | null;
  readonly commit_index: number;
  readonly applied_index: number;
}

export interface BenchNode {
  readonly nodeId: number;
  readonly pgPort: number;
  readonly httpPort: number;
  running(): boolean;
  /** User + system CPU the node's process has used, in ms; undefined when not running or not on Linux. */
  cpuMs(): number | undefined;
  /** GET /admin/cluster/raft; rejects when the node does not answer. */
  raft(): Promise<RaftView>;
  /** Sums of the named counters (all label sets) from GET /admin/metrics; rejects when the node does not answer. */
  counters(names: readonly string[]): Promise<number[]>;
}

export interface ClusterOptions {
  readonly nodes: number;
  readonly electionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  /** Write a V8 CPU profile of each node to DIR/nodeN/ (node --cpu-prof) when it exits. */
  readonly cpuProfDir?: string;
}

interface NodeSlot {
  readonly nodeId: number;
  readonly configPath: string;
  readonly pgPort: number;
  readonly httpPort: number;
  child: ChildProcess | undefined;
}

const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class BenchCluster {
  private readonly slots: NodeSlot[] = [];
  private readonly dir = mkdtempSync(join(tmpdir(), 'thunderdb-bench-cluster-'));

  private constructor(private readonly options: ClusterOptions) {}

  static async start(options: ClusterOptions): Promise<BenchCluster> {
    const cluster = new BenchCluster(options);
    await cluster.configure();
    for (const slot of cluster.slots) cluster.spawn(slot);
    await Promise.all(cluster.slots.map((s) => cluster.waitReady(s)));
    return cluster;
  }

  get nodes(): BenchNode[] {
    return this.slots.map((slot) => ({
      nodeId: slot.nodeId,
      pgPort: slot.pgPort,
      httpPort: slot.httpPort,
      running: () => slot.child !== undefined && slot.child.exitCode === null && slot.child.signalCode === null,
      cpuMs: () => processCpuMs(slot.child?.pid),
      raft: async () => {
        const res = await fetch(`http://127.0.0.1:${slot.httpPort}/admin/cluster/raft`, { signal: AbortSignal.timeout(1000) });
        if (res.status !== 200) throw new Error(`node ${slot.nodeId}: /admin/cluster/raft answered ${res.status}`);
        return (await res.json()) as RaftView;
      },
      counters: async (names) => {
        const res = await fetch(`http://127.0.0.1:${slot.httpPort}/admin/metrics`, { signal: AbortSignal.timeout(2000) });
        const text = await res.text();
        return names.map((name) => sumCounter(text, name));
      },
    }));
  }

  /** The node every running node names as leader, once they agree; polls every 10 ms. */
  async leader(timeoutMs = 30_000): Promise<BenchNode> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const live = this.nodes.filter((n) => n.running());
      const views = await Promise.all(live.map((n) => n.raft().catch(() => undefined)));
      const leaders = views.filter((v) => v?.role === 'leader');
      const leaderId = leaders[0]?.node_id;
      if (leaders.length === 1 && views.every((v) => v?.leader_id === leaderId)) {
        const found = live.find((n) => n.nodeId === leaderId);
        if (found !== undefined) return found;
      }
      if (Date.now() > deadline) throw new Error(`no agreed leader within ${timeoutMs} ms`);
      await sleep(10);
    }
  }

  /** SIGKILL, as a crash: nothing is flushed. */
  async kill(nodeId: number): Promise<void> {
    const slot = this.slot(nodeId);
    const child = slot.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** Starts a stopped node again on its directories; resolves once it is ready. */
  async restart(nodeId: number): Promise<void> {
    const slot = this.slot(nodeId);
    this.spawn(slot);
    await this.waitReady(slot);
  }

  async stop(): Promise<void> {
    await Promise.all(this.slots.map(async (slot) => {
      const child = slot.child;
      if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }));
    rmSync(this.dir, { recursive: true, force: true });
  }

  private slot(nodeId: number): NodeSlot {
    const slot = this.slots.find((s) => s.nodeId === nodeId);
    if (slot === undefined) throw new RangeError(`no node ${nodeId} in this cluster`);
    return slot;
  }

  private async configure(): Promise<void> {
    const { nodes, electionTimeoutMs, heartbeatIntervalMs } = this.options;
    const ports = await freePorts(nodes * 5);
    const port = (i: number, k: number): number => ports[i * 5 + k] ?? 0;
    for (let i = 0; i < nodes; i++) {
      const nodeDir = join(this.dir, `node${i + 1}`);
      const peers = Array.from({ length: nodes }, (_, j) => j).filter((j) => j !== i).map((j) => `"127.0.0.1:${port(j, 4)}"`);
      const toml = [
        '[node]', `node_id = ${i + 1}`,
        '[network]', 'listen_addr = "127.0.0.1"', `pg_port = ${port(i, 0)}`, `mysql_port = ${port(i, 1)}`, `resp_port = ${port(i, 2)}`,
        `http_port = ${port(i, 3)}`, `grpc_port = ${port(i, 4)}`,
        '[storage]', `data_dir = "${join(nodeDir, 'data')}"`, `wal_dir = "${join(nodeDir, 'wal')}"`, 'sync_commit = true',
        '[cluster]', 'cluster_name = "bench"', `peers = [${peers.join(', ')}]`, `replication_factor = ${nodes}`,
        `raft_election_timeout = "${electionTimeoutMs}ms"`, `raft_heartbeat_interval = "${heartbeatIntervalMs}ms"`,
        '[logging]', 'level = "warn"',
      ];
      const configPath = join(this.dir, `node${i + 1}.toml`);
      writeFileSync(configPath, toml.join('\n') + '\n');
      this.slots.push({ nodeId: i + 1, configPath, pgPort: port(i, 0), httpPort: port(i, 3), child: undefined });
    }
  }

  private spawn(slot: NodeSlot): void {
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      // A benchmark that throws must not leave nodes running on a shared machine.
      process.once('exit', () => {
        for (const child of liveChildren) child.kill('SIGKILL');
      });
    }
    const profDir = this.options.cpuProfDir === undefined ? undefined : join(this.options.cpuProfDir, `node${slot.nodeId}`);
    if (profDir !== undefined) mkdirSync(profDir, { recursive: true });
    const nodeArgs = profDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profDir}`];
    const child = spawn(process.execPath, [...nodeArgs, join(projectRoot, 'bin', 'thunderdb'), '--config', slot.configPath], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    liveChildren.add(child);
    child.once('exit', () => liveChildren.delete(child));
    slot.child = child;
  }

  private async waitReady(slot: NodeSlot): Promise<void> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const child = slot.child;
      if (child === undefined || child.exitCode !== null) throw new Error(`node ${slot.nodeId} exited before it was ready`);
      try {
        if ((await fetch(`http://127.0.0.1:${slot.httpPort}/admin/ready`)).status === 200) return;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) throw new Error(`node ${slot.nodeId} was not ready within 60 s`);
      await sleep(50);
    }
  }
}

/** utime + stime of a process from /proc/PID/stat (Linux), in ms. */
function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    // USER_HZ is 100 on every Linux this runs on.
    return Number.isFinite(ticks) ? ticks * 10 : undefined;
  } catch {
    return undefined;
  }
}

/** Sum over every label set of one metric in Prometheus text format. */
function sumCounter(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== ' ' && line[name.length] !== '{')) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1)) || 0;
  }
  return sum;
}
