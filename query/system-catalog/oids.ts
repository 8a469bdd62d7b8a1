// Object identifiers the system catalogs show. Built-in objects keep
// PostgreSQL's own OIDs (pg_catalog = 11, public = 2200, int4 = 23, btree =
// 403); tables, indexes, sequences and schemas keep ThunderDB's catalog ids,
// which start at 16384 (FirstNormalObjectId) as PostgreSQL's do. Objects the
// catalog has no id of its own for (the primary key index, constraints,
// defaults) get ids derived from their owner's, in ranges far above any id
// the catalog hands out, so they are stable across statements and restarts.

export const Oid = {
  pgCatalog: 11,
  publicSchema: 2200,
  informationSchema: 12,
  /** The bootstrap superuser: every object is owned by it. */
  bootstrapRole: 10,
  heapAm: 2,
  btreeAm: 403,
  hashAm: 405,
  defaultCollation: 100,
  cCollation: 950,
  posixCollation: 951,
  defaultTablespace: 1663,
  globalTablespace: 1664,
  internalLanguage: 12,
  sqlLanguage: 14,
} as const;

/** A span of ids reserved for one kind of derived object. */
const derivedBase = {
  primaryKeyIndex: 1_000_000_000,
  primaryKeyConstraint: 1_100_000_000,
  uniqueConstraint: 1_200_000_000,
  checkConstraint: 1_300_000_000,
  attrdef: 1_500_000_000,
  function: 2_000_000_000,
} as const;

/** Check constraints and columns per table that derived ids can tell apart. */
export const checksPerTableMax = 100;
export const columnsPerTableMax = 1600; // PostgreSQL's MaxHeapAttributeNumber

export function primaryKeyIndexOid(tableId: number): number {
  return derivedBase.primaryKeyIndex + tableId;
}

export function primaryKeyConstraintOid(tableId: number): number {
  return derivedBase.primaryKeyConstraint + tableId;
}

export function uniqueConstraintOid(indexId: number): number {
  return derivedBase.uniqueConstraint + indexId;
}

export function checkConstraintOid(tableId: number, checkIndex: number): number {
  return derivedBase.checkConstraint + tableId * checksPerTableMax + checkIndex;
}

export function attrdefOid(tableId: number, attnum: number): number {
  return derivedBase.attrdef + tableId * columnsPerTableMax + attnum;
}

/** pg_proc oids: the registry's functions numbered in a stable order. */
export function functionOid(ordinal: number): number {
  return derivedBase.function + ordinal;
}
