// COMMIT: validate (SERIALIZABLE), turn the write set into a txn entry (or
// the parts of a multi-part transaction), mark it pending in the tracker in
// the same turn as the validation, propose, and resolve once it is committed
// and applied. Locks are released by the caller afterwards (Transaction.end),
// so no other writer can touch these keys before the row store shows the new
// versions.

import {
  applyDdl, EffectTooLargeError, encodeDdlEntry, type EncodedEffectChunk, encodeTxnAbortEntry, encodeTxnEntry, TxnStreamEncoder, type Catalog, type RowLayout, type SequenceMark, type TxnEffect, type TxnEntry,
} from '../../materializers/index.js';
import type { ProposalResult } from '../../log/index.js';
import type { EngineCore } from './engine-core.js';
import { EngineSqlState, invariant, serializationFailure, sqlError } from './errors.js';
import { rowResource } from './keys.js';
import { trackerTxnKeysPerTableMax, txnEntryEffectsMax } from './limits.js';
import type { BulkWrite, Transaction } from './transaction.js';
import type { WriteEffect } from './write-set.js';

/** Write sets up to this many effects are encoded as one entry directly (TxnStreamEncoder only if that is too large). */
const smallTxnEffectsMax = 64;

/** Commits `txn`'s writes. Does not end the transaction. Throws 40001 (validation) or a log error. */
export async function commitWrites(core: EngineCore, txn: Transaction): Promise<void> {
  const marks = sequenceMarks(core, txn);
  if (!txn.hasWrites() && marks.length === 0 && txn.ddl.length === 0) return;
  if (txn.isolation === 'serializable') validateReadSet(core, txn);
  // With DDL in the block, its private catalog: the layouts of the tables it created or changed.
  const catalog = txn.catalog();
  const writes = txn.writes.effects();
  const base = { txnId: txn.txnId, sessionId: txn.sessionId, commitTsMicros: core.nowMicros() };
  const bulk = txn.bulk;
  const ddlParts = encodeDdlParts(core, txn, writes.length > 0 || marks.length > 0 || bulk !== null);
  const rowParts = writes.length > 0 || marks.length > 0 || bulk !== null || ddlParts.length === 0
    ? encodeWrites({ ...base, sequences: marks }, writes, bulk, layoutsOf(catalog), core.txnEntryBytesMax, ddlParts.length)
    : [];
  // The bulk rows are in the parts now: the transaction holds them once, not twice, while they commit.
  txn.bulk = null;
  const entries = [...ddlParts, ...rowParts];
  const { keys, bulkTables } = pendingKeys(txn.writes.effects());
  if (bulk !== null && !bulkTables.includes(bulk.tableId)) bulkTables.push(bulk.tableId);
  const tableIds = txn.writes.tableIds();
  core.tracker.registerPending(txn.txnId, keys, bulk === null || tableIds.includes(bulk.tableId) ? tableIds : [...tableIds, bulk.tableId], bulkTables);
  const only = entries.length === 1 && ddlParts.length === 0 ? entries[0] : undefined;
  if (only !== undefined) core.tracker.noteOwnEntry(txn.txnId, only);
  else core.tracker.noteOwnParts(txn.txnId, entries);
  try {
    await proposeTxn(core, txn.txnId, entries);
  } catch (error) {
    core.tracker.clearPending(txn.txnId);
    throw error;
  }
}

/**
 * Proposes a transaction's entry, or all its parts in one synchronous loop:
 * the log appends each proposal at once (or refuses it), so the parts land at
 * consecutive indexes of one term, which is what the row store requires of
 * them (materializers/entries/txn-parts.ts). Resolves once the last entry is
 * committed and applied. If a part is refused, the parts already appended are
 * a prefix the next entry drops; an abort marker is proposed once they settle
 * so that happens promptly even on an idle node.
 */
export async function proposeTxn(core: Pick<EngineCore, 'propose' | 'logger'>, txnId: bigint, entries: readonly Uint8Array[]): Promise<void> {
  const proposals: Promise<ProposalResult>[] = [];
  for (const data of entries) proposals.push(core.propose(data));
  try {
    await Promise.all(proposals);
  } catch (error) {
    if (entries.length > 1) {
      void Promise.allSettled(proposals)
        .then(() => core.propose(encodeTxnAbortEntry(txnId)))
        .catch((abortError: unknown) => core.logger.debug({ err: abortError, txnId: String(txnId) }, 'abort marker not proposed; the next entry drops the parts'));
    }
    throw error;
  }
}

/**
 * The DDL a transaction block ran, as its first parts (DdlPart entries, one
 * per statement, in order): the row parts that follow are written in the
 * layouts they create. Folded again from the committed catalog first: the
 * block has held the DDL lock since its first DDL, so it must apply as it did.
 */
