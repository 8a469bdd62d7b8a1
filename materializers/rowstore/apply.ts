// apply(entry): the deterministic fold of one committed log entry into the
// row store's memory, shared by live apply, restart replay and rebuild.
// A txn entry adds versions and maintains secondary indexes; a DDL entry
// folds into the catalog and creates, drops or truncates table and index
// data. Rows are all decoded before anything changes, so a corrupt entry
// leaves the state untouched (and stops the store).
//
// A multi-part transaction (entries/txn-parts.ts) is held in core.parts as
// its entries' bytes; its effects and sequence marks are decoded and applied
// together at the last part's index, so no reader ever sees a prefix.
// Parts dropped unfinished leave nothing behind.

import { invariant, MaterializerInvariantError, unreachable } from '../assert.js';
import { applyDdl, CatalogError, indexKeyOf, layoutResolverOf, primaryKeyOf, projectRow, type TableDef } from '../catalog/index.js';
import {
  decodeAfterRow, decodeCommittedEntry, decodeEntry, decodeRow, rowLayoutId, type DdlEntry, type DecodedPart, type DecodedRow, type EffectOp, type IndexDef, type RawTxnEntry, type RowLayout,
} from '../entries/index.js';
import { compareBytes } from '../keys/index.js';
import { EntryKind, type LogEntry } from '../../log/index.js';
import type { StoreCore } from './core.js';
import { EncodedVersion, IndexState, TableState, keyString, visibleVersion, type RowEntry, type Version } from './state.js';

interface PreparedEffect {
  readonly table: TableState;
  readonly op: EffectOp;
  readonly key: Uint8Array;
  /** Null for a delete, and for an insert left encoded (see prepare's `lazyInserts`). */
  readonly after: DecodedRow | null;
  /** The after row's layout (also when `after` was not decoded). */
  readonly afterLayout: RowLayout | null;
  readonly afterBytes: Uint8Array | null;
  readonly before: DecodedRow | null;
}

/** Work that must start once the entry's index is applied (index backfills pin it). */
export type AfterApply = () => void;

/** What most entries (row changes) return: nothing to start, and no array allocated per entry. */
const noFollowUps: readonly AfterApply[] = Object.freeze([]);

/** Applies one committed entry; returns follow-up work for the caller to start. */
export function applyEntry(core: StoreCore, entry: LogEntry): readonly AfterApply[] {
  if (entry.index !== core.appliedIndex + 1) invariant(false, `entry ${entry.index} applied after ${core.appliedIndex}: entries must arrive in order without gaps`);
  const after: AfterApply[] = [];
  const decoded = entry.kind === EntryKind.Normal ? decodeCommittedEntry(entry.index, entry.data) : null;
  // The closure only for parts: accept() calls it for parts only, and most entries are single transactions.
  const isPart = decoded !== null && (decoded.type === 'txnPart' || decoded.type === 'ddlPart');
  const assembled = core.parts.accept(entry.index, entry.term, decoded, isPart ? (part) => holdPart(part, entry.data) : notAPart);
  if (assembled.kind === 'complete') {
    applyParts(core, assembled.parts, entry.index, after);
  } else if (assembled.kind === 'single' && decoded !== null) {
    switch (decoded.type) {
      case 'txn': applyPrepared(core, prepareTxn(core, decoded.txn, entry.index, false), entry.index); break;
      case 'ddl': applyDdlEntry(core, decoded.ddl, entry.index, after); break;
      // Dropping the pending parts (if they were this transaction's) is the assembler's job.
      case 'txnAbort': break;
      case 'txnPart': case 'ddlPart': throw new MaterializerInvariantError(`entry ${entry.index}: a part the assembler did not take`);
      default: unreachable(decoded, 'entry type');
    }
  }
  core.appliedIndex = entry.index;
  core.collectGarbage();
  core.evictIfOverBudget();
  return after.length === 0 ? noFollowUps : after;
}

function notAPart(): never {
  throw new MaterializerInvariantError('the part assembler held an entry that is not a part');
}

/**
 * `copyKeys`: held parts copy their keys so they do not pin the part's
 * buffer; a single entry's effects are applied at once and their keys only
 * read (as strings), so views are enough.
 *
 * `lazyInserts` (a multi-part transaction's parts, kept as EncodedVersions):
 * inserts into a table without secondary indexes are not decoded; only
 * their layout is resolved. Nothing here would read the values but the
 * primary-key check, and decoding them was a quarter of a bulk COPY's apply
 * (issue 5): the column store decodes the same rows from its own copy of
 * the parts anyway, and each read decodes the version. A row that does not
 * decode stops the column store, and fails the read here, instead of
 * stopping this store before the part applies; the entry's CRC vouches for
 * the bytes, as for bulk rows (BulkRows).
 */
