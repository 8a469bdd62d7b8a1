// The simulator one level up: real drivers (openReplicatedLog, replicated-log.ts)
// over MemoryWal disks, per-node ManualScheduler clocks and a seeded network.
// The driver is asynchronous, but everything it awaits here is a promise
// settled by this simulator (held WAL writes, message delivery, timers), and
// each step drains the microtask queue with one setImmediate, so a seed
// replays exactly.
//
// Per step (1 ms of virtual time): every live node's clock advances (ticks
// every 10 ms), due messages are delivered, each disk makes its held writes
// durable with some probability, and clients propose, read (readIndex) and
// transfer leadership. Crashes keep only durable writes (MemoryWal.crashCopy)
// and the views' applied prefix; the restarted driver replays after it.
// Checks: election safety (status per term), state-machine safety across the
// nodes' committed$ streams, linearizable reads, and at the end every
// acknowledged proposal emitted on every node.

import { pino } from 'pino';
import type { LogEntry } from '../../types.js';
import type { Message } from '../core/messages.js';
import { openReplicatedLog, type ReplicatedLog } from '../replicated-log.js';
import { ManualScheduler } from '../scheduler.js';
import type { Transport } from '../transport.js';
import { MemoryWal } from './memory-wal.js';
import { createPrng, type Prng } from './prng.js';
import { SimFailure } from './sim-world.js';

export interface DriverSimOptions {
  readonly seed: number;
  readonly voterCount: number;
  readonly steps: number;
}

export interface DriverSimStats {
  seed: number;
  proposalsAcked: number;
  readsCompleted: number;
  crashes: number;
  leaderTerms: number;
}

interface DriverNode {
  readonly id: number;
  wal: MemoryWal;
  log: ReplicatedLog | undefined;
  scheduler: ManualScheduler;
  /** Bumped on every crash: messages and callbacks of an older incarnation are ignored. */
  generation: number;
  alive: boolean;
  /** A restart is under way (openReplicatedLog awaits reads). */
  starting: boolean;
  /** What the views applied: committed$ in order. Survives crashes (a checkpointing view). */
  readonly applied: LogEntry[];
  receive: ((message: Message) => void) | undefined;
}

interface InFlight {
  readonly message: Message;
  readonly deliverAt: number;
}

