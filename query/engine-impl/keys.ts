// Keys as strings: lock resources, write-set and tracker maps key on them.
// A key's bytes map one-to-one onto UTF-16 code units 0..255 (latin1), so
// string order is byte order and a Map lookup costs no hashing of arrays.

/**
 * Short keys (most primary keys) are converted without touching `.buffer`:
 * a small typed array lives on the V8 heap, and asking for its buffer moves
 * its bytes into a fresh ArrayBuffer, one more per lookup for every GC to
 * sweep (issue 4: a third of pgbench -S's CPU was GC).
 */
const shortKeyBytesMax = 64;

export function keyString(key: Uint8Array): string {
  // fromCharCode takes numbers; a Uint8Array is an array-like of them.
  if (key.length <= shortKeyBytesMax) return String.fromCharCode.apply(null, key as unknown as number[]);
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1');
}

export function keyFromString(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'latin1'));
}

/** A row of a table, by its stored key (primary key or hidden row id). */
export function rowResource(tableId: number, key: string): string {
  return `r${tableId}:${key}`;
}

/** A value of a unique index: inserting it serialises with other inserters of the same value. */
export function uniqueValueResource(indexId: number, indexKey: string): string {
  return `u${indexId}:${indexKey}`;
}

/** A whole table: writers share it, DDL takes it exclusively. */
export function tableResource(tableId: number): string {
  return `t${tableId}`;
}

/** One DDL at a time: ids are assigned from the catalog it folds into. */
export const ddlResource = 'ddl';

/** Compares two key strings as their bytes compare. */
export function compareKeyStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
