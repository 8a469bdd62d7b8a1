// Row-at-a-time access to scan batches: the slow path for tests, tools and
// the executor's fallback. Allocates one array per row.

import type { SqlValue } from '../entries/index.js';
import type { ScanBatch } from './scan.js';
import { vectorValue } from './vectors.js';

/** The visible rows of scan batches, in scan order, one value per requested column. */
export function batchRows(batches: Iterable<ScanBatch>): SqlValue[][] {
  const out: SqlValue[][] = [];
  for (const batch of batches) {
    const take = (offset: number): void => {
      out.push(batch.columns.map((v) => vectorValue(v, offset)));
    };
    if (batch.selection === null) for (let i = 0; i < batch.rowCount; i++) take(i);
    else for (const offset of batch.selection) take(offset);
  }
  return out;
}
