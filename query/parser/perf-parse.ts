// Micro-benchmark of the SQL front-end: parse cost against the statement
// cache's hit paths. Not a test (timings are never asserted); results go in
// README-perf.md. Run from the repository root:
//
//   npx tsc --outDir /tmp/tdb-perf --rootDir . --module nodenext --moduleResolution nodenext \
//     --target es2022 --skipLibCheck query/parser/perf-parse.ts
//   ln -sfn "$PWD/node_modules" /tmp/tdb-perf/node_modules && node /tmp/tdb-perf/query/parser/perf-parse.js

import { parseSync, scanSync } from 'libpg-query';
import { normalizeForCache } from './normalize.js';
import { loadSqlParser, parseSql } from './parse.js';
import { StatementCache } from './statement-cache.js';

const iterationsPerCase = 20_000;
const warmupIterations = 2_000;

/** Statement shapes; `n` varies per iteration so literal-normalised lookups see new text. */
const statements: Record<string, (n: number) => string> = {
  'pgbench select': (n) => `SELECT abalance FROM pgbench_accounts WHERE aid = ${n}`,
  'pgbench update': (n) => `UPDATE pgbench_accounts SET abalance = abalance + ${n % 5000} WHERE aid = ${n}`,
  'pgbench insert': (n) => `INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (${n % 10}, 1, ${n}, -${n % 5000}, CURRENT_TIMESTAMP)`,
  'TPC-H Q6': (n) => "SELECT sum(l_extendedprice * l_discount) AS revenue FROM lineitem WHERE l_shipdate >= date '1994-01-01' "
    + `AND l_shipdate < date '1994-01-01' + interval '1' year AND l_discount BETWEEN 0.0${n % 10} - 0.01 AND 0.07 AND l_quantity < ${n}`,
};

/** Mean microseconds per call of `run(i)`. */
function measure(run: (i: number) => unknown): number {
  for (let i = 0; i < warmupIterations; i++) run(i);
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterationsPerCase; i++) run(i);
  return Number(process.hrtime.bigint() - start) / iterationsPerCase / 1000;
}

async function main(): Promise<void> {
  await loadSqlParser();
  const rows: string[] = [];
  for (const [name, make] of Object.entries(statements)) {
    const fixed = make(42);
    const exactCache = new StatementCache({ entriesMax: 1000, normalizeLiterals: false });
    const templateCache = new StatementCache({ entriesMax: 1000, normalizeLiterals: true });
    templateCache.parse(make(1));
    const cells = [
      measure(() => parseSync(fixed)),
      measure(() => parseSql(fixed)),
      measure(() => scanSync(fixed)),
      measure(() => normalizeForCache(fixed)),
      measure(() => exactCache.parse(fixed)),
      // Texts are new each time (the exact level misses), so this is scan + template re-bind.
      measure((i) => templateCache.parse(make(1_000_000 + i))),
    ];
    rows.push(`| ${name} | ${cells.map((c) => c.toFixed(1)).join(' | ')} |`);
  }
  console.log('| statement | parseSync | parseSql | scanSync | normalizeForCache | exact hit | template hit |');
  console.log('|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(row);
}

await main();
