// EngineSession: statements of one connection, in order. Owns the session's
// transaction (explicit block, implicit multi-statement block, or one
// autocommit statement at a time), its settings, notices, prepared
// statements, and the running statement's cancel state. Statement kinds are
// dispatched to their handlers in dispatch.ts.

import type { Catalog } from '../../materializers/index.js';
import type { Statement } from '../ast/index.js';
import type { CachedLookup, CatalogView, CompiledStatement, RuntimeContext, SessionContext, TableAccess } from '../contract.js';
import { encodeKey, tableKeyTypes } from '../../materializers/index.js';
import { fitKeyValues } from './key-values.js';
import { columnAccessFor } from './column-access.js';
import type {
  CommandResult, EngineNotice, PreparedStatement, ResultColumn, RoutableSession, RowsResult, SessionStartup, StatementResult, StatementRoute, SyncResult,
  TransactionState,
} from '../engine.js';
import { bindLiteral } from '../binder/bind-literal.js';
import { mapOffset, type ShapedStatement } from '../parser/index.js';
import { makeSession, SqlError, type SqlType, type SqlValue, type TypeSession } from '../types/index.js';
import { catalogView, tableDefOf } from './catalog-view.js';
import { dispatchStatement, preparedResultColumns } from './dispatch.js';
import type { EngineCore } from './engine-core.js';
import {
  EngineSqlState, featureNotSupported, inFailedTransaction, invariant, queryCanceled, serializationFailure, sqlError,
  StatementRestart, type CancelReason,
} from './errors.js';
import { noticesQueuedMax, statementRestartsMax } from './limits.js';
import { SessionSettings } from './session-settings.js';
import type { CompiledCache, LockFunction, RunMode, SessionHost, SqlPreparedStatement } from './session-host.js';
import type { IsolationLevel } from './settings.js';
import type { StatementScope } from './statement-scope.js';
import { TransactionTableAccess } from './table-access.js';
import { commitWrites } from './commit.js';
import { BlockSyncAccess, BlockSyncRuntime } from './block-sync.js';
import { begin } from './utility/transaction-control.js';
import { Transaction } from './transaction.js';
import { isReadOnlyQuery, statementRoute, strongestRoute } from './route.js';

interface RunningStatement {
  cancelled: CancelReason | null;
  timer: ReturnType<typeof setTimeout> | undefined;
}

interface ShapedRun {
  readonly shaped: ShapedStatement;
  readonly internal: PreparedInternal;
  readonly values: readonly SqlValue[];
}

interface PreparedInternal {
  readonly statement: Statement | null;
  readonly declared: readonly (SqlType | undefined)[];
  readonly cache: CompiledCache;
  readonly resultColumns: readonly ResultColumn[] | undefined;
}

const writingKinds: ReadonlySet<string> = new Set(['insert', 'update', 'delete']);

export class EngineSessionImpl implements RoutableSession, SessionHost {
  readonly sessionId: number;
  readonly user: string;
  readonly database: string;
  readonly settings: SessionSettings;
  readonly sqlPrepared = new Map<string, SqlPreparedStatement>();
  /** The PREPARE text of each SQL-level prepared statement made by a simple query, with the body it made (preparedWrites). */
  private readonly preparedTexts = new Map<string, { readonly text: string; readonly body: Statement }>();
  private txn: Transaction | null = null;
  private notices: EngineNotice[] = [];
  private running: RunningStatement | null = null;
  /** Who waits for locks in the running statement (the transaction, or a DDL statement's own owner). */
  private lockOwner: number | null = null;
  private readonly prepared = new WeakMap<PreparedStatement, PreparedInternal>();
  /**
   * Plans of simple-query statements, by syntax tree: the statement cache
   * hands back the same tree for the same text, so a repeated statement
   * compiles once per catalog version.
   */
  private readonly simplePlans = new WeakMap<Statement, CompiledCache>();
  /** The last plan Parse compiled per tree (statements without declared parameter types), and its plan settings. */
  private readonly parsedPlans = new WeakMap<Statement, CompiledStatement>();
  private readonly parsedPlanKeys = new WeakMap<CompiledStatement, string>();
  private closed = false;
  private lastShape: { readonly sql: string; readonly shaped: ShapedStatement | null } | undefined;
  /** The synchronous block path's access and runtime, reused by each statement (block-sync.ts). */
  private blockSync: { readonly access: BlockSyncAccess; readonly runtime: BlockSyncRuntime } | undefined;
  /** Derived from the settings, with the settings version they were derived at. */
  private reported: { readonly version: number; readonly map: ReadonlyMap<string, string> } | undefined;
  private context: { readonly version: number; readonly context: SessionContext } | undefined;
  private derived: { readonly version: number; readonly planKey: string; readonly statementTimeoutMs: number } | undefined;

