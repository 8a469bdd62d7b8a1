import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import type { Environment } from './load.js';
import { configFromTomlString, loadConfig } from './load.js';
import type { ThunderConfig } from './types.js';

const cwd = '/srv/thunder';
const configPath = '/etc/thunderdb/thunderdb.toml';

function load(toml: string, env: Environment = {}): ThunderConfig {
  return configFromTomlString(toml, { env, cwd, sourcePath: configPath });
}

/** The ConfigError thrown by `action`; fails the test if there is none. */
function errorOf(action: () => unknown): ConfigError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const configError = error as ConfigError;
    expect(configError.message).not.toContain('\n');
    expect(configError.message.startsWith('config error: ')).toBe(true);
    return configError;
  }
  throw new Error('expected a ConfigError, but the configuration was accepted');
}

function expectLoadError(toml: string, ...parts: readonly string[]): ConfigError {
  const error = errorOf(() => load(toml));
  for (const part of parts) expect(error.message).toContain(part);
  return error;
}

/** A real PostgreSQL-style SCRAM-SHA-256 verifier (fixed salt: deterministic). */
function scramVerifier(password: string): string {
  const salt = Buffer.from('0123456789abcdef');
  const iterations = 4096;
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const storedKey = createHash('sha256').update(createHmac('sha256', salted).update('Client Key').digest()).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:`
    + serverKey.toString('base64');
}

const expectedDefaults: ThunderConfig = {
  node: { nodeId: 1 },
  network: {
    listenAddr: '127.0.0.1', pgPort: 5432, mysqlPort: 3306, respPort: 6379, httpPort: 8088, grpcPort: 9090,
    maxConnections: 1000,
  },
  storage: {
    dataDir: '/srv/thunder/data', walDir: '/srv/thunder/wal', bufferPoolSizeBytes: 1024 ** 3,
    walBufferSizeBytes: 64 * 1024 ** 2, pageSizeBytes: 16 * 1024, checkpointIntervalMs: 60_000,
    compactionThreads: 2, parallelScanThreads: 0, directIo: false, compression: true, compressionAlgorithm: 'lz4', coldCompressionAlgorithm: 'zstd',
    maxWalSizeBytes: 2 * 1024 ** 3, syncCommit: true, walSegmentSizeBytes: 64 * 1024 ** 2,
  },
  cluster: {
    clusterName: 'thunderdb', peers: [], raftElectionTimeoutMs: 1000, raftHeartbeatIntervalMs: 100,
    replicationFactor: 1, maxRegionSizeBytes: 256 * 1024 ** 2, minRegionSizeBytes: 64 * 1024 ** 2,
    autoBalance: true,
  },
  security: {
    authenticationEnabled: false, tlsEnabled: false, tlsCertPath: '', tlsKeyPath: '', superuser: 'admin',
    superuserPassword: '', superuserPasswordHash: '',
  },
  logging: { level: 'info', format: 'text', slowQueryEnabled: true, slowQueryThresholdMs: 1000 },
  sourcePath: undefined,
};

describe('defaults', () => {
  it('are the documented values, with paths resolved against cwd', () => {
    expect(configFromTomlString('', { env: {}, cwd })).toEqual(expectedDefaults);
    expect(loadConfig({ env: {}, cwd })).toEqual(expectedDefaults);
  });

  it('record the file they came from', () => {
    expect(load('').sourcePath).toBe(configPath);
  });

  it('give a deeply frozen result', () => {
    const config = load('');
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.storage)).toBe(true);
    expect(Object.isFrozen(config.cluster.peers)).toBe(true);
  });
});

describe('values from the file', () => {
  it('parses every kind into typed fields with units', () => {
    const config = load(`
      [node]
      node_id = 7
      [network]
      listen_addr = "0.0.0.0"
      pg_port = 15432
      [storage]
      buffer_pool_size = "1.5GB"
      wal_buffer_size = 131072
      checkpoint_interval = "5m"
      direct_io = true
      compression_algorithm = "Zstd"
      [cluster]
      peers = ["10.0.0.2:9090", "db3.example.com:9090", "[fd00::4]:9090"]
      replication_factor = 3
      raft_heartbeat_interval = 50
      [logging]
      level = "DEBUG"
      slow_query_threshold = "250ms"
    `);
    expect(config.node.nodeId).toBe(7);
    expect(config.network.listenAddr).toBe('0.0.0.0');
    expect(config.network.pgPort).toBe(15432);
    expect(config.storage.bufferPoolSizeBytes).toBe(1.5 * 1024 ** 3);
    expect(config.storage.walBufferSizeBytes).toBe(131072);
    expect(config.storage.checkpointIntervalMs).toBe(300_000);
    expect(config.storage.directIo).toBe(true);
    expect(config.storage.compressionAlgorithm).toBe('zstd');
    expect(config.cluster.peers).toEqual(['10.0.0.2:9090', 'db3.example.com:9090', '[fd00::4]:9090']);
    expect(config.cluster.raftHeartbeatIntervalMs).toBe(50);
    expect(config.logging.level).toBe('debug');
    expect(config.logging.slowQueryThresholdMs).toBe(250);
  });

  it('makes the effective compression algorithm none when compression is off', () => {
    const config = load('[storage]\ncompression = false\ncompression_algorithm = "zstd"');
    expect(config.storage.compression).toBe(false);
    expect(config.storage.compressionAlgorithm).toBe('none');
    expect(config.storage.coldCompressionAlgorithm).toBe('none');
    expect(load('[storage]\ncompression_algorithm = "NONE"').storage.compressionAlgorithm).toBe('none');
  });

  it.each(['0.0.0.0', '::', '::1', '10.1.2.3', 'localhost', 'db1.example.com'])(
    'accepts listen_addr %s', (address) => {
      expect(load(`[network]\nlisten_addr = "${address}"`).network.listenAddr).toBe(address);
    });

  it('accepts a SCRAM-SHA-256 verifier and an empty hash', () => {
    const verifier = scramVerifier('s3cret');
    expect(load(`[security]\nsuperuser_password_hash = "${verifier}"`).security.superuserPasswordHash)
      .toBe(verifier);
    expect(load('[security]\nsuperuser_password_hash = ""').security.superuserPasswordHash).toBe('');
  });

  it('accepts TLS with both paths set', () => {
    const config = load('[security]\ntls_enabled = true\ntls_cert_path = "tls/cert.pem"\ntls_key_path = "/k.pem"');
    expect(config.security.tlsCertPath).toBe('/etc/thunderdb/tls/cert.pem');
    expect(config.security.tlsKeyPath).toBe('/k.pem');
  });

  it('ignores a leading byte order mark', () => {
    expect(load('\uFEFF[node]\nnode_id = 3').node.nodeId).toBe(3);
  });
});

describe('validation of single keys', () => {
  it.each([
    ['a bad size unit', '[storage]\nbuffer_pool_size = "2XB"',
      ['storage.buffer_pool_size = "2XB": expected a size such as "512MB" or "2GB" (units B, KB, MB, GB, TB)',
        '"XB" is not a size unit']],
    ['a negative size', '[storage]\nmax_wal_size = "-2GB"', ['storage.max_wal_size = "-2GB"', 'cannot be negative']],
    ['a fractional byte count', '[storage]\nbuffer_pool_size = "1.1MB"',
      ['storage.buffer_pool_size = "1.1MB"', 'not a whole number of bytes']],
    ['a size as a TOML float', '[storage]\nbuffer_pool_size = 1.5', ['storage.buffer_pool_size = 1.5', 'a size']],
    ['a bad duration unit', '[storage]\ncheckpoint_interval = "1d"',
      ['storage.checkpoint_interval = "1d": expected a duration such as', '"d" is not a duration unit']],
    ['a garbage duration', '[cluster]\nraft_election_timeout = "soon"', ['cluster.raft_election_timeout = "soon"']],
    ['a quoted integer', '[storage]\ncompaction_threads = "2"',
      ['storage.compaction_threads = "2": expected an integer from 1 to 64 (a TOML integer, without quotes)']],
    ['a float for an integer', '[storage]\ncompaction_threads = 2.0',
      ['storage.compaction_threads = 2.0: expected an integer from 1 to 64']],
    ['a quoted boolean', '[storage]\nsync_commit = "false"',
      ['storage.sync_commit = "false": expected true or false (a TOML boolean, without quotes)']],
    ['a number for a string', '[cluster]\ncluster_name = 5', ['cluster.cluster_name = 5: expected a name']],
    ['a string for a list', '[cluster]\npeers = "10.0.0.2:9090"',
      ['cluster.peers = "10.0.0.2:9090": expected a list of "host:port"', 'a TOML array of strings']],
    ['a table for a value', '[storage]\nbuffer_pool_size = { a = 1 }', ['storage.buffer_pool_size = a TOML table']],
    ['node_id 0', '[node]\nnode_id = 0', ['node.node_id = 0: expected an integer of at least 1']],
    ['compaction_threads 65', '[storage]\ncompaction_threads = 65',
      ['storage.compaction_threads = 65: expected an integer from 1 to 64']],
    ['compaction_threads 0', '[storage]\ncompaction_threads = 0', ['storage.compaction_threads = 0']],
    ['replication_factor 8', '[cluster]\nreplication_factor = 8',
      ['cluster.replication_factor = 8: expected an integer from 1 to 7']],
    ['max_connections 0', '[network]\nmax_connections = 0', ['network.max_connections = 0']],
    ['port 0', '[network]\npg_port = 0', ['network.pg_port = 0: expected a port from 1 to 65535']],
    ['port 65536', '[network]\nhttp_port = 65536', ['network.http_port = 65536: expected a port from 1 to 65535']],
    ['a negative port', '[network]\ngrpc_port = -1', ['network.grpc_port = -1']],
    ['a huge integer', '[node]\nnode_id = 9223372036854775807', ['node.node_id = 9223372036854775807']],
    ['wal_buffer_size below 64KB', '[storage]\nwal_buffer_size = "32KB"',
      ['storage.wal_buffer_size = "32KB": expected a size from 64KB to 1GB']],
    ['wal_segment_size below 1MB', '[storage]\nwal_segment_size = "512KB"',
      ['storage.wal_segment_size = "512KB": expected a size from 1MB to 1GB']],
    ['wal_segment_size above 1GB', '[storage]\nwal_segment_size = "2GB"',
      ['storage.wal_segment_size = "2GB": expected a size from 1MB to 1GB']],
    ['page_size not a power of two', '[storage]\npage_size = "24KB"',
      ['storage.page_size = "24KB": expected a power-of-two size from 4KB to 64KB']],
    ['election timeout below 10ms', '[cluster]\nraft_election_timeout = "5ms"',
      ['cluster.raft_election_timeout = "5ms": expected a duration from 10ms to 1m']],
    ['an unknown compression algorithm', '[storage]\ncompression_algorithm = "Snappy"',
      ['storage.compression_algorithm = "Snappy": expected one of lz4, zstd, none']],
    ['an unknown log level', '[logging]\nlevel = "warning"',
      ['logging.level = "warning": expected one of trace, debug, info, warn, error, fatal', 'did you mean "warn"?']],
    ['an unknown log format', '[logging]\nformat = "xml"', ['logging.format = "xml": expected one of json, text']],
    ['a bad listen_addr', '[network]\nlisten_addr = "999.1.1.1"',
      ['network.listen_addr = "999.1.1.1": expected an IP address or hostname']],
    ['a bracketed listen_addr', '[network]\nlisten_addr = "[::1]"', ['network.listen_addr = "[::1]"']],
    ['a listen_addr with a space', '[network]\nlisten_addr = "my host"', ['network.listen_addr = "my host"']],
    ['a peer without a port', '[cluster]\npeers = ["10.0.0.2"]',
      ['cluster.peers = ["10.0.0.2"]: expected a list of "host:port"', '"10.0.0.2" has no ":port"']],
    ['a peer with a bad port', '[cluster]\npeers = ["10.0.0.2:0"]',
      ['cluster.peers = ["10.0.0.2:0"]', 'the port must be from 1 to 65535']],
    ['a peer with a bad host', '[cluster]\npeers = ["bad_host:9090"]',
      ['cluster.peers = ["bad_host:9090"]', '"bad_host" is not an IP address or hostname']],
    ['an unbracketed IPv6 peer', '[cluster]\npeers = ["fd00::2:9090"]', ['an IPv6 address needs brackets']],
    ['a duplicate peer', '[cluster]\npeers = ["a.example:1", "a.example:1"]',
      ['cluster.peers = ["a.example:1", "a.example:1"]', '"a.example:1" is listed twice']],
    ['a non-string peer', '[cluster]\npeers = [9090]', ['cluster.peers = [9090]', 'entry 1 is not a string']],
    ['an empty peer', '[cluster]\npeers = [""]', ['cluster.peers = [""]', 'entry 1 is empty']],
    ['a bad cluster name', '[cluster]\ncluster_name = "my cluster"', ['cluster.cluster_name = "my cluster"']],
    ['an empty cluster name', '[cluster]\ncluster_name = ""', ['cluster.cluster_name = ""']],
    ['a bad superuser name', '[security]\nsuperuser = "Admin"',
      ['security.superuser = "Admin": expected a role name']],
    ['an empty data_dir', '[storage]\ndata_dir = ""', ['storage.data_dir = "": expected a non-empty path']],
    ['a ~ path', '[storage]\nwal_dir = "~/wal"', ['storage.wal_dir = "~/wal"', '"~" is not expanded']],
  ] as const)('rejects %s', (_name, toml, parts) => {
    expectLoadError(toml, ...parts);
  });

  it('carries the key and the file on the error', () => {
    const error = expectLoadError('[storage]\nbuffer_pool_size = "2XB"');
    expect(error.key).toBe('storage.buffer_pool_size');
    expect(error.filePath).toBe(configPath);
    expect(error.envVar).toBeUndefined();
  });

  it.each([
    ['a wrong prefix', 'md5abcdef', 'does not have the shape'],
    ['a bad iteration count', 'SCRAM-SHA-256$0:c2FsdA==$AAAA:AAAA', 'iteration count'],
    ['a bad salt', 'SCRAM-SHA-256$4096:not*base64$AAAA:AAAA', 'salt is not base64'],
    ['a short StoredKey', 'SCRAM-SHA-256$4096:c2FsdA==$AAAA:AAAA', 'StoredKey is not 32 bytes'],
  ] as const)('rejects a password hash with %s, without echoing it', (_name, hash, reason) => {
    const error = expectLoadError(`[security]\nsuperuser_password_hash = "${hash}"`,
      'security.superuser_password_hash = <redacted', 'expected empty, or a SCRAM-SHA-256 verifier', reason);
    expect(error.message).not.toContain(hash);
  });

  it('rejects a corrupted ServerKey', () => {
    const verifier = scramVerifier('pw').replace(/:[^:]+$/, ':AAAA');
    expectLoadError(`[security]\nsuperuser_password_hash = "${verifier}"`, 'ServerKey is not 32 bytes');
  });
});

describe('validation across keys', () => {
  it('rejects two listeners on one port, naming both keys', () => {
    expectLoadError('[network]\nhttp_port = 5432',
      'network.http_port = 5432: expected a port of its own, not the same as network.pg_port');
    expectLoadError('[network]\nresp_port = 9090\ngrpc_port = 9090', 'network.grpc_port = 9090', 'network.resp_port');
  });

  it('requires the heartbeat below the election timeout, naming both values', () => {
    expectLoadError('[cluster]\nraft_election_timeout = "100ms"\nraft_heartbeat_interval = "200ms"',
      'cluster.raft_heartbeat_interval = "200ms": expected less than cluster.raft_election_timeout = "100ms"');
    expectLoadError('[cluster]\nraft_heartbeat_interval = "1s"',
      'cluster.raft_heartbeat_interval = "1s": expected less than cluster.raft_election_timeout = "1s"');
  });

  it('requires min_region_size <= max_region_size', () => {
    expectLoadError('[cluster]\nmin_region_size = "512MB"',
      'cluster.min_region_size = "512MB": expected at most cluster.max_region_size = "256MB"');
    expect(load('[cluster]\nmin_region_size = "256MB"').cluster.minRegionSizeBytes).toBe(256 * 1024 ** 2);
  });

  it('limits replication_factor to 1 + the number of peers', () => {
    expectLoadError('[cluster]\nreplication_factor = 3\npeers = ["10.0.0.2:9090"]',
      'cluster.replication_factor = 3: expected at most 1 + the number of cluster.peers (1 + 1 = 2)');
    expectLoadError('[cluster]\nreplication_factor = 2', 'cluster.replication_factor = 2', '(1 + 0 = 1)');
    expect(load('[cluster]\nreplication_factor = 2\npeers = ["10.0.0.2:9090"]').cluster.replicationFactor).toBe(2);
  });

  it('requires max_wal_size to hold at least one segment', () => {
    expectLoadError('[storage]\nmax_wal_size = "32MB"',
      'storage.max_wal_size = "32MB": expected at least storage.wal_segment_size = "64MB"');
  });

  it('requires both TLS paths when TLS is on', () => {
    expectLoadError('[security]\ntls_enabled = true\ntls_key_path = "k.pem"',
      'security.tls_enabled = true: expected security.tls_cert_path to be set');
    expectLoadError('[security]\ntls_enabled = true\ntls_cert_path = "c.pem"',
      'security.tls_enabled = true: expected security.tls_key_path to be set');
  });

  it('refuses both a password and a hash, without echoing either', () => {
    const error = expectLoadError(
      `[security]\nsuperuser_password = "hunter2"\nsuperuser_password_hash = "${scramVerifier('x')}"`,
      'security.superuser_password_hash = <redacted', 'security.superuser_password to be empty');
    expect(error.message).not.toContain('hunter2');
    expect(error.key).toBe('security.superuser_password_hash');
  });
});

describe('unknown names', () => {
  it('rejects an unknown section, suggesting the closest', () => {
    expectLoadError('[stroage]\ndata_dir = "x"', '[stroage] is not a configuration section (did you mean [storage]?)');
    expectLoadError('[metrics]\nport = 1', '[metrics] is not a configuration section; the sections are [node]');
  });

  it('rejects an unknown key, suggesting the closest', () => {
    const error = expectLoadError('[storage]\nsync_comit = true',
      'storage.sync_comit = true: is not a configuration key (did you mean storage.sync_commit?)');
    expect(error.key).toBe('storage.sync_comit');
    const far = expectLoadError('[storage]\nflux_capacitor = 1', 'storage.flux_capacitor = 1: is not a configuration key');
    expect(far.message).not.toContain('did you mean');
  });

  it('names the right section for a key in the wrong one', () => {
    expectLoadError('[storage]\npeers = []', 'storage.peers = []: is not a configuration key; peers belongs in [cluster]');
  });

  it('places a key written above every section', () => {
    expectLoadError('node_id = 5', 'node_id = 5: is outside any section; put it under [node]');
    expectLoadError('frobnicate = 5', 'frobnicate = 5: is outside any section; keys belong in a section');
  });

  it('rejects a section written as a value', () => {
    expectLoadError('storage = 5', 'storage = 5: expected a section [storage]');
    expectLoadError('[[storage]]\ndata_dir = "x"', 'storage = [a TOML table]: expected a section [storage]');
  });

  it('does not echo the value of a misspelt password key', () => {
    const error = expectLoadError('[security]\nsuperuser_pasword = "hunter2"',
      'security.superuser_pasword = <redacted, 7 characters>', 'did you mean security.superuser_password?');
    expect(error.message).not.toContain('hunter2');
  });
});

describe('reading the file', () => {
  it('reports a TOML syntax error as file:line:column', () => {
    const error = expectLoadError('[node]\nnode_id = \n', `${configPath}:2:11: invalid TOML: `);
    expect(error.filePath).toBe(configPath);
    expectLoadError('[storage\nsync_commit = true', `${configPath}:1:`);
    const fromString = errorOf(() => configFromTomlString('x = = 1', { env: {} }));
    expect(fromString.message).toMatch(/^config error: <config text>:1:\d+: invalid TOML: /);
  });

  it('names a missing file and the OS error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'thunderdb-config-'));
    const error = errorOf(() => loadConfig({ path: 'nope.toml', cwd: dir, env: {} }));
    expect(error.message).toBe(`config error: cannot read config file ${join(dir, 'nope.toml')}: `
      + 'ENOENT: no such file or directory');
    expect(error.filePath).toBe(join(dir, 'nope.toml'));
  });

  it('names a directory given as the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'thunderdb-config-'));
    const error = errorOf(() => loadConfig({ path: dir, env: {} }));
    expect(error.message).toContain(`cannot read config file ${dir}: EISDIR`);
  });

  it('resolves the file against cwd and relative paths in it against its directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'thunderdb-config-'));
    mkdirSync(join(dir, 'etc'));
    writeFileSync(join(dir, 'etc', 'db.toml'), '[storage]\ndata_dir = "data"\nwal_dir = "../wal"\n');
    const config = loadConfig({ path: 'etc/db.toml', cwd: dir, env: {} });
    expect(config.sourcePath).toBe(join(dir, 'etc', 'db.toml'));
    expect(config.storage.dataDir).toBe(join(dir, 'etc', 'data'));
    expect(config.storage.walDir).toBe(join(dir, 'wal'));
  });
});

describe('relative paths', () => {
  it('resolve against the config file directory when written in the file', () => {
    const config = load('[storage]\ndata_dir = "./d"\nwal_dir = "w"\n[security]\ntls_cert_path = "c.pem"');
    expect(config.storage.dataDir).toBe('/etc/thunderdb/d');
    expect(config.storage.walDir).toBe('/etc/thunderdb/w');
    expect(config.security.tlsCertPath).toBe('/etc/thunderdb/c.pem');
  });

  it('resolve against cwd when they come from defaults or the environment', () => {
    const config = load('', { THUNDERDB_WAL_DIR: 'wal2', THUNDERDB_SECURITY_TLS_KEY_PATH: 'k.pem' });
    expect(config.storage.dataDir).toBe('/srv/thunder/data');
    expect(config.storage.walDir).toBe('/srv/thunder/wal2');
    expect(config.security.tlsKeyPath).toBe('/srv/thunder/k.pem');
  });

  it('resolve against cwd for text with no file', () => {
    expect(configFromTomlString('[storage]\ndata_dir = "d"', { env: {}, cwd }).storage.dataDir).toBe('/srv/thunder/d');
  });

  it('stay as written when absolute, normalised', () => {
    expect(load('[storage]\ndata_dir = "/var/lib/thunderdb/./data/"').storage.dataDir).toBe('/var/lib/thunderdb/data');
  });
});
