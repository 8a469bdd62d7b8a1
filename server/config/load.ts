// Building the typed configuration from three layers, lowest first:
// built-in defaults (the schema), the TOML file, THUNDERDB_* environment
// variables. Every key in the file and the environment is checked even when
// a higher layer overrides it, so a mistake never hides until the override
// is removed. The first problem found is thrown as a one-line ConfigError.

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { TomlTable } from 'smol-toml';
import { parse, TomlError } from 'smol-toml';
import { checkCrossKeyRules } from './cross-checks.js';
import type { ValueOrigin } from './errors.js';
import { ConfigError, redacted, renderRaw } from './errors.js';
import type { ConfigValue, KeySpec, SectionName } from './schema.js';
import {
  allKeys, configSections, envPrefix, keysByEnvName, keysOfSection, qualifiedName, reservedEnvVars,
} from './schema.js';
import { closestMatch, didYouMean } from './suggest.js';
import type { ThunderConfig } from './types.js';
import { coerceValue, rawFromDefault, rawFromEnvText } from './values.js';

/** Environment variables, as in `process.env`. */
export type Environment = Readonly<Record<string, string | undefined>>;

export interface LoadConfigOptions {
  /** The TOML file, relative to `cwd`. Undefined: defaults and environment only. */
  readonly path?: string;
  /** Defaults to `process.env`. `THUNDERDB_CONFIG` in it is ignored (the CLI reads it). */
  readonly env?: Environment;
  /** Base of relative paths from defaults and environment; defaults to `process.cwd()`. */
  readonly cwd?: string;
}

export interface ConfigFromTomlOptions {
  readonly env?: Environment;
  readonly cwd?: string;
  /**
   * The file the text came from: named in syntax errors and recorded as
   * `sourcePath`; relative paths in the text resolve against its directory.
   * Undefined: they resolve against `cwd`.
   */
  readonly sourcePath?: string;
}

/** Reads, parses and validates the configuration. Throws ConfigError. */
export function loadConfig(options: LoadConfigOptions = {}): ThunderConfig {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  if (options.path === undefined) return buildConfig(undefined, { env, cwd, sourcePath: undefined });
  const sourcePath = resolve(cwd, options.path);
  return configFromTomlString(readConfigFile(sourcePath), { env, cwd, sourcePath });
}

/** Like `loadConfig` for TOML text already in memory (tests, `--check` of stdin). */
export function configFromTomlString(text: string, options: ConfigFromTomlOptions = {}): ThunderConfig {
  const cwd = options.cwd ?? process.cwd();
  const sourcePath = options.sourcePath === undefined ? undefined : resolve(cwd, options.sourcePath);
  const document = parseToml(text, sourcePath);
  return buildConfig(document, { env: options.env ?? process.env, cwd, sourcePath });
}

function readConfigFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // Node appends ", open '<path>'"; the path is already in our message.
    const osError = message.replace(/, \w+ '.*'$/, '');
    throw new ConfigError(`cannot read config file ${path}: ${osError}`, { filePath: path });
  }
}

function parseToml(text: string, sourcePath: string | undefined): TomlTable {
  try {
    // Integers as bigint keep TOML's integer/float distinction: `threads = 2.5`
    // is refused instead of truncated. A leading BOM is an editor habit.
    return parse(text.replace(/^\uFEFF/, ''), { integersAsBigInt: true });
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    const firstLine = (error.message.split('\n')[0] ?? '').replace(/^Invalid TOML document: /, '');
    const where = `${sourcePath ?? '<config text>'}:${error.line}:${error.column}`;
    throw new ConfigError(`${where}: invalid TOML: ${firstLine}`,
      sourcePath === undefined ? {} : { filePath: sourcePath });
  }
}

interface BuildContext {
  readonly env: Environment;
  readonly cwd: string;
  readonly sourcePath: string | undefined;
}

function buildConfig(document: TomlTable | undefined, context: BuildContext): ThunderConfig {
  const { cwd, sourcePath } = context;
  const fileDir = sourcePath === undefined ? cwd : dirname(sourcePath);
  const fromFile = document === undefined ? new Map<KeySpec, ConfigValue>() : readFileLayer(document, sourcePath, fileDir);
  const fromEnv = readEnvLayer(context.env, cwd);
  const sections: Record<SectionName, Record<string, ConfigValue>> = {
    node: {}, network: {}, storage: {}, cluster: {}, security: {}, logging: {},
  };
  for (const spec of allKeys) {
    sections[spec.section][spec.field] = fromEnv.get(spec) ?? fromFile.get(spec)
      ?? coerceValue(spec, rawFromDefault(spec), { kind: 'default' }, cwd);
  }
  // Every (section, field) of ThunderConfig has exactly one schema entry of a
  // matching kind (checked at compile time in schema.ts), so the records
  // built above have the shape of ThunderConfig.
  const assembled = { ...sections, sourcePath } as unknown as ThunderConfig;
  const config: ThunderConfig = {
    ...assembled,
    storage: {
      ...assembled.storage,
      compressionAlgorithm: assembled.storage.compression ? assembled.storage.compressionAlgorithm : 'none',
      coldCompressionAlgorithm: assembled.storage.compression ? assembled.storage.coldCompressionAlgorithm : 'none',
    },
  };
  checkCrossKeyRules(config);
  return deepFreeze(config);
}

