// The preallocator's one safety rule: zeros never land on a record. Driven
// over a fake file whose writes finish only when the test says, so claims
// can be made while a chunk is in flight.
import { describe, expect, it } from 'vitest';
import type { WalFile } from './fs.js';
import { Preallocator } from './preallocator.js';

interface ZeroWrite {
  readonly start: number;
  readonly end: number;
  readonly finish: () => void;
}

function fakeFile(initialBytes: number): { file: WalFile; writes: ZeroWrite[]; syncs: () => number } {
  const writes: ZeroWrite[] = [];
  let syncs = 0;
  const file: WalFile = {
    read: () => Promise.resolve(0),
    writev: (buffers, position) => {
      const bytes = buffers.reduce((sum, buffer) => sum + buffer.length, 0);
      expect(buffers.every((buffer) => buffer.every((byte) => byte === 0))).toBe(true);
      return new Promise<void>((resolve) => writes.push({ start: position, end: position + bytes, finish: resolve }));
    },
    datasync: () => {
      syncs += 1;
      return Promise.resolve();
    },
    truncate: () => Promise.resolve(),
    sizeBytes: () => Promise.resolve(initialBytes),
    close: () => Promise.resolve(),
  };
  return { file, writes, syncs: () => syncs };
}

async function settle(): Promise<void> {
  for (let k = 0; k < 10; k += 1) await Promise.resolve();
}

describe('Preallocator', () => {
  it('zeros only past every claimed range; a write reaching the chunk in flight waits for it', async () => {
    const { file, writes, syncs } = fakeFile(32);
    const pre = new Preallocator(file, 32, 64 * 1024 * 1024);
    // Records claimed while the file size is being read.
    expect(pre.claim(500)).toBeUndefined();
    await settle();
    const first = writes[0];
    expect(first).toBeDefined();
    if (first === undefined) return;
    // Started ahead of the records, so appends need not wait for it.
    expect(first.start).toBeGreaterThanOrEqual(500);
    expect(pre.claim(first.start)).toBeUndefined();
    const waiting = pre.claim(first.start + 1);
    expect(waiting).toBeInstanceOf(Promise);
    let released = false;
    void waiting?.then(() => (released = true));
    await settle();
    expect(released).toBe(false);
    first.finish();
    await settle();
    expect(released).toBe(true);
    expect(syncs()).toBe(1);
    // The next chunk starts at the end of the zeros, past the last claim.
    const second = writes[1];
    expect(second?.start).toBe(first.end);
    second?.finish();
    await settle();
    for (const write of writes) write.finish();
    await pre.stop();
    // Every chunk was issued past what was claimed before it.
    expect(writes.every((write, k) => k === 0 || write.start >= (writes[k - 1]?.end ?? 0))).toBe(true);
  });

  async function preallocated(targetBytes: number): Promise<number> {
    const { file, writes } = fakeFile(32);
    const pre = new Preallocator(file, 32, targetBytes);
    for (let k = 0; k < 40; k += 1) {
      await settle();
      for (const write of writes) write.finish();
    }
    await pre.stop();
    return pre.fileEnd;
  }

  it('fills a small segment up to its size, and keeps a large one only a few MiB ahead', async () => {
    expect(await preallocated(1024 * 1024 + 100)).toBe(1024 * 1024 + 100);
    const ahead = await preallocated(64 * 1024 * 1024);
    expect(ahead).toBeGreaterThanOrEqual(2 * 1024 * 1024);
    expect(ahead).toBeLessThanOrEqual(3 * 1024 * 1024);
  });

  it('a failed zero write fails the next claim (the WAL is then poisoned)', async () => {
    const file: WalFile = { ...fakeFile(32).file, writev: () => Promise.reject(new Error('ENOSPC: simulated')) };
    const pre = new Preallocator(file, 32, 1024 * 1024);
    await settle();
    expect(() => pre.claim(100)).toThrow(/ENOSPC/);
    await pre.stop();
  });

  it('disabled (size 0): writes nothing, still learns the file size (a roll cuts an old tail)', async () => {
    const { file, writes } = fakeFile(5000);
    const pre = new Preallocator(file, 100, 0);
    await pre.stop();
    expect(writes).toHaveLength(0);
    expect(pre.fileEnd).toBe(5000);
  });
});
