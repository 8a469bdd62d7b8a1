// The segmented write-ahead log: the public surface of log/wal.
export { openWal, Wal } from './wal.js';
export { WalCorruptionError, WalClosedError } from './errors.js';
export { WalAssertionError } from './assert.js';
export type { WalOptions, WalObserver } from './options.js';
export type { WalCompression } from './compression.js';
export { nodeFileSystem } from './fs.js';
export type { WalFile, WalFileSystem, WalOpenMode } from './fs.js';
export { entryDataBytesMax } from './limits.js';
