// Compaction: merges runs of adjacent sealed segments that are small or hold
// deleted rows into one segment, dropping rows deleted at or below the
// horizon (the oldest read index still in use). Rows keep their insert index
// and order, and rows deleted above the horizon keep their delete mark, so a
// scan at or above the horizon sees exactly what it saw before.
//
// A merge has three steps. planMerge (query thread) picks the kept rows and
// hands out the columns' arrays as a MergeJob; the job (merge-kernel.ts) runs
// on a compaction worker thread, or inline; finishMerge (query thread again)
// checks that the table still holds those segments with the same columns,
// carries over deletes that arrived while the job ran, and swaps the merged
// segment in. Entries go on applying while a job runs: sealed segments only
// ever gain deletes, which finishMerge maps to the merged rows.

import { sameType, type SqlType, type SqlValue } from '../entries/index.js';
import { compareDecimal, createColumnBuilder, type BuilderOptions } from './column-builder.js';
import type { ColumnCore } from './core.js';
import type { MergeColumnJob, MergeColumnSource, MergedColumn, MergeJob, MergeResult } from './merge-kernel.js';
import { Segment, type SegmentColumn } from './segment.js';
import type { TableColumns } from './table.js';
import { compareText, vectorValue, type ColumnVector, type ZoneMap } from './vectors.js';

export interface CompactionPolicy {
  /** Rows deleted at or below this index are dropped. */
  readonly horizonIndex: number;
  /** A sealed segment with fewer live rows than this fraction of segmentRowsMax is a merge candidate. */
  readonly fillFractionMin: number;
}

export interface CompactionStep {
  readonly tableId: number;
  readonly segmentsMerged: number;
  readonly rowsDropped: number;
  readonly rowsWritten: number;
}

const insertDeltaMax = 0xffff_ffff;

function droppable(segment: Segment, horizon: number): number {
  let n = 0;
  for (const index of segment.deletes.values()) if (index <= horizon) n++;
  return n;
}

/** The first run of adjacent sealed segments worth merging, or null. */
export function pickGroup(table: TableColumns, segmentRowsMax: number, policy: CompactionPolicy): Segment[] | null {
  let group: Segment[] = [];
  let rows = 0;
  let dropped = 0;
  const worth = (): boolean => group.length >= 2 || dropped > 0;
  for (const segment of table.segments) {
    const drop = droppable(segment, policy.horizonIndex);
    const kept = segment.rowCount - drop;
    const candidate = segment.sealed && (drop > 0 || kept < segmentRowsMax * policy.fillFractionMin);
    const first = group[0];
    const fits = first !== undefined && rows + kept <= segmentRowsMax && segment.lastInsertIndex - first.baseIndex <= insertDeltaMax;
    if (!candidate || (group.length > 0 && !fits)) {
      if (worth()) return group;
      group = [];
      rows = 0;
      dropped = 0;
      if (!candidate) continue;
    }
    group.push(segment);
    rows += kept;
    dropped += drop;
  }
  return worth() ? group : null;
}

/**
 * A column the merge job cannot gather as arrays (a source lacks it: added
 * after the segment was written; or the sources' encodings disagree in a way
 * the kernel does not bridge, e.g. decimal64 beside generic numeric). Built
 * here, value by value, as before the kernel existed; rare.
 */
interface RowWiseColumn {
  readonly position: number;
  readonly vector: ColumnVector;
  readonly zone: ZoneMap;
}

/** A merge picked and snapshotted, waiting for its job to run. */
export interface PlannedMerge {
  readonly table: TableColumns;
  readonly group: readonly Segment[];
  readonly horizon: number;
  readonly columns: readonly SegmentColumn[];
  /** Per source, the offsets kept. */
  readonly keep: readonly Uint32Array[];
  readonly rowsDropped: number;
  /** Null when no row survives (the group is just removed). */
  readonly job: MergeJob | null;
  /** Positions (in `columns`) the job builds; the others are rowWise. */
  readonly jobPositions: readonly number[];
  readonly rowWise: readonly RowWiseColumn[];
}

