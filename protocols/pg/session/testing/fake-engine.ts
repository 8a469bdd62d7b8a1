// A fake QueryEngine for protocol tests: real enough for node-postgres,
// postgres.js and psql to talk to (see fake-statements.ts for what it
// understands), with the knobs tests need: errors on demand, a slow
// statement that honours cancel(), notices, settings that are reported,
// and transaction state driven by BEGIN / COMMIT / ROLLBACK.
import type {
  EngineNotice,
  EngineSession,
  PreparedStatement,
  QueryEngine,
  SessionStartup,
  StatementResult,
  TransactionState,
} from '../../../../query/engine.js';
import type { SqlType, SqlValue } from '../../../../query/types/index.js';
import { SqlError, parseTimeZoneSetting } from '../../../../query/types/index.js';
import type { FakePlan } from './fake-statements.js';
import { planFake, splitStatements } from './fake-statements.js';

export interface FakeEngineOptions {
  readonly databases?: readonly string[];
}

/** A user the fake refuses in openSession, to test engine-side login errors. */
export const refusedUser = 'nologin';

export class FakeEngine implements QueryEngine {
  readonly sessions: FakeEngineSession[] = [];
  /** Reasons passed to CopyInSink.abort, in order. */
  readonly copyAborts: string[] = [];
  private readonly databases: ReadonlySet<string>;
  private readonly userRows = new Map<number, string>([[1, 'alice'], [2, 'bob']]);

  constructor(options: FakeEngineOptions = {}) {
    this.databases = new Set(options.databases ?? ['thunderdb', 'postgres']);
  }

  openSession(startup: SessionStartup): FakeEngineSession {
    if (startup.user === refusedUser) throw new SqlError('28000', `role "${startup.user}" is not permitted to log in`);
    const session = new FakeEngineSession(this, startup);
    this.sessions.push(session);
    return session;
  }

  databaseExists(name: string): boolean {
    return this.databases.has(name);
  }

  users(): [number, string][] {
    return [...this.userRows].sort(([a], [b]) => a - b);
  }

  insertUser(id: number, name: string): void {
    if (this.userRows.has(id)) {
      throw new SqlError('23505', 'duplicate key value violates unique constraint "users_pkey"', { detail: `Key (id)=(${id}) already exists.` });
    }
    this.userRows.set(id, name);
  }

  deleteAllUsers(): number {
    const count = this.userRows.size;
    this.userRows.clear();
    return count;
  }
}

/** Settings reported with ParameterStatus when they change (PostgreSQL's GUC_REPORT set). */
const reportedSettings: ReadonlyMap<string, string> = new Map(
  ['TimeZone', 'DateStyle', 'IntervalStyle', 'application_name', 'client_encoding', 'standard_conforming_strings',
    'is_superuser', 'session_authorization', 'integer_datetimes', 'server_version', 'server_encoding']
    .map((name) => [name.toLowerCase(), name]),
);

export class FakeEngineSession implements EngineSession {
  closed = false;
  cancelCount = 0;
  /** prepare() calls: a driver that reuses named statements prepares each text once. */
  prepareCount = 0;
  /** Statement texts as they were run, for assertions. */
  readonly executed: string[] = [];
  private state: TransactionState = 'idle';
  private readonly settings = new Map<string, string>();
  private notices: EngineNotice[] = [];
  private readonly cancelWaiters = new Set<() => void>();
  private readonly plans = new WeakMap<PreparedStatement, FakePlan>();

  constructor(readonly engine: FakeEngine, readonly startup: SessionStartup) {
    this.settings.set('TimeZone', startup.parameters['TimeZone'] ?? 'UTC');
    this.settings.set('application_name', startup.parameters['application_name'] ?? '');
  }

  async *executeSimple(sql: string): AsyncIterable<StatementResult> {
    for (const text of splitStatements(sql)) yield await this.run(text, () => planFake(text, [], this, sql), []);
  }

