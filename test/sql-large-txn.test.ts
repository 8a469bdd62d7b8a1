// Multi-part transactions through the engine, the real replicated log (over
// an in-memory WAL) and the row store: a COPY above the entry size becomes
// TxnPart entries applied at once; a prefix whose last part never commits
// (a leader that died mid-way) is dropped on restart and blocks nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeEntry, encodeTxnAbortEntry, primaryKeyOf, type TxnEffect } from '../materializers/index.js';
import { encodeEntries, proposeTxn } from '../query/engine-impl/commit.js';
import { copyIn, openTestEngine, rows, silentLogger, tag, type TestEngine } from '../query/engine-impl/testing/harness.js';

let t: TestEngine;
beforeEach(async () => {
  t = await openTestEngine({ txnEntryBytesMax: 16 * 1024 });
});
afterEach(async () => {
  await t.close();
});

/** The encoded parts of a transaction inserting ids [from, to) into `table` (id int primary key, pad text). */
function insertParts(table: string, from: number, to: number): Uint8Array[] {
  const def = t.store.catalog().tables().find((d) => d.name === table);
  if (def === undefined) throw new Error(`no table ${table}`);
  const effects: TxnEffect[] = [];
  for (let id = from; id < to; id++) {
    const row = [id, 'p'.repeat(50)];
    effects.push({ tableId: def.id, op: 'insert', key: primaryKeyOf(def, row), after: row });
  }
  return encodeEntries({ txnId: 777_000n + BigInt(from), sessionId: 1, commitTsMicros: 1n }, effects, [], () => def.layout, 16 * 1024);
}

async function count(table: string): Promise<bigint> {
  const [[n]] = (await rows(t.session(), `select count(*) from ${table}`)) as [[bigint]];
  return n;
}

