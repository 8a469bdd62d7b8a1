// The system catalogs through the real engine (parser, binder, planner,
// executor, catalog snapshot). Expected texts and OIDs were produced by a
// real PostgreSQL 15.18 for the same DDL (noted where ThunderDB differs).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineSession } from '../engine.js';
import { failsWith, openTestEngine, rows, runAll } from '../engine-impl/testing/harness.js';
import type { TestEngine } from '../engine-impl/testing/harness.js';
import { sizePretty } from './catalog-functions.js';
import { formatType } from './pg-types.js';
import { splitQualifiedName } from './sql-names.js';

let t: TestEngine;
let s: EngineSession;

const ddl = `
  create schema s2;
  create table s2."Mixed"("Id" int primary key, "user" text unique, b numeric(12,3), c varchar(7)[], d timestamp(3),
    e interval, f char(4), g double precision, h boolean not null default true, check (b > 0));
  create unique index mixed_two on s2."Mixed"(h, "user");
  create index "Mixed_g_d_idx" on s2."Mixed"(g, d);
  create table t1(id int primary key, name varchar(20) not null default 'x', amount numeric(10,2), check (id > 0));
  create table t2(a bigserial primary key, b text);
`;

beforeAll(async () => {
  t = await openTestEngine();
  s = t.session('tester', 'thunderdb');
  for (const statement of ddl.split(';').map((x) => x.trim()).filter((x) => x !== '')) await runAll(s, statement);
});

afterAll(async () => {
  await t.close();
});

const q = async (sql: string): Promise<unknown[][]> => (await rows(s, sql)).map((r) => [...r]);

describe('pg_type and format_type', () => {
  it('has PostgreSQL\'s built-in type OIDs', async () => {
    expect(await q(`select typname, oid from pg_type where typname in ('bool','int4','int8','text','varchar','numeric','oid','name','regclass','_int4') order by oid`))
      .toEqual([['bool', 16n], ['name', 19n], ['int8', 20n], ['int4', 23n], ['text', 25n], ['oid', 26n], ['_int4', 1007n], ['varchar', 1043n], ['numeric', 1700n], ['regclass', 2205n]]);
  });

  it('formats types as PostgreSQL 15 does', () => {
    expect(formatType(1042, null)).toBe('character');
    expect(formatType(1042, -1)).toBe('bpchar');
    expect(formatType(1042, 9)).toBe('character(5)');
    expect(formatType(1043, null)).toBe('character varying');
    expect(formatType(1015, 14)).toBe('character varying(10)[]');
    expect(formatType(26, -1)).toBe('oid');
    expect(formatType(18, -1)).toBe('"char"');
    expect(formatType(1007, -1)).toBe('integer[]');
    expect(formatType(1083, 3)).toBe('time(3) without time zone');
    expect(formatType(9999, -1)).toBe('???');
    expect(formatType(1700, 655366)).toBe('numeric(10,2)');
  });

  it('reports column types and typmods in pg_attribute', async () => {
    expect(await q(`select attname, format_type(atttypid, atttypmod), atttypmod, atttypid from pg_attribute
      where attrelid = 's2."Mixed"'::regclass and attnum > 0 order by attnum`)).toEqual([
      ['Id', 'integer', -1, 23n], ['user', 'text', -1, 25n], ['b', 'numeric(12,3)', 786439, 1700n],
      ['c', 'character varying(7)[]', 11, 1015n], ['d', 'timestamp(3) without time zone', 3, 1114n], ['e', 'interval', -1, 1186n],
      ['f', 'character(4)', 8, 1042n], ['g', 'double precision', -1, 701n], ['h', 'boolean', -1, 16n],
    ]);
  });
});

