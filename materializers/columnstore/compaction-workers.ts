// The `compaction_threads` worker threads: each runs merge jobs
// (merge-kernel.ts) so the array copying of a compaction happens off the
// thread that applies the log and answers queries. Jobs go round-robin; a
// worker holds the process open only while it has a job. The workers' code
// is the merge kernel's own source text (eval'd), so the TypeScript the
// tests run and the JavaScript in dist/ are the same code.

import { RequestWorker } from '../request-worker.js';
import { mergeKernelFunctions, resultBuffers, type MergeJob, type MergeResult } from './merge-kernel.js';

const workerSource = `
const { parentPort } = require('node:worker_threads');
// A bundler keeping function names (esbuild keepNames) wraps inner functions in __name(fn, name).
const __name = (f) => f;
${[...mergeKernelFunctions, resultBuffers].map((f) => f.toString()).join('\n')}
parentPort.on('message', (m) => {
  try {
    const value = mergeJob(m.job);
    parentPort.postMessage({ id: m.id, value }, resultBuffers(value));
  } catch (error) {
    parentPort.postMessage({ id: m.id, error: String(error && error.stack || error) });
  }
});
`;

type CompactionWorker = RequestWorker<{ readonly job: MergeJob }, MergeResult>;

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
      worker = new RequestWorker(workerSource, 'compaction worker');
      this.workers[slot] = worker;
    }
    return worker.request({ job });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w?.terminate()));
    this.workers.fill(null);
  }
}
