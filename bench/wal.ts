// WAL benchmark: group commit against this disk's raw fdatasync rate.
//
// `npm run bench -- wal` (runs dist/bench/wal.js). First measures the anchor,
// a loop of 8 KiB write + fdatasync, then runs 1, 8 and 64 concurrent writers
// with sync_commit on and off, each appending one 100-200 byte entry at a time.
// Reports appends/s, latency, fsyncs, mean batch size and the ratio to the
// anchor; checks every appended entry reads back after reopen. Writes
// bench/results/wal.json and bench/results/wal.md. `--no-preallocate` turns
// off segment preallocation (log/wal/preallocator.ts), to compare.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { EntryKind } from '../log/types.js';
import { openWal } from '../log/wal/index.js';
import type { WalObserver } from '../log/wal/index.js';

const rawSyncSeconds = 2;
const runSeconds = 3;
const rawWriteBytes = 8 * 1024;
const writerCounts = [1, 8, 64] as const;
const entryBytesMin = 100;
const entryBytesMax = 200;
/** Pre-built payloads so the loop measures the WAL, not the random generator. */
const payloadPoolSize = 1024;
const targetRatio = 20;
const preallocate = !process.argv.includes('--no-preallocate');

interface RawSyncResult {
  readonly fsyncsPerSecond: number;
  readonly latencyUsP50: number;
}

interface RunResult {
  readonly writers: number;
  readonly syncCommit: boolean;
  readonly appends: number;
  readonly appendsPerSecond: number;
  readonly latencyMsP50: number;
  readonly latencyMsP99: number;
  readonly fsyncs: number;
  readonly meanBatchRecords: number;
  readonly ratioToRawFsync: number;
  readonly verified: boolean;
}

function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? 0;
}

/** The anchor: how many 8 KiB write + fdatasync pairs this disk does per second. */
async function measureRawFsync(dir: string): Promise<RawSyncResult> {
  const file = await open(join(dir, 'raw-fsync.bin'), 'w');
  const block = Buffer.alloc(rawWriteBytes, 0xab);
  const latenciesUs: number[] = [];
  let position = 0;
  const deadlineMs = performance.now() + rawSyncSeconds * 1000;
  try {
    while (performance.now() < deadlineMs) {
      const startMs = performance.now();
      await file.write(block, 0, block.length, position);
      await file.datasync();
      latenciesUs.push((performance.now() - startMs) * 1000);
      position += block.length;
    }
  } finally {
    await file.close();
  }
  const sorted = Float64Array.from(latenciesUs).sort();
  return { fsyncsPerSecond: latenciesUs.length / rawSyncSeconds, latencyUsP50: percentile(sorted, 0.5) };
}

function payloadPool(): Uint8Array[] {
  let state = 12345;
  return Array.from({ length: payloadPoolSize }, () => {
    state = (state * 1103515245 + 12345) >>> 0;
    const bytes = Buffer.alloc(entryBytesMin + (state % (entryBytesMax - entryBytesMin + 1)));
    for (let i = 0; i < bytes.length; i += 1) bytes[i] = (state >>> (i % 24)) & 0xff;
    return bytes;
  });
}

async function runWriters(dir: string, writers: number, syncCommit: boolean): Promise<Omit<RunResult, 'ratioToRawFsync'>> {
  const counts = { fsyncs: 0, fsyncedRecords: 0 };
  const observer: WalObserver = {
    onAppend: () => undefined,
    onFsync: (_durationMs, records) => {
      counts.fsyncs += 1;
      counts.fsyncedRecords += records;
    },
  };
  const logger = pino({ level: 'warn' });
  const options = { dir, segmentSizeBytes: 64 * 1024 * 1024, bufferSizeBytes: 4 * 1024 * 1024, syncCommit, compression: 'none', logger, observer, preallocate } as const;
  const wal = await openWal(options);
  const payloads = payloadPool();
  const latenciesMs: number[] = [];
  const deadlineMs = performance.now() + runSeconds * 1000;
  const startMs = performance.now();
  const writer = async (): Promise<void> => {
    while (performance.now() < deadlineMs) {
      // Writers share one counter: the index is taken at call time, as a Raft leader would.
      const index = wal.lastIndex() + 1;
      const data = payloads[index % payloadPoolSize] ?? new Uint8Array(entryBytesMin);
      const callMs = performance.now();
      await wal.append([{ index, term: 1, kind: EntryKind.Normal, data }]);
      latenciesMs.push(performance.now() - callMs);
    }
  };
  await Promise.all(Array.from({ length: writers }, writer));
  const elapsedSeconds = (performance.now() - startMs) / 1000;
  const appends = latenciesMs.length;
  await wal.close(); // syncCommit=false: the final fdatasync happens here
  const verified = await verify(options, appends);
  const sorted = Float64Array.from(latenciesMs).sort();
  const appendsPerSecond = appends / elapsedSeconds;
  return {
    writers,
    syncCommit,
    appends,
    appendsPerSecond,
    latencyMsP50: percentile(sorted, 0.5),
    latencyMsP99: percentile(sorted, 0.99),
    fsyncs: counts.fsyncs,
    meanBatchRecords: counts.fsyncs === 0 ? 0 : counts.fsyncedRecords / counts.fsyncs,
    verified,
  };
}

