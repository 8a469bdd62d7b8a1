import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeKey, type KeyedRow, type Row } from '../../materializers/index.js';
import { keyString } from './keys.js';
import { mergeScan } from './merge.js';
import { WriteSet } from './write-set.js';

const key = (n: number): Uint8Array => encodeKey([{ kind: 'int4' }], [n]);

async function* rowsOf(items: readonly KeyedRow[]): AsyncGenerator<KeyedRow> {
  yield* items;
}

async function merged(base: readonly KeyedRow[], writes: WriteSet, command: number, batch = 3): Promise<Row[]> {
  const out: Row[] = [];
  for await (const b of mergeScan(rowsOf(base), writes.visibleRows(1, command), batch, (_k, row) => row)) {
    expect(b.length).toBeLessThanOrEqual(batch);
    out.push(...b);
  }
  return out;
}

describe('WriteSet', () => {
  it('shows a statement the writes of earlier statements only', () => {
    const ws = new WriteSet();
    ws.record({ tableId: 1, op: 'insert', key: key(1), after: [1, 'a'], command: 1 });
    ws.record({ tableId: 1, op: 'update', key: key(1), before: [1, 'a'], after: [1, 'b'], command: 2 });
    const k = keyString(key(1));
    expect(ws.visible(1, k, 1)).toBeUndefined();
    expect(ws.visible(1, k, 2)?.row).toEqual([1, 'a']);
    expect(ws.visible(1, k, 3)?.row).toEqual([1, 'b']);
    expect(ws.latest(1, k)?.row).toEqual([1, 'b']);
  });

  it('rolls back to a savepoint mark, keys and effects alike', () => {
    const ws = new WriteSet();
    ws.record({ tableId: 1, op: 'insert', key: key(1), after: [1], command: 1 });
    const mark = ws.mark();
    ws.record({ tableId: 1, op: 'delete', key: key(1), before: [1], command: 2 });
    ws.record({ tableId: 2, op: 'insert', key: key(5), after: [5], command: 2 });
    expect(ws.latest(1, keyString(key(1)))?.row).toBeNull();
    ws.rollbackTo(mark);
    expect(ws.latest(1, keyString(key(1)))?.row).toEqual([1]);
    expect(ws.touchesTable(2)).toBe(false);
    expect(ws.effects().map((e) => e.op)).toEqual(['insert']);
  });

  it('merges writes into a scan in key order, hiding deleted keys', async () => {
    const base = [1, 3, 5, 7].map((n) => ({ key: key(n), row: [n, 'base'] }));
    const ws = new WriteSet();
    ws.record({ tableId: 1, op: 'insert', key: key(4), after: [4, 'new'], command: 1 });
    ws.record({ tableId: 1, op: 'delete', key: key(5), before: [5, 'base'], command: 1 });
    ws.record({ tableId: 1, op: 'update', key: key(1), before: [1, 'base'], after: [1, 'upd'], command: 1 });
    ws.record({ tableId: 1, op: 'insert', key: key(9), after: [9, 'new'], command: 1 });
    ws.record({ tableId: 1, op: 'insert', key: key(0), after: [0, 'later'], command: 2 });
    expect(await merged(base, ws, 2)).toEqual([[1, 'upd'], [3, 'base'], [4, 'new'], [7, 'base'], [9, 'new']]);
  });

  it('merges like a map of the snapshot overwritten by the visible writes (model)', async () => {
    const op = fc.record({ key: fc.integer({ min: 0, max: 20 }), kind: fc.constantFrom('put', 'delete'), command: fc.integer({ min: 1, max: 4 }) });
    await fc.assert(fc.asyncProperty(fc.uniqueArray(fc.integer({ min: 0, max: 20 })), fc.array(op, { maxLength: 30 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 4 }),
      async (baseKeys, ops, command, batch) => {
        const base = [...baseKeys].sort((a, b) => a - b).map((n) => ({ key: key(n), row: [n, 'base'] as Row }));
        const ws = new WriteSet();
        const model = new Map<number, Row>(base.map((b) => [b.row[0] as number, b.row]));
        const present = new Map(model);
        // Commands only grow, as statements of one transaction do.
        for (const o of [...ops].sort((a, b) => a.command - b.command)) {
          const before = present.get(o.key);
          if (o.kind === 'put') {
            const after: Row = [o.key, `c${o.command}`];
            if (before === undefined) ws.record({ tableId: 1, op: 'insert', key: key(o.key), after, command: o.command });
            else ws.record({ tableId: 1, op: 'update', key: key(o.key), before, after, command: o.command });
            present.set(o.key, after);
            if (o.command < command) model.set(o.key, after);
          } else if (before !== undefined) {
            ws.record({ tableId: 1, op: 'delete', key: key(o.key), before, command: o.command });
            present.delete(o.key);
            if (o.command < command) model.delete(o.key);
          }
        }
        const expected = [...model.entries()].sort(([a], [b]) => a - b).map(([, r]) => r);
        expect(await merged(base, ws, command, batch)).toEqual(expected);
      }), { numRuns: 300 });
  });
});