  constructor(readonly core: EngineCore, startup: SessionStartup) {
    this.sessionId = core.newSessionId();
    this.user = startup.user;
    this.database = startup.database;
    this.settings = new SessionSettings(startup.user, { ...startup.parameters, session_authorization: startup.user });
    core.sessionsByDatabase.set(this.database, (core.sessionsByDatabase.get(this.database) ?? 0) + 1);
  }

  // ------------------------------------------------------------ EngineSession --

  async *executeSimple(sql: string): AsyncIterable<StatementResult> {
    this.checkOpen();
    const shaped = this.shapedStatement(sql);
    if (shaped !== undefined) {
      yield await this.runShaped(shaped);
      return;
    }
    const parsed = this.guard(() => this.core.statements.parse(sql));
    const mode: RunMode = parsed.length > 1 ? 'implicitBlock' : 'autocommit';
    let finished = false;
    try {
      for (const p of parsed) {
        const result = await this.runOne(p.statement, [], mode, undefined);
        if (p.statement.kind === 'prepare') this.preparedTexts.set(p.statement.name, { text: p.text, body: p.statement.statement });
        yield result;
      }
      if (mode === 'implicitBlock' && this.txn !== null && !this.txn.explicit) await this.guardAsync(() => this.commitTransaction());
      finished = true;
    } finally {
      // Abandoned midway (an error, or the consumer stopped): the implicit block does not commit.
      if (!finished && this.txn !== null && !this.txn.explicit) this.rollbackTransaction();
    }
  }

  statementRoute(sql: string): StatementRoute {
    try {
      return strongestRoute(this.core.statements.parse(sql).map((p) => p.statement), (name) => this.sqlPrepared.get(name)?.statement);
    } catch {
      return 'read';
    }
  }

  preparedWrites(): ReadonlyMap<string, string> {
    const writes = new Map<string, string>();
    for (const [name, prepared] of this.sqlPrepared) {
      // The body's identity tells the text still made this statement (not one DEALLOCATEd and prepared again by Parse).
      const made = this.preparedTexts.get(name);
      if (made?.body === prepared.statement && statementRoute(prepared.statement) === 'write') writes.set(name, made.text);
    }
    return writes;
  }

  endsTransactionBlock(sql: string): boolean {
    try {
      return this.core.statements.parse(sql).some((p) => p.statement.kind === 'commit' || p.statement.kind === 'rollback');
    } catch {
      return false;
    }
  }

  changedSettings(): ReadonlyMap<string, string> {
    return this.settings.changed();
  }

  prepare(sql: string, parameterTypes: readonly (SqlType | undefined)[]): PreparedStatement {
    this.checkOpen();
    return this.guard(() => {
      const parsed = this.core.statements.parse(sql);
      if (parsed.length > 1) throw sqlError(EngineSqlState.syntaxError, 'cannot insert multiple commands into a prepared statement');
      const statement = parsed[0]?.statement ?? null;
      if (this.txn?.failed === true && statement !== null && !allowedInFailedBlock(statement)) throw inFailedTransaction();
      const cache: CompiledCache = { compiled: undefined, settingsKey: '', fixedShape: true };
      let types: readonly SqlType[] = [];
      let resultColumns: readonly ResultColumn[] | undefined;
      if (statement !== null && isCompilable(statement)) {
        const catalog = this.txn?.catalog() ?? this.core.catalog();
        // Extended-protocol clients Parse the same unnamed text again and again (pgbench -M
        // extended, most drivers without named statements): the parse cache hands back the same
        // tree, so a plan compiled for it moments ago seeds the new statement's cache.
        const reusable = parameterTypes.length === 0 ? this.parsedPlans.get(statement) : undefined;
        if (reusable !== undefined && reusable.catalogVersion === catalog.version) {
          cache.compiled = reusable;
          cache.settingsKey = this.planSettingsKey();
          if (this.parsedPlanKeys.get(reusable) !== cache.settingsKey) cache.compiled = undefined;
        }
        const compiled = this.compile(statement, catalog, parameterTypes, cache);
        if (parameterTypes.length === 0) {
          this.parsedPlans.set(statement, compiled);
          this.parsedPlanKeys.set(compiled, cache.settingsKey);
        }
        types = compiled.parameterTypes;
        resultColumns = compiled.resultColumns;
      } else if (statement !== null) {
        if (parameterTypes.length > 0) throw sqlError(EngineSqlState.syntaxError, `${statement.kind} statements take no parameters`);
        resultColumns = preparedResultColumns(statement);
      }
      const prepared: PreparedStatement = { parameterTypes: types, resultColumns };
      this.prepared.set(prepared, { statement, declared: types, cache, resultColumns });
      return prepared;
    });
  }

