// What a SIGHUP changes. The server reloads the file into a new
// ThunderConfig, applies the `reloaded` changes and logs the `needsRestart` ones.

import { displayValue, valueOf } from './cross-checks.js';
import type { ConfigValue } from './schema.js';
import { allKeys, qualifiedName } from './schema.js';
import type { ThunderConfig } from './types.js';

export interface ConfigChange {
  /** "section.key" */
  readonly key: string;
  /** Values as written in TOML ("64MB", "1s"); secrets redacted. */
  readonly before: string;
  readonly after: string;
}

export interface ReloadDiff {
  /** Changed keys that take effect without a restart. */
  readonly reloaded: readonly ConfigChange[];
  /** Changed keys that keep their old value until the server restarts. */
  readonly needsRestart: readonly ConfigChange[];
}

function sameValue(a: ConfigValue, b: ConfigValue): boolean {
  if (typeof a !== 'object' || typeof b !== 'object') return a === b;
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

/** The keys whose typed values differ between two configurations, split by reloadability. */
export function diffReloadable(oldConfig: ThunderConfig, newConfig: ThunderConfig): ReloadDiff {
  const reloaded: ConfigChange[] = [];
  const needsRestart: ConfigChange[] = [];
  for (const spec of allKeys) {
    const before = valueOf(oldConfig, spec);
    const after = valueOf(newConfig, spec);
    if (sameValue(before, after)) continue;
    const change: ConfigChange = {
      key: qualifiedName(spec),
      before: displayValue(spec, before),
      after: displayValue(spec, after),
    };
    (spec.reloadable ? reloaded : needsRestart).push(change);
  }
  return { reloaded, needsRestart };
}

export interface EffectiveSetting {
  /** "section.key" */
  readonly key: string;
  /** As written in TOML ("64MB", "1s", "/abs/path"); secrets redacted. */
  readonly value: string;
  readonly reloadable: boolean;
}

/** Every key with its effective value, safe to log or serve from the admin API. */
export function effectiveSettings(config: ThunderConfig): readonly EffectiveSetting[] {
  return allKeys.map((spec) => ({
    key: qualifiedName(spec),
    value: displayValue(spec, valueOf(config, spec)),
    reloadable: spec.reloadable,
  }));
}
