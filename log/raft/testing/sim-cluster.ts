// A deterministic in-memory cluster of Raft cores for tests: it delivers
// messages, ticks, persists Readys and applies committed entries, and can
// drop, duplicate, reorder, partition and crash. Every random choice comes
// from one seed. checkSafety() asserts Raft's safety properties.

import { expect } from 'vitest';
import type { HardState, LogEntry } from '../../types.js';
import { emptyHardState } from '../../types.js';
import type { RaftLimits } from '../core/config.js';
import type { Message } from '../core/messages.js';
import { RaftNode } from '../core/raft-node.js';
import type { ReadState, Ready } from '../core/ready.js';
import type { RaftStorage } from '../core/storage.js';
import { createPrng, type Prng } from './prng.js';

/** Durable storage of one simulated node: survives its crashes. */
export class SimStorage implements RaftStorage {
  entries: LogEntry[] = [];
  state: HardState = emptyHardState;

  firstIndex(): number {
    return 1;
  }
  lastIndex(): number {
    return this.entries.length;
  }
  term(index: number): number | undefined {
    if (index === 0) return 0;
    return this.entries[index - 1]?.term;
  }
  hardState(): HardState {
    return this.state;
  }
  persist(entries: readonly LogEntry[], state: HardState | undefined): void {
    const first = entries[0];
    if (first !== undefined) {
      expect(first.index).toBeLessThanOrEqual(this.entries.length + 1);
      this.entries.length = first.index - 1;
      this.entries.push(...entries);
    }
    if (state !== undefined) this.state = state;
  }
}

export interface SimNode {
  readonly id: number;
  core: RaftNode;
  readonly storage: SimStorage;
  /** The node's state machine: applied entries by index. Kept across crashes (a view with a checkpoint). */
  readonly applied: LogEntry[];
  /** A Ready taken but not yet persisted (lost on crash). */
  pendingReady: Ready | undefined;
  alive: boolean;
}

export interface SimOptions {
  readonly voters: readonly number[];
  readonly seed: number;
  readonly electionTimeoutTicks?: number;
  readonly heartbeatTicks?: number;
  readonly limits?: Partial<RaftLimits>;
  /** Off by default here, so the step-by-step scenarios stay short; the chaos tests turn them on. */
  readonly preVote?: boolean;
  readonly checkQuorum?: boolean;
}

interface CommittedFact {
  readonly entry: LogEntry;
  /** The entry was committed in some term at or below this one. */
  readonly committedByTerm: number;
}

export class SimCluster {
  readonly nodes = new Map<number, SimNode>();
  readonly prng: Prng;
  /** Messages in flight, in send order. */
  network: Message[] = [];
  dropRate = 0;
  duplicateRate = 0;
  /** ReadIndex answers handed out by every node's Readys, oldest first. */
  readStates: { readonly node: number; readonly state: ReadState }[] = [];
  /** Called with every message delivered to a live, reachable node (scenario traces). */
  onDeliver: ((message: Message) => void) | undefined;
  private readonly cuts = new Set<string>();
  private readonly leaderOfTerm = new Map<number, number>();
  private readonly committed = new Map<number, CommittedFact>();

  /** The configuration each node was created with (config entries in its log override it). */
  private readonly baseMembership = new Map<number, { voters: readonly number[]; learners: readonly number[] }>();

  constructor(private readonly options: SimOptions) {
    this.prng = createPrng(options.seed);
    for (const id of options.voters) this.addNode(id, options.voters, []);
  }

  /** Adds an empty node that starts from the given configuration (a server joining the group). */
  addNode(id: number, voters: readonly number[], learners: readonly number[]): SimNode {
    const storage = new SimStorage();
    const node: SimNode = { id, storage, applied: [], pendingReady: undefined, alive: true, core: undefined as unknown as RaftNode };
    this.baseMembership.set(id, { voters, learners });
    node.core = this.buildCore(node);
    this.nodes.set(id, node);
    return node;
  }

