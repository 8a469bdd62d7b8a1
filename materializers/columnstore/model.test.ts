// A model test: random sequences of transactions, truncates, empty entries,
// checkpoints, reopens and compactions folded into the column store and into
// a Map per log index; scans at the current and at older read indexes must
// return the model's rows. Types cover every vector kind, with a small
// dictionary limit and small segments so switches and seals happen often.
// After each compaction every zone map must still bound its segment's values.
// The property runs with merges on the calling thread and on a compaction
// worker thread (the same kernel, see merge-kernel.ts).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal, type Row, type SqlType, type SqlValue, type TableDefinition } from '../entries/index.js';
import { EntryLog, withTempDir } from '../testing/fixtures.js';
import { valueArb } from '../testing/arbitraries.js';
import type { LogEntry } from '../../log/index.js';
import { compareDecimal } from './column-builder.js';
import { openColumnStore, type ColumnStore } from './column-store.js';
import { scanAll, sortedRows } from './test-support.js';
import { compareText, isNullAt, vectorValue } from './vectors.js';

const tableId = 20000;
const columnTypes: readonly SqlType[] = [
  { kind: 'int8' }, { kind: 'numeric', precision: 15, scale: 2 }, { kind: 'text' }, { kind: 'float8' }, { kind: 'bool' },
  { kind: 'date' }, { kind: 'jsonb' }, { kind: 'uuid' }, { kind: 'int2' }, { kind: 'numeric', precision: null, scale: null },
  { kind: 'timestamptz', precision: null }, { kind: 'array', element: { kind: 'text' } },
];
const wide: TableDefinition = {
  id: tableId, databaseName: 'thunderdb', schemaName: 'public', name: 'wide',
  columns: [
    { id: 1, name: 'id', type: { kind: 'int4' }, notNull: true },
    ...columnTypes.map((type, i) => ({ id: i + 2, name: `c${i + 2}`, type, notNull: false })),
  ],
  primaryKey: { name: 'wide_pkey', columnIds: [1] }, rowIdSequenceId: null, uniqueConstraints: [], checkConstraints: [], indexes: [],
};

const money: fc.Arbitrary<SqlValue> = fc.oneof(
  { weight: 10, arbitrary: fc.bigInt({ min: -(10n ** 15n) + 1n, max: 10n ** 15n - 1n }).map((c) => Decimal.of(c, 2)) },
  { weight: 1, arbitrary: fc.constant(Decimal.NaN) },
  { weight: 2, arbitrary: fc.constant(null) },
);
const lowCardinalityText: fc.Arbitrary<SqlValue> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('red', 'green', 'blue') },
  { weight: 2, arbitrary: fc.string({ maxLength: 6 }) },
  { weight: 1, arbitrary: fc.constant(null) },
);

function arbFor(type: SqlType): fc.Arbitrary<SqlValue> {
  if (type.kind === 'numeric' && type.precision !== null) return money;
  if (type.kind === 'text') return lowCardinalityText;
  return valueArb(type);
}

const payload: fc.Arbitrary<SqlValue[]> = fc.tuple(...columnTypes.map(arbFor));

type RowOp = { readonly type: 'upsert'; readonly id: number; readonly values: SqlValue[] } | { readonly type: 'delete'; readonly id: number };
type Command =
  | { readonly kind: 'txn'; readonly ops: readonly RowOp[] }
  | { readonly kind: 'truncate' }
  | { readonly kind: 'empty' }
  | { readonly kind: 'checkpoint' }
  | { readonly kind: 'reopen'; readonly checkpointFirst: boolean }
  | { readonly kind: 'compact'; readonly horizonAt: number }
  | { readonly kind: 'read'; readonly at: number }
  | { readonly kind: 'addColumn'; readonly missing: number | null }
  | { readonly kind: 'dropColumn' };

