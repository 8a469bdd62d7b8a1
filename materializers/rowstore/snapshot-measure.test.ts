// Measurements, not assertions (timings are never assertions): skipped unless
// THUNDER_MEASURE_ROWS is set. Prints the time to stream a row store
// snapshot (pin + encode to 1 MiB chunks), to decode and install it into
// another store, and to build a column store from the installed rows. Run with:
//   THUNDER_MEASURE_ROWS=100000 npx vitest run materializers/rowstore/snapshot-measure.test.ts

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildColumnStore } from '../columnstore/index.js';
import { fullRange } from '../keys/index.js';
import { accounts, accountsId, EntryLog, withTempDir } from '../testing/fixtures.js';
import { openRowStore } from './row-store.js';
import { encodeSnapshot, SnapshotDecoder } from './snapshot-format.js';

const rows = Number(process.env['THUNDER_MEASURE_ROWS'] ?? 0);

describe.skipIf(rows === 0)('row store snapshot measurements', () => {
  it(`streams, installs and rebuilds the column store for ${rows} rows`, async () => {
    await withTempDir(async (dir) => {
      const log = new EntryLog();
      log.ddl({ kind: 'createTable', table: accounts });
      for (let k = 0; k < rows; k += 100) {
        log.txn(Array.from({ length: Math.min(100, rows - k) }, (_, j) => log.insert(accountsId, [k + j, `owner${(k + j) % 7}`, BigInt(k + j), `user${k + j}@example.com`])));
      }
      const source = await openRowStore({ directory: join(dir, 'a'), bufferPoolBytes: 64 << 20 });
      for (const e of log.entries) source.apply(e);
      await source.checkpoint();
      let t = performance.now();
      const pin = source.pinSnapshot();
      if (pin === undefined) throw new Error('no pin');
      const chunks: Uint8Array[] = [];
      let bytes = 0;
      for await (const chunk of encodeSnapshot({ index: pin.index, term: 1 }, pin.pairs(), 1 << 20)) {
        chunks.push(Buffer.from(chunk));
        bytes += chunk.length;
      }
      const streamMs = performance.now() - t;
      const target = await openRowStore({ directory: join(dir, 'b'), bufferPoolBytes: 64 << 20 });
      t = performance.now();
      async function* pairs(): AsyncGenerator<readonly [Uint8Array, Uint8Array]> {
        let ready: [Uint8Array, Uint8Array][] = [];
        const decoder = new SnapshotDecoder((k, v) => ready.push([k, v]));
        for (const chunk of chunks) {
          decoder.push(chunk);
          const out = ready;
          ready = [];
          yield* out;
        }
        decoder.finish();
      }
      await target.installSnapshot(pin.index, pairs());
      const installMs = performance.now() - t;
      t = performance.now();
      const columns = await buildColumnStore({ directory: join(dir, 'c') }, target.catalogAt(pin.index), pin.index, (id) => target.scan(id, fullRange, pin.index));
      const rebuildMs = performance.now() - t;
      expect(columns.stats().liveRows).toBe(rows);
      console.log(JSON.stringify({
        rows, snapshotBytes: bytes, chunks: chunks.length, streamMs: Math.round(streamMs), streamMBps: +(bytes / 1e3 / streamMs).toFixed(1),
        installMs: Math.round(installMs), installRowsPerS: Math.round(rows / (installMs / 1000)), columnRebuildMs: Math.round(rebuildMs),
        columnRebuildRowsPerS: Math.round(rows / (rebuildMs / 1000)),
      }));
      await columns.close();
      await target.close();
      await source.close();
    });
  }, 300_000);
});