  async executePrepared(statement: PreparedStatement, parameters: readonly SqlValue[]): Promise<StatementResult> {
    this.checkOpen();
    const internal = this.prepared.get(statement);
    invariant(internal !== undefined, 'executePrepared with a statement this session did not prepare');
    if (internal.statement === null) return { kind: 'empty' };
    return this.runOne(internal.statement, parameters, 'autocommit', internal);
  }

  /**
   * The point-read fast path (DESIGN.md, "Point reads"): a prepared
   * primary-key read answered synchronously from memory, or undefined when
   * `executePrepared` must run it.
   */
  executePreparedSync(statement: PreparedStatement, parameters: readonly SqlValue[]): SyncResult | undefined {
    const internal = this.prepared.get(statement);
    if (internal === undefined || internal.statement === null || this.closed) return undefined;
    if (internal.statement.kind === 'begin') return this.tryBegin(internal.statement);
    return this.txn === null ? this.tryPointRead(internal.cache, parameters) : this.tryInBlock(internal.cache, parameters);
  }

  /**
   * The same for a simple-query text served by the shape level with a plan
   * this session already compiled; undefined sends it through
   * `executeSimple`, which compiles (the first time) and reports errors.
   */
  executeSimpleSync(sql: string): SyncResult | undefined {
    if (this.closed || !this.core.shapeStatements) return undefined;
    const shaped = this.shapeOf(sql);
    if (shaped === null) return this.txn === null ? this.tryBeginText(sql) : undefined;
    const cache = this.simplePlans.get(shaped.statement);
    const compiled = cache?.compiled;
    if (cache === undefined || compiled === undefined) return undefined;
    if (compiled.executeCached === undefined && compiled.executeWriteCached === undefined) return undefined;
    const values: SqlValue[] = [];
    for (const literal of shaped.parameters) {
      const bound = bindLiteral(literal);
      if (bound.kind !== 'const') return undefined;
      values.push(bound.value);
    }
    try {
      return this.txn === null ? this.tryPointRead(cache, values) : this.tryInBlock(cache, values);
    } catch (error) {
      throw positionedForText(error, shaped);
    }
  }

  transactionState(): TransactionState {
    if (this.txn === null || !this.txn.explicit) return 'idle';
    return this.txn.failed ? 'failed' : 'inTransaction';
  }

  reportedParameters(): ReadonlyMap<string, string> {
    // Asked at every ReadyForQuery (and for every result's formatting): rebuilt only when a setting changed.
    const cached = this.reported;
    if (cached !== undefined && cached.version === this.settings.version) return cached.map;
    const out = new Map<string, string>();
    for (const [name, value] of this.settings.all()) {
      const spec = this.settings.specOf(name);
      if (spec?.reported === true) out.set(spec.name, value);
    }
    this.reported = { version: this.settings.version, map: out };
    return out;
  }

  takeNotices(): readonly EngineNotice[] {
    const out = this.notices;
    this.notices = [];
    return out;
  }

  cancel(): void {
    this.cancelRunning('user');
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    // A statement still running (the connection dropped) stops at its next check or lock wait.
    this.cancelRunning('user');
    // A commit in flight ends its transaction itself once its entries are applied.
    if (this.txn !== null && !this.txn.committing) this.rollbackTransaction();
    this.sqlPrepared.clear();
    const n = (this.core.sessionsByDatabase.get(this.database) ?? 1) - 1;
    if (n <= 0) this.core.sessionsByDatabase.delete(this.database);
    else this.core.sessionsByDatabase.set(this.database, n);
  }

