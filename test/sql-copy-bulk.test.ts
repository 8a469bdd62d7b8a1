// Bulk COPY (query/engine-impl/copy/copy-bulk.ts): past copyBulkRowsMin rows
// a plain COPY streams into encoded effects under an exclusive table lock.
// Through the engine, the real replicated log (in-memory WAL) and the row
// store, with entries small enough that every COPY here is many parts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeEntry } from '../materializers/index.js';
import type { EngineSession } from '../query/engine.js';
import { BinaryCopyWriter } from '../query/engine-impl/copy/copy-binary.js';
import { copyBulkRowsMin } from '../query/engine-impl/limits.js';
import type { Transaction } from '../query/engine-impl/transaction.js';
import { encodeBinary } from '../query/types/index.js';
import { copyIn, failsWith, openTestEngine, rows, run, tag, type TestEngine } from '../query/engine-impl/testing/harness.js';

const entryBytesMax = 16 * 1024;
const n = copyBulkRowsMin + 2000;

let t: TestEngine;
beforeEach(async () => {
  t = await openTestEngine({ txnEntryBytesMax: entryBytesMax });
});
afterEach(async () => {
  await t.close();
});

function lines(count: number, line: (i: number) => string): string {
  return Array.from({ length: count }, (_, i) => `${line(i)}\n`).join('');
}

async function count(s: EngineSession, table: string): Promise<bigint> {
  const [[c]] = (await rows(s, `select count(*) from ${table}`)) as [[bigint]];
  return c;
}

/** The session's open transaction (white box: what a bulk COPY holds until COMMIT). */
function transactionOf(s: EngineSession): Transaction {
  const txn = (s as unknown as { transaction(): Transaction | null }).transaction();
  if (txn === null) throw new Error('no open transaction');
  return txn;
}

