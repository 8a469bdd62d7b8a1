// The PostgreSQL session: one PgSession per connection (I/O-free), the socket
// adapter, authentication and the cancel registry. See ../DESIGN.md.
export { PgSession, adminShutdownMessage } from './pg-session.js';
export type { PgSessionOptions, SessionPhase } from './pg-session.js';
export type { SessionTransport } from './session-io.js';
export { outputBatchBytesMax } from './session-io.js';
export { PgConnection, authenticationTimeoutMs, closeLingerMs } from './connection.js';
export type { PgConnectionOptions } from './connection.js';
export { createAuthenticator, scramExchangeFor } from './authenticator.js';
export type { Authenticator, PgAuthenticationOptions, RandomBytes } from './authenticator.js';
export { CancelRegistry, processIdFirst, processIdMax } from './cancel-registry.js';
export type { BackendKey, CancelTarget } from './cancel-registry.js';
export {
  ScramExchange,
  deriveScramVerifier,
  formatScramVerifier,
  parseScramVerifier,
  saslPrep,
  scramIterationsDefault,
  scramMechanism,
} from './scram.js';
export type { ScramStep, ScramVerifier } from './scram.js';
export { SessionSqlState } from './errors.js';
export { portalsMax, preparedStatementsMax } from './extended-query.js';
export { serverVersion, parameterValueBytesMax } from './parameters.js';
