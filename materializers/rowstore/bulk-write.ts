// Bulk rows: the inserts of a multi-part transaction (a big COPY) into keys
// memory does not hold go to RocksDB directly, in batches, instead of staying
// in memory as dirty versions until a checkpoint. A 6M-row COPY held that way
// was ~750 bytes a row of heap (entry, key, version, byte views) and ran out
// of the default heap (issue 5, SF 1). See DESIGN.md, "Bulk rows".
//
// apply.ts decides at the last part's index which inserts take this path
// (tables without secondary indexes or pending truncations, keys with no
// entry in memory) and hands the parts' entry bytes here; nothing per row is
// kept in memory. Until the write lands, readers of those tables at or above
// its index wait before reading RocksDB (reads.ts); readers below it treat a
// stored row of that index as absent (the keys were fresh). The rows are in
// RocksDB before any checkpoint covers their index: a meta key (BulkAhead)
// says so until the next checkpoint batch deletes it, so a restart knows
// stored rows above its checkpoint index are such rows, and replay simply
// writes them again (same bytes).

import { invariant } from '../assert.js';
import { decodeEntry } from '../entries/index.js';
import { metaKey, MetaKind } from '../keys/index.js';
import type { StoreCore } from './core.js';
import type { KvBatchOp } from './kv-store.js';
import { keyString } from './state.js';
import { BatchBytes, encodeVaruint } from './storage-format.js';

/** Rows per RocksDB batch: each batch's ops and slabs are garbage once written (one batch of 6M rows was a 1 GB WriteBatch). */
export const bulkWriteBatchRowsMax = 1 << 15;

export interface BulkWrite {
  /** The transaction's last part: every row takes effect here. */
  readonly index: number;
  /** The txn parts' entry bytes, in part order. */
  readonly parts: readonly Uint8Array[];
  /** Tables whose inserts took the bulk path at apply. */
  readonly tableIds: ReadonlySet<number>;
}

/**
 * Writes the bulk rows of `write`: every insert into one of its tables
 * whose key memory does not hold now. A key memory holds now was either
 * held at apply (its version is in memory) or changed by a later entry (its
 * chain starts from the before-image and a checkpoint after this write
 * stores it): RocksDB must not get the older row after that. Not synced:
 * the log holds the transaction until a checkpoint covers its index.
 */
export async function writeBulk(core: StoreCore, write: BulkWrite): Promise<number> {
  core.storedAhead = true;
  let ops: KvBatchOp[] = [{ type: 'put', key: metaKey(MetaKind.BulkAhead), value: encodeVaruint(write.index) }];
  let bytes = new BatchBytes();
  let rows = 0;
  for (const data of write.parts) {
    const decoded = decodeEntry(data);
    invariant(decoded.type === 'txnPart', `bulk write at ${write.index}: a held part decodes as ${decoded.type}`);
    for (const effect of decoded.txn.effects) {
      if (effect.op !== 'insert' || effect.after === null || !write.tableIds.has(effect.tableId)) continue;
      // A table loaded by the COPY that created it holds nothing in memory: no key string per row to look up.
      const held = core.tables.get(effect.tableId)?.rows;
      if (held !== undefined && held.size > 0 && held.has(keyString(effect.key))) continue;
      ops.push({ type: 'put', key: bytes.rowKeyBytes(effect.tableId, effect.key), value: bytes.storedRow(write.index, effect.after) });
      rows++;
      if (ops.length >= bulkWriteBatchRowsMax) {
        await core.kv.batch(ops, { sync: false });
        ops = [];
        bytes = new BatchBytes();
      }
    }
  }
  if (ops.length > 0) await core.kv.batch(ops, { sync: false });
  core.bulkRowsWritten += rows;
  return rows;
}
