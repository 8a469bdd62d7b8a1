// The `compaction_threads` worker threads: each runs merge jobs
// (merge-kernel.ts) so the array copying of a compaction happens off the
// thread that applies the log and answers queries. Jobs go round-robin; a
// worker holds the process open only while it has a job. The workers' code
// is the merge kernel's own source text (eval'd), so the TypeScript the
// tests run and the JavaScript in dist/ are the same code.

import { Worker } from 'node:worker_threads';
import { mergeKernelFunctions, resultBuffers, type MergeJob, type MergeResult } from './merge-kernel.js';

const workerSource = `
const { parentPort } = require('node:worker_threads');
// A bundler keeping function names (esbuild keepNames) wraps inner functions in __name(fn, name).
const __name = (f) => f;
${[...mergeKernelFunctions, resultBuffers].map((f) => f.toString()).join('\n')}
parentPort.on('message', (m) => {
  try {
    const result = mergeJob(m.job);
    parentPort.postMessage({ id: m.id, result }, resultBuffers(result));
  } catch (error) {
    parentPort.postMessage({ id: m.id, error: String(error && error.stack || error) });
  }
});
`;

interface Pending {
  resolve(result: MergeResult): void;
  reject(error: Error): void;
}

class CompactionWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  failed: Error | null = null;

  constructor() {
    this.worker = new Worker(workerSource, { eval: true, name: 'thunderdb-compaction' });
    this.worker.unref();
    this.worker.on('message', (m: { id: number; result?: MergeResult; error?: string }) => {
      const p = this.pending.get(m.id);
      if (p === undefined) return;
      this.pending.delete(m.id);
      if (this.pending.size === 0) this.worker.unref();
      if (m.result !== undefined) p.resolve(m.result);
      else p.reject(new Error(`compaction worker failed: ${m.error ?? 'no result'}`));
    });
    const fail = (error: Error): void => {
      this.failed = error;
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
      this.worker.unref();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`compaction worker exited (code ${code})`)));
  }

  run(job: MergeJob): Promise<MergeResult> {
    if (this.failed !== null) return Promise.reject(this.failed);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      // Structured clone copies the source arrays (SharedArrayBuffer-backed ones are shared, not copied).
      this.worker.postMessage({ id, job });
    });
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

/** `threads` workers, started on first use; a worker that failed is replaced at the next job. */
export class CompactionWorkers {
  private readonly workers: (CompactionWorker | null)[];
  private next = 0;
  private closed = false;

  constructor(readonly threads: number) {
    this.workers = Array.from({ length: threads }, () => null);
  }

  run(job: MergeJob): Promise<MergeResult> {
    if (this.closed) return Promise.reject(new Error('compaction workers stopped'));
    const slot = this.next;
    this.next = (this.next + 1) % this.workers.length;
    let worker = this.workers[slot] ?? null;
    if (worker === null || worker.failed !== null) {
      worker = new CompactionWorker();
      this.workers[slot] = worker;
    }
    return worker.run(job);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w?.terminate()));
    this.workers.fill(null);
  }
}
