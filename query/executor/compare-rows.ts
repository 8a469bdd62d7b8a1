// Ordering rows by sort keys with PostgreSQL's defaults: ascending NULLS LAST,
// descending NULLS FIRST, each type's own total order.

import { compareValues } from '../types/compare.js';
import type { SqlType } from '../types/sql-type.js';
import type { SqlValue } from '../types/value.js';

export interface SortSpec {
  readonly type: SqlType;
  readonly descending: boolean;
  readonly nullsFirst: boolean;
}

export function compareKeyValues(a: SqlValue, b: SqlValue, spec: SortSpec): number {
  if (a === null || b === null) {
    if (a === b) return 0;
    return (a === null) === spec.nullsFirst ? -1 : 1;
  }
  const c = compareValues(a, b, spec.type);
  return spec.descending ? -c : c;
}

export function compareKeys(a: readonly SqlValue[], b: readonly SqlValue[], specs: readonly SortSpec[]): number {
  for (let i = 0; i < specs.length; i++) {
    const c = compareKeyValues(a[i] ?? null, b[i] ?? null, specs[i] as SortSpec);
    if (c !== 0) return c;
  }
  return 0;
}
