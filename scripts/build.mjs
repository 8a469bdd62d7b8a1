#!/usr/bin/env node
// Compiles the TypeScript sources to dist/ and records when they were built,
// so `thunderdb --version` can say so. Runs on `npm install` (prepare).
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
});
if (result.status !== 0) {
  console.error('build failed: fix the TypeScript errors above, then run `npm run build` again');
  process.exit(result.status ?? 1);
}
mkdirSync(join(root, 'dist'), { recursive: true });
const builtDate = new Date().toISOString().slice(0, 10);
writeFileSync(join(root, 'dist', 'build-info.json'), JSON.stringify({ builtDate }) + '\n');
