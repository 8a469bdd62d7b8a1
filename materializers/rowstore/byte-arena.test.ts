import { describe, expect, it } from 'vitest';
import { ByteArena, arenaSlabBytes } from './byte-arena.js';

describe('ByteArena', () => {
  it('copies small rows into one shared slab, each copy independent of its source', () => {
    const arena = new ByteArena();
    const source = new Uint8Array([1, 2, 3, 4]);
    const a = arena.copy(source.subarray(0, 2));
    const b = arena.copy(source.subarray(2));
    source.fill(9);
    expect([...a]).toEqual([1, 2]);
    expect([...b]).toEqual([3, 4]);
    expect(a.buffer).toBe(b.buffer);
    expect(a.buffer.byteLength).toBe(arenaSlabBytes);
  });

  it('starts a new slab when the current one is full, leaving earlier copies intact', () => {
    const arena = new ByteArena(64);
    const copies = Array.from({ length: 10 }, (_, i) => arena.copy(new Uint8Array(10).fill(i)));
    expect(new Set(copies.map((c) => c.buffer)).size).toBe(2);
    copies.forEach((c, i) => expect([...c]).toEqual(Array.from({ length: 10 }, () => i)));
  });

  it('gives large rows their own exactly sized buffer', () => {
    const arena = new ByteArena();
    const big = new Uint8Array(arenaSlabBytes).fill(7);
    const copy = arena.copy(big);
    expect(copy.buffer.byteLength).toBe(arenaSlabBytes);
    expect(copy.buffer).not.toBe(big.buffer);
    expect(copy.every((x) => x === 7)).toBe(true);
    expect(arena.copy(new Uint8Array(0)).length).toBe(0);
  });
});
