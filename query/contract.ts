// The contract between the SQL compiler/executor (query/binder, query/planner,
// query/executor, query/functions) and the engine (query/engine-impl: sessions,
// transactions, concurrency control, the catalog and row store behind them).
//
// The compiler turns an AST statement into a CompiledStatement that reads and
// writes only through TableAccess; the engine decides what a read sees (MVCC
// read index, the transaction's own writes, the uncommitted overlay), takes row
// locks, checks uniqueness, buffers effects and proposes them to the log.
// Neither side touches sockets, files or the log directly.
import type { ColumnStore } from '../materializers/columnstore/index.js';
import type { Statement } from './ast/index.js';
import type { CommandResult, ResultColumn, RowsResult, StatementResult } from './engine.js';
import type { SqlType } from './types/sql-type.js';
import type { SqlValue } from './types/value.js';

// ---------------------------------------------------------------- catalog --

export interface ColumnInfo {
  /** Stable id (survives renames and drops of other columns). */
  readonly id: number;
  readonly name: string;
  readonly type: SqlType;
  /** Index of this column's value in a stored row. */
  readonly position: number;
  readonly notNull: boolean;
  /** DEFAULT as SQL text, compiled by the binder when needed; null when none. */
  readonly defaultExpr: string | null;
  /** serial/bigserial are `byDefault` identities backed by the table's counters. */
  readonly identity: 'always' | 'byDefault' | null;
}

export interface IndexInfo {
  readonly id: number;
  readonly name: string;
  /** Positions (ColumnInfo.position) of the key columns, in key order. */
  readonly columnPositions: readonly number[];
  readonly unique: boolean;
  /** The primary key is an index too (unique, NOT NULL columns). */
  readonly primary: boolean;
}

export interface CheckInfo {
  readonly name: string;
  /** Boolean SQL expression over the table's columns. */
  readonly expr: string;
}

export interface TableInfo {
  readonly id: number;
  readonly schema: string;
  readonly name: string;
  /** In row order (position 0..n-1); dropped columns are absent. */
  readonly columns: readonly ColumnInfo[];
  /** The primary key index, or null: rows are then keyed by a hidden row id. */
  readonly primaryKey: IndexInfo | null;
  /** Every index including the primary key. */
  readonly indexes: readonly IndexInfo[];
  readonly checks: readonly CheckInfo[];
}

/** An immutable catalog snapshot: a statement binds and runs against one version. */
export interface CatalogView {
  readonly version: number;
  /** Resolves `schema.name`, or `name` along `searchPath`. */
  lookupTable(schema: string | null, name: string, searchPath: readonly string[]): TableInfo | undefined;
  tableById(id: number): TableInfo | undefined;
  tables(): readonly TableInfo[];
  schemaExists(name: string): boolean;
  /**
   * What the system catalogs (pg_catalog, information_schema) list beyond
   * tables: databases, this database's schemas, sequences, which unique
   * indexes are UNIQUE constraints. Optional: catalogs without it show tables only.
   */
  describe?(): CatalogDescription;
}

export interface SequenceInfo {
  readonly id: number;
  readonly schema: string;
  readonly name: string;
  readonly dataType: 'int2' | 'int4' | 'int8';
  readonly start: bigint;
  readonly increment: bigint;
  readonly min: bigint;
  readonly max: bigint;
  readonly cycle: boolean;
  /** The owning column (ColumnInfo.id; 0 for a hidden row id), or null. */
  readonly ownedBy: { readonly tableId: number; readonly columnId: number } | null;
}

export interface CatalogDescription {
  readonly databases: readonly { readonly id: number; readonly name: string }[];
  /** This database's schemas, pg_catalog and information_schema included. */
  readonly schemas: readonly { readonly id: number; readonly name: string }[];
  /** This database's sequences. */
  readonly sequences: readonly SequenceInfo[];
  /** Ids of the unique indexes that back a UNIQUE constraint (not CREATE UNIQUE INDEX). */
  readonly uniqueConstraintIndexIds: ReadonlySet<number>;
}

// ------------------------------------------------------------ data access --

/** A stored row and the key it is stored under (primary key or hidden row id). */
export interface RowHandle {
  readonly key: Uint8Array;
  readonly row: readonly SqlValue[];
}

/** Rows come in batches so per-row async overhead is amortised. */
export type RowBatches = AsyncIterable<readonly RowHandle[]>;

/**
 * What a statement may read and write. Reads see the engine-chosen view (the
 * statement's or transaction's snapshot plus its own writes). Writes are
 * buffered in the transaction; the engine may throw SqlError from any call
 * (23505 unique violation, 40001 serialization failure, 40P01 deadlock,
 * 57014 cancelled).
 */
export interface TableAccess {
  /** Every visible row, in primary-key (or row-id) order. */
  scan(table: TableInfo): RowBatches;
  /** Visible rows whose `index` columns equal `values` (in index column order). */
  lookup(table: TableInfo, index: IndexInfo, values: readonly SqlValue[]): Promise<readonly RowHandle[]>;
  /**
   * Rows of a unique index that conflict with `row` (for ON CONFLICT): the
   * existing visible row per violated unique index, or [] when it would insert.
   */
  conflicts(table: TableInfo, row: readonly SqlValue[], index: IndexInfo | null): Promise<readonly RowHandle[]>;
  /** Inserts a complete row (defaults, identities and casts already applied, NOT NULL and CHECK already checked). */
  insert(table: TableInfo, row: readonly SqlValue[]): Promise<RowHandle>;
  /** Replaces `old` (as read through this access) with `row`. */
  update(table: TableInfo, old: RowHandle, row: readonly SqlValue[]): Promise<RowHandle>;
  delete(table: TableInfo, old: RowHandle): Promise<void>;
  /** Next value of an identity/serial column (transaction-independent, like a sequence). */
  nextIdentity(table: TableInfo, column: ColumnInfo): bigint;
}