describe('pg_namespace and pg_class', () => {
  it('uses PostgreSQL\'s namespace OIDs and catalog ids above 16384 for user objects', async () => {
    expect(await q(`select nspname, oid from pg_namespace where nspname in ('pg_catalog', 'public') order by 1`))
      .toEqual([['pg_catalog', 11n], ['public', 2200n]]);
    const tables = await q(`select c.relname, c.relkind, c.oid >= 16384, n.nspname from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname in ('public', 's2') order by 1`);
    expect(tables).toEqual([
      ['Mixed', 'r', true, 's2'], ['Mixed_g_d_idx', 'i', true, 's2'], ['Mixed_pkey', 'i', true, 's2'], ['Mixed_user_key', 'i', true, 's2'],
      ['mixed_two', 'i', true, 's2'], ['t1', 'r', true, 'public'], ['t1_pkey', 'i', true, 'public'], ['t2', 'r', true, 'public'],
      ['t2_a_seq', 'S', true, 'public'], ['t2_pkey', 'i', true, 'public'],
    ]);
  });

  it('resolves unqualified catalog names in pg_catalog, which comes first on search_path', async () => {
    expect(await q(`select relname, relkind from pg_class where oid = 1259`)).toEqual([['pg_class', 'r']]);
    expect(await q(`select count(*) > 0 from pg_catalog.pg_attribute a where a.attrelid = 'pg_class'::regclass`)).toEqual([[true]]);
  });

  it('keeps the OIDs of one object stable across statements', async () => {
    const a = await q(`select oid from pg_class where relname = 't1_pkey'`);
    const b = await q(`select indexrelid from pg_index where indrelid = 't1'::regclass`);
    expect(b).toEqual(a);
  });

  it('answers pg_table_is_visible along search_path', async () => {
    expect(await q(`select relname, pg_table_is_visible(oid) from pg_class where relname in ('t1', 'Mixed', 'pg_type') order by 1`))
      .toEqual([['Mixed', false], ['pg_type', true], ['t1', true]]);
  });
});

describe('indexes and constraints', () => {
  it('prints index definitions as pg_get_indexdef does', async () => {
    expect(await q(`select c.relname, pg_get_indexdef(c.oid), pg_get_indexdef(c.oid, 2, true) from pg_class c
      join pg_index i on i.indexrelid = c.oid where i.indrelid = 's2."Mixed"'::regclass order by 1`)).toEqual([
      ['Mixed_g_d_idx', 'CREATE INDEX "Mixed_g_d_idx" ON s2."Mixed" USING btree (g, d)', 'd'],
      ['Mixed_pkey', 'CREATE UNIQUE INDEX "Mixed_pkey" ON s2."Mixed" USING btree ("Id")', ''],
      ['Mixed_user_key', 'CREATE UNIQUE INDEX "Mixed_user_key" ON s2."Mixed" USING btree ("user")', ''],
      ['mixed_two', 'CREATE UNIQUE INDEX mixed_two ON s2."Mixed" USING btree (h, "user")', '"user"'],
    ]);
  });

  it('lists constraints with pg_get_constraintdef\'s text', async () => {
    expect(await q(`select conname, contype, pg_get_constraintdef(oid), pg_get_constraintdef(oid, true) from pg_constraint
      where conrelid = 't1'::regclass order by 1`)).toEqual([
      ['t1_id_check', 'c', 'CHECK ((id > 0))', 'CHECK (id > 0)'],
      ['t1_pkey', 'p', 'PRIMARY KEY (id)', 'PRIMARY KEY (id)'],
    ]);
    expect(await q(`select conname, contype, pg_get_constraintdef(oid, true) from pg_constraint
      where conrelid = 's2."Mixed"'::regclass and contype <> 'c' order by 1`)).toEqual([
      ['Mixed_pkey', 'p', 'PRIMARY KEY ("Id")'], ['Mixed_user_key', 'u', 'UNIQUE ("user")'],
    ]);
  });

  it('flags primary and unique indexes in pg_index', async () => {
    expect(await q(`select c.relname, i.indisprimary, i.indisunique, i.indkey from pg_index i join pg_class c on c.oid = i.indexrelid
      where i.indrelid = 's2."Mixed"'::regclass order by 1`)).toEqual([
      ['Mixed_g_d_idx', false, false, [8, 5]], ['Mixed_pkey', true, true, [1]], ['Mixed_user_key', false, true, [2]], ['mixed_two', false, true, [9, 2]],
    ]);
  });

  it('shows defaults through pg_attrdef and identities through attidentity', async () => {
    expect(await q(`select a.attname, pg_get_expr(d.adbin, d.adrelid, true), a.attidentity from pg_attribute a
      left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum where a.attrelid = 't2'::regclass and a.attnum > 0 order by a.attnum`))
      .toEqual([['a', null, 'd'], ['b', null, '']]);
    expect(await q(`select pg_get_serial_sequence('t2', 'a')`)).toEqual([['public.t2_a_seq']]);
  });
});

