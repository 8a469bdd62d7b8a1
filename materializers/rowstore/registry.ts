// Multisets of pinned indexes: read snapshots (which bound version GC) and
// the checkpoint generations of running scans (which bound what may leave
// memory). Both answer "smallest pinned value" in O(1).

import { invariant } from '../assert.js';

export class PinRegistry {
  /** Distinct pinned values, ascending. */
  private readonly values: number[] = [];
  private readonly counts = new Map<number, number>();

  get size(): number {
    return this.values.length;
  }

  pin(value: number): void {
    const count = this.counts.get(value) ?? 0;
    this.counts.set(value, count + 1);
    if (count > 0) return;
    let lo = 0;
    let hi = this.values.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.values[mid] as number) < value) lo = mid + 1;
      else hi = mid;
    }
    this.values.splice(lo, 0, value);
  }

  unpin(value: number): void {
    const count = this.counts.get(value);
    invariant(count !== undefined && count > 0, `unpin of ${value}, which is not pinned`);
    if (count > 1) {
      this.counts.set(value, count - 1);
      return;
    }
    this.counts.delete(value);
    this.values.splice(this.values.indexOf(value), 1);
  }

  /** The smallest pinned value, or undefined when nothing is pinned. */
  min(): number | undefined {
    return this.values[0];
  }

  /** How many pins there are in total. */
  pinCount(): number {
    let n = 0;
    for (const c of this.counts.values()) n += c;
    return n;
  }
}
