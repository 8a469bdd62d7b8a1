// COMMIT: validate (SERIALIZABLE), turn the write set into txn entries, mark
// them pending in the tracker in the same turn as the validation, propose,
// and resolve once every entry is committed and applied. Locks are released
// by the caller afterwards (Transaction.end), so no other writer can touch
// these keys before the row store shows the new versions.

import {
  encodeTxnEntry, type Catalog, type RowLayout, type SequenceMark, type TxnEffect, type TxnEntry,
} from '../../materializers/index.js';
import type { EngineCore } from './engine-core.js';
import { EngineSqlState, invariant, serializationFailure, sqlError } from './errors.js';
import { rowResource } from './keys.js';
import { txnEntryEffectsMax } from './limits.js';
import type { Transaction } from './transaction.js';
import type { WriteEffect } from './write-set.js';

/** How full a chunk of a split transaction is planned to be (rows vary in size around the average). */
const chunkFillRatio = 0.8;

/** Commits `txn`'s writes. Does not end the transaction. Throws 40001 (validation) or a log error. */
export async function commitWrites(core: EngineCore, txn: Transaction): Promise<void> {
  const marks = sequenceMarks(core, txn);
  if (txn.writes.isEmpty() && marks.length === 0) return;
  if (txn.isolation === 'serializable') validateReadSet(core, txn);
  const catalog = core.catalog();
  const effects = txn.writes.effects().map(toTxnEffect);
  const base = { txnId: txn.txnId, sessionId: txn.sessionId, commitTsMicros: core.nowMicros() };
  const entries = encodeEntries(base, effects, marks, layoutsOf(catalog), core.txnEntryBytesMax);
  const keys = txn.writes.effects().map((e) => rowResource(e.tableId, e.keyText));
  core.tracker.registerPending(txn.txnId, keys, txn.writes.tableIds(), entries.length);
  try {
    // Proposed together: the log appends in call order, and a later entry never commits without an earlier one.
    await Promise.all(entries.map((data) => core.propose(data)));
  } catch (error) {
    core.tracker.clearPending(txn.txnId);
    throw error;
  }
}

function toTxnEffect(e: WriteEffect): TxnEffect {
  switch (e.op) {
    case 'insert': return { tableId: e.tableId, op: e.op, key: e.key, after: e.after };
    case 'update': return { tableId: e.tableId, op: e.op, key: e.key, after: e.after, before: e.before };
    case 'delete': return { tableId: e.tableId, op: e.op, key: e.key, before: e.before };
    default: {
      const never: never = e.op;
      throw new Error(`unreachable effect op ${String(never)}`);
    }
  }
}

/**
 * The counter's current value for every sequence the transaction drew from
 * (not the transaction's own last value: marks must only move forward in log
 * order, whoever drew in between). Sequences dropped meanwhile are left out.
 */
function sequenceMarks(core: EngineCore, txn: Transaction): SequenceMark[] {
  const catalog = core.catalog();
  const marks: SequenceMark[] = [];
  for (const sequenceId of txn.sequencesUsed) {
    const value = core.sequences.current(sequenceId);
    if (value !== undefined && catalog.sequenceById(sequenceId) !== undefined) marks.push({ sequenceId, value });
  }
  return marks;
}

function layoutsOf(catalog: Catalog): (tableId: number) => RowLayout {
  return (tableId) => {
    const table = catalog.tableById(tableId);
    invariant(table !== undefined, `txn effect on table ${tableId}, which no longer exists (writers hold a table lock)`);
    return table.layout;
  };
}

/**
 * SERIALIZABLE: every key read and every table scanned must be unchanged
 * since the snapshot (pending commits count as changed). With first-updater-
 * wins on the keys written, the transaction is then equivalent to running
 * entirely at its commit point. Read-only transactions need no check: they
 * serialise at their snapshot.
 */
function validateReadSet(core: EngineCore, txn: Transaction): void {
  const readIndex = txn.snapshotIndex();
  if (readIndex === undefined || txn.writes.isEmpty()) return;
  for (const tableId of txn.readTables) {
    if (core.tracker.tableChangedAfter(tableId, readIndex)) throw serializationFailure('readWrite');
  }
  for (const [tableId, keys] of txn.readKeys) {
    for (const key of keys) if (core.tracker.keyChangedAfter(tableId, key, readIndex)) throw serializationFailure('readWrite');
  }
}

/**
 * One entry when it fits; otherwise consecutive entries of at most
 * `bytesMax` bytes and txnEntryEffectsMax effects each (sequence marks go in
 * the first). The whole-transaction attempt measures the average effect, so
 * chunks are sized once; a chunk that still does not fit is halved. See
 * DESIGN.md, "Large transactions", for what splitting gives up.
 */
export function encodeEntries(
  base: Omit<TxnEntry, 'effects' | 'sequences'>,
  effects: readonly TxnEffect[],
  marks: readonly SequenceMark[],
  layoutOf: (tableId: number) => RowLayout,
  bytesMax: number,
): Uint8Array[] {
  let perChunk = txnEntryEffectsMax;
  if (effects.length <= txnEntryEffectsMax) {
    const whole = encodeTxnEntry({ ...base, effects, sequences: marks }, layoutOf);
    if (whole.length <= bytesMax) return [whole];
    perChunk = Math.max(1, Math.floor((chunkFillRatio * bytesMax * effects.length) / whole.length));
  }
  const out: Uint8Array[] = [];
  const encode = (from: number, to: number): void => {
    const data = encodeTxnEntry({ ...base, effects: effects.slice(from, to), sequences: out.length === 0 ? marks : [] }, layoutOf);
    if (data.length <= bytesMax) {
      out.push(data);
    } else if (to - from > 1) {
      const mid = from + Math.floor((to - from) / 2);
      encode(from, mid);
      encode(mid, to);
    } else {
      throw sqlError(EngineSqlState.programLimitExceeded, `a row of ${data.length} bytes does not fit in one log entry (at most ${bytesMax} bytes)`);
    }
  };
  for (let from = 0; from < effects.length; from += perChunk) encode(from, Math.min(effects.length, from + perChunk));
  return out;
}
