// Cluster membership on a running node: the admin API's ClusterControl
// (join, remove, leader transfer), run on the leader and forwarded there by
// followers; the leader's promotion of caught-up learners; and, on every
// node, the membership record saved whenever a ConfigChange entry applies
// (membership-store.ts). Raft rules (one change at a time, when a change
// takes effect) stay in log/raft; this file only decides when to ask.
import type { Observable } from 'rxjs';
import type { Logger } from 'pino';
import { forwardedHeader, type ClusterControl, type ControlResult } from '../admin/index.js';
import {
  ConfigChangeRejectedError, decodeConfigChange, EntryKind, LeaderTransferInProgressError, NotLeaderError, ProposalsPendingLimitError,
  type LogEntry, type ReplicatedLog,
} from '../log/index.js';
import type { Cluster } from './cluster.js';
import type { ThunderConfig } from './config/types.js';
import { saveMembership, type MembershipRecord } from './membership-store.js';

/** A learner is promoted once its match index is within this many entries of the leader's last index. */
export const promoteLagEntriesMax = 64;
/** How long a forwarded request may take (a transfer waits up to transferWaitMs on the leader). */
const forwardTimeoutMs = 30_000;

function errorResult(statusCode: number, error: string, extra: object = {}): ControlResult {
  return { statusCode, body: { error, ...extra } };
}

export interface MembershipManagerOptions {
  readonly config: ThunderConfig;
  readonly log: ReplicatedLog;
  readonly cluster: Cluster;
  readonly logger: Logger;
  /** The record this node started from (undefined: none saved yet). */
  readonly record: MembershipRecord | undefined;
  /** A ConfigChange entry applied (for the metrics). */
  readonly onConfigChange?: (op: string) => void;
  /**
   * The record could not be saved: a restart would open the log with an
   * older configuration than the views hold, so the node must stop.
   */
  readonly onFatal?: (error: Error) => void;
}