/** Picks the kept rows of `group` and prepares the job that merges them. */
export function planMerge(core: ColumnCore, table: TableColumns, group: readonly Segment[], horizon: number): PlannedMerge {
  const columns = table.def.columns.map((c) => ({ id: c.id, type: c.type }));
  let rowsDropped = 0;
  const keep = group.map((s) => {
    const dropping = droppable(s, horizon);
    rowsDropped += dropping;
    const rows = new Uint32Array(s.rowCount - dropping);
    let n = 0;
    // The delete bitmap first: only deleted rows pay for a Map lookup.
    for (let offset = 0; offset < s.rowCount; offset++) {
      if (dropping > 0 && s.isDeleted(offset) && (s.deletes.get(offset) as number) <= horizon) continue;
      rows[n++] = offset;
    }
    return rows;
  });
  const kept = keep.reduce((n, k) => n + k.length, 0);
  if (kept === 0) return { table, group, horizon, columns, keep, rowsDropped, job: null, jobPositions: [], rowWise: [] };
  const jobColumns: MergeColumnJob[] = [];
  const jobPositions: number[] = [];
  const rowWise: RowWiseColumn[] = [];
  columns.forEach((column, position) => {
    const vectors = group.map((s) => {
      const p = s.columns.findIndex((sc) => sc.id === column.id);
      return p >= 0 ? s.vector(p) : null;
    });
    const typesAgree = group.every((s) => s.columns.some((sc) => sc.id === column.id && sameType(sc.type, column.type)));
    const job = typesAgree ? columnJob(vectors, core.config) : null;
    if (job !== null) {
      jobColumns.push(job);
      jobPositions.push(position);
    } else {
      const missing = table.def.columns[position]?.missingValue ?? null;
      rowWise.push({ position, ...buildRowWise(column.type, vectors, keep, missing, kept, core.config) });
    }
  });
  const rows = group.map((s) => s.rowArrays());
  const job: MergeJob = {
    keep,
    columns: jobColumns,
    keys: rows.map((r) => ({ offsets: exact(r.keyOffsets), bytes: exact(r.keyBytes) })),
    inserts: rows.map((r) => ({ base: r.baseIndex, deltas: exact(r.insertDeltas) })),
  };
  return { table, group, horizon, columns, keep, rowsDropped, job, jobPositions, rowWise };
}

/**
 * Swaps the merged segment in, or returns null when the table changed under
 * the job (dropped, truncated, its segments or columns replaced): nothing is
 * lost, the next compaction picks again.
 */
export function finishMerge(core: ColumnCore, plan: PlannedMerge, result: MergeResult | null): CompactionStep | null {
  const { table, group, horizon, columns, keep } = plan;
  if (core.tables.get(table.id) !== table) return null;
  const first = table.segments.indexOf(group[0] as Segment);
  if (first < 0 || !group.every((s, i) => table.segments[first + i] === s)) return null;
  if (!sameColumns(columns, table.def.columns)) return null;
  let merged: Segment | null = null;
  if (plan.job !== null) {
    if (result === null) return null;
    const vectors: ColumnVector[] = new Array<ColumnVector>(columns.length);
    const zones: ZoneMap[] = new Array<ZoneMap>(columns.length);
    plan.jobPositions.forEach((position, j) => {
      const column = columns[position] as SegmentColumn;
      const out = result.columns[j] as MergedColumn;
      const first = group[0] as Segment;
      const vector = vectorOf(out, first.vector(first.columns.findIndex((sc) => sc.id === column.id)), result.rowCount);
      vectors[position] = vector;
      zones[position] = unionZone(column.type, group.map((s) => s.zone(s.columns.findIndex((sc) => sc.id === column.id))), result.rowCount, out.nullCount);
    });
    for (const c of plan.rowWise) {
      vectors[c.position] = c.vector;
      zones[c.position] = c.zone;
    }
    // Deletes above the horizon, including any applied while the job ran, move with their rows.
    const deletes = new Map<number, number>();
    let at = 0;
    group.forEach((s, g) => {
      const rows = keep[g] as Uint32Array;
      for (const [offset, deletedAt] of s.deletes) {
        const j = indexOfAscending(rows, offset);
        if (j >= 0) deletes.set(at + j, deletedAt);
      }
      at += rows.length;
    });
    merged = Segment.sealed({
      id: table.nextSegmentId++, columns, rowCount: result.rowCount, vectors, zones,
      keyOffsets: result.keyOffsets, keyBytes: result.keyBytes, baseIndex: result.baseIndex, insertDeltas: result.insertDeltas, deletes,
    });
    // Segment.sealed marks them clean; they are not in any file yet.
    merged.deletesDirty = deletes.size > 0;
    merged.compacted = true;
  }
  table.replaceSegments(group, merged);
  if (plan.rowsDropped > 0) table.scanHorizon = Math.max(table.scanHorizon, horizon);
  // Dropped columns are not carried over: readers from before the drop can no longer be answered.
  const losesColumns = merged !== null && group.some((s) => s.columns.some((c) => !columns.some((k) => k.id === c.id)));
  if (losesColumns) table.scanHorizon = Math.max(table.scanHorizon, table.columnsChangedAt);
  const rowsWritten = merged?.rowCount ?? 0;
  return { tableId: table.id, segmentsMerged: group.length, rowsDropped: plan.rowsDropped, rowsWritten };
}

