// A statement cache in front of parseSql. Two levels:
//
// 1. Exact text → parsed statements. Prepared statements and repeated
//    queries hit here for the price of a Map lookup.
// 2. Literal-normalised key (normalize.ts) → a template: the parsed tree
//    with every literal that came from a constant token replaced by its slot
//    and every position replaced by its token index. A hit re-binds the new
//    text's constants and positions, so the tree equals what parseSql would
//    return for the new text, positions included.
//
// Correctness does not rest on guessing which constants are "data": a
// template binds a slot only where the tree holds a literal equal to the
// constant at that token. A constant the tree does not hold as such (the 24
// of float(24) picks float4; a COPY delimiter is an option string) is
// pinned: the template serves only texts with the same value there.

import type { Literal, LiteralValue } from '../ast/index.js';
import { SqlError } from '../types/errors.js';
import { scanForCache, tokenType } from './normalize.js';
import type { ScannedText } from './normalize.js';
import { parseSql, trimmedEnd } from './parse.js';
import type { ParsedStatement } from './parse.js';
import { scanShape } from './shape-scan.js';
import { buildShapeTemplate, shapeParameters, type ShapedStatement, type ShapeTemplate } from './shape-template.js';

export interface StatementCacheOptions {
  /** Entries kept per level; the least recently used go first. */
  readonly entriesMax: number;
  /** Whether to try the literal-normalised level (it costs a scan per miss of the exact level). */
  readonly normalizeLiterals: boolean;
}

export interface StatementCacheStats {
  exactHits: number;
  templateHits: number;
  misses: number;
  /** Texts whose tree could not be made a template (a position that is not a token start). */
  uncacheable: number;
  /** `shape()`: texts served by a shape template, and texts that built one. */
  shapeHits: number;
  shapeMisses: number;
}

/** A slot reference inside a template. */
class SlotRef {
  constructor(readonly slot: number) {}
}

interface Template {
  readonly statements: readonly { readonly tree: unknown; readonly startToken: number; readonly endToken: number }[];
  /** Slots that no literal took: the template holds only for texts with these exact values. */
  readonly pinned: readonly { readonly slot: number; readonly value: LiteralValue }[];
}

export class StatementCache {
  private readonly exact = new Map<string, readonly ParsedStatement[]>();
  private readonly templates = new Map<string, Template>();
  /** Shape key → template; null when texts of that key take the ordinary path (not one SELECT/INSERT/UPDATE/DELETE, or its first text failed to parse). */
  private readonly shapes = new Map<string, ShapeTemplate | null>();
  readonly stats: StatementCacheStats = { exactHits: 0, templateHits: 0, misses: 0, uncacheable: 0, shapeHits: 0, shapeMisses: 0 };

  constructor(private readonly options: StatementCacheOptions) {
    if (!(options.entriesMax >= 1)) throw new Error(`StatementCache: entriesMax must be at least 1, got ${options.entriesMax}`);
  }

  /** As parseSql, from the cache when it can. The result is shared: treat it as read-only. */
  parse(text: string): readonly ParsedStatement[] {
    const cached = this.exact.get(text);
    if (cached !== undefined) {
      this.stats.exactHits++;
      touch(this.exact, text, cached);
      return cached;
    }
    const scanned = this.options.normalizeLiterals ? scanForCache(text) : null;
    if (scanned !== null) {
      const template = this.templates.get(scanned.key);
      if (template !== undefined && pinnedMatch(template, scanned.literals)) {
        this.stats.templateHits++;
        touch(this.templates, scanned.key, template);
        const statements = instantiate(template, scanned, text);
        this.remember(this.exact, text, statements);
        return statements;
      }
    }
    this.stats.misses++;
    const statements = parseSql(text);
    this.remember(this.exact, text, statements);
    if (scanned !== null) {
      const template = buildTemplate(statements, scanned);
      if (template === null) this.stats.uncacheable++;
      else this.remember(this.templates, scanned.key, template);
    }
    return statements;
  }

  /**
   * One SELECT, INSERT, UPDATE or DELETE as a shared tree with its numeric
   * constants as parameters (shape-template.ts), or null when the text is not
   * served that way: use `parse()`. Parse errors are left to `parse()` too.
   */
  shape(text: string): ShapedStatement | null {
    const scan = scanShape(text);
    if (scan === null) return null;
    let template = this.shapes.get(scan.key);
    if (template === undefined) {
      this.stats.shapeMisses++;
      try {
        template = buildShapeTemplate(text, scan);
      } catch (error) {
        if (!(error instanceof SqlError)) throw error;
        // parse() reports it; texts of this key take the ordinary path from now on.
        template = null;
      }
      this.remember(this.shapes, scan.key, template);
    } else {
      this.stats.shapeHits++;
    }
    if (template === null) return null;
    const parameters = shapeParameters(template, scan);
    if (parameters === undefined) return null;
    return { statement: template.statement, parameters, scan, template };
  }

