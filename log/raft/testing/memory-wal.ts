// An in-memory WriteAheadLog for tests. Writes take effect (become "durable")
// in call order when they resolve; holdWrites() keeps them pending so a test
// can observe ordering, and crashCopy() keeps only what was durable.

import { emptyHardState, type HardState, type LogEntry, type WriteAheadLog } from '../../types.js';

type Write =
  | { readonly kind: 'append'; readonly entries: readonly LogEntry[] }
  | { readonly kind: 'hardState'; readonly state: HardState };

interface QueuedWrite {
  readonly write: Write;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

export class MemoryWal implements WriteAheadLog {
  private entries: LogEntry[] = [];
  private first = 1;
  private compactedTerm = 0;
  private state: HardState = emptyHardState;
  /** Kinds of write held back (not durable) until releaseWrites(). */
  private readonly holding = new Set<Write['kind']>();
  private queue: QueuedWrite[] = [];
  private closed = false;
  /** Every write in the order it became durable: "append 3..5", "hardState 2/1/4". */
  readonly trace: string[] = [];
  appendCount = 0;
  /** Set to make the next append reject (an I/O error). */
  failNextAppend: Error | undefined;

  firstIndex(): number {
    return this.first;
  }

  lastIndex(): number {
    return this.first + this.entries.length - 1;
  }

  /** Writes take effect only when they are durable here, so everything stored is durable. */
  durableIndex(): number {
    return this.lastIndex();
  }

  term(index: number): number | undefined {
    if (index === this.first - 1) return this.compactedTerm;
    return this.entries[index - this.first]?.term;
  }

  append(entries: readonly LogEntry[]): Promise<void> {
    this.appendCount++;
    return this.enqueue({ kind: 'append', entries: [...entries] });
  }

  saveHardState(state: HardState): Promise<void> {
    return this.enqueue({ kind: 'hardState', state });
  }

  hardState(): HardState {
    return this.state;
  }

  async read(lo: number, hi: number): Promise<LogEntry[]> {
    if (lo < this.first || hi > this.lastIndex() + 1 || lo > hi) {
      throw new RangeError(`read [${lo}, ${hi}) outside [${this.first}, ${this.lastIndex() + 1})`);
    }
    return this.entries.slice(lo - this.first, hi - this.first);
  }

  async compact(index: number): Promise<void> {
    if (index < this.first || index > this.lastIndex()) return;
    this.compactedTerm = this.term(index) ?? 0;
    this.entries = this.entries.slice(index + 1 - this.first);
    this.first = index + 1;
  }

  /** What a SnapshotSink does on install: the log restarts empty after `index`, whose term is `term`. */
  restoreSnapshot(index: number, term: number): void {
    this.entries = [];
    this.first = index + 1;
    this.compactedTerm = term;
    this.trace.push(`snapshot ${index}/${term}`);
  }

  async reset(index: number, term: number): Promise<void> {
    this.restoreSnapshot(index, term);
  }

  sizeBytes(): number {
    return this.entries.reduce((sum, entry) => sum + entry.data.byteLength + 24, 0);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  isClosed(): boolean {
    return this.closed;
  }

  /** Writes (all, or of one kind) stay pending, not durable, until releaseWrites(). */
  holdWrites(kind?: Write['kind']): void {
    if (kind === undefined || kind === 'append') this.holding.add('append');
    if (kind === undefined || kind === 'hardState') this.holding.add('hardState');
  }

  pendingWriteCount(): number {
    return this.queue.length;
  }

  /** Makes every held write durable, in call order, and resolves it. */
  releaseWrites(): void {
    this.holding.clear();
    const queue = this.queue;
    this.queue = [];
    for (const queued of queue) this.perform(queued);
  }

  /** A new WAL holding only what was durable here, as after a crash. */
  crashCopy(): MemoryWal {
    const copy = new MemoryWal();
    copy.entries = [...this.entries];
    copy.first = this.first;
    copy.compactedTerm = this.compactedTerm;
    copy.state = this.state;
    return copy;
  }

  private enqueue(write: Write): Promise<void> {
    if (this.closed) return Promise.reject(new Error('MemoryWal is closed'));
    return new Promise<void>((resolve, reject) => {
      const queued = { write, resolve, reject };
      if (this.holding.has(write.kind)) this.queue.push(queued);
      else queueMicrotask(() => this.perform(queued));
    });
  }

  private perform({ write, resolve, reject }: QueuedWrite): void {
    try {
      if (write.kind === 'append') this.applyAppend(write.entries);
      else this.applyHardState(write.state);
      resolve();
    } catch (error) {
      reject(error as Error);
    }
  }

  private applyAppend(entries: readonly LogEntry[]): void {
    if (this.failNextAppend !== undefined) {
      const error = this.failNextAppend;
      this.failNextAppend = undefined;
      throw error;
    }
    const first = entries[0];
    if (first === undefined) return;
    if (first.index > this.lastIndex() + 1 || first.index < this.first) {
      throw new RangeError(`append at ${first.index} with log [${this.first}, ${this.lastIndex()}]`);
    }
    this.entries.length = first.index - this.first;
    this.entries.push(...entries);
    this.trace.push(`append ${first.index}..${first.index + entries.length - 1}`);
  }

  private applyHardState(state: HardState): void {
    this.state = state;
    this.trace.push(`hardState ${state.term}/${state.vote}/${state.commit}`);
  }
}
