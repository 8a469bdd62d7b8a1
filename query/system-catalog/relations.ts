// A system relation as the binder sees it: its columns and a table function
// that produces its rows from the statement's catalog snapshot and session
// (RuntimeContext), so the rows are always those of the snapshot the
// statement runs against.

import type { SessionContext } from '../contract.js';
import type { TableFn } from '../functions/signature.js';
import { SqlTypes } from '../types/sql-type.js';
import type { SqlType } from '../types/sql-type.js';
import type { SqlValue } from '../types/value.js';
import { informationSchemaProducers } from './information-schema-rows.js';
import { catalogModel, effectiveSearchPath } from './model.js';
import { pgCatalogProducers } from './pg-catalog-rows.js';
import type { RowContext, RowRecord } from './pg-catalog-rows.js';
import { systemRelationDef } from './relation-defs.js';
import type { SystemColumn, SystemRelationDef } from './relation-defs.js';

export const systemSchemas: readonly string[] = ['pg_catalog', 'information_schema'];

/** What a column a producer leaves out holds: 0 / false in the catalogs (as PostgreSQL's unused fields), NULL in views. */
function defaultValue(def: SystemRelationDef, column: SystemColumn): SqlValue {
  if (def.relkind === 'v') return null;
  switch (column.type.kind) {
    case 'int8': return 0n;
    case 'int2': case 'int4': case 'float4': case 'float8': return 0;
    case 'bool': return false;
    default: return null;
  }
}

function toRow(def: SystemRelationDef, defaults: readonly SqlValue[], record: RowRecord): SqlValue[] {
  const row = defaults.slice();
  for (let i = 0; i < def.columns.length; i++) {
    const value = record[(def.columns[i] as SystemColumn).name];
    if (value !== undefined) row[i] = value;
  }
  return row;
}

/** The rows of one system relation in the given context. */
export function* systemRelationRows(def: SystemRelationDef, ctx: RowContext): Iterable<SqlValue[]> {
  const producer = (def.schema === 'pg_catalog' ? pgCatalogProducers : informationSchemaProducers).get(def.name);
  if (producer === undefined) return; // a catalog of a feature ThunderDB lacks: empty, as in a fresh PostgreSQL
  const defaults = def.columns.map((c) => defaultValue(def, c));
  for (const record of producer(ctx)) yield toRow(def, defaults, record);
}

/** Every system relation also has the system column `tableoid` (psql's \\dd joins on it), hidden from `*`. */
export const systemRelationHiddenColumns: readonly { readonly name: string; readonly type: SqlType }[] = [{ name: 'tableoid', type: SqlTypes.int8 }];

/** The table function a FROM item naming `def` scans: its columns, then the hidden ones. */
export function systemRelationScan(def: SystemRelationDef): TableFn {
  const tableoid = BigInt(def.oid);
  return function* scan(_args, env) {
    const ctx = { model: catalogModel(env.runtime.catalog), session: env.runtime.session };
    for (const row of systemRelationRows(def, ctx)) {
      row.push(tableoid);
      yield row;
    }
  };
}

/**
 * What a FROM item's name refers to when it is a system relation: a
 * qualified pg_catalog/information_schema name, or a bare name found in
 * pg_catalog before (or, when search_path lists pg_catalog, in its place
 * among) the user schemas. `userTableIn(schema)` says whether a user table
 * of that name exists there, which then wins.
 */
export function resolveSystemRelation(
  schema: string | null, name: string, session: SessionContext, userTableIn: (schema: string) => boolean,
): SystemRelationDef | undefined {
  if (schema !== null) return systemSchemas.includes(schema) ? systemRelationDef(schema, name) : undefined;
  for (const s of effectiveSearchPath(session)) {
    if (systemSchemas.includes(s)) {
      const def = systemRelationDef(s, name);
      if (def !== undefined) return def;
    } else if (userTableIn(s)) {
      return undefined;
    }
  }
  return undefined;
}