function prepare(core: StoreCore, txn: RawTxnEntry, index: number, copyKeys: boolean, lazyInserts = false): PreparedEffect[] {
  const out: PreparedEffect[] = [];
  for (const effect of txn.effects) {
    const table = core.tables.get(effect.tableId);
    if (table === undefined || table.droppedAt !== null) {
      throw new MaterializerInvariantError(`entry ${index}: effect on table ${effect.tableId}, which does not exist`);
    }
    const resolve = layoutResolverOf(table.def);
    const lazy = lazyInserts && effect.op === 'insert' && effect.after !== null && table.def.indexes.length === 0;
    // Decoded once for the column store too (decodeAfterRow), unless lazy.
    const after = lazy ? null : decodeAfterRow(effect, resolve);
    const prepared: PreparedEffect = {
      table, op: effect.op, key: copyKeys ? effect.key.slice() : effect.key,
      after,
      afterLayout: lazy ? layoutOf(effect.after, resolve, index) : after?.layout ?? null,
      // A copy: the version keeps it until a checkpoint writes it, and must not pin the entry's buffer.
      // Packed into the arena's slabs, not one ArrayBuffer per row (byte-arena.ts).
      afterBytes: effect.after === null ? null : core.rowBytes.copy(effect.after),
      before: effect.before === null ? null : decodeRow(effect.before, resolve),
    };
    checkKey(prepared, index);
    out.push(prepared);
  }
  return out;
}

/** The layout an encoded row names; an unknown one stops the store like a row that does not decode. */
function layoutOf(row: Uint8Array | null, resolve: (layoutId: number) => RowLayout | undefined, index: number): RowLayout {
  invariant(row !== null, 'a lazy insert has its row');
  const id = rowLayoutId(row);
  const layout = resolve(id);
  if (layout === undefined) throw new MaterializerInvariantError(`entry ${index}: a row of layout ${id}, which its table does not have`);
  return layout;
}

/** The effect's key must be its row's primary key: a mismatch would file the row under the wrong key. */
function checkKey(effect: PreparedEffect, index: number): void {
  const def = effect.table.def;
  const row = effect.after ?? effect.before;
  if (def.primaryKey === null || row === null) return;
  if (compareBytes(primaryKeyOf(def, projectRow(def, row.layout, row.row)), effect.key) !== 0) {
    throw new MaterializerInvariantError(`entry ${index}: ${effect.op} on table ${def.id} with a key that is not its row's primary key`);
  }
}

/** A txn entry or part decoded and checked, ready to apply (nothing has changed yet). */
export interface PreparedTxn {
  readonly effects: readonly PreparedEffect[];
  readonly sequences: RawTxnEntry['sequences'];
}

export function prepareTxn(core: StoreCore, txn: RawTxnEntry, index: number, copyKeys: boolean, lazyInserts = false): PreparedTxn {
  const effects = prepare(core, txn, index, copyKeys, lazyInserts);
  for (const mark of txn.sequences) {
    if (core.catalog.sequenceById(mark.sequenceId) === undefined) {
      throw new MaterializerInvariantError(`entry ${index}: high-water mark for sequence ${mark.sequenceId}, which does not exist`);
    }
  }
  return { effects, sequences: txn.sequences };
}

/**
 * A held part: a catalog change, or a txn part as its entry bytes (checked
 * on arrival by decodeEntry; the log's buffer, nothing more). Held decoded, a
 * million-row COPY was its rows twice over (decoded values and a copy of the
 * bytes) plus an effect and a key array a row, until the last part.
 */
export type HeldPart =
  /** `changedTables`: tables the part updates or deletes in (their inserts are not bulk rows, see BulkRows). */
  | { readonly kind: 'encoded'; readonly data: Uint8Array; readonly changedTables: readonly number[] }
  | { readonly kind: 'ddl'; readonly ddl: DdlEntry };

const noTables: readonly number[] = Object.freeze([]);

function holdPart(part: DecodedPart, data: Uint8Array): HeldPart {
  if (part.type === 'ddlPart') return { kind: 'ddl', ddl: part.ddl };
  const changed: number[] = [];
  for (const effect of part.txn.effects) if (effect.op !== 'insert' && !changed.includes(effect.tableId)) changed.push(effect.tableId);
  return { kind: 'encoded', data, changedTables: changed.length === 0 ? noTables : changed };
}

