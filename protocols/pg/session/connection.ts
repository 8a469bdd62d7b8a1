// The thin adapter between a net.Socket and a PgSession: bytes in (the
// socket paused while the session works on more than one chunk), batches out (waiting for 'drain'
// when the client reads slowly), timers for the handshake and for closing.
// Everything the protocol decides lives in the session.
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { QueryEngine } from '../../../query/engine.js';
import type { Authenticator } from './authenticator.js';
import type { CancelRegistry } from './cancel-registry.js';
import { SessionSqlState } from './errors.js';
import { adminShutdownMessage, PgSession } from './pg-session.js';
import type { SessionTransport } from './session-io.js';

/** PostgreSQL's authentication_timeout: a client must finish the handshake within this. */
export const authenticationTimeoutMs = 60_000;

/** After we end a connection, how long a client that does not close its side keeps the socket. */
export const closeLingerMs = 5_000;

export interface PgConnectionOptions {
  readonly socket: Socket;
  readonly engine: QueryEngine;
  readonly authenticator: Authenticator;
  readonly cancelRegistry: CancelRegistry;
  readonly logger: Logger;
  readonly messageBytesMax?: number;
  readonly tooManyClients: boolean;
  readonly authenticationTimeoutMs?: number;
}

export class PgConnection {
  readonly session: PgSession;
  /** Resolves when the socket has closed. */
  readonly closed: Promise<void>;
  private readonly socket: Socket;
  private socketClosed = false;
  private destroyArmed = false;

  constructor(options: PgConnectionOptions) {
    const socket = options.socket;
    this.socket = socket;
    socket.setNoDelay(true);
    socket.setKeepAlive(true);
    this.session = new PgSession({
      engine: options.engine,
      authenticator: options.authenticator,
      cancelRegistry: options.cancelRegistry,
      logger: options.logger,
      transport: this.transport(),
      tooManyClients: options.tooManyClients,
      ...(options.messageBytesMax === undefined ? {} : { messageBytesMax: options.messageBytesMax }),
    });
    this.closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    this.wire(options.logger);
    this.armHandshakeTimer(options.authenticationTimeoutMs ?? authenticationTimeoutMs);
  }

  /** Finishes the message in hand, then FATAL 57P01; resolves when the socket has closed. */
  async shutdown(): Promise<void> {
    await this.session.shutdown();
    await this.closed;
  }

  /** FATAL 57P01 now, cancelling what runs; the socket is destroyed if the client lingers. */
  terminate(): void {
    this.session.terminate(SessionSqlState.AdminShutdown, adminShutdownMessage);
    this.destroySoon();
  }

  private wire(logger: Logger): void {
    const socket = this.socket;
    // Chunks handed to the session and not yet consumed. A client that waits
    // for each answer (pgbench, most drivers) never has two: its socket is
    // never paused, which saves two system calls per round trip. A second
    // chunk while the first is in hand pauses reading until the session is
    // idle again, so a pipelining client still cannot queue unbounded work.
    let chunksInHand = 0;
    // The session is idle only once every chunk handed to it is consumed.
    this.session.onIdle(() => {
      if (chunksInHand === 0) return;
      chunksInHand = 0;
      if (socket.isPaused() && !socket.destroyed) socket.resume();
    });
    socket.on('data', (chunk: Buffer) => {
      if (!this.session.receiveChunk(chunk)) return;
      chunksInHand++;
      if (chunksInHand > 1) socket.pause();
    });
    socket.on('end', () => this.session.endOfInput());
    socket.on('error', (error) => {
      // Resets and broken pipes are how clients leave; not worth more than debug.
      logger.debug({ err: error }, 'PostgreSQL client socket error');
    });
    socket.on('close', () => {
      this.socketClosed = true;
      this.session.connectionLost();
    });
  }

  private transport(): SessionTransport {
    return {
      send: (bytes) => {
        const socket = this.socket;
        if (socket.destroyed || !socket.writable) return undefined;
        if (socket.write(bytes)) return undefined;
        return new Promise<void>((resolve) => {
          const done = (): void => {
            socket.off('drain', done);
            socket.off('close', done);
            resolve();
          };
          socket.on('drain', done);
          socket.on('close', done);
        });
      },
      close: () => {
        if (!this.socket.destroyed) this.socket.end();
        this.destroySoon();
      },
    };
  }

  private destroySoon(): void {
    if (this.socketClosed || this.destroyArmed) return;
    this.destroyArmed = true;
    const timer = setTimeout(() => this.socket.destroy(), closeLingerMs);
    timer.unref();
    this.socket.once('close', () => clearTimeout(timer));
  }

  private armHandshakeTimer(timeoutMs: number): void {
    const timer = setTimeout(() => {
      if (this.session.phase === 'startup' || this.session.phase === 'authenticating') {
        this.session.terminate(SessionSqlState.QueryCanceled, 'canceling authentication due to timeout');
        this.destroySoon();
      }
    }, timeoutMs);
    timer.unref();
    this.socket.once('close', () => clearTimeout(timer));
  }
}
