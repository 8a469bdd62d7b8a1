#!/usr/bin/env node
// `npm run bench -- NAME [args...]`: runs the compiled benchmark dist/bench/NAME.js.
// Each benchmark writes JSON and a markdown summary to bench/results/.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [name, ...args] = process.argv.slice(2);
const benchDir = join(root, 'dist', 'bench');
const available = existsSync(benchDir)
  ? readdirSync(benchDir).filter((f) => f.endsWith('.js')).map((f) => f.slice(0, -3))
  : [];
if (!name) {
  console.error(`usage: npm run bench -- NAME [args]\navailable: ${available.join(', ') || '(none: run npm run build)'}`);
  process.exit(2);
}
const build = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const script = join(benchDir, `${name}.js`);
if (!existsSync(script)) {
  console.error(`no benchmark named "${name}"; available: ${available.join(', ')}`);
  process.exit(2);
}
const run = spawnSync(process.execPath, [script, ...args], { stdio: 'inherit' });
process.exit(run.status ?? 1);
