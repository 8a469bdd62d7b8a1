// The vectorized hash join against a nested-loop reference: random inputs
// split into batches (as segments are), NULL and duplicate keys, one int key
// (small range: a direct-address table; wide: hashed) or an int and a dictionary-text key, or two int keys (packed into one number
// when both sides allow it: negatives and values past 2^26 included), build
// side either input.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ExecEnv } from '../executor/index.js';
import type { VNode } from './expr.js';
import { batchContext, hashJoin, keySetOf, lazyBatch, type Batch, type JoinStats } from './join.js';
import type { Vec } from './vec.js';

// The join reads only env.runtime.checkCancelled; a full ExecEnv would need an engine.
const env = { runtime: { checkCancelled: () => undefined } } as unknown as ExecEnv;

interface Side {
  /** Rows: [int key, text key, payload]. */
  readonly rows: readonly (readonly [number | null, string | null, number])[];
  /** Batch boundaries (lengths). */
  readonly cuts: readonly number[];
}

const words = ['x', 'y', 'z'];
const rowArb = fc.tuple(fc.option(fc.integer({ min: 0, max: 6 }), { nil: null }), fc.option(fc.constantFrom(...words), { nil: null }), fc.oneof(fc.integer({ min: 0, max: 6 }), fc.integer({ min: -1000, max: 1000 }), fc.constantFrom(2 ** 26, 2 ** 26 + 3)));
const sideArb: fc.Arbitrary<Side> = fc.array(rowArb, { maxLength: 40 }).chain((rows) =>
  fc.array(fc.integer({ min: 1, max: 9 }), { maxLength: 8 }).map((cuts) => ({ rows, cuts })));

function batchesOf(side: Side): Batch[] {
  const out: Batch[] = [];
  let at = 0;
  let c = 0;
  while (at < side.rows.length) {
    const len = Math.min(side.cuts[c++] ?? side.rows.length, side.rows.length - at);
    const part = side.rows.slice(at, at + len);
    at += len;
    // Each batch has its own dictionary order, as each segment does.
    const dict = [...words].sort(() => (len % 2 === 0 ? 1 : -1));
    const vecs: Vec[] = [
      { t: 'num', v: Float64Array.from(part, (r) => r[0] ?? 0), nulls: Uint8Array.from(part, (r) => (r[0] === null ? 1 : 0)), scale: -1, rowScales: null },
      { t: 'dict', codes: Uint32Array.from(part, (r) => Math.max(0, dict.indexOf(r[1] ?? 'x'))), dict, nulls: Uint8Array.from(part, (r) => (r[1] === null ? 1 : 0)) },
      { t: 'num', v: Int32Array.from(part, (r) => r[2]), nulls: null, scale: -1, rowScales: null },
    ];
    out.push(lazyBatch(len, (i) => vecs[i] as Vec));
  }
  return out;
}

const keyNode = (i: number): VNode => ({ type: i === 1 ? { kind: 'text' } : { kind: 'int4' }, constantId: null, evaluate: (ctx) => ctx.column(i) });

function valueAt(vec: Vec, i: number): number | string | null {
  if (vec.t === 'num') return vec.nulls?.[i] === 1 ? null : (vec.v[i] ?? 0);
  if (vec.t === 'dict') return vec.nulls?.[i] === 1 ? null : (vec.dict[vec.codes[i] ?? 0] ?? null);
  return null;
}

function rowsOf(batches: readonly Batch[], width: number): string[] {
  const out: string[] = [];
  for (const b of batches) {
    for (let r = 0; r < b.length; r++) out.push(JSON.stringify(Array.from({ length: width }, (_, c) => valueAt(b.column(c), r))));
  }
  return out.sort();
}

