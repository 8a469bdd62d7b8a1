// The deterministic Raft simulator behind `npm run sim` and sim-world.test.ts.
//
// The real core (RaftNode) runs on N simulated nodes over a simulated clock,
// disk and network, all driven by one seed:
//   clock    integer time units; each node ticks every `tickTimeUnits`, with its own phase.
//   disk     a Ready's entries and hard state become durable `diskLatency` units after it is
//            taken (its committed entries are applied at once, as ready.ts allows); a crash
//            loses what is not yet durable, sometimes after the entries but before the hard state.
//   network  per-message random delay (so reordering), drops, duplicates, partitions and
//            one-way (asymmetric) link cuts.
//   clients  proposals to the leader, ReadIndex reads on any node, membership changes
//            (add learner, promote, remove), leader transfers, crashes and restarts.
// After every step: election safety, log matching (per durable entry: same index and
// term means same data and same previous term, which by induction is log matching),
// leader completeness (a new leader holds every entry committed in an earlier term) and
// state-machine safety (every node applies the same entry at an index). At the end the
// network heals and every acknowledged proposal must be applied on every member, and
// every completed read must have returned an index at least as new as every write
// acknowledged before the read began (linearizable reads).
//
// No vitest here: the command runs it under plain Node. A violation throws SimFailure.

import { EntryKind, emptyHardState, type HardState, type LogEntry } from '../../types.js';
import type { RaftLimits } from '../core/config.js';
import { decodeConfigChange, type ConfigChange, type Membership } from '../core/membership.js';
import type { Message } from '../core/messages.js';
import { RaftNode } from '../core/raft-node.js';
import type { Ready } from '../core/ready.js';
import type { SnapshotMeta } from '../core/storage.js';
import { createPrng, type Prng } from './prng.js';

export class SimFailure extends Error {
  override readonly name = 'SimFailure';
  constructor(readonly seed: number, readonly step: number, message: string) {
    super(`seed ${seed}, step ${step}: ${message}`);
  }
}

export interface SimWorldOptions {
  readonly seed: number;
  /** Initial voters, ids 1..voterCount. */
  readonly voterCount: number;
  /** Time units to run the chaos phase for. */
  readonly steps: number;
  /** Off switches, for narrowing a failure down. */
  readonly membershipChanges?: boolean;
  readonly leaderTransfers?: boolean;
  readonly reads?: boolean;
  readonly crashes?: boolean;
  readonly preVote?: boolean;
  readonly checkQuorum?: boolean;
  /**
   * Per-step probability of a membership change attempt. Default: 0.05 for
   * every fourth seed (membership-heavy schedules overlap changes with leader
   * changes), else 0.004.
   */
  readonly configChangeChance?: number;
  readonly limits?: Partial<RaftLimits>;
  /** Receives a line per notable event (for replaying a seed with --verbose). */
  readonly trace?: (line: string) => void;
}

export interface SimStats {
  seed: number;
  voterCount: number;
  steps: number;
  committedIndex: number;
  proposalsAcked: number;
  readsCompleted: number;
  readsFailed: number;
  crashes: number;
  leaderTerms: number;
  configChanges: number;
  transfers: number;
  messagesDelivered: number;
  snapshotsInstalled: number;
  /** Faults injected, counted so a run's report says what it survived. */
  messagesDropped: number;
  messagesDuplicated: number;
  /** Sent across a cut link (a partition or a one-way cut) or to a crashed node. */
  messagesLost: number;
  partitions: number;
  linkCuts: number;
  /** Crashes that lost a Ready being written (its entries, or its hard state). */
  crashesLosingWrites: number;
}

/** A leader's replication messages, which promise nothing about its own disk. */
function isReplication(message: Message): boolean {
  return message.kind === 'AppendRequest' || message.kind === 'Heartbeat' || message.kind === 'InstallSnapshot';
}

const tickTimeUnits = 10;
const electionTimeoutTicks = 10;
const heartbeatTicks = 2;
/** A read without an answer after this long is abandoned (the client would time out). */
const readTimeoutUnits = 40 * tickTimeUnits;
/** Ids beyond the initial voters that membership changes may add, per run. */
const spareIdsMax = 4;

