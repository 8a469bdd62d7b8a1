// The one table of configuration keys. Parsing, environment overrides,
// validation, reload diffs, docs/configuration.md and config/thunderdb.toml
// are all driven by `configKeys`: adding a key means adding one entry here
// (and its field in types.ts; the compiler then checks the two agree).

import type { ThunderConfig } from './types.js';
import {
  bytesPerGiB, bytesPerKiB, bytesPerMiB, bytesPerTiB, msPerHour, msPerSecond,
} from './units.js';

export type SectionName = Exclude<keyof ThunderConfig, 'sourcePath'>;

/** Sections in file and docs order, each with a one-line description. */
export const configSections: readonly { readonly name: SectionName; readonly description: string }[] = [
  { name: 'node', description: 'Identity of this node.' },
  { name: 'network', description: 'Listeners for the wire protocols, the admin API and Raft.' },
  { name: 'storage', description: 'Directories, memory, the write-ahead log and on-disk compression.' },
  { name: 'cluster', description: 'Raft replication and, later, regions.' },
  { name: 'security', description: 'Authentication, TLS and the built-in superuser.' },
  { name: 'logging', description: 'Server log and slow-query log.' },
];

export const portMin = 1;
export const portMax = 65535;
export const envPrefix = 'THUNDERDB_';

/**
 * Checks on a string beyond its type. Each has a validator in validate.ts and
 * a phrase in `describeStringFormat`.
 */
export type StringFormat =
  | 'any'
  | 'host'
  | 'hostPort'
  | 'clusterName'
  | 'roleName'
  | 'scramVerifier';

export interface StringSpec {
  readonly kind: 'string';
  readonly default: string;
  readonly format: StringFormat;
}
export interface IntSpec {
  readonly kind: 'int';
  readonly default: number;
  readonly min: number;
  readonly max: number;
}
export interface BoolSpec {
  readonly kind: 'bool';
  readonly default: boolean;
}
/** Written "512MB" or as a bare integer of bytes; held in bytes. */
export interface SizeSpec {
  readonly kind: 'size';
  readonly default: string;
  readonly minBytes: number;
  readonly maxBytes: number;
  readonly powerOfTwo: boolean;
}
/** Written "60s" or as a bare integer of milliseconds; held in milliseconds. */
export interface DurationSpec {
  readonly kind: 'duration';
  readonly default: string;
  readonly minMs: number;
  readonly maxMs: number;
}
/** Matched case-insensitively; held as the lower-case value from `values`. */
export interface EnumSpec<T extends string = string> {
  readonly kind: 'enum';
  readonly default: T;
  readonly values: readonly T[];
}
/** A TCP port, `portMin`..`portMax`. */
export interface PortSpec {
  readonly kind: 'port';
  readonly default: number;
}
/** Held as an absolute path; empty stays empty (meaning "not set"). */
export interface PathSpec {
  readonly kind: 'path';
  readonly default: string;
  readonly allowEmpty: boolean;
}
/** A TOML array of strings; in the environment, comma-separated. */
export interface StringListSpec {
  readonly kind: 'stringList';
  readonly default: readonly string[];
  readonly itemFormat: StringFormat;
}

export type KindSpec =
  | StringSpec | IntSpec | BoolSpec | SizeSpec | DurationSpec
  | EnumSpec | PortSpec | PathSpec | StringListSpec;
export type ValueKind = KindSpec['kind'];

/** The typed value of a key as it appears in `ThunderConfig`. */
export type ConfigValue = string | number | boolean | readonly string[];

export interface KeyInfo<S extends SectionName = SectionName, F extends string = string> {
  readonly section: S;
  /** The TOML key, snake_case as operators write it. */
  readonly key: string;
  /** The camelCase field in `ThunderConfig[section]`, carrying its unit. */
  readonly field: F;
  /** Whether a SIGHUP applies a change without a restart. */
  readonly reloadable: boolean;
  /** Extra environment variables besides THUNDERDB_<SECTION>_<KEY>. */
  readonly envAliases: readonly string[];
  /** Secrets are never echoed in messages or diffs. */
  readonly secret: boolean;
  readonly description: string;
}

