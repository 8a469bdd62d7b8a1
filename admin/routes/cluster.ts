// Cluster status in the JSON shape of docs/admin-api.md. Members come from
// the Raft voter set and, for the other nodes, from the gRPC transport
// (address, connectivity); a single node is a one-member cluster. The whole
// keyspace is one region until region splitting exists.
//
// Membership operations (join, DELETE a member, leader transfer) validate
// their input here and hand it to the server's ClusterControl, which runs
// them on the leader (forwarding from a follower). The header
// x-thunderdb-forwarded marks a request already forwarded once.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AdminNodeView, ClusterControl, ClusterPeerView, ControlResult, RaftView } from '../types.js';

export const forwardedHeader = 'x-thunderdb-forwarded';

function unavailable(view: AdminNodeView): object {
  return { error: `node ${view.nodeId} is ${view.lifecycle()}: Raft state is not available yet; retry shortly` };
}

function peerRole(raft: RaftView | undefined, nodeId: number): string {
  if (raft === undefined || nodeId === 0) return 'unknown';
  if (nodeId === raft.leaderId) return 'leader';
  if (raft.voters.includes(nodeId)) return 'follower';
  // A transport peer outside the configuration: removed, or not yet added.
  return raft.learners?.includes(nodeId) === true ? 'learner' : 'none';
}

/** Voter or learner in the configuration this node has, or 'none'. */
function membershipOf(raft: RaftView | undefined, nodeId: number): string {
  if (raft === undefined) return 'unknown';
  if (raft.voters.includes(nodeId)) return 'voter';
  return raft.learners?.includes(nodeId) === true ? 'learner' : 'none';
}

function peerMember(raft: RaftView | undefined, p: ClusterPeerView): object {
  return {
    node_id: p.nodeId === 0 ? null : p.nodeId,
    addr: p.addr,
    pg_addr: p.pgAddr === '' ? null : p.pgAddr,
    http_addr: p.httpAddr === '' ? null : p.httpAddr,
    role: peerRole(raft, p.nodeId),
    membership: membershipOf(raft, p.nodeId),
    status: p.connected ? 'up' : 'down',
    last_heard_ms_ago: p.lastHeardMsAgo ?? null,
    ...(p.lastError === '' ? {} : { last_error: p.lastError }),
  };
}

function members(view: AdminNodeView, raft: RaftView | undefined): object[] {
  const peers = view.cluster?.()?.peers() ?? [];
  const selfMembership = membershipOf(raft, view.nodeId);
  const removed = view.cluster?.()?.removed?.() === true;
  const self = {
    node_id: view.nodeId, addr: view.raftAddr, pg_addr: view.pgAddr ?? null, http_addr: view.httpAddr ?? null,
    role: removed ? 'removed' : selfMembership === 'learner' ? 'learner' : raft?.role ?? 'unknown',
    membership: removed ? 'none' : selfMembership, status: 'up', last_heard_ms_ago: 0,
  };
  const listed = new Set([view.nodeId, ...peers.map((p) => p.nodeId)]);
  // Members no transport link maps to (a handshake not yet answered, or a node that joined and has not dialed us yet).
  const others = [...(raft?.voters ?? []), ...(raft?.learners ?? [])].filter((id) => !listed.has(id)).map((id) => ({
    node_id: id, addr: null, pg_addr: null, http_addr: null, role: peerRole(raft, id), membership: membershipOf(raft, id),
    status: 'unknown', last_heard_ms_ago: null,
  }));
  const all = [self, ...peers.map((p) => peerMember(raft, p)), ...others] as Array<{ node_id: number | null }>;
  return all.sort((a, b) => (a.node_id ?? Infinity) - (b.node_id ?? Infinity));
}