/** The job for one column, or null when it must be built row by row. */
function columnJob(vectors: readonly (ColumnVector | null)[], options: BuilderOptions): MergeColumnJob | null {
  if (vectors.some((v) => v === null)) return null;
  const present = vectors as readonly ColumnVector[];
  const kinds = new Set(present.map((v) => v.kind));
  const sources: MergeColumnSource[] = [];
  const [kind] = kinds;
  if (kinds.size === 1 && kind !== 'dict' && kind !== 'utf8' && kind !== 'generic') {
    // decimal64 columns must agree on the scale their integers are at.
    const scales = new Set(present.map((v) => (v.kind === 'decimal64' ? v.scale : 0)));
    if (scales.size !== 1) return null;
    for (const v of present) if (v.kind !== 'dict' && v.kind !== 'utf8' && v.kind !== 'generic') sources.push({ k: 'fixed', values: exact(v.values), nulls: exactOrNull(v.nulls) });
    return { out: 'fixed', dictionaryMax: options.dictionaryEntriesMax, sources };
  }
  const text = [...kinds].every((k) => k === 'dict' || k === 'utf8');
  if (!text && !(kinds.size === 1 && kind === 'generic')) return null;
  for (const v of present) {
    if (v.kind === 'dict') sources.push({ k: 'dict', codes: exact(v.codes), dictionary: v.dictionary, nulls: exactOrNull(v.nulls) });
    else if (v.kind === 'utf8' || v.kind === 'generic') sources.push({ k: 'bytes', offsets: exact(v.offsets), bytes: exact(v.bytes), nulls: exactOrNull(v.nulls) });
  }
  return { out: kinds.size === 1 && kind === 'dict' ? 'dict' : 'bytes', dictionaryMax: options.dictionaryEntriesMax, sources };
}

function buildRowWise(type: SqlType, vectors: readonly (ColumnVector | null)[], keep: readonly Uint32Array[], missing: SqlValue, rows: number, options: BuilderOptions): { vector: ColumnVector; zone: ZoneMap } {
  const builder = createColumnBuilder(type, rows, options);
  keep.forEach((offsets, g) => {
    const v = vectors[g] ?? null;
    for (const offset of offsets) builder.append(v === null ? missing : vectorValue(v, offset));
  });
  return { vector: builder.seal(), zone: builder.zone() };
}