function encodeDdlParts(core: EngineCore, txn: Transaction, rowsFollow: boolean): Uint8Array[] {
  let catalog = core.catalog();
  for (const step of txn.ddl) catalog = applyDdl(catalog, step.entry);
  return txn.ddl.map((step, number) =>
    encodeDdlEntry(step.entry, { txnId: txn.txnId, number, continues: rowsFollow || number < txn.ddl.length - 1 }));
}

/**
 * The write set as one txn entry, or as parts after `firstPartNumber` (the
 * DDL parts before them), each row encoded once as it is added
 * (TxnStreamEncoder): encodeEntries encoded a large transaction's rows twice
 * (a whole attempt, then the chunks) plus an effect object per row.
 */
function encodeWrites(
  header: Omit<TxnEntry, 'effects'>, writes: readonly WriteEffect[], bulk: BulkWrite | null, layoutOf: (tableId: number) => RowLayout,
  bytesMax: number, firstPartNumber: number,
): Uint8Array[] {
  // A bulk COPY comes last: any statement after it moved its rows into the write set (Transaction.materializeBulk).
  return encodeEffects(header, writes.length, (i) => toTxnEffect(writes[i] as WriteEffect), layoutOf, bytesMax, firstPartNumber, bulk?.chunks ?? []);
}

/** encodeWrites over effects given by position (the write set's, or a caller's TxnEffect list). */
function encodeEffects(
  header: Omit<TxnEntry, 'effects'>, count: number, effectAt: (i: number) => TxnEffect, layoutOf: (tableId: number) => RowLayout,
  bytesMax: number, firstPartNumber: number, encoded: EncodedEffectChunk[] = [],
): Uint8Array[] {
  if (firstPartNumber === 0 && count <= smallTxnEffectsMax && encoded.length === 0) {
    // The common OLTP commit: one entry, one writer, no stream buffers.
    const whole = encodeTxnEntry({ ...header, effects: Array.from({ length: count }, (_, i) => effectAt(i)) }, layoutOf);
    if (whole.length <= bytesMax) return [whole];
  }
  const stream = new TxnStreamEncoder(header, layoutOf, bytesMax, txnEntryEffectsMax, firstPartNumber);
  try {
    for (let i = 0; i < count; i++) stream.add(effectAt(i));
    // Taken out as they are copied into parts: the COPY's bytes are held once, not twice, at the peak.
    for (let chunk = encoded.shift(); chunk !== undefined; chunk = encoded.shift()) stream.addEncoded(chunk);
  } catch (error) {
    if (error instanceof EffectTooLargeError) throw sqlError(EngineSqlState.programLimitExceeded, `a row of ${error.effectBytes} bytes does not fit in one log entry (at most ${error.bytesMax} bytes)`);
    throw error;
  }
  return stream.finish();
}

/**
 * The row resources the tracker marks pending; a table with more than
 * trackerTxnKeysPerTableMax rows written is marked as a whole instead (as the
 * tracker records it once committed), sparing a string per row of a bulk load.
 */
function pendingKeys(effects: readonly WriteEffect[]): { readonly keys: string[]; readonly bulkTables: number[] } {
  let bulk: ReadonlySet<number> = new Set();
  if (effects.length > trackerTxnKeysPerTableMax) {
    const counts = new Map<number, number>();
    for (const e of effects) counts.set(e.tableId, (counts.get(e.tableId) ?? 0) + 1);
    bulk = new Set([...counts].filter(([, n]) => n > trackerTxnKeysPerTableMax).map(([tableId]) => tableId));
  }
  const keys: string[] = [];
  for (const e of effects) if (!bulk.has(e.tableId)) keys.push(rowResource(e.tableId, e.keyText));
  return { keys, bulkTables: [...bulk] };
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
  const catalog = txn.catalog();
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
  if (readIndex === undefined || !txn.hasWrites()) return;
  for (const tableId of txn.readTables) {
    if (core.tracker.tableChangedAfter(tableId, readIndex)) throw serializationFailure('readWrite');
  }
  for (const [tableId, keys] of txn.readKeys) {
    for (const key of keys) if (core.tracker.keyChangedAfter(tableId, key, readIndex)) throw serializationFailure('readWrite');
  }
}

/**
 * A transaction's effects as log entries, as a commit encodes them: one txn
 * entry when it fits (and no part precedes it), otherwise TxnPart entries
 * numbered from `firstPartNumber`, each at most `bytesMax` bytes and
 * txnEntryEffectsMax effects, every effect encoded once. The row store
 * applies the parts together at the last one's index (DESIGN.md, "Large
 * transactions"). For callers that build effects themselves (tests).
 */
export function encodeEntries(
  base: Omit<TxnEntry, 'effects' | 'sequences'>,
  effects: readonly TxnEffect[],
  marks: readonly SequenceMark[],
  layoutOf: (tableId: number) => RowLayout,
  bytesMax: number,
  firstPartNumber = 0,
): Uint8Array[] {
  return encodeEffects({ ...base, sequences: marks }, effects.length, (i) => effects[i] as TxnEffect, layoutOf, bytesMax, firstPartNumber);
}
