// PgSession from the first byte to the last: startup, trust and SCRAM
// authentication, refusals, cancel, shutdown, bugs, backpressure.
import { describe, expect, it } from 'vitest';
import { CancelRegistry } from './cancel-registry.js';
import { deriveScramVerifier, formatScramVerifier } from './scram.js';
import { refusedUser } from './testing/fake-engine.js';
import {
  type BackendMessage,
  fields,
  names,
  ScramClient,
  serialize,
  SessionHarness,
  startupPacket,
} from './testing/session-harness.js';

/** One typed frontend message. */
function frame(type: string, body: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

function errorOf(messages: readonly BackendMessage[]): Record<string, unknown> {
  return fields(messages.find((m) => m.name === 'error'));
}

const scramOptions = { enabled: true, superuser: 'admin', password: 's3cret' } as const;

/** Runs SCRAM as a client would, returning the server's answer to client-final. */
async function scramLogin(h: SessionHarness, user: string, password: string): Promise<{ final: BackendMessage[]; client: ScramClient; serverFirst: string }> {
  const request = await h.send(serialize.startup({ user, database: 'thunderdb' }));
  expect(request).toMatchObject([{ name: 'authenticationSASL', mechanisms: ['SCRAM-SHA-256'] }]);
  const client = new ScramClient(password);
  const cont = await h.send(serialize.sendSASLInitialResponseMessage('SCRAM-SHA-256', client.clientFirst()));
  expect(names(cont)).toEqual(['authenticationSASLContinue']);
  const serverFirst = String(fields(cont[0])['data']);
  const final = await h.send(serialize.sendSCRAMClientFinalMessage(client.clientFinal(serverFirst)));
  return { final, client, serverFirst };
}

describe('startup', () => {
  it('greets a trusted client with AuthenticationOk, parameters, BackendKeyData and ReadyForQuery', async () => {
    const h = new SessionHarness();
    const greeting = await h.connect({ user: 'admin', database: 'thunderdb', application_name: 'tests' });
    expect(names(greeting)[0]).toBe('authenticationOk');
    expect(names(greeting).slice(-2)).toEqual(['backendKeyData', 'readyForQuery']);
    const parameters = Object.fromEntries(greeting.filter((m) => m.name === 'parameterStatus')
      .map((m) => [fields(m)['parameterName'], fields(m)['parameterValue']]));
    expect(parameters).toMatchObject({
      server_version: '15.6', server_encoding: 'UTF8', client_encoding: 'UTF8', DateStyle: 'ISO, MDY',
      IntervalStyle: 'postgres', TimeZone: 'UTC', integer_datetimes: 'on', standard_conforming_strings: 'on',
      application_name: 'tests', is_superuser: 'on', session_authorization: 'admin',
    });
    expect(fields(greeting.at(-1))['status']).toBe('I');
    const key = fields(greeting.find((m) => m.name === 'backendKeyData'));
    expect(key['processID']).toBe(h.session.processId);
    expect(h.session.phase).toBe('ready');
    // One socket write for the whole greeting.
    expect(h.batches).toHaveLength(1);
    expect(h.engine.sessions[0]?.startup).toEqual({ user: 'admin', database: 'thunderdb', parameters: { application_name: 'tests', client_encoding: 'UTF8' } });
  });

  it('answers SSLRequest and GSSENCRequest with N, then reads the plaintext startup', async () => {
    const h = new SessionHarness();
    await h.session.receive(serialize.requestSsl());
    expect(h.takeRaw().toString('latin1')).toBe('N');
    const gss = Buffer.alloc(8);
    gss.writeInt32BE(8, 0);
    gss.writeInt32BE(80877104, 4);
    await h.session.receive(gss);
    expect(h.takeRaw().toString('latin1')).toBe('N');
    expect(names(await h.connect()).at(-1)).toBe('readyForQuery');
  });

  it('refuses a second SSLRequest', async () => {
    const h = new SessionHarness();
    await h.session.receive(serialize.requestSsl());
    h.takeRaw();
    expect(errorOf(await h.send(serialize.requestSsl()))).toMatchObject({ severity: 'FATAL', code: '08P01' });
    expect(h.closed).toBe(true);
  });

  it.each([
    ['no user', { database: 'thunderdb' }, '28000', 'no PostgreSQL user name specified in startup packet'],
    ['a missing database', { user: 'admin', database: 'nope' }, '3D000', 'database "nope" does not exist'],
    ['the user name as the default database', { user: 'admin' }, '3D000', 'database "admin" does not exist'],
    ['an encoding we do not speak', { user: 'admin', database: 'thunderdb', client_encoding: 'LATIN1' }, '22023', 'invalid value for parameter "client_encoding": "LATIN1"'],
    ['a user the engine refuses', { user: refusedUser, database: 'thunderdb' }, '28000', `role "${refusedUser}" is not permitted to log in`],
  ])('ends the connection with FATAL for %s', async (_what, parameters: Record<string, string>, code, message) => {
    const h = new SessionHarness();
    const answer = await h.send(startupPacket(parameters));
    expect(names(answer)).toEqual(['error']);
    expect(errorOf(answer)).toMatchObject({ severity: 'FATAL', code, message });
    await h.session.done;
    expect(h.closed).toBe(true);
    expect(h.session.phase).toBe('closed');
  });

  it('accepts UTF8 under its other spellings', async () => {
    for (const encoding of ['utf8', 'UTF-8', 'unicode', 'SQL_ASCII']) {
      const h = new SessionHarness();
      expect(names(await h.connect({ user: 'admin', database: 'thunderdb', client_encoding: encoding })).at(-1)).toBe('readyForQuery');
    }
  });

  it('answers a newer minor version and unknown _pq_ options with NegotiateProtocolVersion', async () => {
    const h = new SessionHarness();
    await h.session.receive(startupPacket({ user: 'admin', database: 'thunderdb', '_pq_.future': 'on' }, 2));
    const raw = h.takeRaw();
    expect(raw.toString('latin1', 0, 1)).toBe('v');
    expect(raw.readInt32BE(5)).toBe(0);
    expect(raw.readInt32BE(9)).toBe(1);
    expect(raw.toString('latin1', 13, 25)).toBe('_pq_.future\0');
    expect(raw.toString('latin1', raw.length - 6, raw.length - 5)).toBe('Z');
    expect(h.engine.sessions[0]?.startup.parameters).toEqual({});
  });

  it('refuses a client over max_connections after its startup packet', async () => {
    const h = new SessionHarness({ tooManyClients: true });
    expect(errorOf(await h.connect())).toMatchObject({ severity: 'FATAL', code: '53300', message: 'sorry, too many clients already' });
    expect(h.engine.sessions).toHaveLength(0);
  });

  it('closes on a malformed startup packet', async () => {
    const h = new SessionHarness();
    const answer = await h.send(Buffer.from([0x7f, 0xff, 0xff, 0xff]));
    expect(errorOf(answer)).toMatchObject({ severity: 'FATAL', code: '54000' });
    expect(h.closed).toBe(true);
  });
});

describe('CancelRequest', () => {
  it('cancels the statement of the session with that key, sends nothing and closes, even when full', async () => {
    const registry = new CancelRegistry();
    const target = new SessionHarness({ registry });
    await target.connect();
    const running = target.query('select sleep(10000)');
    const key = [...(target.batches[0] ?? Buffer.alloc(0)).subarray(-19, -6)];
    expect(key[0]).toBe(0x4b); // 'K'
    const keyBytes = Buffer.from(key);
    const canceller = new SessionHarness({ registry, tooManyClients: true });
    await canceller.send(serialize.cancel(keyBytes.readInt32BE(5), keyBytes.readInt32BE(9)));
    expect(canceller.batches).toHaveLength(0);
    expect(canceller.closed).toBe(true);
    const answer = await running;
    expect(errorOf(answer)).toMatchObject({ severity: 'ERROR', code: '57014', message: 'canceling statement due to user request' });
    expect(names(answer).at(-1)).toBe('readyForQuery');
  });

  it('ignores a wrong key', async () => {
    const registry = new CancelRegistry();
    const target = new SessionHarness({ registry });
    await target.connect();
    const processId = target.session.processId ?? 0;
    const canceller = new SessionHarness({ registry });
    await canceller.send(serialize.cancel(processId, 12345));
    expect(target.engine.sessions[0]?.cancelCount).toBe(0);
  });
});

describe('SCRAM-SHA-256 authentication', () => {
  it('logs in the superuser with a plain password and proves the server knew it', async () => {
    const h = new SessionHarness({ authentication: scramOptions });
    const { final, client } = await scramLogin(h, 'admin', 's3cret');
    expect(names(final).slice(0, 2)).toEqual(['authenticationSASLFinal', 'authenticationOk']);
    expect(client.verifyServerFinal(String(fields(final[0])['data']))).toBe(true);
    expect(names(final).at(-1)).toBe('readyForQuery');
  });

  it('logs in against a stored SCRAM verifier', async () => {
    const passwordHash = formatScramVerifier(deriveScramVerifier('hashed pw', Buffer.from('0123456789abcdef')));
    const h = new SessionHarness({ authentication: { enabled: true, superuser: 'admin', passwordHash } });
    const { final, serverFirst } = await scramLogin(h, 'admin', 'hashed pw');
    expect(serverFirst).toContain(`,s=${Buffer.from('0123456789abcdef').toString('base64')},i=4096`);
    expect(names(final)).toContain('authenticationOk');
  });

  it('refuses a wrong password and an unknown user with the same words', async () => {
    const wrong = new SessionHarness({ authentication: scramOptions });
    const { final: wrongAnswer } = await scramLogin(wrong, 'admin', 'nope');
    expect(errorOf(wrongAnswer)).toMatchObject({ severity: 'FATAL', code: '28P01', message: 'password authentication failed for user "admin"' });
    expect(wrong.closed).toBe(true);
    const unknown = new SessionHarness({ authentication: scramOptions });
    const { final: unknownAnswer } = await scramLogin(unknown, 'mallory', 's3cret');
    expect(errorOf(unknownAnswer)).toMatchObject({ severity: 'FATAL', code: '28P01', message: 'password authentication failed for user "mallory"' });
    expect(wrong.engine.sessions).toHaveLength(0);
  });

  it('shows an unknown user a stable, real-looking salt', async () => {
    const salts: string[] = [];
    const auth = { ...scramOptions };
    const registry = new CancelRegistry();
    // One authenticator for both attempts, as one listener has.
    const { createAuthenticator, scramExchangeFor } = await import('./authenticator.js');
    const authenticator = createAuthenticator(auth);
    if (authenticator.kind !== 'scram') throw new Error('expected SCRAM');
    for (let i = 0; i < 2; i++) {
      const first = scramExchangeFor(authenticator, 'mallory').clientFirst('n,,n=,r=abc');
      salts.push(first.kind === 'continue' ? (/s=([^,]+)/.exec(first.message)?.[1] ?? '') : '');
    }
    expect(salts[0]).toBe(salts[1]);
    expect(Buffer.from(salts[0] ?? '', 'base64')).toHaveLength(16);
    expect(registry.size).toBe(0);
  });

  it('asks for the client-first-message when the initial response is omitted', async () => {
    const h = new SessionHarness({ authentication: scramOptions });
    await h.send(serialize.startup({ user: 'admin', database: 'thunderdb' }));
    const body = Buffer.concat([Buffer.from('SCRAM-SHA-256\0'), Buffer.from([0xff, 0xff, 0xff, 0xff])]);
    expect(await h.send(frame('p', body))).toMatchObject([{ name: 'authenticationSASLContinue', data: '' }]);
    const client = new ScramClient('s3cret');
    const cont = await h.send(frame('p', Buffer.from(client.clientFirst())));
    const final = await h.send(serialize.sendSCRAMClientFinalMessage(client.clientFinal(String(fields(cont[0])['data']))));
    expect(names(final)).toContain('authenticationOk');
  });

  it.each([
    ['another mechanism', () => serialize.sendSASLInitialResponseMessage('SCRAM-SHA-1', 'n,,n=,r=abc'), '08P01', 'client selected an invalid SASL authentication mechanism'],
    ['channel binding', () => serialize.sendSASLInitialResponseMessage('SCRAM-SHA-256', 'p=tls-unique,,n=,r=abc'), '08P01', 'malformed SCRAM message'],
    ['a query instead', () => serialize.query('select 1'), '08P01', 'expected SASL response, got query message'],
    ['a SASL body that is not UTF-8', () => serialize.sendSASLInitialResponseMessage('SCRAM-SHA-256', '\ufffd'.replace('\ufffd', 'n,,n=,r=\u00ff')), '08P01', 'malformed SCRAM message'],
  ])('ends the connection on %s', async (_what, message, code, text) => {
    const h = new SessionHarness({ authentication: scramOptions });
    await h.send(serialize.startup({ user: 'admin', database: 'thunderdb' }));
    expect(h.session.phase).toBe('authenticating');
    expect(errorOf(await h.send(message()))).toMatchObject({ severity: 'FATAL', code, message: text });
    expect(h.closed).toBe(true);
  });

  it('checks the database only after the password', async () => {
    const h = new SessionHarness({ authentication: scramOptions });
    const request = await h.send(serialize.startup({ user: 'admin', database: 'nope' }));
    expect(names(request)).toEqual(['authenticationSASL']);
  });
});

describe('the session as a whole', () => {
  it('reports a bug in the engine as XX000, logs it, and stays usable', async () => {
    const h = new SessionHarness();
    await h.connect();
    const answer = await h.query('select crash()');
    expect(errorOf(answer)).toMatchObject({ severity: 'ERROR', code: 'XX000', message: 'internal error: the fake engine crashed on purpose' });
    expect(h.logs.join('')).toContain('the fake engine crashed on purpose');
    expect(names(await h.query('select 1'))).toEqual(['rowDescription', 'dataRow', 'commandComplete', 'readyForQuery']);
  });

  it('ends on Terminate: engine session closed, cancel key released', async () => {
    const h = new SessionHarness();
    await h.connect();
    expect(h.registry.size).toBe(1);
    await h.send(serialize.end());
    await h.session.done;
    expect(h.closed).toBe(true);
    expect(h.engine.sessions[0]?.closed).toBe(true);
    expect(h.registry.size).toBe(0);
  });

  it('ends on EOF after answering what was already received', async () => {
    const h = new SessionHarness();
    await h.connect();
    const pending = h.session.receive(serialize.query('select 1'));
    h.session.endOfInput();
    await pending;
    await h.session.done;
    expect(names(h.take())).toEqual(['rowDescription', 'dataRow', 'commandComplete', 'readyForQuery']);
    expect(h.closed).toBe(true);
  });

  it('cancels the running statement when the connection is lost, and sends nothing more', async () => {
    const h = new SessionHarness();
    await h.connect();
    void h.session.receive(serialize.query('select sleep(10000)'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    const batches = h.batches.length;
    h.session.connectionLost();
    await h.session.done;
    expect(h.engine.sessions[0]?.cancelCount).toBe(1);
    expect(h.engine.sessions[0]?.closed).toBe(true);
    expect(h.batches).toHaveLength(batches);
  });

  it('on shutdown: an idle session gets FATAL 57P01 at once', async () => {
    const h = new SessionHarness();
    await h.connect();
    await h.session.shutdown();
    expect(errorOf(h.take())).toMatchObject({ severity: 'FATAL', code: '57P01', message: 'terminating connection due to administrator command' });
    expect(h.closed).toBe(true);
  });

  it('on shutdown: a running statement finishes first; terminate() cuts it short', async () => {
    const finishing = new SessionHarness();
    await finishing.connect();
    const answer = finishing.query('select sleep(30)');
    await new Promise((resolve) => setTimeout(resolve, 5));
    await finishing.session.shutdown();
    expect([...names(await answer), ...names(finishing.take())]).toEqual(['rowDescription', 'dataRow', 'commandComplete', 'readyForQuery', 'error']);
    const cut = new SessionHarness();
    await cut.connect();
    void cut.session.receive(serialize.query('select sleep(10000)'));
    await new Promise((resolve) => setTimeout(resolve, 5));
    cut.session.terminate('57P01', 'terminating connection due to administrator command');
    await cut.session.done;
    expect(cut.engine.sessions[0]?.cancelCount).toBe(1);
    expect(errorOf(cut.take())).toMatchObject({ severity: 'FATAL', code: '57P01' });
  });

  it('on shutdown before startup completes: 57P03', async () => {
    const h = new SessionHarness();
    await h.session.shutdown();
    expect(errorOf(h.take())).toMatchObject({ severity: 'FATAL', code: '57P03' });
  });

  it('streams a large result in bounded batches and waits for a slow client', async () => {
    let waits = 0;
    const h = new SessionHarness({ slowSend: async () => { waits++; await new Promise((resolve) => setImmediate(resolve)); } });
    await h.connect();
    const answer = await h.query('select * from generate_series(1, 30000)');
    expect(answer.filter((m) => m.name === 'dataRow')).toHaveLength(30000);
    expect(fields(answer.at(-2))['text']).toBe('SELECT 30000');
    expect(h.batches.length).toBeGreaterThan(3);
    expect(Math.max(...h.batches.map((b) => b.length))).toBeLessThan(2 * 64 * 1024);
    expect(waits).toBe(h.batches.length);
  });

  it('closes on a fatal framing error (unknown message type) and stays open on a bad body', async () => {
    const h = new SessionHarness();
    await h.connect();
    const bad = await h.send(frame('Q', Buffer.from([0x73, 0xc3, 0x28, 0x00])));
    expect(errorOf(bad)).toMatchObject({ severity: 'ERROR', code: '22021' });
    expect(names(bad).at(-1)).toBe('readyForQuery');
    expect(names(await h.query('select 1')).at(-1)).toBe('readyForQuery');
    const fatal = await h.send(Buffer.from('?garbage'));
    expect(errorOf(fatal)).toMatchObject({ severity: 'FATAL', code: '08P01' });
    await h.session.done;
    expect(h.closed).toBe(true);
  });

  it('refuses a password message after startup with FATAL', async () => {
    const h = new SessionHarness();
    await h.connect();
    expect(errorOf(await h.send(serialize.password('x')))).toMatchObject({ severity: 'FATAL', code: '08P01' });
    expect(h.closed).toBe(true);
  });
});