/** The merged arrays as the vector kind of the sources (the kernel's 'bytes' of a text column is utf8). */
function vectorOf(out: MergedColumn, like: ColumnVector, length: number): ColumnVector {
  if (out.k === 'dict') return { kind: 'dict', length, nulls: out.nulls, codes: out.codes, dictionary: out.dictionary };
  if (out.k === 'bytes') {
    return like.kind === 'generic'
      ? { kind: 'generic', type: like.type, length, nulls: out.nulls, offsets: out.offsets, bytes: out.bytes }
      : { kind: 'utf8', length, nulls: out.nulls, offsets: out.offsets, bytes: out.bytes };
  }
  switch (like.kind) {
    case 'int16': return { kind: 'int16', length, nulls: out.nulls, values: out.values as Int16Array };
    case 'int32': return { kind: 'int32', length, nulls: out.nulls, values: out.values as Int32Array };
    case 'int64': return { kind: 'int64', length, nulls: out.nulls, values: out.values as BigInt64Array };
    case 'float32': return { kind: 'float32', length, nulls: out.nulls, values: out.values as Float32Array };
    case 'float64': return { kind: 'float64', length, nulls: out.nulls, values: out.values as Float64Array };
    case 'decimal64': return { kind: 'decimal64', length, nulls: out.nulls, values: out.values as BigInt64Array, scale: like.scale };
    case 'bool': return { kind: 'bool', length, nulls: out.nulls, values: out.values as Uint8Array };
    default: throw new Error(`compaction: fixed-width merge of a ${like.kind} column`);
  }
}

/**
 * The merged segment's zone map: the sources' min and max combined. Zone maps
 * already bound every row a segment holds, deleted ones included, so the
 * union is a bound of the kept rows too (as conservative as before the merge).
 * A type without an order here keeps no min/max (no pruning, never wrong).
 */
function unionZone(type: SqlType, zones: readonly ZoneMap[], rowCount: number, nullCount: number): ZoneMap {
  const compare = zoneOrder(type);
  let min: SqlValue = null;
  let max: SqlValue = null;
  let bounded = compare !== null;
  for (const z of zones) {
    if (z.nullCount >= z.rowCount) continue; // all NULL: no bound to add
    if (z.min === null || z.max === null) { bounded = false; break; }
    if (compare === null) break;
    if (min === null || compare(z.min, min) < 0) min = z.min;
    if (max === null || compare(z.max, max) > 0) max = z.max;
  }
  return bounded ? { rowCount, nullCount, min, max } : { rowCount, nullCount, min: null, max: null };
}

/** How column-builder.ts orders a type's zone map values, or null for types it keeps none for. */
function zoneOrder(type: SqlType): ((a: SqlValue, b: SqlValue) => number) | null {
  switch (type.kind) {
    case 'numeric': return (a, b) => compareDecimal(a as never, b as never);
    case 'text':
    case 'varchar':
    case 'bpchar': return (a, b) => compareText(a as string, b as string);
    case 'int8':
    case 'timestamp':
    case 'timestamptz': return (a, b) => ((a as bigint) < (b as bigint) ? -1 : (a as bigint) > (b as bigint) ? 1 : 0);
    case 'int2':
    case 'int4':
    case 'date':
    case 'float4':
    case 'float8':
    case 'time': return (a, b) => {
      // NaN sorts above everything, as in PostgreSQL and the builders.
      const x = a as number;
      const y = b as number;
      if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) ? (Number.isNaN(y) ? 0 : 1) : -1;
      return x - y;
    };
    case 'bool': return (a, b) => Number(a as boolean) - Number(b as boolean);
    default: return null;
  }
}

function sameColumns(columns: readonly SegmentColumn[], now: readonly { readonly id: number; readonly type: SqlType }[]): boolean {
  return columns.length === now.length && columns.every((c, i) => c.id === now[i]?.id && sameType(c.type, (now[i] as { type: SqlType }).type));
}

/**
 * A typed array that owns its whole buffer: structured clone copies a view's
 * entire ArrayBuffer, so a column that is a view into a segment file's
 * decompressed bytes would send the whole file. SharedArrayBuffer views are
 * shared, not copied: left as they are.
 */
function exact<T extends ArrayBufferView & { slice(): T }>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  return a.byteOffset === 0 && a.byteLength === a.buffer.byteLength ? a : a.slice();
}

/** Where `value` is in an ascending array, or -1. */
function indexOfAscending(rows: Uint32Array, value: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((rows[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo < rows.length && rows[lo] === value ? lo : -1;
}

function exactOrNull(a: Uint8Array | null): Uint8Array | null {
  return a === null ? null : exact(a);
}
