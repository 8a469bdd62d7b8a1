import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import type { Environment } from './load.js';
import { configFromTomlString } from './load.js';
import type { KeySpec } from './schema.js';
import { allKeys, generalEnvName } from './schema.js';
import type { ThunderConfig } from './types.js';

const cwd = '/srv/thunder';
const configPath = '/etc/thunderdb/thunderdb.toml';

function load(env: Environment, toml = ''): ThunderConfig {
  return configFromTomlString(toml, { env, cwd, sourcePath: configPath });
}

/** A default as an operator would write it in an environment variable. */
function envTextOfDefault(spec: KeySpec): string {
  const value = spec.default;
  return typeof value === 'object' ? value.join(',') : String(value);
}

function errorOf(env: Environment, toml = ''): ConfigError {
  try {
    load(env, toml);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).not.toContain('\n');
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError, but the configuration was accepted');
}

describe('the general rule THUNDERDB_<SECTION>_<KEY>', () => {
  it('overrides keys of every kind', () => {
    const config = load({
      THUNDERDB_STORAGE_SYNC_COMMIT: 'false',
      THUNDERDB_NETWORK_PG_PORT: '15432',
      THUNDERDB_NETWORK_LISTEN_ADDR: '0.0.0.0',
      THUNDERDB_STORAGE_BUFFER_POOL_SIZE: '4GB',
      THUNDERDB_STORAGE_WAL_BUFFER_SIZE: '1048576',
      THUNDERDB_CLUSTER_RAFT_ELECTION_TIMEOUT: '2s',
      THUNDERDB_CLUSTER_RAFT_HEARTBEAT_INTERVAL: '250',
      THUNDERDB_STORAGE_COMPRESSION_ALGORITHM: 'ZSTD',
      THUNDERDB_LOGGING_FORMAT: ' json ',
      THUNDERDB_SECURITY_SUPERUSER_PASSWORD: ' pass word ',
    });
    expect(config.storage.syncCommit).toBe(false);
    expect(config.network.pgPort).toBe(15432);
    expect(config.network.listenAddr).toBe('0.0.0.0');
    expect(config.storage.bufferPoolSizeBytes).toBe(4 * 1024 ** 3);
    expect(config.storage.walBufferSizeBytes).toBe(1024 ** 2);
    expect(config.cluster.raftElectionTimeoutMs).toBe(2000);
    expect(config.cluster.raftHeartbeatIntervalMs).toBe(250);
    expect(config.storage.compressionAlgorithm).toBe('zstd');
    expect(config.logging.format).toBe('json');
    // Strings are verbatim: a password may begin or end with a space.
    expect(config.security.superuserPassword).toBe(' pass word ');
  });

  it.each([
    ['true', true], ['TRUE', true], ['1', true], ['on', true], ['Yes', true],
    ['false', false], ['0', false], ['off', false], ['NO', false], [' false ', false],
  ] as const)('reads the boolean %j', (text, value) => {
    expect(load({ THUNDERDB_STORAGE_DIRECT_IO: text }).storage.directIo).toBe(value);
  });

  it('works for every key in the schema', () => {
    // Setting every general variable to the default's text gives the defaults.
    const env: Record<string, string> = {};
    for (const spec of allKeys) env[generalEnvName(spec)] = envTextOfDefault(spec);
    expect(load(env)).toEqual(load({}));
  });
});

describe('aliases', () => {
  it('THUNDERDB_LOG_LEVEL sets logging.level', () => {
    expect(load({ THUNDERDB_LOG_LEVEL: 'debug' }).logging.level).toBe('debug');
  });

  it('THUNDERDB_DATA_DIR and THUNDERDB_WAL_DIR set the directories', () => {
    const config = load({ THUNDERDB_DATA_DIR: '/data', THUNDERDB_WAL_DIR: '/fast/wal' });
    expect(config.storage.dataDir).toBe('/data');
    expect(config.storage.walDir).toBe('/fast/wal');
  });

  it('THUNDERDB_NODE_ID sets node.node_id', () => {
    expect(load({ THUNDERDB_NODE_ID: '3' }).node.nodeId).toBe(3);
  });

  it('THUNDERDB_CLUSTER_PEERS is a comma-separated list, trimmed', () => {
    const config = load({ THUNDERDB_CLUSTER_PEERS: ' 10.0.0.2:9090 ,db3.example.com:9090,[fd00::4]:9090 ' });
    expect(config.cluster.peers).toEqual(['10.0.0.2:9090', 'db3.example.com:9090', '[fd00::4]:9090']);
  });

  it('an empty THUNDERDB_CLUSTER_PEERS means no peers, even over the file', () => {
    const toml = '[cluster]\npeers = ["10.0.0.2:9090"]';
    expect(load({}, toml).cluster.peers).toEqual(['10.0.0.2:9090']);
    expect(load({ THUNDERDB_CLUSTER_PEERS: '' }, toml).cluster.peers).toEqual([]);
    expect(load({ THUNDERDB_CLUSTER_PEERS: '  ' }, toml).cluster.peers).toEqual([]);
  });

  it('THUNDERDB_SUPERUSER_PASSWORD_HASH sets the hash and is validated without being echoed', () => {
    const hash = `SCRAM-SHA-256$4096:c2FsdA==$${'A'.repeat(43)}=:${'B'.repeat(43)}=`;
    expect(load({ THUNDERDB_SUPERUSER_PASSWORD_HASH: hash }).security.superuserPasswordHash).toBe(hash);
    const error = errorOf({ THUNDERDB_SUPERUSER_PASSWORD_HASH: 'plaintext-oops' });
    expect(error.message).toContain('environment variable THUNDERDB_SUPERUSER_PASSWORD_HASH=<redacted, 14 characters>');
    expect(error.message).toContain('(sets security.superuser_password_hash)');
    expect(error.message).not.toContain('plaintext-oops');
  });

  it('may be set together with the general name when both agree, not when they differ', () => {
    expect(load({ THUNDERDB_LOG_LEVEL: 'warn', THUNDERDB_LOGGING_LEVEL: 'warn' }).logging.level).toBe('warn');
    const error = errorOf({ THUNDERDB_LOG_LEVEL: 'debug', THUNDERDB_LOGGING_LEVEL: 'info' });
    expect(error.message).toBe('config error: environment variables THUNDERDB_LOGGING_LEVEL="info" and '
      + 'THUNDERDB_LOG_LEVEL="debug" both set logging.level: expected only one of them, or the same value in both');
    expect(error.key).toBe('logging.level');
  });
});