/**
 * Applies a multi-part transaction at its last part's index: catalog changes
 * and row effects in part order (a part's rows decode with the layouts the
 * DDL parts before it create), one part at a time. Inserted and updated rows
 * are kept as their encoded bytes (EncodedVersion) rather than decoded: they
 * stay dirty, hence resident, until the next checkpoint, and a bulk load's
 * millions of decoded rows did not fit the heap. A part that fails to decode
 * here stops the store like any corrupt entry.
 */
function applyParts(core: StoreCore, parts: readonly HeldPart[], index: number, after: AfterApply[]): void {
  const marks: RawTxnEntry['sequences'][number][] = [];
  let heldBytes = 0;
  for (const part of parts) if (part.kind === 'encoded') heldBytes += part.data.byteLength;
  const bulk = new BulkRows(core, heldBytes > core.bulkRowsMinBytes, new Set(parts.flatMap((p) => (p.kind === 'encoded' ? p.changedTables : noTables))));
  for (const part of parts) {
    switch (part.kind) {
      case 'encoded': {
        const decoded = decodeEntry(part.data);
        if (decoded.type !== 'txnPart') throw new MaterializerInvariantError(`entry ${index}: a held txn part decodes as ${decoded.type}`);
        // Keys as views: the part's buffer outlives this apply (encoded versions keep their bytes).
        const prepared = prepareTxn(core, bulk.take(decoded.txn, part.data), index, false, true);
        const horizon = core.horizon();
        for (const effect of prepared.effects) applyRowEffect(core, effect, index, horizon, true);
        marks.push(...prepared.sequences);
        break;
      }
      case 'ddl': applyDdlEntry(core, part.ddl, index, after); break;
      default: unreachable(part, 'held part');
    }
  }
  applyPrepared(core, { effects: [], sequences: marks }, index);
  bulk.startWrite(index);
}

/**
 * The inserts of a multi-part transaction that go to RocksDB directly
 * (bulk-write.ts) instead of memory: into a table without secondary indexes
 * (their entries would be per-row memory again) or truncations a reader may
 * predate (RocksDB holds the rows those readers see), that the transaction
 * only inserts into, of a key memory does not hold (memory answers for it).
 * Only inserts: an update or delete of a key the same transaction inserted
 * as a bulk row would find it absent from memory and take its before-image
 * as the state older readers saw (StoreCore.pushBase), showing them a row
 * of this transaction. Their rows are not decoded here: the entry's CRC
 * vouches for the bytes.
 */
class BulkRows {
  private readonly eligible = new Map<number, boolean>();
  private readonly parts: Uint8Array[] = [];
  private readonly tableIds = new Set<number>();
  private rows = 0;

  /** `enabled`: the transaction is big enough (StoreCore.bulkRowsMinBytes). */
  constructor(private readonly core: StoreCore, private readonly enabled: boolean, private readonly changedTables: ReadonlySet<number>) {}

  /** The effects of one part that stay on the ordinary path; the part is kept for the write if any row left it. */
  take(txn: RawTxnEntry, data: Uint8Array): RawTxnEntry {
    const rest: RawTxnEntry['effects'][number][] = [];
    const before = this.rows;
    for (const effect of txn.effects) {
      if (this.enabled && effect.op === 'insert' && effect.after !== null && this.tableEligible(effect.tableId)) {
        const rows = (this.core.tables.get(effect.tableId) as TableState).rows;
        if (rows.size === 0 || !rows.has(keyString(effect.key))) {
          this.tableIds.add(effect.tableId);
          this.rows++;
          continue;
        }
      }
      rest.push(effect);
    }
    if (this.rows > before) this.parts.push(data);
    return this.rows === before ? txn : { ...txn, effects: rest };
  }

  private tableEligible(tableId: number): boolean {
    let ok = this.eligible.get(tableId);
    if (ok === undefined) {
      const table = this.core.tables.get(tableId);
      ok = table !== undefined && table.droppedAt === null && table.def.indexes.length === 0 && table.truncations.length === 0 && !this.changedTables.has(tableId);
      this.eligible.set(tableId, ok);
    }
    return ok;
  }

  /** Hands the rows to the writer; their tables are no longer wholly in memory, and readers at `index` wait for the write. */
  startWrite(index: number): void {
    if (this.rows === 0) return;
    const core = this.core;
    core.bulkIndexes.add(index);
    core.storedAhead = true;
    core.bulkWritesPending++;
    const done = core.bulkWriter({ index, parts: this.parts, tableIds: this.tableIds }).then(
      () => undefined,
      (error: unknown) => {
        core.bulkFailure ??= error;
      },
    ).finally(() => {
      core.bulkWritesPending--;
    });
    for (const id of this.tableIds) {
      const table = core.tables.get(id) as TableState;
      table.residentComplete = false;
      table.bulkIndexMax = index;
      const pending = { index, done };
      table.bulkPending = pending;
      void done.then(() => {
        if (table.bulkPending === pending) table.bulkPending = null;
      });
    }
  }
}

