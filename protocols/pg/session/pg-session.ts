// One PostgreSQL connection, without the socket: bytes in through receive(),
// backend bytes out through a SessionTransport, one batch per write. The
// session runs one loop (startup, then the query protocol) that pulls
// decoded messages; it talks only to an EngineSession. See ../DESIGN.md.
import type { Logger } from 'pino';
import { randomBytes } from 'node:crypto';
import {
  writeAuthenticationOk,
  writeBackendKeyData,
  writeErrorResponse,
  writeReadyForQuery,
} from '../codec/index.js';
import type { EngineSession, QueryEngine, SessionStartup } from '../../../query/engine.js';
import type { Authenticator, RandomBytes } from './authenticator.js';
import type { BackendKey, CancelRegistry, CancelTarget } from './cancel-registry.js';
import { errorFieldsOf, SessionSqlState, writeFatal } from './errors.js';
import { systemNowMicros } from './format.js';
import { ParameterReporter, startupParameters } from './parameters.js';
import { QueryProtocol, transactionStatus } from './query-protocol.js';
import { MessageSource, SessionOutput, type SessionTransport } from './session-io.js';
import { runStartup } from './startup.js';

export interface PgSessionOptions {
  readonly engine: QueryEngine;
  readonly authenticator: Authenticator;
  /** Shared by every session of a listener, so CancelRequests find their target. */
  readonly cancelRegistry: CancelRegistry;
  readonly logger: Logger;
  readonly transport: SessionTransport;
  /** Bound on Query, Parse, Bind and CopyData (codec default 64 MiB). */
  readonly messageBytesMax?: number;
  /** The listener is over max_connections: refuse after the startup packet (cancels still work). */
  readonly tooManyClients?: boolean;
  /** Randomness for SCRAM nonces (node:crypto unless a test fixes it). */
  readonly random?: RandomBytes;
  /** µs since 2000-01-01 UTC, for 'now' in parameter values. */
  readonly nowMicros?: () => bigint;
}

/** `startup`: before the StartupMessage is accepted; `authenticating`: proving the password. */
export type SessionPhase = 'startup' | 'authenticating' | 'ready' | 'closed';

/** What the client sees when the server stops (PostgreSQL's wording for a fast shutdown). */
export const adminShutdownMessage = 'terminating connection due to administrator command';

export class PgSession implements CancelTarget {
  private phaseNow: SessionPhase = 'startup';
  private readonly source: MessageSource;
  private readonly output: SessionOutput;
  private engineSession: EngineSession | undefined;
  private protocol: QueryProtocol | undefined;
  private backendKey: BackendKey | undefined;
  /** Resolves when the session has ended and released everything. Never rejects. */
  readonly done: Promise<void>;

  constructor(private readonly options: PgSessionOptions) {
    this.source = new MessageSource(options.messageBytesMax === undefined ? {} : { messageBytesMax: options.messageBytesMax });
    this.output = new SessionOutput(options.transport);
    this.done = this.run();
  }

  get phase(): SessionPhase {
    return this.phaseNow;
  }

  /** The BackendKeyData process id, once established. */
  get processId(): number | undefined {
    return this.backendKey?.processId;
  }

  /**
   * Client bytes. Resolves when they are handled and the session waits for
   * more, or has ended: the connection stops reading until then, which is
   * the backpressure on a client that sends faster than statements run.
   */
  receive(chunk: Buffer): Promise<void> {
    return this.source.push(chunk);
  }

  /**
   * `receive` without a promise per chunk: false when the bytes were dropped
   * at once (the session has ended); otherwise `idle` is called once they
   * and any chunks before them are handled and the session waits for more.
   */
  receiveChunk(chunk: Buffer): boolean {
    return this.source.pushWithoutWaiter(chunk);
  }

  /** The listener for `receiveChunk`: the session has consumed every chunk it was given. */
  onIdle(listener: () => void): void {
    this.source.onIdle(listener);
  }

  /** The client half-closed: complete messages already received are still handled. */
  endOfInput(): void {
    this.source.endInput();
  }

  /** The connection is gone: stop the running statement, send nothing more. */
  connectionLost(): void {
    // After a normal end the engine session is closed already: nothing to cancel.
    if (this.phaseNow === 'closed') return;
    this.output.discard();
    this.protocol?.cancel();
    this.source.close();
  }

  /** CancelRequest from another connection (through the registry). */
  cancel(): void {
    if (this.phaseNow === 'ready') this.protocol?.cancel();
  }

  /**
   * Stops after the message being handled (a running statement finishes),
   * then FATAL 57P01 and close. Resolves when the session has ended.
   */
  shutdown(): Promise<void> {
    this.source.interrupt();
    return this.done;
  }

  /** Ends the connection now: cancels the running statement and sends FATAL `code`. */
  terminate(code: string, message: string): void {
    if (this.phaseNow === 'closed' || !this.output.isOpen) return;
    this.protocol?.cancel();
    writeFatal(this.output.writer, code, message);
    this.output.close();
    this.source.close();
  }

  private async run(): Promise<void> {
    try {
      const outcome = await runStartup({
        source: this.source,
        output: this.output,
        logger: this.options.logger,
        engine: this.options.engine,
        authenticator: this.options.authenticator,
        cancelRegistry: this.options.cancelRegistry,
        random: this.options.random ?? randomBytes,
        tooManyClients: this.options.tooManyClients ?? false,
        onAuthenticating: () => {
          this.phaseNow = 'authenticating';
        },
      });
      if (outcome.kind === 'interrupted') {
        writeFatal(this.output.writer, SessionSqlState.CannotConnectNow, 'the database system is shutting down');
      } else if (outcome.kind === 'established') {
        await this.serve(outcome.startup, outcome.engineSession);
      }
    } catch (error) {
      // A bug in the session or the engine: this connection ends, the process does not.
      writeErrorResponse(this.output.writer, errorFieldsOf(error, 'FATAL', this.options.logger));
    } finally {
      this.finish();
    }
  }

  private async serve(startup: SessionStartup, engineSession: EngineSession): Promise<void> {
    this.engineSession = engineSession;
    const reporter = new ParameterReporter();
    const protocol = new QueryProtocol(
      engineSession, this.output, this.source, this.options.logger, reporter, this.options.nowMicros ?? systemNowMicros,
    );
    this.protocol = protocol;
    this.backendKey = this.options.cancelRegistry.register(this);
    const w = this.output.writer;
    writeAuthenticationOk(w);
    const parameters = startupParameters(startup);
    for (const [name, value] of engineSession.reportedParameters()) parameters.set(name, value);
    reporter.writeChanges(w, parameters);
    writeBackendKeyData(w, this.backendKey.processId, this.backendKey.secretKey);
    writeReadyForQuery(w, transactionStatus(engineSession.transactionState()));
    this.phaseNow = 'ready';
    await this.output.flush();
    const end = await protocol.serve();
    if (end === 'interrupted') writeFatal(w, SessionSqlState.AdminShutdown, adminShutdownMessage);
  }

  /** Releases everything, whatever the way out: registry entry, engine session, input, output. */
  private finish(): void {
    this.phaseNow = 'closed';
    if (this.backendKey !== undefined) this.options.cancelRegistry.unregister(this.backendKey);
    try {
      this.engineSession?.close();
    } catch (error) {
      this.options.logger.error({ err: error }, 'engine session close failed');
    }
    this.source.close();
    this.output.close();
  }
}
