import { describe, expect, it } from 'vitest';
import { serialize } from 'pg-protocol/dist/serializer.js';
import { FormatCode, FrontendType, StartupCode } from './constants.js';
import { FrontendDecoder } from './frontend-decoder.js';
import type { FrontendMessage } from './frontend-messages.js';
import { formatCodeAt } from './frontend-messages.js';
import { decodePassword, decodeSaslInitialResponse, decodeSaslResponse } from './auth-bodies.js';
import { decodeChunks, deliveries, plain, startedDecoder, startupBytes } from './test-support.js';

/** A FunctionCall 'F' frame, which pg-protocol cannot produce: oid 1598, one text argument '7', binary result. */
function functionCallBytes(): Buffer {
  const body = Buffer.from([
    0, 0, 0x06, 0x3e, // function oid 1598
    0, 1, 0, 0, // 1 argument format: text
    0, 1, 0, 0, 0, 1, 0x37, // 1 argument: length 1, '7'
    0, 1, // result format: binary
  ]);
  const header = Buffer.alloc(5);
  header[0] = FrontendType.FunctionCall;
  header.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([header, body]);
}

function gssEncRequestBytes(): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeInt32BE(8, 0);
  bytes.writeInt32BE(StartupCode.GssEncRequest, 4);
  return bytes;
}

interface Case {
  readonly name: string;
  readonly bytes: Buffer;
  readonly expected: FrontendMessage;
}

const startupCases: readonly Case[] = [
  {
    name: 'StartupMessage',
    bytes: startupBytes,
    expected: {
      kind: 'startup',
      protocolMajorVersion: 3,
      protocolMinorVersion: 0,
      parameters: new Map([['user', 'alice'], ['database', 'shop'], ['client_encoding', 'UTF8']]),
    },
  },
  { name: 'SSLRequest', bytes: serialize.requestSsl(), expected: { kind: 'sslRequest' } },
  { name: 'GSSENCRequest', bytes: gssEncRequestBytes(), expected: { kind: 'gssEncRequest' } },
  {
    name: 'CancelRequest',
    bytes: serialize.cancel(4242, -123456789),
    expected: { kind: 'cancelRequest', processId: 4242, secretKey: -123456789 },
  },
];