/** Applies one transaction (or one part of one, in part order) at `index`. */
function applyPrepared(core: StoreCore, txn: PreparedTxn, index: number): void {
  const horizon = core.horizon();
  for (const effect of txn.effects) applyRowEffect(core, effect, index, horizon);
  for (const mark of txn.sequences) {
    // The leader's state after this transaction (cycling sequences go down too).
    core.sequences.set(mark.sequenceId, mark.value);
    core.dirtySequences.add(mark.sequenceId);
  }
}

/** Whether a reader at or above the horizon may predate a truncation of this table. */
function truncatedAbove(table: TableState, horizon: number): boolean {
  return table.truncations.some((t) => t > horizon);
}

function entryFor(core: StoreCore, effect: PreparedEffect, horizon: number): RowEntry {
  const { table } = effect;
  const key = keyString(effect.key);
  const existing = table.rows.get(key);
  if (existing !== undefined) {
    // The effect adds a version: back to a decoded chain first.
    core.unpack(existing);
    return existing;
  }
  const entry = core.createRowEntry(table, key);
  if (effect.before !== null && table.bulkIndexMax > horizon) {
    // The before-image may be a bulk row (bulk-write.ts) newer than some
    // readers, who must find the key absent; only RocksDB knows the row's
    // index. Those readers read it there (a stored row newer than the
    // reader is absent for it), and a checkpoint loads it as the chain's
    // base, with that index, before overwriting it (loadUnknownBases).
    entry.baseKnown = false;
  } else if (effect.before !== null) {
    // The before-image is what every reader older than this entry sees (see state.ts).
    core.pushBase(entry, { index: horizon, row: effect.before.row, layout: effect.before.layout, bytes: null });
  } else {
    entry.baseKnown = table.residentComplete || !truncatedAbove(table, horizon);
  }
  return entry;
}

function checkEffect(entry: RowEntry, effect: PreparedEffect, index: number): void {
  const current = visibleVersion(entry, index, effect.table.truncations);
  if (current === undefined) return;
  const exists = current !== null;
  if (exists !== (effect.op !== 'insert')) {
    throw new MaterializerInvariantError(`entry ${index}: ${effect.op} on table ${effect.table.id} for a key that ${exists ? 'exists' : 'does not exist'}`);
  }
}

/** `encoded`: keep a row version as its bytes (EncodedVersion), decoded on each read, as a packed entry is. */
function applyRowEffect(core: StoreCore, effect: PreparedEffect, index: number, horizon: number, encoded = false): void {
  const entry = entryFor(core, effect, horizon);
  checkEffect(entry, effect, index);
  const { after, afterLayout, afterBytes } = effect;
  if (after === null && afterLayout !== null && !encoded) invariant(false, 'an undecoded row is applied only as an encoded version');
  const version: Version = encoded && afterLayout !== null && afterBytes !== null
    ? new EncodedVersion(index, afterLayout, afterBytes, layoutResolverOf(effect.table.def))
    : { index, row: after?.row ?? null, layout: after?.layout ?? null, bytes: afterBytes };
  if (entry.newest?.index === index) core.replaceNewest(entry, version);
  else core.pushVersion(entry, version);
  maintainIndexes(core, effect, index);
}

function concatKey(indexKey: Uint8Array, primaryKey: Uint8Array): string {
  return keyString(indexKey) + keyString(primaryKey);
}

function indexKeyOfRow(def: TableDef, index: IndexDef, row: DecodedRow | null): Uint8Array | null {
  return row === null ? null : indexKeyOf(def, index, projectRow(def, row.layout, row.row));
}

function maintainIndexes(core: StoreCore, effect: PreparedEffect, index: number): void {
  const { table } = effect;
  for (const def of table.def.indexes) {
    const state = core.indexes.get(def.id);
    invariant(state !== undefined, `index ${def.id} of table ${table.id} has no state`);
    const oldKey = indexKeyOfRow(table.def, def, effect.before);
    const newKey = indexKeyOfRow(table.def, def, effect.after);
    if (oldKey !== null && newKey !== null && compareBytes(oldKey, newKey) === 0) continue;
    if (oldKey !== null) killIndexKey(core, table, state, concatKey(oldKey, effect.key), oldKey.length, index);
    if (newKey !== null) addIndexKey(core, state, concatKey(newKey, effect.key), newKey.length, index);
  }
}

