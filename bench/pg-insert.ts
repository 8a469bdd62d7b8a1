// npm run bench -- pg-insert: single-row durable inserts over 8 connections,
// ThunderDB beside a real PostgreSQL in the same run.
import { compareWithPostgres } from './support/sql-compare.js';

await compareWithPostgres({
  name: 'pg-insert',
  title: 'Single-row inserts, durable commits (pgbench, 8 clients)',
  setup: [
    'DROP TABLE IF EXISTS bench_events',
    'CREATE TABLE bench_events (id bigserial PRIMARY KEY, client integer NOT NULL, amount integer NOT NULL, note text)',
  ],
  script: `\\set amount random(1, 1000)\nINSERT INTO bench_events (client, amount, note) VALUES (:client_id, :amount, 'payment');\n`,
  modes: ['simple', 'prepared'],
  // Counts differ between systems (each inserts as fast as it can); what must
  // agree is that every row is well-formed and ids are unique.
  check: "SELECT count(*) = count(DISTINCT id) AND count(*) = count(*) FILTER (WHERE note = 'payment' AND amount BETWEEN 1 AND 1000) FROM bench_events",
  seconds: Number(process.env['BENCH_SECONDS'] ?? 10),
  clients: 8,
  threads: 2,
});
