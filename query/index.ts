// The query component's public interface: the engine the wire protocols
// talk to (engine.ts), the contract between the engine and the SQL compiler
// (contract.ts), and createQueryEngine (engine-impl/). Other components
// import from here.

export type {
  CopyInSink, CopyOutSource, EngineNotice, EngineSession, PreparedStatement, QueryEngine, ResultColumn, ResultRow, RoutableSession,
  SessionStartup, StatementResult, StatementRoute, TransactionState,
} from './engine.js';
export type {
  CatalogView, CheckInfo, ColumnInfo, CompileContext, CompiledKind, CompiledStatement, CompileStatement, IndexInfo, RowBatches, RowHandle,
  RuntimeContext, SessionContext, TableAccess, TableInfo,
} from './contract.js';
export { createQueryEngine, systemClock, type EngineClock, type QueryEngineOptions, type ThunderQueryEngine } from './engine-impl/index.js';
export { loadSqlParser } from './parser/index.js';
