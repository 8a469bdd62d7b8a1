// A mutable copy of a catalog's maps, edited by one DDL entry and frozen into
// a new Catalog at its end. Copy-on-write per entry: DDL is rare, reads are not.

import type { DatabaseDef, SchemaDef, SequenceDef } from '../entries/index.js';
import { Catalog, relationKey, schemaKey, systemSchemaNames, type CatalogState, type RelationKind, type TableDef } from './catalog.js';
import { CatalogError, CatalogSqlState } from './errors.js';

const objectIdMax = 0xffff_ffff;

export class CatalogBuilder {
  readonly databases: Map<string, DatabaseDef>;
  readonly schemas: Map<string, SchemaDef>;
  readonly tables: Map<number, TableDef>;
  readonly sequences: Map<number, SequenceDef>;
  readonly relations: Map<string, { readonly kind: RelationKind; readonly id: number }>;
  readonly indexTables: Map<number, number>;
  /** New ids must be above this (the catalog's maxObjectId when the entry began). */
  readonly baseMaxObjectId: number;
  maxObjectId: number;

  constructor(private readonly base: CatalogState) {
    this.databases = new Map(base.databases);
    this.schemas = new Map(base.schemas);
    this.tables = new Map(base.tables);
    this.sequences = new Map(base.sequences);
    this.relations = new Map(base.relations);
    this.indexTables = new Map(base.indexTables);
    this.baseMaxObjectId = base.maxObjectId;
    this.maxObjectId = base.maxObjectId;
  }

  build(): Catalog {
    return new Catalog({
      version: this.base.version + 1, maxObjectId: this.maxObjectId, databases: this.databases, schemas: this.schemas,
      tables: this.tables, sequences: this.sequences, relations: this.relations, indexTables: this.indexTables,
    });
  }

  /** Whether an id names a live object of any kind. */
  idInUse(id: number): boolean {
    if (this.tables.has(id) || this.sequences.has(id) || this.indexTables.has(id)) return true;
    for (const d of this.databases.values()) if (d.id === id) return true;
    for (const s of this.schemas.values()) if (s.id === id) return true;
    return false;
  }

  /** Claims a new object id: above every id assigned before this entry, and not in use. */
  claimId(id: number, what: string): void {
    if (!Number.isInteger(id) || id <= this.baseMaxObjectId || id > objectIdMax || this.idInUse(id)) {
      throw new CatalogError(CatalogSqlState.internalError, `${what} has id ${id}, which is not a fresh object id (ids so far go up to ${this.baseMaxObjectId})`);
    }
    this.maxObjectId = Math.max(this.maxObjectId, id);
  }

  requireDatabase(name: string): DatabaseDef {
    const d = this.databases.get(name);
    if (d === undefined) throw new CatalogError(CatalogSqlState.undefinedDatabase, `database "${name}" does not exist`);
    return d;
  }

  /** A user schema that may hold objects (not pg_catalog or information_schema). */
  requireUserSchema(databaseName: string, name: string): SchemaDef {
    this.requireDatabase(databaseName);
    if (systemSchemaNames.includes(name)) {
      throw new CatalogError(CatalogSqlState.insufficientPrivilege, `permission denied to create objects in schema "${name}"`);
    }
    const s = this.schemas.get(schemaKey(databaseName, name));
    if (s === undefined) throw new CatalogError(CatalogSqlState.undefinedSchema, `schema "${name}" does not exist`);
    return s;
  }

  /** Claims a relation name; `selfId` may already hold it (a rename to itself). */
  claimRelationName(databaseName: string, schemaName: string, name: string, kind: RelationKind, id: number): void {
    const key = relationKey(databaseName, schemaName, name);
    const holder = this.relations.get(key);
    if (holder !== undefined && holder.id !== id) {
      throw new CatalogError(CatalogSqlState.duplicateTable, `relation "${name}" already exists`);
    }
    this.relations.set(key, { kind, id });
  }

  releaseRelationName(databaseName: string, schemaName: string, name: string, id: number): void {
    const key = relationKey(databaseName, schemaName, name);
    if (this.relations.get(key)?.id === id) this.relations.delete(key);
  }

  requireTable(id: number): TableDef {
    const t = this.tables.get(id);
    if (t === undefined) throw new CatalogError(CatalogSqlState.undefinedTable, `table with id ${id} does not exist`);
    return t;
  }

  requireSequence(id: number): SequenceDef {
    const s = this.sequences.get(id);
    if (s === undefined) throw new CatalogError(CatalogSqlState.undefinedObject, `sequence with id ${id} does not exist`);
    return s;
  }
}
