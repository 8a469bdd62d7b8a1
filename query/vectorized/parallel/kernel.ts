// The fused scan → filter → group-aggregate kernel: a plan fragment (plain
// data, no closures, so it can be posted to a worker) compiled into the
// source of ONE loop over a segment's selected rows. Each row is touched
// once: the filters, the group index from dictionary codes, every sum's
// expression and its addition, with no vector allocated per operator (the
// operator-at-a-time path allocates a Float64Array per arithmetic node per
// segment and loops once per aggregate).
//
// The source is generated only from numbers the fragment holds (column
// slots, factors, bounds) and operators from a fixed list: no SQL text or
// user string ever reaches it.

/** An expression over a segment's numeric columns, in the num domain (numeric: coefficient at its scale). */
export type FExpr =
  | { readonly k: 'col'; readonly slot: number }
  | { readonly k: 'num'; readonly value: number }
  /** (a × fa) symbol (b × fb), checked within [lo, hi] (else the statement falls back). */
  | { readonly k: 'arith'; readonly symbol: '+' | '-' | '*'; readonly a: FExpr; readonly fa: number; readonly b: FExpr; readonly fb: number; readonly lo: number; readonly hi: number };

/** A filter conjunct: a × f symbol c; `never` when no row can pass (a NULL constant). */
export type FFilter =
  | { readonly k: 'cmp'; readonly symbol: '=' | '<>' | '<' | '<=' | '>' | '>='; readonly a: FExpr; readonly f: number; readonly c: number }
  | { readonly k: 'never' };

export interface Fragment {
  /** Table column positions, by slot. */
  readonly columns: readonly number[];
  readonly filters: readonly FFilter[];
  /** Number of group-key slots (dictionary codes), in key order. */
  readonly keyCount: number;
  /** Distinct sum arguments. */
  readonly sums: readonly FExpr[];
}

/** One segment's work: its kernel source, the columns by slot and their NULL bytes (1 = NULL; null: none), the visible rows (null: all), dictionary codes and sizes of the keys. */
export interface KernelInput {
  readonly source: string;
  readonly cols: readonly ArrayLike<number>[];
  readonly nulls: readonly (ArrayLike<number> | null)[];
  readonly sel: Uint32Array | null;
  readonly count: number;
  readonly keys: readonly ArrayLike<number>[];
  /** Per key: its NULL bytes or null. A key with NULLs has one more local id (keySizes counts it): its dictionary's length. */
  readonly keyNulls: readonly (ArrayLike<number> | null)[];
  readonly keySizes: readonly number[];
  /** Lookup tables a join kernel reads (dimension flags by key, per-dictionary-entry truth): absent for scan kernels. */
  readonly aux?: readonly ArrayLike<number>[];
}

/**
 * Per local group (the keys' codes combined, l = k0 + k1 × |k0| ...): rows,
 * the position of its first row among the selected ones (groups are made in
 * the order the serial path meets them), each sum (exact while the
 * per-sum total of |addend| stays below 2^53: `abs`) and its non-NULL
 * addends (`nonNull`, groups × sums). `bad` is set when an intermediate left
 * its exact range.
 */
export interface KernelOutput {
  readonly counts: Float64Array;
  readonly nonNull: Float64Array;
  readonly first: Float64Array;
  readonly sums: Float64Array;
  readonly abs: Float64Array;
  readonly bad: boolean;
}

const symbols = new Set(['=', '<>', '<', '<=', '>', '>=', '+', '-', '*']);

function num(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`kernel constant ${x} is not finite`);
  return `(${String(x)})`;
}

function op(symbol: string): string {
  if (!symbols.has(symbol)) throw new Error(`kernel operator ${symbol} unknown`);
  return symbol === '=' ? '===' : symbol === '<>' ? '!==' : symbol;
}

/** The slots an expression reads. */
function slotsOf(e: FExpr, out: Set<number> = new Set()): Set<number> {
  if (e.k === 'col') out.add(e.slot);
  else if (e.k === 'arith') { slotsOf(e.a, out); slotsOf(e.b, out); }
  return out;
}

