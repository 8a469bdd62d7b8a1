// What every session of one engine shares: the log and row store, the lock
// manager, the modification tracker, sequence counters, the statement cache,
// and the registry of live snapshots (the tracker prunes below the oldest).

import type { Logger } from 'pino';
import type { Subscription } from 'rxjs';
import type { Catalog, RowSnapshot, RowStore } from '../../materializers/index.js';
import type { ColumnStore } from '../../materializers/columnstore/index.js';
import {
  LogClosedError, LogFailedError, NotLeaderError, ProposalDroppedError, ProposalsPendingLimitError, ProposalTooLargeError, ReadIndexError,
  type ProposalResult, type ReplicatedLog,
} from '../../log/index.js';
import type { CompileStatement } from '../contract.js';
import { StatementCache } from '../parser/index.js';
import { SqlError } from '../types/index.js';
import { defaultCompile } from './compiler-seam.js';
import { EngineSqlState, sqlError } from './errors.js';
import { LockManager } from './lock-manager.js';
import { statementCacheEntriesMax, txnEntryBytesMaxDefault } from './limits.js';
import { ModificationTracker } from './modification-tracker.js';
import { SequenceAllocator } from './sequences.js';

/** The clock seam: µs since 2000-01-01 UTC (PostgreSQL's epoch). */
export interface EngineClock {
  nowMicros(): bigint;
}

const unixToPgEpochMicros = 946_684_800_000_000n;

export const systemClock: EngineClock = {
  nowMicros: () => BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)) - unixToPgEpochMicros,
};

export interface QueryEngineOptions {
  readonly log: ReplicatedLog;
  readonly rowStore: RowStore;
  readonly logger: Logger;
  readonly clock?: EngineClock;
  /** First session id handed out (session ids go into txn entries). */
  readonly sessionIdStart?: number;
  /** The SQL compiler (defaults to query/compiler.ts); a seam for tests. */
  readonly compile?: CompileStatement;
  /** Largest txn entry; bigger transactions are proposed as several entries. */
  readonly txnEntryBytesMax?: number;
  /** Serve simple-query DML through the statement cache's shape level (default true; tests turn it off to compare). */
  readonly shapeStatements?: boolean;
  /** The column store analytic queries may read (query/vectorized); absent: every query takes the row path. */
  readonly columnStore?: ColumnStore;
  /**
   * Reads confirm the leader's commit index (log.readIndex) before taking
   * their snapshot when the group has more than one voter (DESIGN.md,
   * "Linearizable reads"). Off by default: a single node, and tests with a
   * fake log, never wait.
   */
  readonly linearizableReads?: boolean;
  /**
   * The column store in use now, when it can be replaced while the engine
   * runs (a Raft snapshot install rebuilds it); overrides `columnStore`.
   */
  readonly currentColumnStore?: () => ColumnStore | undefined;
  /** Runs a checkpoint of every view now (the CHECKPOINT statement); absent: CHECKPOINT is refused. */
  readonly checkpoint?: () => Promise<void>;
  /**
   * VACUUM: compacts the column store's segments of these tables (null: every
   * table), dropping rows deleted at or below `horizonIndex`. Absent: VACUUM
   * only checks its tables (no column store to compact).
   */
  readonly vacuum?: (tableIds: readonly number[] | null, horizonIndex: number) => Promise<readonly VacuumStep[]>;
}

/** What VACUUM did to one table's column segments (VACUUM VERBOSE prints it). */
export interface VacuumStep {
  readonly tableId: number;
  readonly segmentsMerged: number;
  readonly rowsDropped: number;
  readonly rowsWritten: number;
}

export class EngineCore {
  readonly log: ReplicatedLog;
  readonly rowStore: RowStore;
  readonly logger: Logger;
  readonly clock: EngineClock;
  readonly compile: CompileStatement;
  readonly txnEntryBytesMax: number;
  readonly locks = new LockManager();
  readonly tracker: ModificationTracker;
  readonly sequences: SequenceAllocator;
  // The scanSync-based literal level costs more than it saves (parser/README-perf.md); the shape level replaces it.
  readonly statements = new StatementCache({ entriesMax: statementCacheEntriesMax, normalizeLiterals: false });
  readonly shapeStatements: boolean;
  readonly linearizableReads: boolean;
  readonly checkpoint: (() => Promise<void>) | undefined;
  readonly vacuum: QueryEngineOptions['vacuum'];
  private readonly currentColumnStore: () => ColumnStore | undefined;
  /** Open sessions per database (DROP DATABASE refuses while others use it). */
  readonly sessionsByDatabase = new Map<string, number>();
  private readonly snapshotPins = new Map<number, number>();
  private readonly subscription: Subscription;
  private nextOwner = 1;
  private nextTxnId: bigint;
  private nextSessionId: number;

  /** The column store analytic queries read (undefined: every query takes the row path). */
  get columnStore(): ColumnStore | undefined {
    return this.currentColumnStore();
  }

