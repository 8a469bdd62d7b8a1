// The column store's state and its deterministic fold: apply(entry) depends
// on the state and the entry only (no clock, no randomness, no config read at
// apply time), so live apply, restart replay and rebuild share it.

import { invariant, MaterializerInvariantError, unreachable } from '../assert.js';
import { applyDdl, Catalog, layoutResolverOf, projectRow } from '../catalog/index.js';
import {
  decodeAfterRow, decodeCommittedEntry, decodeEntry, decodeRow, TxnPartAssembler, type DdlEntry, type DecodedEntry, type RawTxnEffect, type Row,
} from '../entries/index.js';
import { EntryKind, type LogEntry } from '../../log/index.js';
import { TableColumns, type TableConfig } from './table.js';

/** Effects of a multi-part transaction's part decoded and applied together (see applyPartEffects). */
const partEffectsPerSlice = 1024;

type HeldPart = { readonly kind: 'ddl'; readonly ddl: DdlEntry } | { readonly kind: 'txn'; readonly data: Uint8Array };

interface PreparedEffect {
  readonly table: TableColumns;
  readonly op: RawTxnEffect['op'];
  readonly key: Uint8Array;
  readonly after: Row | null;
}

export class ColumnCore {
  catalog: Catalog;
  readonly tables = new Map<number, TableColumns>();
  appliedIndex: number;
  /** The commit timestamp of the last applied transaction (lag metrics). */
  lastCommitTsMicros: bigint | null = null;
  /**
   * Multi-part transactions, by the rule every consumer of the log shares
   * (entries/txn-parts.ts). A txn part is held as its entry bytes and
   * decoded again when the last part arrives, one part at a time: held
   * decoded, a million-row COPY was three objects a row (effect, key and row
   * views) until its last part.
   */
  private readonly parts = new TxnPartAssembler<HeldPart>();

  constructor(readonly config: TableConfig, catalog: Catalog = Catalog.initial(), appliedIndex = 0) {
    this.catalog = catalog;
    this.appliedIndex = appliedIndex;
  }

  /**
   * The highest index whose state equals the current one and from which a
   * replay rebuilds it: the applied index, or just before the first part of a
   * multi-part transaction still pending (parts change nothing until the last).
   */
  checkpointableIndex(): number {
    const pending = this.parts.pendingTxn();
    return pending === null ? this.appliedIndex : pending.firstIndex - 1;
  }

  apply(entry: LogEntry): void {
    if (entry.index !== this.appliedIndex + 1) invariant(false, `column store: entry ${entry.index} after ${this.appliedIndex}: entries must arrive in order without gaps`);
    const decoded: DecodedEntry | null = entry.kind === EntryKind.Normal ? decodeCommittedEntry(entry.index, entry.data) : null;
    const assembled = this.parts.accept(entry.index, entry.term, decoded, (part): HeldPart =>
      (part.type === 'ddlPart' ? { kind: 'ddl', ddl: part.ddl } : { kind: 'txn', data: entry.data }));
    switch (assembled.kind) {
      case 'single':
        if (decoded !== null) this.applySingle(decoded, entry.index);
        break;
      case 'complete':
        // In part order: a DDL part (a catalog change in a transaction block)
        // changes the layouts the following parts' rows are written with.
        for (const part of assembled.parts) {
          if (part.kind === 'ddl') {
            this.applyDdlEntry(part.ddl, entry.index);
            continue;
          }
          const txnPart = decodeEntry(part.data);
          if (txnPart.type !== 'txnPart') throw new MaterializerInvariantError(`entry ${entry.index}: a held txn part decodes as ${txnPart.type}`);
          this.applyPartEffects(txnPart.txn.effects, entry.index);
          this.lastCommitTsMicros = txnPart.txn.commitTsMicros;
        }
        break;
      case 'buffered':
      case 'orphan':
        break;
      default:
        unreachable(assembled, 'assembled entry');
    }
    this.appliedIndex = entry.index;
  }

  private applySingle(decoded: DecodedEntry, index: number): void {
    switch (decoded.type) {
      case 'txn':
        this.applyEffects(decoded.txn.effects, index);
        this.lastCommitTsMicros = decoded.txn.commitTsMicros;
        return;
      case 'ddl':
        this.applyDdlEntry(decoded.ddl, index);
        return;
      case 'txnPart':
      case 'ddlPart':
      case 'txnAbort':
        // Parts are the assembler's; an abort marker only drops pending parts (done by the assembler).
        return;
      default:
        unreachable(decoded, 'entry type');
    }
  }