describe('multi-part transactions', () => {
  it('a COPY above the entry size is written as parts, all but the last continuing, and applied at once', async () => {
    const s = t.session();
    await tag(s, 'create table t (id int primary key, pad text)');
    const before = t.log.status().lastIndex;
    const data = Array.from({ length: 3000 }, (_, i) => `${i}\t${'x'.repeat(40)}\n`).join('');
    expect(await copyIn(s, 'copy t from stdin', data, 65536)).toBe('COPY 3000');
    const last = t.log.status().lastIndex;
    const entries = await t.wal.read(before + 1, last + 1);
    const parts = entries.map((e) => decodeEntry(e.data)).map((d) => (d.type === 'txnPart' ? d.part : d.type));
    expect(parts.length).toBeGreaterThan(3);
    expect(parts).toEqual(parts.map((_, number) => ({ number, continues: number < parts.length - 1 })));
    expect(await rows(s, 'select count(*), min(id), max(id) from t')).toEqual([[3000n, 0, 2999]]);
    expect(t.store.stats()).toMatchObject({ pendingTxnParts: 0, droppedTxns: 0 });
    await t.restart();
    expect(await count('t')).toBe(3000n);
  });

  it('ADD PRIMARY KEY copies a table above the entry size as parts, keyed, and finds a duplicate in any key kind', async () => {
    const s = t.session();
    await tag(s, 'create table k (id int, name text, pad text)');
    const data = Array.from({ length: 3000 }, (_, i) => `${2999 - i}\tn${i}\t${'x'.repeat(40)}\n`).join('');
    expect(await copyIn(s, 'copy k from stdin', data, 65536)).toBe('COPY 3000');
    const before = t.log.status().lastIndex;
    expect(await tag(s, 'alter table k add primary key (id)')).toBe('ALTER TABLE');
    const types = (await t.wal.read(before + 1, t.log.status().lastIndex + 1)).map((e) => decodeEntry(e.data).type);
    // createTable, the copy's parts, the swap.
    expect(types[0]).toBe('ddl');
    expect(types.slice(1, -1).every((type) => type === 'txnPart') && types.length > 4).toBe(true);
    expect(types.at(-1)).toBe('ddl');
    expect(await rows(s, 'select count(*), min(id), max(id) from k')).toEqual([[3000n, 0, 2999]]);
    expect(await rows(s, 'select name from k where id = 2999')).toEqual([['n0']]);
    // Keys that are not one int column (text, two columns) are checked by their bytes.
    await tag(s, 'create table d (a text, b int, pad text)');
    await copyIn(s, 'copy d from stdin', Array.from({ length: 2000 }, (_, i) => `a${i % 1999}\t${i % 2}\t${'y'.repeat(40)}\n`).join(''), 65536);
    expect(await tag(s, 'alter table d add primary key (a, b)')).toBe('ALTER TABLE');
    await tag(s, 'create table e (a text, pad text)');
    await copyIn(s, 'copy e from stdin', Array.from({ length: 2000 }, (_, i) => `a${i % 1999}\t${'y'.repeat(40)}\n`).join(''), 65536);
    await expect(tag(s, 'alter table e add primary key (a)')).rejects.toMatchObject({ sqlState: '23505' });
    await tag(s, 'create table f (a int, pad text)');
    await copyIn(s, 'copy f from stdin', Array.from({ length: 2000 }, (_, i) => `${i % 1999}\t${'y'.repeat(40)}\n`).join(''), 65536);
    await expect(tag(s, 'alter table f add primary key (a)')).rejects.toMatchObject({ sqlState: '23505' });
    // Nothing of the refused rewrites is left behind: no stray copy, the tables unchanged.
    expect(t.store.catalog().tables().map((d) => d.name).sort()).toEqual(['d', 'e', 'f', 'k']);
    expect(await count('f')).toBe(2000n);
    await t.restart();
    expect(await count('k')).toBe(3000n);
    expect(await count('d')).toBe(2000n);
  });

  it('a row larger than one entry fails the commit with 54000 and loses nothing else', async () => {
    const s = t.session();
    await tag(s, 'create table big (id int primary key, pad text)');
    await expect(tag(s, `insert into big values (1, repeat('z', 20000))`)).rejects.toMatchObject({
      sqlState: '54000', message: expect.stringMatching(/^a row of \d+ bytes does not fit in one log entry \(at most 16384 bytes\)$/) as unknown,
    });
    expect(await tag(s, `insert into big values (2, 'small')`)).toBe('INSERT 0 1');
    expect(await rows(s, 'select id from big')).toEqual([[2]]);
  });

  it('a prefix of parts whose last part never committed is invisible, not checkpointed, and dropped on restart', async () => {
    await tag(t.session(), 'create table t (id int primary key, pad text)');
    const parts = insertParts('t', 0, 2000);
    expect(parts.length).toBeGreaterThan(3);
    // The leader appended and committed all but the last part, then died.
    for (const data of parts.slice(0, -1)) await t.log.propose(data);
    expect(t.store.stats().pendingTxnParts).toBe(parts.length - 1);
    expect(await count('t')).toBe(0n);
    const checkpoint = await t.store.checkpoint();
    expect(checkpoint.deferred).toBe(true);
    await t.restart(); // a new term: its first entry drops the parts
    expect(t.store.stats()).toMatchObject({ pendingTxnParts: 0, droppedTxns: 1 });
    expect(await count('t')).toBe(0n);
    // Nothing is blocked: the same keys insert, and another multi-part transaction commits.
    const s = t.session();
    expect(await tag(s, "insert into t values (0, 'a'), (1999, 'b')")).toBe('INSERT 0 2');
    await proposeTxn({ propose: (data) => t.log.propose(data), logger: silentLogger }, 1n, insertParts('t', 5000, 7000));
    expect(await count('t')).toBe(2002n);
    expect((await t.store.checkpoint()).deferred).toBe(false);
    await t.restart();
    expect(await count('t')).toBe(2002n);
  });

  it('an abort marker drops the parts at once', async () => {
    await tag(t.session(), 'create table t (id int primary key, pad text)');
    const parts = insertParts('t', 0, 2000);
    for (const data of parts.slice(0, 2)) await t.log.propose(data);
    expect(t.store.stats().pendingTxnParts).toBe(2);
    await t.log.propose(encodeTxnAbortEntry(777_000n));
    expect(t.store.stats()).toMatchObject({ pendingTxnParts: 0, droppedTxns: 1 });
    // The rest of the aborted transaction's parts are orphans: ignored.
    for (const data of parts.slice(2)) await t.log.propose(data);
    expect(await count('t')).toBe(0n);
  });
});
