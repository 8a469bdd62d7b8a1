// Transparent write forwarding (DESIGN.md, "Forwarding"): an EngineSession
// that runs reads and session statements on this node and sends writes, and
// whole transaction blocks, to the leader over a LeaderLink, handing the
// leader's results and errors back as if they were local. Which statement
// goes where is decided here, from the engine's statementRoute, so this logic
// is tested with a fake link and a fake local session, without sockets.
import type {
  EngineNotice, PreparedStatement, QueryEngine, RoutableSession, SessionStartup, StatementResult, StatementRoute, TransactionState,
} from '../../../query/engine.js';
import { SqlError, type SqlType, type SqlValue, type TypeSession } from '../../../query/types/index.js';
import { TypeSessions } from '../session/format.js';
import { LinkLostError, type LeaderLink } from './leader-connection.js';

/** Who leads, as this node knows it. */
export type LeaderView =
  | { readonly self: true }
  | { readonly self: false; readonly leaderId: number; readonly pgAddr: string };

/** What forwarding needs from the cluster (server/ wires the real one). */
export interface ForwardingCluster {
  leader(): LeaderView;
  /** Opens a link to the leader for one session; rejects when it cannot be reached. */
  connect(leaderId: number, pgAddr: string, startup: Readonly<Record<string, string>>): Promise<LeaderLink>;
  /** Resolves once this node applied everything the leader had committed (ReadIndex), so local reads and Parse see forwarded writes. */
  catchUp(): Promise<void>;
  /** SQLSTATE 25006 naming the leader: no leader known, or it cannot be reached. */
  cannotForward(leaderId: number, pgAddr: string, why: string): SqlError;
}

/** Startup parameter marking a session opened by another node's forwarding: it never forwards again (no loops between stale leaders). */
export const forwardedParameter = 'thunderdb.forwarded';

/** A statement prepared on this node, with what it takes to run it on the leader. */
interface ForwardablePrepared extends PreparedStatement {
  readonly sql: string;
  readonly local: PreparedStatement;
  readonly route: StatementRoute;
}

/** Often enough that a forwarded statement does not outlive its leader by much; a status() call each time. */
export const leaderWatchIntervalMs = 500;

/** Parse errors that a catalog change applied elsewhere but not yet here can cause: undefined table, column, object, schema, function. */
const catalogMisses: ReadonlySet<string> = new Set(['42P01', '42703', '42704', '3F000', '42883']);

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function lostBlockError(leaderId: number, reason: string): SqlError {
  return new SqlError('40001', `the connection to the leader (node ${leaderId}) was lost during the transaction block; the leader rolled it back`, {
    detail: reason, hint: 'Run ROLLBACK, then retry the whole transaction.',
  });
}

function outcomeUnknownError(leaderId: number, reason: string): SqlError {
  // 40003 statement_completion_unknown: what PostgreSQL itself means by "it may or may not have happened".
  return new SqlError('40003', `the connection to the leader (node ${leaderId}) was lost while it ran the statement; it may or may not have been applied`, {
    detail: reason, hint: 'Check whether the change happened before retrying it.',
  });
}

export class ForwardingSession implements RoutableSession {
  private link: LeaderLink | undefined;
  /** The settings the link was opened with, to notice a SET since. */
  private linkSettings = '';
  /** A block runs on the leader until its ReadyForQuery says idle again. */
  private pinned = false;
  /** The link died inside a block: like PostgreSQL's aborted block, only ROLLBACK/COMMIT end it. */
  private blockLost: SqlError | undefined;
  private readonly typeSessions = new TypeSessions();
  /** The SQL-level prepared writes defined on the current link, name -> PREPARE text (definePreparedWrites). */
  private linkPrepared = new Map<string, string>();

  constructor(
    private readonly local: RoutableSession,
    private readonly cluster: ForwardingCluster,
    private readonly startup: SessionStartup,
    /** How often a forwarded statement in flight checks that its leader still leads. */
    private readonly watchIntervalMs = leaderWatchIntervalMs,
  ) {}

  /** Whether this statement runs on the leader: inside a forwarded block always; otherwise writes and BEGIN, unless this node leads. */
  private forwards(route: StatementRoute): boolean {
    if (this.pinned) return true;
    if (route === 'read' || route === 'session') return false;
    // A block opened here while this node led keeps running here (its commit fails if leadership moved).
    if (this.local.transactionState() !== 'idle') return false;
    return !this.cluster.leader().self;
  }

