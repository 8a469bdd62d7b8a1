// Typed access to libpg-query's JSON parse tree (@pgsql/types). Only the
// transform-*.ts files and this one import those types.
//
// The JSON wraps every node as `{ Tag: fields }` and omits fields equal to
// their default (false, 0, '', empty lists), so every field is optional and an
// absent one means the default, never "unknown".

import type { Node } from 'libpg-query';
import type { SourcePosition } from '../ast/index.js';
import { notSupported } from './errors.js';
import type { SourceMap } from './source-map.js';

type KeysOfUnion<T> = T extends unknown ? keyof T : never;

/** The tag of a node: 'SelectStmt', 'ColumnRef', ... */
export type PgTag = KeysOfUnion<Node>;

/** The fields of the node with tag K. */
export type PgNodeOf<K extends PgTag> = Extract<Node, { readonly [P in K]: unknown }>[K];

/** What every transformer receives: where the text came from, for positions. */
export interface TransformContext {
  readonly source: SourceMap;
}

/** The tag of a node, or undefined for the empty node `{}` (a NULL list element). */
export function pgTag(node: Node): PgTag | undefined {
  for (const key in node) return key as PgTag;
  return undefined;
}

function hasTag<K extends PgTag>(node: Node, tag: K): node is Extract<Node, { readonly [P in K]: unknown }> {
  return tag in node;
}

/** The fields of `node` when its tag is `tag`. */
export function pgAs<K extends PgTag>(node: Node | undefined, tag: K): PgNodeOf<K> | undefined {
  if (node === undefined || !hasTag(node, tag)) return undefined;
  return node[tag];
}

/**
 * The fields of `node`, which the grammar guarantees to have tag `tag`. A
 * mismatch means libpg-query changed shape: a bug, so a plain Error.
 */
export function pgExpect<K extends PgTag>(node: Node | undefined, tag: K, where: string): PgNodeOf<K> {
  const fields = pgAs(node, tag);
  if (fields === undefined) {
    throw new Error(`libpg-query: expected ${tag} in ${where}, got ${node === undefined ? 'nothing' : String(pgTag(node))}`);
  }
  return fields;
}

/** An optional list field as a list. */
export function pgList(nodes: readonly Node[] | undefined): readonly Node[] {
  return nodes ?? [];
}

/** A String node's text (an absent sval is the empty string). */
export function pgString(node: Node | undefined, where: string): string {
  return pgExpect(node, 'String', where).sval ?? '';
}

/** A list of String nodes, as in qualified names and column lists. */
export function pgStrings(nodes: readonly Node[] | undefined, where: string): string[] {
  return pgList(nodes).map((n) => pgString(n, where));
}

/**
 * Refuses fields this transformer does not understand, so that nothing the
 * user wrote is silently dropped: a field not listed in `handled` that is
 * present (libpg-query omits defaults) raises 0A000 naming the construct.
 * `location` is the node's location field, or -1 when it has none.
 */
export function checkFields<T extends object>(
  node: T,
  handled: readonly (keyof T)[],
  construct: string,
  ctx: TransformContext,
  location: number | undefined,
): void {
  for (const key in node) {
    if (!handled.includes(key)) {
      throw notSupported(`${construct} with ${key}`, errorPos(ctx, location));
    }
  }
}

/** A PostgreSQL byte location as an AST position. */
export function pos(ctx: TransformContext, location: number | undefined): SourcePosition {
  return ctx.source.position(location);
}

/**
 * A PostgreSQL byte location as the 1-based ErrorResponse position, for
 * errors raised while transforming. Pass the node's `location` field as it is
 * (absent means 0); pass -1 where the construct has no location.
 */
export function errorPos(ctx: TransformContext, location: number | undefined): number | undefined {
  return ctx.source.errorPosition(ctx.source.position(location));
}