  /**
   * A part's effects, partEffectsPerSlice at a time. Decoded all at once,
   * an 8 MiB part's ~50k rows (tens of objects each: values, decimals,
   * strings) outlived the young generation, and garbage collection took
   * half of a bulk COPY's column apply (issue 5). A row that does not
   * decode stops the store with the slices before it applied, as a failing
   * later part leaves the earlier parts applied: the store stops either way.
   */
  private applyPartEffects(effects: readonly RawTxnEffect[], index: number): void {
    if (effects.length <= partEffectsPerSlice) return this.applyEffects(effects, index, false);
    for (let i = 0; i < effects.length; i += partEffectsPerSlice) this.applyEffects(effects.slice(i, i + partEffectsPerSlice), index, false);
  }

  /**
   * `shared`: the effects are a shared decoded entry's (decodeCommittedEntry),
   * whose decoded rows the row store memoized; a part's are this store's
   * own, and memoizing on them would keep every decoded row of the part.
   */
  private prepare(effects: readonly RawTxnEffect[], index: number, shared: boolean): PreparedEffect[] {
    const out: PreparedEffect[] = [];
    for (const effect of effects) {
      const table = this.tables.get(effect.tableId);
      if (table === undefined) throw new MaterializerInvariantError(`entry ${index}: effect on table ${effect.tableId}, which does not exist`);
      // Usually decoded already: the row store applied the same shared decoded entry first.
      const resolve = layoutResolverOf(table.def);
      const decoded = shared ? decodeAfterRow(effect, resolve) : effect.after === null ? null : decodeRow(effect.after, resolve);
      const after = decoded === null ? null : projectRow(table.def, decoded.layout, decoded.row);
      // No copy of the key: the segment copies it into its key bytes, lookups only read it.
      out.push({ table, op: effect.op, key: effect.key, after });
    }
    return out;
  }

  /** Decodes every row first, so a corrupt entry changes nothing. */
  private applyEffects(effects: readonly RawTxnEffect[], index: number, shared = true): void {
    const prepared = this.prepare(effects, index, shared);
    for (const e of prepared) {
      switch (e.op) {
        case 'insert':
          // The key index refuses a key that is present (a broken invariant: the store stops).
          e.table.insert(e.after as Row, e.key, index);
          break;
        case 'update':
          e.table.delete(e.key, index);
          e.table.insert(e.after as Row, e.key, index);
          break;
        case 'delete':
          e.table.delete(e.key, index);
          break;
        default:
          unreachable(e.op, 'effect op');
      }
    }
  }

  private applyDdlEntry(ddl: DdlEntry, index: number): void {
    const catalog = applyDdl(this.catalog, ddl);
    for (const change of ddl.changes) {
      switch (change.kind) {
        case 'createTable': {
          const def = catalog.tableById(change.table.id);
          if (def !== undefined) this.tables.set(def.id, new TableColumns(def, index, this.config));
          break;
        }
        case 'dropTable':
          this.tables.delete(change.tableId);
          break;
        case 'truncateTable':
          this.tables.get(change.tableId)?.truncate(index);
          break;
        case 'alterTable':
        case 'createDatabase':
        case 'dropDatabase':
        case 'createSchema':
        case 'dropSchema':
        case 'createSequence':
        case 'alterSequence':
        case 'dropSequence':
          break;
        default:
          unreachable(change, 'ddl change');
      }
    }
    for (const table of this.tables.values()) {
      const def = catalog.tableById(table.id);
      invariant(def !== undefined, `entry ${index}: column store holds table ${table.id}, which the catalog dropped`);
      // A column-changing ALTER: the open segment keeps the old columns, new rows start a new one.
      if (def.layout.id !== table.def.layout.id) {
        table.sealOpen();
        table.columnsChangedAt = index;
        for (const c of table.def.columns) if (!def.columns.some((n) => n.id === c.id)) table.droppedColumns.set(c.id, c);
      }
      table.def = def;
    }
    this.catalog = catalog;
  }
}
