// Rule: the join algorithm. LATERAL joins re-run their right side per left
// row (nested loop). Equi-joins hash the right side, unless the left side is
// known to be small and the right side is a table with an index on the join
// keys (index nested loop). Anything else is a nested loop over the
// materialised right side.

import type { BoundExpr, LogicalPlan } from '../../binder/index.js';
import { shiftColumns } from '../../binder/index.js';
import { combineConjuncts, sideOf, splitConjuncts } from '../conjuncts.js';
import type { PhysicalPlan } from '../physical-plan.js';
import { indexesByPreference, lookupCompatible, tableColumnOf } from './choose-scan.js';
import type { TableInfo } from '../../contract.js';

type Join = LogicalPlan & { kind: 'join' };

interface EquiKey {
  readonly left: BoundExpr;
  readonly right: BoundExpr;
  readonly conjunct: number;
}

const integerKinds = new Set(['int2', 'int4', 'int8']);

function hashable(a: BoundExpr, b: BoundExpr): boolean {
  if (a.type.kind === 'json' || b.type.kind === 'json') return false;
  return a.type.kind === b.type.kind || (integerKinds.has(a.type.kind) && integerKinds.has(b.type.kind));
}

function equiKeys(conjuncts: readonly BoundExpr[], leftWidth: number): EquiKey[] {
  const keys: EquiKey[] = [];
  conjuncts.forEach((c, conjunct) => {
    if (c.kind !== 'operator' || !c.equality || c.args.length !== 2) return;
    const [a, b] = c.args as [BoundExpr, BoundExpr];
    const sa = sideOf(a, leftWidth);
    const sb = sideOf(b, leftWidth);
    if (!hashable(a, b)) return;
    if (sa === 'left' && sb === 'right') keys.push({ left: a, right: shiftColumns(b, -leftWidth), conjunct });
    else if (sa === 'right' && sb === 'left') keys.push({ left: b, right: shiftColumns(a, -leftWidth), conjunct });
  });
  return keys;
}

/** A rough upper bound of a plan's rows when its shape tells (a unique lookup, VALUES, a constant LIMIT). */
export function estimateRows(plan: PhysicalPlan): number | null {
  switch (plan.kind) {
    case 'indexLookup': return plan.index.unique ? 1 : null;
    case 'oneRow': return 1;
    case 'values': return plan.rows.length;
    case 'filter': case 'project': case 'sort': case 'distinct': return estimateRows(plan.input);
    case 'limit': {
      const limit = plan.limit?.kind === 'const' && typeof plan.limit.value === 'bigint' ? Number(plan.limit.value) : null;
      const input = estimateRows(plan.input);
      return limit === null ? input : input === null ? limit : Math.min(limit, input);
    }
    default: return null;
  }
}

/** Left inputs up to this many rows probe the right table's index instead of hashing the whole table. */
export const indexNestedLoopRowsMax = 100;

/** Join keys whose right side is a plain column of the right table: position → key. */
function keysOnRightColumns(keys: readonly EquiKey[], table: TableInfo): Map<number, EquiKey> {
  const out = new Map<number, EquiKey>();
  for (const key of keys) {
    const position = tableColumnOf(key.right, table.columns.length);
    const column = position === undefined ? undefined : table.columns[position];
    if (position === undefined || column === undefined || out.has(position)) continue;
    if (lookupCompatible(column.type, key.left.type)) out.set(position, key);
  }
  return out;
}

function indexNestedLoop(join: Join, left: PhysicalPlan, keys: readonly EquiKey[], conjuncts: readonly BoundExpr[]): PhysicalPlan | undefined {
  if (join.joinType !== 'inner' && join.joinType !== 'left') return undefined;
  const rows = estimateRows(left);
  if (rows === null || rows > indexNestedLoopRowsMax) return undefined;
  const scan = join.right.kind === 'filter' ? join.right.input : join.right;
  if (scan.kind !== 'scan') return undefined;
  const byPosition = keysOnRightColumns(keys, scan.table);
  for (const index of indexesByPreference(scan.table)) {
    const chosen = index.columnPositions.map((p) => byPosition.get(p));
    if (index.columnPositions.length === 0 || chosen.some((c) => c === undefined)) continue;
    const used = new Set(chosen.map((c) => c?.conjunct));
    return {
      kind: 'indexNestedLoopJoin', joinType: join.joinType, left, table: scan.table, alias: scan.alias, index,
      leftKeys: chosen.map((c) => c?.left as BoundExpr), rightFilter: join.right.kind === 'filter' ? join.right.predicate : null,
      residual: combineConjuncts(conjuncts.filter((_, i) => !used.has(i))), rightColumns: scan.columns, columns: join.columns,
    };
  }
  return undefined;
}

export function chooseJoin(join: Join, physical: (plan: LogicalPlan) => PhysicalPlan): PhysicalPlan {
  const left = physical(join.left);
  if (join.lateral !== null) {
    return { kind: 'nestedLoopJoin', joinType: join.joinType, left, right: physical(join.right), condition: join.condition, lateral: join.lateral, columns: join.columns };
  }
  const conjuncts = splitConjuncts(join.condition);
  const keys = equiKeys(conjuncts, join.left.columns.length);
  if (keys.length === 0) {
    return { kind: 'nestedLoopJoin', joinType: join.joinType, left, right: physical(join.right), condition: join.condition, lateral: null, columns: join.columns };
  }
  const viaIndex = indexNestedLoop(join, left, keys, conjuncts);
  if (viaIndex !== undefined) return viaIndex;
  const used = new Set(keys.map((k) => k.conjunct));
  return {
    kind: 'hashJoin', joinType: join.joinType, left, right: physical(join.right),
    leftKeys: keys.map((k) => k.left), rightKeys: keys.map((k) => k.right),
    residual: combineConjuncts(conjuncts.filter((_, i) => !used.has(i))), columns: join.columns,
  };
}

