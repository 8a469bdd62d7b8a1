// Output buffering shared by the join operators: combined rows are collected
// and handed on in batches of at most batchRowsMax.

import type { SqlValue } from '../types/value.js';
import { batchRowsMax } from './env.js';
import type { Row } from './env.js';

export class RowBuffer {
  private rows: Row[] = [];

  push(row: Row): void {
    this.rows.push(row);
  }

  get full(): boolean {
    return this.rows.length >= batchRowsMax;
  }

  take(): Row[] {
    const out = this.rows;
    this.rows = [];
    return out;
  }

  get size(): number {
    return this.rows.length;
  }
}

export function nulls(width: number): SqlValue[] {
  return new Array<SqlValue>(width).fill(null);
}

export function combine(left: Row, right: Row): Row {
  return [...left, ...right];
}
