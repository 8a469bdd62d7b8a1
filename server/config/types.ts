// The validated, typed configuration every component receives. Field names
// carry their units (STYLE.md): TOML says `checkpoint_interval = "60s"`, code
// reads `storage.checkpointIntervalMs`. Produced only by `loadConfig`.

export type CompressionAlgorithm = 'none' | 'lz4' | 'zstd';
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
export type LogFormat = 'json' | 'text';

export interface NodeConfig {
  /** This node's Raft id, a positive integer unique in the cluster. */
  readonly nodeId: number;
}

export interface NetworkConfig {
  readonly listenAddr: string;
  readonly pgPort: number;
  readonly mysqlPort: number;
  readonly respPort: number;
  readonly httpPort: number;
  readonly grpcPort: number;
  /** Client connections accepted at once, over all protocols. Reloadable. */
  readonly maxConnections: number;
}

export interface StorageConfig {
  /** Absolute path (resolved against the config file's directory or cwd). */
  readonly dataDir: string;
  readonly walDir: string;
  readonly bufferPoolSizeBytes: number;
  readonly walBufferSizeBytes: number;
  readonly pageSizeBytes: number;
  readonly checkpointIntervalMs: number;
  readonly compactionThreads: number;
  /** Worker threads for fused column scans; 0: os.availableParallelism(). */
  readonly parallelScanThreads: number;
  readonly directIo: boolean;
  readonly compression: boolean;
  /** Effective algorithm: 'none' when `compression = false`. */
  readonly compressionAlgorithm: CompressionAlgorithm;
  /** Column-store segments compaction rewrote (cold data); 'none' when `compression` is false. */
  readonly coldCompressionAlgorithm: CompressionAlgorithm;
  readonly maxWalSizeBytes: number;
  readonly syncCommit: boolean;
  /** WAL segment file size before rolling to a new one. */
  readonly walSegmentSizeBytes: number;
}

export interface ClusterConfig {
  readonly clusterName: string;
  /** gRPC addresses ("host:port") of the other nodes. Empty: single node. */
  readonly peers: readonly string[];
  readonly raftElectionTimeoutMs: number;
  readonly raftHeartbeatIntervalMs: number;
  readonly replicationFactor: number;
  readonly maxRegionSizeBytes: number;
  readonly minRegionSizeBytes: number;
  readonly autoBalance: boolean;
}

export interface SecurityConfig {
  readonly authenticationEnabled: boolean;
  readonly tlsEnabled: boolean;
  readonly tlsCertPath: string;
  readonly tlsKeyPath: string;
  readonly superuser: string;
  /** Plain-text password from the config file; empty when unset. */
  readonly superuserPassword: string;
  /** A SCRAM-SHA-256 verifier (PostgreSQL's format); empty when unset. */
  readonly superuserPasswordHash: string;
}

export interface LoggingConfig {
  readonly level: LogLevel;
  readonly format: LogFormat;
  readonly slowQueryEnabled: boolean;
  readonly slowQueryThresholdMs: number;
}

export interface ThunderConfig {
  readonly node: NodeConfig;
  readonly network: NetworkConfig;
  readonly storage: StorageConfig;
  readonly cluster: ClusterConfig;
  readonly security: SecurityConfig;
  readonly logging: LoggingConfig;
  /** The file it was read from, or undefined for built-in defaults. */
  readonly sourcePath: string | undefined;
}
