// Compaction: merges runs of adjacent sealed segments that are small or hold
// deleted rows into one segment, dropping rows deleted at or below the
// horizon (the oldest read index still in use). Rows keep their insert index
// and order, and rows deleted above the horizon keep their delete mark, so a
// scan at or above the horizon sees exactly what it saw before. One group is
// merged synchronously at a time; the caller yields between groups.

import type { SqlValue } from '../entries/index.js';
import type { ColumnCore } from './core.js';
import { Segment } from './segment.js';
import type { TableColumns } from './table.js';
import { vectorValue } from './vectors.js';

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

/** Merges one group into a new sealed segment (null when no row survives) and swaps it in. */
export function mergeGroup(core: ColumnCore, table: TableColumns, group: readonly Segment[], horizon: number): CompactionStep {
  const columns = table.def.columns.map((c) => ({ id: c.id, type: c.type }));
  let kept = 0;
  for (const s of group) kept += s.rowCount - droppable(s, horizon);
  const merged = kept === 0 ? null : Segment.open(table.nextSegmentId++, columns, kept, core.config, kept);
  let dropped = 0;
  for (const source of group) {
    const positions = columns.map((c) => source.columns.findIndex((sc) => sc.id === c.id));
    const missing = table.def.columns.map((c): SqlValue => c.missingValue ?? null);
    const vectors = positions.map((p) => (p >= 0 ? source.vector(p) : null));
    for (let offset = 0; offset < source.rowCount; offset++) {
      const deletedAt = source.deletes.get(offset);
      if (deletedAt !== undefined && deletedAt <= horizon) {
        dropped++;
        continue;
      }
      if (merged === null) continue;
      const row = vectors.map((v, i) => (v === null ? (missing[i] ?? null) : vectorValue(v, offset)));
      const at = merged.append(row, source.keyAt(offset), source.insertIndexAt(offset));
      if (deletedAt !== undefined) merged.markDeleted(at, deletedAt);
    }
  }
  merged?.seal();
  table.replaceSegments(group, merged);
  if (dropped > 0) table.scanHorizon = Math.max(table.scanHorizon, horizon);
  // Dropped columns are not carried over: readers from before the drop can no longer be answered.
  const losesColumns = merged !== null && group.some((s) => s.columns.some((c) => !columns.some((k) => k.id === c.id)));
  if (losesColumns) table.scanHorizon = Math.max(table.scanHorizon, table.columnsChangedAt);
  return { tableId: table.id, segmentsMerged: group.length, rowsDropped: dropped, rowsWritten: kept };
}
