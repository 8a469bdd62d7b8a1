// The system relations' shapes: relation-specs.ts's PostgreSQL column lists
// read into SqlTypes. Catalog-only types (oid, name, "char", regproc, ...)
// are held as the value types pg-types.ts maps them to; pg_attribute still
// reports PostgreSQL's type oid for them.

import { parseTypeName } from '../types/type-name.js';
import { arrayOf, typeOid } from '../types/sql-type.js';
import type { SqlType } from '../types/sql-type.js';
import { builtinTypeByName, catalogTypeAlias } from './pg-types.js';
import { relationSpecs } from './relation-specs.js';

export interface SystemColumn {
  readonly name: string;
  /** The type as PostgreSQL declares it, e.g. `name`, `"char"`, `aclitem[]`. */
  readonly declaredType: string;
  /** How ThunderDB holds its values. */
  readonly type: SqlType;
  /** pg_attribute.atttypid: PostgreSQL's oid of the declared type. */
  readonly typeOid: number;
}

export interface SystemRelationDef {
  readonly schema: 'pg_catalog' | 'information_schema';
  readonly name: string;
  readonly oid: number;
  /** 'r' for catalogs, 'v' for views, as PostgreSQL has them. */
  readonly relkind: string;
  readonly columns: readonly SystemColumn[];
}

/** information_schema's domains and the few base types held as text. */
const domainTypes: ReadonlyMap<string, string> = new Map([
  ['sql_identifier', 'text'], ['cardinal_number', 'int4'], ['character_data', 'text'], ['yes_or_no', 'text'],
  ['time_stamp', 'timestamptz'], ['inet', 'text'],
]);

function columnOf(spec: string): SystemColumn {
  const space = spec.indexOf(' ');
  const name = spec.slice(0, space);
  const declaredType = spec.slice(space + 1);
  const isArray = declaredType.endsWith('[]');
  const base = (isArray ? declaredType.slice(0, -2) : declaredType).replace(/"/g, '');
  const alias = catalogTypeAlias(base, isArray);
  if (alias !== undefined) {
    const builtin = builtinTypeByName(base);
    const oid = builtin === undefined ? typeOid(alias) : isArray ? builtin.array : builtin.oid;
    return { name, declaredType, type: alias, typeOid: oid };
  }
  const domain = domainTypes.get(base);
  const scalar = parseTypeName(domain ?? base);
  const type = isArray && scalar.kind !== 'array' ? arrayOf(scalar) : scalar;
  return { name, declaredType, type, typeOid: typeOid(type) };
}

export const systemRelationDefs: readonly SystemRelationDef[] = relationSpecs.map(([schema, name, oid, relkind, columns]) => ({
  schema: schema === 'pg_catalog' ? 'pg_catalog' : 'information_schema',
  name, oid, relkind,
  columns: columns.split(', ').map(columnOf),
}));

const defsByName = new Map(systemRelationDefs.map((d) => [`${d.schema}.${d.name}`, d]));

export function systemRelationDef(schema: string, name: string): SystemRelationDef | undefined {
  return defsByName.get(`${schema}.${name}`);
}