  // -------------------------------------------------------------- SessionHost --

  transaction(): Transaction | null {
    return this.txn;
  }

  ensureTransaction(): Transaction {
    this.txn ??= this.newTransaction(false, null, null);
    return this.txn;
  }

  beginBlock(options: { readonly isolation: string | null; readonly readOnly: boolean | null }): void {
    if (this.txn === null) {
      this.txn = this.newTransaction(true, options.isolation, options.readOnly);
      return;
    }
    // BEGIN inside a multi-statement query: the statements before it join the block, as in PostgreSQL.
    this.txn.explicit = true;
    if (options.isolation !== null && !this.txn.dataStatementRan) this.txn.isolation = options.isolation as IsolationLevel;
    if (options.readOnly !== null) this.txn.readOnly = options.readOnly;
  }

  async commitTransaction(): Promise<void> {
    const txn = this.txn;
    invariant(txn !== null, 'commit without a transaction');
    txn.committing = true;
    try {
      await commitWrites(this.core, txn);
      this.settings.undo(txn, 0, true);
    } catch (error) {
      this.settings.undo(txn, 0, false);
      throw error;
    } finally {
      txn.committing = false;
      txn.end();
      if (this.txn === txn) this.txn = null;
    }
  }

  rollbackTransaction(): void {
    const txn = this.txn;
    if (txn === null) return;
    this.settings.undo(txn, 0, false);
    txn.end();
    this.txn = null;
  }

  statementFailed(): void {
    this.onError();
  }

  notice(notice: EngineNotice): void {
    if (this.notices.length >= noticesQueuedMax) this.notices.shift();
    this.notices.push(notice);
  }

  typeSession(txn: Transaction | null): TypeSession {
    return makeSession(this.settings.timeZone(), txn?.startMicros ?? this.core.nowMicros());
  }

  sessionContext(): SessionContext {
    const settings = this.settings;
    const cached = this.context;
    if (cached !== undefined && cached.version === settings.version) return cached.context;
    const context: SessionContext = {
      user: this.user, database: this.database, searchPath: settings.searchPath(), timeZone: settings.timeZone().name,
      setting: (name) => this.showValue(name),
    };
    this.context = { version: settings.version, context };
    return context;
  }

  /** SHOW's value of a setting, including the transaction's own characteristics. */
  showValue(name: string): string | undefined {
    const key = name.toLowerCase();
    if (key === 'transaction_isolation') return this.txn?.isolation ?? this.settings.get('default_transaction_isolation');
    if (key === 'transaction_read_only') return (this.txn?.readOnly ?? this.settings.get('default_transaction_read_only') === 'on') ? 'on' : 'off';
    return this.settings.get(key);
  }

  async runInStatement<T>(mode: RunMode, body: (scope: StatementScope, catalog: Catalog) => Promise<T>, reads = false): Promise<T> {
    const txn = this.ensureTransaction();
    txn.command++;
    txn.dataStatementRan = true;
    return this.withRunning(async (running) => {
      if (reads) await this.linearizableReadBarrier(txn);
      const result = await this.runWithRestart(txn, running, body);
      if (mode === 'autocommit' && !txn.explicit && this.txn === txn) await this.commitTransaction();
      return result;
    });
  }

  withStatementLocks<T>(body: (lock: LockFunction) => Promise<T>): Promise<T> {
    const txn = this.txn;
    const owner = txn?.owner ?? this.core.newOwner();
    const taken: string[] = [];
    return this.withRunning(async (running) => {
      const outerOwner = this.lockOwner;
      this.lockOwner = owner;
      const lock: LockFunction = async (resource, mode) => {
        if (running.cancelled !== null) throw queryCanceled(running.cancelled);
        if (this.core.locks.holds(owner, resource) === undefined) taken.push(resource);
        const wait = this.core.locks.acquire(owner, resource, mode);
        if (wait !== null) await wait;
      };
      try {
        return await body(lock);
      } finally {
        this.lockOwner = outerOwner;
        for (const resource of taken) this.core.locks.release(owner, resource);
        if (txn === null) this.core.locks.releaseAll(owner);
      }
    });
  }