  private buildCore(node: SimNode): RaftNode {
    const appliedIndex = node.applied.length;
    const membership = this.baseMembership.get(node.id);
    return new RaftNode({
      id: node.id,
      voters: membership?.voters ?? this.options.voters,
      learners: membership?.learners ?? [],
      electionTimeoutTicks: this.options.electionTimeoutTicks ?? 10,
      heartbeatTicks: this.options.heartbeatTicks ?? 1,
      random: () => this.prng.next(),
      preVote: this.options.preVote ?? false,
      checkQuorum: this.options.checkQuorum ?? false,
      storage: node.storage,
      appliedIndex,
      // The whole durable log: small in tests, and lets leaders catch anyone up.
      recoveredTail: [...node.storage.entries],
      ...(this.options.limits === undefined ? {} : { limits: this.options.limits }),
    });
  }

  node(id: number): SimNode {
    const node = this.nodes.get(id);
    if (node === undefined) throw new Error(`no node ${id}`);
    return node;
  }

  core(id: number): RaftNode {
    return this.node(id).core;
  }

  tick(id: number): void {
    const node = this.node(id);
    if (node.alive) node.core.tick();
  }

  tickAll(times = 1): void {
    for (let k = 0; k < times; k++) for (const id of this.nodes.keys()) this.tick(id);
  }

  propose(id: number, text: string): ReturnType<RaftNode['propose']> {
    return this.node(id).core.propose(new TextEncoder().encode(text));
  }

  /** Takes a Ready from the node (phase 1 of handling it). */
  takeReady(id: number): boolean {
    const node = this.node(id);
    if (!node.alive || node.pendingReady !== undefined || !node.core.hasReady()) return false;
    node.pendingReady = node.core.ready();
    return true;
  }

  /** Persists, sends, applies and advances the taken Ready (phase 2). */
  finishReady(id: number): boolean {
    const node = this.node(id);
    const rd = node.pendingReady;
    if (!node.alive || rd === undefined) return false;
    node.pendingReady = undefined;
    this.applyCommitted(node, rd.committedEntries);
    for (const state of rd.readStates) this.readStates.push({ node: id, state });
    node.storage.persist(rd.entries, rd.hardState);
    for (const message of rd.messages) this.send(message);
    node.core.advance(rd);
    return true;
  }

  processReady(id: number): boolean {
    const took = this.takeReady(id);
    return this.finishReady(id) || took;
  }

  private applyCommitted(node: SimNode, entries: readonly LogEntry[]): void {
    const maxTerm = Math.max(...[...this.nodes.values()].map((n) => n.core.status().term));
    for (const entry of entries) {
      expect(entry.index, `node ${node.id} applies in order`).toBe(node.applied.length + 1);
      node.applied.push(entry);
      const fact = this.committed.get(entry.index);
      if (fact === undefined) this.committed.set(entry.index, { entry, committedByTerm: maxTerm });
      else {
        // State-machine safety: every node applies the same entry at an index.
        expect(entry.term, `state-machine safety at index ${entry.index}`).toBe(fact.entry.term);
        expect(entry.data, `state-machine safety at index ${entry.index}`).toEqual(fact.entry.data);
      }
    }
  }

  private send(message: Message): void {
    this.network.push(message);
  }

  private cut(a: number, b: number): boolean {
    return this.cuts.has(`${a}-${b}`);
  }

  /** Delivers the in-flight message at `position` (default: the oldest). */
  deliver(position = 0): boolean {
    const [message] = this.network.splice(position, 1);
    if (message === undefined) return false;
    const target = this.nodes.get(message.to);
    if (target === undefined || !target.alive || this.cut(message.from, message.to)) return true;
    if (this.prng.chance(this.dropRate)) return true;
    if (this.prng.chance(this.duplicateRate)) this.network.push(message);
    this.onDeliver?.(message);
    target.core.step(message);
    return true;
  }

  /** Handles every Ready and delivers every message until nothing moves. */
  stabilize(stepsMax = 100_000): void {
    for (let steps = 0; steps < stepsMax; steps++) {
      let moved = false;
      for (const id of this.nodes.keys()) moved = this.processReady(id) || moved;
      if (this.network.length > 0) moved = this.deliver() || moved;
      this.checkSafety();
      if (!moved) return;
    }
    throw new Error(`cluster did not stabilize within ${stepsMax} steps`);
  }

