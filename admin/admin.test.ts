// The admin routes over fastify's inject (no sockets): probe semantics in
// every lifecycle state and the cluster JSON shape.
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createAdminApp, type AdminNodeView, type Lifecycle, type RaftView } from './index.js';

function fakeView(state: { lifecycle: Lifecycle; raft?: RaftView }): AdminNodeView {
  return {
    nodeId: 1,
    clusterName: 'c1',
    replicationFactor: 1,
    raftAddr: '127.0.0.1:9090',
    version: '0.1.0',
    startedAtMs: Date.now(),
    lifecycle: () => state.lifecycle,
    raft: () => state.raft,
    wal: () => state.raft === undefined ? undefined : {
      dir: '/w', sizeBytes: 100, maxSizeBytes: 1000, firstIndex: 1, lastIndex: 5, syncCommit: true, compression: 'lz4',
    },
    views: () => state.raft === undefined ? [] : [
      { name: 'rowstore', appliedIndex: 4, checkpointIndex: 2, details: { cachedBytes: 10, dirtyRows: 1 } },
    ],
    metrics: () => Promise.resolve({ contentType: 'text/plain; version=0.0.4', body: 'thunderdb_x 1\n' }),
  };
}

const leader: RaftView = {
  role: 'leader', term: 3, leaderId: 1, commitIndex: 5, appliedIndex: 5, firstIndex: 1, lastIndex: 5, voters: [1],
};
const logger = pino({ level: 'silent' });

describe('admin probes', () => {
  it('is live but not ready while starting', async () => {
    const app = createAdminApp({ view: fakeView({ lifecycle: 'starting' }), logger });
    expect((await app.inject('/admin/live')).statusCode).toBe(200);
    const ready = await app.inject('/admin/ready');
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ reason: 'node is starting' });
    const health = await app.inject('/admin/health');
    expect(health.statusCode).toBe(503);
    expect(health.json()).toMatchObject({ status: 'starting', components: { wal: { status: 'starting' } } });
    expect((await app.inject('/admin/cluster/members')).statusCode).toBe(503);
  });

  it('is ready and healthy when serving with a leader', async () => {
    const app = createAdminApp({ view: fakeView({ lifecycle: 'serving', raft: leader }), logger });
    expect((await app.inject('/admin/ready')).statusCode).toBe(200);
    const health = await app.inject('/admin/health');
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({
      status: 'ok', node_id: 1,
      components: {
        wal: { status: 'ok', last_index: 5, compression: 'lz4' },
        raft: { status: 'ok', role: 'leader', term: 3 },
        rowstore: { status: 'ok', applied_index: 4, checkpoint_index: 2, lag_entries: 1, cached_bytes: 10, dirty_rows: 1 },
      },
    });
  });

  it('is not ready without a known leader (no quorum)', async () => {
    const app = createAdminApp({ view: fakeView({ lifecycle: 'serving', raft: { ...leader, role: 'candidate', leaderId: 0 } }), logger });
    const ready = await app.inject('/admin/ready');
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ reason: expect.stringContaining('quorum') as unknown });
    expect((await app.inject('/admin/health')).json()).toMatchObject({ status: 'degraded', components: { raft: { status: 'unavailable' } } });
  });

  it('is not ready while it is a learner catching up, and ready once a voter', async () => {
    const learner: RaftView = { ...leader, role: 'follower', leaderId: 2, voters: [2, 3, 4], learners: [1] };
    const app = createAdminApp({ view: fakeView({ lifecycle: 'serving', raft: learner }), logger });
    const ready = await app.inject('/admin/ready');
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ reason: expect.stringContaining('learner') as unknown });
    expect((await app.inject('/admin/health')).json()).toMatchObject({
      status: 'degraded', components: { raft: { status: 'starting', catching_up: true } },
    });
    const promoted = createAdminApp({ view: fakeView({ lifecycle: 'serving', raft: { ...learner, voters: [1, 2, 3, 4], learners: [] } }), logger });
    expect((await promoted.inject('/admin/ready')).statusCode).toBe(200);
  });

  it('is not ready while stopping', async () => {
    const app = createAdminApp({ view: fakeView({ lifecycle: 'stopping', raft: leader }), logger });
    expect((await app.inject('/admin/ready')).statusCode).toBe(503);
    expect((await app.inject('/admin/live')).statusCode).toBe(200);
  });

  it('serves metrics with the registry content type', async () => {
    const app = createAdminApp({ view: fakeView({ lifecycle: 'serving', raft: leader }), logger });
    const res = await app.inject('/admin/metrics');
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toBe('thunderdb_x 1\n');
  });

  it('returns the cluster shape of the deployment guide', async () => {
    const app = createAdminApp({ view: fakeView({ lifecycle: 'serving', raft: leader }), logger });
    expect((await app.inject('/admin/cluster/members')).json()).toEqual({
      cluster_name: 'c1',
      node_id: 1,
      members: [{ node_id: 1, addr: '127.0.0.1:9090', pg_addr: null, http_addr: null, role: 'leader', membership: 'voter', status: 'up', last_heard_ms_ago: 0 }],
      leader_id: 1,
      term: 3,
      replication_factor: 1,
      voters: [1],
      learners: [],
    });
    expect((await app.inject('/admin/cluster/raft')).json()).toMatchObject({ term: 3, commit_index: 5, applied_index: 5, voters: [1] });
    expect((await app.inject('/admin/cluster/regions')).json()).toMatchObject({
      regions: [{ region_id: 1, start_key: '', end_key: '', leader_id: 1, replicas: [{ node_id: 1, role: 'leader' }], voters: [1], learners: [] }],
    });
  });

  it('answers unknown routes with a 404 that points at the docs', async () => {
    const app = createAdminApp({ view: fakeView({ lifecycle: 'serving', raft: leader }), logger });
    const res = await app.inject('/admin/nope');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: expect.stringContaining('docs/admin-api.md') as unknown });
  });
});
