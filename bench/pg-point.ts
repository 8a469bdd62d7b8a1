// npm run bench -- pg-point: point selects by primary key over 8 connections,
// ThunderDB beside a real PostgreSQL in the same run.
import { compareWithPostgres } from './support/sql-compare.js';

const rows = Number(process.env['BENCH_ROWS'] ?? 100_000);
await compareWithPostgres({
  name: 'pg-point',
  title: 'Point selects by primary key (pgbench, 8 clients)',
  setup: [
    'DROP TABLE IF EXISTS bench_accounts',
    'CREATE TABLE bench_accounts (aid integer PRIMARY KEY, bid integer, abalance integer, filler char(84))',
    `INSERT INTO bench_accounts SELECT g, (g - 1) / 100000 + 1, 0, '' FROM generate_series(1, ${rows}) AS g`,
  ],
  script: `\\set aid random(1, ${rows})\nSELECT abalance FROM bench_accounts WHERE aid = :aid;\n`,
  modes: ['simple', 'prepared'],
  check: 'SELECT count(*), sum(aid), sum(abalance) FROM bench_accounts',
  seconds: Number(process.env['BENCH_SECONDS'] ?? 10),
  clients: 8,
  threads: 2,
});