  prepare(sql: string, parameterTypes: readonly (SqlType | undefined)[]): PreparedStatement {
    this.prepareCount++;
    const plan = this.guard(() => planFake(sql.replace(/;\s*$/, ''), parameterTypes, this));
    const prepared: PreparedStatement = { parameterTypes: plan.parameterTypes, resultColumns: plan.resultColumns };
    this.plans.set(prepared, plan);
    return prepared;
  }

  executePrepared(statement: PreparedStatement, parameters: readonly SqlValue[]): Promise<StatementResult> {
    const plan = this.plans.get(statement);
    if (plan === undefined) throw new Error('fake engine: a statement it did not prepare');
    return this.run('<prepared>', () => plan, parameters);
  }

  transactionState(): TransactionState {
    return this.state;
  }

  reportedParameters(): ReadonlyMap<string, string> {
    const reported = new Map<string, string>();
    for (const [name, value] of this.settings) {
      const canonical = reportedSettings.get(name.toLowerCase());
      if (canonical !== undefined) reported.set(canonical, value);
    }
    return reported;
  }

  takeNotices(): readonly EngineNotice[] {
    const notices = this.notices;
    this.notices = [];
    return notices;
  }

  cancel(): void {
    this.cancelCount++;
    for (const wake of this.cancelWaiters) wake();
  }

  close(): void {
    this.closed = true;
    this.state = 'idle';
  }

  // ---- used by fake-statements.ts ----

  begin(): void {
    if (this.state !== 'idle') this.notice('WARNING', '25001', 'there is already a transaction in progress');
    else this.state = 'inTransaction';
  }

  commit(): string {
    const tag = this.state === 'failed' ? 'ROLLBACK' : 'COMMIT';
    if (this.state === 'idle') this.notice('WARNING', '25P01', 'there is no transaction in progress');
    this.state = 'idle';
    return tag;
  }

  rollback(): void {
    if (this.state === 'idle') this.notice('WARNING', '25P01', 'there is no transaction in progress');
    this.state = 'idle';
  }

  set(name: string, value: string): void {
    if (name.toLowerCase() === 'timezone') parseTimeZoneSetting(value);
    const canonical = reportedSettings.get(name.toLowerCase()) ?? name.toLowerCase();
    this.settings.set(canonical, value);
  }

  show(name: string): string {
    const canonical = reportedSettings.get(name.toLowerCase()) ?? name.toLowerCase();
    const value = this.settings.get(canonical);
    if (value === undefined) throw new SqlError('42704', `unrecognized configuration parameter "${name}"`);
    return value;
  }

  notice(severity: EngineNotice['severity'], sqlState: string, message: string): void {
    this.notices.push({ severity, sqlState, message });
  }

  /** Waits `ms`, or fails with 57014 as soon as cancel() is called. */
  sleep(ms: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.cancelWaiters.delete(wake);
        reject(new SqlError('57014', 'canceling statement due to user request'));
      };
      const timer = setTimeout(() => {
        this.cancelWaiters.delete(wake);
        resolve(ms);
      }, ms);
      this.cancelWaiters.add(wake);
    });
  }

  /** Runs a statement with PostgreSQL's failed-transaction rules. */
  private async run(text: string, plan: () => FakePlan, parameters: readonly SqlValue[]): Promise<StatementResult> {
    this.executed.push(text);
    return this.guardAsync(async () => {
      const planned = plan();
      if (this.state === 'failed' && planned.endsTransaction !== true) {
        throw new SqlError('25P02', 'current transaction is aborted, commands ignored until end of transaction block');
      }
      return planned.run(parameters);
    });
  }

  private guard<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      if (this.state === 'inTransaction') this.state = 'failed';
      throw error;
    }
  }

  private async guardAsync<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (this.state === 'inTransaction') this.state = 'failed';
      throw error;
    }
  }
}
