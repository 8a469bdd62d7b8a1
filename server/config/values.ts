// Turning one raw value (from TOML, an environment variable or the schema's
// default) into the typed value of its key, or a ConfigError that says what
// was expected. Checks that involve several keys live in cross-checks.ts.

import { isIP, isIPv6 } from 'node:net';
import { isAbsolute, resolve } from 'node:path';
import type { ValueOrigin } from './errors.js';
import { valueError } from './errors.js';
import type {
  BoolSpec, ConfigValue, DurationSpec, EnumSpec, IntSpec, KeyInfo, KeySpec, PathSpec, PortSpec,
  SizeSpec, StringFormat, StringListSpec, StringSpec,
} from './schema.js';
import { portMax, portMin } from './schema.js';
import { closestMatch } from './suggest.js';
import {
  durationUnitsText, formatDuration, formatSize, sizeUnitsText, tryParseDuration, tryParseSize,
} from './units.js';

const sizeExample = `a size such as "512MB" or "2GB" (units ${sizeUnitsText})`;
const durationExample = `a duration such as "100ms", "1s" or "5m" (units ${durationUnitsText})`;

/** What a string of this format looks like, phrased to follow "expected". */
export function describeStringFormat(format: StringFormat): string {
  switch (format) {
    case 'any': return 'a string';
    case 'host': return 'an IP address or hostname such as "127.0.0.1", "0.0.0.0", "::" or "db1.example.com"';
    case 'hostPort': return '"host:port" such as "10.0.0.2:9090", "db2.example.com:9090" or "[fd00::2]:9090"';
    case 'clusterName': return 'a name of 1 to 63 letters, digits, ".", "_" or "-", starting with a letter or digit';
    case 'roleName': return 'a role name of 1 to 63 lower-case letters, digits or "_", not starting with a digit';
    case 'scramVerifier':
      return 'empty, or a SCRAM-SHA-256 verifier "SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>" '
        + '(base64 parts, as PostgreSQL stores in pg_authid)';
    default: {
      const unreachable: never = format;
      return unreachable;
    }
  }
}

function rangePhrase(noun: string, min: string, max: string | undefined): string {
  return max === undefined ? `${noun} of at least ${min}` : `${noun} from ${min} to ${max}`;
}

/** The accepted values of a key, phrased to follow "expected"; also used in docs. */
export function describeAccepted(spec: KeySpec): string {
  switch (spec.kind) {
    case 'string': return describeStringFormat(spec.format);
    case 'int':
      return rangePhrase('an integer', String(spec.min),
        spec.max === Number.MAX_SAFE_INTEGER ? undefined : String(spec.max));
    case 'bool': return 'true or false';
    case 'size': {
      const noun = spec.powerOfTwo ? 'a power-of-two size' : 'a size';
      return rangePhrase(noun, formatSize(spec.minBytes),
        spec.maxBytes === Number.MAX_SAFE_INTEGER ? undefined : formatSize(spec.maxBytes));
    }
    case 'duration': return rangePhrase('a duration', formatDuration(spec.minMs), formatDuration(spec.maxMs));
    case 'enum': return `one of ${spec.values.join(', ')} (any case)`;
    case 'port': return rangePhrase('a port', String(portMin), String(portMax));
    case 'path': return spec.allowEmpty ? 'a path, or empty for none' : 'a non-empty path';
    case 'stringList': return `a list of ${describeStringFormat(spec.itemFormat)}`;
    default: {
      const unreachable: never = spec;
      return unreachable;
    }
  }
}

/** Appended to a type mismatch: how to write the value in its origin. */
function typeHint(spec: KeySpec, origin: ValueOrigin): string {
  if (origin.kind === 'env') {
    return spec.kind === 'bool' ? ' (true/false, 1/0, on/off or yes/no)' : '';
  }
  switch (spec.kind) {
    case 'int':
    case 'port': return ' (a TOML integer, without quotes)';
    case 'bool': return ' (a TOML boolean, without quotes)';
    case 'string':
    case 'path':
    case 'enum': return ' (a TOML string, in quotes)';
    case 'stringList': return ' (a TOML array of strings)';
    case 'size':
    case 'duration': return ' (a string with a unit, or a TOML integer)';
    default: {
      const unreachable: never = spec;
      return unreachable;
    }
  }
}

type Spec<K> = KeyInfo & K;

function typeError(spec: KeySpec, raw: unknown, origin: ValueOrigin): never {
  throw valueError(spec, raw, origin, describeAccepted(spec) + typeHint(spec, origin));
}

function coerceInteger(spec: Spec<IntSpec> | Spec<PortSpec>, raw: unknown, origin: ValueOrigin): number {
  // TOML integers arrive as bigint (floats as number), so 2.0 is refused
  // rather than silently taken for 2.
  if (typeof raw !== 'bigint') typeError(spec, raw, origin);
  const min = spec.kind === 'port' ? portMin : spec.min;
  const max = spec.kind === 'port' ? portMax : spec.max;
  if (raw < BigInt(min) || raw > BigInt(max)) throw valueError(spec, raw, origin, describeAccepted(spec));
  return Number(raw);
}

