// The simple query protocol: multi-statement strings, errors, transaction
// status, notices, ParameterStatus, COPY in both directions.
import { describe, expect, it } from 'vitest';
import { dataRows, fields, names, serialize, SessionHarness } from './testing/session-harness.js';

async function connected(): Promise<SessionHarness> {
  const h = new SessionHarness();
  await h.connect();
  return h;
}

function frame(type: string, body: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

describe('simple query', () => {
  it('answers each statement in turn, stops at the first error, then ReadyForQuery', async () => {
    const h = await connected();
    const answer = await h.query("select * from users; select fail('22012', 'division by zero', 'some detail', 'a hint'); select 2");
    expect(names(answer)).toEqual(['rowDescription', 'dataRow', 'dataRow', 'commandComplete', 'error', 'readyForQuery']);
    expect(answer[0]).toMatchObject({ fields: [
      { name: 'id', tableID: 16384, columnID: 1, dataTypeID: 23, dataTypeSize: 4, format: 'text' },
      { name: 'name', tableID: 16384, columnID: 2, dataTypeID: 25, dataTypeSize: -1, format: 'text' },
    ] });
    expect(dataRows(answer)).toEqual([['1', 'alice'], ['2', 'bob']]);
    expect(fields(answer[3])['text']).toBe('SELECT 2');
    expect(fields(answer[4])).toMatchObject({
      severity: 'ERROR', code: '22012', detail: 'some detail', hint: 'a hint', position: '29',
    });
    expect(fields(answer[4])['message']).toBe('division by zero');
    expect(h.engine.sessions[0]?.executed).not.toContain('select 2');
  });

  it('formats every type as text the way PostgreSQL prints it', async () => {
    const h = await connected();
    const answer = await h.query('select * from types');
    const [row, nulls] = dataRows(answer);
    expect(row).toEqual([
      't', '-12', '123456', '9007199254740993', '1.5', '-2.25', '12345.6789', 'héllo wörld', 'short', '\\xdeadbeef',
      '2024-02-29', '12:34:56.789', '2024-02-29 12:34:56.789012', '2024-02-29 12:34:56.789+00',
      'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '1 year 2 mons 3 days 04:05:06.5', '{"a": [1, 2]}', '{"a": 1, "b": true}',
      '{1,NULL,3}', '{{a,b},{"c d",NULL}}',
    ]);
    expect(nulls?.every((v) => v === null)).toBe(true);
  });

  it('answers an empty string, or only semicolons, with EmptyQueryResponse', async () => {
    const h = await connected();
    expect(names(await h.query(''))).toEqual(['emptyQuery', 'readyForQuery']);
    expect(names(await h.query(' ; ;'))).toEqual(['emptyQuery', 'readyForQuery']);
  });

  it('reports the transaction state in ReadyForQuery: I, T, E, I', async () => {
    const h = await connected();
    const status = async (sql: string): Promise<unknown> => fields((await h.query(sql)).at(-1))['status'];
    expect(await status('begin')).toBe('T');
    expect(await status("select fail('23505', 'duplicate')")).toBe('E');
    const failed = await h.query('select 1');
    expect(fields(failed[0])).toMatchObject({ code: '25P02' });
    expect(await status('rollback')).toBe('I');
  });

  it('sends notices before the result they belong to', async () => {
    const h = await connected();
    const answer = await h.query('drop table if exists ghost; select notice(\'hello\')');
    expect(names(answer)).toEqual(['notice', 'commandComplete', 'notice', 'rowDescription', 'dataRow', 'commandComplete', 'readyForQuery']);
    expect(fields(answer[0])).toMatchObject({ severity: 'NOTICE', code: '00000', message: 'table "ghost" does not exist, skipping' });
  });

  it('sends ParameterStatus for a changed setting before ReadyForQuery, and uses the new time zone', async () => {
    const h = await connected();
    const answer = await h.query("set timezone = 'Europe/Paris'");
    expect(names(answer)).toEqual(['commandComplete', 'parameterStatus', 'readyForQuery']);
    expect(fields(answer[1])).toMatchObject({ parameterName: 'TimeZone', parameterValue: 'Europe/Paris' });
    const row = dataRows(await h.query('select * from types'))[0];
    expect(row?.[13]).toBe('2024-02-29 13:34:56.789+01');
    expect(names(await h.query("set timezone = 'Europe/Paris'"))).toEqual(['commandComplete', 'readyForQuery']);
    expect(names(await h.query('set extra_float_digits = 3'))).toEqual(['commandComplete', 'readyForQuery']);
  });

  it('truncates a reported value far below libpq\'s 30,000-byte limit', async () => {
    const h = await connected();
    const answer = await h.query(`set application_name = '${'x'.repeat(40_000)}'`);
    const status = answer.find((m) => m.name === 'parameterStatus');
    expect(String(fields(status)['parameterValue'])).toHaveLength(4096);
  });

  it('refuses FunctionCall with 0A000 and stays usable', async () => {
    const h = await connected();
    const body = Buffer.from([0, 0, 0, 42, 0, 0, 0, 0, 0, 0]);
    const answer = await h.send(frame('F', body));
    expect(names(answer)).toEqual(['error', 'readyForQuery']);
    expect(fields(answer[0])).toMatchObject({ code: '0A000' });
  });

  it('ignores COPY messages outside COPY', async () => {
    const h = await connected();
    expect(await h.send(serialize.copyData(Buffer.from('x')), serialize.copyDone(), serialize.copyFail('no'))).toEqual([]);
    expect(names(await h.query('select 1')).at(-1)).toBe('readyForQuery');
  });
});

describe('COPY FROM STDIN', () => {
  it('loads CopyData split anywhere, then CommandComplete with the tag', async () => {
    const h = await connected();
    const start = await h.query('copy users from stdin');
    expect(start).toMatchObject([{ name: 'copyInResponse', binary: false, columnTypes: [0, 0] }]);
    expect(await h.send(serialize.copyData(Buffer.from('3\tca')), serialize.copyData(Buffer.from('rol\n4\tdave\n')))).toEqual([]);
    // Flush and Sync are ignored during COPY IN.
    expect(await h.send(serialize.flush(), serialize.sync())).toEqual([]);
    const done = await h.send(serialize.copyDone());
    expect(names(done)).toEqual(['commandComplete', 'readyForQuery']);
    expect(fields(done[0])['text']).toBe('COPY 2');
    expect(h.engine.users()).toEqual([[1, 'alice'], [2, 'bob'], [3, 'carol'], [4, 'dave']]);
  });

  it('runs the statements after a COPY in the same query string', async () => {
    const h = await connected();
    await h.query("copy users from stdin with (format csv); select * from users where id = 5");
    const answer = await h.send(serialize.copyData(Buffer.from('5,eve\n')), serialize.copyDone());
    expect(names(answer)).toEqual(['commandComplete', 'rowDescription', 'dataRow', 'commandComplete', 'readyForQuery']);
    expect(dataRows(answer)).toEqual([['5', 'eve']]);
  });

  it('reports bad data at CopyDone and loads nothing', async () => {
    const h = await connected();
    await h.query('copy users from stdin');
    const answer = await h.send(serialize.copyData(Buffer.from('7\tgus\nx\ty\n')), serialize.copyDone());
    expect(names(answer)).toEqual(['error', 'readyForQuery']);
    expect(fields(answer[0])).toMatchObject({ code: '22P02', message: 'invalid input syntax for type integer: "x"' });
    expect(h.engine.users()).toHaveLength(2);
  });

  it('aborts on CopyFail with the client\'s reason', async () => {
    const h = await connected();
    await h.query('copy users from stdin; select 1');
    const answer = await h.send(serialize.copyData(Buffer.from('8\thal\n')), serialize.copyFail('changed my mind'));
    expect(names(answer)).toEqual(['error', 'readyForQuery']);
    expect(fields(answer[0])).toMatchObject({ code: '57014', message: 'COPY from stdin failed: changed my mind' });
    expect(h.engine.copyAborts).toEqual(['changed my mind']);
  });

  it('fails the COPY on any other message', async () => {
    const h = await connected();
    await h.query('copy users from stdin');
    const answer = await h.send(serialize.query('select 1'));
    expect(names(answer)).toEqual(['error', 'readyForQuery']);
    expect(fields(answer[0])).toMatchObject({ code: '08P01', message: 'unexpected message type 0x51 during COPY from stdin' });
    expect(h.engine.copyAborts).toHaveLength(1);
    expect(names(await h.query('select 1')).at(-1)).toBe('readyForQuery');
  });

  it('aborts the sink when the connection drops mid-COPY', async () => {
    const h = await connected();
    await h.query('copy users from stdin');
    h.session.connectionLost();
    await h.session.done;
    expect(h.engine.copyAborts).toEqual(['connection closed during COPY']);
  });

  it('stops at the next message after a cancel', async () => {
    const h = await connected();
    await h.query('copy users from stdin');
    h.session.cancel();
    const answer = await h.send(serialize.copyData(Buffer.from('9\tivy\n')));
    expect(fields(answer[0])).toMatchObject({ code: '57014' });
  });
});

describe('COPY TO STDOUT', () => {
  it('sends CopyOutResponse, one CopyData per chunk, CopyDone, CommandComplete', async () => {
    const h = await connected();
    const answer = await h.query('copy users to stdout');
    expect(names(answer)).toEqual(['copyOutResponse', 'copyData', 'copyData', 'copyDone', 'commandComplete', 'readyForQuery']);
    expect(answer[0]).toMatchObject({ binary: false, columnTypes: [0, 0] });
    const data = answer.filter((m) => m.name === 'copyData').map((m) => String(fields(m)['chunk']));
    expect(data).toEqual(['1\talice\n', '2\tbob\n']);
    expect(fields(answer[4])['text']).toBe('COPY 2');
  });
});