  compile(statement: Statement, catalog: Catalog, declared: readonly (SqlType | undefined)[], cache?: CompiledCache): CompiledStatement {
    const settingsKey = this.planSettingsKey();
    const cached = cache?.compiled;
    if (cached !== undefined && cached.catalogVersion === catalog.version && cache?.settingsKey === settingsKey) return cached;
    const compiled = this.core.compile(statement, { catalog: catalogView(catalog, this.database), session: this.sessionContext(), declaredParameterTypes: declared });
    if (cache !== undefined) {
      if (cache.fixedShape && cached !== undefined && !sameResultShape(cached.resultColumns, compiled.resultColumns)) {
        throw featureNotSupported('cached plan must not change result type');
      }
      cache.compiled = compiled;
      cache.settingsKey = settingsKey;
    }
    return compiled;
  }

  async execute(compiled: CompiledStatement, scope: StatementScope, catalog: Catalog, parameters: readonly SqlValue[]): Promise<StatementResult> {
    if (scope.txn.readOnly && (writingKinds.has(compiled.kind) || compiled.tablesWritten.length > 0)) {
      throw sqlError(EngineSqlState.readOnlySqlTransaction, `cannot execute ${compiled.kind.toUpperCase()} in a read-only transaction`);
    }
    const context: RuntimeContext = {
      access: new TransactionTableAccess(scope), catalog: catalogView(catalog, this.database), session: this.sessionContext(), parameters,
      transactionTimestampMicros: scope.txn.startMicros, clockMicros: () => this.core.nowMicros(), checkCancelled: () => scope.checkCancelled(),
      columns: columnAccessFor(scope),
    };
    return compiled.execute(context);
  }

  runData(
    statement: Statement, parameters: readonly SqlValue[], mode: RunMode, declared: readonly (SqlType | undefined)[], cache?: CompiledCache,
  ): Promise<StatementResult> {
    const reads = this.core.linearizableReads && isReadOnlyQuery(statement);
    return this.runInStatement(mode, (scope, catalog) => this.execute(this.compile(statement, catalog, declared, cache), scope, catalog, parameters), reads);
  }

  /**
   * Before a read takes a new snapshot: wait until this node applied the
   * leader's confirmed commit index, so the read sees every write acknowledged
   * before it began (log/raft/DESIGN.md, ReadIndex). Writes skip it: they run
   * on the leader against its latest state and their commit confirms the
   * leadership. A REPEATABLE READ snapshot already taken needs no new barrier.
   */
  private async linearizableReadBarrier(txn: Transaction): Promise<void> {
    if (txn.usesTransactionSnapshot() && txn.snapshotIndex() !== undefined) return;
    if (this.settings.get('thunderdb.read_consistency') === 'local') return;
    const barrier = this.core.readBarrier();
    if (barrier !== undefined) await barrier;
  }

  // ---------------------------------------------------------------- internals --

  /**
   * Runs a compiled point read in one synchronous call, as its own
   * autocommit statement at the applied index, when nothing needs an await:
   * no transaction is open (so no write set, private catalog or failed
   * state to honour), the plan is current for this catalog and these
   * settings, no linearizable read barrier is due, and the row store has the
   * row in memory. A read-only statement that commits nothing needs no
   * Transaction, snapshot registration or commit: nothing can change the
   * row store during a synchronous call, and every isolation level reads
   * the latest applied state for a single statement. Otherwise undefined
   * (nothing was read or changed) and the caller takes the ordinary path.
   */
  private tryPointRead(cache: CompiledCache, parameters: readonly SqlValue[]): RowsResult | undefined {
    if (this.closed || this.txn !== null) return undefined;
    const compiled = cache.compiled;
    if (compiled?.executeCached === undefined) return undefined;
    const catalog = this.core.catalog();
    if (compiled.catalogVersion !== catalog.version || cache.settingsKey !== this.planSettingsKey()) return undefined;
    if (this.core.linearizableReads && this.core.readBarrierDue() && this.settings.get('thunderdb.read_consistency') !== 'local') return undefined;
    const runtime = new PointReadRuntime(this.core, catalogView(catalog, this.database), this.sessionContext(), parameters);
    return this.guard(() => compiled.executeCached?.(runtime, this.cachedLookup));
  }

