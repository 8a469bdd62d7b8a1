// pg_type: PostgreSQL 15's built-in types with their real OIDs, format_type(),
// and the catalog-only type names (oid, name, "char", regclass, ...) the
// binder maps onto ThunderDB's value types.

import { arrayOf, formatTypeName, SqlTypes, typeFromOid } from '../types/sql-type.js';
import type { SqlType } from '../types/sql-type.js';
import { builtinTypeRows } from './pg-type-data.js';

export interface BuiltinType {
  readonly oid: number;
  readonly name: string;
  readonly length: number;
  readonly byValue: boolean;
  /** typtype: 'b' base, 'p' pseudo. */
  readonly typeType: string;
  readonly category: string;
  readonly preferred: boolean;
  readonly element: number;
  readonly array: number;
  readonly align: string;
  readonly storage: string;
  readonly collation: number;
}

function parseRows(text: string): BuiltinType[] {
  return text.trim().split('\n').map((line) => {
    const f = line.split('|');
    const at = (i: number): string => f[i] ?? '';
    return {
      oid: Number(at(0)), name: at(1), length: Number(at(2)), byValue: at(3) === 't', typeType: at(4), category: at(5),
      preferred: at(6) === 't', element: Number(at(7)), array: Number(at(8)), align: at(9), storage: at(10), collation: Number(at(11)),
    };
  });
}

export const builtinTypes: readonly BuiltinType[] = parseRows(builtinTypeRows);
const typeByOid = new Map(builtinTypes.map((t) => [t.oid, t]));
const typeByName = new Map(builtinTypes.map((t) => [t.name, t]));

export function builtinType(oid: number): BuiltinType | undefined {
  return typeByOid.get(oid);
}

export function builtinTypeByName(name: string): BuiltinType | undefined {
  return typeByName.get(name);
}

/** Types that exist only as catalog column types here: their values are held as `as`. */
const catalogOnlyTypes: ReadonlyMap<string, SqlType> = new Map<string, SqlType>([
  // Object identifiers are unsigned 32-bit: int8 holds every one.
  ...['oid', 'regclass', 'regtype', 'regnamespace', 'regproc', 'regprocedure', 'regrole', 'regoper', 'regoperator',
    'regconfig', 'regdictionary', 'regcollation', 'xid', 'xid8', 'cid', 'tid'].map((n): [string, SqlType] => [n, SqlTypes.int8]),
  ...['name', 'char', 'pg_node_tree', 'aclitem', 'cstring', 'pg_lsn', 'pg_ndistinct', 'pg_dependencies', 'pg_mcv_list', 'anyarray']
    .map((n): [string, SqlType] => [n, SqlTypes.text]),
  ['int2vector', arrayOf(SqlTypes.int2)],
  ['oidvector', arrayOf(SqlTypes.int8)],
]);

/** The value type a catalog-only type name is read as (`oid` → int8, `name` → text), or undefined. */
export function catalogTypeAlias(name: string, isArray: boolean): SqlType | undefined {
  const base = catalogOnlyTypes.get(name);
  if (base === undefined) return undefined;
  if (!isArray) return base;
  return base.kind === 'array' ? base : arrayOf(base);
}

/** Names of the object-identifier types whose text form is an object name. */
export type RegType = 'regclass' | 'regtype' | 'regnamespace' | 'regproc' | 'regprocedure' | 'regrole';
export const regTypes: readonly RegType[] = ['regclass', 'regtype', 'regnamespace', 'regproc', 'regprocedure', 'regrole'];

export function isRegType(name: string): name is RegType {
  return (regTypes as readonly string[]).includes(name);
}

/** PostgreSQL's format_type(type_oid, typemod); NULL oid is the caller's (strict). */
export function formatType(oid: number, typmod: number | null): string {
  const known = typeFromOid(oid, typmod ?? -1);
  if (known !== undefined) {
    // format_type(NULL typmod) prints the bare name, as PostgreSQL does for bpchar.
    if (typmod === null && known.kind === 'bpchar') return 'character';
    return formatTypeName(known);
  }
  const builtin = typeByOid.get(oid);
  if (builtin === undefined) return '???';
  if (builtin.name.startsWith('_')) {
    const element = typeByOid.get(builtin.element);
    if (element !== undefined) return `${formatType(element.oid, typmod)}[]`;
  }
  if (builtin.name === 'char') return '"char"';
  return builtin.name;
}