/**
 * The body of `function (cols, nulls, sel, count, keys, keyNulls, keySizes, counts,
 * first, sums, abs, nonNull)`; returns 1 when a value left its exact range.
 * `nullable[s]`: slot s has NULLs in this segment (a NULL operand makes a
 * comparison false and an addend absent, as on the operator path); slots
 * without are never tested, so NULL-free segments get the plain loop.
 */
export function kernelSource(fragment: Fragment, nullable: readonly boolean[] = [], nullableKeys: readonly boolean[] = []): string {
  const lines: string[] = [];
  for (let k = 0; k < fragment.keyCount; k++) if (nullableKeys[k] === true) lines.push(`const kn${k} = keyNulls[${k}];`, `const z${k} = keySizes[${k}] - 1;`);
  fragment.columns.forEach((_, s) => lines.push(`const c${s} = cols[${s}];`));
  fragment.columns.forEach((_, s) => { if (nullable[s] === true) lines.push(`const n${s} = nulls[${s}];`); });
  const nullTest = (e: FExpr): string | null => {
    const tests = [...slotsOf(e)].filter((s) => nullable[s] === true).map((s) => `n${s}[i] === 1`);
    return tests.length === 0 ? null : tests.join(' || ');
  };
  for (let k = 0; k < fragment.keyCount; k++) lines.push(`const k${k} = keys[${k}];`);
  let stride = 'keySizes[0]';
  for (let k = 1; k < fragment.keyCount; k++) {
    lines.push(`const s${k} = ${stride};`);
    stride = `${stride} * keySizes[${k}]`;
  }
  const nsums = fragment.sums.length;
  for (let a = 0; a < nsums; a++) lines.push(`let abs${a} = 0;`);
  lines.push('for (let q = 0; q < count; q++) {', '  const i = sel === null ? q : sel[q];');
  // Shared subexpressions (Q1's price × (1 - discount) in two sums) are computed once per row.
  const temps = new Map<string, string>();
  let t = 0;
  const expr = (e: FExpr): string => {
    switch (e.k) {
      case 'col': {
        if (!Number.isInteger(e.slot) || e.slot < 0 || e.slot >= fragment.columns.length) throw new Error(`kernel column slot ${e.slot} unknown`);
        return `c${e.slot}[i]`;
      }
      case 'num': return num(e.value);
      case 'arith': {
        const key = JSON.stringify(e);
        const known = temps.get(key);
        if (known !== undefined) return known;
        const a = expr(e.a);
        const b = expr(e.b);
        const name = `t${t++}`;
        const left = e.fa === 1 ? a : `${a} * ${num(e.fa)}`;
        const right = e.fb === 1 ? b : `(${b} * ${num(e.fb)})`;
        lines.push(`  const ${name} = ${left} ${op(e.symbol)} ${right};`);
        lines.push(`  if (!(${name} >= ${num(e.lo)} && ${name} <= ${num(e.hi)})) return 1;`);
        temps.set(key, name);
        return name;
      }
    }
  };
  for (const f of fragment.filters) {
    if (f.k === 'never') { lines.push('  continue;'); continue; }
    const isNull = nullTest(f.a);
    if (isNull !== null) lines.push(`  if (${isNull}) continue;`);
    const a = expr(f.a);
    lines.push(`  if (!(${f.f === 1 ? a : `${a} * ${num(f.f)}`} ${op(f.symbol)} ${num(f.c)})) continue;`);
  }
  const code = (k: number): string => (nullableKeys[k] === true ? `(kn${k}[i] === 1 ? z${k} : k${k}[i])` : `k${k}[i]`);
  const group = fragment.keyCount === 0 ? '0' : Array.from({ length: fragment.keyCount }, (_, k) => (k === 0 ? code(0) : `${code(k)} * s${k}`)).join(' + ');
  lines.push(`  const g = ${group};`, '  if (counts[g] === 0) first[g] = q;', '  counts[g]++;');
  fragment.sums.forEach((e, a) => {
    const isNull = nullTest(e);
    // A temporary computed inside a NULL test's block is not visible after it.
    if (isNull !== null) { lines.push(`  if (!(${isNull})) {`); temps.clear(); }
    const x = expr(e);
    lines.push(`  { const x = ${x}; sums[g * ${nsums} + ${a}] += x; nonNull[g * ${nsums} + ${a}]++; abs${a} += x < 0 ? -x : x; }`);
    if (isNull !== null) { lines.push('  }'); temps.clear(); }
  });
  lines.push('}');
  for (let a = 0; a < nsums; a++) lines.push(`abs[${a}] = abs${a};`);
  lines.push('return 0;');
  return lines.join('\n');
}

