// The read-path choice (row vs column) and the column path's execution.
//
// At plan time (compile) the statement is analysed once: if some node on its
// spine is a vectorizable leaf (leaf.ts), the plan above the leaf is rebuilt
// over a synthetic scan that the leaf's rows feed, and the statement keeps
// both executables. At execution the path is chosen (DESIGN.md, "Choosing"):
// `thunderdb.read_path` forces it; `auto` takes the column path when the
// table is in the column store, the transaction has not written it and the
// table holds at least `autoRowsMin` live rows. Primary-key and index
// predicates never reach here: choose-scan made them index lookups, which
// are not leaves. The column path never errors for a lack of support: a
// VectorFallback during execution reruns the statement on the row path.

import { SnapshotTooOldError, UnknownTableError, WaitAppliedTimeoutError } from '../../materializers/columnstore/index.js';
import type { ColumnAccess, RowBatches, RowHandle, RuntimeContext, TableAccess, TableInfo } from '../contract.js';
import type { StatementResult } from '../engine.js';
import type { Executable, ExecEnv } from '../executor/index.js';
import { buildExecutable, buildExplain } from '../executor/index.js';
// The row compiler's BuildContext is not part of executor/index.ts; the
// vectorized path compiles constants and per-dictionary-entry expressions with it.
import { BuildContext } from '../executor/node.js';
import { sessionTimeZone } from '../functions/index.js';
import { explainLines } from '../planner/index.js';
import type { PhysicalPlan, PlannedExplain, PlannedStatement } from '../planner/index.js';
import { SqlError } from '../types/errors.js';
import { makeSession } from '../types/session.js';
import type { SqlType } from '../types/sql-type.js';
import type { SqlValue } from '../types/value.js';
import { analyzeLeaf, type VectorLeaf } from './leaf.js';
import { runLeaf, type LeafOperatorStats, type LeafStats, type OperatorStats, type TopN } from './run.js';
import { VectorFallback } from './vec.js';
import { columnOfNode, constantCount, orderedLeafRows, sortPrefilter, vectorSortOver, withoutSort, withSortOperator, type VectorSort } from './sort.js';
import type { CompiledExpr } from '../executor/eval/compiled.js';

/** `auto` takes the column path from this many live rows. */
export const autoRowsMin = 10_000;
/** Default bound on waiting for the column store to apply the read index. */
export const columnWaitTimeoutMsDefault = 5000;

/**
 * Process-wide counts (metrics, tests): column-path executions finished, those
 * that fell back to the row path, leaves that ran a vectorized join; freshness
 * checks, those that found the column store behind their read index and
 * waited, and the milliseconds they waited (thunderdb_column_wait_*).
 */
/** fusedRuns: leaves run by the fused scan-aggregate kernel; parallelRuns: those spread over worker threads. */
export const vectorizedCounters = { columnRuns: 0, fallbacks: 0, joinRuns: 0, fusedRuns: 0, parallelRuns: 0, waitChecks: 0, waits: 0, waitMs: 0 };

export const readPathSetting = 'thunderdb.read_path';
export const columnFallbackSetting = 'thunderdb.column_fallback';
export const columnWaitTimeoutSetting = 'thunderdb.column_wait_timeout';

const syntheticPrefix = 'vectorized_leaf_';

/** One leaf and the synthetic table its rows feed. */
export interface PlacedLeaf {
  readonly leaf: VectorLeaf;
  /** ORDER BY <numeric output column> LIMIT n right above the leaf: the leaf keeps only rows that can be in the first n. */
  readonly topN: TopN | null;
  /** ORDER BY / LIMIT right above the leaf that the leaf applies itself (sort.ts); those nodes are gone from `upper`. */
  readonly sort: VectorSort | null;
  readonly synthetic: TableInfo;
  readonly constants: readonly CompiledExpr[];
}

export interface ColumnPathPlan {
  readonly leaves: readonly PlacedLeaf[];
  /** The statement with each leaf replaced by a scan of its synthetic table. */
  readonly upper: PlannedStatement;
}

const spineKinds = new Set<PhysicalPlan['kind']>(['sort', 'limit', 'project', 'filter', 'distinct', 'hashAggregate', 'window', 'projectSet']);

