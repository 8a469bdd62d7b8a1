// The extended query protocol: statements and portals, Describe, Execute
// with a row limit, binary formats, errors and the skip-until-Sync rule.
import { describe, expect, it } from 'vitest';
import { typesTable } from './testing/fake-tables.js';
import { dataRows, fields, names, rawDataRows, serialize, SessionHarness } from './testing/session-harness.js';
import { decodeBinary } from '../../../query/types/index.js';

async function connected(): Promise<SessionHarness> {
  const h = new SessionHarness();
  await h.connect();
  return h;
}

/** Sends several frontend messages in one chunk, as drivers pipeline them. */
function pipeline(h: SessionHarness, ...messages: Buffer[]): ReturnType<SessionHarness['send']> {
  return h.send(Buffer.concat(messages));
}

describe('extended query', () => {
  it('runs Parse, Bind, Describe portal, Execute, Sync with text parameters', async () => {
    const h = await connected();
    const answer = await pipeline(h,
      serialize.parse({ text: 'select $1::int8 as big, $2 as t' }),
      serialize.bind({ values: ['9007199254740993', 'hi'] }),
      serialize.describe({ type: 'P' }),
      serialize.execute({}),
      serialize.sync());
    expect(names(answer)).toEqual(['parseComplete', 'bindComplete', 'rowDescription', 'dataRow', 'commandComplete', 'readyForQuery']);
    expect(answer[2]).toMatchObject({ fields: [{ name: 'big', dataTypeID: 20 }, { name: 't', dataTypeID: 25 }] });
    expect(dataRows(answer)).toEqual([['9007199254740993', 'hi']]);
    // One batch for the whole pipeline: nothing is flushed before Sync.
    expect(h.batches).toHaveLength(2);
  });

  it('describes a statement: parameter types, then its columns or NoData', async () => {
    const h = await connected();
    const answer = await pipeline(h,
      serialize.parse({ name: 'q', text: 'select * from users where id = $1' }),
      serialize.describe({ type: 'S', name: 'q' }),
      serialize.parse({ name: 'ins', text: 'insert into users values ($1, $2)', types: [23, 1043] }),
      serialize.describe({ type: 'S', name: 'ins' }),
      serialize.sync());
    expect(names(answer)).toEqual(['parseComplete', 'parameterDescription', 'rowDescription', 'parseComplete', 'parameterDescription', 'noData', 'readyForQuery']);
    expect(answer[1]).toMatchObject({ dataTypeIDs: [23] });
    expect(answer[2]).toMatchObject({ fields: [{ name: 'id', format: 'text' }, { name: 'name', format: 'text' }] });
    expect(answer[4]).toMatchObject({ dataTypeIDs: [23, 1043] });
  });

  it('reuses a named statement across Syncs and refuses a duplicate name with 42P05', async () => {
    const h = await connected();
    await pipeline(h, serialize.parse({ name: 'byId', text: 'select * from users where id = $1' }), serialize.sync());
    for (const id of ['1', '2']) {
      const answer = await pipeline(h, serialize.bind({ statement: 'byId', values: [id] }), serialize.execute({}), serialize.sync());
      expect(dataRows(answer)).toEqual([[id, id === '1' ? 'alice' : 'bob']]);
    }
    const duplicate = await pipeline(h, serialize.parse({ name: 'byId', text: 'select 1' }), serialize.sync());
    expect(names(duplicate)).toEqual(['error', 'readyForQuery']);
    expect(fields(duplicate[0])).toMatchObject({ code: '42P05', message: 'prepared statement "byId" already exists' });
  });

  it('hands out rows in slices with Execute limits: PortalSuspended, then CommandComplete', async () => {
    const h = await connected();
    const first = await pipeline(h,
      serialize.parse({ text: 'select * from generate_series(1, 5)' }),
      serialize.bind({ portal: 'c' }),
      serialize.execute({ portal: 'c', rows: 2 }),
      serialize.flush());
    expect(names(first)).toEqual(['parseComplete', 'bindComplete', 'dataRow', 'dataRow', 'portalSuspended']);
    expect(names(await pipeline(h, serialize.execute({ portal: 'c', rows: 2 }), serialize.flush())))
      .toEqual(['dataRow', 'dataRow', 'portalSuspended']);
    const last = await pipeline(h, serialize.execute({ portal: 'c', rows: 2 }), serialize.flush());
    expect(names(last)).toEqual(['dataRow', 'commandComplete']);
    expect(dataRows(last)).toEqual([['5']]);
    expect(fields(last[1])['text']).toBe('SELECT 1');
    const again = await pipeline(h, serialize.execute({ portal: 'c' }), serialize.sync());
    expect(fields(again[0])).toMatchObject({ code: '55000', message: 'portal "c" cannot be run' });
  });

  it('after an error, discards everything until Sync', async () => {
    const h = await connected();
    const answer = await pipeline(h,
      serialize.parse({ text: 'select nonsense here' }),
      serialize.bind({}),
      serialize.describe({ type: 'P' }),
      serialize.execute({}),
      serialize.query('select 1'),
      serialize.sync(),
      serialize.parse({ text: 'select 1' }),
      serialize.sync());
    expect(names(answer)).toEqual(['error', 'readyForQuery', 'parseComplete', 'readyForQuery']);
    expect(fields(answer[0])).toMatchObject({ code: '42601' });
    // The error is flushed at once, before the Sync arrives.
    expect(h.batches[1]?.[0]).toBe(0x45);
  });

  it.each([
    ['Bind to an unknown statement', [serialize.bind({ statement: 'nope' })], '26000', 'prepared statement "nope" does not exist'],
    ['Bind to the unnamed statement when there is none', [serialize.bind({})], '26000', 'unnamed prepared statement does not exist'],
    ['Execute of an unknown portal', [serialize.execute({ portal: 'nope' })], '34000', 'portal "nope" does not exist'],
    ['Describe of an unknown portal', [serialize.describe({ type: 'P', name: 'nope' })], '34000', 'portal "nope" does not exist'],
    ['Describe of an unknown statement', [serialize.describe({ type: 'S', name: 'nope' })], '26000', 'prepared statement "nope" does not exist'],
    ['a Parse OID we do not know', [serialize.parse({ text: 'select $1', types: [424242] })], '42704', 'type with OID 424242 does not exist'],
    ['too few parameters', [serialize.parse({ text: 'select $1::int4, $2::int4' }), serialize.bind({ values: ['1'] })], '08P01', 'bind message supplies 1 parameters, but prepared statement "" requires 2'],
    ['a bad text parameter', [serialize.parse({ text: 'select $1::int4' }), serialize.bind({ values: ['x'] })], '22P02', 'invalid input syntax for type integer: "x"'],
    ['a short binary parameter', [serialize.parse({ text: 'select $1::int4' }), serialize.bind({ values: [Buffer.from([1, 2])] })], '08P01', 'insufficient data left in message'],
    ['a long binary parameter', [serialize.parse({ text: 'select $1::int4' }), serialize.bind({ values: [Buffer.from([1, 2, 3, 4, 5])] })], '22P03', 'incorrect binary data format in bind parameter 1'],
  ])('reports %s', async (_what, messages, code, message) => {
    const h = await connected();
    const answer = await pipeline(h, ...messages, serialize.sync());
    expect(names(answer).slice(-2)).toEqual(['error', 'readyForQuery']);
    expect(fields(answer.at(-2))).toMatchObject({ code, message });
  });

  it('returns binary results when asked, in PostgreSQL\'s send format', async () => {
    const h = await connected();
    const answer = await pipeline(h,
      serialize.parse({ text: 'select * from types' }),
      serialize.bind({ binary: true }),
      serialize.describe({ type: 'P' }),
      serialize.execute({}),
      serialize.sync());
    const description = answer.find((m) => m.name === 'rowDescription');
    expect((fields(description)['fields'] as { format: string }[]).every((f) => f.format === 'binary')).toBe(true);
    const rows = rawDataRows(h.batches);
    typesTable.columns.forEach((column, i) => {
      const bytes = Uint8Array.from(rows[0]?.[i] ?? []);
      expect(decodeBinary(bytes, column.type), column.name).toEqual(typesTable.rows[0]?.[i]);
    });
    expect(rows[0]?.[2]?.toString('hex')).toBe('0001e240');
    expect(rows[1]?.every((v) => v === null)).toBe(true);
  });

  it('takes binary parameters (a bytea, as node-postgres sends Buffers)', async () => {
    const h = await connected();
    const answer = await pipeline(h,
      serialize.parse({ text: 'select $1::bytea as b, $2::int4 as n' }),
      serialize.bind({ values: [Buffer.from([0, 255]), '7'] }),
      serialize.execute({}),
      serialize.sync());
    expect(dataRows(answer)).toEqual([['\\x00ff', '7']]);
  });

  it('closes statements and portals, quietly when they do not exist', async () => {
    const h = await connected();
    const answer = await pipeline(h,
      serialize.parse({ name: 's', text: 'select 1' }),
      serialize.bind({ statement: 's', portal: 'p' }),
      serialize.close({ type: 'P', name: 'p' }),
      serialize.close({ type: 'S', name: 's' }),
      serialize.close({ type: 'S', name: 'never' }),
      serialize.bind({ statement: 's' }),
      serialize.sync());
    expect(names(answer)).toEqual(['parseComplete', 'bindComplete', 'closeComplete', 'closeComplete', 'closeComplete', 'error', 'readyForQuery']);
  });

  it('drops portals when the transaction ends at Sync, keeps them inside BEGIN', async () => {
    const h = await connected();
    await pipeline(h, serialize.parse({ name: 's', text: 'select 1' }), serialize.bind({ statement: 's', portal: 'p' }), serialize.sync());
    expect(fields((await pipeline(h, serialize.execute({ portal: 'p' }), serialize.sync()))[0])).toMatchObject({ code: '34000' });
    await h.query('begin');
    await pipeline(h, serialize.bind({ statement: 's', portal: 'p' }), serialize.sync());
    const inside = await pipeline(h, serialize.execute({ portal: 'p' }), serialize.sync());
    expect(names(inside)).toEqual(['dataRow', 'commandComplete', 'readyForQuery']);
    expect(fields(inside[2])['status']).toBe('T');
  });

  it('replaces the unnamed statement on Parse and drops it on a simple Query', async () => {
    const h = await connected();
    await pipeline(h, serialize.parse({ text: 'select 1 as a' }), serialize.parse({ text: 'select 2 as b' }), serialize.sync());
    expect(dataRows(await pipeline(h, serialize.bind({}), serialize.execute({}), serialize.sync()))).toEqual([['2']]);
    await h.query('select 3');
    expect(fields((await pipeline(h, serialize.bind({}), serialize.sync()))[0])).toMatchObject({ code: '26000' });
  });

  it('answers commands, empty statements and notices', async () => {
    const h = await connected();
    const answer = await pipeline(h,
      serialize.parse({ text: 'insert into users values ($1, $2)' }),
      serialize.bind({ values: ['10', 'zed'] }),
      serialize.execute({}),
      serialize.parse({ text: '' }),
      serialize.bind({}),
      serialize.execute({}),
      serialize.parse({ text: 'drop table if exists ghost' }),
      serialize.bind({}),
      serialize.execute({}),
      serialize.sync());
    expect(names(answer)).toEqual([
      'parseComplete', 'bindComplete', 'commandComplete',
      'parseComplete', 'bindComplete', 'emptyQuery',
      'parseComplete', 'bindComplete', 'notice', 'commandComplete', 'readyForQuery',
    ]);
    expect(h.engine.users()).toContainEqual([10, 'zed']);
  });

  it('runs COPY through the extended protocol', async () => {
    const h = await connected();
    const start = await pipeline(h, serialize.parse({ text: 'copy users from stdin' }), serialize.bind({}), serialize.execute({}));
    expect(names(start)).toEqual(['parseComplete', 'bindComplete', 'copyInResponse']);
    const done = await pipeline(h, serialize.copyData(Buffer.from('11\tyan\n')), serialize.copyDone(), serialize.sync());
    expect(names(done)).toEqual(['commandComplete', 'readyForQuery']);
    expect(h.engine.users()).toContainEqual([11, 'yan']);
  });

  it('skips until Sync after a bad message body in the extended protocol', async () => {
    const h = await connected();
    // Describe with an unknown target byte 'X' is a non-fatal violation.
    const badDescribe = Buffer.from([0x44, 0, 0, 0, 6, 0x58, 0]);
    const answer = await pipeline(h, badDescribe, serialize.parse({ text: 'select 1' }), serialize.sync());
    expect(names(answer)).toEqual(['error', 'readyForQuery']);
    expect(fields(answer[0])).toMatchObject({ code: '08P01', severity: 'ERROR' });
  });
});
