// The boundary between wire protocols and the query layer. A protocol session
// (protocols/pg, later protocols/mysql) owns bytes, framing, authentication
// and formatting; the engine owns parsing, planning, execution, transactions
// and session variables. Nothing here knows about a protocol's messages.
//
// Values cross this boundary as SqlValue (query/types/value.ts): untagged
// JavaScript values whose SqlType (in the column or parameter descriptor)
// says how to format them. The protocol formats (text or binary) with
// query/types; the engine never produces protocol bytes.
import type { SqlType } from './types/sql-type.js';
import type { SqlValue } from './types/value.js';

/** One row of a result, in column order. */
export type ResultRow = readonly SqlValue[];

/** Describes one result column (PostgreSQL's RowDescription field). */
export interface ResultColumn {
  readonly name: string;
  readonly type: SqlType;
  /** Catalog id of the source table, 0 when the column is computed. */
  readonly tableId: number;
  /** 1-based attribute number in the source table, 0 when computed. */
  readonly columnNumber: number;
}

/** A notice to show the client (e.g. `table "t" does not exist, skipping`). */
export interface EngineNotice {
  readonly severity: 'NOTICE' | 'WARNING' | 'INFO' | 'DEBUG' | 'LOG';
  readonly sqlState: string;
  readonly message: string;
  readonly detail?: string;
  readonly hint?: string;
}

/**
 * The outcome of one statement. `tag` is PostgreSQL's command tag
 * ("SELECT 3", "INSERT 0 1", "UPDATE 2", "CREATE TABLE", "BEGIN").
 * Errors are thrown as SqlError (query/types/errors.ts), never returned.
 */
export type StatementResult =
  | { readonly kind: 'rows'; readonly columns: readonly ResultColumn[]; readonly rows: readonly ResultRow[]; readonly tag: string }
  | { readonly kind: 'command'; readonly tag: string }
  | { readonly kind: 'empty' }
  | { readonly kind: 'copyIn'; readonly copy: CopyInSink }
  | { readonly kind: 'copyOut'; readonly copy: CopyOutSource };

/** COPY ... FROM STDIN: the protocol feeds raw data; the engine parses and loads it. */
export interface CopyInSink {
  readonly format: 'text' | 'csv' | 'binary';
  readonly columnCount: number;
  /** Raw bytes as the client sent them (CopyData payloads). */
  write(chunk: Uint8Array): void;
  /** CopyDone: loads everything atomically; resolves to the tag ("COPY 42"). Throws SqlError. */
  finish(): Promise<string>;
  /** CopyFail or a dropped connection: nothing of this COPY is loaded. */
  abort(reason: string): void;
}

/** COPY ... TO STDOUT: the engine produces data chunks; the protocol sends them. */
export interface CopyOutSource {
  readonly format: 'text' | 'csv' | 'binary';
  readonly columnCount: number;
  chunks(): AsyncIterable<Uint8Array>;
  readonly tag: () => string;
}

/** A statement parsed and planned once, executed many times (extended protocol). */
export interface PreparedStatement {
  /** Parameter types: as declared by the client, or inferred where it sent 0. */
  readonly parameterTypes: readonly SqlType[];
  /** Result columns, or undefined when the statement returns no rows. */
  readonly resultColumns: readonly ResultColumn[] | undefined;
}

/** 'idle' | in a transaction block | in a failed transaction block (PostgreSQL's I/T/E). */
export type TransactionState = 'idle' | 'inTransaction' | 'failed';

export interface SessionStartup {
  readonly user: string;
  readonly database: string;
  /** Other startup parameters (application_name, client_encoding, DateStyle, options ...). */
  readonly parameters: Readonly<Record<string, string>>;
}

/** A result with rows: what the synchronous point-read path returns (at most a few rows). */
export type RowsResult = Extract<StatementResult, { readonly kind: 'rows' }>;

/** A result without rows (BEGIN, a point write's "UPDATE 1"). */
export type CommandResult = Extract<StatementResult, { readonly kind: 'command' }>;

