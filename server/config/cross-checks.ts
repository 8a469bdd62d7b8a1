// Rules that relate two or more keys. They run on the typed configuration
// after every key has been parsed on its own, so each rule reads plainly.

import { ConfigError, redacted } from './errors.js';
import type { ConfigValue, KeySpec, SectionName } from './schema.js';
import { qualifiedName, specFor } from './schema.js';
import type { ThunderConfig } from './types.js';
import { formatDuration, formatSize } from './units.js';

/** A typed value as an operator would write it; secrets redacted. */
export function displayValue(spec: KeySpec, value: ConfigValue): string {
  if (spec.secret && typeof value === 'string') return value === '' ? '""' : redacted(value);
  if (typeof value === 'number') {
    if (spec.kind === 'size') return JSON.stringify(formatSize(value));
    if (spec.kind === 'duration') return JSON.stringify(formatDuration(value));
    return String(value);
  }
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  return `[${value.map((item) => JSON.stringify(item)).join(', ')}]`;
}

/** The typed value of `spec` in `config`. */
export function valueOf(config: ThunderConfig, spec: KeySpec): ConfigValue {
  // Sections are plain records of ConfigValue; the schema's compile-time
  // check guarantees every (section, field) pair in the table exists.
  const section = config[spec.section] as unknown as Readonly<Record<string, ConfigValue | undefined>>;
  const value = section[spec.field];
  if (value === undefined) throw new Error(`config: ${qualifiedName(spec)} missing from the typed config`);
  return value;
}

interface KeyRef {
  readonly spec: KeySpec;
  readonly shown: string;
}

function ref<S extends SectionName>(
  config: ThunderConfig, section: S, field: keyof ThunderConfig[S] & string,
): KeyRef {
  const spec = specFor(section, field);
  return { spec, shown: `${qualifiedName(spec)} = ${displayValue(spec, valueOf(config, spec))}` };
}

function crossError(subject: KeyRef, expectation: string): ConfigError {
  return new ConfigError(`${subject.shown}: expected ${expectation}`, { key: qualifiedName(subject.spec) });
}

function checkDistinctPorts(config: ThunderConfig): void {
  const portFields = ['pgPort', 'mysqlPort', 'respPort', 'httpPort', 'grpcPort'] as const;
  const seen = new Map<number, KeyRef>();
  for (const field of portFields) {
    const port = config.network[field];
    const current = ref(config, 'network', field);
    const first = seen.get(port);
    if (first !== undefined) {
      throw crossError(current, `a port of its own, not the same as ${qualifiedName(first.spec)}`);
    }
    seen.set(port, current);
  }
}

function checkCluster(config: ThunderConfig): void {
  const { cluster } = config;
  if (cluster.raftHeartbeatIntervalMs >= cluster.raftElectionTimeoutMs) {
    const timeout = ref(config, 'cluster', 'raftElectionTimeoutMs');
    throw crossError(ref(config, 'cluster', 'raftHeartbeatIntervalMs'), `less than ${timeout.shown}`);
  }
  if (cluster.minRegionSizeBytes > cluster.maxRegionSizeBytes) {
    const max = ref(config, 'cluster', 'maxRegionSizeBytes');
    throw crossError(ref(config, 'cluster', 'minRegionSizeBytes'), `at most ${max.shown}`);
  }
  const nodeCount = 1 + cluster.peers.length;
  if (cluster.replicationFactor > nodeCount) {
    const peers = qualifiedName(specFor('cluster', 'peers'));
    throw crossError(ref(config, 'cluster', 'replicationFactor'),
      `at most 1 + the number of ${peers} (1 + ${cluster.peers.length} = ${nodeCount}): `
      + 'a region cannot have more copies than there are nodes');
  }
}

function checkStorage(config: ThunderConfig): void {
  const { storage } = config;
  // Old segments are deleted whole, so the WAL needs room for at least one.
  if (storage.maxWalSizeBytes < storage.walSegmentSizeBytes) {
    const segment = ref(config, 'storage', 'walSegmentSizeBytes');
    throw crossError(ref(config, 'storage', 'maxWalSizeBytes'), `at least ${segment.shown}`);
  }
}

function checkSecurity(config: ThunderConfig): void {
  const { security } = config;
  if (security.tlsEnabled) {
    for (const field of ['tlsCertPath', 'tlsKeyPath'] as const) {
      if (security[field] === '') {
        const path = qualifiedName(specFor('security', field));
        throw crossError(ref(config, 'security', 'tlsEnabled'), `${path} to be set as well (it is empty)`);
      }
    }
  }
  if (security.superuserPassword !== '' && security.superuserPasswordHash !== '') {
    const password = qualifiedName(specFor('security', 'superuserPassword'));
    throw crossError(ref(config, 'security', 'superuserPasswordHash'),
      `${password} to be empty when a hash is set; set only one of them`);
  }
}

/** Throws ConfigError on the first rule broken. */
export function checkCrossKeyRules(config: ThunderConfig): void {
  checkDistinctPorts(config);
  checkStorage(config);
  checkCluster(config);
  checkSecurity(config);
}
