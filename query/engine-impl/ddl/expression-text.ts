// Stored expression texts (CHECK constraints) read back as syntax trees, to
// find or rename the columns they mention.

import type { Expr } from '../../ast/index.js';
import { parseSql } from '../../parser/index.js';
import { invariant } from '../errors.js';
import { deparseExpr, referencedColumns } from './deparse.js';

export function parseExpressionText(text: string): Expr {
  const parsed = parseSql(`SELECT ${text}`)[0]?.statement;
  const body = parsed?.kind === 'select' ? parsed.body : undefined;
  const target = body?.kind === 'selectCore' ? body.targets[0] : undefined;
  invariant(target !== undefined, `a stored expression parses back: ${text}`);
  return target.expr;
}

export function expressionMentions(text: string, column: string): boolean {
  return referencedColumns(parseExpressionText(text)).has(column);
}

function renameIn(node: unknown, from: string, to: string): unknown {
  if (Array.isArray(node)) return node.map((x) => renameIn(x, from, to));
  if (node === null || typeof node !== 'object') return node;
  const record = node as Record<string, unknown>;
  if (record['kind'] === 'columnRef' && Array.isArray(record['path']) && record['path'].at(-1) === from) {
    return { ...record, path: [...(record['path'] as string[]).slice(0, -1), to] };
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) out[k] = renameIn(v, from, to);
  return out;
}

/** The expression text with column `from` renamed to `to`. */
export function renameColumnInText(text: string, from: string, to: string, where: string): string {
  return deparseExpr(renameIn(parseExpressionText(text), from, to) as Expr, where);
}
