#!/usr/bin/env node
// `npm run sim -- --seeds N [--seed S] [--nodes 3|5|7] [--steps K] [--verbose]`:
// compiles the Raft core and its simulator (log/raft, no other component) with
// the project's TypeScript into node_modules/.cache, then runs the simulator
// (log/raft/testing/sim-main.ts) under plain Node. See log/raft/DESIGN.md.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'node_modules', '.cache', 'thunderdb-raft-sim');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const compiled = spawnSync(process.execPath, [
  tsc, '--outDir', outDir, '--rootDir', root, '--target', 'ES2022', '--module', 'NodeNext', '--moduleResolution', 'NodeNext',
  '--strict', '--noUncheckedIndexedAccess', '--verbatimModuleSyntax', '--skipLibCheck', '--types', 'node', '--lib', 'ES2023',
  join(root, 'log', 'raft', 'testing', 'sim-main.ts'),
], { stdio: 'inherit' });
if (compiled.status !== 0) {
  console.error('sim: compiling log/raft failed (see above)');
  process.exit(compiled.status ?? 1);
}
const run = spawnSync(process.execPath, [join(outDir, 'log', 'raft', 'testing', 'sim-main.js'), ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(run.status ?? 1);