function isTable(value: unknown): value is TomlTable {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function isSectionName(name: string): name is SectionName {
  return configSections.some((section) => section.name === name);
}

function readFileLayer(
  document: TomlTable, sourcePath: string | undefined, fileDir: string,
): Map<KeySpec, ConfigValue> {
  const origin: ValueOrigin = { kind: 'file', path: sourcePath };
  const context = sourcePath === undefined ? {} : { filePath: sourcePath };
  const values = new Map<KeySpec, ConfigValue>();
  for (const [sectionName, body] of Object.entries(document)) {
    if (!isSectionName(sectionName)) throw unknownSectionError(sectionName, body, context);
    if (!isTable(body)) {
      throw new ConfigError(`${sectionName} = ${renderRaw(body)}: expected a section [${sectionName}]`, context);
    }
    for (const [key, raw] of Object.entries(body)) {
      const spec = keysOfSection(sectionName).find((k) => k.key === key);
      if (spec === undefined) throw unknownKeyError(sectionName, key, raw, context);
      values.set(spec, coerceValue(spec, raw, origin, fileDir));
    }
  }
  return values;
}

const sectionList = configSections.map((s) => `[${s.name}]`).join(', ');

function unknownSectionError(name: string, body: unknown, context: { filePath?: string }): ConfigError {
  if (isTable(body)) {
    const hint = didYouMean(`[${name}]`, configSections.map((s) => `[${s.name}]`));
    return new ConfigError(`[${name}] is not a configuration section${hint}; the sections are ${sectionList}`,
      context);
  }
  // A key above the first [section] header: say where it belongs.
  const homes = allKeys.filter((k) => k.key === name);
  const shown = homes.some((k) => k.secret) && typeof body === 'string' ? redacted(body) : renderRaw(body);
  const where = homes.length > 0
    ? `put it under ${homes.map((k) => `[${k.section}]`).join(' or ')}`
    : `keys belong in a section: ${sectionList}`;
  return new ConfigError(`${name} = ${shown}: is outside any section; ${where}`, context);
}

function unknownKeyError(
  section: SectionName, key: string, raw: unknown, context: { filePath?: string },
): ConfigError {
  const elsewhere = allKeys.filter((k) => k.key === key);
  const closest = closestMatch(key, keysOfSection(section).map((k) => k.key));
  const related = [...elsewhere, ...keysOfSection(section).filter((k) => k.key === closest)];
  // Never echo what may be a misspelt password.
  const secret = related.some((k) => k.secret) || /pass|secret/i.test(key);
  const shown = secret && typeof raw === 'string' ? redacted(raw) : renderRaw(raw);
  const hint = elsewhere.length > 0
    ? `; ${key} belongs in ${elsewhere.map((k) => `[${k.section}]`).join(' or ')}`
    : closest === undefined ? '' : ` (did you mean ${section}.${closest}?)`;
  return new ConfigError(`${section}.${key} = ${shown}: is not a configuration key${hint}`, {
    ...context, key: `${section}.${key}`,
  });
}

interface EnvSetting {
  readonly variable: string;
  readonly text: string;
}

function readEnvLayer(env: Environment, cwd: string): Map<KeySpec, ConfigValue> {
  const chosen = new Map<KeySpec, EnvSetting>();
  // Sorted so that, with several mistakes, the same one is reported each run.
  const names = Object.keys(env).filter((n) => n.startsWith(envPrefix) && !reservedEnvVars.has(n)).sort();
  for (const variable of names) {
    const text = env[variable];
    if (text === undefined) continue;
    const spec = keysByEnvName.get(variable);
    if (spec === undefined) throw unknownEnvError(variable);
    const earlier = chosen.get(spec);
    if (earlier !== undefined && earlier.text !== text) throw envConflictError(spec, earlier, { variable, text });
    chosen.set(spec, earlier ?? { variable, text });
  }
  const values = new Map<KeySpec, ConfigValue>();
  for (const [spec, { variable, text }] of chosen) {
    const origin: ValueOrigin = { kind: 'env', variable, text };
    values.set(spec, coerceValue(spec, rawFromEnvText(spec, text), origin, cwd));
  }
  return values;
}

function unknownEnvError(variable: string): ConfigError {
  const closest = closestMatch(variable, keysByEnvName.keys());
  const hint = closest === undefined ? '' : `did you mean ${closest}? `;
  return new ConfigError(
    `environment variable ${variable} matches no configuration key (${hint}see docs/configuration.md)`,
    { envVar: variable });
}

function envConflictError(spec: KeySpec, first: EnvSetting, second: EnvSetting): ConfigError {
  const show = (s: EnvSetting): string =>
    `${s.variable}=${spec.secret ? redacted(s.text) : JSON.stringify(s.text)}`;
  return new ConfigError(
    `environment variables ${show(first)} and ${show(second)} both set ${qualifiedName(spec)}: `
    + 'expected only one of them, or the same value in both',
    { key: qualifiedName(spec), envVar: second.variable });
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