function coerceBool(spec: Spec<BoolSpec>, raw: unknown, origin: ValueOrigin): boolean {
  if (typeof raw !== 'boolean') typeError(spec, raw, origin);
  return raw;
}

function isPowerOfTwo(value: number): boolean {
  return value > 0 && Number.isSafeInteger(value) && (BigInt(value) & (BigInt(value) - 1n)) === 0n;
}

function coerceSize(spec: Spec<SizeSpec>, raw: unknown, origin: ValueOrigin): number {
  if (typeof raw !== 'string' && typeof raw !== 'bigint') typeError(spec, raw, origin);
  const parsed = tryParseSize(typeof raw === 'bigint' ? Number(raw) : raw);
  if (!parsed.ok) throw valueError(spec, raw, origin, sizeExample, parsed.reason);
  const bytes = parsed.value;
  const inRange = bytes >= spec.minBytes && bytes <= spec.maxBytes;
  if (!inRange || (spec.powerOfTwo && !isPowerOfTwo(bytes))) {
    throw valueError(spec, raw, origin, describeAccepted(spec));
  }
  return bytes;
}

function coerceDuration(spec: Spec<DurationSpec>, raw: unknown, origin: ValueOrigin): number {
  if (typeof raw !== 'string' && typeof raw !== 'bigint') typeError(spec, raw, origin);
  const parsed = tryParseDuration(typeof raw === 'bigint' ? Number(raw) : raw);
  if (!parsed.ok) throw valueError(spec, raw, origin, durationExample, parsed.reason);
  if (parsed.value < spec.minMs || parsed.value > spec.maxMs) {
    throw valueError(spec, raw, origin, describeAccepted(spec));
  }
  return parsed.value;
}

function coerceEnum(spec: Spec<EnumSpec>, raw: unknown, origin: ValueOrigin): string {
  if (typeof raw !== 'string') typeError(spec, raw, origin);
  const wanted = raw.toLowerCase();
  const value = spec.values.find((v) => v === wanted);
  if (value === undefined) {
    const closest = closestMatch(wanted, spec.values);
    throw valueError(spec, raw, origin, describeAccepted(spec),
      closest === undefined ? undefined : `did you mean "${closest}"?`);
  }
  return value;
}

function coercePath(spec: Spec<PathSpec>, raw: unknown, origin: ValueOrigin, baseDir: string): string {
  if (typeof raw !== 'string') typeError(spec, raw, origin);
  if (raw === '') {
    if (spec.allowEmpty) return '';
    throw valueError(spec, raw, origin, describeAccepted(spec));
  }
  // A shell would expand "~"; nothing does here, and "<dir>/~/data" is never meant.
  if (raw.startsWith('~')) {
    throw valueError(spec, raw, origin, 'a path', '"~" is not expanded, write the full path');
  }
  return isAbsolute(raw) ? resolve(raw) : resolve(baseDir, raw);
}

function coerceString(spec: Spec<StringSpec>, raw: unknown, origin: ValueOrigin): string {
  if (typeof raw !== 'string') typeError(spec, raw, origin);
  const reason = checkStringFormat(spec.format, raw);
  if (reason !== undefined) throw valueError(spec, raw, origin, describeAccepted(spec), reason);
  return raw;
}

function coerceStringList(spec: Spec<StringListSpec>, raw: unknown, origin: ValueOrigin): readonly string[] {
  if (!Array.isArray(raw)) typeError(spec, raw, origin);
  const items: string[] = [];
  for (const [index, item] of raw.entries()) {
    if (typeof item !== 'string') {
      throw valueError(spec, raw, origin, describeAccepted(spec), `entry ${index + 1} is not a string`);
    }
    const reason = item === '' ? `entry ${index + 1} is empty` : checkStringFormat(spec.itemFormat, item);
    if (reason !== undefined) throw valueError(spec, raw, origin, describeAccepted(spec), reason);
    if (items.includes(item)) {
      throw valueError(spec, raw, origin, describeAccepted(spec), `${JSON.stringify(item)} is listed twice`);
    }
    items.push(item);
  }
  return items;
}

/**
 * The typed value of `spec` from `raw`. Relative paths resolve against
 * `baseDir` (the config file's directory, or the working directory).
 */
export function coerceValue(spec: KeySpec, raw: unknown, origin: ValueOrigin, baseDir: string): ConfigValue {
  switch (spec.kind) {
    case 'string': return coerceString(spec, raw, origin);
    case 'int': return coerceInteger(spec, raw, origin);
    case 'port': return coerceInteger(spec, raw, origin);
    case 'bool': return coerceBool(spec, raw, origin);
    case 'size': return coerceSize(spec, raw, origin);
    case 'duration': return coerceDuration(spec, raw, origin);
    case 'enum': return coerceEnum(spec, raw, origin);
    case 'path': return coercePath(spec, raw, origin, baseDir);
    case 'stringList': return coerceStringList(spec, raw, origin);
    default: {
      const unreachable: never = spec;
      return unreachable;
    }
  }
}

