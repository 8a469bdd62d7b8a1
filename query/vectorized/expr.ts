// Bound expressions compiled to batch evaluators over one segment. Compiling
// returns null for anything the vectorized path does not support, and the
// planner then keeps the row path. Subtrees without column references
// (constants, parameters, `date '1998-12-01' - interval '90' day`) are
// evaluated once per execution by the row path's own closures; so is any
// expression over one dictionary-encoded text column, once per dictionary
// entry (LIKE, IN, =, substring...), which keeps text semantics identical.

import type { BoundExpr } from '../binder/index.js';
import { exprKey, isVolatile, referencedColumns, some } from '../binder/index.js';
import type { CompiledExpr } from '../executor/eval/compiled.js';
import type { ExecEnv } from '../executor/index.js';
import type { SqlType } from '../types/sql-type.js';
import type { SqlValue } from '../types/value.js';
import { Decimal } from '../types/numeric/decimal.js';
import { checkSafe, VectorFallback, type NumArray, type Vec } from './vec.js';

/** What evaluating an expression over one segment needs. */
export interface SegmentContext {
  readonly length: number;
  /** The segment's vector of table column `position`. */
  column(position: number): Vec;
  /** Constant subtrees' values for this execution, by constant id. */
  readonly constants: readonly SqlValue[];
  readonly env: ExecEnv;
  readonly cache: Map<VNode, Vec>;
  /**
   * A join output's column `position` not yet gathered: a vector and, per row of this unit, its index there
   * (Batch.source); null when the column is at hand. Group keys read through it instead of gathering.
   */
  source?(position: number): { readonly vec: Vec; readonly rows: Uint32Array } | null;
  /** Row `row` of a join output's column `position`: the vector holding it and its index there (Batch.point). */
  point?(position: number, row: number): { readonly vec: Vec; readonly index: number };
}

export interface VNode {
  readonly type: SqlType;
  /** Set for constant subtrees: the index into SegmentContext.constants. */
  readonly constantId: number | null;
  evaluate(ctx: SegmentContext): Vec;
  /**
   * Boolean nodes that can test only some rows: keeps, in place, the rows of
   * sel[0..count) for which the node is true; returns how many. Filters use
   * it so later conjuncts look only at the survivors of earlier ones.
   */
  select?(ctx: SegmentContext, sel: Uint32Array, count: number): number;
  /** With select: 0 for a comparison with a constant (cheap, often selective), 1 for other selecting nodes. Filters run in this order. */
  selectCost?: number;
  /** Set for a plain column reference: its position (join key sets follow it down into the input that has the column). */
  readonly columnPosition?: number;
  /** The node's structure, for nodes the fused kernel (parallel/kernel.ts) can compile into one loop; absent otherwise. */
  shape?: Shape;
}

/**
 * What a node computes, as data (the closures above cannot cross threads):
 * arithmetic on numbers, a comparison of a number with a constant (`symbol`
 * already oriented as `a symbol constant`), a date compared with a timestamp
 * constant in days, a cast that keeps values, AND.
 */
export type Shape =
  | { readonly k: 'arith'; readonly symbol: '+' | '-' | '*'; readonly a: VNode; readonly b: VNode }
  | { readonly k: 'compare'; readonly symbol: string; readonly a: VNode; readonly constantId: number }
  | { readonly k: 'compareDays'; readonly symbol: string; readonly a: VNode; readonly constantId: number }
  /** Two number expressions compared at the larger scale (compareVectors; NULL on either side is not TRUE): Q12's l_commitdate < l_receiptdate. */
  | { readonly k: 'compareCols'; readonly symbol: string; readonly a: VNode; readonly b: VNode }
  | { readonly k: 'same'; readonly a: VNode }
  | { readonly k: 'and'; readonly args: readonly VNode[] }
  | { readonly k: 'or'; readonly args: readonly VNode[] }
  /** A bool over one text column, decided per dictionary entry: `truth(values)` is 0/1/2 (NULL) per value (main thread only: it calls the row path's closure). */
  | { readonly k: 'perEntry'; readonly position: number; truth(values: readonly (string | null)[], env: ExecEnv): Uint8Array }
  /** Searched CASE: `results[w]` when `conds[w]` is the first true one, else `results[conds.length]`. */
  | { readonly k: 'case'; readonly conds: readonly VNode[]; readonly results: readonly VNode[] };

/** The node, evaluated at most once per segment (SegmentContext.cache). Constants stay uncached: broadcasting is cheap. */
function memoized(node: VNode | null): VNode | null {
  if (node === null || node.constantId !== null) return node;
  const inner = node;
  const wrapped: VNode = {
    type: inner.type, constantId: null, ...(inner.columnPosition === undefined ? {} : { columnPosition: inner.columnPosition }),
    ...(inner.shape === undefined ? {} : { shape: inner.shape }),
    evaluate: (ctx) => {
      let v = ctx.cache.get(wrapped);
      if (v === undefined) {
        v = inner.evaluate(ctx);
        ctx.cache.set(wrapped, v);
      }
      return v;
    },
  };
  const select = inner.select;
  // Selecting is not cached: it sees only some rows. A vector already computed for this segment is used instead.
  if (select !== undefined) {
    wrapped.selectCost = inner.selectCost ?? 1;
    wrapped.select = (ctx, sel, count) => {
      const v = ctx.cache.get(wrapped);
      return v === undefined ? select.call(inner, ctx, sel, count) : narrow(asBool(v), sel, count);
    };
  }
  return wrapped;
}

