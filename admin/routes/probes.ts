// Liveness, readiness and health, as Kubernetes, systemd and load balancers
// use them: /live says the process runs, /ready says it can serve now,
// /health explains both per component.
import type { FastifyInstance } from 'fastify';
import type { AdminNodeView } from '../types.js';

type ComponentStatus = 'ok' | 'starting' | 'stopping' | 'unavailable';

/**
 * Ready: serving, the log recovered, a leader known (one voter: itself) and,
 * in a cluster, reachable: a follower heard from it, a leader from a quorum,
 * within an election timeout. A learner (a joining node still catching up)
 * is not ready yet: its reads would wait for the log to arrive, so a load
 * balancer should keep clients away until it is promoted to voter.
 */
export function isReady(view: AdminNodeView): boolean {
  const raft = view.raft();
  const cluster = view.cluster?.();
  // A removed node holds a stale copy and will never catch up: take it out of rotation.
  if (cluster?.removed?.() === true) return false;
  if (raft !== undefined && isCatchingUp(view)) return false;
  return view.lifecycle() === 'serving' && raft !== undefined && raft.leaderId !== 0 && (cluster?.quorumReachable() ?? true);
}

/** This node is a learner: in the configuration, receiving the log, not yet a voter. */
function isCatchingUp(view: AdminNodeView): boolean {
  const raft = view.raft();
  return raft?.learners?.includes(view.nodeId) === true;
}

export function healthReport(view: AdminNodeView): { readonly healthy: boolean; readonly body: object } {
  const lifecycle = view.lifecycle();
  const raft = view.raft();
  const wal = view.wal();
  const quorumReachable = view.cluster?.()?.quorumReachable() ?? true;
  const removed = view.cluster?.()?.removed?.() === true;
  const catchingUp = isCatchingUp(view);
  const raftStatus: ComponentStatus =
    raft === undefined ? (lifecycle === 'stopping' ? 'stopping' : 'starting')
      : raft.leaderId === 0 || !quorumReachable || removed ? 'unavailable'
        : catchingUp ? 'starting' : 'ok';
  const walStatus: ComponentStatus = wal === undefined ? (lifecycle === 'stopping' ? 'stopping' : 'starting') : 'ok';
  const healthy = isReady(view);
  return {
    healthy,
    body: {
      status: healthy ? 'ok' : lifecycle === 'serving' ? 'degraded' : lifecycle,
      node_id: view.nodeId,
      cluster_name: view.clusterName,
      version: view.version,
      uptime_seconds: Math.round((Date.now() - view.startedAtMs) / 1000),
      components: {
        wal: wal === undefined ? { status: walStatus } : {
          status: walStatus,
          dir: wal.dir,
          size_bytes: wal.sizeBytes,
          max_size_bytes: wal.maxSizeBytes,
          first_index: wal.firstIndex,
          last_index: wal.lastIndex,
          sync_commit: wal.syncCommit,
          compression: wal.compression,
        },
        raft: raft === undefined ? { status: raftStatus } : {
          status: raftStatus,
          role: raft.role,
          term: raft.term,
          leader_id: raft.leaderId,
          commit_index: raft.commitIndex,
          applied_index: raft.appliedIndex,
          ...(removed ? {
            removed: true,
            reason: 'this node was removed from the cluster: it no longer votes, campaigns or receives the log; stop it and wipe its data directory before reusing it',
          } : {}),
          ...(catchingUp && !removed ? {
            catching_up: true,
            reason: 'this node joined as a learner and is receiving the log; it becomes ready when the leader promotes it to voter (see /admin/cluster/raft on the leader for its lag)',
          } : {}),
        },
        ...Object.fromEntries(view.views().map((v) => [v.name, {
          status: 'ok',
          applied_index: v.appliedIndex,
          checkpoint_index: v.checkpointIndex,
          // Entries committed but not yet applied: the view's lag.
          lag_entries: raft === undefined ? 0 : Math.max(0, raft.commitIndex - v.appliedIndex),
          ...Object.fromEntries(Object.entries(v.details).map(([k, n]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), n])),
        }])),
        admin: { status: 'ok' },
      },
    },
  };
}

export function registerProbeRoutes(app: FastifyInstance, view: AdminNodeView): void {
  app.get('/admin/live', async (_req, reply) => reply.code(200).send({ status: 'alive' }));

  app.get('/admin/ready', async (_req, reply) => {
    if (isReady(view)) return reply.code(200).send({ status: 'ready' });
    const raft = view.raft();
    const cluster = view.cluster?.();
    const reason =
      cluster?.removed?.() === true ? 'this node was removed from the cluster' :
      cluster?.joining?.() === true ? 'joining the cluster: waiting for its leader to add this node' :
      cluster?.waitingForPeers() === true ? 'waiting for every peer in cluster.peers to answer the handshake once' :
      view.lifecycle() !== 'serving' ? `node is ${view.lifecycle()}` :
      raft === undefined || raft.leaderId === 0 ? 'no Raft leader is known (no quorum)' :
      isCatchingUp(view) ? `catching up as a learner: ready once the leader (node ${raft.leaderId}) promotes this node to voter` :
      cluster !== undefined && !cluster.quorumReachable() ?
        (raft.role === 'leader' ? 'this leader has not heard from a quorum within an election timeout' :
          `the leader (node ${raft.leaderId}) has not been heard from within an election timeout`) :
      'not ready';
    return reply.code(503).send({ status: 'not ready', reason });
  });

  app.get('/admin/health', async (_req, reply) => {
    const report = healthReport(view);
    return reply.code(report.healthy ? 200 : 503).send(report.body);
  });

  app.get('/admin/metrics', async (_req, reply) => {
    const { contentType, body } = await view.metrics();
    return reply.code(200).header('content-type', contentType).send(body);
  });
}
