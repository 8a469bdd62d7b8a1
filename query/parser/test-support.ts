// Helpers for the parser's tests: parse one statement and reach into it
// without restating positions in every expectation.

import { expect } from 'vitest';
import type { Expr, Select, SelectCore, Statement } from '../ast/index.js';
import { parseSql } from './parse.js';

/** Parses text holding exactly one statement. */
export function one(sql: string): Statement {
  const statements = parseSql(sql);
  expect(statements).toHaveLength(1);
  const [first] = statements;
  if (first === undefined) throw new Error('no statement');
  return first.statement;
}

export function select(sql: string): Select {
  const statement = one(sql);
  if (statement.kind !== 'select') throw new Error(`expected a SELECT, got ${statement.kind}`);
  return statement;
}

export function core(sql: string): SelectCore {
  const body = select(sql).body;
  if (body.kind !== 'selectCore') throw new Error(`expected a plain SELECT, got ${body.kind}`);
  return body;
}

/** The first target of `SELECT <text>`, without positions. */
export function expr(text: string): unknown {
  const [target] = core(`SELECT ${text}`).targets;
  if (target === undefined) throw new Error('no target');
  return noPositions(target.expr);
}

/** The same tree without `position` fields, so shapes can be compared whole. */
export function noPositions<T>(value: T): unknown {
  if (Array.isArray(value)) return value.map(noPositions);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) if (key !== 'position') out[key] = noPositions(field);
  return out;
}

// Shorthands for expected trees.
export const col = (...path: string[]): unknown => ({ kind: 'columnRef', path });
export const int = (text: string): unknown => ({ kind: 'literal', value: { type: 'integer', text } });
export const num = (text: string): unknown => ({ kind: 'literal', value: { type: 'numeric', text } });
export const str = (value: string): unknown => ({ kind: 'literal', value: { type: 'string', value } });
export const param = (n: number): unknown => ({ kind: 'param', number: n });
export const bin = (op: string, left: unknown, right: unknown): unknown => ({ kind: 'binaryOp', op, left, right });
export const type = (schema: string | null, name: string, extra: Record<string, unknown> = {}): unknown => ({
  schema, name, modifiers: [], arrayBounds: [], intervalFields: null, ...extra,
});
export const call = (name: string, args: unknown[], extra: Record<string, unknown> = {}): unknown => ({
  kind: 'functionCall', name: { schema: null, name }, args, star: false, distinct: false, orderBy: [],
  withinGroup: false, filter: null, over: null, sqlSyntax: false, ...extra,
});
export const sqlCall = (name: string, args: unknown[]): unknown => ({
  ...(call(name, args) as object), name: { schema: 'pg_catalog', name }, sqlSyntax: true,
});

export type { Expr };