/**
 * Leaves anywhere along single-input nodes and join inputs (not inside CTEs,
 * set operations or subqueries). Under a join, a leaf without a filter or an
 * aggregate is left to the row store: its rows would come out as objects anyway.
 */
function findLeaves(node: PhysicalPlan, underJoin: boolean, analyze: (n: PhysicalPlan) => VectorLeaf | null, out: VectorLeaf[]): void {
  const leaf = analyze(node);
  if (leaf !== null && (!underJoin || leaf.join !== null || leaf.filters.length > 0 || leaf.output.kind === 'aggregate')) {
    out.push(leaf);
    return;
  }
  if (spineKinds.has(node.kind) && 'input' in node) findLeaves(node.input, underJoin, analyze, out);
  else if (node.kind === 'hashJoin' || node.kind === 'nestedLoopJoin') {
    findLeaves(node.left, true, analyze, out);
    findLeaves(node.right, true, analyze, out);
  } else if (node.kind === 'indexNestedLoopJoin') {
    findLeaves(node.left, true, analyze, out);
  }
}

/** A limit(sort(node)) with constant LIMIT/OFFSET whose first sort key is one of node's output columns: the top-N the leaf may prefilter for. */
function topNOver(plan: PhysicalPlan, node: PhysicalPlan): TopN | null {
  // Projections keep every row: limit(project(sort(...))) and sort(project(node)) (an aggregate's select list
  // reordering its columns, Q3/Q10) are the same top-N, the key mapped through plain column references.
  let sort = plan.kind === 'limit' ? plan.input : null;
  while (sort !== null && sort.kind === 'project') sort = sort.input;
  if (plan.kind === 'limit' && sort !== null && sort.kind === 'sort') {
    const key = sort.keys[0];
    const limit = plan.limit === null ? null : constantCount(plan.limit);
    const offset = constantCount(plan.offset);
    if (key === undefined || key.expr.kind !== 'column' || limit === null || offset === null || limit === 0) return null;
    const column = columnOfNode(key.expr.index, sort.input, node);
    if (column === null) return null;
    return { column, descending: key.descending, count: limit + offset };
  }
  if (spineKinds.has(plan.kind) && 'input' in plan) return topNOver(plan.input, node);
  return null;
}

function replaceNodes(plan: PhysicalPlan, replacements: ReadonlyMap<PhysicalPlan, PhysicalPlan>): PhysicalPlan {
  const replaced = replacements.get(plan);
  if (replaced !== undefined) return replaced;
  if (spineKinds.has(plan.kind) && 'input' in plan) return { ...plan, input: replaceNodes(plan.input, replacements) } as PhysicalPlan;
  if (plan.kind === 'hashJoin' || plan.kind === 'nestedLoopJoin') return { ...plan, left: replaceNodes(plan.left, replacements), right: replaceNodes(plan.right, replacements) };
  if (plan.kind === 'indexNestedLoopJoin') return { ...plan, left: replaceNodes(plan.left, replacements) };
  return plan;
}

/** The column-path form of a query, or null when no part of it can run vectorized. */
export function planColumnPath(planned: PlannedStatement, parameterTypes: readonly SqlType[]): ColumnPathPlan | null {
  if (planned.kind !== 'query') return null;
  const build = new BuildContext(planned.subplans, parameterTypes, null);
  const found: VectorLeaf[] = [];
  findLeaves(planned.plan, false, (n) => analyzeLeaf(n, (e) => build.compile(e)), found);
  if (found.length === 0) return null;
  const replacements = new Map<PhysicalPlan, PhysicalPlan>();
  const leaves = found.map((leaf, k): PlacedLeaf => {
    const name = `${syntheticPrefix}${k + 1}`;
    const synthetic: TableInfo = {
      id: 0, schema: '', name, primaryKey: null, indexes: [], checks: [],
      columns: leaf.columns.map((c, i) => ({ id: i + 1, name: c.name, type: c.type, position: i, notNull: false, defaultExpr: null, identity: null })),
    };
    const scan: PhysicalPlan = { kind: 'seqScan', table: synthetic, alias: name, withKey: false, filter: null, columns: leaf.columns };
    const sort = vectorSortOver(planned.plan, leaf.node);
    if (sort === null) replacements.set(leaf.node, scan);
    else replacements.set(sort.top, withoutSort(sort, leaf.node, scan));
    return { leaf, topN: sort === null ? topNOver(planned.plan, leaf.node) : null, sort, synthetic, constants: leaf.constants.map((e) => build.compile(e)) };
  });
  return { leaves, upper: { ...planned, plan: replaceNodes(planned.plan, replacements) } };
}

