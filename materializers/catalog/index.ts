// materializers/catalog: the catalog as a deterministic fold of DDL entries,
// immutable per version, and its persisted form.

export {
  Catalog, defaultDatabaseId, defaultDatabaseName, defaultSchemaId, defaultSchemaName, informationSchemaSchemaId, pgCatalogSchemaId,
  systemSchemaNames, type CatalogState, type IndexLookup, type RelationKind, type TableDef,
} from './catalog.js';
export { applyDdl } from './apply-ddl.js';
export { CatalogError, CatalogSqlState } from './errors.js';
export { decodeCatalog, encodeCatalog } from './catalog-codec.js';
export {
  indexKeyHasNull, indexKeyOf, indexKeyTypes, layoutResolverOf, primaryKeyOf, projectRow, tableKeyTypes,
} from './rows.js';
