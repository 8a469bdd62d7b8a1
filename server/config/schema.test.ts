import { describe, expect, it } from 'vitest';
import {
  allKeys, configSections, envNames, generalEnvName, keysByEnvName, keysByName, qualifiedName, specFor,
} from './schema.js';

describe('the schema table', () => {
  it('lists each key once, snake_case, with a one-line description', () => {
    const names = allKeys.map(qualifiedName);
    expect(new Set(names).size).toBe(names.length);
    expect(keysByName.size).toBe(names.length);
    for (const spec of allKeys) {
      expect(spec.key, qualifiedName(spec)).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(spec.description.length, qualifiedName(spec)).toBeGreaterThan(10);
      expect(spec.description, qualifiedName(spec)).not.toContain('\n');
    }
  });

  it('has every section, in order, each with keys', () => {
    expect(configSections.map((s) => s.name)).toEqual(['node', 'network', 'storage', 'cluster', 'security', 'logging']);
    for (const section of configSections) {
      expect(allKeys.some((k) => k.section === section.name), section.name).toBe(true);
    }
  });

  it('makes exactly the keys the brief names reloadable on SIGHUP', () => {
    expect(allKeys.filter((k) => k.reloadable).map(qualifiedName)).toEqual([
      'network.max_connections', 'logging.level', 'logging.slow_query_enabled', 'logging.slow_query_threshold',
    ]);
  });

  it('has the documented aliases and a general variable for every key', () => {
    const aliases = allKeys.flatMap((k) => k.envAliases.map((alias) => `${alias} -> ${qualifiedName(k)}`));
    expect(aliases).toEqual([
      'THUNDERDB_NODE_ID -> node.node_id',
      'THUNDERDB_DATA_DIR -> storage.data_dir',
      'THUNDERDB_WAL_DIR -> storage.wal_dir',
      'THUNDERDB_SUPERUSER_PASSWORD_HASH -> security.superuser_password_hash',
      'THUNDERDB_LOG_LEVEL -> logging.level',
    ]);
    expect(generalEnvName(specFor('storage', 'syncCommit'))).toBe('THUNDERDB_STORAGE_SYNC_COMMIT');
    expect(generalEnvName(specFor('cluster', 'peers'))).toBe('THUNDERDB_CLUSTER_PEERS');
    const all = allKeys.flatMap((k) => envNames(k));
    expect(keysByEnvName.size).toBe(all.length);
    expect(keysByEnvName.has('THUNDERDB_CONFIG')).toBe(false);
  });

  it('keeps numeric defaults inside their ranges and enum defaults among their values', () => {
    for (const spec of allKeys) {
      if (spec.kind === 'int') {
        expect(spec.default, qualifiedName(spec)).toBeGreaterThanOrEqual(spec.min);
        expect(spec.default, qualifiedName(spec)).toBeLessThanOrEqual(spec.max);
      }
      if (spec.kind === 'enum') {
        expect(spec.values, qualifiedName(spec)).toContain(spec.default);
        for (const value of spec.values) expect(value).toBe(value.toLowerCase());
      }
    }
  });

  it('marks the two password keys, and only them, secret', () => {
    expect(allKeys.filter((k) => k.secret).map(qualifiedName)).toEqual([
      'security.superuser_password', 'security.superuser_password_hash',
    ]);
  });
});