export interface PathChoice {
  readonly path: 'row' | 'column';
  readonly reason: string;
}

function settingOf(runtime: RuntimeContext, name: string): string | undefined {
  return runtime.session.setting(name)?.trim().toLowerCase();
}

function liveRowsEstimate(columns: ColumnAccess, tableId: number): number {
  try {
    // Right after a load the rows may still sit in the store's batch buffer (up to 50 ms): counted as 0, the
    // first analytic query after a COPY or INSERT ... SELECT took the row path.
    if (columns.store.appliedIndex() < columns.readIndex) columns.store.applyBuffered();
    const index = Math.min(columns.readIndex, columns.store.appliedIndex());
    let rows = 0;
    for (const z of columns.store.tableZones(tableId, [], index)) rows += z.rowCount - z.deletedCount;
    return rows;
  } catch {
    return 0;
  }
}

/** The path before waiting for freshness (the column path may still fall back after the wait). */
export function choosePath(plan: ColumnPathPlan | null, runtime: RuntimeContext): PathChoice {
  const forced = settingOf(runtime, readPathSetting) ?? 'auto';
  if (forced === 'row') return { path: 'row', reason: `${readPathSetting} = row` };
  if (plan === null) return { path: 'row', reason: 'not supported by the vectorized path' };
  const columns = runtime.columns;
  if (columns === undefined) return { path: 'row', reason: 'no column store' };
  const tables = plan.leaves.flatMap((l) => l.leaf.tables);
  const written = tables.find((t) => columns.hasOwnWrites(t.id));
  if (written !== undefined) return { path: 'row', reason: `the transaction has uncommitted writes to ${written.name}` };
  if (forced === 'column') return { path: 'column', reason: `${readPathSetting} = column` };
  const missing = tables.find((t) => columns.store.readHorizon(t.id) === undefined);
  if (missing !== undefined) return { path: 'row', reason: `${missing.name} is not in the column store yet` };
  let largest = tables[0];
  let largestRows = -1;
  for (const t of tables) {
    const rows = liveRowsEstimate(columns, t.id);
    if (rows > largestRows) { largest = t; largestRows = rows; }
  }
  const name = largest?.name ?? '?';
  if (largestRows < autoRowsMin) return { path: 'row', reason: `auto: ${name} has about ${largestRows} rows (< ${autoRowsMin})` };
  return { path: 'column', reason: `auto: ${name} has about ${largestRows} rows` };
}

function environment(runtime: RuntimeContext): ExecEnv {
  return {
    runtime, typeSession: makeSession(sessionTimeZone(runtime.session.timeZone), runtime.transactionTimestampMicros), params: runtime.parameters, outer: [],
    ctes: new Map(), workTables: new Map(), subqueryCache: new Map(),
  };
}

function waitTimeoutMs(runtime: RuntimeContext): number {
  const raw = settingOf(runtime, columnWaitTimeoutSetting);
  if (raw === undefined || raw === '') return columnWaitTimeoutMsDefault;
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|min|h|d)?$/.exec(raw);
  if (m === null) return columnWaitTimeoutMsDefault;
  const units: Readonly<Record<string, number>> = { s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };
  const factor = units[m[2] ?? ''] ?? 1;
  return Math.round(Number(m[1]) * factor);
}

/** Waits until the column store has applied the read index; false: fall back to the row path (thunderdb.column_fallback = on). */
async function waitFresh(columns: ColumnAccess, runtime: RuntimeContext): Promise<boolean> {
  const timeoutMs = waitTimeoutMs(runtime);
  vectorizedCounters.waitChecks++;
  if (columns.store.appliedIndex() >= columns.readIndex) return true;
  const started = performance.now();
  vectorizedCounters.waits++;
  try {
    await columns.store.waitApplied(columns.readIndex, timeoutMs);
    vectorizedCounters.waitMs += performance.now() - started;
    return true;
  } catch (error) {
    vectorizedCounters.waitMs += performance.now() - started;
    if (!(error instanceof WaitAppliedTimeoutError)) throw error;
    if (settingOf(runtime, columnFallbackSetting) === 'on') return false;
    throw new SqlError('57014', `canceling statement: the column store did not reach read index ${columns.readIndex} within ${timeoutMs} ms (it is at ${columns.store.appliedIndex()})`, {
      hint: `Retry, raise ${columnWaitTimeoutSetting}, SET ${readPathSetting} = 'row', or SET ${columnFallbackSetting} = on to use the row path when the column store lags.`,
    });
  }
}