/**
 * A schema default shaped like the TOML value `coerceValue` expects, so
 * defaults pass through the same checks as the file (and a bad default is
 * caught by the tests rather than trusted).
 */
export function rawFromDefault(spec: KeySpec): unknown {
  switch (spec.kind) {
    case 'int':
    case 'port': return BigInt(spec.default);
    case 'string':
    case 'bool':
    case 'size':
    case 'duration':
    case 'enum':
    case 'path':
    case 'stringList': return spec.default;
    default: {
      const unreachable: never = spec;
      return unreachable;
    }
  }
}

const envBooleans: ReadonlyMap<string, boolean> = new Map([
  ['true', true], ['1', true], ['on', true], ['yes', true],
  ['false', false], ['0', false], ['off', false], ['no', false],
]);

/**
 * An environment string shaped like the TOML value `coerceValue` expects.
 * Text that does not fit is passed on unchanged so the error shows it.
 */
export function rawFromEnvText(spec: KeySpec, text: string): unknown {
  const trimmed = text.trim();
  switch (spec.kind) {
    case 'int':
    case 'port': return /^-?\d+$/.test(trimmed) ? BigInt(trimmed) : text;
    case 'bool': return envBooleans.get(trimmed.toLowerCase()) ?? text;
    case 'stringList': return trimmed === '' ? [] : trimmed.split(',').map((item) => item.trim());
    case 'size':
    case 'duration':
    case 'enum': return trimmed;
    // Strings and paths are taken verbatim: a password may well end in a space.
    case 'string':
    case 'path': return text;
    default: {
      const unreachable: never = spec;
      return unreachable;
    }
  }
}

// ---- string formats -------------------------------------------------------

const hostnameLabel = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

function isHostname(text: string): boolean {
  if (text.length > 253) return false;
  const labels = text.split('.');
  if (!labels.every((label) => hostnameLabel.test(label))) return false;
  // An all-numeric last label is a mistyped IPv4 address, not a name.
  return !/^\d+$/.test(labels[labels.length - 1] ?? '');
}

function checkHost(text: string): string | undefined {
  return isIP(text) !== 0 || isHostname(text) ? undefined : `${JSON.stringify(text)} is not an IP address or hostname`;
}

function checkHostPort(text: string): string | undefined {
  const shown = JSON.stringify(text);
  const bracketed = /^\[([^\]]*)\]:(\d+)$/.exec(text);
  const colon = text.lastIndexOf(':');
  if (bracketed === null && colon < 0) return `${shown} has no ":port"`;
  const host = bracketed === null ? text.slice(0, colon) : (bracketed[1] ?? '');
  const portText = bracketed === null ? text.slice(colon + 1) : (bracketed[2] ?? '');
  if (bracketed === null && host.includes(':')) {
    return `${shown}: an IPv6 address needs brackets, as in "[fd00::2]:9090"`;
  }
  if (bracketed !== null ? !isIPv6(host) : checkHost(host) !== undefined) {
    return `${shown}: ${JSON.stringify(host)} is not an IP address or hostname`;
  }
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : -1;
  if (port < portMin || port > portMax) return `${shown}: the port must be from ${portMin} to ${portMax}`;
  return undefined;
}

const base64Pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const scramKeyBytes = 32;

function checkScramVerifier(text: string): string | undefined {
  if (text === '') return undefined;
  // PostgreSQL: SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>
  const match = /^SCRAM-SHA-256\$([^:$]*):([^$]*)\$([^:]*):(.*)$/.exec(text);
  if (match === null) return 'it does not have the shape SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>';
  const [, iterations = '', salt = '', storedKey = '', serverKey = ''] = match;
  if (!/^[1-9]\d{0,9}$/.test(iterations)) return 'the iteration count is not a positive integer';
  if (salt === '' || !base64Pattern.test(salt)) return 'the salt is not base64';
  for (const [name, key] of [['StoredKey', storedKey], ['ServerKey', serverKey]] as const) {
    if (!base64Pattern.test(key) || Buffer.from(key, 'base64').length !== scramKeyBytes) {
      return `the ${name} is not ${scramKeyBytes} bytes of base64`;
    }
  }
  return undefined;
}

/** Why `text` does not fit `format`, or undefined if it does. */
export function checkStringFormat(format: StringFormat, text: string): string | undefined {
  switch (format) {
    case 'any': return undefined;
    case 'host': return checkHost(text);
    case 'hostPort': return checkHostPort(text);
    case 'clusterName':
      return /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(text) ? undefined : 'it is not a valid cluster name';
    case 'roleName':
      return /^[a-z_][a-z0-9_]{0,62}$/.test(text) ? undefined : 'it is not a valid role name';
    case 'scramVerifier': return checkScramVerifier(text);
    default: {
      const unreachable: never = format;
      return unreachable;
    }
  }
}