const typedCases: readonly Case[] = [
  { name: 'PasswordMessage', bytes: serialize.password('s3cret'), expected: { kind: 'authResponse', body: Buffer.from('s3cret\0') } },
  {
    name: 'SASLInitialResponse',
    bytes: serialize.sendSASLInitialResponseMessage('SCRAM-SHA-256', 'n,,n=*,r=abc'),
    expected: {
      kind: 'authResponse',
      body: Buffer.concat([Buffer.from('SCRAM-SHA-256\0'), Buffer.from([0, 0, 0, 12]), Buffer.from('n,,n=*,r=abc')]),
    },
  },
  {
    name: 'SASLResponse',
    bytes: serialize.sendSCRAMClientFinalMessage('c=biws,r=abc,p=xyz'),
    expected: { kind: 'authResponse', body: Buffer.from('c=biws,r=abc,p=xyz') },
  },
  { name: 'Query', bytes: serialize.query('SELECT 1'), expected: { kind: 'query', sql: 'SELECT 1' } },
  { name: 'Query (empty)', bytes: serialize.query(''), expected: { kind: 'query', sql: '' } },
  {
    name: 'Query (non-ASCII, leading BOM kept)',
    bytes: serialize.query('\uFEFFSELECT \'héllo € 日本 🐘\''),
    expected: { kind: 'query', sql: '\uFEFFSELECT \'héllo € 日本 🐘\'' },
  },
  {
    name: 'Parse',
    bytes: serialize.parse({ name: 's1', text: 'SELECT $1::int, $2', types: [23, 0, 4_000_000_000] }),
    expected: { kind: 'parse', statementName: 's1', sql: 'SELECT $1::int, $2', parameterTypeOids: [23, 0, 4_000_000_000] },
  },
  {
    name: 'Parse (unnamed, no types)',
    bytes: serialize.parse({ text: 'SELECT 1' }),
    expected: { kind: 'parse', statementName: '', sql: 'SELECT 1', parameterTypeOids: [] },
  },
  {
    name: 'Bind (text, NULL and binary values; binary results)',
    bytes: serialize.bind({ portal: 'p1', statement: 's1', values: ['42', null, Buffer.from([0, 1, 255])], binary: true }),
    expected: {
      kind: 'bind',
      portalName: 'p1',
      statementName: 's1',
      parameterFormats: [FormatCode.Text, FormatCode.Text, FormatCode.Binary],
      parameterValues: [Buffer.from('42'), null, Buffer.from([0, 1, 255])],
      resultFormats: [FormatCode.Binary],
    },
  },
  {
    name: 'Bind (no values)',
    bytes: serialize.bind(),
    expected: {
      kind: 'bind', portalName: '', statementName: '', parameterFormats: [], parameterValues: [], resultFormats: [FormatCode.Text],
    },
  },
  { name: 'Describe statement', bytes: serialize.describe({ type: 'S', name: 's1' }), expected: { kind: 'describe', target: 'statement', name: 's1' } },
  { name: 'Describe portal (unnamed)', bytes: serialize.describe({ type: 'P' }), expected: { kind: 'describe', target: 'portal', name: '' } },
  { name: 'Execute', bytes: serialize.execute({ portal: 'p1', rows: 100 }), expected: { kind: 'execute', portalName: 'p1', rowsMax: 100 } },
  { name: 'Execute (all rows)', bytes: serialize.execute(), expected: { kind: 'execute', portalName: '', rowsMax: 0 } },
  {
    name: 'Execute (rows >= 2^31 is "all", as in PostgreSQL)',
    bytes: serialize.execute({ portal: 'p', rows: 0x8000_0000 }),
    expected: { kind: 'execute', portalName: 'p', rowsMax: 0 },
  },
  { name: 'Sync', bytes: serialize.sync(), expected: { kind: 'sync' } },
  { name: 'Flush', bytes: serialize.flush(), expected: { kind: 'flush' } },
  { name: 'Close statement', bytes: serialize.close({ type: 'S', name: 's1' }), expected: { kind: 'close', target: 'statement', name: 's1' } },
  { name: 'Close portal', bytes: serialize.close({ type: 'P' }), expected: { kind: 'close', target: 'portal', name: '' } },
  { name: 'CopyData', bytes: serialize.copyData(Buffer.from('1\tfoo\n')), expected: { kind: 'copyData', data: Buffer.from('1\tfoo\n') } },
  { name: 'CopyData (empty)', bytes: serialize.copyData(Buffer.alloc(0)), expected: { kind: 'copyData', data: Buffer.alloc(0) } },
  { name: 'CopyDone', bytes: serialize.copyDone(), expected: { kind: 'copyDone' } },
  { name: 'CopyFail', bytes: serialize.copyFail('client gave up'), expected: { kind: 'copyFail', reason: 'client gave up' } },
  {
    name: 'FunctionCall',
    bytes: functionCallBytes(),
    expected: {
      kind: 'functionCall',
      functionOid: 1598,
      argumentFormats: [FormatCode.Text],
      argumentValues: [Buffer.from('7')],
      resultFormat: FormatCode.Binary,
    },
  },
  { name: 'Terminate', bytes: serialize.end(), expected: { kind: 'terminate' } },
];

describe('FrontendDecoder: startup packets from pg-protocol', () => {
  for (const c of startupCases) {
    it(`${c.name}: whole, byte by byte and split at every offset`, () => {
      for (const chunks of deliveries(c.bytes)) {
        const decoder = new FrontendDecoder();
        expect(plain(decodeChunks(chunks, decoder))).toEqual([plain(c.expected)]);
        expect(decoder.bufferedBytes).toBe(0);
      }
    });
  }
});

