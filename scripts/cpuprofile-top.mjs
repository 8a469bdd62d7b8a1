#!/usr/bin/env node
// node scripts/cpuprofile-top.mjs FILE.cpuprofile [--top N] [--by function|file|module] [--from-ms A] [--to-ms B]
//
// Summarises a V8 CPU profile (node --cpu-prof; npm run bench -- cluster
// --cpu-prof DIR) by self time: per function (name, file:line) or per file,
// with the share of all samples; `--by module` charges each sample to the
// nearest caller in a project folder (dist/log/grpc, ...) or package, so
// native time (writes, syscalls) counts for the code that asked for it. For comparing where each node of a cluster
// spends its CPU without opening a profiler UI.
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const file = args.find((a, i) => !a.startsWith('--') && !(args[i - 1] ?? '').startsWith('--'));
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
if (file === undefined) {
  console.error('usage: node scripts/cpuprofile-top.mjs FILE.cpuprofile [--top N] [--by function|file]');
  process.exit(2);
}
const top = Number(option('top', '40'));
const by = option('by', 'function');
const profile = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
// Only samples between --from-ms and --to-ms after the profile started (e.g. the measured load, not start-up).
const fromMs = Number(option('from-ms', '0'));
const toMs = Number(option('to-ms', 'Infinity'));
const hits = new Map();
let atUs = 0;
let totalSamples = 0;
profile.samples.forEach((id, i) => {
  atUs += profile.timeDeltas[i] ?? 0;
  if (atUs / 1000 < fromMs || atUs / 1000 > toMs) return;
  totalSamples++;
  hits.set(id, (hits.get(id) ?? 0) + 1);
});
const durationMs = Math.min(toMs, (profile.endTime - profile.startTime) / 1000) - fromMs;
const sampleMs = durationMs / Math.max(1, totalSamples);

const shortUrl = (url) => url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, 'nm/').replace(/^.*\/dist\//, 'dist/');
const parents = new Map();
for (const n of profile.nodes) for (const child of n.children ?? []) parents.set(child, n.id);
const moduleOf = (url) => {
  const u = shortUrl(url);
  if (u.startsWith('dist/')) return u.split('/').slice(0, 3).join('/');
  if (u.startsWith('nm/')) return u.split('/').slice(0, u.startsWith('nm/@') ? 3 : 2).join('/');
  return undefined;
};
const self = new Map();
if (by === 'module') {
  for (const [id, count] of hits) {
    const leaf = nodes.get(id);
    let key = leaf?.callFrame.url === '' ? leaf.callFrame.functionName : undefined;
    if (key === '(idle)' || key === '(garbage collector)' || key === '(program)') {
      self.set(key, (self.get(key) ?? 0) + count);
      continue;
    }
    key = undefined;
    for (let at = id; at !== undefined && key === undefined; at = parents.get(at)) key = moduleOf(nodes.get(at)?.callFrame.url ?? '');
    key ??= 'node internals';
    self.set(key, (self.get(key) ?? 0) + count);
  }
}
for (const [id, count] of by === 'module' ? [] : hits) {
  const node = nodes.get(id);
  if (node === undefined) continue;
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url === '' ? '' : shortUrl(url);
  const key = by === 'file' ? (where || `(${functionName || 'native'})`) : `${functionName || '(anonymous)'} ${where}${where ? `:${lineNumber + 1}` : ''}`;
  self.set(key, (self.get(key) ?? 0) + count);
}
const idle = [...self].filter(([k]) => k.startsWith('(idle)')).reduce((s, [, c]) => s + c, 0);
console.log(`${file}: ${durationMs.toFixed(0)} ms, ${totalSamples} samples, busy ${(((totalSamples - idle) * sampleMs)).toFixed(0)} ms`);
for (const [key, count] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`${((100 * count) / totalSamples).toFixed(1).padStart(5)}%  ${(count * sampleMs).toFixed(0).padStart(6)} ms  ${key}`);
}
