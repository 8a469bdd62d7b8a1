// A large COPY FROM streamed straight into encoded insert effects (see
// DESIGN.md, "Bulk COPY"). Once a COPY passes copyBulkRowsMin rows, each row
// is checked as it is parsed (NOT NULL, its primary key against the COPY's
// own keys and the committed rows) and encoded into part-sized chunks; the
// parsed values are dropped at once. The transaction holds the table
// exclusively, so the committed rows cannot change under the checks and no
// row locks are needed; COMMIT wraps the chunks into TxnPart entries.
//
// PostgreSQL reports the first bad line. A committed row the row store must
// read from RocksDB cannot be checked synchronously while the data streams
// in, so such keys are queued and read at finish(); an error on a later line
// is then held back (the rest of the data is ignored) until the queued keys
// before it are known, and the earliest of them wins.

import {
  decodeRow, EncodedEffects, encodeRowIdKey, primaryKeyOf, readEncodedEffects, type EncodedEffectChunk, type Row, type TableDef,
} from '../../../materializers/index.js';
import type { TypeSession } from '../../types/index.js';
import { formatKeyValues, uniqueViolation } from '../constraint-errors.js';
import type { EngineCore } from '../engine-core.js';
import { EngineInvariantError, EngineSqlState, invariant, sqlError } from '../errors.js';
import { keyFromString, keyString, tableResource } from '../keys.js';
import { txnEntryEffectsMax } from '../limits.js';
import type { StatementScope } from '../statement-scope.js';
import type { BulkWrite, Transaction } from '../transaction.js';

/** Room left in a chunk for a part's headers and a few sequence marks (TxnStreamEncoder.addEncoded). */
const partHeaderReserveBytes = 512;
/** Queued keys read per cancel check at finish(). */
const probesPerCancelCheck = 1024;

/** The error as the client sees it, with `COPY t, line n` (copy-statement.ts). */
export type LineContext = (error: unknown, line: number) => Error;

/** An error on `line` (with its context), reported once every earlier line is known to be good. */
interface HeldError {
  readonly line: number;
  readonly error: unknown;
}

export class BulkCopy {
  private readonly effects: EncodedEffects;
  /**
   * The COPY's own primary keys (keyString), once one arrived out of order;
   * until then only the last key (`lastKey`): ascending keys cannot repeat,
   * and TPC-H's and pgbench's files are sorted by key. A 6M-row lineitem
   * COPY held ~400 MB of heap in this set. Never used for tables keyed by a
   * hidden row id (never equal).
   */
  private keys: Set<string> | null = null;
  private lastKey: string | null = null;
  /** Keys only RocksDB can answer for, with their lines and row numbers, in line order. */
  private readonly probeKeys: string[] = [];
  private readonly probeLines: number[] = [];
  private readonly probeRows: number[] = [];
  private held: HeldError | null = null;
  private rows = 0;
  private readonly notNull: readonly number[];

  private constructor(
    private readonly core: EngineCore, private readonly txn: Transaction, private readonly table: TableDef, private readonly session: TypeSession,
    private readonly withContext: LineContext,
  ) {
    const layout = table.layout;
    this.effects = new EncodedEffects(() => layout, Math.max(1024, core.txnEntryBytesMax - partHeaderReserveBytes), txnEntryEffectsMax);
    this.notNull = table.columns.flatMap((c, i) => (c.notNull ? [i] : []));
  }

  /**
   * The bulk path for this COPY, or undefined to keep to the ordinary one:
   * only a plain insert (no defaults, identities or checks to evaluate, no
   * unique index besides the primary key) into a table the transaction has
   * not written, whose table lock it can take exclusively now (no writer
   * holds it). Takes the lock (held to the transaction's end) and opens the
   * transaction if the COPY runs in its own.
   */
  static tryStart(
    core: EngineCore, ensureTransaction: () => Transaction, table: TableDef, session: TypeSession, withContext: LineContext,
  ): BulkCopy | undefined {
    if (table.indexes.some((i) => i.unique)) return undefined;
    const txn = ensureTransaction();
    if (txn.readOnly || txn.failed || txn.bulk !== null || txn.writes.touchesTable(table.id) || txn.catalog().tableById(table.id) !== table) return undefined;
    if (!core.locks.tryAcquire(txn.owner, tableResource(table.id), 'exclusive')) return undefined;
    txn.lockedTables.add(table.id);
    return new BulkCopy(core, txn, table, session, withContext);
  }

  get rowCount(): number {
    return this.rows;
  }

  /** Whether a bad line is held back (everything after it is ignored). */
  get failed(): boolean {
    return this.held !== null;
  }

  /**
   * Fails the COPY at `line` with `error` (already in context): at once when
   * every earlier line is known to be good (the error is thrown), else held
   * back until finish().
   */
  fail(line: number, error: unknown): void {
    if (this.held !== null) return;
    if (this.probeKeys.length === 0) throw error;
    this.held = { line, error };
  }