  private remember<V>(map: Map<string, V>, key: string, value: V): void {
    map.set(key, value);
    if (map.size > this.options.entriesMax) {
      const oldest = map.keys().next();
      if (oldest.done !== true) map.delete(oldest.value);
    }
  }
}

/** Moves an entry to the most-recently-used end. */
function touch<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
}

function pinnedMatch(template: Template, literals: readonly Literal[]): boolean {
  return template.pinned.every((p) => {
    const literal = literals[p.slot];
    return literal !== undefined && literalValueEquals(literal.value, p.value);
  });
}

export function literalValueEquals(a: LiteralValue, b: LiteralValue): boolean {
  switch (a.type) {
    case 'integer':
    case 'numeric':
    case 'bitString':
      return b.type === a.type && b.text === a.text;
    case 'string':
    case 'boolean':
      return b.type === a.type && b.value === a.value;
    case 'null':
      return b.type === 'null';
  }
}

/** The template of a parse, or null when some position is not at a token start. */
function buildTemplate(statements: readonly ParsedStatement[], scanned: ScannedText): Template | null {
  const tokenByPosition = new Map<number, number>();
  scanned.tokenStarts.forEach((start, index) => tokenByPosition.set(start, index));
  const slotByPosition = new Map<number, number>();
  scanned.literals.forEach((literal, slot) => slotByPosition.set(literal.position, slot));
  const bound = new Set<number>();
  const toTemplate = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(toTemplate);
    if (typeof value !== 'object' || value === null) return value;
    if (isLiteral(value)) {
      const slot = slotByPosition.get(value.position);
      const constant = slot === undefined ? undefined : scanned.literals[slot];
      if (slot !== undefined && constant !== undefined && literalValueEquals(constant.value, value.value)) {
        bound.add(slot);
        return new SlotRef(slot);
      }
    }
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) {
      if (key === 'position' && typeof field === 'number' && field >= 0) {
        const token = tokenByPosition.get(field);
        if (token === undefined) throw new Uncacheable();
        out[key] = token;
      } else out[key] = toTemplate(field);
    }
    return out;
  };
  try {
    const templates = statements.map((s) => {
      const startToken = tokenByPosition.get(s.position);
      const endToken = terminatorToken(scanned, s.position + s.text.length);
      if (startToken === undefined || endToken === undefined) throw new Uncacheable();
      return { tree: toTemplate(s.statement), startToken, endToken };
    });
    const pinned = scanned.literals.flatMap((literal, slot) => (bound.has(slot) ? [] : [{ slot, value: literal.value }]));
    return { statements: templates, pinned };
  } catch (error) {
    if (error instanceof Uncacheable) return null;
    throw error;
  }
}

class Uncacheable extends Error {}

/** The ';' token that ends a statement whose text ends at `end`, or -1 when it runs to the end of the input. */
function terminatorToken(scanned: ScannedText, end: number): number | undefined {
  const index = scanned.tokenStarts.findIndex((start) => start >= end);
  if (index < 0) return -1;
  return scanned.tokenTypes[index] === tokenType.semicolon ? index : undefined;
}

function isLiteral(value: object): value is Literal {
  return 'kind' in value && value.kind === 'literal';
}

function instantiate(template: Template, scanned: ScannedText, text: string): readonly ParsedStatement[] {
  const fromTemplate = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(fromTemplate);
    if (value instanceof SlotRef) return scanned.literals[value.slot];
    if (typeof value !== 'object' || value === null) return value;
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) {
      out[key] = key === 'position' && typeof field === 'number' && field >= 0 ? scanned.tokenStarts[field] : fromTemplate(field);
    }
    return out;
  };
  return template.statements.map((s) => {
    const start = scanned.tokenStarts[s.startToken] ?? 0;
    const terminator = s.endToken < 0 ? text.length : (scanned.tokenStarts[s.endToken] ?? text.length);
    // The template was built from a tree of this shape; only values and positions changed.
    const statement = fromTemplate(s.tree) as ParsedStatement['statement'];
    return { statement, text: text.slice(start, trimmedEnd(text, start, terminator)), position: start };
  });
}
