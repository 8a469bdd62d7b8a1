// The log component's public interface: the durable WAL and the Raft-replicated
// log built on it. Other components import only from here.

export * from './types.js';
export * from './wal/index.js';
export * from './raft/index.js';
export * from './grpc/index.js';
