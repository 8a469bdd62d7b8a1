// The same random entries folded into the row store and the column store scan
// to the same rows (ARCHITECTURE.md: the same query at the same index returns
// the same rows on either path).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Row } from '../entries/index.js';
import { fullRange } from '../keys/index.js';
import { openRowStore } from '../rowstore/index.js';
import { accounts, accountsId, collect, EntryLog, withTempDir } from '../testing/fixtures.js';
import type { LogEntry } from '../../log/index.js';
import { buildColumnStore, openColumnStore } from './column-store.js';
import { scanAll, sortedRows } from './test-support.js';

type Op = { readonly kind: 'upsert'; readonly id: number; readonly balance: bigint | null; readonly owner: number } | { readonly kind: 'delete'; readonly id: number };
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('upsert' as const), id: fc.nat(30), balance: fc.option(fc.bigInt({ min: -9n, max: 9n }), { nil: null }), owner: fc.nat(4) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), id: fc.nat(30) }) },
);
const step = fc.oneof(
  { weight: 10, arbitrary: fc.array(op, { minLength: 1, maxLength: 5 }) },
  { weight: 1, arbitrary: fc.constant('truncate' as const) },
);

function entriesOf(steps: readonly (readonly Op[] | 'truncate')[]): { log: EntryLog; entries: LogEntry[] } {
  const log = new EntryLog();
  const entries = [log.ddl({ kind: 'createTable', table: accounts })];
  let state = new Map<number, Row>();
  for (const s of steps) {
    if (s === 'truncate') {
      entries.push(log.ddl({ kind: 'truncateTable', tableId: accountsId }));
      state = new Map();
      continue;
    }
    const effects = [];
    for (const o of s) {
      const before = state.get(o.id);
      if (o.kind === 'delete') {
        if (before === undefined) continue;
        effects.push(log.delete(accountsId, before));
        state.delete(o.id);
      } else {
        const after: Row = [o.id, `owner${o.owner}`, o.balance, null];
        effects.push(before === undefined ? log.insert(accountsId, after) : log.update(accountsId, before, after));
        state.set(o.id, after);
      }
    }
    if (effects.length > 0) entries.push(log.txn(effects));
  }
  return { log, entries };
}

describe('column store against the row store', () => {
  it('scans to the same rows as the row store at the same index', async () => {
    await fc.assert(fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), async (steps) => {
      const { entries } = entriesOf(steps);
      await withTempDir(async (dir) => {
        const rows = await openRowStore({ directory: `${dir}/row`, bufferPoolBytes: 1 << 20 });
        const columns = await openColumnStore({ directory: `${dir}/column`, segmentRowsMax: 8, segmentInitialRows: 3, dictionaryEntriesMax: 2 });
        try {
          for (const e of entries) rows.apply(e);
          columns.applyBatch(entries);
          const index = entries.length;
          const fromRows = (await collect(rows.scan(accountsId, fullRange, index))).map((k) => k.row);
          expect(sortedRows(scanAll(columns, accountsId, index))).toEqual(sortedRows(fromRows));
        } finally {
          await columns.close();
          await rows.close();
        }
      });
    }), { numRuns: Number(process.env["THUNDER_MODEL_RUNS"] ?? 25) });
  });

  it('a column store built from the row store at an index (after a Raft snapshot) scans to the same rows and continues from the log', async () => {
    await fc.assert(fc.asyncProperty(fc.array(step, { minLength: 2, maxLength: 25 }), fc.nat(), async (steps, cut) => {
      const { entries } = entriesOf(steps);
      const at = 1 + (cut % entries.length);
      await withTempDir(async (dir) => {
        const rows = await openRowStore({ directory: `${dir}/row`, bufferPoolBytes: 1 << 20 });
        try {
          for (const e of entries.slice(0, at)) rows.apply(e);
          const columns = await buildColumnStore(
            { directory: `${dir}/column`, segmentRowsMax: 8, segmentInitialRows: 3, dictionaryEntriesMax: 2 },
            rows.catalogAt(at), at, (tableId) => rows.scan(tableId, fullRange, at),
          );
          try {
            expect(columns.appliedIndex()).toBe(at);
            expect(columns.checkpointIndex()).toBe(at);
            const fromRows = async (index: number): Promise<Row[]> => (await collect(rows.scan(accountsId, fullRange, index))).map((k) => k.row);
            expect(sortedRows(scanAll(columns, accountsId, at))).toEqual(sortedRows(await fromRows(at)));
            const rest = entries.slice(at);
            for (const e of rest) rows.apply(e);
            if (rest.length > 0) columns.applyBatch(rest);
            expect(sortedRows(scanAll(columns, accountsId, entries.length))).toEqual(sortedRows(await fromRows(entries.length)));
          } finally {
            await columns.close();
          }
        } finally {
          await rows.close();
        }
      });
    }), { numRuns: Number(process.env["THUNDER_MODEL_RUNS"] ?? 25) });
  });
});
