// Property tests: whatever bytes arrive, split however, the decoder returns
// only typed messages and violations (at most one fatal, and last), never
// throws, and decodes the same way regardless of how the bytes were split.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { serialize } from 'pg-protocol/dist/serializer.js';
import { FormatCode, FrontendType } from './constants.js';
import { FrontendDecoder } from './frontend-decoder.js';
import type { FrontendMessage } from './frontend-messages.js';
import type { Decoded } from './test-support.js';
import { plain, startedDecoder, startupBytes } from './test-support.js';

const messageKinds = new Set([
  'startup', 'sslRequest', 'gssEncRequest', 'cancelRequest', 'query', 'parse', 'bind', 'describe', 'execute',
  'sync', 'flush', 'close', 'terminate', 'copyData', 'copyDone', 'copyFail', 'authResponse', 'functionCall',
]);

/** Splits `bytes` at `cuts` (taken modulo its length), pushes each piece and drains, refusing any encryption request. */
function decodeSplit(bytes: Buffer, cuts: readonly number[], decoder: FrontendDecoder): Decoded[] {
  const offsets = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Decoded[] = [];
  let from = 0;
  for (const to of [...offsets, bytes.length]) {
    decoder.push(bytes.subarray(from, to));
    from = to;
    for (;;) {
      const m = decoder.poll();
      if (m !== undefined) out.push(m);
      else if (decoder.phase === 'encryptionRequested') decoder.resumeStartup(false);
      else break;
    }
  }
  return out;
}

function summary(decoded: readonly Decoded[]): unknown {
  return decoded.map((d) =>
    d.kind === 'violation'
      ? { violation: d.sqlState, message: d.message, fatal: d.fatal, messageType: d.messageType }
      : plain(d),
  );
}

/** The decoder's contract, checked after any input. */
function checkContract(decoded: readonly Decoded[], decoder: FrontendDecoder, inputBytes: number): void {
  const fatalIndexes = decoded.flatMap((d, i) => (d.kind === 'violation' && d.fatal ? [i] : []));
  expect(fatalIndexes.length).toBeLessThanOrEqual(1);
  if (fatalIndexes.length === 1) {
    expect(fatalIndexes[0]).toBe(decoded.length - 1);
    expect(decoder.phase).toBe('failed');
  }
  for (const d of decoded) {
    if (d.kind === 'violation') expect(d.sqlState).toMatch(/^(08P01|54000|22021|0A000|22023)$/);
    else expect(messageKinds.has(d.kind)).toBe(true);
  }
  if (decoder.phase === 'failed' || decoder.phase === 'ended') expect(decoder.bufferedBytes).toBe(0);
  expect(decoder.bufferedBytes).toBeLessThanOrEqual(inputBytes);
}

function checkSplitInvariance(bytes: Buffer, cuts: readonly number[], started: boolean): void {
  const make = (): FrontendDecoder => (started ? startedDecoder() : new FrontendDecoder());
  const decoder = make();
  const decoded = decodeSplit(bytes, cuts, decoder);
  checkContract(decoded, decoder, bytes.length);
  expect(summary(decoded)).toEqual(summary(decodeSplit(bytes, [], make())));
}

const cutsArb = fc.array(fc.nat(), { maxLength: 12 });
const typeBytes = Object.values(FrontendType);

/** Frames with valid type bytes and random bodies; the length field sometimes lies. */
const framesArb = fc.array(
  fc.record({
    type: fc.oneof(fc.constantFrom(...typeBytes), fc.integer({ min: 0, max: 255 })),
    body: fc.uint8Array({ maxLength: 48 }),
    lengthDelta: fc.oneof({ weight: 8, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -8, max: 8 }) }),
  }),
  { maxLength: 10 },
).map((frames) =>
  Buffer.concat(
    frames.map(({ type, body, lengthDelta }) => {
      const header = Buffer.alloc(5);
      header[0] = type;
      header.writeInt32BE(4 + body.length + lengthDelta, 1);
      return Buffer.concat([header, body]);
    }),
  ),
);

/** Text a real client can send: valid Unicode without NUL. */
const textArb = fc.string({ unit: 'grapheme', maxLength: 20 }).map((s) => s.replaceAll('\0', ''));