describe('bad environment values', () => {
  it.each([
    ['THUNDERDB_STORAGE_SYNC_COMMIT', 'maybe', 'storage.sync_commit', 'expected true or false (true/false, 1/0'],
    ['THUNDERDB_NETWORK_PG_PORT', '5432x', 'network.pg_port', 'expected a port from 1 to 65535'],
    ['THUNDERDB_NETWORK_PG_PORT', '70000', 'network.pg_port', 'expected a port from 1 to 65535'],
    ['THUNDERDB_NODE_ID', '0', 'node.node_id', 'expected an integer of at least 1'],
    ['THUNDERDB_NODE_ID', '', 'node.node_id', 'expected an integer of at least 1'],
    ['THUNDERDB_STORAGE_BUFFER_POOL_SIZE', '2XB', 'storage.buffer_pool_size', '"XB" is not a size unit'],
    ['THUNDERDB_LOG_LEVEL', 'loud', 'logging.level', 'expected one of trace, debug'],
    ['THUNDERDB_CLUSTER_PEERS', 'a.example:1,,b.example:2', 'cluster.peers', 'entry 2 is empty'],
    ['THUNDERDB_CLUSTER_PEERS', '10.0.0.2', 'cluster.peers', '"10.0.0.2" has no ":port"'],
    ['THUNDERDB_DATA_DIR', '', 'storage.data_dir', 'expected a non-empty path'],
  ] as const)('%s=%j names the variable, the value and the key', (variable, text, key, expectation) => {
    const error = errorOf({ [variable]: text });
    expect(error.message).toContain(`environment variable ${variable}=${JSON.stringify(text)} (sets ${key}): `);
    expect(error.message).toContain(expectation);
    expect(error.envVar).toBe(variable);
    expect(error.key).toBe(key);
  });
});

describe('unknown environment variables', () => {
  it('are an error naming the variable, with a suggestion for a typo', () => {
    const error = errorOf({ THUNDERDB_STORAGE_SYNC_COMIT: 'false' });
    expect(error.message).toBe('config error: environment variable THUNDERDB_STORAGE_SYNC_COMIT matches no '
      + 'configuration key (did you mean THUNDERDB_STORAGE_SYNC_COMMIT? see docs/configuration.md)');
    expect(error.envVar).toBe('THUNDERDB_STORAGE_SYNC_COMIT');
  });

  it('are an error without a suggestion when nothing is close', () => {
    const error = errorOf({ THUNDERDB_WHATEVER_ELSE_ENTIRELY: '1' });
    expect(error.message).toBe('config error: environment variable THUNDERDB_WHATEVER_ELSE_ENTIRELY matches no '
      + 'configuration key (see docs/configuration.md)');
  });

  it('exclude THUNDERDB_CONFIG and variables without the prefix', () => {
    const config = load({ THUNDERDB_CONFIG: '/elsewhere.toml', PATH: '/bin', thunderdb_node_id: 'x', HOME: '/' });
    expect(config).toEqual(load({}));
  });

  it('report the first unknown variable in name order, every run', () => {
    const error = errorOf({ THUNDERDB_ZZZ: '1', THUNDERDB_AAA: '1' });
    expect(error.envVar).toBe('THUNDERDB_AAA');
  });
});

describe('precedence: defaults < file < environment', () => {
  const toml = '[network]\npg_port = 6000\nmysql_port = 6001';

  it('takes each key from the highest layer that sets it', () => {
    const config = load({ THUNDERDB_NETWORK_PG_PORT: '7000' }, toml);
    expect(config.network.pgPort).toBe(7000);
    expect(config.network.mysqlPort).toBe(6001);
    expect(config.network.respPort).toBe(6379);
  });

  it('still validates a file value that the environment overrides', () => {
    const error = errorOf({ THUNDERDB_NETWORK_PG_PORT: '7000' }, '[network]\npg_port = "oops"');
    expect(error.message).toContain('network.pg_port = "oops"');
  });

  it('checks rules across keys on the merged result', () => {
    // The file alone is fine; the environment makes two ports equal.
    const error = errorOf({ THUNDERDB_NETWORK_HTTP_PORT: '6000' }, toml);
    expect(error.message).toContain('network.http_port = 6000: expected a port of its own, not the same as '
      + 'network.pg_port');
    // And an override can repair what the file alone would break.
    const repaired = load({ THUNDERDB_CLUSTER_RAFT_ELECTION_TIMEOUT: '5s' },
      '[cluster]\nraft_heartbeat_interval = "2s"');
    expect(repaired.cluster.raftHeartbeatIntervalMs).toBe(2000);
  });
});

