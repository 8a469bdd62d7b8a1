// Transaction control, session settings and utility statements.

import type { Expr, Literal, QualifiedName, TypeName } from './expr.js';
import type { Delete, Insert, Update } from './dml.js';
import type { Option } from './ddl.js';
import type { Select } from './select.js';

export type IsolationLevel = 'read uncommitted' | 'read committed' | 'repeatable read' | 'serializable';

/** What BEGIN, START TRANSACTION and SET TRANSACTION may say; null where nothing was written. */
export interface TransactionOptions {
  readonly isolationLevel: IsolationLevel | null;
  readonly readOnly: boolean | null;
  readonly deferrable: boolean | null;
}

/** BEGIN and START TRANSACTION. */
export interface Begin {
  readonly kind: 'begin';
  readonly options: TransactionOptions;
}

/** COMMIT and END. */
export interface Commit {
  readonly kind: 'commit';
  readonly chain: boolean;
}

/** ROLLBACK and ABORT. */
export interface Rollback {
  readonly kind: 'rollback';
  readonly chain: boolean;
}

export interface Savepoint {
  readonly kind: 'savepoint';
  readonly name: string;
}

export interface RollbackToSavepoint {
  readonly kind: 'rollbackToSavepoint';
  readonly name: string;
}

export interface ReleaseSavepoint {
  readonly kind: 'releaseSavepoint';
  readonly name: string;
}

/**
 * `SET [SESSION | LOCAL] name { = | TO } value [, ...]`. PostgreSQL's spelled
 * forms arrive under their variable names: SET TIME ZONE sets `timezone`, SET
 * NAMES sets `client_encoding`, SET SCHEMA sets `search_path`. Words such as
 * `on` or `public` are string literals. `SET TIME ZONE LOCAL` and `TO DEFAULT`
 * are `default`.
 */
export interface SetVariable {
  readonly kind: 'set';
  readonly name: string;
  readonly value: { readonly kind: 'values'; readonly values: readonly Literal[] } | { readonly kind: 'default' };
  readonly local: boolean;
}

/** SET TRANSACTION ... and SET SESSION CHARACTERISTICS AS TRANSACTION ... */
export interface SetTransaction {
  readonly kind: 'setTransaction';
  readonly scope: 'transaction' | 'session';
  readonly options: TransactionOptions;
}

/** SHOW name; SHOW ALL has name `all`; SHOW TIME ZONE is `timezone`. */
export interface Show {
  readonly kind: 'show';
  readonly name: string;
}

/** RESET name; `name` is null for RESET ALL. */
export interface Reset {
  readonly kind: 'reset';
  readonly name: string | null;
}

/** What PREPARE, EXPLAIN and COPY (query) accept inside them. */
export type PreparableStatement = Select | Insert | Update | Delete;

export interface Explain {
  readonly kind: 'explain';
  readonly statement: PreparableStatement | Execute;
  readonly analyze: boolean;
  readonly verbose: boolean;
  readonly format: 'text' | 'json' | 'xml' | 'yaml';
  /** The other options as written (COSTS, BUFFERS, TIMING, SETTINGS, ...). */
  readonly options: readonly Option[];
}

/** FORCE_QUOTE and friends: a column list or `*`. */
export type CopyColumns = { readonly kind: 'all' } | { readonly kind: 'columns'; readonly columns: readonly string[] };

/** COPY options after validation: PostgreSQL's defaults are left null for the executor. */
export interface CopyOptions {
  readonly format: 'text' | 'csv' | 'binary';
  readonly header: boolean | 'match';
  readonly delimiter: string | null;
  readonly null: string | null;
  readonly default: string | null;
  readonly quote: string | null;
  readonly escape: string | null;
  readonly forceQuote: CopyColumns | null;
  readonly forceNotNull: CopyColumns | null;
  readonly forceNull: CopyColumns | null;
  readonly freeze: boolean;
  readonly encoding: string | null;
}

export interface Copy {
  readonly kind: 'copy';
  readonly source:
    | { readonly kind: 'table'; readonly table: QualifiedName; readonly columns: readonly string[] }
    | { readonly kind: 'query'; readonly query: PreparableStatement };
  /** FROM STDIN or TO STDOUT: files and programs are not supported. */
  readonly direction: 'from' | 'to';
  readonly options: CopyOptions;
  /** COPY ... FROM ... WHERE. */
  readonly where: Expr | null;
}

/** CHECKPOINT: every view on this node writes its checkpoint now, then the WAL is trimmed if over its limit. */
export interface Checkpoint {
  readonly kind: 'checkpoint';
}

/** VACUUM and ANALYZE: parsed so tools do not fail; the engine may do nothing. */
export interface Vacuum {
  readonly kind: 'vacuum';
  readonly command: 'vacuum' | 'analyze';
  /** VACUUM ANALYZE t has option `analyze`. */
  readonly options: readonly Option[];
  readonly tables: readonly { readonly table: QualifiedName; readonly columns: readonly string[] }[];
}

export interface Prepare {
  readonly kind: 'prepare';
  readonly name: string;
  readonly paramTypes: readonly TypeName[];
  readonly statement: PreparableStatement;
}

export interface Execute {
  readonly kind: 'execute';
  readonly name: string;
  readonly params: readonly Expr[];
}

export interface Deallocate {
  readonly kind: 'deallocate';
  /** Null for DEALLOCATE ALL. */
  readonly name: string | null;
}

export interface Discard {
  readonly kind: 'discard';
  readonly target: 'all' | 'plans' | 'sequences' | 'temp';
}

export interface Listen {
  readonly kind: 'listen';
  readonly channel: string;
}

export interface Notify {
  readonly kind: 'notify';
  readonly channel: string;
  readonly payload: string | null;
}

export interface Unlisten {
  readonly kind: 'unlisten';
  /** Null for UNLISTEN *. */
  readonly channel: string | null;
}
