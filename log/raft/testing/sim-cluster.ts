// A deterministic in-memory cluster of Raft cores for tests: it delivers
// messages, ticks, persists Readys and applies committed entries, and can
// drop, duplicate, reorder, partition and crash. Every random choice comes
// from one seed. checkSafety() asserts Raft's safety properties.

import { expect } from 'vitest';
import type { HardState, LogEntry } from '../../types.js';
import { EntryKind, emptyHardState } from '../../types.js';
import type { RaftLimits } from '../core/config.js';
import { decodeConfigChange, type ConfigChange, type Membership } from '../core/membership.js';
import type { Message } from '../core/messages.js';
import { RaftNode } from '../core/raft-node.js';
import type { ReadState, Ready } from '../core/ready.js';
import type { RaftStorage, SnapshotMeta } from '../core/storage.js';
import { createPrng, type Prng } from './prng.js';

/** Durable storage of one simulated node: survives its crashes. */
export class SimStorage implements RaftStorage {
  /** entries[k] is the entry at snapshotIndex() + 1 + k (entries up to a snapshot are dropped). */
  entries: LogEntry[] = [];
  state: HardState = emptyHardState;
  /** Set by compact() or by installing a snapshot received from a leader. */
  snap: SnapshotMeta | undefined;

  snapshotIndex(): number {
    return this.snap?.index ?? 0;
  }
  firstIndex(): number {
    return this.snapshotIndex() + 1;
  }
  lastIndex(): number {
    return this.snapshotIndex() + this.entries.length;
  }
  term(index: number): number | undefined {
    if (index === 0) return 0;
    if (index === this.snapshotIndex()) return this.snap?.term;
    if (index < this.snapshotIndex()) return undefined;
    return this.entries[index - this.snapshotIndex() - 1]?.term;
  }
  /** The stored entry at `index`, undefined when compacted or beyond the end. */
  entry(index: number): LogEntry | undefined {
    return index > this.snapshotIndex() ? this.entries[index - this.snapshotIndex() - 1] : undefined;
  }
  hardState(): HardState {
    return this.state;
  }
  snapshot(): SnapshotMeta | undefined {
    return this.snap;
  }
  persist(entries: readonly LogEntry[], state: HardState | undefined): void {
    const first = entries[0];
    if (first !== undefined) {
      expect(first.index).toBeLessThanOrEqual(this.lastIndex() + 1);
      expect(first.index, 'entries are never written at or below the snapshot').toBeGreaterThan(this.snapshotIndex());
      this.entries.length = first.index - this.snapshotIndex() - 1;
      this.entries.push(...entries);
    }
    if (state !== undefined) this.state = state;
  }
  /** Keeps a snapshot at `index` (with the configuration in force there) and drops the entries up to it. */
  compact(index: number, membership: Membership): void {
    const term = this.term(index);
    if (term === undefined || index <= this.snapshotIndex()) throw new Error(`cannot compact at ${index}: stored entries are ${this.firstIndex()}..${this.lastIndex()}`);
    this.entries = this.entries.slice(index - this.snapshotIndex());
    this.snap = { index, term, membership };
  }
  /** Ready.snapshot: the log becomes empty up to the snapshot. */
  install(meta: SnapshotMeta): void {
    this.snap = meta;
    this.entries = [];
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
  /** Snapshot bytes (the state machine up to its index) received from a leader, by "index/term". */
  readonly receivedSnapshots: Map<string, readonly LogEntry[]>;
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
  /** Called when a node installs a snapshot from a Ready (scenario traces). */
  onInstallSnapshot: ((id: number, meta: SnapshotMeta) => void) | undefined;
  /** The bytes travelling with each InstallSnapshot sent (a real driver streams them beside it). */
  private readonly snapshotBytes = new WeakMap<Message, readonly LogEntry[]>();
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
    const node: SimNode = { id, storage, applied: [], pendingReady: undefined, alive: true, receivedSnapshots: new Map(), core: undefined as unknown as RaftNode };
    this.baseMembership.set(id, { voters, learners });
    node.core = this.buildCore(node);
    this.nodes.set(id, node);
    return node;
  }

  private buildCore(node: SimNode): RaftNode {
    const appliedIndex = node.applied.length;
    // A snapshot's configuration replaces the one the node was created with.
    const membership = node.storage.snap?.membership ?? this.baseMembership.get(node.id);
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
    // Ready order (ready.ts): a received snapshot first, then what follows it.
    if (rd.snapshot !== undefined) this.installSnapshot(node, rd.snapshot);
    this.applyCommitted(node, rd.committedEntries);
    for (const state of rd.readStates) this.readStates.push({ node: id, state });
    node.storage.persist(rd.entries, rd.hardState);
    for (const message of rd.messages) {
      if (message.kind === 'InstallSnapshot') this.snapshotBytes.set(message, node.applied.slice(0, message.snapshot.index));
      this.send(message);
    }
    node.core.advance(rd);
    return true;
  }

