// Rule: the access path of a table. When equality conjuncts fix every column
// of the primary key (or of a unique, then any other, index) to values that do
// not depend on the table's own row, the scan becomes TableAccess.lookup —
// the OLTP fast path for `WHERE aid = $1`. Otherwise a sequential scan with
// the conjuncts as its filter.

import type { IndexInfo, TableInfo } from '../../contract.js';
import type { BoundExpr, LogicalPlan } from '../../binder/index.js';
import { referencedColumns } from '../../binder/index.js';
import type { SqlType } from '../../types/sql-type.js';
import { combineConjuncts, isMovable } from '../conjuncts.js';
import type { LookupKey, PhysicalPlan } from '../physical-plan.js';

type Scan = LogicalPlan & { kind: 'scan' };

const integerKinds = new Set(['int2', 'int4', 'int8']);
/** varchar and text compare the same way (char(n) does not: it ignores trailing blanks). */
const plainStrings = new Set(['text', 'varchar']);

/** Whether a value of `value` type can be looked up in a column of `column` type without changing equality. */
export function lookupCompatible(column: SqlType, value: SqlType): boolean {
  if (column.kind === value.kind) return column.kind !== 'array' && column.kind !== 'json';
  if (plainStrings.has(column.kind) && plainStrings.has(value.kind)) return true;
  return integerKinds.has(column.kind) && integerKinds.has(value.kind);
}

/** The table column a side of `=` reads directly (a varchar column compared as text counts). */
export function tableColumnOf(expr: BoundExpr, width: number): number | undefined {
  if (expr.kind === 'column' && expr.index < width) return expr.index;
  if (expr.kind === 'cast' && expr.type.kind === 'text' && expr.arg.kind === 'column' && expr.arg.type.kind === 'varchar' && expr.arg.index < width) {
    return expr.arg.index;
  }
  return undefined;
}

export interface KeyCandidate {
  readonly position: number;
  readonly key: LookupKey;
  readonly conjunct: number;
}

/** `col = value`, `col IN (values)` or `col = ANY (array)` where every value is computable before reading the row. */
function candidateOf(c: BoundExpr, table: TableInfo, isValue: (e: BoundExpr) => boolean): { position: number; key: LookupKey } | undefined {
  const width = table.columns.length;
  const columnType = (p: number | undefined): SqlType | undefined => (p === undefined ? undefined : table.columns[p]?.type);
  if (c.kind === 'operator' && c.equality && c.args.length === 2) {
    const [a, b] = c.args as [BoundExpr, BoundExpr];
    for (const [colSide, valueSide] of [[a, b], [b, a]] as const) {
      const position = tableColumnOf(colSide, width);
      const type = columnType(position);
      if (position !== undefined && type !== undefined && isValue(valueSide) && lookupCompatible(type, valueSide.type)) return { position, key: { kind: 'value', expr: valueSide } };
    }
  }
  if (c.kind === 'inList' && !c.negated) {
    const position = tableColumnOf(c.arg, width);
    const type = columnType(position);
    if (position !== undefined && type !== undefined && c.list.every(isValue) && c.list.every((e) => lookupCompatible(type, e.type))) return { position, key: { kind: 'list', exprs: c.list } };
  }
  if (c.kind === 'quantifiedArray' && c.quantifier === 'any' && c.symbol === '=' && c.array.type.kind === 'array') {
    const position = tableColumnOf(c.left, width);
    const type = columnType(position);
    if (position !== undefined && type !== undefined && isValue(c.array) && lookupCompatible(type, c.array.type.element)) return { position, key: { kind: 'array', expr: c.array } };
  }
  return undefined;
}

/** Lookup candidates per table column; a single value beats a list for the same column. */
export function equalityCandidates(conjuncts: readonly BoundExpr[], table: TableInfo, isValue: (e: BoundExpr) => boolean): Map<number, KeyCandidate> {
  const out = new Map<number, KeyCandidate>();
  conjuncts.forEach((c, conjunct) => {
    const found = candidateOf(c, table, isValue);
    if (found === undefined) return;
    const existing = out.get(found.position);
    if (existing === undefined || (existing.key.kind !== 'value' && found.key.kind === 'value')) out.set(found.position, { ...found, conjunct });
  });
  return out;
}

/** Primary key first, then unique indexes (fewest columns first), then the widest other index. */
export function indexesByPreference(table: TableInfo): IndexInfo[] {
  const rank = (i: IndexInfo): number => (i.primary ? 0 : i.unique ? 1 : 2);
  return [...table.indexes].sort((x, y) => rank(x) - rank(y) || (rank(x) < 2 ? x.columnPositions.length - y.columnPositions.length : y.columnPositions.length - x.columnPositions.length));
}

const isRowIndependent = (e: BoundExpr): boolean => referencedColumns(e).size === 0 && isMovable(e);

function lookupOn(scan: Scan, index: IndexInfo, candidates: Map<number, KeyCandidate>, conjuncts: readonly BoundExpr[]): PhysicalPlan | undefined {
  const keys = index.columnPositions.map((p) => candidates.get(p));
  if (index.columnPositions.length === 0 || keys.some((k) => k === undefined)) return undefined;
  const used = new Set(keys.map((k) => k?.conjunct));
  return {
    kind: 'indexLookup', table: scan.table, alias: scan.alias, withKey: scan.withKey, index,
    keys: keys.map((k) => k?.key as LookupKey), filter: combineConjuncts(conjuncts.filter((_, i) => !used.has(i))), columns: scan.columns,
  };
}

/** A single-value lookup on the most preferred index, else a multi-value one, else a scan. */
export function chooseScan(scan: Scan, conjuncts: readonly BoundExpr[]): PhysicalPlan {
  const candidates = equalityCandidates(conjuncts, scan.table, isRowIndependent);
  const indexes = indexesByPreference(scan.table);
  const single = indexes.find((i) => i.columnPositions.every((p) => candidates.get(p)?.key.kind === 'value'));
  const chosen = single ?? indexes.find((i) => i.columnPositions.every((p) => candidates.has(p)));
  const lookup = chosen === undefined ? undefined : lookupOn(scan, chosen, candidates, conjuncts);
  return lookup ?? { kind: 'seqScan', table: scan.table, alias: scan.alias, withKey: scan.withKey, filter: combineConjuncts(conjuncts), columns: scan.columns };
}