const rowOp: fc.Arbitrary<RowOp> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ type: fc.constant('upsert' as const), id: fc.nat(24), values: payload }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('delete' as const), id: fc.nat(24) }) },
);
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 14, arbitrary: fc.record({ kind: fc.constant('txn' as const), ops: fc.array(rowOp, { minLength: 1, maxLength: 6 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'truncate' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'empty' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'checkpoint' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('reopen' as const), checkpointFirst: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('compact' as const), horizonAt: fc.integer({ min: 0, max: 1000 }).map((n) => n / 1000) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('read' as const), at: fc.integer({ min: 0, max: 999 }).map((n) => n / 1000) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('addColumn' as const), missing: fc.option(fc.integer({ min: -9, max: 9 }), { nil: null }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'dropColumn' as const }) },
);

/** Raise for a soak run: THUNDER_MODEL_RUNS=1000 npx vitest run materializers/columnstore/model.test.ts */
const numRuns = Number(process.env['THUNDER_MODEL_RUNS'] ?? 40);

/** The leader's side: effects valid against the model's latest state, and the state after them. */
/** Columns added (int4, ids from 100) and dropped (of the added ones) by ALTER TABLE as the test runs. */
interface Schema {
  def: TableDefinition;
  nextColumnId: number;
}

/** A row of the current table: id, the fixed payload, then one value per added column still present. */
function rowOf(schema: Schema, id: number, values: readonly SqlValue[]): Row {
  const added = schema.def.columns.slice(1 + columnTypes.length);
  return [id, ...values, ...added.map((c) => (id % 3 === 0 ? null : id * c.id))];
}

function txnOf(log: EntryLog, schema: Schema, state: ReadonlyMap<number, Row>, ops: readonly RowOp[]): { entry: LogEntry; next: Map<number, Row> } | null {
  const next = new Map(state);
  const effects = [];
  for (const op of ops) {
    const before = next.get(op.id);
    if (op.type === 'delete') {
      if (before === undefined) continue;
      effects.push(log.delete(tableId, before));
      next.delete(op.id);
    } else {
      const after = rowOf(schema, op.id, op.values);
      effects.push(before === undefined ? log.insert(tableId, after) : log.update(tableId, before, after));
      next.set(op.id, after);
    }
  }
  return effects.length === 0 ? null : { entry: log.txn(effects), next };
}

/** Order of two non-null values of one column, as zone maps order them. */
function zoneCompare(a: SqlValue, b: SqlValue): number {
  if (a instanceof Decimal && b instanceof Decimal) return compareDecimal(a, b);
  if (typeof a === 'string' && typeof b === 'string') return compareText(a, b);
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : -1;
    return a - b;
  }
  throw new Error(`zone map value of an unexpected shape: ${typeof a}, ${typeof b}`);
}

/** Every zone map with a min and max bounds its segment's non-null values, and counts no more NULLs than rows. */
function expectZonesBound(store: ColumnStore): void {
  const def = store.catalog().tableById(tableId);
  if (def === undefined) return;
  for (const batch of store.scanTable(tableId, def.columns.map((c) => c.id), store.appliedIndex())) {
    batch.columns.forEach((vector, c) => {
      const zone = batch.zoneMaps[c];
      if (zone === undefined) throw new Error('a column without a zone map');
      expect(zone.nullCount).toBeLessThanOrEqual(zone.rowCount);
      if (zone.min === null || zone.max === null) return;
      for (let i = 0; i < batch.rowCount; i++) {
        if (isNullAt(vector.nulls, i)) continue;
        const value = vectorValue(vector, i);
        if (zoneCompare(zone.min, value) > 0 || zoneCompare(zone.max, value) < 0) {
          throw new Error(`segment ${batch.segmentId} column ${c}: ${String(value)} outside its zone map [${String(zone.min)}, ${String(zone.max)}]`);
        }
      }
    });
  }
}

