// The session after startup: reads one message at a time and dispatches it
// (simple query, extended protocol, Sync, Flush, Terminate, stray COPY
// messages, FunctionCall), ending each cycle with ReadyForQuery.
import type { Logger } from 'pino';
import {
  FrontendType,
  TransactionStatus,
  writeReadyForQuery,
  type TransactionStatus as Status,
} from '../codec/index.js';
import type { ProtocolViolation } from '../codec/index.js';
import type { EngineSession, TransactionState } from '../../../query/engine.js';
import type { TypeSession } from '../../../query/types/index.js';
import { unreachable } from './assert.js';
import { sessionError, SessionSqlState, writeError, writeFatal } from './errors.js';
import { ExtendedQuery } from './extended-query.js';
import { TypeSessions } from './format.js';
import type { ParameterReporter } from './parameters.js';
import type { StatementContext } from './results.js';
import { isFatalViolation, writeNotices } from './results.js';
import type { Inbound, MessageSource, SessionOutput } from './session-io.js';
import { runSimpleQuery, runSimpleQuerySync } from './simple-query.js';

/** How serving ended: the client left (or must be dropped), or the server is shutting down. */
export type ServeEnd = 'closed' | 'interrupted';

type ExtendedMessage = Extract<Inbound, { kind: 'parse' | 'bind' | 'describe' | 'execute' | 'close' }>;

/** Messages of the extended protocol: an error in one of them starts skipping until Sync. */
const extendedTypes: ReadonlySet<number> = new Set<number>([
  FrontendType.Parse, FrontendType.Bind, FrontendType.Describe, FrontendType.Execute, FrontendType.Close, FrontendType.Flush,
]);

/** Stray COPY messages (outside COPY IN) are ignored, bad bodies included, as PostgreSQL does. */
const copyTypes: ReadonlySet<number> = new Set<number>([FrontendType.CopyData, FrontendType.CopyDone, FrontendType.CopyFail]);

export class QueryProtocol implements StatementContext {
  private readonly extended = new ExtendedQuery(this);
  private readonly typeSessions: TypeSessions;
  private cancelFlag = false;

  constructor(
    readonly engine: EngineSession,
    readonly output: SessionOutput,
    readonly source: MessageSource,
    readonly logger: Logger,
    private readonly reporter: ParameterReporter,
    nowMicros: () => bigint,
  ) {
    this.typeSessions = new TypeSessions(nowMicros);
  }

  cancelRequested(): boolean {
    return this.cancelFlag;
  }

  typeSession(): TypeSession {
    return this.typeSessions.current(this.engine.reportedParameters().get('TimeZone'));
  }

  /** A CancelRequest: the engine stops its statement; streaming output stops at the next batch. */
  cancel(): void {
    this.cancelFlag = true;
    this.engine.cancel();
  }

  async serve(): Promise<ServeEnd> {
    for (;;) {
      // Messages already decoded are taken without a promise; only an empty decoder waits.
      const message = this.source.poll(true) ?? await this.source.next(true);
      if (message === 'closed' || message === 'interrupted') return message;
      // A cancel that arrived while idle is for no statement (PostgreSQL ignores it too).
      this.cancelFlag = false;
      try {
        const handled = this.dispatch(message);
        if (!(typeof handled === 'boolean' ? handled : await handled)) return 'closed';
      } catch (error) {
        if (!isFatalViolation(error)) throw error;
        writeFatal(this.output.writer, error.sqlState, error.message);
        return 'closed';
      }
    }
  }

