import { describe, expect, it } from 'vitest';
import { serialize } from 'pg-protocol/dist/serializer.js';
import { FrontendType, SqlState, StartupCode } from './constants.js';
import { FrontendDecoder } from './frontend-decoder.js';
import { authMessageBytesMax, messageBytesMaxDefault, smallMessageBytesMax, startupPacketBytesMax } from './limits.js';
import { decodePassword, decodeSaslInitialResponse } from './auth-bodies.js';
import { decodeUtf8 } from './body-reader.js';
import { ProtocolViolation } from './violation.js';
import { decodeChunks, startedDecoder, startupBytes } from './test-support.js';

/** A typed frame with the given type byte and body; `length` overrides the length field. */
function frame(type: number, body: Uint8Array, length = 4 + body.length): Buffer {
  const header = Buffer.alloc(5);
  header[0] = type;
  header.writeInt32BE(length, 1);
  return Buffer.concat([header, body]);
}

/** A startup packet: length, code, body. */
function startupPacket(code: number, body: Uint8Array, length = 8 + body.length): Buffer {
  const header = Buffer.alloc(8);
  header.writeInt32BE(length, 0);
  header.writeInt32BE(code, 4);
  return Buffer.concat([header, body]);
}

function expectViolation(value: unknown, sqlState: string, fatal: boolean, message?: string | RegExp): void {
  expect(value).toBeInstanceOf(ProtocolViolation);
  expect(value).toMatchObject({ kind: 'violation', sqlState, fatal });
  if (message !== undefined) expect((value as ProtocolViolation).message).toMatch(message);
}

/** Decodes `bytes` after startup; returns everything decoded and the decoder. */
function afterStartup(bytes: Buffer): { decoded: ReturnType<typeof decodeChunks>; decoder: FrontendDecoder } {
  const decoder = startedDecoder();
  return { decoded: decodeChunks([bytes], decoder), decoder };
}

/** A non-fatal violation must leave the decoder reading the next frame. */
function expectBodyViolation(bytes: Buffer, sqlState: string, message: string | RegExp): void {
  const { decoded, decoder } = afterStartup(Buffer.concat([bytes, serialize.sync()]));
  expect(decoded).toHaveLength(2);
  expectViolation(decoded[0], sqlState, false, message);
  expect((decoded[0] as ProtocolViolation).messageType).toBe(bytes[0]);
  expect(decoded[1]).toEqual({ kind: 'sync' });
  expect(decoder.phase).toBe('messages');
}

const cstr = (s: string): Buffer => Buffer.from(`${s}\0`);
const int16 = (n: number): Buffer => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
const int32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};