function killIndexKey(core: StoreCore, table: TableState, state: IndexState, key: string, indexKeyBytes: number, index: number): void {
  let entry = state.entries.get(key);
  if (entry === undefined) {
    // Not in memory: RocksDB holds it unless every entry of the table is resident.
    if (table.residentComplete) return;
    entry = core.createIndexEntry(state, key, indexKeyBytes, index, true);
  }
  if (entry.alive) core.killIndexEntry(entry, index);
}

/** Adds (or revives) an entry; its stored value is rewritten so addedIndex stays right for truncation cleanup. */
export function addIndexKey(core: StoreCore, state: IndexState, key: string, indexKeyBytes: number, index: number): void {
  const entry = state.entries.get(key) ?? core.createIndexEntry(state, key, indexKeyBytes, index, false);
  entry.deadIndex = Number.POSITIVE_INFINITY;
  entry.addedIndex = index;
  entry.persisted = false;
  core.markIndexDirty(entry);
}

function applyDdlEntry(core: StoreCore, ddl: DdlEntry, index: number, after: AfterApply[]): void {
  const before = core.catalog;
  let next;
  try {
    next = applyDdl(before, ddl);
  } catch (error) {
    // The leader folded this entry before proposing it: failing here means the replicas diverged.
    if (error instanceof CatalogError) throw new MaterializerInvariantError(`entry ${index}: DDL does not apply: ${error.message}`);
    throw error;
  }
  const builds: IndexState[] = [];
  for (const old of before.tables()) if (next.tableById(old.id) === undefined) dropTable(core, old, index);
  for (const def of next.tables()) {
    const old = before.tableById(def.id);
    if (old === def) continue;
    const state = core.tables.get(def.id) ?? new TableState(def, true);
    core.tables.set(def.id, state);
    state.def = def;
    for (const gone of old?.indexes ?? []) if (!def.indexes.some((i) => i.id === gone.id)) dropIndex(core, gone.id, index);
    for (const added of def.indexes) {
      if (old?.indexes.some((i) => i.id === added.id) === true) continue;
      const indexState = new IndexState(added, def.id, false);
      core.indexes.set(added.id, indexState);
      builds.push(indexState);
    }
  }
  for (const change of ddl.changes) {
    if (change.kind !== 'truncateTable') continue;
    const state = core.tables.get(change.tableId);
    if (state === undefined || state.droppedAt !== null || state.truncations.at(-1) === index) continue;
    state.truncations = [...state.truncations, index];
    core.markers.push({ kind: 'truncate', index, objectIds: [state.id, ...state.def.indexes.map((i) => i.id)] });
  }
  for (const sequence of before.sequences()) {
    if (next.sequenceById(sequence.id) !== undefined) continue;
    core.sequences.delete(sequence.id);
    core.dirtySequences.add(sequence.id);
  }
  core.pushCatalog(index, next);
  for (const build of builds) startIndexBuild(core, build, index, after);
}

function dropTable(core: StoreCore, def: TableDef, index: number): void {
  const state = core.tables.get(def.id);
  invariant(state !== undefined, `dropped table ${def.id} has no state`);
  state.droppedAt = index;
  for (const i of def.indexes) {
    const indexState = core.indexes.get(i.id);
    if (indexState !== undefined) indexState.droppedAt = index;
  }
  core.markers.push({ kind: 'dropTable', index, objectIds: [def.id, ...def.indexes.map((i) => i.id)] });
}

function dropIndex(core: StoreCore, indexId: number, index: number): void {
  const state = core.indexes.get(indexId);
  invariant(state !== undefined, `dropped index ${indexId} has no state`);
  state.droppedAt = index;
  core.markers.push({ kind: 'dropIndex', index, objectIds: [indexId] });
}

/** Builds a new index from memory when every row is resident; otherwise a backfill starts after apply. */
function startIndexBuild(core: StoreCore, state: IndexState, index: number, after: AfterApply[]): void {
  const table = core.tables.get(state.tableId);
  invariant(table !== undefined, `index ${state.id} on a table without state`);
  if (!table.residentComplete) {
    after.push(() => core.startBackfill(state, index));
    return;
  }
  for (const entry of table.rows.values()) {
    const v = visibleVersion(entry, index, table.truncations);
    if (v === null || v === undefined || v.row === null || v.layout === null) continue;
    const indexKey = indexKeyOf(table.def, state.def, projectRow(table.def, v.layout, v.row));
    addIndexKey(core, state, keyString(indexKey) + entry.keyString, indexKey.length, index);
  }
  state.markReady();
}