  async *executeSimple(sql: string): AsyncIterable<StatementResult> {
    if (this.blockLost !== undefined) {
      yield this.inLostBlock(sql);
      return;
    }
    if (!this.forwards(this.local.statementRoute(sql))) {
      yield* this.local.executeSimple(sql);
      return;
    }
    const link = await this.linkForStatement();
    const types = this.typeSession();
    let failure: unknown;
    const unwatch = this.watch(link);
    try {
      await this.definePreparedWrites(link, types);
      yield* link.simpleQuery(sql, types);
    } catch (error) {
      failure = this.afterFailure(link, error);
      throw failure;
    } finally {
      unwatch();
      // Also when the consumer stopped early (a failed COPY): the link read up to ReadyForQuery, which says where the block stands.
      if (failure === undefined) this.settleAfterEarlyStop(link);
    }
    await this.afterStatement(link);
  }

  prepare(sql: string, parameterTypes: readonly (SqlType | undefined)[]): PreparedStatement {
    // Described by this node's catalog; a table it has not applied yet makes Parse catch up once (catchUpAfterPrepareError).
    const local = this.local.prepare(sql, parameterTypes);
    const prepared: ForwardablePrepared = {
      parameterTypes: local.parameterTypes, resultColumns: local.resultColumns, sql, local, route: this.local.statementRoute(sql),
    };
    return prepared;
  }

  catchUpAfterPrepareError(error: unknown): Promise<boolean> | undefined {
    if (!(error instanceof SqlError) || !catalogMisses.has(error.sqlState) || this.pinned || this.cluster.leader().self) return undefined;
    return this.cluster.catchUp().then(() => true, () => false);
  }

  async executePrepared(statement: PreparedStatement, parameters: readonly SqlValue[]): Promise<StatementResult> {
    const prepared = statement as ForwardablePrepared;
    if (this.blockLost !== undefined) return this.inLostBlock(prepared.sql);
    if (!this.forwards(prepared.route)) return this.local.executePrepared(prepared.local, parameters);
    const link = await this.linkForStatement();
    let result: StatementResult;
    const unwatch = this.watch(link);
    try {
      await this.definePreparedWrites(link, this.typeSession());
      result = await link.extendedQuery(prepared.sql, prepared.parameterTypes, parameters, this.typeSession());
    } catch (error) {
      throw this.afterFailure(link, error);
    } finally {
      unwatch();
    }
    await this.afterStatement(link);
    return result;
  }

  transactionState(): TransactionState {
    if (this.blockLost !== undefined) return 'failed';
    if (this.pinned && this.link !== undefined) return this.link.transactionState();
    return this.local.transactionState();
  }

  reportedParameters(): ReadonlyMap<string, string> {
    return this.local.reportedParameters();
  }

  takeNotices(): readonly EngineNotice[] {
    const local = this.local.takeNotices();
    const remote = this.link?.takeNotices() ?? [];
    return remote.length === 0 ? local : [...local, ...remote];
  }

  cancel(): void {
    this.link?.cancel();
    this.local.cancel();
  }

  close(): void {
    // Closing the link ends a forwarded block on the leader: it rolls back there.
    this.link?.close();
    this.link = undefined;
    this.local.close();
  }

  endsTransactionBlock(sql: string): boolean {
    return this.local.endsTransactionBlock(sql);
  }

  statementRoute(sql: string): StatementRoute {
    return this.local.statementRoute(sql);
  }

  preparedWrites(): ReadonlyMap<string, string> {
    return this.local.preparedWrites();
  }

  changedSettings(): ReadonlyMap<string, string> {
    return this.local.changedSettings();
  }

  // ------------------------------------------------------------------ internals

  /** The leader formats timestamptz in the session's TimeZone (replayed); parse its text in the same zone. */
  private typeSession(): TypeSession {
    return this.typeSessions.current(this.local.reportedParameters().get('TimeZone'));
  }

  /** The link a statement goes over: the block's own, or one to the current leader opened with the session's current settings. */
  private async linkForStatement(): Promise<LeaderLink> {
    if (this.pinned && this.link !== undefined) return this.link;
    const leader = this.cluster.leader();
    if (leader.self) throw new Error('invariant: forwarding while this node leads');
    const settings = this.local.changedSettings();
    const key = JSON.stringify([...settings]);
    const current = this.link;
    if (current !== undefined && current.usable() && current.leaderId === leader.leaderId && key === this.linkSettings) return current;
    current?.close();
    this.link = undefined;
    if (leader.leaderId === 0 || leader.pgAddr === '') throw this.cluster.cannotForward(leader.leaderId, leader.pgAddr, 'no leader is known yet (election in progress)');
    const startup: Record<string, string> = {
      user: this.startup.user, database: this.startup.database, ...Object.fromEntries(settings), [forwardedParameter]: 'on',
    };
    try {
      this.link = await this.cluster.connect(leader.leaderId, leader.pgAddr, startup);
    } catch (error) {
      // Nothing was sent: the client may retry, here or on the leader.
      if (error instanceof SqlError && error.sqlState !== '08006') throw error;
      throw this.cluster.cannotForward(leader.leaderId, leader.pgAddr, `it cannot be reached (${(error as Error).message})`);
    }
    this.linkSettings = key;
    this.linkPrepared = new Map();
    return this.link;
  }