describe('vectorized hash join', () => {
  it('equals a nested-loop join (NULL keys never match, duplicates multiply)', async () => {
    await fc.assert(fc.asyncProperty(sideArb, sideArb, fc.constantFrom('int', 'wide int', 'int+text', 'int+int'), async (left, right, keying) => {
      // 'int': keys 0..6 and NULL (a direct-address table); 'wide int': negatives to 2^26 + 3 (direct when the build side's range is small, else hashed).
      const keys = keying === 'int' ? [keyNode(0)] : keying === 'wide int' ? [keyNode(2)] : [keyNode(0), keyNode(keying === 'int+text' ? 1 : 2)];
      const stats: JoinStats = { buildRows: 0, probeRows: 0, outputRows: 0, buildSide: '', keySets: null, waitMs: 0 };
      const out = await hashJoin({ batches: batchesOf(left), keys }, { batches: batchesOf(right), keys }, 3, [], env, stats);
      const expected: string[] = [];
      for (const l of left.rows) {
        for (const r of right.rows) {
          if (keying === 'wide int') { if (l[2] === r[2]) expected.push(JSON.stringify([...l, ...r])); continue; }
          if (l[0] === null || r[0] === null || l[0] !== r[0]) continue;
          if (keying === 'int+text' && (l[1] === null || r[1] === null || l[1] !== r[1])) continue;
          if (keying === 'int+int' && l[2] !== r[2]) continue;
          expected.push(JSON.stringify([...l, ...r]));
        }
      }
      expect(rowsOf(out, 6)).toEqual(expected.sort());
      expect(stats.outputRows).toBe(expected.length);
      expect(stats.buildSide).toBe(left.rows.length < right.rows.length ? 'left' : 'right');
    }), { numRuns: 400 });
  });

  it('a key set keeps exactly the selected rows whose key is in the other input (NULL never)', async () => {
    await fc.assert(fc.asyncProperty(sideArb, sideArb, fc.constantFrom(0, 2), async (build, probe, column) => {
      const set = keySetOf(batchesOf(build), [keyNode(column)], (b) => batchContext(b, [], env));
      const keys = new Set(build.rows.map((r) => r[column]).filter((k) => k !== null));
      if (set === null) {
        // Only a key range wider than 256 per build row declines (column 2 reaches 2^26).
        expect(Math.max(...keys) - Math.min(...keys) + 1).toBeGreaterThan(build.rows.length * 256);
        return;
      }
      // The share of keys in [min, max] held (a dense set is tested after a scan's filters).
      if (keys.size > 0) expect(set.density).toBeCloseTo(keys.size / (Math.max(...keys) - Math.min(...keys) + 1), 12);
      const v = Float64Array.from(probe.rows, (r) => r[column] ?? 0);
      const nulls = Uint8Array.from(probe.rows, (r) => (r[column] === null ? 1 : 0));
      // Every other row selected, as a scan's filters would leave them.
      const sel = Uint32Array.from(probe.rows.keys()).filter((i) => i % 2 === 0);
      const kept = set.narrow({ t: 'num', v, nulls, scale: -1, rowScales: null }, sel, sel.length, sel);
      const expected = [...probe.rows.keys()].filter((i) => i % 2 === 0 && probe.rows[i]?.[column] !== null && keys.has(probe.rows[i]?.[column] as number));
      expect([...sel.subarray(0, kept)]).toEqual(expected);
    }), { numRuns: 300 });
  });

  it('a key set over keys ascending along the selection (skipping from set key to set key, or by the run index when every row is selected) keeps the same rows as testing each', async () => {
    const keyArb = fc.integer({ min: -100, max: 2000 });
    await fc.assert(fc.asyncProperty(
      fc.array(fc.integer({ min: -50, max: 1500 }), { minLength: 1, maxLength: 200 }),
      fc.array(fc.tuple(keyArb, fc.integer({ min: 1, max: 5 }), fc.boolean()), { minLength: 20, maxLength: 300 }),
      fc.boolean(), fc.boolean(), fc.boolean(), fc.boolean(),
      async (buildKeys, drawn, int32, everyOther, unsorted, dense) => {
        // Dense: a key span within 4 × the rows (the run index's bound), as lineitem's l_orderkey.
        const runs = dense ? drawn.map(([k, times, nul]) => [Math.floor(k / 8), times, nul] as const) : drawn;
        const build: Side = { rows: buildKeys.map((k) => [k, null, 0] as const), cuts: [buildKeys.length] };
        const set = keySetOf(batchesOf(build), [keyNode(0)], (b) => batchContext(b, [], env));
        if (set === null) return;
        const inSet = new Set(buildKeys);
        // Runs of equal keys (lineitem's l_orderkey), ascending unless `unsorted` (then as drawn); some NULL.
        const sorted = unsorted ? runs : [...runs].sort((a, b) => a[0] - b[0]);
        const keys: number[] = [];
        const isNull: boolean[] = [];
        for (const [k, times, nul] of sorted) for (let t = 0; t < times; t++) { keys.push(k); isNull.push(nul && t === 0); }
        const v = int32 ? Int32Array.from(keys) : Float64Array.from(keys);
        const nulls = Uint8Array.from(isNull, (b) => (b ? 1 : 0));
        const sel = Uint32Array.from(keys.keys()).filter((i) => !everyOther || i % 2 === 0);
        const expected = [...sel].filter((i) => !isNull[i] && inSet.has(keys[i] as number));
        const copy = Uint32Array.from(sel);
        const kept = set.narrow({ t: 'num', v, nulls, scale: -1, rowScales: null }, copy, copy.length, copy);
        expect([...copy.subarray(0, kept)]).toEqual(expected);
        // Twice: the second call uses what the first learned about the array's order.
        const again = Uint32Array.from(sel);
        const out = new Uint32Array(sel.length);
        const kept2 = set.narrow({ t: 'num', v, nulls, scale: -1, rowScales: null }, again, again.length, out);
        expect([...out.subarray(0, kept2)]).toEqual(expected);
        // A prefix of the rows first (an open segment's array holds rows not yet written past it), then all of
        // them: the run index made for the prefix must not answer for the longer selection.
        const cut = Math.floor(sel.length / 2);
        const prefix = Uint32Array.from(sel.subarray(0, cut));
        const keptPrefix = set.narrow({ t: 'num', v, nulls, scale: -1, rowScales: null }, prefix, prefix.length, prefix);
        expect([...prefix.subarray(0, keptPrefix)]).toEqual(expected.filter((i) => i < (sel[cut] ?? Infinity)));
        const whole = Uint32Array.from(sel);
        const keptWhole = set.narrow({ t: 'num', v, nulls, scale: -1, rowScales: null }, whole, whole.length, whole);
        expect([...whole.subarray(0, keptWhole)]).toEqual(expected);
      }), { numRuns: 400 });
  });
});
