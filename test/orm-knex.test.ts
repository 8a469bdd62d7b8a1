// Knex (the most used Node ORM / query builder that runs without native
// engines) against the real server: migrations in a temp directory run the
// way Knex runs them (each in its own transaction, the default), rollback and
// re-run, then CRUD through the query builder, transactions, schema
// introspection and parallel queries through the pool.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startServer, type TestServer } from './helpers/server.js';

// Migrations are plain ESM files Knex imports; `loadExtensions` lets it take .mjs.
const migrations: Readonly<Record<string, string>> = {
  '20260101000001_create_users.mjs': `
export async function up(knex) {
  await knex.schema.createTable('users', (t) => {
    t.increments('id');
    t.string('email', 200).notNullable().unique();
    t.string('name');
    t.integer('age');
    t.boolean('active').notNullable().defaultTo(true);
    t.jsonb('profile');
    t.timestamps(true, true);
  });
}
export async function down(knex) {
  await knex.schema.dropTable('users');
}
`,
  '20260101000002_create_orders.mjs': `
export async function up(knex) {
  await knex.schema.createTable('orders', (t) => {
    t.increments('id');
    t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.decimal('amount', 12, 2).notNullable();
    t.string('status', 20).notNullable().defaultTo('new');
    t.timestamp('placed_at').defaultTo(knex.fn.now());
    t.index(['user_id', 'status'], 'orders_user_status_idx');
  });
}
export async function down(knex) {
  await knex.schema.dropTable('orders');
}
`,
  '20260101000003_alter_users.mjs': `
export async function up(knex) {
  await knex.schema.alterTable('users', (t) => {
    t.string('nickname', 50);
    t.integer('score').notNullable().defaultTo(0);
  });
  await knex.schema.alterTable('users', (t) => {
    t.renameColumn('name', 'full_name');
  });
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('age');
  });
  await knex.schema.alterTable('orders', (t) => {
    t.index(['placed_at'], 'orders_placed_at_idx');
  });
  await knex.schema.alterTable('users', (t) => {
    t.unique(['nickname'], { indexName: 'users_nickname_unique' });
  });
}
export async function down(knex) {
  await knex.schema.alterTable('orders', (t) => {
    t.dropIndex(['placed_at'], 'orders_placed_at_idx');
  });
  await knex.schema.alterTable('users', (t) => {
    t.dropUnique(['nickname'], 'users_nickname_unique');
  });
  await knex.schema.alterTable('users', (t) => {
    t.integer('age');
  });
  await knex.schema.alterTable('users', (t) => {
    t.renameColumn('full_name', 'name');
  });
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('nickname');
    t.dropColumn('score');
  });
}
`,
};

interface UserRow {
  id: number;
  email: string;
  full_name: string | null;
  nickname: string | null;
  score: number;
  active: boolean;
  profile: unknown;
  created_at: Date;
  updated_at: Date;
}

let server: TestServer;
let db: Knex;
let migrationsDir: string;

function connect(port: number, poolMax = 4): Knex {
  return knexFactory({
    client: 'pg',
    connection: { host: '127.0.0.1', port, user: 'admin', database: 'thunderdb' },
    pool: { min: 0, max: poolMax },
    migrations: { directory: migrationsDir, loadExtensions: ['.mjs'] },
  });
}

async function columnNames(table: string): Promise<string[]> {
  const info = await db(table).columnInfo();
  return Object.keys(info).sort();
}

function writeMigrations(names: readonly string[]): void {
  for (const name of names) writeFileSync(join(migrationsDir, name), migrations[name] ?? '');
}

const migrationNames = Object.keys(migrations);

beforeAll(async () => {
  migrationsDir = mkdtempSync(join(tmpdir(), 'thunderdb-knex-'));
  // The ALTER migration comes later, as a batch of its own over tables with rows.
  writeMigrations(migrationNames.slice(0, 2));
  server = await startServer();
  db = connect(server.pgPort);
});

afterAll(async () => {
  await db.destroy();
  if (server.child.exitCode === null && server.child.signalCode === null) await server.stop();
  removeDir(server.dir);
  rmSync(migrationsDir, { recursive: true, force: true });
});