  /**
   * BEGIN (START TRANSACTION) outside a block, answered without the async
   * statement path: it only opens the block. Undefined for anything else,
   * including a text that does not parse (the ordinary path reports it).
   */
  private tryBeginText(sql: string): CommandResult | undefined {
    let parsed: ReturnType<EngineCore['statements']['parse']>;
    try {
      parsed = this.core.statements.parse(sql);
    } catch {
      return undefined;
    }
    const statement = parsed.length === 1 ? parsed[0]?.statement : undefined;
    return statement?.kind === 'begin' ? this.tryBegin(statement) : undefined;
  }

  private tryBegin(statement: Statement & { kind: 'begin' }): CommandResult | undefined {
    // Inside a block BEGIN warns (a notice): the ordinary path.
    if (this.txn !== null) return undefined;
    return this.guard(() => begin(this, statement)) as CommandResult;
  }

  /**
   * A point read or point write inside a transaction block, in one
   * synchronous call (DESIGN.md, "Point writes"): only in a READ COMMITTED
   * block that has not failed, run no DDL and is not committing, with a
   * plan current for this catalog and these settings. The statement counts
   * as the block's next one only if it ran; undefined leaves no trace.
   */
  private tryInBlock(cache: CompiledCache, parameters: readonly SqlValue[]): SyncResult | undefined {
    const txn = this.txn;
    const compiled = cache.compiled;
    // `running`: a statement of this session still in flight (a caller that did not wait for it) keeps its turn.
    if (txn === null || compiled === undefined || this.running !== null || !txn.explicit || txn.failed || txn.committing || txn.isEnded) return undefined;
    // A bulk COPY's rows are not in the write set yet: the ordinary path moves them there first.
    if (txn.isolation !== 'read committed' || txn.ddl.length > 0 || txn.bulk !== null) return undefined;
    const catalog = this.core.catalog();
    if (compiled.catalogVersion !== catalog.version || cache.settingsKey !== this.planSettingsKey()) return undefined;
    const write = compiled.executeWriteCached;
    const read = compiled.executeCached;
    // A read-only block refuses writes with an error: the ordinary path raises it.
    if (write !== undefined ? txn.readOnly : read === undefined) return undefined;
    if (write === undefined && this.core.linearizableReads && this.core.readBarrierDue() && this.settings.get('thunderdb.read_consistency') !== 'local') return undefined;
    const command = txn.command + 1;
    if (this.blockSync === undefined) {
      const created = new BlockSyncAccess(this.core);
      this.blockSync = { access: created, runtime: new BlockSyncRuntime(this.core, created) };
    }
    const { access, runtime } = this.blockSync;
    access.start(txn, command);
    runtime.start(txn, catalogView(catalog, this.database), this.sessionContext(), parameters);
    const result = this.guard(() => (write !== undefined ? write(runtime, access) : read?.(runtime, access.lookup)));
    if (result !== undefined) {
      txn.command = command;
      txn.dataStatementRan = true;
    }
    return result;
  }

  /** The row at the applied index, from memory only (undefined: ask the ordinary path). */
  private readonly cachedLookup: CachedLookup = (table, values) => {
    const core = this.core;
    const def = tableDefOf(table);
    if (def === undefined || def.primaryKey === null || core.catalog().tableById(def.id) !== def) return undefined;
    const types = tableKeyTypes(def);
    const fitted = fitKeyValues(types, values);
    if (fitted === undefined) return null;
    if (fitted.length !== types.length) return undefined;
    const key = encodeKey(types, fitted);
    const row = core.rowStore.tryGetCached(def.id, key, core.rowStore.appliedIndex());
    if (row === undefined || row === null) return row;
    return { key, row };
  };

  private async runOne(statement: Statement, parameters: readonly SqlValue[], mode: RunMode, prepared: PreparedInternal | undefined): Promise<StatementResult> {
    if (this.txn?.failed === true && !allowedInFailedBlock(statement)) throw inFailedTransaction();
    // Anything but the end of the transaction sees a bulk COPY's rows as own writes (Transaction.bulk).
    if (this.txn !== null && this.txn.bulk !== null && statement.kind !== 'commit' && statement.kind !== 'rollback') this.txn.materializeBulk();
    return this.guardAsync(() => {
      if (isCompilable(statement)) return this.runData(statement, parameters, mode, prepared?.declared ?? [], prepared?.cache ?? this.simplePlan(statement));
      return dispatchStatement(this, statement, parameters, mode);
    });
  }