describe('views and system columns', () => {
  it('lists pg_indexes with their definitions and routines from the function registry', async () => {
    expect(await q(`select indexname, indexdef from pg_indexes where tablename = 't1'`))
      .toEqual([['t1_pkey', 'CREATE UNIQUE INDEX t1_pkey ON public.t1 USING btree (id)']]);
    expect(await q(`select routine_schema, data_type from information_schema.routines where routine_name = 'upper'`))
      .toEqual([['pg_catalog', 'text']]);
    expect(await q(`select lanname from pg_language order by oid`)).toEqual([['internal'], ['c'], ['sql']]);
  });

  it('reads tableoid by name but leaves it out of *', async () => {
    expect(await q(`select c.tableoid, tableoid = 'pg_class'::regclass from pg_class c where relname = 't1'`)).toEqual([[1259n, true]]);
    const star = await rows(s, `select * from pg_am where amname = 'btree'`);
    expect(star[0]?.length).toBe(4);
  });

  it('lets a user table named like an information_schema view win when unqualified', async () => {
    await runAll(s, `create table tables(x int)`);
    await runAll(s, `insert into tables values (7)`);
    expect(await q(`select x from tables`)).toEqual([[7]]);
    expect((await q(`select count(*) from information_schema.tables where table_name = 'tables'`))[0]).toEqual([2n]);
    await runAll(s, `drop table tables`);
  });
});

describe('object identifier casts', () => {
  it('reads names as oids and prints oids as names', async () => {
    const [[oid]] = await q(`select oid from pg_class where relname = 't1'`) as [[bigint]];
    expect(await q(`select 't1'::regclass, 'public.t1'::regclass::text, ${oid}::regclass::text, 'pg_class'::regclass`))
      .toEqual([[oid, 't1', 't1', 1259n]]);
    expect(await q(`select 's2."Mixed"'::regclass::text, 'int4'::regtype::text, 1043::regtype::text, 'public'::regnamespace::text`))
      .toEqual([['s2."Mixed"', 'integer', 'character varying', 'public']]);
    expect(await q(`select to_regclass('nope'), to_regclass('t1') = 't1'::regclass, regclass 't1' = ${oid}, cast('t2' as regclass)::text, regclass 't1'::text`))
      .toEqual([[null, true, true, 't2', 't1']]);
    expect((await failsWith(s, `select 'nope'::regclass`)).sqlState).toBe('42P01');
  });
});