/** Reopens the log and checks every acknowledged entry is there, in order. */
async function verify(options: Parameters<typeof openWal>[0], appends: number): Promise<boolean> {
  const wal = await openWal({ ...options, observer: undefined });
  try {
    if (wal.lastIndex() !== appends) return false;
    const sample = await wal.read(Math.max(1, appends - 100), appends + 1);
    return sample.every((entry, k) => entry.index === Math.max(1, appends - 100) + k);
  } finally {
    await wal.close();
  }
}

function markdown(rawRuns: readonly RawSyncResult[], raw: RawSyncResult, runs: readonly RunResult[], machine: Record<string, string | number>): string {
  const single = runs.find((run) => run.writers === 1 && run.syncCommit);
  const many = runs.find((run) => run.writers === 64 && run.syncCommit);
  const groupGain = single !== undefined && many !== undefined ? many.appendsPerSecond / single.appendsPerSecond : 0;
  const rows = runs.map(
    (run) =>
      `| ${run.writers} | ${run.syncCommit ? 'on' : 'off'} | ${Math.round(run.appendsPerSecond).toLocaleString('en-US')} | ` +
      `${run.latencyMsP50.toFixed(3)} | ${run.latencyMsP99.toFixed(3)} | ${run.fsyncs} | ${run.meanBatchRecords.toFixed(1)} | ` +
      `${run.ratioToRawFsync.toFixed(1)}x | ${run.verified ? 'yes' : 'NO'} |`,
  );
  return [
    '# WAL group commit benchmark',
    '',
    `Machine: ${Object.entries(machine).map(([key, value]) => `${key} ${value}`).join(', ')}.`,
    '',
    `Anchor: raw 8 KiB write + fdatasync loop: **${Math.round(raw.fsyncsPerSecond).toLocaleString('en-US')}/s** (p50 ${raw.latencyUsP50.toFixed(0)} µs), ` +
      `the faster of ${rawRuns.map((run) => Math.round(run.fsyncsPerSecond).toLocaleString('en-US')).join(' (before the runs) and ')} (after).`,
    '',
    `Each writer appends one ${entryBytesMin}-${entryBytesMax} byte entry at a time for ${runSeconds} s; compression none.`,
    '',
    '| writers | sync_commit | appends/s | p50 ms | p99 ms | fsyncs | mean batch | vs raw fsync | read back |',
    '|---:|:---:|---:|---:|---:|---:|---:|---:|:---:|',
    ...rows,
    '',
    `Target: 64 writers with sync_commit on at least ${targetRatio}x the raw fdatasync rate. ` +
      `Against the WAL's own single-writer durable rate, 64 writers do ${groupGain.toFixed(1)}x.`,
    '',
  ].join('\n');
}

/** The repository root: nearest ancestor of this file holding bench/run.mjs, else the working directory. */
function repositoryRoot(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'bench', 'run.mjs'))) return dir;
  }
  return process.cwd();
}

async function main(): Promise<void> {
  const base = await mkdtemp(join(process.env.WAL_BENCH_DIR ?? tmpdir(), 'thunderdb-wal-bench-'));
  try {
    // The disk is shared and noisy: measure the anchor before and after the runs
    // and keep the faster one, so the ratios err on the low side.
    const rawBefore = await measureRawFsync(base);
    console.log(`raw fdatasync (before): ${Math.round(rawBefore.fsyncsPerSecond)}/s; preallocation ${preallocate ? 'on' : 'off'}`);
    const measured: Omit<RunResult, 'ratioToRawFsync'>[] = [];
    for (const syncCommit of [true, false]) {
      for (const writers of writerCounts) {
        const run = await runWriters(join(base, `w${writers}-${syncCommit ? 'sync' : 'async'}`), writers, syncCommit);
        console.log(`writers ${writers} sync ${syncCommit}: ${Math.round(run.appendsPerSecond)}/s`);
        measured.push(run);
      }
    }
    const rawAfter = await measureRawFsync(base);
    console.log(`raw fdatasync (after): ${Math.round(rawAfter.fsyncsPerSecond)}/s`);
    const raw = rawAfter.fsyncsPerSecond > rawBefore.fsyncsPerSecond ? rawAfter : rawBefore;
    const runs: RunResult[] = measured.map((run) => ({ ...run, ratioToRawFsync: run.appendsPerSecond / raw.fsyncsPerSecond }));
    const machine = {
      cpus: cpus().length,
      cpu: cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      date: new Date().toISOString(),
      dir: base,
    };
    const summary = markdown([rawBefore, rawAfter], raw, runs, machine);
    console.log(`\n${summary}`);
    const resultsDir = join(repositoryRoot(), 'bench', 'results');
    await mkdir(resultsDir, { recursive: true });
    await writeFile(join(resultsDir, 'wal.json'), JSON.stringify({ machine, rawFsync: raw, rawFsyncBefore: rawBefore, rawFsyncAfter: rawAfter, runs, targetRatio }, null, 2) + '\n');
    await writeFile(join(resultsDir, 'wal.md'), summary);
    if (runs.some((run) => !run.verified)) process.exitCode = 1;
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

await main();