/** Per-step probabilities of the chaos phase. */
const chance = {
  propose: 0.08,
  read: 0.04,
  crash: 0.0015,
  restart: 0.01,
  partition: 0.002,
  cutLink: 0.003,
  heal: 0.006,
  configChange: 0.004,
  configChangeHeavy: 0.05,
  transfer: 0.002,
  drop: 0.05,
  duplicate: 0.03,
} as const;

/** A node's durable log: entries after an installed snapshot (if any), and the hard state. */
class DiskLog {
  /** entries[k] is the entry at snapshot.index + 1 + k. */
  entries: LogEntry[] = [];
  state: HardState = emptyHardState;
  snapshot: SnapshotMeta | undefined;
  private get offset(): number {
    return this.snapshot?.index ?? 0;
  }
  firstIndex(): number {
    return this.offset + 1;
  }
  lastIndex(): number {
    return this.offset + this.entries.length;
  }
  term(index: number): number | undefined {
    if (index === 0) return 0;
    if (index === this.offset) return this.snapshot?.term;
    if (index < this.offset) return undefined;
    return this.entries[index - this.offset - 1]?.term;
  }
  writeEntries(entries: readonly LogEntry[]): void {
    const first = entries[0];
    if (first === undefined) return;
    this.entries.length = first.index - this.offset - 1;
    this.entries.push(...entries);
  }
  install(meta: SnapshotMeta): void {
    this.snapshot = meta;
    this.entries = [];
  }
}

interface OpenRead {
  readonly requestId: number;
  readonly startedAt: number;
  /** Highest index of a write acknowledged before the read began. */
  readonly ackedBefore: number;
  /** Set once the read index arrived: serve when applied reaches it. */
  index?: number;
}

interface SimNode {
  readonly id: number;
  core: RaftNode;
  readonly disk: DiskLog;
  /** The node's state machine; survives crashes (a view that checkpoints as it applies). */
  readonly applied: LogEntry[];
  /** The Ready being written, durable at `durableAt`. */
  /** A Ready being written; `afterPersist` are its messages that wait for the write. */
  writing: { readonly ready: Ready; readonly afterPersist: readonly Message[]; readonly durableAt: number } | undefined;
  alive: boolean;
  tickPhase: number;
  readonly baseMembership: Membership;
  reads: OpenRead[];
  /** Snapshot bytes (the state machine up to its index) received from a leader, by "index/term". */
  readonly receivedSnapshots: Map<string, readonly LogEntry[]>;
}

interface InFlight {
  readonly message: Message;
  readonly deliverAt: number;
  /** Tie-breaker for equal times: random, so same-time messages reorder. */
  readonly order: number;
}