describe('information_schema', () => {
  it('answers Knex-style hasTable and column queries', async () => {
    expect(await q(`select table_name from information_schema.tables where table_schema = 'public' order by 1`)).toEqual([['t1'], ['t2']]);
    expect(await q(`select column_name, data_type, is_nullable, character_maximum_length, numeric_precision, numeric_scale, column_default
      from information_schema.columns where table_name = 't1' order by ordinal_position`)).toEqual([
      ['id', 'integer', 'NO', null, 32, 0, null], ['name', 'character varying', 'NO', 20, null, null, "'x'"],
      ['amount', 'numeric', 'YES', null, 10, 2, null],
    ]);
  });

  it('answers Knex\'s hasTable / hasColumn as prepared statements with parameters', async () => {
    const hasTable = s.prepare('select * from information_schema.tables where table_name = $1 and table_schema = current_schema()', [undefined]);
    expect(hasTable.parameterTypes).toEqual([{ kind: 'text' }]);
    const found = await s.executePrepared(hasTable, ['t1']);
    const missing = await s.executePrepared(hasTable, ['nope']);
    expect(found.kind === 'rows' ? found.rows.length : -1).toBe(1);
    expect(missing.kind === 'rows' ? missing.rows.length : -1).toBe(0);
    const hasColumn = s.prepare(`select * from information_schema.columns where table_name = $1 and column_name = $2
      and table_schema = current_schema()`, [undefined, undefined]);
    const column = await s.executePrepared(hasColumn, ['t1', 'amount']);
    expect(column.kind === 'rows' ? column.rows.length : -1).toBe(1);
  });

  it('lists constraints and their key columns', async () => {
    expect(await q(`select constraint_name, constraint_type from information_schema.table_constraints where table_name = 'Mixed' order by 1`))
      .toEqual([['Mixed_b_check', 'CHECK'], ['Mixed_pkey', 'PRIMARY KEY'], ['Mixed_user_key', 'UNIQUE']]);
    expect(await q(`select constraint_name, column_name, ordinal_position from information_schema.key_column_usage where table_schema = 's2' order by 1`))
      .toEqual([['Mixed_pkey', 'Id', 1], ['Mixed_user_key', 'user', 1]]);
    expect(await q(`select schema_name from information_schema.schemata order by 1`))
      .toEqual([['information_schema'], ['pg_catalog'], ['public'], ['s2']]);
  });
});

describe('what psql and pgbench send', () => {
  it('runs pgbench\'s partition check (cross join lateral over current_schemas)', async () => {
    expect(await q(`select o.n, p.partstrat, pg_catalog.count(i.inhparent) from pg_catalog.pg_class as c
      join pg_catalog.pg_namespace as n on (n.oid = c.relnamespace)
      cross join lateral (select pg_catalog.array_position(pg_catalog.current_schemas(true), n.nspname)) as o(n)
      left join pg_catalog.pg_partitioned_table as p on (p.partrelid = c.oid)
      left join pg_catalog.pg_inherits as i on (c.oid = i.inhparent)
      where c.relname = 't1' and o.n is not null group by 1, 2 order by 1 asc limit 1`)).toEqual([[2, null, 0n]]);
  });

  it('runs \\d\'s lookup with OPERATOR(pg_catalog.~) and COLLATE pg_catalog.default', async () => {
    expect(await q(`SELECT c.relname, n.nspname, c.relname FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relname OPERATOR(pg_catalog.~) '^(t1)$' COLLATE pg_catalog.default AND pg_catalog.pg_table_is_visible(c.oid) ORDER BY 2, 3`))
      .toEqual([['t1', 'public', 't1']]);
  });

  it('runs a correlated table function as the first FROM item (\\d\'s publication query)', async () => {
    expect(await q(`select (select string_agg(attname, ', ') from pg_catalog.generate_series(0, pg_catalog.array_upper(x.k::pg_catalog.int2[], 1)) s,
      pg_catalog.pg_attribute where attrelid = 't1'::regclass and attnum = x.k[s]) from (values ('{1,2}'::int2[])) x(k)`))
      .toEqual([['id, name']]);
  });

  it('answers the session and size functions', async () => {
    expect(await q(`select current_database(), pg_get_userbyid(10), pg_encoding_to_char(6), current_schemas(true), pg_is_in_recovery()`))
      .toEqual([['thunderdb', 'tester', 'UTF8', ['pg_catalog', 'public'], false]]);
    expect(await q(`select has_table_privilege('t1', 'select'), obj_description(1259, 'pg_class'), version() like 'PostgreSQL 15.%ThunderDB%'`))
      .toEqual([[true, null, true]]);
    expect([sizePretty(0n), sizePretty(10239n), sizePretty(10240n), sizePretty(123456789n), sizePretty(-20971520n)])
      .toEqual(['0 bytes', '10239 bytes', '10 kB', '118 MB', '-20 MB']);
  });

  it('splits qualified names as regclassin does', () => {
    expect(splitQualifiedName('public.t1')).toEqual(['public', 't1']);
    expect(splitQualifiedName('"A.b"."C"')).toEqual(['A.b', 'C']);
    expect(splitQualifiedName('T1')).toEqual([null, 't1']);
  });
});
