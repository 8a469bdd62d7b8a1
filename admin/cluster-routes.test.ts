// Cluster routes with a multi-node view (fastify inject, no sockets):
// members with transport connectivity, per-follower match and lag on the
// leader, and readiness that needs a reachable quorum.
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createAdminApp, type AdminNodeView, type ClusterPeerView, type ClusterView, type RaftView } from './index.js';

const logger = pino({ level: 'silent' });

function peer(nodeId: number, connected: boolean): ClusterPeerView {
  return {
    nodeId, addr: `10.0.0.${nodeId}:9090`, pgAddr: nodeId === 0 ? '' : `10.0.0.${nodeId}:5432`, httpAddr: '', connected,
    lastHeardMsAgo: connected ? 20 : undefined, lastError: connected ? '' : 'hello failed: UNAVAILABLE', sentMessages: 5, droppedMessages: 0, receivedMessages: 4,
  };
}

function view(raft: RaftView | undefined, cluster: Partial<ClusterView> & { peers: () => readonly ClusterPeerView[] }): AdminNodeView {
  const full: ClusterView = {
    matchIndex: () => undefined, quorumReachable: () => true, waitingForPeers: () => false, ...cluster,
  };
  return {
    nodeId: 1, clusterName: 'c1', replicationFactor: 3, raftAddr: '10.0.0.1:9090', pgAddr: '10.0.0.1:5432', httpAddr: '10.0.0.1:8088',
    version: '0.1.0', startedAtMs: Date.now(),
    lifecycle: () => (raft === undefined ? 'starting' : 'serving'),
    raft: () => raft,
    cluster: () => full,
    wal: () => undefined,
    views: () => [],
    metrics: () => Promise.resolve({ contentType: 'text/plain', body: '' }),
  };
}

const leader: RaftView = { role: 'leader', term: 4, leaderId: 1, commitIndex: 10, appliedIndex: 10, firstIndex: 1, lastIndex: 12, voters: [1, 2, 3] };
const follower: RaftView = { ...leader, role: 'follower', leaderId: 2 };

describe('cluster routes with peers', () => {
  it('lists every member with role and up/down from the transport', async () => {
    const app = createAdminApp({ view: view(follower, { peers: () => [peer(3, false), peer(2, true)] }), logger });
    const res = await app.inject('/admin/cluster/members');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      cluster_name: 'c1', leader_id: 2, term: 4, replication_factor: 3,
      members: [
        { node_id: 1, addr: '10.0.0.1:9090', pg_addr: '10.0.0.1:5432', role: 'follower', status: 'up' },
        { node_id: 2, addr: '10.0.0.2:9090', role: 'leader', status: 'up', last_heard_ms_ago: 20 },
        { node_id: 3, role: 'follower', status: 'down', last_error: 'hello failed: UNAVAILABLE' },
      ],
    });
  });

  it('answers members while waiting for peers, before the log is open', async () => {
    const app = createAdminApp({ view: view(undefined, { peers: () => [peer(0, false), peer(2, true)], waitingForPeers: () => true }), logger });
    const res = await app.inject('/admin/cluster/members');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ waiting_for_peers: true, leader_id: null, members: [{ node_id: 1, role: 'unknown' }, { node_id: 2 }, { node_id: null }] });
    const ready = await app.inject('/admin/ready');
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ reason: 'waiting for every peer in cluster.peers to answer the handshake once' });
  });

  it('shows per-follower match index and lag on the leader', async () => {
    const app = createAdminApp({
      view: view(leader, { peers: () => [peer(2, true), peer(3, true)], matchIndex: (id, term) => (id === 2 && term === 4 ? 12 : undefined) }),
      logger,
    });
    expect((await app.inject('/admin/cluster/raft')).json()).toMatchObject({
      role: 'leader', quorum_reachable: true,
      followers: [{ node_id: 2, match_index: 12, lag_entries: 0 }, { node_id: 3, match_index: null, lag_entries: null }],
    });
  });

  it('is not ready when the leader is unreachable, naming it', async () => {
    const app = createAdminApp({ view: view(follower, { peers: () => [peer(2, false)], quorumReachable: () => false }), logger });
    const ready = await app.inject('/admin/ready');
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ reason: 'the leader (node 2) has not been heard from within an election timeout' });
    expect((await app.inject('/admin/health')).json()).toMatchObject({ components: { raft: { status: 'unavailable' } } });
  });
});