describe('FrontendDecoder: typed messages from pg-protocol', () => {
  for (const c of typedCases) {
    it(`${c.name}: whole, byte by byte and split at every offset`, () => {
      for (const chunks of deliveries(c.bytes)) {
        const decoder = startedDecoder();
        expect(plain(decodeChunks(chunks, decoder))).toEqual([plain(c.expected)]);
        expect(decoder.bufferedBytes).toBe(0);
      }
    });
  }

  it('decodes a whole session in one chunk, and the same split at every offset', () => {
    const bytes = Buffer.concat([startupBytes, ...typedCases.map((c) => c.bytes)]);
    const expected = plain([startupCases[0]?.expected, ...typedCases.map((c) => c.expected)]);
    for (const chunks of deliveries(bytes)) expect(plain(decodeChunks(chunks))).toEqual(expected);
  });

  it('decodes an extended-query pipeline as node-postgres sends it', () => {
    const pipeline = Buffer.concat([
      serialize.parse({ text: 'SELECT $1' }),
      serialize.bind({ values: ['x'] }),
      serialize.describe({ type: 'P' }),
      serialize.execute(),
      serialize.sync(),
    ]);
    const kinds = decodeChunks([pipeline], startedDecoder()).map((m) => m.kind);
    expect(kinds).toEqual(['parse', 'bind', 'describe', 'execute', 'sync']);
  });
});