export class MembershipManager implements ClusterControl {
  private readonly nodeId: number;
  private savedIndex: number;
  private removedFlag: boolean;
  private retired = false;
  private promoting = false;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly options: MembershipManagerOptions) {
    this.nodeId = options.config.node.nodeId;
    this.savedIndex = options.record?.index ?? 0;
    const r = options.record;
    this.removedFlag = r !== undefined && !r.voters.includes(this.nodeId) && !r.learners.includes(this.nodeId);
  }

  /** Subscribes to ConfigChange entries; call before the log starts (committed$ is hot). */
  attach(committed$: Observable<LogEntry>): void {
    const subscription = committed$.subscribe({
      next: (entry) => {
        if (entry.kind === EntryKind.ConfigChange) this.onConfigApplied(entry);
      },
      // The log's failure is reported through onFatal.
      error: () => {},
    });
    this.unsubscribe = () => subscription.unsubscribe();
  }

  /** Starts the leader's promotion loop (and retires a removed node once it stopped leading). */
  start(): void {
    const intervalMs = Math.max(50, 2 * this.options.config.cluster.raftHeartbeatIntervalMs);
    this.timer = setInterval(() => this.onTimer(), intervalMs);
    this.timer.unref();
    if (this.removedFlag) this.options.logger.warn('cluster: this node was removed from the cluster earlier (data_dir/cluster-membership.json); it serves no writes and never campaigns: stop it and wipe its data directory before reusing it');
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.unsubscribe?.();
  }

  isRemoved(): boolean {
    return this.removedFlag;
  }

  private onConfigApplied(entry: LogEntry): void {
    // Replay re-applies entries the record already covers: nothing to save,
    // log or decide again (a removal notice's record is newer than them).
    if (entry.index <= this.savedIndex) return;
    const { change, after } = decodeConfigChange(entry.data);
    const { logger, config } = this.options;
    this.options.onConfigChange?.(change.op);
    try {
      saveMembership(config.storage.dataDir, { index: entry.index, voters: after.voters, learners: after.learners });
    } catch (err) {
      logger.error({ err, index: entry.index }, `cluster: cannot save the Raft membership to storage.data_dir "${config.storage.dataDir}"; stopping: fix the disk and restart`);
      this.options.onFatal?.(err as Error);
      return;
    }
    this.savedIndex = entry.index;
    const fields = { index: entry.index, op: change.op, nodeId: change.nodeId, voters: after.voters, learners: after.learners };
    if (change.nodeId !== this.nodeId) {
      logger.info(fields, `cluster: configuration changed: ${change.op} node ${change.nodeId}; voters ${after.voters.join(', ')}${after.learners.length > 0 ? `, learners ${after.learners.join(', ')}` : ''}`);
    } else if (change.op === 'addLearner') {
      logger.info(fields, 'cluster: joining cluster as learner: receiving the log from the leader');
    } else if (change.op === 'promote') {
      logger.info(fields, 'cluster: caught up, promoted to voter');
    }
    const member = after.voters.includes(this.nodeId) || after.learners.includes(this.nodeId);
    if (!member) this.markRemoved(entry.index, 'the applied configuration no longer lists it');
    else this.removedFlag = false;
  }

  private markRemoved(index: number, why: string): void {
    if (!this.removedFlag) {
      this.options.logger.warn(
        { index }, `cluster: this node was removed from the cluster (${why}); it no longer votes or campaigns: stop it and wipe its data directory before reusing it`,
      );
    }
    this.removedFlag = true;
  }

  private onTimer(): void {
    const { log } = this.options;
    const s = log.status();
    if (this.removedFlag) {
      // A removed leader leads until its removal commits, then steps down.
      if (!this.retired && s.role !== 'leader') {
        this.retired = true;
        log.retire();
      }
      return;
    }
    if (s.role === 'leader' && !this.promoting) this.promoteCaughtUp(s.learners, s.lastIndex);
  }

  private promoteCaughtUp(learners: readonly number[], lastIndex: number): void {
    const { log, logger } = this.options;
    const ready = log.progress().find((p) => learners.includes(p.nodeId) && p.state === 'replicate' && lastIndex - p.matchIndex <= promoteLagEntriesMax);
    if (ready === undefined) return;
    this.promoting = true;
    logger.info({ nodeId: ready.nodeId, matchIndex: ready.matchIndex, lastIndex }, `cluster: learner ${ready.nodeId} caught up (match ${ready.matchIndex} of ${lastIndex}): promoting it to voter`);
    log.proposeConfigChange({ op: 'promote', nodeId: ready.nodeId }).then(
      (r) => logger.info({ nodeId: ready.nodeId, index: r.index }, `cluster: node ${ready.nodeId} is a voter now`),
      (err: unknown) => logger.warn({ err, nodeId: ready.nodeId }, `cluster: promoting node ${ready.nodeId} failed; retrying`),
    ).finally(() => {
      this.promoting = false;
    });
  }

  private configuration(): object {
    const s = this.options.log.status();
    return { leader_id: s.leaderId === 0 ? null : s.leaderId, term: s.term, voters: s.voters, learners: s.learners };
  }

  async join(request: { readonly nodeId: number; readonly raftAddr: string }, forwarded: boolean): Promise<ControlResult> {
    const { log, cluster, logger } = this.options;
    const s = log.status();
    if (s.role !== 'leader') return this.forward('POST', '/admin/cluster/join', { node_id: request.nodeId, raft_addr: request.raftAddr }, forwarded);
    if (request.nodeId === this.nodeId) return errorResult(409, `node ${request.nodeId} is this leader's own id: give the new node another node.node_id`);
    // The leader must reach the new node to replicate to it (it is not in cluster.peers).
    cluster.transport.addPeer(request.raftAddr, request.nodeId);
    const members = cluster.memberAddresses();
    if (s.voters.includes(request.nodeId) || s.learners.includes(request.nodeId)) {
      return { statusCode: 200, body: { node_id: request.nodeId, index: s.configIndex, ...this.configuration(), members } };
    }
    logger.info({ nodeId: request.nodeId, raftAddr: request.raftAddr }, `cluster: node ${request.nodeId} at ${request.raftAddr} asks to join: adding it as a learner`);
    try {
      const r = await log.proposeConfigChange({ op: 'addLearner', nodeId: request.nodeId });
      return { statusCode: 200, body: { node_id: request.nodeId, index: r.index, ...this.configuration(), members } };
    } catch (err) {
      return this.changeError(err, `adding node ${request.nodeId}`);
    }
  }

  async remove(nodeId: number, forwarded: boolean): Promise<ControlResult> {
    const { log, cluster, config } = this.options;
    const s = log.status();
    if (s.role !== 'leader') return this.forward('DELETE', `/admin/cluster/members/${nodeId}`, undefined, forwarded);
    const isVoter = s.voters.includes(nodeId);
    if (!isVoter && !s.learners.includes(nodeId)) {
      return errorResult(404, `node ${nodeId} is not a member (voters ${s.voters.join(', ')}; learners ${s.learners.join(', ') || 'none'}); GET /admin/cluster/members lists them`);
    }
    const { replicationFactor } = config.cluster;
    if (isVoter && s.voters.length - 1 < replicationFactor) {
      return errorResult(409,
        `removing node ${nodeId} would leave ${s.voters.length - 1} voters, below cluster.replication_factor = ${replicationFactor}: ` +
          'add a node first (start a new node whose cluster.peers lists this cluster), or lower replication_factor on every node',
        { voters: s.voters, replication_factor: replicationFactor });
    }
    const httpAddr = cluster.httpAddressOf(nodeId);
    let index: number;
    try {
      index = (await log.proposeConfigChange({ op: 'remove', nodeId })).index;
    } catch (err) {
      return this.changeError(err, `removing node ${nodeId}`);
    }
    // The leader stops replicating to it at once, so it never learns from the log: tell it.
    if (nodeId !== this.nodeId && httpAddr !== '') void this.notifyRemoved(nodeId, httpAddr, index);
    return { statusCode: 200, body: { removed: nodeId, index, ...this.configuration() } };
  }

  private async notifyRemoved(nodeId: number, httpAddr: string, index: number): Promise<void> {
    try {
      await fetch(`http://${httpAddr}/admin/cluster/removed`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ leader_id: this.nodeId, index }),
        signal: AbortSignal.timeout(5000),
      });
    } catch (err) {
      this.options.logger.warn({ err, nodeId, httpAddr }, `cluster: could not tell node ${nodeId} it was removed; it keeps pre-voting harmlessly until stopped`);
    }
  }

  removed(notice: { readonly index: number; readonly leaderId: number }): Promise<ControlResult> {
    const { log, config } = this.options;
    const s = log.status();
    if (!this.removedFlag) {
      // The next start must not campaign either: record a configuration without this node.
      saveMembership(config.storage.dataDir, {
        index: Math.max(notice.index, this.savedIndex),
        voters: s.voters.filter((id) => id !== this.nodeId).length > 0 ? s.voters.filter((id) => id !== this.nodeId) : [notice.leaderId],
        learners: s.learners.filter((id) => id !== this.nodeId),
      });
      this.savedIndex = Math.max(notice.index, this.savedIndex);
      this.markRemoved(notice.index, `leader ${notice.leaderId} removed it at log index ${notice.index}`);
    }
    return Promise.resolve({ statusCode: 200, body: { node_id: this.nodeId, removed: true } });
  }

  async transferLeader(target: number | undefined, forwarded: boolean): Promise<ControlResult> {
    const { log } = this.options;
    const s = log.status();
    if (s.role !== 'leader') return this.forward('POST', '/admin/cluster/leader/transfer', target === undefined ? {} : { target }, forwarded);
    const chosen = target ?? this.mostCaughtUpVoter();
    if (chosen === undefined) return errorResult(409, 'there is no other voter to transfer leadership to; add a node first');
    if (chosen === this.nodeId) return { statusCode: 200, body: { leader_id: this.nodeId, previous_leader_id: this.nodeId, term: s.term } };
    if (!s.voters.includes(chosen)) {
      return s.learners.includes(chosen)
        ? errorResult(409, `node ${chosen} is a learner still catching up; it can lead once promoted to voter (GET /admin/cluster/members shows its role)`)
        : errorResult(404, `node ${chosen} is not a member (voters ${s.voters.join(', ')}); GET /admin/cluster/members lists them`);
    }
    try {
      log.transferLeadership(chosen);
    } catch (err) {
      if (err instanceof LeaderTransferInProgressError) return errorResult(409, 'another leader transfer is in progress; retry once it completes or times out');
      if (err instanceof NotLeaderError) return errorResult(503, 'this node stopped leading before the transfer began; retry');
      if (err instanceof RangeError) return errorResult(409, err.message);
      throw err;
    }
    return this.awaitLeader(chosen);
  }

  /** Waits (bounded) until `target` leads, as this node sees it. */
  private async awaitLeader(target: number): Promise<ControlResult> {
    const { log, config } = this.options;
    // The core abandons a transfer after an election timeout; allow the election that follows too.
    const waitMs = Math.max(5000, 10 * config.cluster.raftElectionTimeoutMs);
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline) {
      const s = log.status();
      if (s.leaderId === target) return { statusCode: 200, body: { leader_id: target, previous_leader_id: this.nodeId, term: s.term } };
      if (s.leaderId !== 0 && s.leaderId !== this.nodeId) {
        return errorResult(409, `leadership moved to node ${s.leaderId}, not to node ${target}; retry the transfer from the new leader`, { leader_id: s.leaderId });
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return errorResult(504,
      `leadership did not move to node ${target} within ${waitMs} ms (is it reachable and caught up? GET /admin/cluster/raft shows its lag); ` +
        `node ${this.nodeId} keeps leading, retry the transfer`);
  }

  private mostCaughtUpVoter(): number | undefined {
    const { log } = this.options;
    const voters = log.status().voters;
    let best: { nodeId: number; matchIndex: number } | undefined;
    for (const p of log.progress()) {
      if (!voters.includes(p.nodeId)) continue;
      if (best === undefined || p.matchIndex > best.matchIndex) best = p;
    }
    return best?.nodeId;
  }

  private changeError(err: unknown, what: string): ControlResult {
    if (err instanceof ConfigChangeRejectedError) return errorResult(409, `${what} was refused: ${err.message}; retry shortly`);
    if (err instanceof LeaderTransferInProgressError) return errorResult(503, `${what}: a leader transfer is in progress; retry shortly`);
    if (err instanceof NotLeaderError) return errorResult(503, `${what}: this node stopped leading; retry (the request is forwarded to the new leader)`);
    if (err instanceof ProposalsPendingLimitError) return errorResult(503, `${what}: too many proposals pending; retry shortly`);
    return errorResult(500, `${what} failed: ${(err as Error).message}; GET /admin/cluster/members shows whether it took effect`);
  }

  /** Runs the request on the leader, answering with its answer. */
  private async forward(method: string, path: string, body: object | undefined, forwarded: boolean): Promise<ControlResult> {
    const { log, cluster } = this.options;
    const leaderId = log.status().leaderId;
    if (leaderId === 0) return errorResult(503, 'no leader is known right now (an election is running, or no quorum); retry shortly');
    const httpAddr = cluster.httpAddressOf(leaderId);
    if (forwarded || httpAddr === '') {
      return errorResult(421, `node ${this.nodeId} is not the leader; send the request to the leader, node ${leaderId}${httpAddr === '' ? '' : ` at http://${httpAddr}`}`,
        { leader_id: leaderId, leader_http_addr: httpAddr === '' ? null : httpAddr });
    }
    try {
      const res = await fetch(`http://${httpAddr}${path}`, {
        method,
        headers: { [forwardedHeader]: String(this.nodeId), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(forwardTimeoutMs),
      });
      const text = await res.text();
      let json: object;
      try {
        json = JSON.parse(text) as object;
      } catch {
        json = { error: text };
      }
      return { statusCode: res.status, body: json };
    } catch (err) {
      return errorResult(502, `forwarding to the leader, node ${leaderId} at http://${httpAddr}, failed (${(err as Error).message}); retry, or send the request there directly`);
    }
  }
}