describe.each([
  { compactionThreads: 0, runs: numRuns },
  // Fewer runs: each store starts a worker thread at its first compaction.
  { compactionThreads: 1, runs: Math.max(8, Math.ceil(numRuns / 4)) },
])('column store model (compaction threads: $compactionThreads)', ({ compactionThreads, runs }) => {
  it('scans to the same rows as a Map folded from the same entries', async () => {
    await fc.assert(fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 50 }), async (commands) => {
      await withTempDir(async (dir) => {
        const options = { directory: dir, segmentRowsMax: 8, segmentInitialRows: 1, dictionaryEntriesMax: 4, compactionThreads };
        let store: ColumnStore = await openColumnStore(options);
        const log = new EntryLog();
        const states: ReadonlyMap<number, Row>[] = [new Map()];
        // The table's column ids as of each index: a reader at an index binds against that index's catalog.
        const columnIdsAt: (readonly number[])[] = [];
        let readFloor = 1;
        // A reopen forgets dropped columns' missing values; reads older than a drop then stop at it.
        let droppedAt = 0;
        let columnsChangedAt = 0;
        const push = (entry: LogEntry, state: ReadonlyMap<number, Row>): void => {
          store.apply(entry);
          states[entry.index] = state;
          columnIdsAt[entry.index] = schema.def.columns.map((c) => c.id);
        };
        const expectAt = (index: number): void => {
          expect(sortedRows(scanAll(store, tableId, index, columnIdsAt[index]))).toEqual(sortedRows([...(states[index] ?? new Map<number, Row>()).values()]));
        };
        const schema: Schema = { def: wide, nextColumnId: 100 };
        push(log.ddl({ kind: 'createTable', table: wide }), new Map());
        const alter = (def: TableDefinition, project: (row: Row) => Row): void => {
          const current = states[log.lastIndex] ?? new Map<number, Row>();
          schema.def = def;
          columnsChangedAt = log.lastIndex + 1;
          if (def.columns.length < (columnIdsAt[log.lastIndex]?.length ?? 0)) droppedAt = log.lastIndex + 1;
          push(log.ddl({ kind: 'alterTable', table: def }), new Map([...current].map(([id, row]) => [id, project(row)])));
        };
        try {
          for (const c of commands) {
            const current = states[log.lastIndex] ?? new Map<number, Row>();
            switch (c.kind) {
              case 'txn': {
                const txn = txnOf(log, schema, current, c.ops);
                if (txn !== null) push(txn.entry, txn.next);
                break;
              }
              case 'truncate':
                push(log.ddl({ kind: 'truncateTable', tableId }), new Map());
                readFloor = log.lastIndex;
                break;
              case 'empty':
                push(log.empty(), current);
                break;
              case 'checkpoint':
                expect((await store.checkpoint()).index).toBe(log.lastIndex);
                break;
              case 'reopen':
                if (c.checkpointFirst) await store.checkpoint();
                await store.close();
                store = await openColumnStore(options);
                store.applyBatch(log.entries.filter((e) => e.index > store.appliedIndex()));
                readFloor = Math.max(readFloor, droppedAt);
                break;
              case 'compact': {
                const horizon = readFloor + Math.floor(c.horizonAt * (log.lastIndex - readFloor));
                await store.compact({ horizonIndex: horizon, fillFractionMin: 0.75 });
                expectZonesBound(store);
                readFloor = Math.max(readFloor, horizon);
                // Compaction that drops a column's data refuses readers from before the last column change.
                const storeFloor = store.readHorizon(tableId) ?? 0;
                expect(storeFloor).toBeLessThanOrEqual(Math.max(readFloor, columnsChangedAt));
                readFloor = Math.max(readFloor, storeFloor);
                break;
              }
              case 'read':
                expectAt(readFloor + Math.floor(c.at * (log.lastIndex - readFloor)));
                break;
              case 'addColumn': {
                const id = schema.nextColumnId++;
                const column = { id, name: `x${id}`, type: { kind: 'int4' } as const, notNull: false, ...(c.missing === null ? {} : { missingValue: c.missing }) };
                alter({ ...schema.def, columns: [...schema.def.columns, column] }, (row) => [...row, c.missing]);
                break;
              }
              case 'dropColumn': {
                const position = schema.def.columns.findIndex((col) => col.id >= 100);
                if (position < 0) break;
                alter({ ...schema.def, columns: schema.def.columns.filter((_, i) => i !== position) }, (row) => row.filter((_, i) => i !== position));
                break;
              }
            }
          }
          // Every read index the store can still answer.
          for (let index = readFloor; index <= log.lastIndex; index++) expectAt(index);
          // A rebuild from the whole log scans the same rows in the same order
          // (compaction and reopens keep the insert order).
          const incremental = scanAll(store, tableId);
          await store.close();
          store = await openColumnStore({ ...options, directory: `${dir}/rebuilt`, compactionThreads: 0 });
          store.applyBatch(log.entries);
          expect(scanAll(store, tableId)).toEqual(incremental);
        } finally {
          await store.close();
        }
      });
    }), { numRuns: runs });
  });
});
