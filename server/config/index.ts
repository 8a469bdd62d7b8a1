// The configuration component's public interface. Other components import
// only from here (ARCHITECTURE.md: a component exposes a small typed interface).

export type {
  ClusterConfig, CompressionAlgorithm, LogFormat, LoggingConfig, LogLevel, NetworkConfig, NodeConfig,
  SecurityConfig, StorageConfig, ThunderConfig,
} from './types.js';
export { ConfigError } from './errors.js';
export type { ConfigErrorContext } from './errors.js';
export { configFromTomlString, loadConfig } from './load.js';
export type { ConfigFromTomlOptions, Environment, LoadConfigOptions } from './load.js';
export { diffReloadable, effectiveSettings } from './reload.js';
export type { ConfigChange, EffectiveSetting, ReloadDiff } from './reload.js';
export { reservedEnvVars } from './schema.js';
export {
  formatDuration, formatSize, parseDuration, parseSize, tryParseDuration, tryParseSize, UnitError,
} from './units.js';
export type { UnitParseResult } from './units.js';
