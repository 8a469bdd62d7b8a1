// Cluster status in the JSON shape of docs/admin-api.md. Members come from
// the Raft voter set and, for the other nodes, from the gRPC transport
// (address, connectivity); a single node is a one-member cluster. The whole
// keyspace is one region until region splitting exists.
import type { FastifyInstance } from 'fastify';
import type { AdminNodeView, ClusterPeerView, RaftView } from '../types.js';

function unavailable(view: AdminNodeView): object {
  return { error: `node ${view.nodeId} is ${view.lifecycle()}: Raft state is not available yet; retry shortly` };
}

function peerRole(raft: RaftView | undefined, nodeId: number): string {
  if (raft === undefined || nodeId === 0) return 'unknown';
  if (nodeId === raft.leaderId) return 'leader';
  return raft.voters.includes(nodeId) ? 'follower' : 'unknown';
}

function peerMember(raft: RaftView | undefined, p: ClusterPeerView): object {
  return {
    node_id: p.nodeId === 0 ? null : p.nodeId,
    addr: p.addr,
    pg_addr: p.pgAddr === '' ? null : p.pgAddr,
    http_addr: p.httpAddr === '' ? null : p.httpAddr,
    role: peerRole(raft, p.nodeId),
    status: p.connected ? 'up' : 'down',
    last_heard_ms_ago: p.lastHeardMsAgo ?? null,
    ...(p.lastError === '' ? {} : { last_error: p.lastError }),
  };
}

function members(view: AdminNodeView, raft: RaftView | undefined): object[] {
  const peers = view.cluster?.()?.peers() ?? [];
  const self = {
    node_id: view.nodeId, addr: view.raftAddr, pg_addr: view.pgAddr ?? null, http_addr: view.httpAddr ?? null,
    role: raft?.role ?? 'unknown', status: 'up', last_heard_ms_ago: 0,
  };
  const listed = new Set([view.nodeId, ...peers.map((p) => p.nodeId)]);
  // Voters no configured address maps to (a handshake not yet answered, or a later membership change).
  const others = (raft?.voters ?? []).filter((id) => !listed.has(id)).map((id) => ({
    node_id: id, addr: null, pg_addr: null, http_addr: null, role: peerRole(raft, id), status: 'unknown', last_heard_ms_ago: null,
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
      ...(cluster?.waitingForPeers() === true ? { waiting_for_peers: true } : {}),
    };
  });

  app.get('/admin/cluster/raft', async (_req, reply) => {
    const raft = view.raft();
    if (raft === undefined) return reply.code(503).send(unavailable(view));
    const cluster = view.cluster?.();
    const followers = raft.role !== 'leader' ? undefined : raft.voters.filter((id) => id !== view.nodeId).map((id) => {
      // A single node has no cluster view and no followers to list.
      const match = cluster?.matchIndex(id, raft.term);
      return { node_id: id, match_index: match ?? null, lag_entries: match === undefined ? null : Math.max(0, raft.lastIndex - match) };
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
        replicas: raft.voters,
        applied_index: raft.appliedIndex,
        wal_size_bytes: wal?.sizeBytes ?? 0,
      }],
    };
  });
}