type LeafRows = readonly (readonly SqlValue[])[];

function feedingAccess(access: TableAccess, fed: ReadonlyMap<TableInfo, () => Promise<LeafRows>>): TableAccess {
  const empty = new Uint8Array(0);
  async function* batches(leafRows: () => Promise<LeafRows>): RowBatches {
    const rows = await leafRows();
    const batchRowsMax = 1024;
    for (let i = 0; i < rows.length; i += batchRowsMax) {
      const batch: RowHandle[] = rows.slice(i, i + batchRowsMax).map((row) => ({ key: empty, row }));
      yield batch;
    }
  }
  return {
    scan: (table) => {
      const rows = fed.get(table);
      return rows === undefined ? access.scan(table) : batches(rows);
    },
    lookup: (t, i, v) => access.lookup(t, i, v),
    conflicts: (t, r, i) => access.conflicts(t, r, i),
    insert: (t, r) => access.insert(t, r),
    update: (t, o, r) => access.update(t, o, r),
    delete: (t, o) => access.delete(t, o),
    nextIdentity: (t, c) => access.nextIdentity(t, c),
  };
}

export function emptyLeafStats(): LeafStats {
  return { segmentsTotal: 0, segmentsPruned: 0, rowsScanned: 0, rowsSelected: 0, groups: 0, joinRows: 0, semiJoinDropped: 0, parallelDegree: 0, elapsedMs: 0, operators: new Map(), pausedMs: 0 };
}

/** Errors after which the row path answers: a compaction raised the table's scan horizon past this read index, the table changed, or a value cannot be exact. */
function isFallback(error: unknown): boolean {
  return error instanceof VectorFallback || error instanceof SnapshotTooOldError || error instanceof UnknownTableError;
}

/**
 * Runs the leaves and returns the runtime the upper plan runs with (each
 * synthetic scan fed with its leaf's rows), or null to use the row path.
 * `lazy` (EXPLAIN ANALYZE): each leaf runs when the upper plan first reads
 * its scan, so the nodes above and Execution Time include its time, as
 * PostgreSQL's inclusive times do; a fallback then surfaces from the upper
 * plan's execution (isFallback), where the caller reruns on the row path.
 */
async function columnRuntime(plan: ColumnPathPlan, runtime: RuntimeContext, stats: readonly LeafStats[], lazy = false): Promise<RuntimeContext | null> {
  const columns = runtime.columns;
  if (columns === undefined || !(await waitFresh(columns, runtime))) return null;
  for (const table of plan.leaves.flatMap((l) => l.leaf.tables)) {
    const horizon = columns.store.readHorizon(table.id);
    if (horizon === undefined || horizon > columns.readIndex) return null;
  }
  const env = environment(runtime);
  const fed = new Map<TableInfo, () => Promise<LeafRows>>();
  const run = async (placed: PlacedLeaf, leafStats: LeafStats): Promise<LeafRows> => {
    const constants = placed.constants.map((c) => c.evaluate([], env));
    const started = performance.now();
    const rows = orderedLeafRows(await runLeaf(placed.leaf, columns, env, constants, leafStats, placed.topN ?? sortPrefilter(placed.sort, placed.leaf), placed.sort), placed.leaf, placed.sort);
    if (placed.sort !== null) leafStats.sorted = { rows: rows.length, ms: performance.now() - started - leafStats.pausedMs };
    if (placed.leaf.join !== null) vectorizedCounters.joinRuns++;
    if (leafStats.parallelDegree > 0) vectorizedCounters.fusedRuns++;
    if (leafStats.parallelDegree > 1) vectorizedCounters.parallelRuns++;
    return rows;
  };
  try {
    for (const [k, placed] of plan.leaves.entries()) {
      for (const table of placed.leaf.tables) columns.noteTableRead(table.id);
      const leafStats = stats[k] ?? emptyLeafStats();
      if (lazy) {
        // Once, however often the plan above rescans it (the inner side of a nested loop).
        let rows: Promise<LeafRows> | undefined;
        fed.set(placed.synthetic, () => (rows ??= run(placed, leafStats)));
      } else {
        const rows = await run(placed, leafStats);
        fed.set(placed.synthetic, () => Promise.resolve(rows));
      }
    }
    if (!lazy) vectorizedCounters.columnRuns++;
    return { ...runtime, access: feedingAccess(runtime.access, fed) };
  } catch (error) {
    if (isFallback(error)) {
      vectorizedCounters.fallbacks++;
      return null;
    }
    throw error;
  }
}

