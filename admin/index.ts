// The admin REST API (fastify): probes, Prometheus metrics and cluster status.
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { registerClusterRoutes } from './routes/cluster.js';
import { registerProbeRoutes } from './routes/probes.js';
import type { AdminNodeView } from './types.js';

export type { AdminNodeView, ClusterControl, ClusterPeerView, ClusterView, ControlResult, MemberProgressView, Lifecycle, RaftRole, RaftView, ViewStatus, WalView } from './types.js';
export { healthReport, isReady } from './routes/probes.js';
export { forwardedHeader } from './routes/cluster.js';

export interface AdminAppOptions {
  readonly view: AdminNodeView;
  readonly logger: Logger;
}

export function createAdminApp(options: AdminAppOptions): FastifyInstance {
  // Fastify's own request logging is off: probes arrive every few seconds and
  // would drown the log. Errors are still logged by the handler below.
  const app = Fastify({ logger: false, forceCloseConnections: 'idle' });
  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    const statusCode = err.statusCode ?? 500;
    if (statusCode >= 500) options.logger.error({ err, url: req.url }, 'admin request failed');
    void reply.code(statusCode).send({ error: err.message });
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send({ error: `no admin route ${req.method} ${req.url}; see docs/admin-api.md` });
  });
  registerProbeRoutes(app, options.view);
  registerClusterRoutes(app, options.view);
  return app;
}
