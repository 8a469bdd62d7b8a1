// Model-based test: random sequences of appends (some replacing the tail, some
// concurrent), compactions, reads and reopens, checked against a plain array.
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LogEntry } from '../types.js';
import { openWal } from './index.js';
import type { Wal, WalCompression } from './index.js';
import { captureLogger, makeEntries, removeDir, tempDir, walOptions } from './test-support.js';

type Op =
  | { readonly kind: 'append'; readonly back: number; readonly count: number; readonly bump: boolean; readonly sizeBytes: number; readonly wait: boolean }
  | { readonly kind: 'compact'; readonly back: number }
  | { readonly kind: 'read'; readonly from: number; readonly span: number }
  | { readonly kind: 'reopen' };

const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('append' as const), back: fc.nat(6), count: fc.integer({ min: 1, max: 12 }), bump: fc.boolean(), sizeBytes: fc.nat(300), wait: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('compact' as const), back: fc.nat(30) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('read' as const), from: fc.nat(1000), span: fc.nat(40) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reopen' as const) }) },
);

interface Model {
  entries: LogEntry[]; // entries[i] has index firstIndex + i
  firstIndex: number;
  term: number;
  compactedMax: number;
}

function key(entries: readonly LogEntry[]): string[] {
  return entries.map((entry) => `${entry.index}/${entry.term}/${Buffer.from(entry.data).toString('base64')}`);
}

class Harness {
  wal!: Wal;
  pending: Promise<void>[] = [];
  model: Model = { entries: [], firstIndex: 1, term: 1, compactedMax: 0 };

  constructor(
    private readonly dir: string,
    private readonly compression: WalCompression,
    private readonly cacheBytes: number,
  ) {}

  async open(): Promise<void> {
    this.wal = await openWal(walOptions(this.dir, captureLogger().logger, { segmentSizeBytes: 1024, compression: this.compression, cacheBytes: this.cacheBytes }));
  }

  get lastIndex(): number {
    return this.model.firstIndex + this.model.entries.length - 1;
  }

  async step(op: Op): Promise<void> {
    switch (op.kind) {
      case 'append':
        return this.append(op.back, op.count, op.bump, op.sizeBytes, op.wait);
      case 'compact':
        return this.compact(op.back);
      case 'read':
        return this.read(op.from, op.span);
      case 'reopen':
        await Promise.all(this.pending.splice(0));
        await this.wal.close();
        return this.open();
      default: {
        const unreachable: never = op;
        throw new Error(String(unreachable));
      }
    }
  }

  private async append(back: number, count: number, bump: boolean, sizeBytes: number, wait: boolean): Promise<void> {
    const lowest = Math.max(this.model.firstIndex, this.model.compactedMax + 1);
    const first = Math.max(lowest, this.lastIndex + 1 - back);
    if (first <= this.lastIndex || bump) this.model.term += 1; // a replacement comes from a newer leader
    const entries = makeEntries(first, count, this.model.term, sizeBytes, sizeBytes % 2 === 0);
    this.model.entries.splice(first - this.model.firstIndex, Infinity, ...entries);
    const done = this.wal.append(entries);
    expect(this.wal.lastIndex()).toBe(this.lastIndex);
    if (wait) await done;
    else this.pending.push(done);
  }

  private async compact(back: number): Promise<void> {
    const index = Math.max(0, this.lastIndex - back);
    this.model.compactedMax = Math.max(this.model.compactedMax, index);
    await this.wal.compact(index);
    const first = this.wal.firstIndex();
    expect(first).toBeGreaterThanOrEqual(this.model.firstIndex);
    expect(first).toBeLessThanOrEqual(Math.max(this.model.firstIndex, index + 1));
    const prevTerm = this.model.entries[first - 1 - this.model.firstIndex]?.term;
    this.model.entries.splice(0, first - this.model.firstIndex);
    this.model.firstIndex = first;
    if (prevTerm !== undefined) expect(this.wal.term(first - 1)).toBe(prevTerm);
  }

  private async read(from: number, span: number): Promise<void> {
    const size = this.model.entries.length;
    const lo = this.model.firstIndex + (size === 0 ? 0 : from % size);
    const hi = Math.min(lo + span, this.lastIndex + 1);
    const got = await this.wal.read(lo, hi);
    expect(key(got)).toEqual(key(this.model.entries.slice(lo - this.model.firstIndex, hi - this.model.firstIndex)));
  }

  async checkAll(): Promise<void> {
    await Promise.all(this.pending.splice(0));
    expect([this.wal.firstIndex(), this.wal.lastIndex()]).toEqual([this.model.firstIndex, this.lastIndex]);
    for (const entry of this.model.entries) expect(this.wal.term(entry.index)).toBe(entry.term);
    expect(key(await this.wal.read(this.model.firstIndex, this.lastIndex + 1))).toEqual(key(this.model.entries));
  }
}

let dirs: string[] = [];
beforeEach(() => {
  dirs = [];
});
afterEach(async () => {
  for (const dir of dirs) await removeDir(dir);
});

describe('WAL against a model', () => {
  it('agrees after random appends, truncations, compactions, reads and reopens', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(opArbitrary, { minLength: 5, maxLength: 60 }),
        fc.constantFrom<WalCompression>('none', 'lz4', 'zstd'),
        fc.constantFrom(0, 2048, 1 << 20),
        async (ops, compression, cacheBytes) => {
          const dir = await tempDir();
          dirs.push(dir);
          const harness = new Harness(dir, compression, cacheBytes);
          await harness.open();
          try {
            for (const op of ops) await harness.step(op);
            await harness.checkAll();
            await harness.step({ kind: 'reopen' });
            await harness.checkAll();
          } finally {
            await harness.wal.close();
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