  /** Ticks only `id` until it starts an election (or a pre-vote), then stabilizes. */
  campaign(id: number): void {
    const core = this.core(id);
    const term = core.status().term;
    for (let k = 0; k < 1000 && core.status().term === term && core.status().role === 'follower'; k++) core.tick();
    this.stabilize();
  }

  isolate(id: number): void {
    for (const other of this.nodes.keys()) {
      if (other === id) continue;
      this.cuts.add(`${id}-${other}`);
      this.cuts.add(`${other}-${id}`);
    }
  }

  /** Cuts every link between nodes of different groups. */
  partition(...groups: readonly (readonly number[])[]): void {
    for (const [g, group] of groups.entries()) {
      for (const other of groups.slice(g + 1)) {
        for (const a of group) {
          for (const b of other) {
            this.cuts.add(`${a}-${b}`);
            this.cuts.add(`${b}-${a}`);
          }
        }
      }
    }
  }

  /** Loses every in-flight message sent by `id`. */
  dropMessagesFrom(id: number): void {
    this.network = this.network.filter((m) => m.from !== id);
  }

  /** Handles Readys and delivers messages one at a time until `done()` or nothing moves. */
  runUntil(done: () => boolean, stepsMax = 10_000): void {
    for (let steps = 0; steps < stepsMax && !done(); steps++) {
      let moved = false;
      for (const id of this.nodes.keys()) moved = this.processReady(id) || moved;
      if (done()) return;
      if (this.network.length > 0) moved = this.deliver() || moved;
      this.checkSafety();
      if (!moved) return;
    }
  }

  heal(): void {
    this.cuts.clear();
  }

  /** Loses what was not durable: the taken Ready and the core's memory. */
  crash(id: number): void {
    const node = this.node(id);
    node.alive = false;
    node.pendingReady = undefined;
  }

  restart(id: number): void {
    const node = this.node(id);
    node.core = this.buildCore(node);
    node.alive = true;
  }

  leaders(): number[] {
    return [...this.nodes.values()].filter((n) => n.alive && n.core.status().role === 'leader').map((n) => n.id);
  }

  /** The leader with the highest term among live nodes, if any. */
  leader(): number | undefined {
    let best: SimNode | undefined;
    for (const node of this.nodes.values()) {
      if (!node.alive || node.core.status().role !== 'leader') continue;
      if (best === undefined || node.core.status().term > best.core.status().term) best = node;
    }
    return best?.id;
  }

  committedIndex(): number {
    return this.committed.size;
  }

  /** Election safety, log matching and leader completeness (state-machine safety is checked on apply). */
  checkSafety(): void {
    for (const node of this.nodes.values()) {
      const { role, term } = node.core.status();
      if (!node.alive || role !== 'leader') continue;
      const previous = this.leaderOfTerm.get(term);
      expect(previous ?? node.id, `election safety in term ${term}`).toBe(node.id);
      this.leaderOfTerm.set(term, node.id);
      this.checkLeaderCompleteness(node, term);
    }
    const nodes = [...this.nodes.values()];
    for (let a = 0; a < nodes.length; a++) {
      for (let b = a + 1; b < nodes.length; b++) checkLogMatching(nodes[a] as SimNode, nodes[b] as SimNode);
    }
  }

  private checkLeaderCompleteness(leader: SimNode, term: number): void {
    for (const { entry, committedByTerm } of this.committed.values()) {
      if (term <= committedByTerm) continue;
      expect(leader.storage.term(entry.index), `leader ${leader.id} of term ${term} holds committed entry ${entry.index}`).toBe(entry.term);
    }
  }
}

/** If two durable logs agree on the term at an index, they agree on everything up to it. */
function checkLogMatching(a: SimNode, b: SimNode): void {
  const common = Math.min(a.storage.lastIndex(), b.storage.lastIndex());
  let highestMatch = 0;
  for (let i = common; i > 0; i--) {
    if (a.storage.term(i) === b.storage.term(i)) {
      highestMatch = i;
      break;
    }
  }
  for (let i = 1; i <= highestMatch; i++) {
    const ea = a.storage.entries[i - 1];
    const eb = b.storage.entries[i - 1];
    if (ea?.term !== eb?.term || ea?.data !== eb?.data) {
      expect.fail(`log matching: nodes ${a.id} and ${b.id} agree on the term at ${highestMatch} but differ at ${i}`);
    }
  }
}
