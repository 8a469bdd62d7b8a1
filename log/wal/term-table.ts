// The term of every stored index, in one typed array (8 bytes an entry), so
// `term()` is a synchronous array read. Covers [firstIndex, lastIndex] plus the
// compaction point's term for firstIndex - 1.
import { assert } from './assert.js';

const initialCapacity = 1024;

export class TermTable {
  private terms = new Float64Array(initialCapacity);
  private head = 0;
  private count = 0;
  private first: number;
  private prev: number;

  constructor(firstIndex: number, prevTerm: number) {
    this.first = firstIndex;
    this.prev = prevTerm;
  }

  get firstIndex(): number {
    return this.first;
  }

  get lastIndex(): number {
    return this.first + this.count - 1;
  }

  /** Term of firstIndex - 1 (the compaction point; 0 for an empty fresh log). */
  get prevTerm(): number {
    return this.prev;
  }

  get lastTerm(): number {
    return this.count === 0 ? this.prev : (this.terms[this.head + this.count - 1] ?? 0);
  }

  term(index: number): number | undefined {
    if (index === this.first - 1) return this.prev;
    const offset = index - this.first;
    if (!Number.isInteger(offset) || offset < 0 || offset >= this.count) return undefined;
    return this.terms[this.head + offset];
  }

  push(term: number): void {
    assert(term >= this.lastTerm, `term ${term} below the last term ${this.lastTerm}`);
    if (this.head + this.count === this.terms.length) this.makeRoom();
    this.terms[this.head + this.count] = term;
    this.count += 1;
  }

  /** Keeps [firstIndex, index). */
  truncateFrom(index: number): void {
    assert(index >= this.first && index <= this.lastIndex + 1, `truncation index ${index} outside the table`);
    this.count = index - this.first;
  }

  /** Drops [firstIndex, newFirstIndex) after compaction; `newPrevTerm` is term(newFirstIndex - 1). */
  dropBefore(newFirstIndex: number, newPrevTerm: number): void {
    assert(newFirstIndex >= this.first && newFirstIndex <= this.lastIndex + 1, `new first index ${newFirstIndex} outside the table`);
    assert(this.term(newFirstIndex - 1) === newPrevTerm, `compaction term ${newPrevTerm} disagrees with the table`);
    const dropped = newFirstIndex - this.first;
    this.head += dropped;
    this.count -= dropped;
    this.first = newFirstIndex;
    this.prev = newPrevTerm;
  }

  /** Empties the table: it now covers nothing from `firstIndex`, with `prevTerm` for firstIndex - 1 (a WAL reset). */
  reset(firstIndex: number, prevTerm: number): void {
    this.head = 0;
    this.count = 0;
    this.first = firstIndex;
    this.prev = prevTerm;
  }

  private makeRoom(): void {
    if (this.head >= this.terms.length / 2) {
      this.terms.copyWithin(0, this.head, this.head + this.count);
      this.head = 0;
      return;
    }
    const grown = new Float64Array(this.terms.length * 2);
    grown.set(this.terms.subarray(this.head, this.head + this.count));
    this.terms = grown;
    this.head = 0;
  }
}
