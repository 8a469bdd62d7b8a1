// Name resolution. A Namespace is what a FROM clause makes visible: range
// entries for qualified names (`t.a`, `t.*`) and the visible columns for
// unqualified names and `*`. A QueryScope is one query level; a reference
// that resolves in an enclosing level becomes an outerRef, registered in the
// Correlation of the level that starts below it, so a subplan receives every
// outer value it reads as an argument.

import type { TableInfo } from '../contract.js';
import type { SqlType } from '../types/sql-type.js';
import type { BoundExpr } from './bound-expr.js';
import { ambiguousColumn, bindError, BinderState, undefinedColumn } from './errors.js';
import { exprKey, shiftColumns } from './expr-utils.js';
import type { PlanColumn } from './logical-plan.js';

export interface ScopeColumn {
  readonly name: string;
  readonly type: SqlType;
  /** How to read the column in this namespace's row: a column reference, or COALESCE for merged USING columns. */
  readonly expr: BoundExpr;
  readonly tableId: number;
  readonly columnNumber: number;
  /** Hidden columns (the stored key of an UPDATE target) are not found by name nor expanded by `*`. */
  readonly hidden: boolean;
}

export interface RangeEntry {
  readonly alias: string;
  /** The schema of an unaliased table, for `schema.table.column`. */
  readonly schema: string | null;
  readonly table: TableInfo | null;
  readonly columns: readonly ScopeColumn[];
}

export interface Namespace {
  readonly entries: readonly RangeEntry[];
  readonly visible: readonly ScopeColumn[];
  /** Width of the row the columns index into. */
  readonly width: number;
}

export const emptyNamespace: Namespace = { entries: [], visible: [], width: 0 };

/** One range entry whose columns are positions 0..n-1 of its own row. */
export function entryNamespace(alias: string, schema: string | null, table: TableInfo | null, columns: readonly PlanColumn[], hiddenFrom = columns.length): Namespace {
  const scopeColumns = columns.map((c, index): ScopeColumn => ({
    name: c.name, type: c.type, tableId: c.tableId, columnNumber: c.columnNumber, hidden: index >= hiddenFrom,
    expr: { kind: 'column', type: c.type, index, name: `${alias}.${c.name}` },
  }));
  return { entries: [{ alias, schema, table, columns: scopeColumns }], visible: scopeColumns.filter((c) => !c.hidden), width: columns.length };
}

/** The same namespace for a row where it starts at `offset`. */
export function shiftNamespace(ns: Namespace, offset: number): Namespace {
  if (offset === 0) return ns;
  const moved = new Map<ScopeColumn, ScopeColumn>();
  const move = (c: ScopeColumn): ScopeColumn => {
    let m = moved.get(c);
    if (m === undefined) { m = { ...c, expr: shiftColumns(c.expr, offset) }; moved.set(c, m); }
    return m;
  };
  return {
    entries: ns.entries.map((e) => ({ ...e, columns: e.columns.map(move) })),
    visible: ns.visible.map(move),
    width: ns.width,
  };
}

/** Left's namespace followed by right's (already shifted past left's width). */
export function concatNamespaces(left: Namespace, rightShifted: Namespace, width: number): Namespace {
  return { entries: [...left.entries, ...rightShifted.entries], visible: [...left.visible, ...rightShifted.visible], width };
}

/** The values a nested level reads from the level above it (its subplan's arguments). */
export class Correlation {
  readonly exprs: BoundExpr[] = [];
  /** References per argument; an outer aggregate releases the ones it lifted out. */
  private readonly uses: number[] = [];
  private readonly indexByKey = new Map<string, number>();

  register(expr: BoundExpr): number {
    const key = exprKey(expr);
    let index = this.indexByKey.get(key);
    if (index === undefined) {
      index = this.exprs.push(expr) - 1;
      this.uses.push(0);
      this.indexByKey.set(key, index);
    }
    this.uses[index] = (this.uses[index] ?? 0) + 1;
    return index;
  }

  release(index: number): void {
    this.uses[index] = Math.max(0, (this.uses[index] ?? 1) - 1);
  }

  /** The arguments to pass; ones nothing reads any more are NULL (so grouping does not check them). */
  arguments(): BoundExpr[] {
    return this.exprs.map((e, i) => ((this.uses[i] ?? 0) > 0 ? e : { kind: 'const', type: e.type, value: null, unknown: false }));
  }
}

export interface CteBinding {
  readonly id: number;
  readonly name: string;
  readonly columns: readonly PlanColumn[];
  /** True while binding a recursive CTE's own recursive term: references read the work table. */
  readonly recursiveReference: boolean;
}

export interface ColumnMatch {
  readonly expr: BoundExpr;
  readonly column: ScopeColumn;
  /** The range entry, when the column came from one (for functional-dependency checks). */
  readonly entry: RangeEntry | null;
  /** 0 for this level; more for an enclosing one. */
  readonly levelsUp: number;
}

export class QueryScope {
  namespace: Namespace;
  readonly ctes = new Map<string, CteBinding>();