/** The whole leaf's numbers on one line: for a leaf whose operators counted nothing of their own (a kernel that fills only LeafStats). */
function summaryText(stats: LeafStats): string {
  return `(segments: ${stats.segmentsTotal - stats.segmentsPruned} of ${stats.segmentsTotal} scanned, ${stats.segmentsPruned} pruned; rows scanned=${stats.rowsScanned} selected=${stats.rowsSelected}${stats.semiJoinDropped > 0 ? ` semi-join dropped=${stats.semiJoinDropped}` : ''}${stats.joinRows > 0 ? ` joined=${stats.joinRows}` : ''}${stats.groups > 0 ? ` groups=${stats.groups}` : ''}${stats.parallelDegree > 0 ? `; fused${stats.parallelDegree > 1 ? `, parallel workers=${stats.parallelDegree}` : ''}` : ''}; time=${stats.elapsedMs.toFixed(3)} ms)`;
}

/** PostgreSQL's annotation (explain.ts's statsText); rows -1: counted only by the fused kernel's line above. */
function actual(op: OperatorStats): string {
  if (op.rows < 0) return ' (inside the fused kernel above)';
  const first = Math.max(op.firstMs, 0);
  return ` (actual time=${first.toFixed(3)}..${Math.max(op.totalMs, first).toFixed(3)} rows=${op.rows} loops=1)`;
}

function rowCount(n: number): string {
  return `${n} row${n === 1 ? '' : 's'}`;
}

/** One operator line of a leaf: its depth below the leaf's top, text, annotation and detail lines. */
interface LeafLine {
  readonly depth: number;
  readonly text: string;
  readonly annotation: string;
  readonly details: readonly string[];
}

/**
 * The leaf's lines (leaf.ts's `operators`: top, [filter], scan or join, then
 * each join input's own lines) with ANALYZE's numbers from `stats` (null:
 * plain EXPLAIN). Null when `operators` is not in that shape (then the
 * lines print as they are).
 */
