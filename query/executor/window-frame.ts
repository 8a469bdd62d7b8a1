// Window frames within one sorted partition: ROWS counts rows, RANGE
// compares ORDER BY values (without offsets: up to the last peer), GROUPS
// counts peer groups. Bounds are [start, end) positions in the partition.

import type { BoundFrame, BoundFrameBound } from '../binder/index.js';
import type { FunctionEnv } from '../functions/index.js';
import { SqlError } from '../types/errors.js';
import type { SqlValue } from '../types/value.js';
import { compareKeyValues } from './compare-rows.js';
import type { SortSpec } from './compare-rows.js';

export interface PartitionLayout {
  readonly size: number;
  readonly peersStart: readonly number[];
  readonly peersEnd: readonly number[];
  /** Peer group number of each position, and the first position of each group. */
  readonly group: readonly number[];
  readonly groupStarts: readonly number[];
  /** The first ORDER BY value per position (RANGE with offsets). */
  readonly orderValues: readonly SqlValue[];
}

export interface FrameOffsets {
  readonly start: SqlValue;
  readonly end: SqlValue;
}

function checkOffset(v: SqlValue, which: 'starting' | 'ending'): void {
  if (v === null) throw new SqlError('22004', `frame ${which} offset must not be null`);
  const negative = typeof v === 'object' && v !== null && 'sign' in v ? (v as { sign(): number }).sign() < 0 : (v as number | bigint) < 0;
  if (negative) throw new SqlError('22013', `frame ${which} offset must not be negative`);
}

function asCount(v: SqlValue): number {
  return Number(v as bigint | number);
}

/** First position p >= from with compare(p) >= 0 (or > 0 when `strict`), by binary search over the sorted partition. */
function firstAtOrAfter(layout: PartitionLayout, bound: SqlValue, spec: SortSpec, strict: boolean): number {
  let lo = 0;
  let hi = layout.size;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const c = compareKeyValues(layout.orderValues[mid] ?? null, bound, spec);
    if (strict ? c > 0 : c >= 0) hi = mid; else lo = mid + 1;
  }
  return lo;
}

function rangeBound(layout: PartitionLayout, i: number, bound: BoundFrameBound, offset: SqlValue, frame: BoundFrame, spec: SortSpec | undefined, isEnd: boolean, env: FunctionEnv): number {
  const value = layout.orderValues[i] ?? null;
  if (spec === undefined || value === null) return isEnd ? (layout.peersEnd[i] ?? i + 1) : (layout.peersStart[i] ?? i);
  // "Preceding" means smaller values ascending, larger ones descending.
  const towardsStart = bound.kind === 'preceding';
  const add = towardsStart === spec.descending ? frame.rangeAdd : frame.rangeSubtract;
  if (add === null) throw new Error('RANGE frame without in_range support');
  const target = add(value, offset, env);
  return firstAtOrAfter(layout, target, spec, isEnd);
}

function position(layout: PartitionLayout, i: number, bound: BoundFrameBound, offset: SqlValue, frame: BoundFrame, spec: SortSpec | undefined, isEnd: boolean, env: FunctionEnv): number {
  const n = layout.size;
  switch (bound.kind) {
    case 'unboundedPreceding': return 0;
    case 'unboundedFollowing': return n;
    case 'currentRow':
      if (frame.mode === 'rows') return isEnd ? i + 1 : i;
      return isEnd ? (layout.peersEnd[i] ?? i + 1) : (layout.peersStart[i] ?? i);
    case 'preceding': case 'following': {
      const sign = bound.kind === 'preceding' ? -1 : 1;
      if (frame.mode === 'rows') return Math.max(0, Math.min(n, i + sign * asCount(offset) + (isEnd ? 1 : 0)));
      if (frame.mode === 'groups') {
        const g = (layout.group[i] ?? 0) + sign * asCount(offset);
        const starts = layout.groupStarts;
        if (g < 0) return 0;
        if (g >= starts.length) return n;
        return isEnd ? (starts[g + 1] ?? n) : (starts[g] ?? n);
      }
      return rangeBound(layout, i, bound, offset, frame, spec, isEnd, env);
    }
  }
}

/** Frame [start, end) of every position of the partition. */
export function frameBounds(layout: PartitionLayout, frame: BoundFrame, offsets: FrameOffsets, spec: SortSpec | undefined, env: FunctionEnv): { start: number[]; end: number[] } {
  if (frame.start.kind === 'preceding' || frame.start.kind === 'following') checkOffset(offsets.start, 'starting');
  if (frame.end.kind === 'preceding' || frame.end.kind === 'following') checkOffset(offsets.end, 'ending');
  const start: number[] = [];
  const end: number[] = [];
  for (let i = 0; i < layout.size; i++) {
    start.push(position(layout, i, frame.start, offsets.start, frame, spec, false, env));
    end.push(position(layout, i, frame.end, offsets.end, frame, spec, true, env));
  }
  return { start, end };
}
