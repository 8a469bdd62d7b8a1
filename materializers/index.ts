// materializers: views of the committed log. Other components import from
// here (or from one sub-component's index.ts), never from inner files.
//
//   entries/   the versioned envelope and binary codecs of log entries and rows
//   keys/      memcomparable keys, key ranges, the row store's key layout
//   catalog/   the catalog as an immutable fold of DDL entries
//   rowstore/  the row store: MVCC in memory over RocksDB, checkpointed

export { MaterializerInvariantError } from './assert.js';
export * from './entries/index.js';
export * from './keys/index.js';
export * from './catalog/index.js';
export * from './rowstore/index.js';