  /**
   * `correlation` non-null starts a new execution level (a subquery
   * expression, a LATERAL item): values from `parent` are passed in. Null
   * shares the parent's level (FROM subqueries and CTE bodies run in the
   * enclosing query's environment).
   */
  constructor(namespace: Namespace, readonly parent: QueryScope | null, readonly correlation: Correlation | null) {
    this.namespace = namespace;
  }

  /** A child level for a subquery expression. */
  subqueryScope(): QueryScope {
    return new QueryScope(emptyNamespace, this, new Correlation());
  }

  /** A scope in this level that sees none of this level's FROM items (non-lateral FROM subqueries, CTE bodies). */
  siblingScope(): QueryScope {
    const view = new QueryScope(emptyNamespace, this.parent, this.correlation);
    for (const [name, cte] of this.ctes) view.ctes.set(name, cte);
    return view;
  }

  /** A new level that sees `lateral` (the items to its left) through `this` level. */
  lateralScope(lateral: Namespace): QueryScope {
    const view = new QueryScope(lateral, this.parent, this.correlation);
    for (const [name, cte] of this.ctes) view.ctes.set(name, cte);
    return new QueryScope(emptyNamespace, view, new Correlation());
  }

  /** The same level and parent, seeing `namespace` (a join's condition sees both sides). */
  withNamespace(namespace: Namespace): QueryScope {
    const scope = new QueryScope(namespace, this.parent, this.correlation);
    for (const [name, cte] of this.ctes) scope.ctes.set(name, cte);
    return scope;
  }

  findCte(name: string): CteBinding | undefined {
    return this.ctes.get(name) ?? this.parent?.findCte(name);
  }

  /** Resolves a column reference path; undefined when no level has it. */
  resolve(path: readonly string[], position: number): ColumnMatch | undefined {
    const local = lookupLocal(this.namespace, path, position);
    if (local !== undefined) return { ...local, levelsUp: 0 };
    if (this.parent === null) return undefined;
    const outer = this.parent.resolve(path, position);
    if (outer === undefined) return undefined;
    if (this.correlation === null) return outer;
    const index = this.correlation.register(outer.expr);
    const name = outer.expr.kind === 'column' || outer.expr.kind === 'outerRef' ? outer.expr.name : path.join('.');
    return { ...outer, expr: { kind: 'outerRef', type: outer.expr.type, index, name }, levelsUp: outer.levelsUp + 1 };
  }

  /** Whether any level has a range entry named `alias` (to tell 42P01 from 42703). */
  hasEntry(alias: string): boolean {
    return this.namespace.entries.some((e) => e.alias === alias) || (this.parent?.hasEntry(alias) ?? false);
  }
}

function lookupLocal(ns: Namespace, path: readonly string[], position: number): { expr: BoundExpr; column: ScopeColumn; entry: RangeEntry | null } | undefined {
  if (path.length === 1) {
    const name = path[0] ?? '';
    let column: ScopeColumn | undefined;
    for (const c of ns.visible) {
      if (c.name !== name || c.hidden) continue;
      if (column !== undefined && column.expr !== c.expr) throw ambiguousColumn(name, position);
      column ??= c;
    }
    column ??= hiddenByName(ns.entries.flatMap((e) => e.columns), name, position);
    if (column === undefined) return undefined;
    const found = column;
    return { expr: found.expr, column: found, entry: ns.entries.find((e) => e.columns.includes(found)) ?? null };
  }
  const columnName = path[path.length - 1] ?? '';
  const entry = findEntry(ns, path.slice(0, -1), position);
  if (entry === undefined) return undefined;
  const column = entry.columns.find((c) => c.name === columnName && !c.hidden) ?? hiddenByName(entry.columns, columnName, position);
  if (column === undefined) throw undefinedColumn(`${path.slice(0, -1).join('.')}.${columnName}`, position);
  return { expr: column.expr, column, entry };
}

/**
 * A hidden column named explicitly: the system columns of system relations
 * (`tableoid`), left out of `*` but readable by name as in PostgreSQL. The
 * stored key of DML rows is hidden too, and has no name to be found by.
 */
function hiddenByName(columns: readonly ScopeColumn[], name: string, position: number): ScopeColumn | undefined {
  const matches = name === '' ? [] : columns.filter((c) => c.hidden && c.name === name);
  if (matches.length > 1) throw ambiguousColumn(name, position);
  return matches[0];
}

/** The range entry a qualifier names: `t`, `s.t`, or `db.s.t`. */
export function findEntry(ns: Namespace, qualifier: readonly string[], position: number): RangeEntry | undefined {
  const alias = qualifier[qualifier.length - 1] ?? '';
  const schema = qualifier.length >= 2 ? qualifier[qualifier.length - 2] ?? null : null;
  const matches = ns.entries.filter((e) => e.alias === alias && (schema === null || e.schema === schema));
  if (matches.length > 1) throw bindError(BinderState.ambiguousColumn, `table reference "${alias}" is ambiguous`, position);
  return matches[0];
}