function leafLines(leaf: VectorLeaf, stats: LeafStats | null, top: boolean): LeafLine[] | null {
  const own = leaf.filters.length > 0 ? 3 : 2;
  const children = leaf.join === null ? [] : [leaf.join.left, leaf.join.right];
  const texts = leaf.operators.slice(0, own);
  if (texts.length !== own || texts.some((l, k) => l.depth !== k)) return null;
  const ops: LeafOperatorStats | undefined = stats?.operators.get(leaf);
  const inKernel = ' (inside the fused kernel above)';
  const line = (k: number, op: (o: LeafOperatorStats) => OperatorStats, details: (o: LeafOperatorStats) => string[]): LeafLine => {
    const text = texts[k]?.text ?? '';
    if (stats === null) return { depth: k, text, annotation: '', details: [] };
    if (ops === undefined) return { depth: k, text, annotation: stats.parallelDegree > 0 ? inKernel : ' (never executed)', details: [] };
    return { depth: k, text, annotation: actual(op(ops)), details: op(ops).rows < 0 ? [] : details(ops) };
  };
  const out: LeafLine[] = [];
  out.push(line(0, (o) => o.top, (o) => {
    const d: string[] = [];
    const unit = leaf.output.kind === 'aggregate' ? 'groups' : 'rows';
    if (leaf.output.kind === 'aggregate') d.push(`Groups: ${o.top.groups} from ${o.top.rowsIn} rows`);
    if (o.top.topNFrom >= 0) d.push(`Top-N Prefilter: kept ${o.top.rows} of ${o.top.topNFrom} ${unit}`);
    if (o.top.keySetDropped > 0) d.push(`Rows Removed by Join Key Sets: ${o.top.keySetDropped}`);
    // Operator times leave out the leaf's yields of the thread (other sessions, background work); Execution Time does not.
    if (top && stats !== null && stats.pausedMs >= 0.0005) d.push(`Yielded: ${stats.pausedMs.toFixed(3)} ms to other work (not in the times of the vectorized lines)`);
    // "fused;" / "fused, parallel workers=N;" as the one-line summary said it (parallel/'s tests look for it).
    if (o.fused > 0 && top) d.push(`Kernel: fused${o.fused > 1 ? `, parallel workers=${o.fused}` : ''}; ${leaf.join === null ? 'scan, filters and aggregate' : 'fact scan, filters, join and aggregate'} in one loop${o.fused > 1 ? '' : ' on this thread'}`);
    return d;
  }));
  // The filter's input: the line below it.
  if (own === 3) out.push(line(1, (o) => o.filter, (o) => {
    const below = leaf.join === null ? o.scan : o.join;
    return o.fused > 0 && leaf.join !== null ? [] : [`Rows Removed by Filter: ${below.rows - o.filter.rows}`];
  }));
  out.push(line(own - 1, (o) => (leaf.join === null ? o.scan : o.join), (o) => {
    if (leaf.join === null) {
      const d = [`Segments: ${o.scan.segmentsTotal - o.scan.segmentsPruned} of ${o.scan.segmentsTotal} scanned, ${o.scan.segmentsPruned} pruned by zone maps`, `Rows Scanned: ${o.scan.rowsVisible}`];
      if (o.scan.keySetDropped > 0) d.push(`Rows Removed by Join Key Sets: ${o.scan.keySetDropped}`);
      return d;
    }
    const j = o.join;
    const other = j.buildSide === 'left' ? 'right' : 'left';
    const d = [`Build: ${j.buildSide} input (${rowCount(j.buildRows)}), probed by the ${other} input (${rowCount(j.probeRows)})`];
    if (j.keySets !== null) d.push(`Join Key Sets: the ${j.keySets.into === 'left' ? 'right' : 'left'} input's keys (${j.keySets.keys} key${j.keySets.keys === 1 ? '' : 's'}) pushed into the ${j.keySets.into} input, removed ${rowCount(j.keySets.dropped)} there`);
    if (o.fused > 0) d.push('Fused: rows counted after the join\'s filters');
    return d;
  }));
  if (leaf.pruneRules.length > 0 && leaf.join === null) {
    // What the plan prunes by, before what this run pruned.
    const scan = out[out.length - 1];
    if (scan !== undefined) out[out.length - 1] = { ...scan, details: [`Zone Map Pruning: ${leaf.pruneRules.length} range/equality conjuncts`, ...scan.details] };
  }
  let rest = leaf.operators.length - own;
  for (const child of children) {
    const lines = leafLines(child, stats, false);
    if (lines === null) return null;
    rest -= lines.length;
    for (const l of lines) out.push({ ...l, depth: own + l.depth });
  }
  if (rest !== 0) return null;
  // A kernel that filled only the leaf's totals: they go on the top line, as before per-operator numbers. (A leaf
  // the plan above never read keeps "never executed".)
  const ran = stats !== null && (stats.parallelDegree > 0 || stats.elapsedMs > 0);
  if (top && stats !== null && ran && ops === undefined && out[0] !== undefined) out[0] = { ...out[0], annotation: ` ${summaryText(stats)}` };
  return out;
}

function spliceLeaves(lines: readonly string[], plan: ColumnPathPlan, stats: readonly LeafStats[] | null): string[] {
  let out = [...lines];
  plan.leaves.forEach((placed, k) => { out = spliceLeaf(out, placed, stats === null ? null : (stats[k] ?? emptyLeafStats())); });
  return out;
}