interface Proposal {
  readonly node: number;
  readonly index: number;
  readonly term: number;
  readonly payload: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class SimWorld {
  readonly prng: Prng;
  readonly nodes = new Map<number, SimNode>();
  readonly stats: SimStats;
  private now = 0;
  private step = 0;
  private network: InFlight[] = [];
  /** One-way cuts "from>to". */
  private readonly cuts = new Set<string>();
  private readonly leaderOfTerm = new Map<number, number>();
  /** Committed entries by index, with the highest term anyone had when it was first applied. */
  private readonly committed = new Map<number, { readonly entry: LogEntry; readonly byTerm: number }>();
  /** Durable entries ever written, "index/term" -> data and previous term (log matching). */
  private readonly durable = new Map<string, { readonly data: string; readonly prevTerm: number | undefined }>();
  /** Proposals awaiting their proposer's apply, by "node/index". */
  private readonly proposals = new Map<string, Proposal>();
  private highestAckedIndex = 0;
  private readonly ackedPayloads = new Set<string>();
  private nextPayload = 1;
  private nextRequestId = 1;
  private nextSpareId: number;
  private readonly initialMembership: Membership;
  private readonly configChangeChance: number;
  /** The bytes travelling with each InstallSnapshot sent (the driver streams them beside it). */
  private readonly snapshotBytes = new WeakMap<Message, readonly LogEntry[]>();

  constructor(private readonly options: SimWorldOptions) {
    this.prng = createPrng(options.seed);
    const voters = Array.from({ length: options.voterCount }, (_, k) => k + 1);
    this.initialMembership = { voters, learners: [] };
    this.configChangeChance = options.configChangeChance ?? (options.seed % 4 === 3 ? chance.configChangeHeavy : chance.configChange);
    this.nextSpareId = options.voterCount + 1;
    for (const id of voters) this.addNode(id, { voters, learners: [] });
    this.stats = {
      seed: options.seed, voterCount: options.voterCount, steps: options.steps, committedIndex: 0, proposalsAcked: 0,
      readsCompleted: 0, readsFailed: 0, crashes: 0, leaderTerms: 0, configChanges: 0, transfers: 0, messagesDelivered: 0, snapshotsInstalled: 0,
      messagesDropped: 0, messagesDuplicated: 0, messagesLost: 0, partitions: 0, linkCuts: 0, crashesLosingWrites: 0,
    };
  }

  /** Runs the chaos phase, then heals and checks that acknowledged work survived. */
  run(): SimStats {
    for (let k = 0; k < this.options.steps; k++) {
      this.chaos();
      this.advance();
    }
    this.converge();
    this.stats.committedIndex = this.committed.size;
    return this.stats;
  }

  private fail(message: string): never {
    throw new SimFailure(this.options.seed, this.step, message);
  }

  private trace(line: string): void {
    this.options.trace?.(`[t=${this.now} step=${this.step}] ${line}`);
  }

  private addNode(id: number, baseMembership: Membership): SimNode {
    const node: SimNode = {
      id, disk: new DiskLog(), applied: [], writing: undefined, alive: true, tickPhase: this.prng.int(tickTimeUnits),
      baseMembership, reads: [], receivedSnapshots: new Map(), core: undefined as unknown as RaftNode,
    };
    node.core = this.buildCore(node);
    this.nodes.set(id, node);
    return node;
  }

  private buildCore(node: SimNode): RaftNode {
    const disk = node.disk;
    const base = disk.snapshot?.membership ?? node.baseMembership;
    return new RaftNode({
      id: node.id,
      voters: base.voters,
      learners: base.learners,
      electionTimeoutTicks,
      heartbeatTicks,
      random: () => this.prng.next(),
      preVote: this.options.preVote ?? true,
      checkQuorum: this.options.checkQuorum ?? true,
      storage: {
        firstIndex: () => disk.firstIndex(),
        lastIndex: () => disk.lastIndex(),
        term: (index) => disk.term(index),
        hardState: () => disk.state,
        snapshot: () => this.snapshotOf(node),
      },
      appliedIndex: node.applied.length,
      recoveredTail: [...disk.entries],
      // A short in-memory tail, so followers that fall behind need snapshots.
      limits: { messageEntriesMax: 8, inflightAppendsMax: 4, messageBytesMax: 256, tailEntriesMax: 16, ...this.options.limits },
    });
  }

  /** The node's state machine as a snapshot: everything it applied, with the configuration there. */
  private snapshotOf(node: SimNode): SnapshotMeta | undefined {
    const last = node.applied.at(-1);
    if (last === undefined) return undefined;
    let membership: Membership = this.initialMembership;
    for (let k = node.applied.length - 1; k >= 0; k--) {
      const entry = node.applied[k];
      if (entry?.kind === EntryKind.ConfigChange) {
        membership = decodeConfigChange(entry.data).after;
        break;
      }
    }
    return { index: last.index, term: last.term, membership };
  }

  private liveNodes(): SimNode[] {
    return [...this.nodes.values()].filter((n) => n.alive);
  }

  private pickNode(nodes: readonly SimNode[]): SimNode | undefined {
    return nodes[this.prng.int(nodes.length)];
  }

  /** The live leader with the highest term (what a client would find). */
  private leader(): SimNode | undefined {
    let best: SimNode | undefined;
    for (const node of this.liveNodes()) {
      const s = node.core.status();
      if (s.role === 'leader' && (best === undefined || s.term > best.core.status().term)) best = node;
    }
    return best;
  }

  // ---- chaos ----

  private chaos(): void {
    const p = this.prng;
    if (p.chance(chance.propose)) this.propose();
    if ((this.options.reads ?? true) && p.chance(chance.read)) this.startRead();
    if ((this.options.crashes ?? true) && p.chance(chance.crash)) this.crashOne();
    if (p.chance(chance.restart)) this.restartOne();
    if (p.chance(chance.partition)) this.partition();
    if (p.chance(chance.cutLink)) this.cutLink();
    if (p.chance(chance.heal)) this.heal();
    if ((this.options.membershipChanges ?? true) && p.chance(this.configChangeChance)) this.changeMembership();
    if ((this.options.leaderTransfers ?? true) && p.chance(chance.transfer)) this.transfer();
  }

  private propose(): void {
    const leader = this.leader();
    if (leader === undefined) return;
    const payload = `c${this.nextPayload++}`;
    const result = leader.core.propose(encoder.encode(payload));
    if (result.ok) this.proposals.set(`${leader.id}/${result.index}`, { node: leader.id, index: result.index, term: result.term, payload });
  }

  private startRead(): void {
    const node = this.pickNode(this.liveNodes());
    if (node === undefined) return;
    const requestId = this.nextRequestId++;
    if (!node.core.readIndex(requestId).ok) return;
    node.reads.push({ requestId, startedAt: this.now, ackedBefore: this.highestAckedIndex });
  }

  private crashOne(): void {
    const node = this.pickNode(this.liveNodes());
    if (node === undefined) return;
    node.alive = false;
    const writing = node.writing;
    node.writing = undefined;
    // The driver writes entries, then the hard state: a crash may fall in between.
    if (writing !== undefined && this.prng.chance(0.3)) {
      if (writing.ready.snapshot !== undefined) this.installSnapshot(node, writing.ready.snapshot);
      this.writeDurable(node, writing.ready.entries);
    }
    if (writing !== undefined) this.stats.crashesLosingWrites++;
    node.reads = [];
    // Its clients lose their connections: those proposals' outcomes are unknown, never acknowledged.
    for (const [key, proposal] of this.proposals) if (proposal.node === node.id) this.proposals.delete(key);
    this.stats.crashes++;
    this.trace(`crash ${node.id}`);
  }

  private restartOne(): void {
    const node = this.pickNode([...this.nodes.values()].filter((n) => !n.alive));
    if (node === undefined) return;
    this.restart(node);
  }

  private restart(node: SimNode): void {
    node.core = this.buildCore(node);
    node.alive = true;
    this.trace(`restart ${node.id}`);
  }

  private partition(): void {
    const ids = [...this.nodes.keys()];
    const side = new Set(ids.filter(() => this.prng.chance(0.5)));
    for (const a of ids) for (const b of ids) if (side.has(a) !== side.has(b)) this.cuts.add(`${a}>${b}`);
    this.stats.partitions++;
    this.trace(`partition [${[...side].join(',')}] | rest`);
  }

  private cutLink(): void {
    const ids = [...this.nodes.keys()];
    const a = ids[this.prng.int(ids.length)];
    const b = ids[this.prng.int(ids.length)];
    if (a === undefined || b === undefined || a === b) return;
    this.cuts.add(`${a}>${b}`);
    this.stats.linkCuts++;
    this.trace(`cut ${a}>${b}`);
  }

  private heal(): void {
    this.cuts.clear();
    this.trace('heal');
  }

  private changeMembership(): void {
    const leader = this.leader();
    if (leader === undefined) return;
    const { voters, learners } = leader.core.status();
    const roll = this.prng.int(3);
    let change: ConfigChange | undefined;
    if (roll === 0 && this.nextSpareId <= this.options.voterCount + spareIdsMax) {
      change = { op: 'addLearner', nodeId: this.nextSpareId };
    } else if (roll === 1 && learners.length > 0) {
      change = { op: 'promote', nodeId: learners[this.prng.int(learners.length)] ?? 0 };
    } else if (roll === 2) {
      // Keep at least three voters so the run can survive a crash; learners may always go.
      const candidates = [...(voters.length > 3 ? voters : []), ...learners];
      const nodeId = candidates[this.prng.int(candidates.length)];
      if (nodeId !== undefined) change = { op: 'remove', nodeId };
    }
    if (change === undefined) return;
    const result = leader.core.proposeConfigChange(change);
    if (!result.ok) return;
    this.stats.configChanges++;
    this.trace(`config ${change.op} ${change.nodeId} at ${result.index} by ${leader.id}`);
    if (change.op === 'addLearner') {
      // A new, empty server that knows the configuration it joins.
      this.nextSpareId++;
      this.addNode(change.nodeId, { voters, learners: [...learners, change.nodeId] });
    }
  }

  private transfer(): void {
    const leader = this.leader();
    if (leader === undefined) return;
    const others = leader.core.status().voters.filter((id) => id !== leader.id);
    const target = others[this.prng.int(others.length)];
    if (target === undefined) return;
    if (leader.core.transferLeadership(target) === undefined) {
      this.stats.transfers++;
      this.trace(`transfer ${leader.id} -> ${target}`);
    }
  }

  // ---- time ----

  /** One time unit: ticks, due messages, due disk writes, new Readys; then the safety checks. */
  private advance(): void {
    this.now++;
    this.step++;
    for (const node of this.liveNodes()) {
      if ((this.now + node.tickPhase) % tickTimeUnits === 0) node.core.tick();
    }
    this.deliverDue();
    for (const node of this.liveNodes()) this.pumpDisk(node);
    this.expireReads();
    this.checkSafety();
  }

  private deliverDue(): void {
    const due = this.network.filter((f) => f.deliverAt <= this.now).sort((a, b) => a.deliverAt - b.deliverAt || a.order - b.order);
    this.network = this.network.filter((f) => f.deliverAt > this.now);
    for (const { message } of due) {
      const target = this.nodes.get(message.to);
      if (target === undefined || !target.alive || this.cuts.has(`${message.from}>${message.to}`)) {
        this.stats.messagesLost++;
        continue;
      }
      this.stats.messagesDelivered++;
      // As the driver does: entries committed while a Ready is being written are applied at once.
      const applyOnReceipt = target.writing !== undefined && target.writing.ready.snapshot === undefined;
      if (message.kind === 'InstallSnapshot') {
        const bytes = this.snapshotBytes.get(message);
        if (bytes === undefined) this.fail(`InstallSnapshot ${message.snapshot.index} without its bytes`);
        target.receivedSnapshots.set(`${message.snapshot.index}/${message.snapshot.term}`, bytes);
      }
      target.core.step(message);
      if (applyOnReceipt) {
        this.apply(target, target.core.takeCommittedEntries());
        this.serveReads(target);
      }
    }
  }

  private send(message: Message, dropRate: number, duplicateRate: number): void {
    if (this.prng.chance(dropRate)) {
      this.stats.messagesDropped++;
      return;
    }
    const copies = this.prng.chance(duplicateRate) ? 2 : 1;
    if (copies === 2) this.stats.messagesDuplicated++;
    for (let k = 0; k < copies; k++) {
      // Mostly short delays, sometimes long: reordering happens naturally.
      const delay = 1 + (this.prng.chance(0.1) ? this.prng.int(60) : this.prng.int(8));
      this.network.push({ message, deliverAt: this.now + delay, order: this.prng.next() });
    }
  }

  private dropRate: number = chance.drop;
  private duplicateRate: number = chance.duplicate;

  /** Completes a due write (persist, send, advance), then takes the next Ready. */
  private pumpDisk(node: SimNode): void {
    for (;;) {
      const writing = node.writing;
      if (writing !== undefined) {
        if (writing.durableAt > this.now) return;
        node.writing = undefined;
        if (writing.ready.snapshot !== undefined) this.installSnapshot(node, writing.ready.snapshot);
        this.writeDurable(node, writing.ready.entries);
        if (writing.ready.hardState !== undefined) node.disk.state = writing.ready.hardState;
        for (const message of writing.afterPersist) this.sendFrom(node, message);
        node.core.advance(writing.ready);
      }
      if (!node.core.hasReady()) return;
      const ready = node.core.ready();
      this.apply(node, ready.committedEntries);
      for (const state of ready.readStates) this.onReadState(node, state.requestId, state.ok ? state.index : undefined);
      // As the driver does (replicated-log.ts splitMessages): a leader's
      // replication goes out before its own write, unless term or vote change.
      const termOrVoteChange = ready.hardState !== undefined && (ready.hardState.term !== node.disk.state.term || ready.hardState.vote !== node.disk.state.vote);
      const early = termOrVoteChange ? [] : ready.messages.filter(isReplication);
      for (const message of early) this.sendFrom(node, message);
      const afterPersist = termOrVoteChange ? ready.messages : ready.messages.filter((m) => !isReplication(m));
      const writes = ready.entries.length > 0 || ready.hardState !== undefined;
      node.writing = { ready, afterPersist, durableAt: this.now + (writes ? this.prng.int(4) : 0) };
      this.serveReads(node);
    }
  }

  private sendFrom(node: SimNode, message: Message): void {
    if (message.kind === 'InstallSnapshot') this.snapshotBytes.set(message, node.applied.slice(0, message.snapshot.index));
    this.send(message, this.dropRate, this.duplicateRate);
  }

  /** Ready.snapshot: the state machine and the disk jump to the snapshot received with it. */
  private installSnapshot(node: SimNode, meta: SnapshotMeta): void {
    const bytes = node.receivedSnapshots.get(`${meta.index}/${meta.term}`);
    if (bytes === undefined) this.fail(`node ${node.id} installs snapshot ${meta.index}/${meta.term} it never received`);
    if (bytes.length !== meta.index || bytes.at(-1)?.term !== meta.term) this.fail(`snapshot ${meta.index}/${meta.term} holds the wrong state`);
    if (meta.index <= node.applied.length) this.fail(`node ${node.id} installs snapshot ${meta.index} but applied ${node.applied.length} already`);
    this.stats.snapshotsInstalled++;
    this.trace(`node ${node.id} installs snapshot ${meta.index}/${meta.term}`);
    node.disk.install(meta);
    // Through apply(): checks state-machine safety, without acknowledging (the proposer's client did not see it apply).
    const jumped = bytes.slice(node.applied.length);
    for (const [key, proposal] of this.proposals) if (proposal.node === node.id && proposal.index <= meta.index) this.proposals.delete(key);
    this.apply(node, jumped);
    node.receivedSnapshots.clear();
  }

  private writeDurable(node: SimNode, entries: readonly LogEntry[]): void {
    const first = entries[0];
    if (first === undefined) return;
    if (first.index > node.disk.lastIndex() + 1) this.fail(`node ${node.id} writes entry ${first.index} after ${node.disk.lastIndex()}: a gap`);
    node.disk.writeEntries(entries);
    for (const entry of entries) {
      const key = `${entry.index}/${entry.term}`;
      const data = decoder.decode(entry.data) + `#${entry.kind}`;
      const prevTerm = node.disk.term(entry.index - 1);
      const known = this.durable.get(key);
      if (known === undefined) this.durable.set(key, { data, prevTerm });
      else if (known.data !== data || known.prevTerm !== prevTerm) {
        this.fail(`log matching: entry ${key} on node ${node.id} is ${data} after term ${prevTerm}; elsewhere ${known.data} after term ${known.prevTerm}`);
      }
    }
  }

  private apply(node: SimNode, entries: readonly LogEntry[]): void {
    let maxTerm = 0;
    for (const n of this.nodes.values()) maxTerm = Math.max(maxTerm, n.core.status().term);
    for (const entry of entries) {
      if (entry.index !== node.applied.length + 1) this.fail(`node ${node.id} applies ${entry.index} after ${node.applied.length}`);
      node.applied.push(entry);
      const fact = this.committed.get(entry.index);
      if (fact === undefined) this.committed.set(entry.index, { entry, byTerm: maxTerm });
      else if (fact.entry.term !== entry.term || decoder.decode(fact.entry.data) !== decoder.decode(entry.data)) {
        this.fail(`state-machine safety: node ${node.id} applies ${entry.index}/${entry.term} but ${entry.index}/${fact.entry.term} was applied elsewhere`);
      }
      this.noteAck(node, entry);
    }
  }

  /** A proposal is acknowledged when its proposer applies it (as the driver resolves propose()). */
  private noteAck(node: SimNode, entry: LogEntry): void {
    if (entry.kind !== EntryKind.Normal) return;
    const payload = decoder.decode(entry.data);
    const key = `${node.id}/${entry.index}`;
    const proposal = this.proposals.get(key);
    if (proposal === undefined) return;
    this.proposals.delete(key);
    // Another leader's entry took the index: the proposal was dropped, never acknowledged.
    if (proposal.term !== entry.term) return;
    if (proposal.payload !== payload) this.fail(`proposal ${proposal.payload} at ${entry.index}/${entry.term} came back as ${payload}`);
    this.ackedPayloads.add(payload);
    this.highestAckedIndex = Math.max(this.highestAckedIndex, entry.index);
    this.stats.proposalsAcked++;
  }

  private onReadState(node: SimNode, requestId: number, index: number | undefined): void {
    const read = node.reads.find((r) => r.requestId === requestId);
    if (read === undefined) return;
    if (index === undefined) {
      node.reads.splice(node.reads.indexOf(read), 1);
      this.stats.readsFailed++;
      return;
    }
    if (index < read.ackedBefore) {
      this.fail(`linearizability: read ${requestId} on node ${node.id} got index ${index}, but index ${read.ackedBefore} was acknowledged before it began`);
    }
    read.index = index;
  }

  /** Serves reads whose index this node has applied. */
  private serveReads(node: SimNode): void {
    node.reads = node.reads.filter((read) => {
      if (read.index === undefined || node.applied.length < read.index) return true;
      this.stats.readsCompleted++;
      return false;
    });
  }

  private expireReads(): void {
    for (const node of this.liveNodes()) {
      const before = node.reads.length;
      node.reads = node.reads.filter((read) => this.now - read.startedAt < readTimeoutUnits);
      this.stats.readsFailed += before - node.reads.length;
    }
  }

  // ---- checks ----

  private checkSafety(): void {
    for (const node of this.liveNodes()) {
      const { role, term } = node.core.status();
      if (role !== 'leader') continue;
      const previous = this.leaderOfTerm.get(term);
      if (previous === undefined) {
        this.leaderOfTerm.set(term, node.id);
        this.stats.leaderTerms++;
        this.trace(`leader ${node.id} term ${term}`);
        this.checkLeaderCompleteness(node, term);
      } else if (previous !== node.id) {
        this.fail(`election safety: nodes ${previous} and ${node.id} both lead term ${term}`);
      }
    }
  }

  private checkLeaderCompleteness(leader: SimNode, term: number): void {
    for (const { entry, byTerm } of this.committed.values()) {
      if (term <= byTerm || entry.index <= (leader.disk.snapshot?.index ?? 0)) continue;
      if (leader.disk.term(entry.index) !== entry.term) {
        this.fail(`leader completeness: leader ${leader.id} of term ${term} lacks committed entry ${entry.index}/${entry.term}`);
      }
    }
  }

  // ---- the end ----

  /** Heals everything and runs until every member applied every acknowledged proposal and a new one. */
  private converge(): void {
    this.heal();
    this.dropRate = 0;
    this.duplicateRate = 0;
    for (const node of this.nodes.values()) if (!node.alive) this.restart(node);
    let final: Proposal | undefined;
    for (let k = 0; k < 20_000; k++) {
      this.advance();
      const leader = this.leader();
      if (leader === undefined) continue;
      const acked = final !== undefined && this.ackedPayloads.has(final.payload);
      if (final === undefined || (!acked && final.term !== leader.core.status().term)) {
        // None yet, or proposed under an earlier leader (it may have been dropped): propose again.
        const payload = `final${this.nextPayload++}`;
        const result = leader.core.propose(encoder.encode(payload));
        if (result.ok) {
          final = { node: leader.id, index: result.index, term: result.term, payload };
          this.proposals.set(`${leader.id}/${result.index}`, final);
        }
        continue;
      }
      if (acked && k % 10 === 0 && this.everyMemberHasAcked(leader)) return;
    }
    const states = [...this.nodes.values()].map((n) => `${n.id}:${JSON.stringify(n.core.status())} applied=${n.applied.length}`);
    this.fail(`no progress after healing:\n  ${states.join('\n  ')}`);
  }

  private everyMemberHasAcked(leader: SimNode): boolean {
    const { voters, learners } = leader.core.status();
    for (const id of [...voters, ...learners]) {
      const node = this.nodes.get(id);
      if (node === undefined) this.fail(`member ${id} does not exist`);
      const applied = new Set(node.applied.filter((e) => e.kind === EntryKind.Normal).map((e) => decoder.decode(e.data)));
      for (const payload of this.ackedPayloads) if (!applied.has(payload)) return false;
    }
    return true;
  }
}

export function runSimWorld(options: SimWorldOptions): SimStats {
  return new SimWorld(options).run();
}
