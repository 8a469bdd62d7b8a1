// The catalog: an immutable snapshot of databases, schemas, tables (with
// columns, constraints, indexes and row layouts) and sequences. Every DDL
// entry folds into a new Catalog (apply-ddl.ts); a running statement keeps the
// object it bound against, so it sees one consistent version throughout.

import type {
  DatabaseDef, IndexDef, RowLayout, SchemaDef, SequenceDef, TableDefinition,
} from '../entries/index.js';
import { firstUserObjectId } from '../keys/index.js';

/** A table as the catalog holds it: its definition plus the row layouts it has had. */
export interface TableDef extends TableDefinition {
  /** The layout rows are written with now (its columns are `columns`' ids and types). */
  readonly layout: RowLayout;
  /** Every layout this table has had, oldest first, current last: rows keep the layout they were written with. */
  readonly layouts: readonly RowLayout[];
  /** The highest column id ever used in this table; dropped ids are never reused. */
  readonly columnIdMax: number;
}

export type RelationKind = 'table' | 'index' | 'sequence';

export interface IndexLookup {
  readonly table: TableDef;
  readonly index: IndexDef;
}

export const defaultDatabaseName = 'thunderdb';
export const defaultSchemaName = 'public';
/** Schemas every database has; they hold no user objects (system views come later). */
export const systemSchemaNames: readonly string[] = ['pg_catalog', 'information_schema'];
/** PostgreSQL's oids for the built-in objects, inside the reserved id range. */
export const defaultDatabaseId = 1;
export const pgCatalogSchemaId = 11;
export const informationSchemaSchemaId = 12;
export const defaultSchemaId = 2200;

/** The maps a Catalog is made of; the fold copies and edits them. */
export interface CatalogState {
  readonly version: number;
  /** The highest object id assigned so far; new objects take larger ids. */
  readonly maxObjectId: number;
  readonly databases: ReadonlyMap<string, DatabaseDef>;
  /** Keyed by schemaKey(database, name). */
  readonly schemas: ReadonlyMap<string, SchemaDef>;
  readonly tables: ReadonlyMap<number, TableDef>;
  readonly sequences: ReadonlyMap<number, SequenceDef>;
  /** Tables, indexes and sequences by relationKey(database, schema, name): one namespace, as in PostgreSQL. */
  readonly relations: ReadonlyMap<string, { readonly kind: RelationKind; readonly id: number }>;
  /** Index id → owning table id. */
  readonly indexTables: ReadonlyMap<number, number>;
}

export function schemaKey(databaseName: string, schemaName: string): string {
  return `${databaseName}\u0000${schemaName}`;
}
export function relationKey(databaseName: string, schemaName: string, name: string): string {
  return `${databaseName}\u0000${schemaName}\u0000${name}`;
}

export class Catalog {
  /** Bumped by every DDL entry (truncates included): a plan cache key. */
  readonly version: number;
  readonly maxObjectId: number;

  constructor(private readonly state: CatalogState) {
    this.version = state.version;
    this.maxObjectId = state.maxObjectId;
  }

  /**
   * The same objects under another version number. A transaction's private
   * catalog (DDL in a transaction block) takes a version no committed catalog
   * has, so plan caches keyed by version never mistake one for the other.
   */
  withVersion(version: number): Catalog {
    return new Catalog({ ...this.state, version });
  }

  /** The catalog of a new cluster: database `thunderdb` with schema `public`. */
  static initial(): Catalog {
    const database: DatabaseDef = { id: defaultDatabaseId, name: defaultDatabaseName };
    const schema: SchemaDef = { id: defaultSchemaId, databaseName: defaultDatabaseName, name: defaultSchemaName };
    return new Catalog({
      version: 0, maxObjectId: firstUserObjectId - 1,
      databases: new Map([[database.name, database]]),
      schemas: new Map([[schemaKey(database.name, schema.name), schema]]),
      tables: new Map(), sequences: new Map(), relations: new Map(), indexTables: new Map(),
    });
  }

  /** The underlying maps, for the fold and the codec (read-only). */
  get contents(): CatalogState {
    return this.state;
  }

  database(name: string): DatabaseDef | undefined {
    return this.state.databases.get(name);
  }

  databases(): readonly DatabaseDef[] {
    return [...this.state.databases.values()];
  }

  /** A schema by name; pg_catalog and information_schema exist in every database. */
  schema(databaseName: string, name: string): SchemaDef | undefined {
    const found = this.state.schemas.get(schemaKey(databaseName, name));
    if (found !== undefined || !this.state.databases.has(databaseName)) return found;
    if (name === 'pg_catalog') return { id: pgCatalogSchemaId, databaseName, name };
    if (name === 'information_schema') return { id: informationSchemaSchemaId, databaseName, name };
    return undefined;
  }

  schemas(databaseName: string): readonly SchemaDef[] {
    return [...this.state.schemas.values()].filter((s) => s.databaseName === databaseName);
  }

  table(schemaName: string, name: string, databaseName = defaultDatabaseName): TableDef | undefined {
    const relation = this.state.relations.get(relationKey(databaseName, schemaName, name));
    return relation?.kind === 'table' ? this.state.tables.get(relation.id) : undefined;
  }

  tableById(id: number): TableDef | undefined {
    return this.state.tables.get(id);
  }

  tables(): readonly TableDef[] {
    return [...this.state.tables.values()];
  }

  /** What a name in a schema refers to, if anything (tables, indexes and sequences share names). */
  relation(schemaName: string, name: string, databaseName = defaultDatabaseName): { readonly kind: RelationKind; readonly id: number } | undefined {
    return this.state.relations.get(relationKey(databaseName, schemaName, name));
  }

  indexById(id: number): IndexLookup | undefined {
    const tableId = this.state.indexTables.get(id);
    const table = tableId === undefined ? undefined : this.state.tables.get(tableId);
    const index = table?.indexes.find((i) => i.id === id);
    return table === undefined || index === undefined ? undefined : { table, index };
  }

  sequence(schemaName: string, name: string, databaseName = defaultDatabaseName): SequenceDef | undefined {
    const relation = this.state.relations.get(relationKey(databaseName, schemaName, name));
    return relation?.kind === 'sequence' ? this.state.sequences.get(relation.id) : undefined;
  }

  sequenceById(id: number): SequenceDef | undefined {
    return this.state.sequences.get(id);
  }

  sequences(): readonly SequenceDef[] {
    return [...this.state.sequences.values()];
  }
}
