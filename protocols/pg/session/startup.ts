// From the first byte to an open EngineSession: encryption requests (refused),
// CancelRequest, StartupMessage checks, authentication, the database check.
// Written as straight-line code over a pull-style message source: each step
// reads the message it expects, so the order of the handshake is the order
// of the code. Anything refused is written as FATAL; the caller closes.
import type { Logger } from 'pino';
import type { StartupMessage } from '../codec/index.js';
import {
  decodeSaslInitialResponse,
  decodeSaslResponse,
  decodeUtf8,
  protocolMinorVersionLatest,
  ProtocolViolation,
  writeAuthenticationSasl,
  writeAuthenticationSaslContinue,
  writeAuthenticationSaslFinal,
  writeEncryptionAnswer,
  writeErrorResponse,
  writeNegotiateProtocolVersion,
} from '../codec/index.js';
import type { EngineSession, QueryEngine, SessionStartup } from '../../../query/engine.js';
import type { Authenticator, RandomBytes } from './authenticator.js';
import { scramExchangeFor } from './authenticator.js';
import type { CancelRegistry } from './cancel-registry.js';
import { errorFieldsOf, SessionSqlState, writeFatal } from './errors.js';
import { unreachable } from './assert.js';
import type { ScramStep } from './scram.js';
import { scramMechanism } from './scram.js';
import type { MessageSource, SessionOutput } from './session-io.js';

export interface StartupDeps {
  readonly source: MessageSource;
  readonly output: SessionOutput;
  readonly logger: Logger;
  readonly engine: QueryEngine;
  readonly authenticator: Authenticator;
  readonly cancelRegistry: CancelRegistry;
  readonly random: RandomBytes;
  /** The listener was over max_connections when it accepted this socket. */
  readonly tooManyClients: boolean;
  /** Called when the client has to prove who it is (for timeouts and introspection). */
  readonly onAuthenticating: () => void;
}

export type StartupOutcome =
  | { readonly kind: 'established'; readonly startup: SessionStartup; readonly engineSession: EngineSession }
  /** Refused, cancelled or the client went away: whatever had to be said is written. */
  | { readonly kind: 'ended' }
  /** The server is shutting down. */
  | { readonly kind: 'interrupted' };

type NotEstablished = Exclude<StartupOutcome, { kind: 'established' }>;
const ended: NotEstablished = { kind: 'ended' };
const interrupted: NotEstablished = { kind: 'interrupted' };

export async function runStartup(deps: StartupDeps): Promise<StartupOutcome> {
  const packet = await readStartupPacket(deps);
  if (packet.kind !== 'startup') return packet;
  return establish(deps, packet);
}

/** Reads until a StartupMessage, answering encryption requests and serving a CancelRequest. */
async function readStartupPacket(deps: StartupDeps): Promise<StartupMessage | StartupOutcome> {
  const answered = new Set<'sslRequest' | 'gssEncRequest'>();
  for (;;) {
    const message = await deps.source.next(true);
    if (message === 'closed') return ended;
    if (message === 'interrupted') return interrupted;
    switch (message.kind) {
      case 'violation':
        // Every startup-phase violation is fatal: there is no frame boundary to resume from.
        writeFatal(deps.output.writer, message.sqlState, message.message);
        return ended;
      case 'sslRequest':
      case 'gssEncRequest': {
        // PostgreSQL honours each request once per connection.
        if (answered.has(message.kind)) {
          writeFatal(deps.output.writer, SessionSqlState.ProtocolViolation, 'duplicate encryption request');
          return ended;
        }
        answered.add(message.kind);
        writeEncryptionAnswer(deps.output.writer, false);
        await deps.output.flush();
        const violation = deps.source.resumeStartup();
        if (violation !== undefined) {
          writeFatal(deps.output.writer, violation.sqlState, violation.message);
          return ended;
        }
        continue;
      }
      case 'cancelRequest':
        // Nothing is sent back, whether or not the key matched (PostgreSQL's rule: no oracle).
        deps.cancelRegistry.cancel(message.processId, message.secretKey);
        return ended;
      case 'startup':
        return message;
      default:
        // The decoder yields typed messages only after a StartupMessage.
        return invariantBroken(`the decoder returned ${message.kind} during startup`);
    }
  }
}

async function establish(deps: StartupDeps, packet: StartupMessage): Promise<StartupOutcome> {
  const w = deps.output.writer;
  // Checked after the startup packet, as PostgreSQL does, so cancel requests still work when full.
  if (deps.tooManyClients) {
    writeFatal(w, SessionSqlState.TooManyConnections, 'sorry, too many clients already');
    return ended;
  }
  const refusal = refuseStartup(packet);
  if (refusal !== undefined) {
    writeFatal(w, refusal.code, refusal.message, refusal.detail);
    return ended;
  }
  negotiateVersion(deps, packet);
  const user = packet.parameters.get('user') ?? '';
  const database = nonEmpty(packet.parameters.get('database')) ?? user;
  if (deps.authenticator.kind === 'scram') {
    deps.onAuthenticating();
    const verdict = await authenticateScram(deps, deps.authenticator, user);
    if (verdict !== 'ok') return verdict;
  }
  if (!deps.engine.databaseExists(database)) {
    writeFatal(w, SessionSqlState.InvalidCatalogName, `database "${database}" does not exist`);
    return ended;
  }
  const startup: SessionStartup = { user, database, parameters: engineParameters(packet.parameters) };
  try {
    return { kind: 'established', startup, engineSession: deps.engine.openSession(startup) };
  } catch (error) {
    writeErrorResponse(w, errorFieldsOf(error, 'FATAL', deps.logger));
    return ended;
  }
}

interface Refusal {
  readonly code: string;
  readonly message: string;
  readonly detail?: string;
}

