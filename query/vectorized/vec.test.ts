// Decoded column caches (vec.ts): an open column hands out a new view of the
// same buffers on every read and keeps appending; a cached decode must serve
// exactly the rows asked for, never rows of another column or stale ones.

import { describe, expect, it } from 'vitest';
import { createColumnBuilder } from '../../materializers/columnstore/column-builder.js';
import { vecOfColumn, type Vec } from './vec.js';

function texts(vec: Vec): readonly (string | null)[] {
  if (vec.t !== 'str') throw new Error(`expected str, got ${vec.t}`);
  return vec.v;
}

function numbers(vec: Vec): number[] {
  if (vec.t !== 'num') throw new Error(`expected num, got ${vec.t}`);
  return Array.from(vec.v);
}

describe('decoded column caches', () => {
  it('serve utf8 text of an open column as it grows, by prefix and in full', () => {
    // dictionaryEntriesMax 1: the second distinct value switches the column to utf8.
    const b = createColumnBuilder({ kind: 'text' }, 64, { dictionaryEntriesMax: 1 });
    const values = ['a', 'bé', null, 'c'];
    for (const v of values) b.append(v);
    const first = b.view();
    expect(first.kind).toBe('utf8');
    expect(texts(vecOfColumn(first, 4, { kind: 'text' }))).toEqual(values);
    expect(texts(vecOfColumn(b.view(), 2, { kind: 'text' }))).toEqual(['a', 'bé']);
    b.append('d');
    b.append(null);
    expect(texts(vecOfColumn(b.view(), 6, { kind: 'text' }))).toEqual([...values, 'd', null]);
    expect(texts(vecOfColumn(b.view(), 4, { kind: 'text' }))).toEqual(values);
  });

  it('keep two columns of the same length apart', () => {
    const x = createColumnBuilder({ kind: 'text' }, 8, { dictionaryEntriesMax: 1 });
    const y = createColumnBuilder({ kind: 'text' }, 8, { dictionaryEntriesMax: 1 });
    for (const v of ['p', 'q']) x.append(v);
    for (const v of ['r', 's']) y.append(v);
    expect(texts(vecOfColumn(x.view(), 2, { kind: 'text' }))).toEqual(['p', 'q']);
    expect(texts(vecOfColumn(y.view(), 2, { kind: 'text' }))).toEqual(['r', 's']);
  });

  it('serve int8 doubles of an open column as it grows', () => {
    const b = createColumnBuilder({ kind: 'int8' }, 64, { dictionaryEntriesMax: 1 });
    for (const v of [1n, -2n, 3n]) b.append(v);
    expect(numbers(vecOfColumn(b.view(), 3, { kind: 'int8' }))).toEqual([1, -2, 3]);
    b.append(40n);
    expect(numbers(vecOfColumn(b.view(), 4, { kind: 'int8' }))).toEqual([1, -2, 3, 40]);
    expect(numbers(vecOfColumn(b.view(), 2, { kind: 'int8' }))).toEqual([1, -2]);
  });
});
