// Cluster status in the JSON shape of docs/deployment.md. Until multi-node
// replication lands these describe a one-voter group truthfully: one member,
// one region covering the whole keyspace.
import type { FastifyInstance } from 'fastify';
import type { AdminNodeView } from '../types.js';

function unavailable(view: AdminNodeView): object {
  return { error: `node ${view.nodeId} is ${view.lifecycle()}: Raft state is not available yet; retry shortly` };
}

export function registerClusterRoutes(app: FastifyInstance, view: AdminNodeView): void {
  app.get('/admin/cluster/members', async (_req, reply) => {
    const raft = view.raft();
    if (raft === undefined) return reply.code(503).send(unavailable(view));
    return {
      cluster_name: view.clusterName,
      members: raft.voters.map((nodeId) => ({
        node_id: nodeId,
        addr: nodeId === view.nodeId ? view.raftAddr : '',
        role: nodeId === view.nodeId ? raft.role : nodeId === raft.leaderId ? 'leader' : 'follower',
        status: nodeId === view.nodeId ? 'up' : 'unknown',
      })),
      leader_id: raft.leaderId === 0 ? null : raft.leaderId,
      term: raft.term,
      replication_factor: view.replicationFactor,
    };
  });

  app.get('/admin/cluster/raft', async (_req, reply) => {
    const raft = view.raft();
    if (raft === undefined) return reply.code(503).send(unavailable(view));
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
