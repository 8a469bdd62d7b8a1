import { describe, expect, it } from 'vitest';
import { withTempDir } from '../testing/fixtures.js';
import { kvBatchSliceOpsMax, openRocksKvStore, type KvBatchOp } from './kv-store.js';

const key = (n: number): Uint8Array => Buffer.from(`k${String(n).padStart(6, '0')}`);

describe('RocksKvStore.batch', () => {
  it('writes a batch larger than one slice completely and at once, puts and deletes in order', async () => {
    await withTempDir(async (dir) => {
      const kv = await openRocksKvStore(dir);
      try {
        const count = kvBatchSliceOpsMax * 2 + 17;
        await kv.batch([{ type: 'put', key: key(0), value: Buffer.from('stale') }], { sync: false });
        const ops: KvBatchOp[] = [{ type: 'del', key: key(0) }];
        for (let n = 0; n < count; n++) ops.push({ type: 'put', key: key(n), value: Buffer.from(`v${n}`) });
        ops.push({ type: 'del', key: key(5) });
        let turns = 0;
        const ticker = setInterval(() => turns++, 0);
        const written = kv.batch(ops, { sync: true });
        // Nothing is visible before the single write at the end.
        expect(Buffer.from((await kv.get(key(0))) ?? []).toString()).toBe('stale');
        await written;
        clearInterval(ticker);
        expect(turns).toBeGreaterThan(0);
        expect(Buffer.from((await kv.get(key(0))) ?? []).toString()).toBe('v0');
        expect(await kv.get(key(5))).toBeUndefined();
        expect(Buffer.from((await kv.get(key(count - 1))) ?? []).toString()).toBe(`v${count - 1}`);
        let seen = 0;
        const it = kv.iterate({});
        while ((await it.next()) !== undefined) seen++;
        await it.close();
        expect(seen).toBe(count - 1);
      } finally {
        await kv.close();
      }
    });
  });
});
