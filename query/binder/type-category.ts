// PostgreSQL's type categories (pg_type.typcategory) and preferred types,
// which drive overload resolution and UNION/CASE type resolution.

import type { ArgType } from '../functions/index.js';
import type { SqlType } from '../types/sql-type.js';

/** B boolean, N numeric, S string, D date/time, T timespan, U user-defined, A array, P polymorphic. */
export type TypeCategory = 'B' | 'N' | 'S' | 'D' | 'T' | 'U' | 'A' | 'P';

export function typeCategory(type: ArgType): TypeCategory {
  switch (type.kind) {
    case 'poly': return 'P';
    case 'array': return 'A';
    case 'bool': return 'B';
    case 'int2': case 'int4': case 'int8': case 'float4': case 'float8': case 'numeric': return 'N';
    case 'text': case 'varchar': case 'bpchar': return 'S';
    case 'date': case 'time': case 'timestamp': case 'timestamptz': return 'D';
    case 'interval': return 'T';
    case 'bytea': case 'uuid': case 'json': case 'jsonb': return 'U';
  }
}

/** typispreferred: float8, text, timestamptz, interval and bool lead their categories. */
export function isPreferredType(type: ArgType): boolean {
  switch (type.kind) {
    case 'float8': case 'text': case 'timestamptz': case 'interval': case 'bool': return true;
    default: return false;
  }
}

/** Same type ignoring modifiers (varchar(5) and varchar(9) are one type for resolution). */
export function sameKind(a: SqlType, b: SqlType): boolean {
  if (a.kind === 'array' || b.kind === 'array') return a.kind === 'array' && b.kind === 'array' && a.element.kind === b.element.kind;
  return a.kind === b.kind;
}
