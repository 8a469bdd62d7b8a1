// What statement handlers (transaction control, settings, DDL, COPY,
// PREPARE) may use of the session that runs them. The session implements it;
// handlers never see the wire-facing EngineSession.

import type { Catalog } from '../../materializers/index.js';
import type { Statement } from '../ast/index.js';
import type { CompiledStatement, SessionContext } from '../contract.js';
import type { EngineNotice, StatementResult } from '../engine.js';
import type { SqlType, SqlValue, TypeSession } from '../types/index.js';
import type { EngineCore } from './engine-core.js';
import type { LockMode } from './lock-manager.js';
import type { SessionSettings } from './session-settings.js';
import type { StatementScope } from './statement-scope.js';
import type { Transaction } from './transaction.js';

/** How a statement runs: on its own (committed when it ends) or inside a multi-statement query's implicit block. */
export type RunMode = 'autocommit' | 'implicitBlock';

export interface CompiledCache {
  compiled: CompiledStatement | undefined;
  /** The settings binding depends on (search_path, TimeZone) when it was compiled. */
  settingsKey: string;
  /** Prepared statements keep their result shape across replans (PostgreSQL: 0A000 otherwise). */
  readonly fixedShape: boolean;
}

export interface SessionHost {
  readonly core: EngineCore;
  readonly sessionId: number;
  readonly user: string;
  readonly database: string;
  readonly settings: SessionSettings;
  /** The open transaction (explicit block or implicit), if any. */
  transaction(): Transaction | null;
  /** The open transaction, or a new implicit one. */
  ensureTransaction(): Transaction;
  /** Starts an explicit block (BEGIN), or turns the implicit one into one. */
  beginBlock(options: { readonly isolation: string | null; readonly readOnly: boolean | null }): void;
  commitTransaction(): Promise<void>;
  rollbackTransaction(): void;
  /** A statement failed outside runOne (a COPY's finish or abort): fail the block, or roll back. */
  statementFailed(): void;
  notice(notice: EngineNotice): void;
  typeSession(txn: Transaction | null): TypeSession;
  sessionContext(): SessionContext;
  /** SHOW's value of a setting (the transaction's characteristics included), or undefined. */
  showValue(name: string): string | undefined;
  /**
   * Runs `body` as one statement of the current transaction: its own command
   * number, a snapshot, the catalog to compile against, statement restart
   * under READ COMMITTED, and the autocommit at the end (mode 'autocommit').
   */
  /** `reads`: a statement that only reads, which first awaits the linearizable-read barrier. */
  runInStatement<T>(mode: RunMode, body: (scope: StatementScope, catalog: Catalog) => Promise<T>, reads?: boolean): Promise<T>;
  /**
   * Runs a utility statement that takes locks of its own (DDL): `lock` takes
   * a resource for the open transaction (or a statement-only owner) and is
   * cancellable; whatever `lock` took is released when `body` ends, because
   * DDL commits by itself at once.
   */
  withStatementLocks<T>(body: (lock: LockFunction) => Promise<T>): Promise<T>;
  /** Compiles against `catalog` (reusing `cache` while the catalog version and search path stay the same). */
  compile(statement: Statement, catalog: Catalog, declared: readonly (SqlType | undefined)[], cache?: CompiledCache): CompiledStatement;
  /** Executes a compiled statement in `scope`. */
  execute(compiled: CompiledStatement, scope: StatementScope, catalog: Catalog, parameters: readonly SqlValue[]): Promise<StatementResult>;
  /** Runs a compilable statement (SELECT, INSERT, ..., EXPLAIN) as a statement of its own. */
  runData(statement: Statement, parameters: readonly SqlValue[], mode: RunMode, declared: readonly (SqlType | undefined)[], cache?: CompiledCache): Promise<StatementResult>;
  /** SQL-level prepared statements (PREPARE / EXECUTE / DEALLOCATE). */
  readonly sqlPrepared: Map<string, SqlPreparedStatement>;
}

export type LockFunction = (resource: string, mode: LockMode) => Promise<void>;

export interface SqlPreparedStatement {
  readonly statement: Statement;
  readonly parameterTypes: readonly SqlType[];
  readonly cache: CompiledCache;
}
