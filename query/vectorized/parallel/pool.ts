// A small pool of worker threads running fused kernels (kernel.ts) over
// segments whose columns live in SharedArrayBuffers. Started when the server
// starts (startParallelScanWorkers) or else on first use, unref'd while idle (an idle pool never keeps a process alive; a worker with
// a request outstanding does, so a one-shot process gets its answer), one
// message per worker per query: that worker's segments, each with its kernel
// source.

import { availableParallelism } from 'node:os';
import { RequestWorker } from '../../../materializers/request-worker.js';
import { runKernel, workerSource, type KernelInput, type KernelOutput } from './kernel.js';

/** One worker's request: its tasks, and how many sums each group has. */
type PooledWorker = RequestWorker<{ readonly sumCount: number; readonly tasks: readonly KernelInput[] }, KernelOutput[]>;

function newWorker(): PooledWorker {
  return new RequestWorker(workerSource, 'parallel scan worker');
}

let workers: PooledWorker[] = [];
let configured: number | null = null;

/** Threads used for one parallel scan (the `parallelScanWorkers` setting, else the machine's parallelism). */
export function parallelDegree(): number {
  return Math.max(1, configured ?? availableParallelism());
}

/** Sets the pool size (0 or 1: no workers, scans run on the calling thread); null: the machine's parallelism. */
export async function setParallelScanWorkers(n: number | null): Promise<void> {
  configured = n;
  const old = workers;
  workers = [];
  await Promise.all(old.map((w) => w.terminate()));
}

/**
 * Starts the pool's workers now rather than on the first parallel scan,
 * which otherwise waits for their boot (measured ~50 ms each on an idle
 * machine, far more under load, on top of the scan). Unref'd: idle workers
 * keep no process alive.
 */
export function startParallelScanWorkers(): void {
  const degree = parallelDegree();
  if (degree < 2) return;
  workers = workers.filter((w) => w.failed === null);
  while (workers.length < degree) workers.push(newWorker());
}

/** Workers started and not failed (tests; the pool's state). */
export function parallelScanWorkersRunning(): number {
  return workers.filter((w) => w.failed === null).length;
}

/** Runs each worker's share of tasks; results in task order. Rejects when a worker failed (the caller then runs serially). */
export async function runOnPool(sumCount: number, shares: readonly (readonly KernelInput[])[]): Promise<KernelOutput[][]> {
  workers = workers.filter((w) => w.failed === null);
  while (workers.length < shares.length) workers.push(newWorker());
  return Promise.all(shares.map((share, w) => (workers[w] as PooledWorker).request({ sumCount, tasks: share })));
}

/**
 * Runs every input's kernel, spread over `degree` workers when `parallel`
 * (each input to the least-loaded worker by rows, in scan order), else, or
 * when a worker fails, on this thread (same answer). Outputs in input order;
 * `used` is the number of threads that ran them.
 */
export async function runSpread(sumCount: number, inputs: readonly KernelInput[], parallel: boolean, degree: number): Promise<{ outputs: KernelOutput[]; used: number }> {
  if (parallel) {
    const shares: KernelInput[][] = Array.from({ length: degree }, () => []);
    const owner: [number, number][] = [];
    const load = new Array<number>(degree).fill(0);
    for (const input of inputs) {
      let w = 0;
      for (let j = 1; j < degree; j++) if ((load[j] ?? 0) < (load[w] ?? 0)) w = j;
      owner.push([w, shares[w]?.length ?? 0]);
      shares[w]?.push(input);
      load[w] = (load[w] ?? 0) + input.count;
    }
    try {
      const results = await runOnPool(sumCount, shares);
      return { outputs: owner.map(([w, k]) => results[w]?.[k] as KernelOutput), used: degree };
    } catch {
      // A worker failed: this thread does the work.
    }
  }
  return { outputs: inputs.map((input) => runKernel(sumCount, input)), used: 1 };
}
