// One table's column data: its segments in insert order (the open segment,
// if any, last), the key → position index, and the index below which scans
// are refused because a truncate or compaction removed rows they would see.

import { invariant } from '../assert.js';
import type { TableDef } from '../catalog/index.js';
import type { ColumnDef, Row } from '../entries/index.js';
import type { BuilderOptions } from './column-builder.js';
import { KeyIndex } from './key-index.js';
import { Segment } from './segment.js';

export interface TableConfig extends BuilderOptions {
  readonly segmentRowsMax: number;
  /** Rows an open segment allocates first (doubling up to segmentRowsMax). */
  readonly segmentInitialRows: number;
}

/**
 * The stride of row positions (segment id × stride + offset): fixed, not the
 * configured segmentRowsMax, so segments written under another setting still
 * load. segmentRowsMax may not exceed it; 2^33 segment ids stay below 2^53.
 */
export const positionStride = 1 << 20;

export class TableColumns {
  segments: Segment[] = [];
  readonly byId = new Map<number, Segment>();
  keyIndex: KeyIndex;
  nextSegmentId = 1;
  /** Scans at a read index below this are refused (SnapshotTooOldError). */
  scanHorizon: number;
  /**
   * Columns dropped by ALTER TABLE, so a scan at a read index before the drop
   * (with the catalog of that index) still reads them. Compaction does not
   * carry them into merged segments; it raises the scan horizon instead.
   */
  readonly droppedColumns = new Map<number, ColumnDef>();
  /** The index of the last column-changing ALTER TABLE (0: none). */
  columnsChangedAt = 0;

  constructor(public def: TableDef, createdAt: number, private readonly config: TableConfig) {
    this.scanHorizon = createdAt;
    this.keyIndex = this.newKeyIndex();
  }

  private newKeyIndex(): KeyIndex {
    return new KeyIndex((position, key) => {
      const { segment, offset } = this.locate(position);
      return segment.keyEquals(offset, key);
    });
  }

  /** A column of the table now or dropped since (undefined: never a column of it). */
  columnById(id: number): ColumnDef | undefined {
    return this.def.columns.find((c) => c.id === id) ?? this.droppedColumns.get(id);
  }

  get id(): number {
    return this.def.id;
  }

  positionOf(segment: Segment, offset: number): number {
    return segment.id * positionStride + offset;
  }

  locate(position: number): { readonly segment: Segment; readonly offset: number } {
    const segmentId = Math.floor(position / positionStride);
    const segment = this.byId.get(segmentId);
    if (segment === undefined) invariant(false, `table ${this.id}: key index points at missing segment ${segmentId}`);
    return { segment, offset: position - segmentId * positionStride };
  }

  openSegment(): Segment | null {
    const last = this.segments[this.segments.length - 1];
    return last !== undefined && !last.sealed ? last : null;
  }

  /** Seals the open segment (a column-changing ALTER, or its rows are full). */
  sealOpen(): void {
    const open = this.openSegment();
    if (open === null) return;
    if (open.rowCount === 0) this.removeSegment(open);
    else open.seal();
  }

  private segmentFor(index: number): Segment {
    const open = this.openSegment();
    if (open !== null && open.canAppend(index)) return open;
    this.sealOpen();
    const columns = this.def.columns.map((c) => ({ id: c.id, type: c.type }));
    const segment = Segment.open(this.nextSegmentId++, columns, this.config.segmentRowsMax, this.config, this.config.segmentInitialRows);
    this.addSegment(segment);
    return segment;
  }

  addSegment(segment: Segment): void {
    invariant(!this.byId.has(segment.id), `table ${this.id}: segment ${segment.id} added twice`);
    invariant(segment.rowCount <= positionStride && segment.capacity <= positionStride, `table ${this.id}: segment ${segment.id} holds more than ${positionStride} rows`);
    this.segments.push(segment);
    this.byId.set(segment.id, segment);
    if (segment.id >= this.nextSegmentId) this.nextSegmentId = segment.id + 1;
  }

  private removeSegment(segment: Segment): void {
    this.segments = this.segments.filter((s) => s !== segment);
    this.byId.delete(segment.id);
  }

  /** Appends a row in the table's current column order; the key must be absent. */
  insert(row: Row, key: Uint8Array, index: number): void {
    const segment = this.segmentFor(index);
    const offset = segment.append(row, key, index);
    this.keyIndex.insert(key, this.positionOf(segment, offset));
  }

  /** Deletes the row with this key; it must exist. */
  delete(key: Uint8Array, index: number): void {
    const position = this.keyIndex.remove(key);
    if (position < 0) invariant(false, `table ${this.id}: delete or update of a key with no live row`);
    const { segment, offset } = this.locate(position);
    segment.markDeleted(offset, index);
  }

  hasKey(key: Uint8Array): boolean {
    return this.keyIndex.get(key) >= 0;
  }

  truncate(index: number): void {
    this.droppedColumns.clear();
    this.segments = [];
    this.byId.clear();
    this.keyIndex = this.newKeyIndex();
    this.scanHorizon = Math.max(this.scanHorizon, index);
  }

  /** Rebuilds the key index from the segments' live rows (after loading). */
  rebuildKeyIndex(): void {
    this.keyIndex = this.newKeyIndex();
    for (const segment of this.segments) {
      for (let offset = 0; offset < segment.rowCount; offset++) {
        if (!segment.isDeleted(offset)) this.keyIndex.insert(segment.keyAt(offset), this.positionOf(segment, offset));
      }
    }
  }

  /** Swaps the adjacent segments `replaced` for `merged` (compaction), re-pointing the key index. */
  replaceSegments(replaced: readonly Segment[], merged: Segment | null): void {
    const first = this.segments.indexOf(replaced[0] as Segment);
    invariant(first >= 0 && replaced.every((s, i) => this.segments[first + i] === s), `table ${this.id}: compaction of segments that are not adjacent`);
    // Probes compare keys through byId: old and new segments are both reachable while entries move.
    if (merged !== null) {
      invariant(!this.byId.has(merged.id), `table ${this.id}: merged segment ${merged.id} already present`);
      this.byId.set(merged.id, merged);
      for (let offset = 0; offset < merged.rowCount; offset++) {
        if (!merged.isDeleted(offset)) this.keyIndex.move(merged.keyAt(offset), this.positionOf(merged, offset));
      }
    }
    for (const s of replaced) this.byId.delete(s.id);
    this.segments.splice(first, replaced.length, ...(merged === null ? [] : [merged]));
  }

  get rowCount(): number {
    return this.segments.reduce((n, s) => n + s.rowCount, 0);
  }

  get liveCount(): number {
    return this.keyIndex.size;
  }
}
