// What `thunderdb --version` prints and /admin/health reports. The build date
// is written by scripts/build.mjs into dist/build-info.json.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BuildInfo {
  readonly version: string;
  readonly nodeVersion: string;
  readonly builtDate: string;
}

// Compiled, this file is dist/server/version.js; the sources sit two levels up.
const distDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const projectRoot = join(distDir, '..');

function readJson(path: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

export function buildInfo(): BuildInfo {
  const pkg = readJson(join(projectRoot, 'package.json'));
  const built = readJson(join(distDir, 'build-info.json'));
  return {
    version: typeof pkg?.['version'] === 'string' ? pkg['version'] : '0.0.0',
    nodeVersion: process.version,
    builtDate: typeof built?.['builtDate'] === 'string' ? built['builtDate'] : 'unknown',
  };
}

export function versionLine(info: BuildInfo = buildInfo()): string {
  return `ThunderDB ${info.version} (node ${info.nodeVersion}, built ${info.builtDate})`;
}