export function registerClusterRoutes(app: FastifyInstance, view: AdminNodeView): void {
  app.get('/admin/cluster/members', async (_req, reply) => {
    const raft = view.raft();
    const cluster = view.cluster?.();
    if (raft === undefined && cluster === undefined) return reply.code(503).send(unavailable(view));
    return {
      cluster_name: view.clusterName,
      node_id: view.nodeId,
      members: members(view, raft),
      leader_id: raft === undefined || raft.leaderId === 0 ? null : raft.leaderId,
      term: raft?.term ?? null,
      replication_factor: view.replicationFactor,
      voters: raft?.voters ?? [],
      learners: raft?.learners ?? [],
      ...(cluster?.waitingForPeers() === true ? { waiting_for_peers: true } : {}),
      ...(cluster?.joining?.() === true ? { joining: true } : {}),
      ...(cluster?.removed?.() === true ? { removed: true } : {}),
    };
  });

  app.get('/admin/cluster/raft', async (_req, reply) => {
    const raft = view.raft();
    if (raft === undefined) return reply.code(503).send(unavailable(view));
    const cluster = view.cluster?.();
    const others = [...raft.voters, ...(raft.learners ?? [])].filter((id) => id !== view.nodeId);
    const followers = raft.role !== 'leader' ? undefined : others.map((id) => {
      // The core's progress when the node exposes it, else the AppendAccepted answers the transport saw.
      const progress = raft.progress?.find((p) => p.nodeId === id);
      const match = progress?.matchIndex ?? cluster?.matchIndex(id, raft.term);
      return {
        node_id: id, membership: membershipOf(raft, id), match_index: match ?? null,
        lag_entries: match === undefined ? null : Math.max(0, raft.lastIndex - match),
        ...(progress === undefined ? {} : { state: progress.state }),
      };
    });
    return {
      node_id: view.nodeId,
      role: raft.role,
      term: raft.term,
      leader_id: raft.leaderId === 0 ? null : raft.leaderId,
      commit_index: raft.commitIndex,
      applied_index: raft.appliedIndex,
      first_index: raft.firstIndex,
      last_index: raft.lastIndex,
      voters: raft.voters,
      learners: raft.learners ?? [],
      quorum_reachable: cluster?.quorumReachable() ?? raft.leaderId !== 0,
      ...(followers === undefined ? {} : { followers }),
    };
  });

  app.get('/admin/cluster/regions', async (_req, reply) => {
    const raft = view.raft();
    if (raft === undefined) return reply.code(503).send(unavailable(view));
    const wal = view.wal();
    return {
      regions: [{
        region_id: 1,
        // Empty keys mean unbounded: the one region covers the whole keyspace
        // until region splitting exists.
        start_key: '',
        end_key: '',
        leader_id: raft.leaderId === 0 ? null : raft.leaderId,
        replicas: [...raft.voters, ...(raft.learners ?? [])].sort((a, b) => a - b).map((id) => ({
          node_id: id, role: id === raft.leaderId ? 'leader' : membershipOf(raft, id),
        })),
        voters: raft.voters,
        learners: raft.learners ?? [],
        applied_index: raft.appliedIndex,
        wal_size_bytes: wal?.sizeBytes ?? 0,
      }],
    };
  });

  registerMembershipRoutes(app, view);
}

function controlOf(view: AdminNodeView, reply: FastifyReply): ClusterControl | undefined {
  const control = view.cluster?.()?.control;
  if (control === undefined) {
    void reply.code(view.cluster === undefined ? 400 : 503).send({
      error: view.cluster === undefined
        ? `node ${view.nodeId} runs alone (no cluster.peers): membership changes need a cluster; list the other nodes in cluster.peers`
        : `node ${view.nodeId} is ${view.lifecycle()}: its Raft log is not open yet; retry shortly`,
    });
  }
  return control;
}

function forwarded(req: FastifyRequest): boolean {
  return req.headers[forwardedHeader] !== undefined;
}

/** A positive 32-bit node id, or undefined. */
function nodeIdOf(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 1 && n <= 0xffff_ffff ? n : undefined;
}

function send(reply: FastifyReply, result: ControlResult): FastifyReply {
  return reply.code(result.statusCode).send(result.body);
}

function bodyObject(req: FastifyRequest): Record<string, unknown> {
  const body: unknown = req.body;
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

function registerMembershipRoutes(app: FastifyInstance, view: AdminNodeView): void {
  app.delete<{ Params: { id: string } }>('/admin/cluster/members/:id', async (req, reply) => {
    const nodeId = nodeIdOf(req.params.id);
    if (nodeId === undefined) return reply.code(400).send({ error: `"${req.params.id}" is not a node id: expected a positive integer, e.g. DELETE /admin/cluster/members/3` });
    const control = controlOf(view, reply);
    if (control === undefined) return reply;
    return send(reply, await control.remove(nodeId, forwarded(req)));
  });

  app.post('/admin/cluster/leader/transfer', async (req, reply) => {
    const body = bodyObject(req);
    const raw = body['target'];
    const target = raw === undefined || raw === null ? undefined : nodeIdOf(raw);
    if (raw !== undefined && raw !== null && target === undefined) {
      return reply.code(400).send({ error: `"target": ${JSON.stringify(raw)} is not a node id: send {"target": <voter id>}, or {} for the most caught-up voter` });
    }
    const control = controlOf(view, reply);
    if (control === undefined) return reply;
    return send(reply, await control.transferLeader(target, forwarded(req)));
  });

  // Called by a new node (server/cluster.ts), not by operators.
  app.post('/admin/cluster/join', async (req, reply) => {
    const body = bodyObject(req);
    const nodeId = nodeIdOf(body['node_id']);
    const raftAddr = body['raft_addr'];
    if (nodeId === undefined || typeof raftAddr !== 'string' || !/^.+:\d+$/.test(raftAddr)) {
      return reply.code(400).send({ error: 'expected {"node_id": <positive integer>, "raft_addr": "host:grpc_port"}' });
    }
    const control = controlOf(view, reply);
    if (control === undefined) return reply;
    return send(reply, await control.join({ nodeId, raftAddr }, forwarded(req)));
  });

  // Called by the leader on a node it removed.
  app.post('/admin/cluster/removed', async (req, reply) => {
    const body = bodyObject(req);
    const leaderId = nodeIdOf(body['leader_id']);
    const index = body['index'];
    if (leaderId === undefined || typeof index !== 'number' || !Number.isSafeInteger(index) || index < 1) {
      return reply.code(400).send({ error: 'expected {"leader_id": <node id>, "index": <log index of the removal>}' });
    }
    const control = controlOf(view, reply);
    if (control === undefined) return reply;
    return send(reply, await control.removed({ index, leaderId }));
  });
}