export type KeySpec = KeyInfo & KindSpec;

// Which specs fit a field of a given TypeScript type: the compiler rejects,
// say, a 'bool' spec for a numeric field or an enum value outside the union.
type KindFor<T> =
  [T] extends [boolean] ? BoolSpec
  : [T] extends [number] ? IntSpec | SizeSpec | DurationSpec | PortSpec
  : [T] extends [readonly string[]] ? StringListSpec
  : [T] extends [string] ? (string extends T ? StringSpec | PathSpec : EnumSpec<T>)
  : never;

type KeyInput<S extends SectionName, F extends string> =
  Omit<KeyInfo<S, F>, 'envAliases' | 'secret'> & {
    readonly envAliases?: readonly string[];
    readonly secret?: boolean;
  };

function defineKey<S extends SectionName, F extends keyof ThunderConfig[S] & string>(
  spec: KeyInput<S, F> & KindFor<ThunderConfig[S][F]>,
): KeyInfo<S, F> & KindFor<ThunderConfig[S][F]> {
  // The spread cannot be typed through the generic intersection; the fields
  // it fills in are exactly the two optional ones of `KeyInput`.
  return { ...spec, envAliases: spec.envAliases ?? [], secret: spec.secret ?? false } as
    KeyInfo<S, F> & KindFor<ThunderConfig[S][F]>;
}

const noMax = Number.MAX_SAFE_INTEGER;

