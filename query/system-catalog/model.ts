// The catalog as the system catalogs see it: one CatalogView snapshot turned
// into namespaces, relations (tables, indexes, sequences, the system
// relations themselves), constraints and defaults, each with its oid. Built
// once per snapshot (snapshots are immutable) and shared by every system
// relation and catalog function a statement reads.

import type {
  CatalogDescription, CatalogView, ColumnInfo, IndexInfo, SequenceInfo, SessionContext, TableInfo,
} from '../contract.js';
import {
  attrdefOid, checkConstraintOid, Oid, primaryKeyConstraintOid, primaryKeyIndexOid, uniqueConstraintOid,
} from './oids.js';
import { systemRelationDefs } from './relation-defs.js';
import type { SystemRelationDef } from './relation-defs.js';

export interface NamespaceEntry {
  readonly oid: number;
  readonly name: string;
}

export type RelationEntry =
  | { readonly kind: 'table'; readonly oid: number; readonly name: string; readonly schema: string; readonly table: TableInfo }
  | { readonly kind: 'index'; readonly oid: number; readonly name: string; readonly schema: string; readonly table: TableInfo; readonly index: IndexInfo }
  | { readonly kind: 'sequence'; readonly oid: number; readonly name: string; readonly schema: string; readonly sequence: SequenceInfo }
  | { readonly kind: 'system'; readonly oid: number; readonly name: string; readonly schema: string; readonly def: SystemRelationDef };

export interface ConstraintEntry {
  readonly oid: number;
  readonly name: string;
  readonly type: 'p' | 'u' | 'c';
  readonly table: TableInfo;
  /** The index behind a primary key or unique constraint. */
  readonly index: IndexInfo | null;
  /** A check constraint's expression. */
  readonly expr: string | null;
}

export interface CatalogModel {
  readonly catalog: CatalogView;
  readonly databases: readonly NamespaceEntry[];
  readonly namespaces: readonly NamespaceEntry[];
  readonly relations: readonly RelationEntry[];
  readonly constraints: readonly ConstraintEntry[];
  namespaceOid(schema: string): number;
  namespaceName(oid: number): string | undefined;
  relation(oid: number): RelationEntry | undefined;
  relationByName(schema: string, name: string): RelationEntry | undefined;
  constraint(oid: number): ConstraintEntry | undefined;
  /** An index's oid (the primary key's is derived from its table's id). */
  indexOid(table: TableInfo, index: IndexInfo): number;
}

const models = new WeakMap<CatalogView, CatalogModel>();

export function catalogModel(catalog: CatalogView): CatalogModel {
  let model = models.get(catalog);
  if (model === undefined) {
    model = buildModel(catalog);
    models.set(catalog, model);
  }
  return model;
}

function describe(catalog: CatalogView): CatalogDescription {
  if (catalog.describe !== undefined) return catalog.describe();
  const names = new Set(['pg_catalog', 'information_schema', 'public', ...catalog.tables().map((t) => t.schema)]);
  const fallbackOid = (name: string): number => name === 'pg_catalog' ? Oid.pgCatalog
    : name === 'information_schema' ? Oid.informationSchema : name === 'public' ? Oid.publicSchema : 0;
  return {
    databases: [],
    schemas: [...names].map((name, i) => ({ id: fallbackOid(name) || 3_000_000_000 + i, name })),
    sequences: [], uniqueConstraintIndexIds: new Set(),
  };
}

export function indexOidOf(table: TableInfo, index: IndexInfo): number {
  return index.primary ? primaryKeyIndexOid(table.id) : index.id;
}

function buildModel(catalog: CatalogView): CatalogModel {
  const description = describe(catalog);
  const namespaces: NamespaceEntry[] = description.schemas.map((s) => ({ oid: s.id, name: s.name }));
  const namespaceByName = new Map(namespaces.map((n) => [n.name, n]));
  const namespaceByOid = new Map(namespaces.map((n) => [n.oid, n]));
  const relations: RelationEntry[] = [];
  const constraints: ConstraintEntry[] = [];
  for (const def of systemRelationDefs) relations.push({ kind: 'system', oid: def.oid, name: def.name, schema: def.schema, def });
  for (const table of catalog.tables()) {
    relations.push({ kind: 'table', oid: table.id, name: table.name, schema: table.schema, table });
    for (const index of table.indexes) {
      relations.push({ kind: 'index', oid: indexOidOf(table, index), name: index.name, schema: table.schema, table, index });
      if (index.primary) {
        constraints.push({ oid: primaryKeyConstraintOid(table.id), name: index.name, type: 'p', table, index, expr: null });
      } else if (description.uniqueConstraintIndexIds.has(index.id)) {
        constraints.push({ oid: uniqueConstraintOid(index.id), name: index.name, type: 'u', table, index, expr: null });
      }
    }
    table.checks.forEach((check, i) => {
      constraints.push({ oid: checkConstraintOid(table.id, i), name: check.name, type: 'c', table, index: null, expr: check.expr });
    });
  }
  for (const sequence of description.sequences) {
    if (sequence.ownedBy?.columnId === 0) continue; // a hidden row id's counter is not a SQL object
    relations.push({ kind: 'sequence', oid: sequence.id, name: sequence.name, schema: sequence.schema, sequence });
  }
  const relationByOid = new Map(relations.map((r) => [r.oid, r]));
  const relationByName = new Map(relations.map((r) => [`${r.schema}.${r.name}`, r]));
  const constraintByOid = new Map(constraints.map((c) => [c.oid, c]));
  return {
    catalog,
    databases: description.databases.map((d) => ({ oid: d.id, name: d.name })),
    namespaces, relations, constraints,
    namespaceOid: (schema) => namespaceByName.get(schema)?.oid ?? 0,
    namespaceName: (oid) => namespaceByOid.get(oid)?.name,
    relation: (oid) => relationByOid.get(oid),
    relationByName: (schema, name) => relationByName.get(`${schema}.${name}`),
    constraint: (oid) => constraintByOid.get(oid),
    indexOid: indexOidOf,
  };
}

/** The schemas a session searches, in order: pg_catalog first unless search_path places it. */
export function effectiveSearchPath(session: SessionContext): string[] {
  const path = session.searchPath.map((s) => s === '$user' ? session.user : s);
  return path.includes('pg_catalog') ? path : ['pg_catalog', ...path];
}

/** pg_table_is_visible(): the relation is the one its bare name finds along the search path. */
export function relationIsVisible(model: CatalogModel, session: SessionContext, oid: number): boolean {
  const relation = model.relation(oid);
  if (relation === undefined) return false;
  for (const schema of effectiveSearchPath(session)) {
    const found = model.relationByName(schema, relation.name);
    if (found !== undefined) return found.oid === oid;
  }
  return false;
}

export function attrdefOidOf(table: TableInfo, column: ColumnInfo): number {
  return attrdefOid(table.id, column.position + 1);
}
