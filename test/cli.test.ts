// The command line as an operator meets it: --version, --help, and
// configuration mistakes that must exit non-zero with one line naming the key.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir, runThunderdb } from './helpers/server.js';

const dir = makeTempDir('thunderdb-cli-');
afterAll(() => removeDir(dir));

function configFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('thunderdb command line', () => {
  it('prints its version with the node version and build date', async () => {
    const { code, stdout } = await runThunderdb(['--version']);
    expect(code).toBe(0);
    expect(stdout.trim()).toMatch(/^ThunderDB 0\.1\.0 \(node v20\.\d+\.\d+, built \d{4}-\d{2}-\d{2}\)$/);
  });

  it('lists its options with --help', async () => {
    const { code, stdout } = await runThunderdb(['--help']);
    expect(code).toBe(0);
    for (const option of ['--config', '--version', '--help', '--check-config', 'SIGHUP']) expect(stdout).toContain(option);
  });

  it('rejects an unknown option without starting', async () => {
    const { code, stderr } = await runThunderdb(['--frobnicate']);
    expect(code).toBe(2);
    expect(stderr).toContain('--frobnicate');
  });

  it('validates the shipped default config', async () => {
    const { code, stdout } = await runThunderdb(['--config', 'config/thunderdb.toml', '--check-config']);
    expect(code).toBe(0);
    expect(stdout).toContain('configuration OK');
  });

  const badConfigs: ReadonlyArray<readonly [string, string, RegExp]> = [
    ['bad unit', '[storage]\nbuffer_pool_size = "2XB"\n', /storage\.buffer_pool_size.*2XB/],
    ['bad duration', '[cluster]\nraft_election_timeout = "soon"\n', /cluster\.raft_election_timeout.*soon/],
    ['unknown key', '[storage]\nsync_comit = true\n', /storage\.sync_comit/],
    ['unknown section', '[stroage]\ndata_dir = "x"\n', /stroage/],
    ['wrong type', '[network]\npg_port = "five"\n', /network\.pg_port.*five/],
    ['port out of range', '[network]\nhttp_port = 70000\n', /network\.http_port.*70000/],
    ['bad enum', '[storage]\ncompression_algorithm = "Snappy"\n', /storage\.compression_algorithm.*Snappy/],
    ['heartbeat not below election timeout', '[cluster]\nraft_election_timeout = "100ms"\nraft_heartbeat_interval = "200ms"\n', /raft_heartbeat_interval/],
    ['TOML syntax error', '[storage\nsync_commit = true\n', /thunderdb-cli-.*syntax|line/i],
  ];
  for (const [name, text, pattern] of badConfigs) {
    it(`exits non-zero with one line naming the key: ${name}`, async () => {
      const path = configFile(`${name.replace(/\W+/g, '-')}.toml`, text);
      const { code, stderr, stdout } = await runThunderdb(['--config', path]);
      expect(code).not.toBe(0);
      expect(stderr).toMatch(pattern);
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stdout).toBe('');
    });
  }

  it('names a missing config file', async () => {
    const { code, stderr } = await runThunderdb(['--config', join(dir, 'nope.toml')]);
    expect(code).not.toBe(0);
    expect(stderr).toContain('nope.toml');
  });

  it('rejects a bad environment override naming the variable', async () => {
    const { code, stderr } = await runThunderdb(['--check-config'], { THUNDERDB_STORAGE_SYNC_COMMIT: 'maybe' });
    expect(code).not.toBe(0);
    expect(stderr).toContain('THUNDERDB_STORAGE_SYNC_COMMIT');
    expect(stderr).toContain('maybe');
  });

  it('rejects an environment variable that matches no key', async () => {
    const { code, stderr } = await runThunderdb(['--check-config'], { THUNDERDB_STORAGE_SYNC_COMIT: 'true' });
    expect(code).not.toBe(0);
    expect(stderr).toContain('THUNDERDB_STORAGE_SYNC_COMIT');
  });

  it('applies environment overrides over the file', async () => {
    const { code, stdout } = await runThunderdb(['--config', 'config/thunderdb.toml', '--check-config'], {
      THUNDERDB_NETWORK_PG_PORT: '15432',
      THUNDERDB_LOG_LEVEL: 'debug',
    });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^network\.pg_port = 15432$/m);
    expect(stdout).toMatch(/^logging\.level = "?debug"?/m);
  });

  it('never prints the superuser password', async () => {
    const path = configFile('secret.toml', '[security]\nsuperuser_password = "hunter2-secret"\n');
    const { code, stdout } = await runThunderdb(['--config', path, '--check-config']);
    expect(code).toBe(0);
    expect(stdout).toContain('security.superuser_password');
    expect(stdout).not.toContain('hunter2-secret');
  });
});