  /**
   * A simple-query text served by the statement cache's shape level: one
   * tree per literal-normalised shape, its numeric constants as typed
   * parameters, compiled once per session. Undefined sends the text the
   * ordinary way, which also reports compile errors with their positions.
   */
  private shapedStatement(sql: string): ShapedRun | undefined {
    if (!this.core.shapeStatements) return undefined;
    const shaped = this.shapeOf(sql);
    if (shaped === null) return undefined;
    const declared: SqlType[] = [];
    const values: SqlValue[] = [];
    for (const literal of shaped.parameters) {
      const bound = bindLiteral(literal);
      invariant(bound.kind === 'const', 'a numeric literal binds to a constant');
      declared.push(bound.type);
      values.push(bound.value);
    }
    const cache = this.simplePlan(shaped.statement);
    if (this.txn?.failed !== true) {
      try {
        this.compile(shaped.statement, this.txn?.catalog() ?? this.core.catalog(), declared, cache);
      } catch {
        return undefined;
      }
    }
    return { shaped, internal: { statement: shaped.statement, declared, cache, resultColumns: undefined }, values };
  }

  private async runShaped(run: ShapedRun): Promise<StatementResult> {
    try {
      return await this.runOne(run.internal.statement as Statement, run.values, 'autocommit', run.internal);
    } catch (error) {
      throw positionedForText(error, run.shaped);
    }
  }

  /**
   * The statement cache's shape of `sql`, remembered for the last text: when
   * the synchronous path declines (a lock to wait for, a row not in memory)
   * the same text comes straight back through executeSimple, which need not
   * scan it again.
   */
  private shapeOf(sql: string): ShapedStatement | null {
    if (sql === this.lastShape?.sql) return this.lastShape.shaped;
    const shaped = this.core.statements.shape(sql);
    this.lastShape = { sql, shaped };
    return shaped;
  }

  /** What a plan depends on besides the catalog: search_path and TimeZone (recomputed only when a setting changed). */
  private planSettingsKey(): string {
    const settings = this.settings;
    if (this.derived?.version !== settings.version) {
      this.derived = {
        version: settings.version,
        planKey: `${settings.get('search_path') ?? ''}\u0000${settings.get('timezone') ?? ''}`,
        statementTimeoutMs: settings.statementTimeoutMs(),
      };
    }
    return this.derived.planKey;
  }

  private statementTimeoutMs(): number {
    this.planSettingsKey();
    return this.derived?.statementTimeoutMs ?? this.settings.statementTimeoutMs();
  }

  private simplePlan(statement: Statement): CompiledCache {
    let cache = this.simplePlans.get(statement);
    if (cache === undefined) {
      cache = { compiled: undefined, settingsKey: '', fixedShape: false };
      this.simplePlans.set(statement, cache);
    }
    return cache;
  }