export type NumKind = 'int' | 'float' | 'numeric' | 'date' | 'timestamp';

export function numKindOf(type: SqlType): NumKind | null {
  switch (type.kind) {
    case 'int2': case 'int4': case 'int8': return 'int';
    case 'float4': case 'float8': return 'float';
    case 'numeric': return 'numeric';
    case 'date': return 'date';
    case 'timestamp': return 'timestamp';
    default: return null;
  }
}

export function isTextType(type: SqlType): boolean {
  return type.kind === 'text' || type.kind === 'varchar' || type.kind === 'bpchar';
}

export const intRange: Readonly<Record<string, readonly [number, number]>> = {
  int2: [-32768, 32767], int4: [-2147483648, 2147483647], int8: [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

export const pow10s: readonly number[] = Array.from({ length: 16 }, (_, i) => 10 ** i);

function pow10(n: number): number {
  const p = pow10s[n];
  if (p === undefined) throw new VectorFallback(`a numeric scale difference of ${n}`);
  return p;
}

/** A constant as a number in the num domain at `scale` (-1: not numeric); null for NULL; undefined when not exact at that scale. */
export function constantAt(value: SqlValue, scale: number): number | null | undefined {
  if (value === null) return null;
  if (typeof value === 'number') return scale <= 0 ? value : value * pow10(scale);
  if (typeof value === 'bigint') {
    const n = Number(value);
    checkSafe(n, 'a bigint constant');
    return scale <= 0 ? n : n * pow10(scale);
  }
  if (value instanceof Decimal) {
    if (!value.isFinite()) throw new VectorFallback('a non-finite numeric constant');
    const target = Math.max(scale, 0);
    if (value.scale > target) {
      const div = 10n ** BigInt(value.scale - target);
      if (value.coefficient % div !== 0n) return undefined;
      return Number(value.coefficient / div);
    }
    const n = Number(value.coefficient * 10n ** BigInt(target - value.scale));
    checkSafe(n, 'a numeric constant');
    return n;
  }
  throw new VectorFallback('a constant of an unexpected type');
}

/** Scale of a constant in the num domain (numeric: its own scale; others -1). */
export function constantScale(value: SqlValue): number {
  return value instanceof Decimal && value.isFinite() ? value.scale : -1;
}

/** The Vec of a constant broadcast to a segment. */
export function broadcast(value: SqlValue, type: SqlType, length: number): Vec {
  if (type.kind === 'bool') return { t: 'bool', v: new Uint8Array(length).fill(value === null ? 2 : value === true ? 1 : 0) };
  if (isTextType(type)) return { t: 'dict', codes: new Uint32Array(length), dict: [typeof value === 'string' ? value : ''], nulls: value === null ? new Uint8Array(length).fill(1) : null };
  const scale = type.kind === 'numeric' ? constantScale(value) : -1;
  const n = constantAt(value, scale);
  return { t: 'num', v: new Float64Array(length).fill(n ?? 0), nulls: n === null ? new Uint8Array(length).fill(1) : null, scale, rowScales: null };
}

/** What compile needs from the statement: constants registered for per-execution evaluation, the row compiler for dictionaries. */
export interface CompileEnv {
  addConstant(expr: BoundExpr): number;
  rowCompile(expr: BoundExpr): CompiledExpr;
  /** Types of the table's columns by position (the scan row). */
  readonly columnTypes: readonly SqlType[];
}

function hasSubqueryOrAggregate(expr: BoundExpr): boolean {
  return some(expr, (e) => e.kind === 'subquery' || e.kind === 'quantified' || e.kind === 'aggregate' || e.kind === 'outerRef' || e.kind === 'caseTest' || e.kind === 'windowFn' as string);
}

export class ExprCompiler {
  private readonly memo = new Map<BoundExpr, VNode | null>();
  /** Structurally equal expressions share one node, so `price * (1 - disc)` is computed once per segment. */
  private readonly byKey = new Map<string, VNode | null>();

  constructor(private readonly env: CompileEnv) {}

  compile(expr: BoundExpr): VNode | null {
    if (this.memo.has(expr)) return this.memo.get(expr) ?? null;
    const key = exprKey(expr);
    let node = this.byKey.get(key);
    if (node === undefined) {
      node = memoized(this.build(expr));
      this.byKey.set(key, node);
    }
    this.memo.set(expr, node);
    return node;
  }

  private build(expr: BoundExpr): VNode | null {
    if (hasSubqueryOrAggregate(expr) || isVolatile(expr)) return null;
    const columns = referencedColumns(expr);
    if (columns.size === 0) return this.constant(expr);
    if (columns.size === 1) {
      const position = [...columns][0] ?? 0;
      const type = this.env.columnTypes[position];
      // A number over one text column (CASE WHEN s = 'x' THEN 1 ...) compiles structurally: its text conditions go per dictionary entry.
      if (type !== undefined && isTextType(type) && expr.kind !== 'column' && (expr.type.kind === 'bool' || isTextType(expr.type))) return this.perDistinct(expr, position);
    }
    switch (expr.kind) {
      case 'column': return this.column(expr.index, expr.type);
      case 'operator': return this.operator(expr);
      case 'cast': return this.cast(expr);
      case 'and': case 'or': return this.logic(expr.kind, expr.args);
      case 'not': return this.not(expr.arg);
      case 'nullTest': return this.nullTest(expr.arg, expr.negated, expr.type);
      case 'inList': return this.inList(expr);
      case 'case': return this.caseWhen(expr);
      default: return null;
    }
  }

  private constant(expr: BoundExpr): VNode {
    const id = this.env.addConstant(expr);
    return {
      type: expr.type, constantId: id,
      evaluate: (ctx) => broadcast(ctx.constants[id] ?? null, expr.type, ctx.length),
    };
  }

  private column(position: number, type: SqlType): VNode | null {
    if (numKindOf(type) === null && type.kind !== 'bool' && !isTextType(type)) return null;
    if (type.kind === 'numeric' && (type.precision === null || type.precision > 18)) return null;
    return { type, constantId: null, columnPosition: position, evaluate: (ctx) => ctx.column(position) };
  }

  /** An expression over one text column, evaluated once per dictionary entry by the row path's closure. */
  private perDistinct(expr: BoundExpr, position: number): VNode | null {
    if (expr.type.kind !== 'bool' && !isTextType(expr.type)) return null;
    const compiled = this.env.rowCompile(expr);
    const row: SqlValue[] = new Array<SqlValue>(position + 1).fill(null);
    const at = (value: SqlValue, env: ExecEnv): SqlValue => {
      row[position] = value;
      return compiled.evaluate(row, env);
    };
    const isBool = expr.type.kind === 'bool';
    const node: VNode = {
      type: expr.type, constantId: null,
      evaluate: (ctx) => {
        const input = ctx.column(position);
        const n = ctx.length;
        if (input.t === 'dict') {
          const results = input.dict.map((s) => at(s, ctx.env));
          const whenNull = at(null, ctx.env);
          const nulls = input.nulls;
          if (isBool) {
            const table = Uint8Array.from(results, (r) => (r === null ? 2 : r === true ? 1 : 0));
            const nullCode = whenNull === null ? 2 : whenNull === true ? 1 : 0;
            const v = new Uint8Array(n);
            const codes = input.codes;
            for (let i = 0; i < n; i++) v[i] = nulls !== null && nulls[i] === 1 ? nullCode : (table[codes[i] ?? 0] ?? 2);
            return { t: 'bool', v };
          }
          const dict = [...results.map((r) => (typeof r === 'string' ? r : '')), typeof whenNull === 'string' ? whenNull : ''];
          const codes = new Uint32Array(n);
          const outNulls = new Uint8Array(n);
          for (let i = 0; i < n; i++) {
            const isNull = nulls !== null && nulls[i] === 1;
            const code = isNull ? results.length : (input.codes[i] ?? 0);
            codes[i] = code;
            outNulls[i] = (isNull ? whenNull : results[code]) === null ? 1 : 0;
          }
          return { t: 'dict', codes, dict, nulls: outNulls };
        }
        if (input.t !== 'str') throw new VectorFallback('a text expression over a non-text vector');
        if (isBool) {
          const v = new Uint8Array(n);
          for (let i = 0; i < n; i++) {
            const r = at(input.v[i] ?? null, ctx.env);
            v[i] = r === null ? 2 : r === true ? 1 : 0;
          }
          return { t: 'bool', v };
        }
        return { t: 'str', v: input.v.map((s) => { const r = at(s, ctx.env); return typeof r === 'string' ? r : null; }) };
      },
    };
    if (isBool) {
      node.shape = { k: 'perEntry', position, truth: (values, env) => Uint8Array.from(values, (s) => { const r = at(s, env); return r === null ? 2 : r === true ? 1 : 0; }) };
      // A filter over a dictionary column: one closure call per entry, then a table lookup per selected row.
      node.selectCost = 1;
      node.select = (ctx, sel, count) => {
        const input = ctx.column(position);
        if (input.t !== 'dict') return narrow(asBool(node.evaluate(ctx)), sel, count);
        const passes = Uint8Array.from(input.dict, (s) => (at(s, ctx.env) === true ? 1 : 0));
        const nullPasses = at(null, ctx.env) === true;
        const codes = input.codes;
        const nulls = input.nulls;
        let m = 0;
        if (nulls === null) {
          for (let k = 0; k < count; k++) { const i = sel[k] as number; sel[m] = i; m += passes[codes[i] as number] as number; }
          return m;
        }
        const nullPass = nullPasses ? 1 : 0;
        for (let k = 0; k < count; k++) { const i = sel[k] as number; sel[m] = i; m += nulls[i] === 1 ? nullPass : (passes[codes[i] as number] as number); }
        return m;
      };
    }
    return node;
  }

  private operator(expr: BoundExpr & { kind: 'operator' }): VNode | null {
    if (expr.args.length === 1) {
      const [arg] = expr.args;
      if (expr.symbol !== '-' || arg === undefined) return null;
      const a = this.compile(arg);
      if (a === null || numKindOf(arg.type) === null) return null;
      return { type: expr.type, constantId: null, evaluate: (ctx) => negate(asNum(a.evaluate(ctx))) };
    }
    const [left, right] = expr.args;
    if (left === undefined || right === undefined) return null;
    const lk = numKindOf(left.type);
    const rk = numKindOf(right.type);
    if (lk === null || rk === null) return null;
    if (['=', '<>', '<', '<=', '>', '>='].includes(expr.symbol)) {
      if (expr.type.kind !== 'bool' || (lk !== rk && !(lk === 'int' && rk === 'float') && !(lk === 'float' && rk === 'int'))) return null;
      return this.comparison(expr.symbol, left, right);
    }
    const rkind = numKindOf(expr.type);
    if (rkind === null || !['+', '-', '*'].includes(expr.symbol)) return null;
    if (rkind === 'timestamp' || (rkind !== lk && rkind !== 'date') || (rkind === 'numeric' && (lk !== 'numeric' || rk !== 'numeric'))) return null;
    if (rkind === 'date' && !(lk === 'date' && rk === 'int' && expr.symbol !== '*')) return null;
    if (rkind === 'int' && (lk !== 'int' || rk !== 'int')) return null;
    // float4 results round to single precision in the row path; only float8 arithmetic is done here.
    if (rkind === 'float' && (lk !== 'float' || rk !== 'float' || expr.type.kind !== 'float8')) return null;
    const a = this.compile(left);
    const b = this.compile(right);
    if (a === null || b === null) return null;
    const symbol = expr.symbol;
    const type = expr.type;
    // A constant operand (Q1's `1 - l_discount`) stays a scalar: no broadcast array per segment.
    if (b.constantId !== null || a.constantId !== null) {
      const onLeft = a.constantId !== null;
      const id = (onLeft ? a.constantId : b.constantId) ?? 0;
      const vec = onLeft ? b : a;
      const constantType = onLeft ? left.type : right.type;
      return { type, constantId: null, shape: arithShape(symbol, a, b), evaluate: (ctx) => arithmeticConstant(symbol, type, asNum(vec.evaluate(ctx)), ctx.constants[id] ?? null, constantType, onLeft) };
    }
    return { type, constantId: null, shape: arithShape(symbol, a, b), evaluate: (ctx) => arithmetic(symbol, type, asNum(a.evaluate(ctx)), asNum(b.evaluate(ctx))) };
  }

  private comparison(symbol: string, left: BoundExpr, right: BoundExpr): VNode | null {
    const byDay = this.dateVersusTimestamp(symbol, left, right) ?? this.dateVersusTimestamp(flip(symbol), right, left);
    if (byDay !== null) return byDay;
    const a = this.compile(left);
    const b = this.compile(right);
    if (a === null || b === null) return null;
    const bool: SqlType = { kind: 'bool' };
    if (b.constantId !== null) {
      const id = b.constantId;
      return {
        type: bool, constantId: null, shape: { k: 'compare', symbol, a, constantId: id },
        evaluate: (ctx) => compareConstant(symbol, asNum(a.evaluate(ctx)), ctx.constants[id] ?? null),
        select: (ctx, sel, count) => selectConstant(symbol, asNum(a.evaluate(ctx)), ctx.constants[id] ?? null, sel, count),
        selectCost: 0,
      };
    }
    if (a.constantId !== null) {
      const id = a.constantId;
      return { type: bool, constantId: null, shape: { k: 'compare', symbol: flip(symbol), a: b, constantId: id }, evaluate: (ctx) => compareConstant(flip(symbol), asNum(b.evaluate(ctx)), ctx.constants[id] ?? null) };
    }
    return {
      type: bool, constantId: null, shape: { k: 'compareCols', symbol, a, b },
      evaluate: (ctx) => compareVectors(symbol, asNum(a.evaluate(ctx)), asNum(b.evaluate(ctx))),
      select: (ctx, sel, count) => selectVectors(symbol, asNum(a.evaluate(ctx)), asNum(b.evaluate(ctx)), sel, count),
      selectCost: 1,
    };
  }

  /** `date_column::timestamp op constant` compared in days (Q1's `l_shipdate <= date '1998-12-01' - interval '90' day`). */
  private dateVersusTimestamp(symbol: string, left: BoundExpr, right: BoundExpr): VNode | null {
    if (left.kind !== 'cast' || left.arg.type.kind !== 'date' || left.type.kind !== 'timestamp' || right.type.kind !== 'timestamp') return null;
    if (referencedColumns(right).size > 0) return null;
    const days = this.compile(left.arg);
    const c = this.compile(right);
    if (days === null || c === null || c.constantId === null) return null;
    const id = c.constantId;
    const bound = (ctx: SegmentContext): [string, number | null] => {
      const micros = ctx.constants[id] ?? null;
      return typeof micros !== 'bigint' ? [symbol, null] : dayBound(symbol, micros);
    };
    return {
      type: { kind: 'bool' }, constantId: null, shape: { k: 'compareDays', symbol, a: days, constantId: id },
      evaluate: (ctx) => {
        const [op, day] = bound(ctx);
        return compareConstant(op, asNum(days.evaluate(ctx)), day);
      },
      select: (ctx, sel, count) => {
        const [op, day] = bound(ctx);
        return selectConstant(op, asNum(days.evaluate(ctx)), day, sel, count);
      },
      selectCost: 0,
    };
  }

  private cast(expr: BoundExpr & { kind: 'cast' }): VNode | null {
    const from = expr.arg.type;
    const to = expr.type;
    const fk = numKindOf(from);
    const tk = numKindOf(to);
    const a = this.compile(expr.arg);
    if (a === null) return null;
    const same = (): VNode => ({ type: to, constantId: null, shape: { k: 'same', a }, evaluate: (ctx) => a.evaluate(ctx) });
    if (fk === 'int' && tk === 'int') return same();
    if (fk === 'int' && tk === 'float' && to.kind === 'float8') return same();
    if (fk === 'int' && tk === 'numeric' && to.kind === 'numeric' && to.scale === null) {
      return { type: to, constantId: null, evaluate: (ctx) => ({ ...asNum(a.evaluate(ctx)), scale: 0 }) };
    }
    if (fk === 'numeric' && to.kind === 'numeric' && to.precision === null && to.scale === null) return same();
    if (fk === 'date' && tk === 'timestamp') {
      return {
        type: to, constantId: null,
        evaluate: (ctx) => {
          const v = asNum(a.evaluate(ctx));
          return { t: 'num', v: mapNum(v.v, (x) => x * 86_400_000_000), nulls: v.nulls, scale: -1, rowScales: null };
        },
      };
    }
    return null;
  }

  private logic(kind: 'and' | 'or', args: readonly BoundExpr[]): VNode | null {
    const nodes = args.map((a) => this.compile(a));
    if (nodes.some((n) => n === null)) return null;
    const compiled = nodes as VNode[];
    const node = this.logicNode(kind, compiled);
    if (kind === 'or') node.shape = { k: 'or', args: compiled };
    if (kind === 'and') {
      node.shape = { k: 'and', args: compiled };
      node.selectCost = Math.max(...compiled.map((c) => (c.select === undefined ? 1 : (c.selectCost ?? 1))));
      node.select = (ctx, sel, count) => {
        let m = count;
        for (const c of compiled) m = selectWith(c, ctx, sel, m);
        return m;
      };
    }
    return node;
  }

  private logicNode(kind: 'and' | 'or', compiled: readonly VNode[]): VNode {
    return {
      type: { kind: 'bool' }, constantId: null,
      evaluate: (ctx) => {
        const out = new Uint8Array(ctx.length).fill(kind === 'and' ? 1 : 0);
        for (const node of compiled) {
          const v = asBool(node.evaluate(ctx));
          if (kind === 'and') for (let i = 0; i < out.length; i++) out[i] = and3(out[i] as number, v[i] as number);
          else for (let i = 0; i < out.length; i++) out[i] = or3(out[i] as number, v[i] as number);
        }
        return { t: 'bool', v: out };
      },
    };
  }

  private not(arg: BoundExpr): VNode | null {
    const a = this.compile(arg);
    if (a === null) return null;
    return {
      type: { kind: 'bool' }, constantId: null,
      evaluate: (ctx) => {
        const v = asBool(a.evaluate(ctx));
        const out = new Uint8Array(v.length);
        for (let i = 0; i < v.length; i++) out[i] = v[i] === 2 ? 2 : v[i] === 1 ? 0 : 1;
        return { t: 'bool', v: out };
      },
    };
  }

  private nullTest(arg: BoundExpr, negated: boolean, type: SqlType): VNode | null {
    const a = this.compile(arg);
    if (a === null) return null;
    return {
      type, constantId: null,
      evaluate: (ctx) => {
        const vec = a.evaluate(ctx);
        const out = new Uint8Array(ctx.length);
        for (let i = 0; i < out.length; i++) out[i] = (isNullIn(vec, i) !== negated) ? 1 : 0;
        return { t: 'bool', v: out };
      },
    };
  }

  private inList(expr: BoundExpr & { kind: 'inList' }): VNode | null {
    if (numKindOf(expr.arg.type) === null || expr.list.some((e) => referencedColumns(e).size > 0)) return null;
    const a = this.compile(expr.arg);
    const items = expr.list.map((e) => this.compile(e));
    if (a === null || items.some((n) => n?.constantId === null || n === null)) return null;
    const ids = items.map((n) => n?.constantId ?? 0);
    const negated = expr.negated;
    return {
      type: { kind: 'bool' }, constantId: null,
      evaluate: (ctx) => {
        const vec = asNum(a.evaluate(ctx));
        const values = new Set<number>();
        let listHasNull = false;
        for (const id of ids) {
          const c = constantAt(ctx.constants[id] ?? null, vec.scale);
          if (c === null) listHasNull = true;
          else if (c !== undefined) values.add(c);
        }
        const out = new Uint8Array(ctx.length);
        for (let i = 0; i < out.length; i++) {
          if (vec.nulls !== null && vec.nulls[i] === 1) { out[i] = 2; continue; }
          const hit = values.has(vec.v[i] ?? 0);
          out[i] = hit ? (negated ? 0 : 1) : listHasNull ? 2 : negated ? 1 : 0;
        }
        return { t: 'bool', v: out };
      },
    };
  }

  private caseWhen(expr: BoundExpr & { kind: 'case' }): VNode | null {
    const kind = numKindOf(expr.type);
    if (expr.operand !== null || kind === null || kind === 'float') return null;
    const conditions = expr.whens.map((w) => this.compile(w.condition));
    const results = [...expr.whens.map((w) => this.compile(w.result)), this.compile(expr.elseResult)];
    if (conditions.some((c) => c === null) || results.some((r) => r === null)) return null;
    const conds = conditions as VNode[];
    const outs = results as VNode[];
    const numeric = kind === 'numeric';
    return {
      type: expr.type, constantId: null, shape: { k: 'case', conds, results: outs },
      evaluate: (ctx) => {
        const n = ctx.length;
        const cv = conds.map((c) => asBool(c.evaluate(ctx)));
        const rv = outs.map((r) => asNum(r.evaluate(ctx)));
        if (rv.some((r) => r.rowScales !== null)) throw new VectorFallback('nested CASE over numerics');
        const scale = numeric ? Math.max(...rv.map((r) => r.scale)) : -1;
        const factors = rv.map((r) => (numeric ? pow10(scale - r.scale) : 1));
        const v = new Float64Array(n);
        const nulls = new Uint8Array(n);
        const rowScales = numeric ? new Uint8Array(n) : null;
        for (let i = 0; i < n; i++) {
          let branch = cv.length;
          for (let w = 0; w < cv.length; w++) if ((cv[w] as Uint8Array)[i] === 1) { branch = w; break; }
          const r = rv[branch] as Vec & { t: 'num' };
          if (r.nulls !== null && r.nulls[i] === 1) { nulls[i] = 1; continue; }
          const x = (r.v[i] ?? 0) * (factors[branch] ?? 1);
          if (factors[branch] !== 1) checkSafe(x, 'a CASE result');
          v[i] = x;
          if (rowScales !== null) rowScales[i] = r.scale;
        }
        return { t: 'num', v, nulls, scale, rowScales };
      },
    };
  }
}

export function asNum(vec: Vec): Vec & { t: 'num' } {
  if (vec.t !== 'num') throw new VectorFallback(`expected a number vector, got ${vec.t}`);
  return vec;
}

export function asBool(vec: Vec): Uint8Array {
  if (vec.t !== 'bool') throw new VectorFallback(`expected a bool vector, got ${vec.t}`);
  return vec.v;
}

export function isNullIn(vec: Vec, i: number): boolean {
  switch (vec.t) {
    case 'num': case 'dict': return vec.nulls !== null && vec.nulls[i] === 1;
    case 'bool': return vec.v[i] === 2;
    case 'str': return vec.v[i] === null;
  }
}

function and3(a: number, b: number): number {
  if (a === 0 || b === 0) return 0;
  return a === 2 || b === 2 ? 2 : 1;
}

function or3(a: number, b: number): number {
  if (a === 1 || b === 1) return 1;
  return a === 2 || b === 2 ? 2 : 0;
}

const microsPerDay = 86_400_000_000n;

/** `days * microsPerDay op micros` as `days op' bound` (bound a day number, or 0.5: never equal). */
export function dayBound(symbol: string, micros: bigint): [string, number] {
  const floor = micros >= 0n ? micros / microsPerDay : -((-micros + microsPerDay - 1n) / microsPerDay);
  const exact = floor * microsPerDay === micros;
  const ceil = exact ? floor : floor + 1n;
  switch (symbol) {
    case '<=': case '>': return [symbol, Number(floor)];
    case '<': case '>=': return [symbol, Number(ceil)];
    default: return [symbol, exact ? Number(floor) : 0.5];
  }
}

function arithShape(symbol: string, a: VNode, b: VNode): Shape | undefined {
  return symbol === '+' || symbol === '-' || symbol === '*' ? { k: 'arith', symbol, a, b } : undefined;
}

function flip(symbol: string): string {
  switch (symbol) {
    case '<': return '>';
    case '<=': return '>=';
    case '>': return '<';
    case '>=': return '<=';
    default: return symbol;
  }
}

function mapNum(v: ArrayLike<number>, f: (x: number) => number): Float64Array {
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const x = f(v[i] ?? 0);
    checkSafe(x, 'a computed value');
    out[i] = x;
  }
  return out;
}

function mergeNulls(a: Uint8Array | null, b: Uint8Array | null): Uint8Array | null {
  if (a === null) return b;
  if (b === null) return a;
  const out = new Uint8Array(a.length);
  for (let i = 0; i < out.length; i++) out[i] = (a[i] ?? 0) | (b[i] ?? 0);
  return out;
}

function negate(a: Vec & { t: 'num' }): Vec {
  return { t: 'num', v: mapNum(a.v, (x) => -x), nulls: a.nulls, scale: a.scale, rowScales: a.rowScales };
}

/** Bounds an exact result must stay within, by result type (NaN and ±Infinity fail every bound). */
function resultBounds(type: SqlType): readonly [number, number] {
  const range = intRange[type.kind];
  if (range !== undefined) return range;
  if (type.kind === 'numeric') return [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER];
  return [-Number.MAX_VALUE, Number.MAX_VALUE];
}

// The kernels below are one loop per operator over typed arrays: the
// operator is chosen once per segment, not per row (a closure or a switch
// per row cost 3–5× in profiles of Q1/Q6).

function arithmetic(symbol: string, type: SqlType, a: Vec & { t: 'num' }, b: Vec & { t: 'num' }): Vec {
  if (a.rowScales !== null || b.rowScales !== null) throw new VectorFallback('arithmetic over a CASE of numerics');
  const n = Math.min(a.v.length, b.v.length);
  const out = new Float64Array(n);
  const nulls = mergeNulls(a.nulls, b.nulls);
  const numeric = type.kind === 'numeric';
  let scale = -1;
  let fa = 1;
  let fb = 1;
  if (numeric) {
    const sa = Math.max(a.scale, 0);
    const sb = Math.max(b.scale, 0);
    scale = symbol === '*' ? sa + sb : Math.max(sa, sb);
    if (symbol !== '*') { fa = pow10(scale - sa); fb = pow10(scale - sb); }
  }
  const av = a.v;
  const bv = b.v;
  switch (symbol) {
    case '+': for (let i = 0; i < n; i++) out[i] = (av[i] as number) * fa + (bv[i] as number) * fb; break;
    case '-': for (let i = 0; i < n; i++) out[i] = (av[i] as number) * fa - (bv[i] as number) * fb; break;
    case '*': for (let i = 0; i < n; i++) out[i] = (av[i] as number) * fa * ((bv[i] as number) * fb); break;
    default: throw new Error(`not an arithmetic operator: ${symbol}`);
  }
  checkResults(out, nulls, type, symbol);
  return { t: 'num', v: out, nulls, scale, rowScales: null };
}

/** One pass for the range: results of NULL rows (computed from the 0 stored there) do not count. */
function checkResults(out: Float64Array, nulls: Uint8Array | null, type: SqlType, symbol: string): void {
  const [lo, hi] = resultBounds(type);
  for (let i = 0; i < out.length; i++) {
    const r = out[i] as number;
    if (r >= lo && r <= hi) continue;
    if (nulls !== null && nulls[i] === 1) { out[i] = 0; continue; }
    throw new VectorFallback(`${type.kind} ${symbol} out of the exact range`);
  }
}

/** `vec op constant` (or `constant op vec` when onLeft), the constant as one number: what arithmetic does over its broadcast. */
function arithmeticConstant(symbol: string, type: SqlType, a: Vec & { t: 'num' }, value: SqlValue, constantType: SqlType, onLeft: boolean): Vec {
  if (a.rowScales !== null) throw new VectorFallback('arithmetic over a CASE of numerics');
  const n = a.v.length;
  const out = new Float64Array(n);
  const cs = constantType.kind === 'numeric' ? constantScale(value) : -1;
  const c = constantAt(value, cs);
  if (c === undefined) throw new VectorFallback('a constant not exact at its own scale');
  if (c === null) return { t: 'num', v: out, nulls: new Uint8Array(n).fill(1), scale: type.kind === 'numeric' ? Math.max(a.scale, 0) : -1, rowScales: null };
  let scale = -1;
  let fa = 1;
  let fc = 1;
  if (type.kind === 'numeric') {
    const sa = Math.max(a.scale, 0);
    const sc = Math.max(cs, 0);
    scale = symbol === '*' ? sa + sc : Math.max(sa, sc);
    if (symbol !== '*') { fa = pow10(scale - sa); fc = pow10(scale - sc); }
  }
  const k = c * fc;
  checkSafe(k, 'a constant operand');
  const av = a.v;
  switch (symbol) {
    case '+': for (let i = 0; i < n; i++) out[i] = (av[i] as number) * fa + k; break;
    case '-':
      if (onLeft) for (let i = 0; i < n; i++) out[i] = k - (av[i] as number) * fa;
      else for (let i = 0; i < n; i++) out[i] = (av[i] as number) * fa - k;
      break;
    case '*': for (let i = 0; i < n; i++) out[i] = (av[i] as number) * fa * k; break;
    default: throw new Error(`not an arithmetic operator: ${symbol}`);
  }
  checkResults(out, a.nulls, type, symbol);
  return { t: 'num', v: out, nulls: a.nulls, scale, rowScales: null };
}

/** out[i] = v[i] * f op c ? 1 : 0, one loop per operator. */
function compareKernel(symbol: string, v: NumArray, f: number, c: number, out: Uint8Array): void {
  const n = out.length;
  switch (symbol) {
    case '=': for (let i = 0; i < n; i++) out[i] = (v[i] as number) * f === c ? 1 : 0; return;
    case '<>': for (let i = 0; i < n; i++) out[i] = (v[i] as number) * f !== c ? 1 : 0; return;
    case '<': for (let i = 0; i < n; i++) out[i] = (v[i] as number) * f < c ? 1 : 0; return;
    case '<=': for (let i = 0; i < n; i++) out[i] = (v[i] as number) * f <= c ? 1 : 0; return;
    case '>': for (let i = 0; i < n; i++) out[i] = (v[i] as number) * f > c ? 1 : 0; return;
    case '>=': for (let i = 0; i < n; i++) out[i] = (v[i] as number) * f >= c ? 1 : 0; return;
    default: throw new Error(`not a comparison: ${symbol}`);
  }
}

/** Keeps the rows of sel[0..count) where `bools` is 1; returns how many. */
function narrow(bools: Uint8Array, sel: Uint32Array, count: number): number {
  let m = 0;
  for (let k = 0; k < count; k++) { const i = sel[k] as number; sel[m] = i; m += +(bools[i] === 1); }
  return m;
}

/** Narrows sel[0..count) to the rows where `node` is true (only those rows are looked at when the node can select). */
export function selectWith(node: VNode, ctx: SegmentContext, sel: Uint32Array, count: number): number {
  return node.select === undefined ? narrow(asBool(node.evaluate(ctx)), sel, count) : node.select(ctx, sel, count);
}

/** compareConstant over the rows sel[0..count) only, keeping those where it is true. */
function selectConstant(symbol: string, a: Vec & { t: 'num' }, constant: SqlValue, sel: Uint32Array, count: number): number {
  const scale = Math.max(a.scale, constantScale(constant));
  const c = constantAt(constant, scale);
  if (c === null || c === undefined) return 0;
  const f = a.scale >= 0 && scale > a.scale ? pow10(scale - a.scale) : 1;
  const v = a.v;
  let m = 0;
  switch (symbol) {
    case '=': for (let k = 0; k < count; k++) { const i = sel[k] as number; sel[m] = i; m += +((v[i] as number) * f === c); } break;
    case '<>': for (let k = 0; k < count; k++) { const i = sel[k] as number; sel[m] = i; m += +((v[i] as number) * f !== c); } break;
    case '<': for (let k = 0; k < count; k++) { const i = sel[k] as number; sel[m] = i; m += +((v[i] as number) * f < c); } break;
    case '<=': for (let k = 0; k < count; k++) { const i = sel[k] as number; sel[m] = i; m += +((v[i] as number) * f <= c); } break;
    case '>': for (let k = 0; k < count; k++) { const i = sel[k] as number; sel[m] = i; m += +((v[i] as number) * f > c); } break;
    case '>=': for (let k = 0; k < count; k++) { const i = sel[k] as number; sel[m] = i; m += +((v[i] as number) * f >= c); } break;
    default: throw new Error(`not a comparison: ${symbol}`);
  }
  const nulls = a.nulls;
  if (nulls === null) return m;
  let kept = 0;
  for (let k = 0; k < m; k++) { const i = sel[k] as number; if (nulls[i] !== 1) sel[kept++] = i; }
  return kept;
}

export function compareConstant(symbol: string, a: Vec & { t: 'num' }, constant: SqlValue): Vec {
  const n = a.v.length;
  const out = new Uint8Array(n);
  const cs = constantScale(constant);
  const scale = Math.max(a.scale, cs);
  const c = constantAt(constant, scale);
  if (c === null || c === undefined) return { t: 'bool', v: out.fill(2) };
  const fa = a.scale >= 0 && scale > a.scale ? pow10(scale - a.scale) : 1;
  compareKernel(symbol, a.v, fa, c, out);
  const nulls = a.nulls;
  if (nulls !== null) for (let i = 0; i < n; i++) if (nulls[i] === 1) out[i] = 2;
  return { t: 'bool', v: out };
}

/** out[i] = a[i] * fa op b[i] * fb ? 1 : 0, one loop per operator. */
function compareVectorKernel(symbol: string, a: NumArray, fa: number, b: NumArray, fb: number, out: Uint8Array): void {
  const n = out.length;
  switch (symbol) {
    case '=': for (let i = 0; i < n; i++) out[i] = (a[i] as number) * fa === (b[i] as number) * fb ? 1 : 0; return;
    case '<>': for (let i = 0; i < n; i++) out[i] = (a[i] as number) * fa !== (b[i] as number) * fb ? 1 : 0; return;
    case '<': for (let i = 0; i < n; i++) out[i] = (a[i] as number) * fa < (b[i] as number) * fb ? 1 : 0; return;
    case '<=': for (let i = 0; i < n; i++) out[i] = (a[i] as number) * fa <= (b[i] as number) * fb ? 1 : 0; return;
    case '>': for (let i = 0; i < n; i++) out[i] = (a[i] as number) * fa > (b[i] as number) * fb ? 1 : 0; return;
    case '>=': for (let i = 0; i < n; i++) out[i] = (a[i] as number) * fa >= (b[i] as number) * fb ? 1 : 0; return;
    default: throw new Error(`not a comparison: ${symbol}`);
  }
}

/** compareVectors over the rows sel[0..count) only, keeping those where it is true. */
function selectVectors(symbol: string, a: Vec & { t: 'num' }, b: Vec & { t: 'num' }, sel: Uint32Array, count: number): number {
  const scale = Math.max(a.scale, b.scale);
  const fa = a.scale >= 0 && scale > a.scale ? pow10(scale - a.scale) : 1;
  const fb = b.scale >= 0 && scale > b.scale ? pow10(scale - b.scale) : 1;
  const x = a.v;
  const y = b.v;
  let m = 0;
  switch (symbol) {
    case '=': for (let k = 0; k < count; k++) { const i = sel[k] as number; sel[m] = i; m += +((x[i] as number) * fa === (y[i] as number) * fb); } break;
    case '<>': for (let k = 0; k < count; k++) { const i = sel[k] as number; sel[m] = i; m += +((x[i] as number) * fa !== (y[i] as number) * fb); } break;
    case '<': for (let k = 0; k < count; k++) { const i = sel[k] as number; sel[m] = i; m += +((x[i] as number) * fa < (y[i] as number) * fb); } break;
    case '<=': for (let k = 0; k < count; k++) { const i = sel[k] as number; sel[m] = i; m += +((x[i] as number) * fa <= (y[i] as number) * fb); } break;
    case '>': for (let k = 0; k < count; k++) { const i = sel[k] as number; sel[m] = i; m += +((x[i] as number) * fa > (y[i] as number) * fb); } break;
    case '>=': for (let k = 0; k < count; k++) { const i = sel[k] as number; sel[m] = i; m += +((x[i] as number) * fa >= (y[i] as number) * fb); } break;
    default: throw new Error(`not a comparison: ${symbol}`);
  }
  for (const nulls of [a.nulls, b.nulls]) {
    if (nulls === null) continue;
    let kept = 0;
    for (let k = 0; k < m; k++) { const i = sel[k] as number; if (nulls[i] !== 1) sel[kept++] = i; }
    m = kept;
  }
  return m;
}

function compareVectors(symbol: string, a: Vec & { t: 'num' }, b: Vec & { t: 'num' }): Vec {
  const n = Math.min(a.v.length, b.v.length);
  const out = new Uint8Array(n);
  const scale = Math.max(a.scale, b.scale);
  const fa = a.scale >= 0 && scale > a.scale ? pow10(scale - a.scale) : 1;
  const fb = b.scale >= 0 && scale > b.scale ? pow10(scale - b.scale) : 1;
  compareVectorKernel(symbol, a.v, fa, b.v, fb, out);
  for (const nulls of [a.nulls, b.nulls]) if (nulls !== null) for (let i = 0; i < n; i++) if (nulls[i] === 1) out[i] = 2;
  return { t: 'bool', v: out };
}
