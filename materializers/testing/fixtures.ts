// Test fixtures: a scratch directory, a sample table, and an in-memory log of
// encoded entries with the catalog the leader would fold alongside (so txn
// rows are encoded with the current layouts).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyDdl, Catalog, primaryKeyOf, type TableDef } from '../catalog/index.js';
import {
  encodeDdlEntry, encodeTxnEntry, type DdlChange, type Row, type SequenceMark, type TableDefinition, type TxnEffect,
} from '../entries/index.js';
import { EntryKind, type LogEntry } from '../../log/index.js';
import { fullRange } from '../keys/index.js';
import type { RowStore } from '../rowstore/row-store.js';

export async function withTempDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'thunder-rowstore-'));
  try {
    return await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** accounts(id int4 pk, owner text not null, balance int8, email text) + unique(email) + index(owner). */
export const accountsId = 16384;
export const emailIndexId = 16385;
export const ownerIndexId = 16386;
export const accounts: TableDefinition = {
  id: accountsId, databaseName: 'thunderdb', schemaName: 'public', name: 'accounts',
  columns: [
    { id: 1, name: 'id', type: { kind: 'int4' }, notNull: true },
    { id: 2, name: 'owner', type: { kind: 'text' }, notNull: true },
    { id: 3, name: 'balance', type: { kind: 'int8' }, notNull: false },
    { id: 4, name: 'email', type: { kind: 'text' }, notNull: false },
  ],
  primaryKey: { name: 'accounts_pkey', columnIds: [1] },
  rowIdSequenceId: null,
  uniqueConstraints: [{ name: 'accounts_email_key', columnIds: [4], indexId: emailIndexId }],
  checkConstraints: [],
  indexes: [
    { id: emailIndexId, name: 'accounts_email_key', columnIds: [4], unique: true },
    { id: ownerIndexId, name: 'accounts_owner_idx', columnIds: [2], unique: false },
  ],
};

/** The leader's side in tests: entries with consecutive indexes, and the catalog they fold to. */
export class EntryLog {
  readonly entries: LogEntry[] = [];
  catalog = Catalog.initial();
  /** The term of entries pushed from now on (a new leader: raise it and push empty()). */
  term = 1;
  private txnId = 0n;

  get lastIndex(): number {
    return this.entries.length;
  }

  table(id: number): TableDef {
    const t = this.catalog.tableById(id);
    if (t === undefined) throw new Error(`no table ${id}`);
    return t;
  }

  ddl(...changes: DdlChange[]): LogEntry {
    const ddl = { changes };
    this.catalog = applyDdl(this.catalog, ddl);
    return this.push(EntryKind.Normal, encodeDdlEntry(ddl));
  }

  txn(effects: readonly TxnEffect[], sequences: readonly SequenceMark[] = []): LogEntry {
    this.txnId++;
    const data = encodeTxnEntry({ txnId: this.txnId, sessionId: 1, commitTsMicros: 1000n * this.txnId, effects, sequences }, (id) => this.table(id).layout);
    return this.push(EntryKind.Normal, data);
  }

  /**
   * One transaction as parts, one per element of `chunks` (marks in the first);
   * `complete: false` leaves out the last part (a leader that stopped mid-way).
   */
  txnParts(chunks: readonly (readonly TxnEffect[])[], sequences: readonly SequenceMark[] = [], complete = true): LogEntry[] {
    this.txnId++;
    const txnId = this.txnId;
    const n = complete ? chunks.length : chunks.length - 1;
    return chunks.slice(0, n).map((effects, number) => {
      const txn = { txnId, sessionId: 1, commitTsMicros: 1000n * txnId, effects, sequences: number === 0 ? sequences : [] };
      return this.push(EntryKind.Normal, encodeTxnEntry(txn, (id) => this.table(id).layout, { number, continues: number < chunks.length - 1 }));
    });
  }

  empty(): LogEntry {
    return this.push(EntryKind.Empty, new Uint8Array(0));
  }

  insert(tableId: number, row: Row): TxnEffect {
    return { tableId, op: 'insert', key: primaryKeyOf(this.table(tableId), row), after: row };
  }

  update(tableId: number, before: Row, after: Row): TxnEffect {
    return { tableId, op: 'update', key: primaryKeyOf(this.table(tableId), after), before, after };
  }

  delete(tableId: number, before: Row): TxnEffect {
    return { tableId, op: 'delete', key: primaryKeyOf(this.table(tableId), before), before };
  }

  private push(kind: EntryKind, data: Uint8Array): LogEntry {
    const entry: LogEntry = { index: this.entries.length + 1, term: this.term, kind, data };
    this.entries.push(entry);
    return entry;
  }
}

/** Collects an async iterable. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** Everything a reader of `store` can see at its applied index: rows, index lookups, catalog. */
export async function rowStoreContents(store: RowStore): Promise<unknown> {
  const at = store.appliedIndex();
  const catalog = store.catalog();
  const tables = [];
  for (const t of catalog.tables()) {
    const rows = (await collect(store.scan(t.id, fullRange, at))).map((r) => [Buffer.from(r.key).toString('hex'), r.row]);
    const indexes = [];
    for (const i of t.indexes) indexes.push((await collect(store.lookupIndex(i.id, fullRange, at))).map((r) => Buffer.from(r.key).toString('hex')));
    tables.push({ name: t.name, layout: t.layout.id, rows, indexes });
  }
  return { at, version: catalog.version, tables };
}