export const configKeys = [
  // [node]
  defineKey({ section: 'node', key: 'node_id', field: 'nodeId', kind: 'int', default: 1, min: 1, max: noMax,
    reloadable: false, envAliases: ['THUNDERDB_NODE_ID'],
    description: "This node's Raft id: a positive integer, unique in the cluster and never reused." }),

  // [network]
  defineKey({ section: 'network', key: 'listen_addr', field: 'listenAddr', kind: 'string', default: '127.0.0.1',
    format: 'host', reloadable: false,
    description: 'Address every listener binds to: an IP address or hostname (0.0.0.0 or :: for all interfaces).' }),
  defineKey({ section: 'network', key: 'pg_port', field: 'pgPort', kind: 'port', default: 5432, reloadable: false,
    description: 'PostgreSQL wire-protocol port.' }),
  defineKey({ section: 'network', key: 'mysql_port', field: 'mysqlPort', kind: 'port', default: 3306,
    reloadable: false, description: 'MySQL wire-protocol port.' }),
  defineKey({ section: 'network', key: 'resp_port', field: 'respPort', kind: 'port', default: 6379,
    reloadable: false, description: 'RESP (Redis protocol) port.' }),
  defineKey({ section: 'network', key: 'http_port', field: 'httpPort', kind: 'port', default: 8088,
    reloadable: false, description: 'HTTP admin API port: probes, metrics, cluster status, SQL over HTTP.' }),
  defineKey({ section: 'network', key: 'grpc_port', field: 'grpcPort', kind: 'port', default: 9090,
    reloadable: false, description: 'Raft transport port between nodes; other nodes list it in their peers.' }),
  defineKey({ section: 'network', key: 'max_connections', field: 'maxConnections', kind: 'int', default: 1000,
    min: 1, max: 1_000_000, reloadable: true,
    description: 'Client connections accepted at once over all protocols; new ones beyond it are refused.' }),

  // [storage]
  defineKey({ section: 'storage', key: 'data_dir', field: 'dataDir', kind: 'path', default: './data',
    allowEmpty: false, reloadable: false, envAliases: ['THUNDERDB_DATA_DIR'],
    description: 'Directory for the row store, the column store and their checkpoints.' }),
  defineKey({ section: 'storage', key: 'wal_dir', field: 'walDir', kind: 'path', default: './wal',
    allowEmpty: false, reloadable: false, envAliases: ['THUNDERDB_WAL_DIR'],
    description: 'Directory for write-ahead log segments; put it on the fastest durable disk.' }),
  defineKey({ section: 'storage', key: 'buffer_pool_size', field: 'bufferPoolSizeBytes', kind: 'size',
    default: '1GB', minBytes: bytesPerMiB, maxBytes: noMax, powerOfTwo: false, reloadable: false,
    description: 'Memory cache of row-store data in front of RocksDB.' }),
  defineKey({ section: 'storage', key: 'wal_buffer_size', field: 'walBufferSizeBytes', kind: 'size',
    default: '64MB', minBytes: 64 * bytesPerKiB, maxBytes: bytesPerGiB, powerOfTwo: false, reloadable: false,
    description: 'Memory buffer for WAL records waiting to be written (group commit).' }),
  defineKey({ section: 'storage', key: 'page_size', field: 'pageSizeBytes', kind: 'size', default: '16KB',
    minBytes: 4 * bytesPerKiB, maxBytes: 64 * bytesPerKiB, powerOfTwo: true, reloadable: false,
    description: 'Page size of the storage engine; a power of two. Fixed when the data directory is created.' }),
  defineKey({ section: 'storage', key: 'checkpoint_interval', field: 'checkpointIntervalMs', kind: 'duration',
    default: '60s', minMs: msPerSecond, maxMs: 24 * msPerHour, reloadable: false,
    description: 'How often views checkpoint their applied index; bounds the log replayed after a restart.' }),
  defineKey({ section: 'storage', key: 'compaction_threads', field: 'compactionThreads', kind: 'int', default: 2,
    min: 1, max: 64, reloadable: false,
    description: 'Worker threads that copy the rows of column-store compactions (every 60 s, and VACUUM), off the thread that applies commits and answers queries.' }),
  defineKey({ section: 'storage', key: 'parallel_scan_threads', field: 'parallelScanThreads', kind: 'int', default: 0,
    min: 0, max: 64, reloadable: false,
    description: 'Worker threads for a large column-store scan-aggregate; 0 uses every core (os.availableParallelism), 1 keeps scans on the query thread.' }),
  defineKey({ section: 'storage', key: 'direct_io', field: 'directIo', kind: 'bool', default: false,
    reloadable: false, description: 'Bypass the page cache (O_DIRECT) for storage files.' }),
  defineKey({ section: 'storage', key: 'compression', field: 'compression', kind: 'bool', default: true,
    reloadable: false,
    description: 'Compress column-store segments on disk; false makes the effective algorithm none.' }),
  defineKey({ section: 'storage', key: 'compression_algorithm', field: 'compressionAlgorithm', kind: 'enum',
    default: 'lz4', values: ['lz4', 'zstd', 'none'], reloadable: false,
    description: 'On-disk compression: lz4 (fast), zstd (smaller) or none. Case-insensitive.' }),
  defineKey({ section: 'storage', key: 'cold_compression_algorithm', field: 'coldCompressionAlgorithm', kind: 'enum',
    default: 'zstd', values: ['lz4', 'zstd', 'none'], reloadable: false,
    description: 'Compression of column-store segments that compaction rewrote (cold: merged, rarely changed); fresh segments, the WAL and the row store use compression_algorithm.' }),
  defineKey({ section: 'storage', key: 'max_wal_size', field: 'maxWalSizeBytes', kind: 'size', default: '2GB',
    minBytes: bytesPerMiB, maxBytes: noMax, powerOfTwo: false, reloadable: false,
    description: 'WAL kept on disk; segments below every checkpoint are deleted to stay under it.' }),
  defineKey({ section: 'storage', key: 'sync_commit', field: 'syncCommit', kind: 'bool', default: true,
    reloadable: false,
    description: 'true: a commit is acknowledged after fdatasync; false: after the write (see "sync_commit").' }),
  defineKey({ section: 'storage', key: 'wal_segment_size', field: 'walSegmentSizeBytes', kind: 'size',
    default: '64MB', minBytes: bytesPerMiB, maxBytes: bytesPerGiB, powerOfTwo: false, reloadable: false,
    description: 'Size of a WAL segment file before the log rolls to a new one. The newest segment is filled with zeros a few MB ahead of its records (durable writes into allocated space are cheaper), so its file is larger than its records until it rolls.' }),

  // [cluster]
  defineKey({ section: 'cluster', key: 'cluster_name', field: 'clusterName', kind: 'string', default: 'thunderdb',
    format: 'clusterName', reloadable: false,
    description: 'Name of the cluster; every node of a cluster uses the same name.' }),
  defineKey({ section: 'cluster', key: 'peers', field: 'peers', kind: 'stringList', default: [],
    itemFormat: 'hostPort', reloadable: false,
    description: 'Raft (gRPC) addresses "host:port" of the other nodes; empty for a single node.' }),
  defineKey({ section: 'cluster', key: 'raft_election_timeout', field: 'raftElectionTimeoutMs', kind: 'duration',
    default: '1s', minMs: 10, maxMs: 60 * msPerSecond, reloadable: false,
    description: 'Time without hearing from a leader before a follower starts an election.' }),
  defineKey({ section: 'cluster', key: 'raft_heartbeat_interval', field: 'raftHeartbeatIntervalMs',
    kind: 'duration', default: '100ms', minMs: 1, maxMs: 30 * msPerSecond, reloadable: false,
    description: 'Interval between leader heartbeats; must be below raft_election_timeout.' }),
  defineKey({ section: 'cluster', key: 'replication_factor', field: 'replicationFactor', kind: 'int', default: 1,
    min: 1, max: 7, reloadable: false,
    description: 'Copies of each region; at most 1 + the number of peers.' }),
  defineKey({ section: 'cluster', key: 'max_region_size', field: 'maxRegionSizeBytes', kind: 'size',
    default: '256MB', minBytes: bytesPerMiB, maxBytes: bytesPerTiB, powerOfTwo: false, reloadable: false,
    description: 'A region growing beyond this is split (once regions exist).' }),
  defineKey({ section: 'cluster', key: 'min_region_size', field: 'minRegionSizeBytes', kind: 'size',
    default: '64MB', minBytes: bytesPerMiB, maxBytes: bytesPerTiB, powerOfTwo: false, reloadable: false,
    description: 'Adjacent regions smaller than this are merged (once regions exist); at most max_region_size.' }),
  defineKey({ section: 'cluster', key: 'auto_balance', field: 'autoBalance', kind: 'bool', default: true,
    reloadable: false, description: 'Move regions between nodes to even out load (once regions exist).' }),

  // [security]
  defineKey({ section: 'security', key: 'authentication_enabled', field: 'authenticationEnabled', kind: 'bool',
    default: false, reloadable: false, description: 'Require clients to authenticate.' }),
  defineKey({ section: 'security', key: 'tls_enabled', field: 'tlsEnabled', kind: 'bool', default: false,
    reloadable: false,
    description: 'Offer TLS on the client protocols; requires tls_cert_path and tls_key_path.' }),
  defineKey({ section: 'security', key: 'tls_cert_path', field: 'tlsCertPath', kind: 'path', default: '',
    allowEmpty: true, reloadable: false, description: 'PEM certificate (chain) for TLS; empty when unset.' }),
  defineKey({ section: 'security', key: 'tls_key_path', field: 'tlsKeyPath', kind: 'path', default: '',
    allowEmpty: true, reloadable: false, description: 'PEM private key for TLS; empty when unset.' }),
  defineKey({ section: 'security', key: 'superuser', field: 'superuser', kind: 'string', default: 'admin',
    format: 'roleName', reloadable: false,
    description: 'Name of the built-in superuser role (lower case, as an unquoted SQL identifier).' }),
  defineKey({ section: 'security', key: 'superuser_password', field: 'superuserPassword', kind: 'string',
    default: '', format: 'any', secret: true, reloadable: false,
    description: 'Superuser password in plain text; prefer superuser_password_hash. Never echoed.' }),
  defineKey({ section: 'security', key: 'superuser_password_hash', field: 'superuserPasswordHash',
    kind: 'string', default: '', format: 'scramVerifier', secret: true, reloadable: false,
    envAliases: ['THUNDERDB_SUPERUSER_PASSWORD_HASH'],
    description: 'Superuser password as a PostgreSQL SCRAM-SHA-256 verifier; not with superuser_password.' }),

  // [logging]
  defineKey({ section: 'logging', key: 'level', field: 'level', kind: 'enum', default: 'info',
    values: ['trace', 'debug', 'info', 'warn', 'error', 'fatal'], reloadable: true,
    envAliases: ['THUNDERDB_LOG_LEVEL'], description: 'Least severe level written to the log.' }),
  defineKey({ section: 'logging', key: 'format', field: 'format', kind: 'enum', default: 'text',
    values: ['json', 'text'], reloadable: false,
    description: 'Log line format: json (one object per line) or text.' }),
  defineKey({ section: 'logging', key: 'slow_query_enabled', field: 'slowQueryEnabled', kind: 'bool',
    default: true, reloadable: true, description: 'Log statements slower than slow_query_threshold.' }),
  defineKey({ section: 'logging', key: 'slow_query_threshold', field: 'slowQueryThresholdMs', kind: 'duration',
    default: '1s', minMs: 0, maxMs: 24 * msPerHour, reloadable: true,
    description: 'A statement running longer than this is logged as slow; 0ms logs every statement.' }),
] as const;