  constructor(options: QueryEngineOptions) {
    this.log = options.log;
    this.rowStore = options.rowStore;
    this.logger = options.logger;
    this.clock = options.clock ?? systemClock;
    this.compile = options.compile ?? defaultCompile;
    this.txnEntryBytesMax = options.txnEntryBytesMax ?? txnEntryBytesMaxDefault;
    this.shapeStatements = options.shapeStatements ?? true;
    this.linearizableReads = options.linearizableReads ?? false;
    this.checkpoint = options.checkpoint;
    this.vacuum = options.vacuum;
    const fixed = options.columnStore;
    this.currentColumnStore = options.currentColumnStore ?? (() => fixed);
    this.tracker = new ModificationTracker(() => this.oldestReadIndex());
    this.sequences = new SequenceAllocator(options.rowStore);
    this.nextSessionId = options.sessionIdStart ?? 1;
    // Transaction ids are unique across restarts as long as fewer than a
    // million transactions run per second of downtime: they start at the clock.
    this.nextTxnId = this.clock.nowMicros() > 0n ? this.clock.nowMicros() : 1n;
    // After the row store's own subscription (made before the log started), so
    // an entry is recorded here in the same emission that applied it.
    this.subscription = options.log.committed$.subscribe({
      next: (entry) => {
        try {
          this.tracker.onCommitted(entry);
        } catch (error) {
          // The row store refuses a corrupt entry first and stops the node; nothing to add here.
          this.logger.error({ err: error, index: entry.index }, 'could not record a committed entry');
        }
      },
      error: (error: unknown) => this.logger.error({ err: error }, 'committed entries stopped'),
    });
  }

  catalog(): Catalog {
    return this.rowStore.catalog();
  }

  newOwner(): number {
    return this.nextOwner++;
  }

  newTxnId(): bigint {
    return this.nextTxnId++;
  }

  newSessionId(): number {
    return this.nextSessionId++;
  }

  nowMicros(): bigint {
    return this.clock.nowMicros();
  }

  /** A snapshot at the applied index, registered so the tracker keeps what it needs. Release it. */
  openSnapshot(): RowSnapshot {
    const snapshot = this.rowStore.registerSnapshot();
    const readIndex = snapshot.readIndex;
    this.snapshotPins.set(readIndex, (this.snapshotPins.get(readIndex) ?? 0) + 1);
    let released = false;
    return {
      ...snapshot,
      release: () => {
        if (released) return;
        released = true;
        const n = (this.snapshotPins.get(readIndex) ?? 1) - 1;
        if (n <= 0) this.snapshotPins.delete(readIndex);
        else this.snapshotPins.set(readIndex, n);
        snapshot.release();
      },
    };
  }

  /** Live snapshots (for tests: every statement must release its own). */
  snapshotCount(): number {
    let n = 0;
    for (const c of this.snapshotPins.values()) n += c;
    return n;
  }

  oldestReadIndex(): number {
    let oldest = this.rowStore.appliedIndex();
    for (const index of this.snapshotPins.keys()) oldest = Math.min(oldest, index);
    return oldest;
  }

  /** Proposes an entry; resolves once committed and applied. Log errors become SQL errors. */
  async propose(data: Uint8Array): Promise<ProposalResult> {
    try {
      return await this.log.propose(data);
    } catch (error) {
      throw logErrorToSql(error);
    }
  }

  /**
   * What a linearizable read awaits before its snapshot: undefined (nothing to
   * wait for, no await on the hot path) with one voter; otherwise resolves once
   * this node applied the leader's confirmed commit index. ReadIndexError
   * becomes a retryable SQL error.
   */
  readBarrier(): Promise<void> | undefined {
    if (!this.readBarrierDue()) return undefined;
    return this.log.readIndex().then(() => undefined, (error: unknown) => {
      throw readIndexErrorToSql(error);
    });
  }

  /** Whether a linearizable read must await `readBarrier()` (several voters); one voter never waits. */
  readBarrierDue(): boolean {
    return this.linearizableReads && this.log.status().voters.length > 1;
  }

  close(): void {
    this.subscription.unsubscribe();
  }
}

/**
 * No leader known: 57P03 cannot_connect_now, what PostgreSQL answers while it
 * cannot serve yet. Leadership lost or no answer in time: 40001, the SQLSTATE
 * every retry loop (and CockroachDB's client guidance) already retries.
 * Nothing was read either way.
 */
function readIndexErrorToSql(error: unknown): Error {
  if (!(error instanceof ReadIndexError)) return logErrorToSql(error);
  const hint = 'Retry the statement; SET thunderdb.read_consistency = \'local\' reads this node\'s applied state without asking the leader.';
  if (error.reason === 'noLeader') {
    return sqlError(EngineSqlState.cannotConnectNow, 'cannot confirm a linearizable read: no leader is known (election in progress); retry shortly', { hint });
  }
  return sqlError(EngineSqlState.serializationFailure, `cannot confirm a linearizable read: ${error.reason === 'leaderLost' ? 'the leader changed while confirming it' : 'the leader did not answer in time'}; retry`, { hint });
}

function logErrorToSql(error: unknown): Error {
  if (error instanceof SqlError) return error;
  if (error instanceof NotLeaderError) {
    return sqlError(EngineSqlState.readOnlySqlTransaction, 'cannot commit: this node is not the leader', {
      detail: error.leaderId === 0 ? 'No leader is known yet.' : `Node ${error.leaderId} is the leader.`,
    });
  }
  if (error instanceof ProposalsPendingLimitError) return sqlError(EngineSqlState.insufficientResources, 'too many transactions waiting to commit; retry later');
  if (error instanceof ProposalTooLargeError) return sqlError(EngineSqlState.programLimitExceeded, `transaction too large: ${error.message}`);
  if (error instanceof ProposalDroppedError) return sqlError(EngineSqlState.serializationFailure, 'could not commit: leadership changed before the transaction committed', { hint: 'The transaction might succeed if retried.' });
  if (error instanceof LogClosedError || error instanceof LogFailedError) {
    return sqlError(EngineSqlState.statementCompletionUnknown, 'the outcome of this commit is unknown: the log stopped while it was being committed');
  }
  return error instanceof Error ? error : new Error(String(error));
}