/** One frontend message, as pg-protocol serializes it and as we expect to decode it. */
const clientMessageArb: fc.Arbitrary<readonly [Buffer, FrontendMessage]> = fc.oneof(
  textArb.map((sql) => [serialize.query(sql), { kind: 'query', sql }] as const),
  fc.tuple(textArb, textArb, fc.array(fc.nat({ max: 0xffff_ffff }), { maxLength: 5 })).map(
    ([name, sql, types]) =>
      [serialize.parse({ name, text: sql, types }), { kind: 'parse', statementName: name, sql, parameterTypeOids: types }] as const,
  ),
  fc.tuple(textArb, textArb, fc.array(fc.oneof(textArb, fc.constant(null), fc.uint8Array({ maxLength: 8 }).map((u) => Buffer.from(u)))), fc.boolean()).map(
    ([portal, statement, values, binary]) =>
      [
        serialize.bind({ portal, statement, values, binary }),
        {
          kind: 'bind',
          portalName: portal,
          statementName: statement,
          parameterFormats: values.map((v) => (Buffer.isBuffer(v) ? FormatCode.Binary : FormatCode.Text)),
          parameterValues: values.map((v) => (typeof v === 'string' ? Buffer.from(v) : v)),
          resultFormats: [binary ? FormatCode.Binary : FormatCode.Text],
        },
      ] as const,
  ),
  fc.tuple(fc.constantFrom('S' as const, 'P' as const), textArb).map(
    ([type, name]) => [serialize.describe({ type, name }), { kind: 'describe', target: type === 'S' ? 'statement' : 'portal', name }] as const,
  ),
  fc.tuple(fc.constantFrom('S' as const, 'P' as const), textArb).map(
    ([type, name]) => [serialize.close({ type, name }), { kind: 'close', target: type === 'S' ? 'statement' : 'portal', name }] as const,
  ),
  fc.tuple(textArb, fc.nat({ max: 0x7fff_ffff })).map(
    ([portal, rows]) => [serialize.execute({ portal, rows }), { kind: 'execute', portalName: portal, rowsMax: rows }] as const,
  ),
  fc.uint8Array({ maxLength: 40 }).map((u) => [serialize.copyData(Buffer.from(u)), { kind: 'copyData', data: Buffer.from(u) }] as const),
  textArb.map((reason) => [serialize.copyFail(reason), { kind: 'copyFail', reason }] as const),
  fc.constantFrom(
    [serialize.sync(), { kind: 'sync' }] as const,
    [serialize.flush(), { kind: 'flush' }] as const,
    [serialize.copyDone(), { kind: 'copyDone' }] as const,
  ),
);

describe('FrontendDecoder properties', () => {
  it('random bytes, random splits, before startup: typed results only, split-invariant, never a throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), cutsArb, (bytes, cuts) => {
        checkSplitInvariance(Buffer.from(bytes), cuts, false);
      }),
      { numRuns: 500 },
    );
  });

  it('random bytes, random splits, after startup', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), cutsArb, (bytes, cuts) => {
        checkSplitInvariance(Buffer.from(bytes), cuts, true);
      }),
      { numRuns: 500 },
    );
  });

  it('random bodies in plausible frames (reaching every body decoder), random splits', () => {
    fc.assert(
      fc.property(framesArb, cutsArb, (bytes, cuts) => {
        checkSplitInvariance(bytes, cuts, true);
      }),
      { numRuns: 1000 },
    );
  });

  it('a startup packet then random frames, split anywhere', () => {
    fc.assert(
      fc.property(framesArb, cutsArb, (frames, cuts) => {
        checkSplitInvariance(Buffer.concat([startupBytes, frames]), cuts, false);
      }),
      { numRuns: 300 },
    );
  });

  it('what pg-protocol sends decodes to exactly what it meant, split anywhere', () => {
    fc.assert(
      fc.property(fc.array(clientMessageArb, { maxLength: 12 }), cutsArb, (messages, cuts) => {
        const bytes = Buffer.concat([startupBytes, ...messages.map(([b]) => b)]);
        const decoded = decodeSplit(bytes, cuts, new FrontendDecoder());
        expect(decoded[0]?.kind).toBe('startup');
        expect(plain(decoded.slice(1))).toEqual(plain(messages.map(([, m]) => m)));
      }),
      { numRuns: 500 },
    );
  });

  it('valid streams with bytes flipped, cut or inserted still honour the contract', () => {
    const mutatedArb = fc
      .tuple(
        fc.array(clientMessageArb, { minLength: 1, maxLength: 6 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('flip', 'cut', 'insert')), { minLength: 1, maxLength: 4 }),
      )
      .map(([messages, edits]) => {
        let bytes = Buffer.concat([startupBytes, ...messages.map(([b]) => b)]);
        for (const [at, value, edit] of edits) {
          const i = at % bytes.length;
          if (edit === 'flip') bytes[i] = value;
          else if (edit === 'cut') bytes = bytes.subarray(0, i);
          else bytes = Buffer.concat([bytes.subarray(0, i), Buffer.from([value]), bytes.subarray(i)]);
          if (bytes.length === 0) break;
        }
        return bytes;
      });
    fc.assert(
      fc.property(mutatedArb, cutsArb, (bytes, cuts) => {
        checkSplitInvariance(bytes, cuts, false);
      }),
      { numRuns: 1000 },
    );
  });
});