// Compile-time check that every field of every section has exactly one place
// in the table: a field missing here makes `allFieldsListed` fail to compile.
type ListedFields<S extends SectionName> = Extract<(typeof configKeys)[number], { readonly section: S }>['field'];
type UnlistedFields = { [S in SectionName]: Exclude<keyof ThunderConfig[S], ListedFields<S>> }[SectionName];
const allFieldsListed: [UnlistedFields] extends [never] ? true : UnlistedFields = true;
void allFieldsListed;

/** All keys, widened for generic code. */
export const allKeys: readonly KeySpec[] = configKeys;

/** "storage.buffer_pool_size" */
export function qualifiedName(spec: KeyInfo): string {
  return `${spec.section}.${spec.key}`;
}

/** The general environment variable: THUNDERDB_<SECTION>_<KEY>. */
export function generalEnvName(spec: KeyInfo): string {
  return `${envPrefix}${spec.section.toUpperCase()}_${spec.key.toUpperCase()}`;
}

/** Every variable that sets `spec`, the general one first. */
export function envNames(spec: KeyInfo): readonly string[] {
  return [generalEnvName(spec), ...spec.envAliases];
}

/** Set by the CLI (the config file's path); not a key, never an error here. */
export const reservedEnvVars: ReadonlySet<string> = new Set(['THUNDERDB_CONFIG']);

