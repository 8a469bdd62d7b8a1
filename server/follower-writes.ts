// Writes that reach the engine of a node that does not lead: a session
// forwarded here by a follower while this node lost leadership, a block
// opened while it led, or what forwarding does not cover (docs/clustering.md).
// The engine executes the write and proposes its entry, the Raft log refuses
// with NotLeaderError, and the client gets SQLSTATE 25006 naming the leader
// and where to reach it. The engine's own mapping names the leader's id only; the
// server knows the leader's PostgreSQL address from the handshake, so it
// answers here, before the engine maps the error.
import { NotLeaderError, type ReplicatedLog } from '../log/index.js';
import { SqlError } from '../query/types/index.js';

/** PostgreSQL's read_only_sql_transaction: what a hot standby answers to a write. */
const readOnlySqlTransaction = '25006';

export function followerWriteError(leaderId: number, leaderPgAddr: string): SqlError {
  if (leaderId === 0) {
    return new SqlError(readOnlySqlTransaction, 'this node is a follower and no leader is known yet (election in progress); retry shortly', {
      hint: 'Writes are accepted only by the leader; see /admin/cluster/members.',
    });
  }
  const where = leaderPgAddr === '' ? '(address not known yet)' : `at ${leaderPgAddr}`;
  return new SqlError(readOnlySqlTransaction, `this node is a follower; the leader is node ${leaderId} ${where}`, {
    detail: 'This write was not forwarded to the leader; nothing was applied.',
    hint: leaderPgAddr === '' ? 'Connect to the leader to write.' : `Connect to ${leaderPgAddr} to write.`,
  });
}

/**
 * The log as the SQL engine sees it: propose() refused with NotLeaderError
 * becomes followerWriteError. A Proxy rather than a hand-written delegate, so
 * methods the log gains later pass through unchanged.
 */
export function leaderNamingLog(log: ReplicatedLog, leaderPgAddr: (leaderId: number) => string): ReplicatedLog {
  const propose = async (data: Uint8Array): ReturnType<ReplicatedLog['propose']> => {
    try {
      return await log.propose(data);
    } catch (err) {
      if (err instanceof NotLeaderError) throw followerWriteError(err.leaderId, leaderPgAddr(err.leaderId));
      throw err;
    }
  };
  return new Proxy(log, {
    get(target, property) {
      if (property === 'propose') return propose;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