const logger = pino({ level: 'silent' });
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const drain = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class DriverSim {
  private readonly prng: Prng;
  private readonly nodes = new Map<number, DriverNode>();
  private readonly peers: readonly number[];
  private network: InFlight[] = [];
  private readonly isolated = new Set<number>();
  private now = 0;
  private step = 0;
  private readonly leaderOfTerm = new Map<number, number>();
  private readonly committed = new Map<number, string>();
  private readonly acked = new Set<string>();
  private highestAckedIndex = 0;
  private nextPayload = 1;
  private dropRate = 0.05;
  private releaseChance = 0.4;
  private readonly stats: DriverSimStats;
  private failure: SimFailure | undefined;

  constructor(private readonly options: DriverSimOptions) {
    this.prng = createPrng(options.seed);
    this.peers = Array.from({ length: options.voterCount }, (_, k) => k + 1);
    this.stats = { seed: options.seed, proposalsAcked: 0, readsCompleted: 0, crashes: 0, leaderTerms: 0 };
    for (const id of this.peers) {
      this.nodes.set(id, { id, wal: new MemoryWal(), log: undefined, scheduler: new ManualScheduler(), generation: 0, alive: false, starting: false, applied: [], receive: undefined });
    }
  }

  async run(): Promise<DriverSimStats> {
    for (const node of this.nodes.values()) await this.start(node);
    for (let k = 0; k < this.options.steps; k++) {
      this.chaos();
      await this.advance();
    }
    await this.converge();
    for (const node of this.nodes.values()) if (node.alive) await node.log?.close();
    return this.stats;
  }

  private fail(message: string): never {
    this.report(message);
    throw this.failure;
  }

  /** Records a violation found in a callback (committed$, a promise); advance() throws it. */
  private report(message: string): void {
    this.failure ??= new SimFailure(this.options.seed, this.step, `driver sim: ${message}`);
  }

  private transport(node: DriverNode, generation: number): Transport {
    return {
      send: (messages) => {
        if (node.generation !== generation) return;
        for (const message of messages) {
          if (this.prng.chance(this.dropRate)) continue;
          this.network.push({ message, deliverAt: this.now + 1 + this.prng.int(this.prng.chance(0.1) ? 40 : 6) });
        }
      },
      subscribe: (receive) => {
        if (node.generation === generation) node.receive = receive;
        return () => {
          if (node.generation === generation) node.receive = undefined;
        };
      },
    };
  }

  private async start(node: DriverNode): Promise<void> {
    node.starting = true;
    node.wal.holdWrites();
    node.scheduler = new ManualScheduler();
    const generation = node.generation;
    const log = await openReplicatedLog({
      nodeId: node.id, peers: this.peers, wal: node.wal, electionTimeoutTicks: 10, heartbeatTicks: 2, tickIntervalMs: 10,
      logger, transport: this.transport(node, generation), scheduler: node.scheduler,
      random: createPrng(this.options.seed * 31 + node.id * 7 + generation).next,
      appliedIndex: node.applied.length,
    });
    node.log = log;
    node.alive = true;
    node.starting = false;
    log.committed$.subscribe({
      next: (entry) => {
        if (node.generation === generation) this.apply(node, entry);
      },
      error: () => {},
    });
    await log.start();
  }

  private apply(node: DriverNode, entry: LogEntry): void {
    if (entry.index !== node.applied.length + 1) {
      this.report(`node ${node.id} emits ${entry.index} after ${node.applied.length}`);
      return;
    }
    node.applied.push(entry);
    const text = `${entry.term}:${decoder.decode(entry.data)}`;
    const known = this.committed.get(entry.index);
    if (known === undefined) this.committed.set(entry.index, text);
    else if (known !== text) this.report(`state-machine safety at ${entry.index}: ${text} on node ${node.id}, ${known} elsewhere`);
  }

  private liveNodes(): DriverNode[] {
    return [...this.nodes.values()].filter((n) => n.alive);
  }

  private pick(nodes: readonly DriverNode[]): DriverNode | undefined {
    return nodes[this.prng.int(nodes.length)];
  }

  private leader(): DriverNode | undefined {
    let best: DriverNode | undefined;
    for (const node of this.liveNodes()) {
      const s = node.log?.status();
      if (s?.role === 'leader' && (best === undefined || s.term > (best.log?.status().term ?? 0))) best = node;
    }
    return best;
  }

  private chaos(): void {
    const p = this.prng;
    if (p.chance(0.08)) this.propose();
    if (p.chance(0.04)) this.read();
    if (p.chance(0.0015)) this.crash();
    if (p.chance(0.01)) {
      const down = this.pick([...this.nodes.values()].filter((n) => !n.alive && !n.starting));
      if (down !== undefined) void this.start(down);
    }
    if (p.chance(0.003)) this.isolated.add(this.peers[p.int(this.peers.length)] ?? 1);
    if (p.chance(0.006)) this.isolated.clear();
    if (p.chance(0.002)) {
      const leader = this.leader();
      const target = this.peers[p.int(this.peers.length)] ?? 1;
      try {
        if (leader !== undefined && target !== leader.id) leader.log?.transferLeadership(target);
      } catch {
        // Not a leader any more, or not a voter: fine.
      }
    }
  }

  private propose(): void {
    const leader = this.leader();
    if (leader?.log === undefined) return;
    const payload = `d${this.nextPayload++}`;
    leader.log.propose(encoder.encode(payload)).then(
      ({ index }) => {
        this.acked.add(payload);
        this.highestAckedIndex = Math.max(this.highestAckedIndex, index);
        this.stats.proposalsAcked++;
      },
      () => {},
    );
  }

  private read(): void {
    const node = this.pick(this.liveNodes());
    if (node?.log === undefined) return;
    const ackedBefore = this.highestAckedIndex;
    const generation = node.generation;
    node.log.readIndex().then(
      (index) => {
        if (node.generation !== generation) return;
        if (index < ackedBefore) this.report(`linearizability: read on node ${node.id} got ${index}, but ${ackedBefore} was acknowledged before it began`);
        if (node.applied.length < index) this.report(`read on node ${node.id} resolved at ${index} before applying it (applied ${node.applied.length})`);
        this.stats.readsCompleted++;
      },
      () => {},
    );
  }

  private crash(): void {
    const node = this.pick(this.liveNodes());
    if (node === undefined) return;
    node.generation++;
    node.alive = false;
    node.receive = undefined;
    node.log = undefined;
    // Only what was durable survives: held writes are lost.
    node.wal = node.wal.crashCopy();
    this.stats.crashes++;
  }

  private async advance(): Promise<void> {
    this.now++;
    this.step++;
    for (const node of this.liveNodes()) node.scheduler.advance(1);
    const due = this.network.filter((f) => f.deliverAt <= this.now);
    this.network = this.network.filter((f) => f.deliverAt > this.now);
    for (const { message } of due) {
      const target = this.nodes.get(message.to);
      if (target === undefined || !target.alive || this.isolated.has(message.to) || this.isolated.has(message.from)) continue;
      target.receive?.(message);
    }
    for (const node of this.liveNodes()) if (this.prng.chance(this.releaseChance)) node.wal.releaseWrites();
    await drain();
    if (this.failure !== undefined) throw this.failure;
    for (const node of this.liveNodes()) {
      const s = node.log?.status();
      if (s?.role !== 'leader') continue;
      const previous = this.leaderOfTerm.get(s.term);
      if (previous === undefined) {
        this.leaderOfTerm.set(s.term, node.id);
        this.stats.leaderTerms++;
      } else if (previous !== node.id) this.fail(`election safety: ${previous} and ${node.id} both lead term ${s.term}`);
    }
  }

  private async converge(): Promise<void> {
    this.isolated.clear();
    this.dropRate = 0;
    this.releaseChance = 1;
    for (let k = 0; k < 100 && [...this.nodes.values()].some((n) => n.starting); k++) await drain();
    for (const node of this.nodes.values()) if (!node.alive && !node.starting) await this.start(node);
    const finalPayloads: string[] = [];
    for (let k = 0; k < 20_000; k++) {
      await this.advance();
      if (k % 500 === 0) {
        const leader = this.leader();
        if (leader?.log !== undefined) {
          const payload = `final${this.nextPayload++}`;
          finalPayloads.push(payload);
          leader.log.propose(encoder.encode(payload)).then(() => this.acked.add(payload), () => {});
        }
      }
      if (k % 50 === 0 && finalPayloads.some((p) => this.acked.has(p)) && this.allApplied()) return;
    }
    this.fail('no progress after healing');
  }

  private allApplied(): boolean {
    for (const node of this.nodes.values()) {
      const seen = new Set(node.applied.map((e) => decoder.decode(e.data)));
      for (const payload of this.acked) if (!seen.has(payload)) return false;
    }
    return true;
  }
}

export function runDriverSim(options: DriverSimOptions): Promise<DriverSimStats> {
  return new DriverSim(options).run();
}
