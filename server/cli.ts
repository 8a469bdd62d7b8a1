// Command-line parsing for bin/thunderdb. Pure: argv in, a decision out.

export type CliCommand =
  | { readonly kind: 'run'; readonly configPath: string | undefined }
  | { readonly kind: 'check-config'; readonly configPath: string | undefined }
  | { readonly kind: 'version' }
  | { readonly kind: 'help' }
  | { readonly kind: 'usage-error'; readonly message: string };

export const usageText = `Usage: thunderdb [options]

ThunderDB: a distributed HTAP database. With no options it starts a single
node with every port on localhost, data in ./data and the WAL in ./wal.

Options:
  -c, --config FILE    read configuration from FILE (TOML; see docs/configuration.md)
                       (default: $THUNDERDB_CONFIG, else built-in defaults)
      --check-config   validate the configuration, print the effective values and exit
  -V, --version        print the version and exit
  -h, --help           print this help and exit

Environment:
  THUNDERDB_<SECTION>_<KEY>  overrides any configuration key, e.g. THUNDERDB_STORAGE_SYNC_COMMIT=false
  THUNDERDB_LOG_LEVEL, THUNDERDB_DATA_DIR, THUNDERDB_WAL_DIR, THUNDERDB_NODE_ID,
  THUNDERDB_CLUSTER_PEERS, THUNDERDB_SUPERUSER_PASSWORD_HASH  shorthand overrides

Signals:
  SIGTERM, SIGINT   stop accepting work, finish what is in flight, fsync, exit 0
  SIGHUP            reload log level, slow-query settings and connection limits

Admin API (http_port, default 8088): /admin/live /admin/ready /admin/health
  /admin/metrics /admin/cluster/members /admin/cluster/raft /admin/cluster/regions
`;

export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv): CliCommand {
  let configPath: string | undefined = env['THUNDERDB_CONFIG'] || undefined;
  let checkOnly = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '-h' || arg === '--help') return { kind: 'help' };
    if (arg === '-V' || arg === '--version') return { kind: 'version' };
    if (arg === '--check-config') {
      checkOnly = true;
    } else if (arg === '-c' || arg === '--config') {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('-')) {
        return { kind: 'usage-error', message: `${arg} needs a file path, e.g. ${arg} config/thunderdb.toml` };
      }
      configPath = value;
      i++;
    } else if (arg.startsWith('--config=')) {
      configPath = arg.slice('--config='.length);
    } else {
      return { kind: 'usage-error', message: `unknown option "${arg}"; run thunderdb --help for the options` };
    }
  }
  return checkOnly ? { kind: 'check-config', configPath } : { kind: 'run', configPath };
}
