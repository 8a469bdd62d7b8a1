// A real thunderdb process on free ports: probes, metrics, cluster status,
// SIGTERM, SIGHUP reload and restart recovery.
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { serversStoppedAfterEach } from './helpers/server.js';

const start = serversStoppedAfterEach();

interface RaftStatus { term: number; leader_id: number; commit_index: number; applied_index: number; last_index: number; role: string }

describe('thunderdb server', () => {
  it('answers the probes and reports component health', async () => {
    const server = await start();
    expect((await server.get('/admin/live')).status).toBe(200);
    expect((await server.get('/admin/ready')).status).toBe(200);
    const health = await server.get('/admin/health');
    expect(health.status).toBe(200);
    const body = health.json() as { status: string; components: { wal: { status: string }; raft: { status: string; role: string } } };
    expect(body.status).toBe('ok');
    expect(body.components.wal.status).toBe('ok');
    expect(body.components.raft).toMatchObject({ status: 'ok', role: 'leader' });
    // The row store is attached to the log and has applied everything committed.
    expect((body.components as Record<string, unknown>)['rowstore']).toMatchObject({ status: 'ok', lag_entries: 0 });
    expect((await server.get('/admin/nope')).status).toBe(404);
  });

  it('exports Prometheus metrics for the WAL and Raft', async () => {
    const server = await start();
    const metrics = await server.get('/admin/metrics');
    expect(metrics.status).toBe(200);
    for (const name of [
      'process_cpu_seconds_total', 'nodejs_heap_size_used_bytes',
      'thunderdb_wal_appended_records_total', 'thunderdb_wal_appended_bytes_total',
      'thunderdb_wal_fsync_duration_seconds_bucket', 'thunderdb_wal_group_commit_batch_records_bucket',
      'thunderdb_raft_commit_index', 'thunderdb_raft_applied_index', 'thunderdb_raft_term',
    ]) {
      expect(metrics.body).toContain(name);
    }
    // The leader's first entry of its term was appended and fsynced.
    expect(metrics.body).toMatch(/thunderdb_wal_appended_records_total\{[^}]*\} [1-9]/);
  });

  it('describes itself truthfully as a one-node cluster', async () => {
    const server = await start({ toml: { cluster: 'cluster_name = "test-cluster"' } });
    const members = (await server.get('/admin/cluster/members')).json();
    expect(members).toMatchObject({
      cluster_name: 'test-cluster',
      members: [{ node_id: 1, role: 'leader', status: 'up' }],
      leader_id: 1,
      replication_factor: 1,
    });
    expect((members as { term: number }).term).toBeGreaterThan(0);
    const raft = (await server.get('/admin/cluster/raft')).json() as RaftStatus;
    expect(raft).toMatchObject({ role: 'leader', leader_id: 1 });
    expect(raft.commit_index).toBeGreaterThan(0);
    expect(raft.applied_index).toBe(raft.commit_index);
    const regions = (await server.get('/admin/cluster/regions')).json();
    expect(regions).toMatchObject({ regions: [{ region_id: 1, start_key: '', end_key: '', leader_id: 1, replicas: [{ node_id: 1, role: 'leader' }], voters: [1], learners: [] }] });
  });

  it('stops cleanly on SIGTERM and SIGINT with exit code 0', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const server = await start();
      server.signal(signal);
      const status = await server.exited;
      expect(status.code).toBe(0);
      expect(server.output()).toContain('stopped cleanly');
    }
  });

  it('recovers its log on restart and starts a new term', async () => {
    const first = await start();
    const before = (await first.get('/admin/cluster/raft')).json() as RaftStatus;
    expect((await first.stop()).code).toBe(0);
    const second = await start({ dir: first.dir });
    const after = (await second.get('/admin/cluster/raft')).json() as RaftStatus;
    expect(after.term).toBeGreaterThan(before.term);
    // Everything from the first run is still there, plus the new leader's entry.
    expect(after.last_index).toBeGreaterThan(before.last_index);
    expect(after.commit_index).toBe(after.last_index);
  });

  it('restarts after kill -9: the directory lock dies with its process', async () => {
    const first = await start();
    first.signal('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    const second = await start({ dir: first.dir });
    expect((await second.get('/admin/ready')).status).toBe(200);
  });

  it('handles SIGTERM that arrives while it is still starting', async () => {
    const server = await start({ waitReady: false });
    await server.waitForOutput(/starting ThunderDB/);
    server.signal('SIGTERM');
    const status = await server.exited;
    expect(status).toEqual({ code: 0, signal: null });
    expect(server.output()).toContain('stopped cleanly');
  });

  it('reloads the log level on SIGHUP without restarting', async () => {
    const server = await start({ toml: { logging: 'level = "warn"' } });
    // At warn, the info line announcing readiness is not printed.
    expect(server.output()).not.toContain('ThunderDB is ready');
    const pid = server.child.pid;
    const config = readFileSync(server.configPath, 'utf8');
    writeFileSync(server.configPath, config.replace('level = "warn"', 'level = "info"'));
    server.signal('SIGHUP');
    // The reload's own info line appears only because the new level applies.
    await server.waitForOutput(/configuration reloaded/);
    expect(server.output()).toContain('logging.level: \\"warn\\" -> \\"info\\"');
    expect(server.child.pid).toBe(pid);
    expect((await server.get('/admin/ready')).status).toBe(200);
  });

  it('keeps running with the old configuration when a reload is invalid', async () => {
    const server = await start();
    const config = readFileSync(server.configPath, 'utf8');
    writeFileSync(server.configPath, config.replace('level = "info"', 'level = "loud"'));
    server.signal('SIGHUP');
    await server.waitForOutput(/configuration rejected/);
    expect(server.output()).toContain('logging.level');
    expect((await server.get('/admin/ready')).status).toBe(200);
  });

  it('logs a warning when a reload changes a setting that needs a restart', async () => {
    const server = await start();
    const config = readFileSync(server.configPath, 'utf8');
    writeFileSync(server.configPath, config.replace('[storage]', '[storage]\nsync_commit = false'));
    server.signal('SIGHUP');
    await server.waitForOutput(/after a restart/);
    expect(server.output()).toContain('storage.sync_commit');
  });
});