describe('framing violations are fatal and stop the decoder', () => {
  it('length < 4', () => {
    const { decoded, decoder } = afterStartup(frame(FrontendType.Query, Buffer.alloc(0), 3));
    expectViolation(decoded[0], SqlState.ProtocolViolation, true, 'invalid message length 3');
    expect(decoder.phase).toBe('failed');
  });

  it('negative length', () => {
    expectViolation(afterStartup(frame(FrontendType.Sync, Buffer.alloc(0), -1)).decoded[0], SqlState.ProtocolViolation, true);
  });

  it('a huge length is refused on its 5-byte header, before any body is buffered', () => {
    const decoder = startedDecoder();
    const before = process.memoryUsage().arrayBuffers;
    const decoded = decodeChunks([frame(FrontendType.Query, Buffer.alloc(0), 0x7fff_ffff)], decoder);
    expectViolation(decoded[0], SqlState.ProgramLimitExceeded, true, /exceeds the limit of 67108864 bytes/);
    expect(decoder.bufferedBytes).toBe(0);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 1024 * 1024);
  });

  it('a large length within the limit allocates nothing up front: only what arrived is held', () => {
    const decoder = startedDecoder();
    const before = process.memoryUsage().arrayBuffers;
    const partial = frame(FrontendType.Query, Buffer.from('SELECT'), messageBytesMaxDefault);
    expect(decodeChunks([partial], decoder)).toEqual([]);
    expect(decoder.bufferedBytes).toBe(partial.length);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 1024 * 1024);
  });

  it('messages without SQL or data are bounded by smallMessageBytesMax', () => {
    for (const type of [FrontendType.Sync, FrontendType.Describe, FrontendType.Execute, FrontendType.CopyFail]) {
      const { decoded } = afterStartup(frame(type, Buffer.alloc(0), smallMessageBytesMax + 1));
      expectViolation(decoded[0], SqlState.ProgramLimitExceeded, true);
    }
    const { decoded } = afterStartup(frame(FrontendType.Query, Buffer.alloc(0), smallMessageBytesMax + 1));
    expect(decoded).toEqual([]);
  });

  it('authentication responses are bounded by authMessageBytesMax', () => {
    const { decoded } = afterStartup(frame(FrontendType.AuthResponse, Buffer.alloc(0), authMessageBytesMax + 1));
    expectViolation(decoded[0], SqlState.ProgramLimitExceeded, true);
  });

  it('messageBytesMax is configurable', () => {
    const decoder = startedDecoder({ messageBytesMax: 100_000 });
    expect(decodeChunks([frame(FrontendType.Query, Buffer.alloc(0), 100_000)], decoder)).toEqual([]);
    const other = startedDecoder({ messageBytesMax: 100_000 });
    expectViolation(decodeChunks([frame(FrontendType.Bind, Buffer.alloc(0), 100_001)], other)[0], SqlState.ProgramLimitExceeded, true);
  });

  it('an unknown type byte is refused on that byte alone', () => {
    for (const type of [0x00, 0x5a, 0x70 + 1, 0xff]) {
      const decoder = startedDecoder();
      const decoded = decodeChunks([Buffer.from([type])], decoder);
      expectViolation(decoded[0], SqlState.ProtocolViolation, true, `invalid frontend message type ${type}`);
      expect(decoder.bufferedBytes).toBe(0);
    }
  });

  it('after a fatal violation: nothing more is decoded or buffered', () => {
    const decoder = startedDecoder();
    decodeChunks([Buffer.from([0x01])], decoder);
    decoder.push(serialize.query('SELECT 1'));
    expect(decoder.poll()).toBeUndefined();
    expect(decoder.bufferedBytes).toBe(0);
    expect(decoder.phase).toBe('failed');
  });

  it('typed messages before the startup packet are read as a startup length, and refused', () => {
    const decoded = decodeChunks([serialize.query('SELECT 1')]);
    expectViolation(decoded[0], SqlState.ProgramLimitExceeded, true);
  });
});

