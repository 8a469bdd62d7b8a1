// The statement cache's shape level: one parse per literal-normalised shape.
//
// `SELECT abalance FROM pgbench_accounts WHERE aid = 48213` and the same text
// with another number share a key (shape-scan.ts). The first text of a key is
// parsed; its tree becomes a *template* in which each literal that came from
// one of the scanned constants is a parameter (`$1`, `$2`, ...). Every text of
// the key then runs that one tree with its own constants as parameter values,
// so the session compiles it once and a hit costs a scan and a Map lookup.
//
// A parameter carries its literal's type (the binder is told int4, int8 or
// numeric, exactly what bindLiteral gives the literal; the key fixes the
// class), so types and operator choice are those of the literal. Constants
// whose *position* means something, or that the binder reads as text rather
// than as a value, stay literals and are *pinned*: the template serves only
// texts with the same value there. They are:
// - constants the tree does not hold as a literal at that token (the 24 of
//   float(24) picks float4; a '-' that is an operator after all);
// - ORDER BY / GROUP BY / DISTINCT ON / PARTITION BY items that are a bare
//   literal (ordinals), LIMIT and OFFSET, window frame offsets;
// - type modifiers (`numeric(10, 2)`), and literals cast directly
//   (`100000::int2` is folded, and so fails, when compiled).
// Only SELECT, INSERT, UPDATE and DELETE are templated (EXPLAIN prints its
// constants).

import type { Expr, Literal, Statement } from '../ast/index.js';
import { numberLiteral } from './literal-text.js';
import { parseSql } from './parse.js';
import type { ShapeConstant, ShapeScan } from './shape-scan.js';

/** A parameter of the template: which scanned constant fills it, and whether a '-' before it is part of it. */
interface TemplateSlot {
  readonly constant: number;
  readonly negated: boolean;
}

export interface ShapeTemplate {
  /** The tree with parameters; shared by every text of the key: read-only. */
  readonly statement: Statement;
  readonly slots: readonly TemplateSlot[];
  /** Constants that stayed literals: the template holds only for texts with these values. */
  readonly pinned: readonly { readonly constant: number; readonly text: string }[];
  /** The scan of the text the template was built from (its positions are that text's). */
  readonly origin: ShapeScan;
}

/** One text resolved through a template. */
export interface ShapedStatement {
  readonly statement: Statement;
  /** The constants, as literals, in parameter order ($1 first). */
  readonly parameters: readonly Literal[];
  readonly scan: ShapeScan;
  readonly template: ShapeTemplate;
}

const templatedKinds: ReadonlySet<string> = new Set(['select', 'insert', 'update', 'delete']);

/** Field names whose value, when a bare literal, is read for its position or its text. */
const pinnedFields: ReadonlySet<string> = new Set(['limit', 'offset']);
/** Array fields whose bare-literal items are ordinals. */
const ordinalLists: ReadonlySet<string> = new Set(['groupBy', 'partitionBy', 'exprs']);

/** The template of `text` (already scanned), or null when the text is not templated. Throws what parseSql throws. */
export function buildShapeTemplate(text: string, scan: ShapeScan): ShapeTemplate | null {
  const parsed = parseSql(text);
  if (parsed.length !== 1) return null;
  const statement = (parsed[0] as (typeof parsed)[0]).statement;
  if (!templatedKinds.has(statement.kind)) return null;
  const byStart = new Map<number, number>();
  const byMinus = new Map<number, number>();
  scan.constants.forEach((c, index) => {
    byStart.set(c.start, index);
    if (c.minusAt >= 0) byMinus.set(c.minusAt, index);
  });
  const slots: TemplateSlot[] = [];
  const bound = new Set<number>();
  const asParameter = (literal: Literal): Expr | undefined => {
    const v = literal.value;
    if (v.type !== 'integer' && v.type !== 'numeric') return undefined;
    let index = byStart.get(literal.position);
    let negated = false;
    if (index === undefined) {
      index = byMinus.get(literal.position);
      negated = true;
    }
    const constant = index === undefined ? undefined : scan.constants[index];
    if (index === undefined || constant === undefined || bound.has(index)) return undefined;
    const expected = constantValue(constant, negated);
    if (expected.type !== v.type || expected.text !== v.text) return undefined;
    bound.add(index);
    slots.push({ constant: index, negated });
    return { kind: 'param', number: slots.length, position: literal.position };
  };
  const walk = (value: unknown, pinDirect: boolean): unknown => {
    if (Array.isArray(value)) return value.map((item) => walk(item, pinDirect));
    if (typeof value !== 'object' || value === null) return value;
    const node = value as Record<string, unknown>;
    if (node['kind'] === 'literal') return pinDirect ? node : (asParameter(node as unknown as Literal) ?? node);
    // A TypeName: modifiers are read as text by the binder.
    if ('modifiers' in node && 'arrayBounds' in node) return node;
    const isSortItem = 'direction' in node && 'nulls' in node && 'expr' in node;
    const isCast = node['kind'] === 'cast';
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(node)) {
      const pin = (isSortItem && key === 'expr') || (isCast && key === 'arg') || pinnedFields.has(key) || ordinalLists.has(key);
      out[key] = walk(field, pin);
    }
    return out;
  };
  const tree = walk(statement, false) as Statement;
  const pinned = scan.constants.flatMap((c, index) => (bound.has(index) ? [] : [{ constant: index, text: c.text }]));
  return { statement: tree, slots, pinned, origin: scan };
}

/** The literal the parser makes of a constant (`-0` is `0`, `007` is `7`), as literal-text.ts does for it. */
function constantValue(c: ShapeConstant, negated: boolean): { readonly type: 'integer' | 'numeric'; readonly text: string } {
  const written = negated ? `-${c.text}` : c.text;
  const value = numberLiteral(written);
  invariantNumber(value.type === (c.numeric ? 'numeric' : 'integer'), written);
  return value as { readonly type: 'integer' | 'numeric'; readonly text: string };
}

function invariantNumber(condition: boolean, text: string): void {
  if (!condition) throw new Error(`shape-template: scanned constant ${text} is not the kind of number the scanner said`);
}

/** The parameters of a text of the template's key, or undefined when a pinned constant differs. */
export function shapeParameters(template: ShapeTemplate, scan: ShapeScan): readonly Literal[] | undefined {
  for (const p of template.pinned) if (scan.constants[p.constant]?.text !== p.text) return undefined;
  const out: Literal[] = [];
  for (const slot of template.slots) {
    const c = scan.constants[slot.constant] as ShapeConstant;
    // This text's own kind of constant: the class in the key says int4, int8 or numeric, but an
    // integer too large for int8 and a decimal share the numeric class.
    out.push({ kind: 'literal', value: constantValue(c, slot.negated), position: slot.negated ? c.minusAt : c.start });
  }
  return out;
}
