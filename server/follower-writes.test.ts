import { describe, expect, it } from 'vitest';
import { NotLeaderError, ProposalsPendingLimitError, type ReplicatedLog } from '../log/index.js';
import { SqlError } from '../query/types/index.js';
import { followerWriteError, leaderNamingLog } from './follower-writes.js';

function fakeLog(propose: () => Promise<never>): ReplicatedLog {
  // Only the members the wrapper touches; the cast is the point of a fake.
  return { propose, status: () => ({ leaderId: 2 }) } as unknown as ReplicatedLog;
}

describe('writes on a follower', () => {
  it('turn NotLeaderError into 25006 naming the leader and its PostgreSQL address', async () => {
    const log = fakeLog(() => Promise.reject(new NotLeaderError(2)));
    const wrapped = leaderNamingLog(log, (id) => (id === 2 ? '10.0.0.2:5432' : ''));
    const error = await wrapped.propose(new Uint8Array(1)).then(() => undefined, (err: unknown) => err);
    expect(error).toBeInstanceOf(SqlError);
    expect(error).toMatchObject({ sqlState: '25006', message: 'this node is a follower; the leader is node 2 at 10.0.0.2:5432' });
  });

  it('say so when no leader is known, and pass other errors and members through', async () => {
    expect(followerWriteError(0, '')).toMatchObject({ sqlState: '25006', message: expect.stringContaining('no leader is known') as unknown });
    expect(followerWriteError(3, '').message).toBe('this node is a follower; the leader is node 3 (address not known yet)');
    const log = fakeLog(() => Promise.reject(new ProposalsPendingLimitError(5)));
    const wrapped = leaderNamingLog(log, () => '');
    await expect(wrapped.propose(new Uint8Array(1))).rejects.toBeInstanceOf(ProposalsPendingLimitError);
    expect(wrapped.status().leaderId).toBe(2);
  });
});