/** What the synchronous paths answer: a point read's rows, or a command's tag (BEGIN, a point write in a block). */
export type SyncResult = RowsResult | CommandResult;

export interface EngineSession {
  /**
   * Simple query protocol: runs each statement of `sql` in order, yielding one
   * result per statement; stops at the first error (thrown from the iterator
   * as SqlError). Several statements without BEGIN run in one implicit
   * transaction, as PostgreSQL does.
   */
  executeSimple(sql: string): AsyncIterable<StatementResult>;
  /** Parse: parses and plans one statement. `parameterTypes` may hold undefined to infer. Throws SqlError. */
  prepare(sql: string, parameterTypes: readonly (SqlType | undefined)[]): PreparedStatement;
  /**
   * Optional (cluster followers): prepare() failed with `error`, perhaps only
   * because this node had not applied a change made elsewhere (a table just
   * created through another node). Resolves true once this node caught up
   * with the leader, when prepare() is worth one more try; undefined when
   * the error stands as it is.
   */
  catchUpAfterPrepareError?(error: unknown): Promise<boolean> | undefined;
  /** Execute a prepared statement with bound, already-decoded parameter values. */
  executePrepared(statement: PreparedStatement, parameters: readonly SqlValue[]): Promise<StatementResult>;
  /**
   * Optional fast path: runs a prepared statement synchronously when it can
   * (a primary-key read of a row in memory; inside a transaction block also
   * a primary-key UPDATE or one-row INSERT whose locks are free, and BEGIN),
   * or returns undefined having done nothing: then call `executePrepared`.
   * Throws what `executePrepared` would (SqlError).
   */
  executePreparedSync?(statement: PreparedStatement, parameters: readonly SqlValue[]): SyncResult | undefined;
  /** The same for a simple-query text of one statement; undefined: call `executeSimple`. */
  executeSimpleSync?(sql: string): SyncResult | undefined;
  /** Current transaction state, for ReadyForQuery. */
  transactionState(): TransactionState;
  /**
   * Session parameters to report at startup and whenever they change
   * (ParameterStatus). A returned map is never changed afterwards: new values
   * come in a new map, so callers may skip work when they get the same one.
   */
  reportedParameters(): ReadonlyMap<string, string>;
  /** Notices raised since the last call (drained). */
  takeNotices(): readonly EngineNotice[];
  /** Cancels the running statement, if any (CancelRequest); it fails with 57014. */
  cancel(): void;
  /** Rolls back an open transaction and releases everything the session holds. */
  close(): void;
}

/**
 * Where a statement runs in a cluster: 'read' and 'session' (SET, SHOW,
 * PREPARE ...) on any node; 'write' on the leader; 'begin' starts a block
 * that runs on the leader until it ends.
 */
export type StatementRoute = 'read' | 'session' | 'write' | 'begin';

/** What a session offers a layer that forwards statements to another node (protocols/pg/forwarding). */
export interface RoutableSession extends EngineSession {
  /** The route of `sql` (its strongest statement); 'read' for a text that does not parse (the local error is the answer). */
  statementRoute(sql: string): StatementRoute;
  /** Whether `sql` ends a transaction block (COMMIT/END, ROLLBACK/ABORT); false for a text that does not parse. */
  endsTransactionBlock(sql: string): boolean;
  /** The session's settings that differ from a fresh session's, to open a session elsewhere with the same ones. */
  changedSettings(): ReadonlyMap<string, string>;
  /**
   * SQL-level prepared statements (PREPARE name AS ...) whose body writes, as
   * name -> the PREPARE text that made them: a layer that sends EXECUTE of one
   * to another node defines it there first. A statement prepared through the
   * extended protocol's Parse has no text here (it cannot be forwarded).
   */
  preparedWrites(): ReadonlyMap<string, string>;
}

export interface QueryEngine {
  /** Throws SqlError 3D000 for a missing database, 28000/28P01 for auth problems decided by the engine. */
  openSession(startup: SessionStartup): EngineSession;
  /** Whether `database` exists (checked at startup before authentication completes). */
  databaseExists(name: string): boolean;
}