  processReady(id: number): boolean {
    const took = this.takeReady(id);
    return this.finishReady(id) || took;
  }

  /** Ready.snapshot: the state machine and the storage jump to the snapshot received with it. */
  private installSnapshot(node: SimNode, meta: SnapshotMeta): void {
    const bytes = node.receivedSnapshots.get(`${meta.index}/${meta.term}`);
    if (bytes === undefined) expect.fail(`node ${node.id} installs snapshot ${meta.index}/${meta.term} it never received`);
    expect(bytes.length, `snapshot ${meta.index}/${meta.term} holds the state up to its index`).toBe(meta.index);
    expect(bytes.at(-1)?.term, `snapshot ${meta.index}/${meta.term} ends with its term`).toBe(meta.term);
    expect(meta.index, `node ${node.id} installs a snapshot beyond what it applied`).toBeGreaterThan(node.applied.length);
    node.storage.install(meta);
    // Through applyCommitted: the jumped-over entries get the state-machine safety check too.
    this.applyCommitted(node, bytes.slice(node.applied.length));
    node.receivedSnapshots.clear();
    this.onInstallSnapshot?.(node.id, meta);
  }

  /**
   * Proposes a membership change on `leader`'s core. A node the change adds
   * that does not exist yet is created empty, with the leader's voters as
   * its configuration (so it is not a voter and never campaigns).
   */
  proposeConfigChange(leader: number, change: ConfigChange): ReturnType<RaftNode['proposeConfigChange']> {
    const core = this.core(leader);
    if (!this.nodes.has(change.nodeId)) this.addNode(change.nodeId, core.status().voters, []);
    return core.proposeConfigChange(change);
  }

  /**
   * Log compaction on `id`: its storage keeps a snapshot at `index` (applied
   * there) with the configuration in force at that index, and drops the
   * entries up to it. RaftStorage.snapshot() then offers it to the core.
   */
  compact(id: number, index: number): SnapshotMeta {
    const node = this.node(id);
    if (index > node.applied.length) throw new Error(`node ${id} applied only up to ${node.applied.length}; compact at or below it`);
    let membership: Membership | undefined;
    for (let k = index - 1; k >= 0 && membership === undefined; k--) {
      const entry = node.applied[k];
      if (entry?.kind === EntryKind.ConfigChange) membership = decodeConfigChange(entry.data).after;
    }
    membership ??= node.storage.snap?.membership ?? this.baseMembership.get(id) ?? { voters: this.options.voters, learners: [] };
    node.storage.compact(index, membership);
    const meta = node.storage.snap;
    if (meta === undefined) throw new Error('compact kept no snapshot');
    return meta;
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
    if (message.kind === 'InstallSnapshot') {
      const bytes = this.snapshotBytes.get(message);
      if (bytes === undefined) expect.fail(`InstallSnapshot ${message.snapshot.index} sent without its bytes`);
      target.receivedSnapshots.set(`${message.snapshot.index}/${message.snapshot.term}`, bytes);
    }
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
      // Entries below the leader's snapshot are in its state machine, not its log.
      if (term <= committedByTerm || entry.index < leader.storage.snapshotIndex()) continue;
      expect(leader.storage.term(entry.index), `leader ${leader.id} of term ${term} holds committed entry ${entry.index}`).toBe(entry.term);
    }
  }
}

/** If two durable logs agree on the term at an index, they agree on everything up to it. */
function checkLogMatching(a: SimNode, b: SimNode): void {
  const common = Math.min(a.storage.lastIndex(), b.storage.lastIndex());
  let highestMatch = 0;
  for (let i = common; i > 0; i--) {
    const term = a.storage.term(i);
    if (term !== undefined && term === b.storage.term(i)) {
      highestMatch = i;
      break;
    }
  }
  // Compacted entries are in both state machines, where applyCommitted checks them.
  for (let i = Math.max(a.storage.snapshotIndex(), b.storage.snapshotIndex()) + 1; i <= highestMatch; i++) {
    const ea = a.storage.entry(i);
    const eb = b.storage.entry(i);
    if (ea?.term !== eb?.term || ea?.data !== eb?.data) {
      expect.fail(`log matching: nodes ${a.id} and ${b.id} agree on the term at ${highestMatch} but differ at ${i}`);
    }
  }
}
