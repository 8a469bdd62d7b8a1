// 50 real connections move money between accounts under each isolation level
// while auditors sum the balances: the total never changes, every committed
// transfer is counted exactly once, and failures are only the retryable ones
// PostgreSQL would give (40001 serialization, 40P01 deadlock).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startServer, type TestServer } from './helpers/server.js';

const accounts = 20;
const initialBalance = 1000;
const connections = 50;
const transfersPerConnection = 6;
const retryable = new Set(['40001', '40P01']);

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.stop();
  removeDir(server.dir);
});

async function connect(): Promise<pg.Client> {
  const client = new pg.Client({ host: '127.0.0.1', port: server.pgPort, user: 'admin', database: 'thunderdb' });
  await client.connect();
  return client;
}

/** A small deterministic PRNG, so a failure replays with the same transfers. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

interface Transfer { readonly from: number; readonly to: number; readonly amount: number }

/**
 * Runs `body` in a transaction until it commits; returns how many retryable
 * failures (40001, 40P01) it met. Anything else fails the test.
 */
async function untilCommitted(client: pg.Client, begin: string, body: () => Promise<void>): Promise<number> {
  for (let failures = 0; ; failures++) {
    try {
      await client.query(begin);
      await body();
      await client.query('COMMIT');
      return failures;
    } catch (error) {
      await client.query('ROLLBACK');
      const code = (error as { code?: string }).code;
      if (code === undefined || !retryable.has(code)) throw error;
    }
  }
}

/** Reads the source balance, then writes it back absolute: safe only under snapshot isolation's first-updater-wins. */
function transfer(client: pg.Client, isolation: string, { from, to, amount }: Transfer): Promise<number> {
  return untilCommitted(client, `BEGIN ISOLATION LEVEL ${isolation}`, async () => {
    // Reading first makes the transaction's snapshot matter (lost updates, write skew).
    const { rows } = await client.query<{ balance: number }>('SELECT balance FROM accounts WHERE id = $1', [from]);
    const balance = rows[0]?.balance ?? 0;
    await client.query('UPDATE accounts SET balance = $1 WHERE id = $2', [balance - amount, from]);
    await client.query('UPDATE accounts SET balance = balance + $1 WHERE id = $2', [amount, to]);
  });
}

/** READ COMMITTED: both sides as relative updates, which PostgreSQL keeps exact. */
function transferRelative(client: pg.Client, { from, to, amount }: Transfer): Promise<number> {
  return untilCommitted(client, 'BEGIN', async () => {
    await client.query('UPDATE accounts SET balance = balance - $1 WHERE id = $2', [amount, from]);
    await client.query('UPDATE accounts SET balance = balance + $1 WHERE id = $2', [amount, to]);
  });
}

describe('50 connections transferring between accounts', () => {
  for (const isolation of ['READ COMMITTED', 'REPEATABLE READ', 'SERIALIZABLE']) {
    it(`keep the total constant under ${isolation}`, async () => {
      const setup = await connect();
      try {
        await setup.query(`DROP TABLE IF EXISTS accounts`);
        await setup.query(`CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL)`);
        await setup.query(`INSERT INTO accounts SELECT g, ${initialBalance} FROM generate_series(1, ${accounts}) g`);

        const random = prng(isolation.length * 7919);
        const plans: Transfer[][] = Array.from({ length: connections }, () => Array.from({ length: transfersPerConnection }, () => {
          const from = 1 + Math.floor(random() * accounts);
          const to = 1 + ((from + Math.floor(random() * (accounts - 1))) % accounts);
          return { from, to, amount: 1 + Math.floor(random() * 50) };
        }));
        // READ COMMITTED re-reads per statement, so its SELECT-then-SET can lose
        // an update (as in PostgreSQL); only the relative update is safe there.
        const clients = await Promise.all(plans.map(() => connect()));
        let running = true;
        const auditTotals: number[] = [];
        const auditor = (async () => {
          const audit = await connect();
          try {
            while (running) {
              const { rows } = await audit.query<{ total: string }>(`SELECT sum(balance) AS total FROM accounts`);
              auditTotals.push(Number(rows[0]?.total));
            }
          } finally {
            await audit.end();
          }
        })();
        let retries = 0;
        try {
          await Promise.all(clients.map(async (client, i) => {
            for (const plan of plans[i] ?? []) {
              retries += isolation === 'READ COMMITTED'
                ? await transferRelative(client, plan)
                : await transfer(client, isolation, plan);
            }
          }));
        } finally {
          running = false;
          await auditor;
          await Promise.all(clients.map((c) => c.end()));
        }

        const expected = Array.from({ length: accounts + 1 }, () => initialBalance);
        for (const plan of plans.flat()) {
          expected[plan.from] = (expected[plan.from] ?? 0) - plan.amount;
          expected[plan.to] = (expected[plan.to] ?? 0) + plan.amount;
        }
        const { rows } = await setup.query<{ id: number; balance: number }>(`SELECT id, balance FROM accounts ORDER BY id`);
        expect(rows.map((r) => r.balance)).toEqual(expected.slice(1));
        expect(auditTotals.length).toBeGreaterThan(0);
        for (const total of auditTotals) expect(total).toBe(accounts * initialBalance);
        // Retries are allowed (and expected under contention); they are reported, not asserted.
        console.log(`${isolation}: ${plans.flat().length} transfers, ${retries} retries, ${auditTotals.length} audits`);
      } finally {
        await setup.end();
      }
    });
  }
});

