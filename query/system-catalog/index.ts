// The system catalogs: pg_catalog and information_schema relations computed
// from the catalog snapshot a statement runs against, the catalog-only type
// names, and the catalog functions psql and drivers call. See DESIGN.md.

export { resolveSystemRelation, systemRelationHiddenColumns, systemRelationRows, systemRelationScan, systemSchemas } from './relations.js';
export type { SystemRelationDef, SystemColumn } from './relation-defs.js';
export { systemRelationDef, systemRelationDefs } from './relation-defs.js';
export { catalogTypeAlias, formatType, isRegType, regTypes } from './pg-types.js';
export type { RegType } from './pg-types.js';
export { catalogModel, effectiveSearchPath, relationIsVisible } from './model.js';
export type { CatalogModel } from './model.js';