/** EXPLAIN lines of the upper plan with a synthetic scan replaced by its leaf's operators. */
function spliceLeaf(lines: readonly string[], placed: PlacedLeaf, stats: LeafStats | null): string[] {
  const at = lines.findIndex((l) => l.includes(`Seq Scan on ${placed.synthetic.name}`));
  if (at < 0) return [...lines];
  const line = lines[at] ?? '';
  const prefix = /^\s*(->\s+)?/.exec(line)?.[0] ?? '';
  const base = prefix.length - (prefix.includes('->') ? 4 : 0);
  const own = leafLines(placed.leaf, stats, true) ?? placed.leaf.operators.map((op, k) => ({ ...op, annotation: k === 0 && stats !== null ? ` ${summaryText(stats)}` : '', details: [] }));
  // A Vectorized Sort / Top-N / Limit (sort.ts) heads the leaf: its own line, the leaf's lines one level down.
  const sortLine = withSortOperator(placed.leaf, placed.sort).operators[0];
  const sorted = stats?.sorted;
  const shaped: LeafLine[] = placed.sort === null || sortLine === undefined ? own : [
    { depth: 0, text: sortLine.text, annotation: stats === null ? '' : sorted === undefined ? ' (never executed)' : actual({ rows: sorted.rows, firstMs: sorted.ms, totalMs: sorted.ms }), details: [] },
    ...own.map((op) => ({ ...op, depth: op.depth + 1 })),
  ];
  const leafTop = placed.sort === null ? 0 : 1;
  const out: string[] = [];
  shaped.forEach((op, k) => {
    const indent = base + op.depth * 6;
    const arrow = k > 0 || prefix.includes('->');
    const topN = k === leafTop && placed.topN !== null ? ` (top-${placed.topN.count} prefilter)` : '';
    out.push(`${' '.repeat(indent)}${arrow ? '->  ' : ''}${op.text}${topN}${op.annotation}`);
    for (const d of op.details) out.push(`${' '.repeat(indent + (arrow ? 6 : 2))}${d}`);
  });
  return [...lines.slice(0, at), ...out, ...lines.slice(at + 1)];
}

/** The executable the compiler hands out: the row executable, and the column path beside it when the statement has a leaf. */
export function withColumnPath(planned: PlannedStatement | PlannedExplain, parameterTypes: readonly SqlType[], rowExecutable: Executable): Executable {
  const statement = planned.kind === 'explain' ? planned.statement : planned;
  const plan = planColumnPath(statement, parameterTypes);
  if (planned.kind !== 'explain') {
    if (plan === null) return rowExecutable;
    const upper = buildExecutable(plan.upper, parameterTypes);
    return {
      async execute(runtime) {
        if (choosePath(plan, runtime).path === 'column') {
          const columnRun = await columnRuntime(plan, runtime, plan.leaves.map(() => emptyLeafStats()));
          if (columnRun !== null) return upper.execute(columnRun);
        }
        return rowExecutable.execute(runtime);
      },
    };
  }
  return {
    async execute(runtime): Promise<StatementResult> {
      // Without a column store there is no choice to report: EXPLAIN stays exactly the row path's.
      if (runtime.columns === undefined) return rowExecutable.execute(runtime);
      const choice = choosePath(plan, runtime);
      if (choice.path === 'column' && plan !== null) {
        if (!planned.analyze) {
          const lines = [...spliceLeaves(explainLines(plan.upper, null), plan, null), `Read Path: column (${choice.reason})`];
          return explainResult(lines);
        }
        const stats = plan.leaves.map(() => emptyLeafStats());
        const columnRun = await columnRuntime(plan, runtime, stats, true);
        if (columnRun !== null) {
          try {
            // The leaves run inside this execution (lazy): Execution Time and the nodes above include them.
            const result = await buildExplain({ ...planned, statement: plan.upper }, parameterTypes).execute(columnRun);
            vectorizedCounters.columnRuns++;
            const lines = result.kind === 'rows' ? result.rows.map((r) => String(r[0])) : [];
            return explainResult([...spliceLeaves(lines, plan, stats), `Read Path: column (${choice.reason})`]);
          } catch (error) {
            if (!isFallback(error)) throw error;
            vectorizedCounters.fallbacks++;
          }
        }
        return withFooter(await rowExecutable.execute(runtime), 'row (the column path fell back at run time)');
      }
      return withFooter(await rowExecutable.execute(runtime), `${choice.path} (${choice.reason})`);
    },
  };
}

function explainResult(lines: readonly string[]): StatementResult {
  return { kind: 'rows', columns: [{ name: 'QUERY PLAN', type: { kind: 'text' }, tableId: 0, columnNumber: 0 }], rows: lines.map((l) => [l]), tag: 'EXPLAIN' };
}

function withFooter(result: StatementResult, path: string): StatementResult {
  if (result.kind !== 'rows') return result;
  return { ...result, rows: [...result.rows, [`Read Path: ${path}`]] };
}