  /**
   * Handles one message; false when the connection must end. Synchronous
   * (a boolean) when nothing had to wait: Bind, Describe, Close, Sync, and
   * Execute or Query answered by the engine's synchronous point-read path;
   * a promise otherwise.
   */
  private dispatch(message: Inbound): boolean | Promise<boolean> {
    if (message.kind === 'violation') return this.onViolation(message);
    if (this.extended.ignoringTillSync && message.kind !== 'sync' && message.kind !== 'terminate') return true;
    switch (message.kind) {
      case 'query':
        this.extended.dropUnnamedStatement();
        if (runSimpleQuerySync(this, message.sql)) return then(this.readyForQuery(), true);
        return this.simpleQuery(message.sql);
      case 'parse':
      case 'bind':
      case 'describe':
      case 'execute':
      case 'close':
        return this.extendedStep(message);
      case 'sync':
        return then(this.readyForQuery(), true);
      case 'flush':
        return then(this.output.flushNow(), true);
      case 'terminate':
        return false;
      case 'copyData':
      case 'copyDone':
      case 'copyFail':
        return true;
      case 'functionCall':
        writeError(this.output.writer, sessionError(SessionSqlState.FeatureNotSupported, 'function call messages are not supported'), this.logger);
        return then(this.readyForQuery(), true);
      case 'authResponse':
        writeFatal(this.output.writer, SessionSqlState.ProtocolViolation, `invalid frontend message type ${FrontendType.AuthResponse}`);
        return false;
      case 'startup':
      case 'sslRequest':
      case 'gssEncRequest':
      case 'cancelRequest':
        throw new Error(`invariant violated: the decoder returned ${message.kind} after startup`);
      default:
        return unreachable(message);
    }
  }

  private async simpleQuery(sql: string): Promise<boolean> {
    await runSimpleQuery(this, sql);
    await this.readyForQuery();
    return true;
  }

  private extendedStep(message: ExtendedMessage): true | Promise<boolean> {
    try {
      let wait: Promise<void> | undefined;
      switch (message.kind) {
        case 'parse': wait = this.extended.parse(message); break;
        case 'bind': this.extended.bind(message); break;
        case 'describe': this.extended.describe(message); break;
        case 'execute': wait = this.extended.execute(message); break;
        case 'close': this.extended.close(message); break;
        default: unreachable(message);
      }
      if (wait !== undefined) {
        return wait.then(() => {
          writeNotices(this);
          return true;
        }, (error: unknown) => this.extendedFailed(error));
      }
      writeNotices(this);
      return true;
    } catch (error) {
      return this.extendedFailed(error);
    }
  }

  private async extendedFailed(error: unknown): Promise<boolean> {
    if (isFatalViolation(error)) throw error;
    writeNotices(this);
    await this.reportExtendedError(error);
    return true;
  }

  /** ErrorResponse, flushed at once (PostgreSQL does), then skip until Sync. */
  private async reportExtendedError(error: unknown): Promise<void> {
    writeError(this.output.writer, error, this.logger);
    this.extended.ignoringTillSync = true;
    await this.output.flush();
  }

  private onViolation(violation: ProtocolViolation): boolean | Promise<boolean> {
    const type = violation.messageType;
    if (violation.fatal || type === FrontendType.AuthResponse) {
      writeFatal(this.output.writer, violation.sqlState, violation.message);
      return false;
    }
    if (type === FrontendType.Terminate) return false;
    if (type !== undefined && copyTypes.has(type)) return true;
    if (this.extended.ignoringTillSync && type !== FrontendType.Sync) return true;
    if (type !== undefined && extendedTypes.has(type)) return then(this.reportExtendedError(violation), true);
    // Query, Sync, FunctionCall: the cycle ends with ReadyForQuery after the error.
    writeError(this.output.writer, violation, this.logger);
    return then(this.readyForQuery(), true);
  }

  /**
   * Reports changed settings, then ReadyForQuery with the transaction state,
   * and sends the batch: one socket write per round trip. A promise only
   * when the socket is full.
   */
  private readyForQuery(): Promise<void> | undefined {
    const state = this.engine.transactionState();
    this.extended.endOfCycle(state);
    this.reporter.writeChanges(this.output.writer, this.engine.reportedParameters());
    writeReadyForQuery(this.output.writer, transactionStatus(state));
    return this.output.flushNow();
  }
}

/** `value`, after `wait` when there is something to wait for. */
function then<T>(wait: Promise<void> | undefined, value: T): T | Promise<T> {
  return wait === undefined ? value : wait.then(() => value);
}

export function transactionStatus(state: TransactionState): Status {
  switch (state) {
    case 'idle': return TransactionStatus.Idle;
    case 'inTransaction': return TransactionStatus.InTransaction;
    case 'failed': return TransactionStatus.Failed;
    default: return unreachable(state);
  }
}
