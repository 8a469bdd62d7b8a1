import { describe, expect, it } from 'vitest';
import { encodeSnapshot, SnapshotDecoder, SnapshotFormatError, snapshotHeaderBytes } from './snapshot-format.js';

async function* pairsOf(pairs: readonly (readonly [Uint8Array, Uint8Array])[]): AsyncGenerator<readonly [Uint8Array, Uint8Array]> {
  for (const pair of pairs) yield pair;
}

const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s));

function samplePairs(count: number): (readonly [Uint8Array, Uint8Array])[] {
  return Array.from({ length: count }, (_, k) => [bytes(`key-${String(k).padStart(5, '0')}`), bytes('v'.repeat(k % 37))] as const);
}

async function encode(pairs: readonly (readonly [Uint8Array, Uint8Array])[], chunkBytesMax: number): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of encodeSnapshot({ index: 4242, term: 7 }, pairsOf(pairs), chunkBytesMax)) chunks.push(Buffer.from(chunk));
  return chunks;
}

function decode(chunks: readonly Uint8Array[]): { pairs: [string, string][]; index: number; term: number } {
  const pairs: [string, string][] = [];
  const decoder = new SnapshotDecoder((k, v) => pairs.push([Buffer.from(k).toString(), Buffer.from(v).toString()]));
  for (const chunk of chunks) decoder.push(chunk);
  const { header } = decoder.finish();
  return { pairs, index: header.index, term: header.term };
}

describe('row store snapshot format', () => {
  it('round-trips the header and every pair, whatever the chunk size, and never exceeds it', async () => {
    const pairs = samplePairs(500);
    for (const chunkBytesMax of [1, 7, 64, 4096, 1 << 20]) {
      const chunks = await encode(pairs, chunkBytesMax);
      expect(chunks.every((c) => c.length <= chunkBytesMax && c.length > 0)).toBe(true);
      const out = decode(chunks);
      expect([out.index, out.term]).toEqual([4242, 7]);
      expect(out.pairs).toEqual(pairs.map(([k, v]) => [Buffer.from(k).toString(), Buffer.from(v).toString()]));
    }
  });

  it('round-trips an empty store', async () => {
    expect(decode(await encode([], 100))).toEqual({ pairs: [], index: 4242, term: 7 });
  });

  it('decodes the same stream split at every byte boundary', async () => {
    const whole = Buffer.concat(await encode(samplePairs(5), 1 << 20));
    for (let cut = 0; cut <= whole.length; cut++) {
      expect(decode([whole.subarray(0, cut), whole.subarray(cut)]).pairs.length).toBe(5);
    }
  });

  it('rejects a corrupt byte anywhere after the header with a checksum or format error', async () => {
    const whole = Buffer.concat(await encode(samplePairs(20), 1 << 20));
    for (let at = snapshotHeaderBytes; at < whole.length; at += 3) {
      const bad = Buffer.from(whole);
      bad[at] = (bad[at] ?? 0) ^ 0x5a;
      expect(() => decode([bad]), `byte ${at}`).toThrow(SnapshotFormatError);
    }
  });

  it('rejects a truncated stream (every prefix), a bad magic, another version and bytes after the end', async () => {
    const whole = Buffer.concat(await encode(samplePairs(3), 1 << 20));
    for (let n = 0; n < whole.length; n++) expect(() => decode([whole.subarray(0, n)]), `prefix ${n}`).toThrow(/truncated/);
    const badMagic = Buffer.from(whole);
    badMagic[0] = 0x41;
    expect(() => decode([badMagic])).toThrow(/bad magic/);
    const badVersion = Buffer.from(whole);
    badVersion[6] = 9;
    expect(() => decode([badVersion])).toThrow(/version 9/);
    expect(() => decode([whole, Buffer.from([0])])).toThrow(/after the end/);
  });

  it('bounds a huge length before allocating', () => {
    const header = Buffer.concat([Buffer.from('TDBSNP', 'latin1'), Buffer.from([1, 0]), Buffer.alloc(16)]);
    const pair = Buffer.alloc(8);
    pair.writeUInt32BE(0xfff0_0000, 0);
    expect(() => decode([header, pair])).toThrow(/above/);
  });
});