  private async runWithRestart<T>(txn: Transaction, running: RunningStatement, body: (scope: StatementScope, catalog: Catalog) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const own = !txn.usesTransactionSnapshot();
      const snapshot = own ? this.core.openSnapshot() : txn.transactionSnapshot();
      // Taken in the same turn as the snapshot: under READ COMMITTED they describe the same index.
      // After DDL in a transaction block, the transaction's private catalog (DESIGN.md, "DDL").
      const catalog = txn.catalog();
      const mark = txn.writes.mark();
      const scope: StatementScope = {
        core: this.core, txn, command: txn.command, snapshot, typeSession: this.typeSession(txn),
        checkCancelled: () => {
          if (running.cancelled !== null) throw queryCanceled(running.cancelled);
        },
      };
      try {
        return await body(scope, catalog);
      } catch (error) {
        if (!(error instanceof StatementRestart)) throw error;
        txn.writes.rollbackTo(mark);
        if (txn.isolation !== 'read committed' || attempt >= statementRestartsMax) throw serializationFailure('update');
      } finally {
        if (own) snapshot.release();
      }
    }
  }

  private async withRunning<T>(body: (running: RunningStatement) => Promise<T>): Promise<T> {
    const running: RunningStatement = { cancelled: null, timer: undefined };
    const timeoutMs = this.statementTimeoutMs();
    const outer = this.running;
    this.running = running;
    if (timeoutMs > 0) running.timer = setTimeout(() => this.cancelRunning('timeout'), timeoutMs);
    try {
      return await body(running);
    } finally {
      if (running.timer !== undefined) clearTimeout(running.timer);
      this.running = outer;
    }
  }

  private cancelRunning(reason: CancelReason): void {
    const running = this.running;
    if (running === null || running.cancelled !== null) return;
    running.cancelled = reason;
    const owner = this.lockOwner ?? this.txn?.owner;
    if (owner !== undefined) this.core.locks.cancelWait(owner, queryCanceled(reason));
  }

  private newTransaction(explicit: boolean, isolation: string | null, readOnly: boolean | null): Transaction {
    const level = (isolation ?? this.settings.get('default_transaction_isolation') ?? 'read committed') as IsolationLevel;
    return new Transaction(this.core, {
      sessionId: this.sessionId, explicit, isolation: level === ('read uncommitted' as IsolationLevel) ? 'read committed' : level,
      readOnly: readOnly ?? this.settings.get('default_transaction_read_only') === 'on',
    });
  }

  /** An error fails an explicit block (25P02 until it ends) and rolls back anything else. */
  private onError(): void {
    if (this.txn === null) return;
    if (this.txn.explicit) this.txn.failed = true;
    else this.rollbackTransaction();
  }

  private guard<T>(body: () => T): T {
    try {
      return body();
    } catch (error) {
      this.onError();
      throw error;
    }
  }

  private async guardAsync<T>(body: () => Promise<T>): Promise<T> {
    try {
      return await body();
    } catch (error) {
      this.onError();
      throw error;
    }
  }

  private checkOpen(): void {
    if (this.closed) throw sqlError(EngineSqlState.objectInUse, 'the session is closed');
  }
}

/** The point-read path's TableAccess: its plans read only through CachedLookup. */
const noTableAccess: TableAccess = {
  scan: refuse, lookup: refuse, conflicts: refuse, insert: refuse, update: refuse, delete: refuse, nextIdentity: refuse,
};

/**
 * The point-read path's RuntimeContext: the statement is its own
 * transaction, so now() is the clock when first asked (most point reads
 * never ask, and skip the clock and its BigInt).
 */
class PointReadRuntime implements RuntimeContext {
  readonly access = noTableAccess;
  private startMicros: bigint | undefined;

  constructor(private readonly core: EngineCore, readonly catalog: CatalogView, readonly session: SessionContext, readonly parameters: readonly SqlValue[]) {}

  get transactionTimestampMicros(): bigint {
    this.startMicros ??= this.core.nowMicros();
    return this.startMicros;
  }

  clockMicros(): bigint {
    return this.core.nowMicros();
  }

  checkCancelled(): void {
    // A synchronous statement cannot be cancelled while it runs.
  }
}

function refuse(): never {
  throw new Error('invariant violated: a point read runs through CachedLookup, never TableAccess');
}


/** An error raised running a shaped tree, with its position in the text that was sent (the tree's are the template's). */
function positionedForText(error: unknown, shaped: ShapedStatement): unknown {
  if (!(error instanceof SqlError) || error.position === undefined || shaped.scan === shaped.template.origin) return error;
  const position = mapOffset(shaped.template.origin, shaped.scan, error.position - 1) + 1;
  const moved = new SqlError(error.sqlState, error.message, { detail: error.detail, hint: error.hint, position, mysqlErrno: error.mysqlErrno });
  if (error.stack !== undefined) moved.stack = error.stack;
  return moved;
}

function isCompilable(statement: Statement): boolean {
  switch (statement.kind) {
    case 'select': case 'insert': case 'update': case 'delete': case 'explain': return true;
    default: return false;
  }
}

/** What a failed block still accepts: ending it, or going back to a savepoint. */
function allowedInFailedBlock(statement: Statement): boolean {
  return statement.kind === 'commit' || statement.kind === 'rollback' || statement.kind === 'rollbackToSavepoint';
}

function sameResultShape(a: readonly ResultColumn[] | undefined, b: readonly ResultColumn[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.length === b.length && a.every((c, i) => c.name === b[i]?.name && JSON.stringify(c.type) === JSON.stringify(b[i]?.type));
}