  /** One row, in table column order. Throws (or holds back) 23502 and 23505. */
  add(row: Row, line: number): void {
    if (this.held !== null) return;
    for (const i of this.notNull) if (row[i] === null) return this.fail(line, this.withContext(this.notNullViolation(row), line));
    const table = this.table;
    let key: Uint8Array;
    if (table.primaryKey === null) {
      invariant(table.rowIdSequenceId !== null, `table ${table.name} has neither a primary key nor a row id sequence`);
      const sequence = this.txn.catalog().sequenceById(table.rowIdSequenceId);
      invariant(sequence !== undefined, `sequence ${table.rowIdSequenceId} of a live table exists`);
      key = encodeRowIdKey(this.core.sequences.next(sequence));
      this.txn.sequencesUsed.add(table.rowIdSequenceId);
    } else {
      key = primaryKeyOf(table, row);
      const keyText = keyString(key);
      if (this.ownKey(keyText)) return this.fail(line, this.withContext(this.duplicate(row), line));
      if (!this.txn.createdTables.has(table.id)) {
        const store = this.core.rowStore;
        const committed = store.tryGetCached(table.id, key, store.appliedIndex());
        if (committed === undefined) {
          this.probeKeys.push(keyText);
          this.probeLines.push(line);
          this.probeRows.push(this.rows);
        } else if (committed !== null) {
          return this.fail(line, this.withContext(this.duplicate(row), line));
        }
      }
      if (this.keys === null) this.lastKey = keyText;
      else this.keys.add(keyText);
    }
    this.effects.add({ tableId: table.id, op: 'insert', key, after: row });
    this.rows++;
  }

  /** Whether an earlier row of this COPY has the key; the first key out of ascending order builds the set from the rows so far. */
  private ownKey(keyText: string): boolean {
    if (this.keys === null) {
      if (this.lastKey === null || keyText > this.lastKey) return false;
      const keys = new Set<string>();
      for (const key of this.effects.keys()) keys.add(keyString(key));
      this.keys = keys;
      this.lastKey = null;
    }
    return this.keys.has(keyText);
  }

  /** Reads the queued keys, then hands the rows to the transaction (Transaction.bulk). Throws the first bad line's error. */
  async finish(scope: StatementScope): Promise<number> {
    invariant(scope.txn === this.txn, 'a bulk COPY finishes in the transaction that took its table lock');
    const chunks = this.effects.finish();
    const limit = this.held?.line ?? Number.POSITIVE_INFINITY;
    if (this.probeKeys.length > 0) {
      const snapshot = this.core.openSnapshot();
      try {
        for (let i = 0; i < this.probeKeys.length && (this.probeLines[i] ?? 0) < limit; i++) {
          if (i % probesPerCancelCheck === 0) scope.checkCancelled();
          if (await snapshot.get(this.table.id, keyFromString(this.probeKeys[i] ?? '')) === null) continue;
          throw this.withContext(this.duplicate(rowAt(chunks, this.probeRows[i] ?? 0, this.table)), this.probeLines[i] ?? 0);
        }
      } finally {
        snapshot.release();
      }
    }
    if (this.held !== null) throw this.held.error;
    const bulk: BulkWrite = { tableId: this.table.id, command: scope.command, chunks, count: this.rows };
    scope.txn.bulk = bulk;
    return this.rows;
  }

  private duplicate(row: Row): Error {
    const pk = this.table.primaryKey;
    return uniqueViolation(pk?.name ?? `${this.table.name}_pkey`, this.table, pk?.columnIds ?? [], row, this.session);
  }

  private notNullViolation(row: Row): Error {
    const table = this.table;
    const c = table.columns.find((col, i) => col.notNull && row[i] === null);
    return sqlError(EngineSqlState.notNullViolation, `null value in column "${c?.name ?? ''}" of relation "${table.name}" violates not-null constraint`, {
      detail: `Failing row contains (${formatKeyValues(table, table.columns.map((col) => col.id), row, this.session)}).`,
    });
  }
}

/** Row `n` of the COPY, decoded back from its chunks (for an error's detail only). */
function rowAt(chunks: readonly EncodedEffectChunk[], n: number, table: TableDef): Row {
  let first = 0;
  for (const chunk of chunks) {
    if (n < first + chunk.count) {
      const after = readEncodedEffects(chunk)[n - first]?.after;
      invariant(after !== undefined && after !== null, 'a bulk COPY effect is an insert');
      const layout = table.layout;
      return decodeRow(after, (id) => (id === layout.id ? layout : undefined)).row;
    }
    first += chunk.count;
  }
  throw new EngineInvariantError(`row ${n} of a bulk COPY of ${first} rows`);
}