/** Client encodings we accept: we never convert, and ASCII clients read UTF-8 fine. */
const acceptedEncodings: ReadonlySet<string> = new Set(['utf8', 'unicode', 'sqlascii']);

function refuseStartup(packet: StartupMessage): Refusal | undefined {
  const user = packet.parameters.get('user') ?? '';
  if (user === '') {
    return { code: SessionSqlState.InvalidAuthorizationSpecification, message: 'no PostgreSQL user name specified in startup packet' };
  }
  const encoding = packet.parameters.get('client_encoding');
  // PostgreSQL compares encoding names lower-cased with punctuation dropped ("UTF-8" is "utf8").
  if (encoding !== undefined && !acceptedEncodings.has(encoding.toLowerCase().replace(/[^a-z0-9]/g, ''))) {
    return {
      code: SessionSqlState.InvalidParameterValue,
      message: `invalid value for parameter "client_encoding": "${encoding}"`,
      detail: 'ThunderDB speaks UTF8 only.',
    };
  }
  return undefined;
}

/** A newer minor version or `_pq_.` options we do not know get NegotiateProtocolVersion, not an error. */
function negotiateVersion(deps: StartupDeps, packet: StartupMessage): void {
  const unknownOptions = [...packet.parameters.keys()].filter((key) => key.startsWith('_pq_.'));
  if (packet.protocolMinorVersion > protocolMinorVersionLatest || unknownOptions.length > 0) {
    writeNegotiateProtocolVersion(deps.output.writer, protocolMinorVersionLatest, unknownOptions);
  }
}

/** Startup parameters the engine sees: everything but the identity and protocol options. */
function engineParameters(parameters: ReadonlyMap<string, string>): Readonly<Record<string, string>> {
  // Object.fromEntries defines own properties, so a key like "__proto__" stays plain data.
  return Object.fromEntries(
    [...parameters].filter(([key]) => key !== 'user' && key !== 'database' && !key.startsWith('_pq_.')),
  );
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

type AuthVerdict = 'ok' | NotEstablished;

/** AuthenticationSASL, then client-first / server-first, client-final / server-final. */
async function authenticateScram(deps: StartupDeps, auth: Extract<Authenticator, { kind: 'scram' }>, user: string): Promise<AuthVerdict> {
  const w = deps.output.writer;
  const exchange = scramExchangeFor(auth, user, deps.random);
  writeAuthenticationSasl(w, [scramMechanism]);
  await deps.output.flush();
  const initialBody = await readAuthResponse(deps);
  if (!Buffer.isBuffer(initialBody)) return initialBody;
  const initial = decodeSaslInitialResponse(initialBody);
  if (initial instanceof ProtocolViolation) return fatal(deps, initial.sqlState, initial.message);
  if (initial.mechanism !== scramMechanism) {
    return fatal(deps, SessionSqlState.ProtocolViolation, 'client selected an invalid SASL authentication mechanism');
  }
  let first = initial.initialResponse;
  if (first === null) {
    // No initial response: ask for it with an empty challenge (RFC 4422).
    writeAuthenticationSaslContinue(w, '');
    await deps.output.flush();
    const body = await readAuthResponse(deps);
    if (!Buffer.isBuffer(body)) return body;
    first = decodeSaslResponse(body).data;
  }
  const serverFirst = scramStep(deps, user, first, (text) => exchange.clientFirst(text));
  if (serverFirst === undefined) return ended;
  writeAuthenticationSaslContinue(w, serverFirst);
  await deps.output.flush();
  const finalBody = await readAuthResponse(deps);
  if (!Buffer.isBuffer(finalBody)) return finalBody;
  const serverFinal = scramStep(deps, user, decodeSaslResponse(finalBody).data, (text) => exchange.clientFinal(text));
  if (serverFinal === undefined) return ended;
  writeAuthenticationSaslFinal(w, serverFinal);
  return 'ok';
}

/** Runs one SCRAM step on the client's bytes; writes the FATAL and returns undefined when it fails. */
function scramStep(deps: StartupDeps, user: string, data: Buffer, step: (text: string) => ScramStep): string | undefined {
  const text = decodeUtf8(data);
  const result: ScramStep = text instanceof ProtocolViolation
    ? { kind: 'malformed', sqlState: '08P01', message: 'malformed SCRAM message', detail: 'The message is not valid UTF-8.' }
    : step(text);
  switch (result.kind) {
    case 'continue':
    case 'success':
      return result.message;
    case 'rejected':
      // The same words for a wrong password and an unknown user: nothing to learn from the difference.
      deps.logger.info({ user }, 'password authentication failed');
      writeFatal(deps.output.writer, SessionSqlState.InvalidPassword, `password authentication failed for user "${user}"`);
      return undefined;
    case 'malformed':
      writeFatal(deps.output.writer, result.sqlState, result.message, result.detail);
      return undefined;
    default:
      return unreachable(result);
  }
}

/** The body of the next 'p' message; anything else ends the connection. */
async function readAuthResponse(deps: StartupDeps): Promise<Buffer | AuthVerdict> {
  const message = await deps.source.next(true);
  if (message === 'closed') return ended;
  if (message === 'interrupted') return interrupted;
  if (message.kind === 'authResponse') return message.body;
  if (message.kind === 'violation') return fatal(deps, message.sqlState, message.message);
  return fatal(deps, SessionSqlState.ProtocolViolation, `expected SASL response, got ${message.kind} message`);
}

function invariantBroken(message: string): never {
  throw new Error(`invariant violated: ${message}`);
}

function fatal(deps: StartupDeps, code: string, message: string): AuthVerdict {
  writeFatal(deps.output.writer, code, message);
  return ended;
}