type CompiledKernel = (cols: readonly ArrayLike<number>[], nulls: readonly (ArrayLike<number> | null)[], sel: Uint32Array | null, count: number,
  keys: readonly ArrayLike<number>[], keyNulls: readonly (ArrayLike<number> | null)[], keySizes: readonly number[], counts: Float64Array, first: Float64Array, sums: Float64Array, abs: Float64Array, nonNull: Float64Array,
  aux: readonly ArrayLike<number>[]) => number;

const compiled = new Map<string, CompiledKernel>();

/** The kernel for a source (compiled once per distinct source: repeated queries reuse V8's optimised code). */
function kernelOf(source: string): CompiledKernel {
  let k = compiled.get(source);
  if (k === undefined) {
    // The source is generated by kernelSource from numbers and a fixed operator list (see the file comment).
    k = new Function('cols', 'nulls', 'sel', 'count', 'keys', 'keyNulls', 'keySizes', 'counts', 'first', 'sums', 'abs', 'nonNull', 'aux', source) as CompiledKernel;
    if (compiled.size > 256) compiled.clear();
    compiled.set(source, k);
  }
  return k;
}

/** Local groups of a segment: the product of its keys' dictionary sizes. */
export function localGroups(keySizes: readonly number[]): number {
  return keySizes.reduce((p, s) => p * Math.max(s, 1), 1);
}

export function runKernel(sumCount: number, input: KernelInput): KernelOutput {
  const groups = localGroups(input.keySizes);
  const counts = new Float64Array(groups);
  const nonNull = new Float64Array(groups * sumCount);
  const first = new Float64Array(groups);
  const sums = new Float64Array(groups * sumCount);
  const abs = new Float64Array(sumCount);
  const bad = kernelOf(input.source)(input.cols, input.nulls, input.sel, input.count, input.keys, input.keyNulls, input.keySizes, counts, first, sums, abs, nonNull, input.aux ?? []) !== 0;
  return { counts, nonNull, first, sums, abs, bad };
}

/**
 * The same kernel as a worker's source: runKernel and kernelOf rewritten
 * without imports (a worker started with `eval` has no module graph, and
 * the same code then runs from the TypeScript sources under the tests and
 * from dist/ in the server).
 */
export const workerSource = `
const { parentPort } = require('node:worker_threads');
const compiled = new Map();
function kernelOf(source) {
  let k = compiled.get(source);
  if (k === undefined) {
    k = new Function('cols', 'nulls', 'sel', 'count', 'keys', 'keyNulls', 'keySizes', 'counts', 'first', 'sums', 'abs', 'nonNull', 'aux', source);
    if (compiled.size > 256) compiled.clear();
    compiled.set(source, k);
  }
  return k;
}
parentPort.on('message', (m) => {
  try {
    const results = [];
    const transfer = [];
    for (const t of m.tasks) {
      const kernel = kernelOf(t.source);
      let groups = 1;
      for (const s of t.keySizes) groups *= Math.max(s, 1);
      const counts = new Float64Array(groups);
      const first = new Float64Array(groups);
      const sums = new Float64Array(groups * m.sumCount);
      const abs = new Float64Array(m.sumCount);
      const nonNull = new Float64Array(groups * m.sumCount);
      const bad = kernel(t.cols, t.nulls, t.sel, t.count, t.keys, t.keyNulls, t.keySizes, counts, first, sums, abs, nonNull, t.aux || []) !== 0;
      results.push({ counts, nonNull, first, sums, abs, bad });
      transfer.push(counts.buffer, nonNull.buffer, first.buffer, sums.buffer, abs.buffer);
    }
    parentPort.postMessage({ id: m.id, value: results }, transfer);
  } catch (error) {
    parentPort.postMessage({ id: m.id, error: String(error && error.stack || error) });
  }
});
`;
