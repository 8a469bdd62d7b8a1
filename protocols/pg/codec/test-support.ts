// Helpers shared by the codec's tests: feeding bytes to a decoder in every
// way a socket might deliver them, and reading backend bytes as a client does.
import { Parser } from 'pg-protocol/dist/parser.js';
import type { BackendMessage } from 'pg-protocol/dist/messages.js';
import { serialize } from 'pg-protocol/dist/serializer.js';
import { FrontendDecoder } from './frontend-decoder.js';
import type { FrontendDecoderOptions } from './frontend-decoder.js';
import type { FrontendMessage } from './frontend-messages.js';
import type { ProtocolViolation } from './violation.js';

export type Decoded = FrontendMessage | ProtocolViolation;

/** What node-postgres sends first (it adds client_encoding=UTF8 itself). */
export const startupBytes: Buffer = serialize.startup({ user: 'alice', database: 'shop' });

/** Pushes each chunk and polls after each until undefined; returns everything decoded. */
export function decodeChunks(chunks: readonly Buffer[], decoder = new FrontendDecoder()): Decoded[] {
  const out: Decoded[] = [];
  for (const chunk of chunks) {
    decoder.push(chunk);
    for (let m = decoder.poll(); m !== undefined; m = decoder.poll()) out.push(m);
  }
  return out;
}

/** A decoder already past the startup packet. */
export function startedDecoder(options?: FrontendDecoderOptions): FrontendDecoder {
  const decoder = new FrontendDecoder(options);
  decoder.push(startupBytes);
  const startup = decoder.poll();
  if (startup?.kind !== 'startup') throw new Error('startup packet not decoded');
  return decoder;
}

/** The ways a stream of `bytes` can arrive: whole, byte by byte, and split once at every offset. */
export function deliveries(bytes: Buffer): Buffer[][] {
  const ways: Buffer[][] = [[bytes], Array.from(bytes, (b) => Buffer.from([b]))];
  for (let at = 1; at < bytes.length; at++) ways.push([bytes.subarray(0, at), bytes.subarray(at)]);
  return ways;
}

/** Parses server bytes with node-postgres's own client-side parser. */
export function parseAsClient(bytes: Buffer): BackendMessage[] {
  const messages: BackendMessage[] = [];
  new Parser().parse(bytes, (message) => messages.push(message));
  return messages;
}

/** Copies a decoded message's Buffers to plain arrays so toEqual compares contents. */
export function plain(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return [...value];
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [k, plain(v)]));
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}