function buildEnvIndex(): ReadonlyMap<string, KeySpec> {
  const index = new Map<string, KeySpec>();
  for (const spec of allKeys) {
    for (const name of envNames(spec)) {
      const taken = index.get(name);
      // Two keys answering to one variable would make an override ambiguous.
      if (taken !== undefined || reservedEnvVars.has(name)) {
        throw new Error(`config schema: ${name} names ${qualifiedName(spec)} and another key`);
      }
      index.set(name, spec);
    }
  }
  return index;
}

/** Environment variable name -> the key it sets. */
export const keysByEnvName: ReadonlyMap<string, KeySpec> = buildEnvIndex();

function buildKeyIndex(): ReadonlyMap<string, KeySpec> {
  const index = new Map<string, KeySpec>();
  for (const spec of allKeys) {
    const name = qualifiedName(spec);
    if (index.has(name)) throw new Error(`config schema: ${name} is listed twice`);
    index.set(name, spec);
  }
  return index;
}

/** "section.key" -> spec. */
export const keysByName: ReadonlyMap<string, KeySpec> = buildKeyIndex();

/** The spec for a typed field, for cross-key checks that name their keys. */
export function specFor<S extends SectionName>(section: S, field: keyof ThunderConfig[S] & string): KeySpec {
  const spec = allKeys.find((k) => k.section === section && k.field === field);
  if (spec === undefined) throw new Error(`config schema: no key for ${section}.${field}`);
  return spec;
}

export function keysOfSection(section: SectionName): readonly KeySpec[] {
  return allKeys.filter((k) => k.section === section);
}
