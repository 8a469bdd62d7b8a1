// A scan through a transaction: the snapshot's rows in key order merged with
// the keys the transaction wrote (also in key order). A written key replaces
// the snapshot's row, or hides it when the transaction deleted it; keys only
// the transaction has are inserted in order.

import type { KeyedRow, Row } from '../../materializers/index.js';
import { compareBytes } from '../../materializers/index.js';
import type { WriteSetRow } from './write-set.js';

export type MakeHandle<H> = (key: Uint8Array, row: Row, fromWriteSet: boolean) => H;

/** Yields batches of at most `batchRows` handles. */
export async function* mergeScan<H>(
  base: AsyncIterable<KeyedRow>,
  writes: readonly WriteSetRow[],
  batchRows: number,
  make: MakeHandle<H>,
): AsyncGenerator<H[]> {
  const batch: H[] = [];
  let w = 0;
  const flushWritesBelow = (key: Uint8Array | null): void => {
    while (w < writes.length) {
      const write = writes[w] as WriteSetRow;
      if (key !== null && compareBytes(write.key, key) >= 0) return;
      if (write.row !== null) batch.push(make(write.key, write.row, true));
      w++;
    }
  };
  for await (const item of base) {
    if (w < writes.length) {
      flushWritesBelow(item.key);
      const write = writes[w];
      if (write !== undefined && compareBytes(write.key, item.key) === 0) {
        if (write.row !== null) batch.push(make(write.key, write.row, true));
        w++;
      } else {
        batch.push(make(item.key, item.row, false));
      }
    } else {
      batch.push(make(item.key, item.row, false));
    }
    while (batch.length >= batchRows) yield batch.splice(0, batchRows);
  }
  flushWritesBelow(null);
  while (batch.length > 0) yield batch.splice(0, batchRows);
}