describe('FrontendDecoder: phases', () => {
  it('reads nothing after Terminate and buffers nothing more', () => {
    const decoder = startedDecoder();
    expect(decodeChunks([Buffer.concat([serialize.end(), serialize.query('SELECT 1')])], decoder)).toMatchObject([
      { kind: 'terminate' },
    ]);
    expect(decoder.phase).toBe('ended');
    decoder.push(serialize.query('SELECT 2'));
    expect(decoder.poll()).toBeUndefined();
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('reads nothing after CancelRequest', () => {
    const decoder = new FrontendDecoder();
    expect(decodeChunks([Buffer.concat([serialize.cancel(1, 2), startupBytes])], decoder)).toHaveLength(1);
    expect(decoder.phase).toBe('ended');
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('pauses after SSLRequest; refused, the client goes on in plaintext', () => {
    const decoder = new FrontendDecoder();
    const decoded = decodeChunks([Buffer.concat([serialize.requestSsl(), startupBytes])], decoder);
    expect(decoded).toEqual([{ kind: 'sslRequest' }]);
    expect(decoder.phase).toBe('encryptionRequested');
    expect(decoder.poll()).toBeUndefined();
    expect(decoder.resumeStartup(false)).toBeUndefined();
    expect(decoder.poll()).toMatchObject({ kind: 'startup' });
    expect(decoder.phase).toBe('messages');
  });

  it('accepted SSL with nothing buffered: the decrypted stream starts with a startup packet', () => {
    const decoder = new FrontendDecoder();
    expect(decodeChunks([serialize.requestSsl()], decoder)).toEqual([{ kind: 'sslRequest' }]);
    expect(decoder.resumeStartup(true)).toBeUndefined();
    expect(decodeChunks([startupBytes], decoder)).toMatchObject([{ kind: 'startup' }]);
  });

  it('accepted SSL with plaintext already buffered is fatal (CVE-2021-23214)', () => {
    const decoder = new FrontendDecoder();
    decodeChunks([Buffer.concat([serialize.requestSsl(), serialize.query('injected')])], decoder);
    const violation = decoder.resumeStartup(true);
    expect(violation).toMatchObject({ kind: 'violation', sqlState: '08P01', fatal: true });
    expect(violation?.message).toBe('received unencrypted data after SSL request');
    expect(decoder.phase).toBe('failed');
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('GSSENCRequest pauses the same way', () => {
    const decoder = new FrontendDecoder();
    decodeChunks([Buffer.concat([gssEncRequestBytes(), Buffer.from([1])])], decoder);
    expect(decoder.resumeStartup(true)?.message).toBe('received unencrypted data after GSSAPI encryption request');
  });

  it('resumeStartup outside the pause is a bug in the caller', () => {
    expect(() => new FrontendDecoder().resumeStartup(false)).toThrow(/resumeStartup/);
  });

  it('accepts a 3.x minor version above ours, for the session to negotiate', () => {
    const bytes = Buffer.from(startupBytes);
    bytes.writeInt16BE(2, 6);
    expect(decodeChunks([bytes])).toMatchObject([{ kind: 'startup', protocolMajorVersion: 3, protocolMinorVersion: 2 }]);
  });

  it('keeps parameter names such as __proto__ as plain data, last value winning', () => {
    const decoded = decodeChunks([serialize.startup({ ['__proto__']: 'x', user: 'a' })]);
    const startup = decoded[0];
    if (startup?.kind !== 'startup') throw new Error('expected a startup message');
    expect(startup.parameters.get('__proto__')).toBe('x');
    expect(Object.getPrototypeOf(startup.parameters)).toBe(Map.prototype);
  });

  it('rejects bad option values at construction', () => {
    expect(() => new FrontendDecoder({ messageBytesMax: 5 })).toThrow(RangeError);
    expect(() => new FrontendDecoder({ messageBytesMax: 2 ** 31 })).toThrow(RangeError);
    expect(() => new FrontendDecoder({ messageBytesMax: 1.5e6 + 0.5 })).toThrow(RangeError);
    expect(new FrontendDecoder({ messageBytesMax: 100_000 }).phase).toBe('startup');
  });

  it('messages hold views of the pushed chunk, not copies, when a frame lies in one chunk', () => {
    const chunk = Buffer.concat([serialize.copyData(Buffer.from('abc')), serialize.sync()]);
    const [copy] = decodeChunks([chunk], startedDecoder());
    if (copy?.kind !== 'copyData') throw new Error('expected CopyData');
    expect(copy.data.buffer).toBe(chunk.buffer);
  });
});

describe('the authentication body helpers', () => {
  function authBody(bytes: Buffer): Buffer {
    const [message] = decodeChunks([bytes], startedDecoder());
    if (message?.kind !== 'authResponse') throw new Error('expected authResponse');
    return message.body;
  }

  it('decodePassword', () => {
    expect(decodePassword(authBody(serialize.password('pässword')))).toEqual({ password: 'pässword' });
  });

  it('decodeSaslInitialResponse', () => {
    const decoded = decodeSaslInitialResponse(authBody(serialize.sendSASLInitialResponseMessage('SCRAM-SHA-256', 'n,,n=*,r=abc')));
    expect(plain(decoded)).toEqual({ mechanism: 'SCRAM-SHA-256', initialResponse: [...Buffer.from('n,,n=*,r=abc')] });
  });

  it('decodeSaslInitialResponse with no initial response (length -1)', () => {
    const body = Buffer.concat([Buffer.from('SCRAM-SHA-256\0'), Buffer.from([0xff, 0xff, 0xff, 0xff])]);
    expect(decodeSaslInitialResponse(body)).toEqual({ mechanism: 'SCRAM-SHA-256', initialResponse: null });
  });

  it('decodeSaslResponse', () => {
    expect(plain(decodeSaslResponse(authBody(serialize.sendSCRAMClientFinalMessage('c=biws'))))).toEqual({
      data: [...Buffer.from('c=biws')],
    });
  });
});

describe('formatCodeAt', () => {
  it('applies the 0 / 1 / n rule', () => {
    expect(formatCodeAt([], 3)).toBe(FormatCode.Text);
    expect(formatCodeAt([FormatCode.Binary], 3)).toBe(FormatCode.Binary);
    expect(formatCodeAt([FormatCode.Text, FormatCode.Binary], 1)).toBe(FormatCode.Binary);
  });
});