describe('Knex against ThunderDB', () => {
  it('runs an ALTER migration over existing tables in its transaction; rollback restores the old definition', async () => {
    const [batch1, applied1] = (await db.migrate.latest()) as [number, string[]];
    expect(batch1).toBe(1);
    expect(applied1.map((p) => p.split('/').pop())).toEqual(migrationNames.slice(0, 2));
    const [{ id: userId }] = (await db('users').insert({ email: 'old@x', name: 'Old', age: 50 }).returning('id')) as [{ id: number }];
    await db('orders').insert({ user_id: userId, amount: '3.00' });

    writeMigrations(migrationNames.slice(2));
    const [batch2, applied2] = (await db.migrate.latest()) as [number, string[]];
    expect(batch2).toBe(2);
    expect(applied2).toHaveLength(1);
    expect(await columnNames('users')).toEqual(
      ['active', 'created_at', 'email', 'full_name', 'id', 'nickname', 'profile', 'score', 'updated_at'],
    );
    expect(await db('users').where({ id: userId }).first('full_name', 'score', 'nickname')).toEqual({ full_name: 'Old', score: 0, nickname: null });
    expect(await db('orders').where('placed_at', '<=', db.fn.now()).count('* as n')).toEqual([{ n: '1' }]);

    // Rolling back batch 2 (one transaction) puts the old definition and the rows back.
    const [rolled2, rolledBack2] = (await db.migrate.rollback()) as [number, string[]];
    expect(rolled2).toBe(2);
    expect(rolledBack2).toHaveLength(1);
    expect(await columnNames('users')).toEqual(['active', 'age', 'created_at', 'email', 'id', 'name', 'profile', 'updated_at']);
    // The dropped column came back empty (down() re-adds it); the renamed one kept its values.
    expect(await db('users').where({ id: userId }).first('name', 'age')).toEqual({ name: 'Old', age: null });
    await db('orders').delete();
    await db('users').delete();
  });

  it('runs migrations: rollback all, latest again', async () => {
    await db.migrate.rollback(undefined, true);
    expect(await db.schema.hasTable('users')).toBe(false);
    const [batch, applied] = (await db.migrate.latest()) as [number, string[]];
    expect(batch).toBe(1);
    expect(applied.map((p) => p.split('/').pop())).toEqual(migrationNames);
    expect(await db.schema.hasTable('users')).toBe(true);
    expect(await db.schema.hasTable('orders')).toBe(true);
    expect(await db.schema.hasColumn('users', 'full_name')).toBe(true);
    expect(await db.schema.hasColumn('users', 'name')).toBe(false);
    expect(await db.schema.hasColumn('users', 'age')).toBe(false);
    expect(await columnNames('users')).toEqual(
      ['active', 'created_at', 'email', 'full_name', 'id', 'nickname', 'profile', 'score', 'updated_at'],
    );

    const [rolledBatch, rolledBack] = (await db.migrate.rollback()) as [number, string[]];
    expect(rolledBatch).toBe(1);
    expect(rolledBack).toHaveLength(3);
    expect(await db.schema.hasTable('users')).toBe(false);
    expect(await db.schema.hasTable('orders')).toBe(false);

    const [batch2] = (await db.migrate.latest()) as [number, string[]];
    expect(batch2).toBe(1);
    expect(await db.migrate.currentVersion()).toBe('20260101000003');
    const status = await db('knex_migrations').select('name', 'batch').orderBy('id');
    expect(status.map((r: { name: string }) => r.name)).toEqual(Object.keys(migrations));
  });

  it('rolls back a migration that fails part-way, leaving the old definition', async () => {
    await db('users').insert({ email: 'keep@x', full_name: 'Keep' });
    await expect(
      db.transaction(async (trx) => {
        await trx.schema.alterTable('users', (t) => {
          t.string('temp_col');
        });
        await trx('users').update({ temp_col: 'x' });
        throw new Error('migration failed');
      }),
    ).rejects.toThrow('migration failed');
    expect(await db.schema.hasColumn('users', 'temp_col')).toBe(false);
    expect(await db('users').where({ email: 'keep@x' }).first('full_name')).toEqual({ full_name: 'Keep' });
    await db('users').where({ email: 'keep@x' }).delete();
  });

  it('does CRUD through the query builder', async () => {
    const inserted = (await db('users')
      .insert([
        { email: 'ada@x', full_name: 'Ada', profile: { langs: ['en'] } },
        { email: 'grace@x', full_name: 'Grace', score: 5 },
        { email: 'linus@x', full_name: 'Linus', active: false },
      ])
      .returning(['id', 'email', 'score', 'active'])) as Pick<UserRow, 'id' | 'email' | 'score' | 'active'>[];
    expect(inserted.map((r) => [r.email, r.score, r.active])).toEqual([
      ['ada@x', 0, true],
      ['grace@x', 5, true],
      ['linus@x', 0, false],
    ]);
    const ids = Object.fromEntries(inserted.map((r) => [r.email, r.id]));
    const ada = ids['ada@x'] as number;
    const grace = ids['grace@x'] as number;

    await expect(db('users').insert({ email: 'ada@x' })).rejects.toMatchObject({ code: '23505' });

    const row = (await db<UserRow>('users').where({ id: ada }).first()) as UserRow;
    expect(row.profile).toEqual({ langs: ['en'] });
    expect(row.created_at).toBeInstanceOf(Date);

    const actives = await db<UserRow>('users').where('active', true).whereIn('email', ['ada@x', 'grace@x', 'linus@x'])
      .orderBy('email', 'desc').limit(5).select('email');
    expect(actives.map((r) => r.email)).toEqual(['grace@x', 'ada@x']);

    const updated = await db<UserRow>('users').where({ id: grace }).update({ nickname: 'amazing', score: db.raw('score + 1') }, ['score']);
    expect(updated).toEqual([{ score: 6 }]);

    await db('orders').insert([
      { user_id: ada, amount: '10.50', status: 'paid' },
      { user_id: ada, amount: '4.25', status: 'paid' },
      { user_id: grace, amount: '100.00' },
    ]);
    const joined = await db('orders as o').join('users as u', 'u.id', 'o.user_id')
      .where('o.status', 'paid').orderBy('o.amount').select('u.full_name', 'o.amount');
    expect(joined).toEqual([{ full_name: 'Ada', amount: '4.25' }, { full_name: 'Ada', amount: '10.50' }]);

    const totals = await db('orders').select('user_id').count('* as n').sum('amount as total')
      .groupBy('user_id').orderBy('user_id');
    expect(totals).toEqual([
      { user_id: ada, n: '2', total: '14.75' },
      { user_id: grace, n: '1', total: '100.00' },
    ]);
    const [{ n }] = (await db('users').count('* as n')) as [{ n: string }];
    expect(Number(n)).toBe(3);

    const leftJoined = await db('users as u').leftJoin('orders as o', 'o.user_id', 'u.id')
      .whereNull('o.id').select('u.email');
    expect(leftJoined).toEqual([{ email: 'linus@x' }]);

    expect(await db('users').where({ email: 'linus@x' }).delete()).toBe(1);
    expect(await db('users').whereIn('id', [ada, grace]).count('* as n')).toEqual([{ n: '2' }]);
  });

  it('runs knex.transaction: commit, and rollback on error', async () => {
    await db.transaction(async (trx) => {
      const [{ id }] = (await trx('users').insert({ email: 'tx@x', full_name: 'Tx' }).returning('id')) as [{ id: number }];
      await trx('orders').insert({ user_id: id, amount: 1 });
    });
    expect(await db('users').where({ email: 'tx@x' }).first('full_name')).toEqual({ full_name: 'Tx' });

    await expect(
      db.transaction(async (trx) => {
        await trx('users').insert({ email: 'gone@x' });
        await trx('users').insert({ email: 'gone@x' });
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect(await db('users').where({ email: 'gone@x' })).toEqual([]);

    const trx = await db.transaction();
    await trx('users').where({ email: 'tx@x' }).update({ score: 42 });
    expect(await db('users').where({ email: 'tx@x' }).first('score')).toEqual({ score: 0 });
    await trx.rollback();
    expect(await db('users').where({ email: 'tx@x' }).first('score')).toEqual({ score: 0 });
  });

  it('introspects the schema', async () => {
    expect(await db.schema.hasTable('nope')).toBe(false);
    expect(await db.schema.hasColumn('orders', 'amount')).toBe(true);
    const info = await db('orders').columnInfo();
    expect(info['amount']).toMatchObject({ type: 'numeric', nullable: false });
    expect(info['status']).toMatchObject({ type: 'character varying', maxLength: 20 });
  });

  it('serves parallel queries through the pool', async () => {
    const pooled = connect(server.pgPort, 5);
    try {
      const emails = Array.from({ length: 20 }, (_, i) => `pool${i}@x`);
      await Promise.all(emails.map((email, i) => pooled('users').insert({ email, score: i })));
      const counts = await Promise.all(
        Array.from({ length: 10 }, () => pooled('users').where('email', 'like', 'pool%').count('* as n')),
      );
      for (const c of counts) expect(c).toEqual([{ n: '20' }]);
      await Promise.all(emails.map((email) => pooled('users').where({ email }).increment('score', 1)));
      const [{ total }] = (await pooled('users').where('email', 'like', 'pool%').sum('score as total')) as [{ total: string }];
      expect(Number(total)).toBe(190 + 20);
    } finally {
      await pooled.destroy();
    }
  });
});