/**
 * A primary-key read answered synchronously from memory, for the point-read
 * fast path (`CompiledStatement.executeCached`): the visible row, null when
 * there is none, undefined when memory cannot say (the caller then runs the
 * statement the ordinary way). `key` holds the primary key's values in key order.
 */
export type CachedLookup = (table: TableInfo, key: readonly SqlValue[]) => RowHandle | null | undefined;

/**
 * What the synchronous write path (`CompiledStatement.executeWriteCached`,
 * query/executor/point-write.ts) reads and writes through, inside a
 * transaction block. Each call either does its whole job or answers
 * undefined/false having recorded nothing; the caller then runs the
 * statement the ordinary way.
 */
export interface CachedWriteAccess {
  /** The row this statement sees by primary key (`key`: the key's values in key order), null when none, undefined when memory cannot say. */
  read(table: TableInfo, key: readonly SqlValue[]): RowHandle | null | undefined;
  /** Replaces `old` (from `read`) with `row` when every lock is free now; false when it would have to wait (nothing written). */
  update(table: TableInfo, old: RowHandle, row: readonly SqlValue[]): boolean;
  /** Inserts `row` when its locks are free and its uniqueness is known from memory; false otherwise (nothing written). */
  insert(table: TableInfo, row: readonly SqlValue[]): boolean;
}

// ---------------------------------------------------------------- runtime --

/** Session state a statement reads (never writes: SET is the engine's). */
export interface SessionContext {
  readonly user: string;
  readonly database: string;
  readonly searchPath: readonly string[];
  /** IANA name or fixed offset, e.g. 'UTC', '+05:30'. */
  readonly timeZone: string;
  /** Session settings for current_setting() and SHOW. */
  setting(name: string): string | undefined;
}

export interface RuntimeContext {
  readonly access: TableAccess;
  readonly catalog: CatalogView;
  readonly session: SessionContext;
  readonly parameters: readonly SqlValue[];
  /** now() / CURRENT_TIMESTAMP: the transaction's start, µs since 2000-01-01 UTC. */
  readonly transactionTimestampMicros: bigint;
  /** clock_timestamp(): the engine's clock seam. */
  clockMicros(): bigint;
  /** Throws 57014 when the statement was cancelled; operators call it between batches. */
  checkCancelled(): void;
  /**
   * The column store as this statement may read it (query/vectorized): absent
   * when the engine has no column store, so every query takes the row path.
   */
  readonly columns?: ColumnAccess;
}

/**
 * What the vectorized (column) path reads: the column store at the
 * statement's snapshot read index, and what the transaction wrote itself
 * (those writes are not in the column store, so such tables take the row path).
 */
export interface ColumnAccess {
  /** The statement's snapshot read index (the same index the row path reads at). */
  readonly readIndex: number;
  readonly store: Pick<ColumnStore, 'waitApplied' | 'applyBuffered' | 'scanTable' | 'tableZones' | 'readHorizon' | 'appliedIndex'>;
  /** True when the transaction has uncommitted writes (or DDL) touching the table. */
  hasOwnWrites(tableId: number): boolean;
  /** Records a whole-table read (SERIALIZABLE's read set), as TableAccess.scan does. */
  noteTableRead(tableId: number): void;
}

// --------------------------------------------------------------- compiled --

export type CompiledKind = 'select' | 'insert' | 'update' | 'delete' | 'explain' | 'values';

/** A statement bound and planned against one catalog version; executable many times. */
export interface CompiledStatement {
  readonly kind: CompiledKind;
  readonly catalogVersion: number;
  /** Parameter types ($1..$n), inferred where the client gave none. */
  readonly parameterTypes: readonly SqlType[];
  /** Undefined when the statement returns no rows (INSERT without RETURNING). */
  readonly resultColumns: readonly ResultColumn[] | undefined;
  /** Tables read and written, for locking and invalidation. */
  readonly tablesRead: readonly number[];
  readonly tablesWritten: readonly number[];
  /** Runs the statement; the result's tag is PostgreSQL's ("SELECT 3", "INSERT 0 1"). */
  execute(context: RuntimeContext): Promise<StatementResult>;
  /**
   * Present when the statement is a primary-key point read with synchronous
   * expressions: runs it in one call through `lookup`, or returns undefined
   * (having read nothing else) when `lookup` could not answer from memory.
   * The engine offers it only where no await is needed (no transaction state,
   * no read barrier): see query/engine-impl/DESIGN.md, "Point reads".
   */
  readonly executeCached?: (context: RuntimeContext, lookup: CachedLookup) => RowsResult | undefined;
  /**
   * Present for primary-key UPDATEs and one-row INSERTs with synchronous
   * expressions (query/executor/point-write.ts): runs the write in one call
   * through `access`, or returns undefined having written nothing. Offered
   * by the engine inside transaction blocks only (query/engine-impl/DESIGN.md, "Point writes").
   */
  readonly executeWriteCached?: (context: RuntimeContext, access: CachedWriteAccess) => CommandResult | undefined;
}

export interface CompileContext {
  readonly catalog: CatalogView;
  readonly session: SessionContext;
  /** Types the client declared for $n (undefined: infer). */
  readonly declaredParameterTypes: readonly (SqlType | undefined)[];
}

/**
 * The compiler's entry point: SELECT / VALUES / INSERT / UPDATE / DELETE /
 * EXPLAIN. DDL and utility statements are the engine's. Throws SqlError
 * (42P01 undefined table, 42703 undefined column, 42883 undefined function,
 * 42804 datatype mismatch, 42601 ...).
 */
export type CompileStatement = (statement: Statement, context: CompileContext) => CompiledStatement;