describe('startup packet violations are fatal', () => {
  it('length below 8', () => {
    expectViolation(decodeChunks([startupPacket(StartupCode.ProtocolV3, Buffer.alloc(0), 7)])[0], SqlState.ProtocolViolation, true, 'invalid length of startup packet');
  });

  it('negative length', () => {
    expectViolation(decodeChunks([int32(-8)])[0], SqlState.ProtocolViolation, true);
  });

  it('above startupPacketBytesMax, refused on the 4-byte length alone', () => {
    const decoder = new FrontendDecoder();
    const decoded = decodeChunks([int32(startupPacketBytesMax + 1)], decoder);
    expectViolation(decoded[0], SqlState.ProgramLimitExceeded, true, /startup packet of 10001 bytes/);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('exactly startupPacketBytesMax is accepted', () => {
    const filler = 'x'.repeat(startupPacketBytesMax - 8 - 'user\0'.length - 2);
    const packet = startupPacket(StartupCode.ProtocolV3, Buffer.concat([cstr('user'), cstr(filler), Buffer.from([0])]));
    expect(packet.length).toBe(startupPacketBytesMax);
    expect(decodeChunks([packet])).toMatchObject([{ kind: 'startup' }]);
  });

  it('protocol 2.0 and 4.0 are unsupported (0A000, PostgreSQL wording)', () => {
    const v2 = decodeChunks([startupPacket(2 << 16, Buffer.concat([cstr('user'), cstr('a'), Buffer.from([0])]))]);
    expectViolation(v2[0], SqlState.FeatureNotSupported, true, 'unsupported frontend protocol 2.0: server supports 3.0 to 3.0');
    const v4 = decodeChunks([startupPacket(4 << 16, Buffer.from([0]))]);
    expectViolation(v4[0], SqlState.FeatureNotSupported, true, /unsupported frontend protocol 4.0/);
  });

  it('an unknown 1234.x request code is an unsupported protocol', () => {
    expectViolation(decodeChunks([startupPacket((1234 << 16) | 5681, Buffer.alloc(0))])[0], SqlState.FeatureNotSupported, true, /1234\.5681/);
  });

  it('missing final terminator, a name without a value, or no parameters at all', () => {
    const layout = 'invalid startup packet layout: expected terminator as last byte';
    for (const body of [
      Buffer.concat([cstr('user'), cstr('a')]),
      Buffer.concat([cstr('user'), cstr('a'), Buffer.from('x')]),
      Buffer.concat([cstr('user'), Buffer.from([0])]),
      Buffer.concat([cstr('user'), cstr('a'), Buffer.from([0, 0])]),
      Buffer.alloc(0),
    ]) {
      expectViolation(decodeChunks([startupPacket(StartupCode.ProtocolV3, body)])[0], SqlState.ProtocolViolation, true, layout);
    }
  });

  it('invalid UTF-8 in a parameter', () => {
    const body = Buffer.concat([cstr('user'), Buffer.from([0xc3, 0x28, 0]), Buffer.from([0])]);
    expectViolation(decodeChunks([startupPacket(StartupCode.ProtocolV3, body)])[0], SqlState.CharacterNotInRepertoire, true);
  });

  it('SSLRequest, GSSENCRequest and CancelRequest of the wrong length', () => {
    expectViolation(decodeChunks([startupPacket(StartupCode.SslRequest, Buffer.alloc(4))])[0], SqlState.ProtocolViolation, true);
    expectViolation(decodeChunks([startupPacket(StartupCode.GssEncRequest, Buffer.alloc(1))])[0], SqlState.ProtocolViolation, true);
    expectViolation(decodeChunks([startupPacket(StartupCode.CancelRequest, Buffer.alloc(4))])[0], SqlState.ProtocolViolation, true);
    expectViolation(decodeChunks([startupPacket(StartupCode.CancelRequest, Buffer.alloc(12))])[0], SqlState.ProtocolViolation, true);
  });
});

describe('body violations are not fatal: that frame is skipped, the next one decodes', () => {
  it('a string without its NUL', () => {
    expectBodyViolation(frame(FrontendType.Query, Buffer.from('SELECT 1')), SqlState.ProtocolViolation, 'invalid string in message');
    expectBodyViolation(frame(FrontendType.Describe, Buffer.from('Sname')), SqlState.ProtocolViolation, 'invalid string in message');
  });

  it('bytes after the last field', () => {
    expectBodyViolation(frame(FrontendType.Query, Buffer.from('SELECT 1\0x')), SqlState.ProtocolViolation, 'invalid message format');
    expectBodyViolation(frame(FrontendType.Sync, Buffer.from([0])), SqlState.ProtocolViolation, 'invalid message format');
    expectBodyViolation(frame(FrontendType.Execute, Buffer.concat([cstr(''), int32(0), Buffer.from([1])])), SqlState.ProtocolViolation, 'invalid message format');
  });

  it('a field cut short', () => {
    expectBodyViolation(frame(FrontendType.Execute, Buffer.concat([cstr('p'), int16(1)])), SqlState.ProtocolViolation, 'insufficient data left in message');
    expectBodyViolation(frame(FrontendType.Describe, Buffer.alloc(0)), SqlState.ProtocolViolation, 'insufficient data left in message');
  });

  it('invalid UTF-8: bad continuation, overlong, surrogate, above U+10FFFF', () => {
    for (const bad of [[0xc3, 0x28], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xff]]) {
      const sql = Buffer.concat([Buffer.from('SELECT \''), Buffer.from(bad), Buffer.from('\'\0')]);
      expectBodyViolation(frame(FrontendType.Query, sql), SqlState.CharacterNotInRepertoire, 'invalid byte sequence for encoding "UTF8"');
    }
    expectBodyViolation(frame(FrontendType.Parse, Buffer.concat([Buffer.from([0xff, 0]), cstr('SELECT 1'), int16(0)])), SqlState.CharacterNotInRepertoire, /UTF8/);
    expectBodyViolation(frame(FrontendType.CopyFail, Buffer.from([0x80, 0])), SqlState.CharacterNotInRepertoire, /UTF8/);
  });

  it('Parse: a type count larger than the body', () => {
    expectBodyViolation(frame(FrontendType.Parse, Buffer.concat([cstr(''), cstr('SELECT $1'), int16(1000), int32(23)])), SqlState.ProtocolViolation, 'insufficient data left in message');
  });

  it('Bind: a value count larger than the body, a value longer than the body, a length below -1', () => {
    const head = Buffer.concat([cstr(''), cstr(''), int16(0)]);
    const tail = int16(0);
    expectBodyViolation(frame(FrontendType.Bind, Buffer.concat([head, int16(3), int32(1), Buffer.from('x'), tail])), SqlState.ProtocolViolation, 'insufficient data left in message');
    expectBodyViolation(frame(FrontendType.Bind, Buffer.concat([head, int16(1), int32(1000), Buffer.from('x'), tail])), SqlState.ProtocolViolation, 'insufficient data left in message');
    expectBodyViolation(frame(FrontendType.Bind, Buffer.concat([head, int16(1), int32(-2), tail])), SqlState.ProtocolViolation, 'insufficient data left in message');
  });

  it('Bind: a format code other than 0 or 1, and a format count that matches neither 0, 1 nor the values', () => {
    const values = Buffer.concat([int16(3), int32(-1), int32(-1), int32(-1)]);
    expectBodyViolation(frame(FrontendType.Bind, Buffer.concat([cstr(''), cstr(''), int16(1), int16(2), values, int16(0)])), SqlState.InvalidParameterValue, 'unsupported format code: 2');
    expectBodyViolation(frame(FrontendType.Bind, Buffer.concat([cstr(''), cstr(''), int16(0), values, int16(1), int16(-1)])), SqlState.InvalidParameterValue, 'unsupported format code: -1');
    expectBodyViolation(frame(FrontendType.Bind, Buffer.concat([cstr(''), cstr(''), int16(2), int16(0), int16(1), values, int16(0)])), SqlState.ProtocolViolation, 'bind message has 2 parameter formats but 3 parameters');
  });

  it('Describe and Close with a subtype other than S or P', () => {
    expectBodyViolation(frame(FrontendType.Describe, Buffer.from('Xname\0')), SqlState.ProtocolViolation, 'invalid DESCRIBE message subtype 88');
    expectBodyViolation(frame(FrontendType.Close, Buffer.from('s\0')), SqlState.ProtocolViolation, 'invalid CLOSE message subtype 115');
  });

  it('FunctionCall: format count mismatch', () => {
    const body = Buffer.concat([int32(1598), int16(2), int16(0), int16(0), int16(1), int32(-1), int16(0)]);
    expectBodyViolation(frame(FrontendType.FunctionCall, body), SqlState.ProtocolViolation, 'function call message contains 2 argument formats but 1 arguments');
  });
});

describe('authentication body helpers: violations are fatal', () => {
  it('decodePassword: missing NUL, bytes after it, invalid UTF-8', () => {
    expectViolation(decodePassword(Buffer.from('secret')), SqlState.ProtocolViolation, true);
    expectViolation(decodePassword(Buffer.from('secret\0x')), SqlState.ProtocolViolation, true);
    expectViolation(decodePassword(Buffer.from([0xff, 0])), SqlState.CharacterNotInRepertoire, true);
    expect(decodePassword(Buffer.from([0xff, 0])) as ProtocolViolation).toMatchObject({ messageType: FrontendType.AuthResponse });
  });

  it('decodeSaslInitialResponse: a response length beyond the body, or below -1', () => {
    const mechanism = cstr('SCRAM-SHA-256');
    expectViolation(decodeSaslInitialResponse(Buffer.concat([mechanism, int32(100), Buffer.from('abc')])), SqlState.ProtocolViolation, true);
    expectViolation(decodeSaslInitialResponse(Buffer.concat([mechanism, int32(-2)])), SqlState.ProtocolViolation, true);
    expectViolation(decodeSaslInitialResponse(Buffer.concat([mechanism, int32(1), Buffer.from('ab')])), SqlState.ProtocolViolation, true, 'invalid message format');
    expectViolation(decodeSaslInitialResponse(mechanism), SqlState.ProtocolViolation, true);
  });
});

describe('decodeUtf8', () => {
  it('decodes valid text and returns a non-fatal 22021 for invalid bytes', () => {
    expect(decodeUtf8(Buffer.from('héllo'))).toBe('héllo');
    expectViolation(decodeUtf8(Buffer.from([0xc3])), SqlState.CharacterNotInRepertoire, false);
  });
});

describe('the startup packet in pieces', () => {
  it('waits for the whole packet without decoding early', () => {
    const decoder = new FrontendDecoder();
    decoder.push(startupBytes.subarray(0, startupBytes.length - 1));
    expect(decoder.poll()).toBeUndefined();
    expect(decoder.bufferedBytes).toBe(startupBytes.length - 1);
  });
});
