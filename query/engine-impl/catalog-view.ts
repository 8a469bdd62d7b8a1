// The materializers' Catalog seen through the compiler's CatalogView: one
// database's tables in the contract's shapes, the primary key as an
// IndexInfo with a synthetic id (the negated table id: real ids are positive
// and the primary key has no object of its own in the row store).
//
// Views and TableInfos are cached per immutable Catalog and TableDef, so a
// statement that binds twice against one version gets the same objects, and
// tableDefOf() maps a TableInfo back to the definition it came from (the
// engine checks it is still current before writing).

import type { Catalog, IndexDef, TableDef } from '../../materializers/index.js';
import type { CatalogDescription, CatalogView, ColumnInfo, IndexInfo, SequenceInfo, TableInfo } from '../contract.js';

const viewsByCatalog = new WeakMap<Catalog, Map<string, CatalogView>>();
const infoByDef = new WeakMap<TableDef, TableInfo>();
const defByInfo = new WeakMap<TableInfo, TableDef>();

/** The synthetic IndexInfo id of a table's primary key. */
export function primaryKeyIndexId(tableId: number): number {
  return -tableId;
}

export function catalogView(catalog: Catalog, database: string): CatalogView {
  let byDatabase = viewsByCatalog.get(catalog);
  if (byDatabase === undefined) {
    byDatabase = new Map();
    viewsByCatalog.set(catalog, byDatabase);
  }
  let view = byDatabase.get(database);
  if (view === undefined) {
    view = new CatalogViewImpl(catalog, database);
    byDatabase.set(database, view);
  }
  return view;
}

/** The definition a TableInfo was made from (undefined for TableInfos this module did not make). */
export function tableDefOf(table: TableInfo): TableDef | undefined {
  return defByInfo.get(table);
}

export function tableInfo(def: TableDef): TableInfo {
  let info = infoByDef.get(def);
  if (info === undefined) {
    info = buildTableInfo(def);
    infoByDef.set(def, info);
    defByInfo.set(info, def);
  }
  return info;
}

function buildTableInfo(def: TableDef): TableInfo {
  const positions = new Map(def.columns.map((c, i) => [c.id, i]));
  const columns: ColumnInfo[] = def.columns.map((c, position) => ({
    id: c.id, name: c.name, type: c.type, position, notNull: c.notNull,
    defaultExpr: c.defaultExpr ?? null,
    identity: c.identity === undefined ? null : c.identity === 'always' ? 'always' : 'byDefault',
  }));
  const positionsOf = (ids: readonly number[]): number[] => ids.map((id) => positions.get(id) ?? -1);
  const primaryKey: IndexInfo | null = def.primaryKey === null ? null : {
    id: primaryKeyIndexId(def.id), name: def.primaryKey.name, columnPositions: positionsOf(def.primaryKey.columnIds), unique: true, primary: true,
  };
  const secondary = def.indexes.map((index: IndexDef): IndexInfo => ({
    id: index.id, name: index.name, columnPositions: positionsOf(index.columnIds), unique: index.unique, primary: false,
  }));
  return {
    id: def.id, schema: def.schemaName, name: def.name, columns, primaryKey,
    indexes: primaryKey === null ? secondary : [primaryKey, ...secondary],
    checks: def.checkConstraints.map((c) => ({ name: c.name, expr: c.expr })),
  };
}

class CatalogViewImpl implements CatalogView {
  readonly version: number;
  private tableList: readonly TableInfo[] | undefined;
  private description: CatalogDescription | undefined;

  constructor(private readonly catalog: Catalog, private readonly database: string) {
    this.version = catalog.version;
  }

  lookupTable(schema: string | null, name: string, searchPath: readonly string[]): TableInfo | undefined {
    if (schema !== null) {
      const def = this.catalog.table(schema, name, this.database);
      return def === undefined ? undefined : tableInfo(def);
    }
    for (const s of searchPath) {
      const def = this.catalog.table(s, name, this.database);
      if (def !== undefined) return tableInfo(def);
    }
    return undefined;
  }

  tableById(id: number): TableInfo | undefined {
    const def = this.catalog.tableById(id);
    return def === undefined || def.databaseName !== this.database ? undefined : tableInfo(def);
  }

  tables(): readonly TableInfo[] {
    this.tableList ??= this.catalog.tables().filter((t) => t.databaseName === this.database).map(tableInfo);
    return this.tableList;
  }

  schemaExists(name: string): boolean {
    return this.catalog.schema(this.database, name) !== undefined;
  }

  describe(): CatalogDescription {
    this.description ??= describeCatalog(this.catalog, this.database);
    return this.description;
  }
}

/** The system catalogs' view of the objects beyond tables (query/system-catalog). */
function describeCatalog(catalog: Catalog, database: string): CatalogDescription {
  const system = ['pg_catalog', 'information_schema'].map((name) => catalog.schema(database, name)).filter((s) => s !== undefined);
  const sequences: SequenceInfo[] = catalog.sequences().filter((s) => s.databaseName === database).map((s) => ({
    id: s.id, schema: s.schemaName, name: s.name, dataType: s.dataType, start: s.start, increment: s.increment,
    min: s.min, max: s.max, cycle: s.cycle, ownedBy: s.ownedBy,
  }));
  const uniqueConstraintIndexIds = new Set(catalog.tables().flatMap((t) => t.uniqueConstraints.map((u) => u.indexId)));
  return {
    databases: catalog.databases().map((d) => ({ id: d.id, name: d.name })),
    schemas: [...system, ...catalog.schemas(database)].map((s) => ({ id: s.id, name: s.name })),
    sequences, uniqueConstraintIndexIds,
  };
}
