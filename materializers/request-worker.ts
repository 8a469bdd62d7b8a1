// A worker thread answering numbered requests: the eval'd source posts back
// `{ id, value }` or `{ id, error }` for each `{ id, ...request }` it gets.
// The worker holds the process open only while a request is outstanding, and
// once it errors or exits every outstanding and later request fails with
// that error (the owner replaces it). Used by the column store's compaction
// workers and the query layer's parallel-scan pool.

import { Worker } from 'node:worker_threads';

interface Pending<R> {
  resolve(value: R): void;
  reject(error: Error): void;
}

export class RequestWorker<Q extends object, R> {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending<R>>();
  private nextId = 1;
  failed: Error | null = null;

  /** `what` names the worker in errors ("compaction worker"). */
  constructor(source: string, private readonly what: string) {
    this.worker = new Worker(source, { eval: true, name: `thunderdb ${what}` });
    this.worker.unref();
    this.worker.on('message', (m: { id: number; value?: R; error?: string }) => {
      const p = this.pending.get(m.id);
      if (p === undefined) return;
      this.pending.delete(m.id);
      if (this.pending.size === 0) this.worker.unref();
      if (m.value !== undefined) p.resolve(m.value);
      else p.reject(new Error(`${what} failed: ${m.error ?? 'no result'}`));
    });
    const fail = (error: Error): void => {
      this.failed = error;
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
      this.worker.unref();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`${what} exited (code ${code})`)));
  }

  /** Posts the request (structured clone: SharedArrayBuffer-backed arrays are shared, others copied). */
  request(request: Q): Promise<R> {
    if (this.failed !== null) return Promise.reject(this.failed);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...request, id });
    });
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}
