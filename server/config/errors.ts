// ConfigError and the wording of its messages. Every message is one line that
// names the key (`section.key`) or the environment variable, the offending
// value and what was expected, so an operator can fix the file from the
// message alone (ARCHITECTURE.md, "Bad input").

import type { KeySpec } from './schema.js';
import { qualifiedName } from './schema.js';

/** Where a raw value came from; decides how a message points at it. */
export type ValueOrigin =
  | { readonly kind: 'default' }
  | { readonly kind: 'file'; readonly path: string | undefined }
  | { readonly kind: 'env'; readonly variable: string; readonly text: string };

export interface ConfigErrorContext {
  /** "section.key" when the error concerns one key. */
  readonly key?: string;
  /** The environment variable at fault, if any. */
  readonly envVar?: string;
  /** The config file at fault, if any. */
  readonly filePath?: string;
}

/** A configuration the server must not start with. `message` is one line. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly key: string | undefined;
  readonly envVar: string | undefined;
  readonly filePath: string | undefined;

  constructor(detail: string, context: ConfigErrorContext = {}) {
    // Values are JSON-quoted, so a newline here would come from an OS or
    // parser message; flatten it rather than break log lines.
    super(`config error: ${detail.replace(/\s*\n\s*/g, ' ')}`);
    this.key = context.key;
    this.envVar = context.envVar;
    this.filePath = context.filePath;
  }
}

const valueTextMax = 80;

function quote(text: string): string {
  const quoted = JSON.stringify(text);
  return quoted.length <= valueTextMax ? quoted : `${quoted.slice(0, valueTextMax - 4)}..."`;
}

/** A raw TOML (or default) value as it would appear in the file. */
export function renderRaw(raw: unknown): string {
  switch (typeof raw) {
    case 'string':
      return quote(raw);
    case 'number':
      // TOML integers arrive as bigint, so a number is a TOML float: show
      // `2.0` as written, not as `2`, or "expected an integer" reads wrong.
      return Number.isInteger(raw) ? raw.toFixed(1) : String(raw);
    case 'bigint':
    case 'boolean':
      return String(raw);
    case 'object':
      if (raw === null) return 'null';
      if (Array.isArray(raw)) {
        const inner = raw.map((item: unknown) => renderRaw(item)).join(', ');
        return inner.length <= valueTextMax ? `[${inner}]` : `[${inner.slice(0, valueTextMax)}...]`;
      }
      // TomlDate is the only other non-table object smol-toml produces.
      return raw instanceof Date ? `a TOML date (${raw.toISOString()})` : 'a TOML table';
    case 'undefined':
    case 'symbol':
    case 'function':
      return typeof raw;
  }
}

export function redacted(text: string): string {
  return `<redacted, ${text.length} characters>`;
}

/** The start of a message about one key's value: `storage.page_size = "3KB"`. */
function subject(spec: KeySpec, raw: unknown, origin: ValueOrigin): string {
  const name = qualifiedName(spec);
  switch (origin.kind) {
    case 'default':
    case 'file': {
      const shown = spec.secret && typeof raw === 'string' ? redacted(raw) : renderRaw(raw);
      return `${name} = ${shown}`;
    }
    case 'env': {
      const shown = spec.secret ? redacted(origin.text) : quote(origin.text);
      return `environment variable ${origin.variable}=${shown} (sets ${name})`;
    }
    default: {
      const unreachable: never = origin;
      return unreachable;
    }
  }
}

/** `<subject>: expected <expectation>[; <reason>]` as a ConfigError. */
export function valueError(
  spec: KeySpec, raw: unknown, origin: ValueOrigin, expectation: string, reason?: string,
): ConfigError {
  const because = reason === undefined ? '' : `; ${reason}`;
  return new ConfigError(`${subject(spec, raw, origin)}: expected ${expectation}${because}`, {
    key: qualifiedName(spec),
    ...(origin.kind === 'env' ? { envVar: origin.variable } : {}),
    ...(origin.kind === 'file' && origin.path !== undefined ? { filePath: origin.path } : {}),
  });
}
