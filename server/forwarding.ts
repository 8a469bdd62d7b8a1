// The cluster as write forwarding sees it (protocols/pg/forwarding): who
// leads and at which PostgreSQL address (from the handshake), how to open a
// connection there, and how to catch up with what the leader committed.
// Forwarded sessions log in as the client's user with the configured
// superuser password: cluster nodes share their security configuration.
import { openLeaderLink, type ForwardingCluster, type LeaderLink } from '../protocols/pg/index.js';
import type { ReplicatedLog } from '../log/index.js';
import { SqlError } from '../query/types/index.js';
import type { Cluster } from './cluster.js';
import type { ThunderConfig } from './config/types.js';
import { followerWriteError } from './follower-writes.js';

/** Long enough for a loaded leader to answer a login; short enough that a dead one fails the statement soon. */
const leaderConnectTimeoutMs = 5_000;

/** "host:port" or "[v6]:port" to its parts. */
export function splitHostPort(addr: string): { host: string; port: number } {
  const colon = addr.lastIndexOf(':');
  const host = addr.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(addr.slice(colon + 1)) };
}

export function forwardingCluster(log: ReplicatedLog, cluster: Cluster, config: ThunderConfig): ForwardingCluster {
  const { security } = config;
  const password = security.authenticationEnabled && security.superuserPassword !== '' ? security.superuserPassword : undefined;
  return {
    leader: () => {
      const s = log.status();
      if (s.role === 'leader') return { self: true };
      return { self: false, leaderId: s.leaderId, pgAddr: s.leaderId === 0 ? '' : cluster.pgAddressOf(s.leaderId) };
    },
    connect: (leaderId: number, pgAddr: string, startup: Readonly<Record<string, string>>): Promise<LeaderLink> => {
      const { host, port } = splitHostPort(pgAddr);
      return openLeaderLink({ leaderId, host, port, startup, password, connectTimeoutMs: leaderConnectTimeoutMs });
    },
    catchUp: async () => {
      await log.readIndex();
    },
    cannotForward: (leaderId: number, pgAddr: string, why: string): SqlError => {
      if (leaderId === 0) return followerWriteError(0, '');
      const addr = pgAddr === '' ? cluster.pgAddressOf(leaderId) : pgAddr;
      const where = addr === '' ? '' : ` at ${addr}`;
      return new SqlError('25006', `this node is a follower and could not forward the statement to the leader (node ${leaderId}${where}): ${why}`, {
        detail: 'Nothing was sent to the leader; the statement did not run.',
        hint: 'Retry shortly (a new leader may be being elected), or connect to the leader.',
      });
    },
  };
}
