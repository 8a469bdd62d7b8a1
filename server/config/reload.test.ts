import { describe, expect, it } from 'vitest';
import { configFromTomlString } from './load.js';
import { diffReloadable, effectiveSettings } from './reload.js';
import { allKeys, qualifiedName } from './schema.js';
import type { ThunderConfig } from './types.js';

function load(toml: string): ThunderConfig {
  return configFromTomlString(toml, { env: {}, cwd: '/srv/thunder', sourcePath: '/etc/thunderdb/thunderdb.toml' });
}

describe('diffReloadable', () => {
  it('finds nothing between equal configurations', () => {
    expect(diffReloadable(load(''), load(''))).toEqual({ reloaded: [], needsRestart: [] });
    // Same peers in a fresh array: compared by value.
    const peers = '[cluster]\npeers = ["a.example:1", "b.example:2"]\nreplication_factor = 1';
    expect(diffReloadable(load(peers), load(peers))).toEqual({ reloaded: [], needsRestart: [] });
  });

  it('splits changed keys into reloaded and needs-restart, values as written in TOML', () => {
    const before = load('');
    const after = load(`
      [network]
      max_connections = 50
      pg_port = 15432
      [cluster]
      peers = ["10.0.0.2:9090"]
      [logging]
      level = "debug"
      slow_query_enabled = false
      slow_query_threshold = "250ms"
    `);
    const diff = diffReloadable(before, after);
    expect(diff.reloaded).toEqual([
      { key: 'network.max_connections', before: '1000', after: '50' },
      { key: 'logging.level', before: '"info"', after: '"debug"' },
      { key: 'logging.slow_query_enabled', before: 'true', after: 'false' },
      { key: 'logging.slow_query_threshold', before: '"1s"', after: '"250ms"' },
    ]);
    expect(diff.needsRestart).toEqual([
      { key: 'network.pg_port', before: '5432', after: '15432' },
      { key: 'cluster.peers', before: '[]', after: '["10.0.0.2:9090"]' },
    ]);
  });

  it('reports sizes in units and never shows secrets', () => {
    const diff = diffReloadable(load(''), load(
      '[storage]\nbuffer_pool_size = "4GB"\n[security]\nsuperuser_password = "hunter2"'));
    expect(diff.needsRestart).toEqual([
      { key: 'storage.buffer_pool_size', before: '"1GB"', after: '"4GB"' },
      { key: 'security.superuser_password', before: '""', after: '<redacted, 7 characters>' },
    ]);
  });

  it('sees a change of the effective compression algorithm', () => {
    const diff = diffReloadable(load(''), load('[storage]\ncompression = false'));
    expect(diff.needsRestart.map((c) => c.key)).toEqual(['storage.compression', 'storage.compression_algorithm', 'storage.cold_compression_algorithm']);
  });
});

describe('effectiveSettings', () => {
  it('lists every key once with its value, secrets redacted', () => {
    const settings = effectiveSettings(load('[security]\nsuperuser_password = "hunter2"'));
    expect(settings.map((s) => s.key)).toEqual(allKeys.map(qualifiedName));
    const byKey = new Map(settings.map((s) => [s.key, s]));
    expect(byKey.get('storage.data_dir')?.value).toBe('"/srv/thunder/data"');
    expect(byKey.get('storage.wal_segment_size')?.value).toBe('"64MB"');
    expect(byKey.get('security.superuser_password')?.value).toBe('<redacted, 7 characters>');
    expect(byKey.get('logging.level')?.reloadable).toBe(true);
    expect(JSON.stringify(settings)).not.toContain('hunter2');
  });
});
