// query/engine-impl: the QueryEngine behind the wire protocols. Sessions,
// transactions and concurrency control (write sets, row locks with deadlock
// detection, isolation levels), DDL and utility statements, COPY; SELECT and
// DML go through the compiler (query/compiler.ts). See DESIGN.md.

export { createQueryEngine, type ThunderQueryEngine } from './query-engine.js';
export type { EngineClock, QueryEngineOptions } from './engine-core.js';
export { systemClock } from './engine-core.js';
