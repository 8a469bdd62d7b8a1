// The PostgreSQL listener: accepts sockets, enforces max_connections, owns
// the cancel registry shared by its sessions, and shuts down in two steps
// (let running statements finish for a bounded time, then terminate).
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { QueryEngine } from '../../query/engine.js';
import { FrontendDecoder } from './codec/index.js';
import { createAuthenticator, type PgAuthenticationOptions } from './session/authenticator.js';
import { CancelRegistry } from './session/cancel-registry.js';
import { closeLingerMs, PgConnection } from './session/connection.js';

export interface PgServerOptions {
  readonly host: string;
  /** 0 picks a free port (tests); `PgServer.port` tells which. */
  readonly port: number;
  readonly engine: QueryEngine;
  readonly logger: Logger;
  readonly authentication: PgAuthenticationOptions;
  /** Read on every accept, so a reloaded network.max_connections applies at once. */
  readonly maxConnections: () => number;
  /** Bound on Query, Parse, Bind and CopyData messages (default 64 MiB). */
  readonly messageBytesMax?: number;
  /** How long close() lets running statements finish before terminating them. */
  readonly shutdownGraceMs?: number;
  /** A client must finish startup and authentication within this (default 60 s, as PostgreSQL). */
  readonly authenticationTimeoutMs?: number;
}

export interface PgServer {
  /** The bound port. */
  readonly port: number;
  /** Connections counted against max_connections (refused ones are not). */
  connectionCount(): number;
  /**
   * Stops accepting, lets each session finish the message it is handling
   * (up to `shutdownGraceMs`), then ends every connection with FATAL 57P01.
   * Idempotent.
   */
  close(): Promise<void>;
}

export const shutdownGraceMsDefault = 5_000;

/**
 * Sockets we keep open beyond max_connections only to tell them "too many
 * clients" (or to serve their CancelRequest); past this many, new sockets
 * are dropped without a word so a flood cannot exhaust memory.
 */
export const refusedConnectionsMax = 64;

/** Starts listening. Rejects with the listen error (its `code` is EADDRINUSE for a port in use). */
export async function startPgServer(options: PgServerOptions): Promise<PgServer> {
  // Both throw on bad settings now rather than on the first connection.
  const authenticator = createAuthenticator(options.authentication);
  if (options.messageBytesMax !== undefined) new FrontendDecoder({ messageBytesMax: options.messageBytesMax });
  const logger = options.logger.child({ component: 'pg' });
  const cancelRegistry = new CancelRegistry();
  const counted = new Set<PgConnection>();
  const all = new Set<PgConnection>();
  let closing: Promise<void> | undefined;

  const accept = (socket: Socket): void => {
    const limit = options.maxConnections();
    const tooManyClients = counted.size >= limit;
    if (closing !== undefined || (tooManyClients && all.size - counted.size >= refusedConnectionsMax)) {
      socket.destroy();
      return;
    }
    const connection = new PgConnection({
      socket,
      engine: options.engine,
      authenticator,
      cancelRegistry,
      logger: logger.child({ client: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}` }),
      tooManyClients,
      ...(options.messageBytesMax === undefined ? {} : { messageBytesMax: options.messageBytesMax }),
      ...(options.authenticationTimeoutMs === undefined ? {} : { authenticationTimeoutMs: options.authenticationTimeoutMs }),
    });
    all.add(connection);
    if (!tooManyClients) counted.add(connection);
    void connection.closed.then(() => {
      all.delete(connection);
      counted.delete(connection);
    });
  };

  // allowHalfOpen: a client that sends its last query and shuts down its side still gets the answer.
  const server = createServer({ allowHalfOpen: true, noDelay: true }, accept);
  await listen(server, options.host, options.port);
  server.on('error', (error) => logger.error({ err: error }, 'PostgreSQL listener error'));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  logger.info({ host: options.host, port }, 'PostgreSQL listener started');

  return {
    port,
    connectionCount: () => counted.size,
    close: () => {
      closing ??= shutdown(server, all, options.shutdownGraceMs ?? shutdownGraceMsDefault, logger);
      return closing;
    },
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => {
      server.off('listening', onListening);
      reject(error);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host, port });
  });
}

async function shutdown(server: Server, connections: ReadonlySet<PgConnection>, graceMs: number, logger: Logger): Promise<void> {
  const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
  const sessions = [...connections];
  const finished = Promise.all(sessions.map((c) => c.shutdown())).then(() => 'finished' as const);
  const outcome = await Promise.race([finished, delay(graceMs, 'timedOut' as const)]);
  if (outcome === 'timedOut') {
    const left = sessions.filter((c) => connections.has(c));
    logger.warn({ connections: left.length }, 'terminating PostgreSQL sessions still running after the grace period');
    for (const connection of left) connection.terminate();
  }
  // Terminated sockets are destroyed within the linger bound if clients keep them open.
  await Promise.race([stopped, delay(closeLingerMs + graceMs, undefined)]);
  logger.info('PostgreSQL listener stopped');
}

function delay<T>(ms: number, value: T): Promise<T> {
  return new Promise((resolve) => {
    setTimeout(() => resolve(value), ms).unref();
  });
}