describe('bulk COPY', () => {
  it('loads a COPY of many parts at once, in its own transaction, as TxnPart entries', async () => {
    const s = t.session();
    await tag(s, 'create table t (id int primary key, v text not null)');
    const before = t.log.status().lastIndex;
    expect(await copyIn(s, 'copy t from stdin', lines(n, (i) => `${i}\tv${i}`), 65536)).toBe(`COPY ${n}`);
    const entries = await t.wal.read(before + 1, t.log.status().lastIndex + 1);
    const parts = entries.map((e) => decodeEntry(e.data)).map((d) => (d.type === 'txnPart' ? d.part : d.type));
    expect(parts.length).toBeGreaterThan(5);
    expect(parts).toEqual(parts.map((_, number) => ({ number, continues: number < parts.length - 1 })));
    expect(await rows(s, 'select count(*), min(id), max(id) from t')).toEqual([[BigInt(n), 0, n - 1]]);
    expect(await rows(s, `select v from t where id = ${n - 1}`)).toEqual([[`v${n - 1}`]]);
    await t.restart();
    expect(await count(t.session(), 't')).toBe(BigInt(n));
  });

  it('holds a block\'s COPY as encoded chunks, not rows, until COMMIT', async () => {
    const s = t.session();
    await tag(s, 'create table t (id int primary key, v text)');
    await tag(s, 'begin');
    await copyIn(s, 'copy t from stdin', lines(n, (i) => `${i}\t${'x'.repeat(30)}`), 65536);
    const txn = transactionOf(s);
    expect(txn.writes.effectCount).toBe(0);
    expect(txn.bulk?.count).toBe(n);
    expect(txn.bulk?.chunks.length).toBeGreaterThan(5);
    for (const chunk of txn.bulk?.chunks ?? []) expect(chunk.bytes.length).toBeLessThan(entryBytesMax);
    // Other sessions see nothing yet.
    expect(await count(t.session(), 't')).toBe(0n);
    expect(await tag(s, 'commit')).toBe('COMMIT');
    expect(await count(t.session(), 't')).toBe(BigInt(n));
  });

  it('a statement after the COPY in its block reads and writes the COPY\'s rows', async () => {
    const s = t.session();
    await tag(s, 'create table t (id int primary key, v text)');
    await tag(s, 'begin');
    await copyIn(s, 'copy t from stdin', lines(n, (i) => `${i}\ta`), 65536);
    expect(await count(s, 't')).toBe(BigInt(n));
    expect(await tag(s, 'update t set v = \'b\' where id = 7')).toBe('UPDATE 1');
    expect((await failsWith(s, 'insert into t values (8, \'c\')')).sqlState).toBe('23505');
    await tag(s, 'rollback');
    await tag(s, 'begin');
    await copyIn(s, 'copy t from stdin', lines(n, (i) => `${i}\ta`), 65536);
    await tag(s, 'delete from t where id < 10');
    await tag(s, 'commit');
    expect(await rows(s, 'select count(*), min(id) from t')).toEqual([[BigInt(n - 10), 10]]);
  });

  it('a duplicate key at the very end rolls back everything, says which key and line, and leaves the session usable', async () => {
    const s = t.session();
    await tag(s, 'create table t (a int, b text, primary key (a, b))');
    const data = lines(n, (i) => `${i}\tk`) + '17\tk\n';
    const error = await copyIn(s, 'copy t from stdin', data, 65536).then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ sqlState: '23505', message: 'duplicate key value violates unique constraint "t_pkey"' });
    expect((error as { detail: string }).detail).toBe(`Key (a, b)=(17, k) already exists.\nCOPY t, line ${n + 1}`);
    expect(await count(s, 't')).toBe(0n);
    expect(t.store.stats()).toMatchObject({ pendingTxnParts: 0 });
    // The table lock went with the transaction: another session writes at once.
    expect(await tag(t.session(), 'insert into t values (1, \'k\')')).toBe('INSERT 0 1');
  });

  it('finds its own duplicates whether keys arrive ascending (the last key only is kept) or not (a set from then on)', async () => {
    const s = t.session();
    await tag(s, 'create table t (id int primary key)');
    // The repeat of the line just before it.
    const repeat = lines(n, (i) => String(i)) + `${n - 1}\n`;
    await expect(copyIn(s, 'copy t from stdin', repeat, 65536)).rejects.toMatchObject({ sqlState: '23505', detail: `Key (id)=(${n - 1}) already exists.\nCOPY t, line ${n + 1}` });
    // Out of order (not a duplicate) at line n/2 + 1, then a duplicate of a key before it, then more ascending keys.
    const half = n / 2;
    const shuffled = lines(half, (i) => String(i * 2)) + `${n * 4}\n1\n` + lines(half, (i) => String(n * 4 + 1 + i)) + '3\n' + '2\n';
    await expect(copyIn(s, 'copy t from stdin', shuffled, 65536)).rejects.toMatchObject({ sqlState: '23505', detail: `Key (id)=(2) already exists.\nCOPY t, line ${n + 4}` });
    expect(await count(s, 't')).toBe(0n);
    // Descending keys without a duplicate load.
    expect(await copyIn(s, 'copy t from stdin', lines(n, (i) => String(n - i)), 65536)).toBe(`COPY ${n}`);
    expect(await rows(s, 'select count(*), min(id), max(id) from t')).toEqual([[BigInt(n), 1, n]]);
  });

  it('a key a committed row holds fails at its own line, before a later bad line', async () => {
    const s = t.session();
    await tag(s, 'create table t (id int primary key, v int not null)');
    await tag(s, `insert into t values (${n - 100}, 0)`);
    // A restart leaves the committed row in RocksDB only: the COPY must read it at the end.
    await t.restart();
    const s2 = t.session();
    const data = lines(n, (i) => `${i}\t${i === n - 10 ? '\\N' : '1'}`);
    const error = await copyIn(s2, 'copy t from stdin', data, 65536).then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ sqlState: '23505', detail: `Key (id)=(${n - 100}) already exists.\nCOPY t, line ${n - 99}` });
    // Without the duplicate, the later NULL is the error.
    await tag(s2, `delete from t where id = ${n - 100}`);
    const nullError = await copyIn(s2, 'copy t from stdin', data, 65536).then(() => undefined, (e: unknown) => e);
    expect(nullError).toMatchObject({ sqlState: '23502', detail: expect.stringContaining(`COPY t, line ${n - 9}`) as unknown });
    expect(await count(s2, 't')).toBe(0n);
  });

  it('a bad value past the switch fails with its line and loads nothing; a block fails as usual', async () => {
    const s = t.session();
    await tag(s, 'create table t (id int primary key, d date)');
    const data = lines(n, (i) => `${i}\t${i === n - 1 ? 'not a date' : '2024-01-01'}`);
    const error = await copyIn(s, 'copy t from stdin', data, 65536).then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ sqlState: '22007', detail: expect.stringContaining(`COPY t, line ${n}, column d: "not a date"`) as unknown });
    await tag(s, 'begin');
    await expect(copyIn(s, 'copy t from stdin', data, 65536)).rejects.toMatchObject({ sqlState: '22007' });
    expect((await failsWith(s, 'select 1')).sqlState).toBe('25P02');
    await tag(s, 'rollback');
    expect(await count(s, 't')).toBe(0n);
  });

  it('tables keyed by a hidden row id, column lists and CSV take the bulk path too', async () => {
    const s = t.session();
    await tag(s, 'create table h (a int, b text)');
    expect(await copyIn(s, 'copy h (b, a) from stdin with (format csv)', lines(n, (i) => `"x,${i}",${i}`), 65536)).toBe(`COPY ${n}`);
    expect(await rows(s, 'select count(*), count(distinct a), max(b) from h')).toEqual([[BigInt(n), BigInt(n), 'x,999']]);
    expect(await tag(s, 'insert into h values (1, \'y\')')).toBe('INSERT 0 1');
    await t.restart();
    expect(await count(t.session(), 'h')).toBe(BigInt(n + 1));
  });

  it('binary COPY takes the bulk path, and a duplicate at its last tuple loads nothing', async () => {
    const s = t.session();
    await tag(s, 'create table b (id int primary key, v text)');
    const binary = (ids: readonly number[]): Buffer => {
      const writer = new BinaryCopyWriter();
      writer.header();
      for (const id of ids) writer.tuple([encodeBinary(id, { kind: 'int4' }), id % 7 === 0 ? null : Buffer.from(`v${id}`)]);
      writer.trailer();
      return Buffer.from(writer.take());
    };
    const ids = Array.from({ length: n }, (_, i) => i);
    const load = async (data: Buffer): Promise<string> => {
      const r = await run(s, 'copy b from stdin with (format binary)');
      if (r.kind !== 'copyIn') throw new Error('expected copyIn');
      for (let i = 0; i < data.length; i += 65536) r.copy.write(data.subarray(i, i + 65536));
      return r.copy.finish();
    };
    await expect(load(binary([...ids, 3]))).rejects.toMatchObject({ sqlState: '23505', detail: `Key (id)=(3) already exists.\nCOPY b, line ${n + 1}` });
    expect(await count(s, 'b')).toBe(0n);
    await tag(s, 'begin');
    expect(await load(binary(ids))).toBe(`COPY ${n}`);
    expect(transactionOf(s).bulk?.count).toBe(n);
    await tag(s, 'commit');
    expect(await rows(s, 'select count(*), count(v), max(id) from b')).toEqual([[BigInt(n), BigInt(n - Math.ceil(n / 7)), n - 1]]);
  });

  it('a COPY whose table another transaction is writing keeps to the ordinary path', async () => {
    const s = t.session();
    const other = t.session();
    await tag(s, 'create table t (id int primary key, v text)');
    await tag(other, 'begin');
    await tag(other, `insert into t values (${n + 5}, 'other')`);
    expect(await copyIn(s, 'copy t from stdin', lines(n, (i) => `${i}\ta`), 65536)).toBe(`COPY ${n}`);
    await tag(other, 'commit');
    expect(await count(s, 't')).toBe(BigInt(n + 1));
    const r = await run(s, 'select 1');
    expect(r.kind).toBe('rows');
  });
});