  /**
   * PREPARE and DEALLOCATE run on this node (they are session state); an
   * EXECUTE of a prepared write is forwarded, so the leader's session must
   * hold the same statement first: each one this session prepared that the
   * link does not have yet (or has with another text) is defined there, once.
   */
  private async definePreparedWrites(link: LeaderLink, types: TypeSession): Promise<void> {
    const wanted = this.local.preparedWrites();
    if (wanted.size === 0) return;
    for (const [name, text] of wanted) {
      const defined = this.linkPrepared.get(name);
      if (defined === text) continue;
      const sql = defined === undefined ? text : `DEALLOCATE ${quoteIdentifier(name)}; ${text}`;
      this.linkPrepared.delete(name);
      for await (const result of link.simpleQuery(sql, types)) void result;
      this.linkPrepared.set(name, text);
    }
  }

  /**
   * While a statement is forwarded: once Raft says another node leads (or
   * this one), give up on the old leader's connection. A leader that is
   * stopped or cut off from us keeps its TCP connection open for minutes;
   * without this the statement would wait that long. The client gets 40003
   * (autocommit: may or may not have committed) or 40001 (block).
   */
  private watch(link: LeaderLink): () => void {
    const timer = setInterval(() => {
      const view = this.cluster.leader();
      if (view.self || (view.leaderId !== 0 && view.leaderId !== link.leaderId)) link.close();
    }, this.watchIntervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  private settleAfterEarlyStop(link: LeaderLink): void {
    if (link.usable()) {
      this.pinned = link.transactionState() !== 'idle';
      return;
    }
    // Lost while reading up to ReadyForQuery: as any loss (the block, if any, is gone on the leader).
    if (this.pinned || link.transactionState() !== 'idle') this.blockLost = lostBlockError(link.leaderId, 'connection lost');
    this.pinned = false;
    link.close();
    if (this.link === link) this.link = undefined;
  }

  private async afterStatement(link: LeaderLink): Promise<void> {
    this.pinned = link.transactionState() !== 'idle';
    // Read-your-writes with read_consistency = local: wait until this node applied what the leader committed.
    // Linearizable reads need no such wait here: each read waits for the leader's commit index itself (and a
    // Parse that misses a table catches up then), so a forwarded write costs no extra round trip.
    if (!this.pinned && this.local.changedSettings().get('thunderdb.read_consistency') === 'local') {
      await this.cluster.catchUp().catch(() => undefined);
    }
  }

  private afterFailure(link: LeaderLink, error: unknown): unknown {
    if (!(error instanceof LinkLostError)) {
      // The leader's own error: its ReadyForQuery said where the block stands.
      this.pinned = link.transactionState() !== 'idle';
      return error;
    }
    link.close();
    if (this.link === link) this.link = undefined;
    const wasPinned = this.pinned;
    this.pinned = false;
    if (wasPinned) {
      this.blockLost = lostBlockError(link.leaderId, error.message);
      return this.blockLost;
    }
    return error.sent ? outcomeUnknownError(link.leaderId, error.message) : this.cluster.cannotForward(link.leaderId, '', error.message);
  }

  /** A block whose leader connection died: PostgreSQL's aborted-block rules, with the reason. */
  private inLostBlock(sql: string): StatementResult {
    if (this.local.endsTransactionBlock(sql)) {
      this.blockLost = undefined;
      return { kind: 'command', tag: 'ROLLBACK' };
    }
    throw new SqlError('25P02', 'current transaction is aborted, commands ignored until end of transaction block', {
      detail: this.blockLost?.message, hint: 'Run ROLLBACK, then retry the whole transaction.',
    });
  }
}

/** The QueryEngine the PostgreSQL listener uses in a cluster: sessions forward writes to the leader. */
export interface RoutableEngine {
  openSession(startup: SessionStartup): RoutableSession;
  databaseExists(name: string): boolean;
}

export function forwardingEngine(engine: RoutableEngine, cluster: ForwardingCluster): QueryEngine {
  return {
    openSession(startup: SessionStartup): RoutableSession {
      const local = engine.openSession(startup);
      // A session another node forwarded here runs here, leader or not: forwarding twice could loop between stale leaders.
      if (startup.parameters[forwardedParameter] === 'on') return local;
      return new ForwardingSession(local, cluster, startup);
    },
    databaseExists: (name) => engine.databaseExists(name),
  };
}
