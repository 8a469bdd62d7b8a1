// The PostgreSQL wire protocol: the listener, and what server/ needs to
// configure it. The codec and the session have their own index files.
export { refusedConnectionsMax, shutdownGraceMsDefault, startPgServer } from './server.js';
export type { PgServer, PgServerOptions } from './server.js';
export { deriveScramVerifier, formatScramVerifier, parseScramVerifier, serverVersion } from './session/index.js';
export type { PgAuthenticationOptions, ScramVerifier } from './session/index.js';
export { forwardedParameter, forwardingEngine, ForwardingSession } from './forwarding/forwarding-session.js';
export type { ForwardingCluster, LeaderView, RoutableEngine } from './forwarding/forwarding-session.js';
export { openLeaderLink, LinkLostError } from './forwarding/leader-connection.js';
export type { LeaderLink, LeaderLinkOptions } from './forwarding/leader-connection.js';
