// The TPC-H join queries in-process over the bench's generated data, column
// path vs row path: answers must agree; times and the column path's EXPLAIN
// ANALYZE are printed (never asserted). Skipped unless THUNDER_TPCH_SF is set.
//   THUNDER_TPCH_SF=0.01 npx vitest run query/vectorized/tpch-measure.test.ts

import { describe, expect, it } from 'vitest';
import { tpchCopyText, tpchSchema, tpchTableNames } from '../../bench/support/tpch-gen.js';
import { tpchQueries } from '../../bench/support/tpch-queries.js';
import { rows, run } from '../engine-impl/testing/harness.js';
import { Decimal } from '../types/numeric/decimal.js';
import { vectorizedCounters } from './path.js';
import { openColumnTestEngine } from './testing.js';

const scaleFactor = Number(process.env.THUNDER_TPCH_SF ?? 0);
const only = process.env.THUNDER_TPCH_QUERIES?.split(',').map(Number) ?? [3, 5, 10, 12, 14, 19];

function literal(field: string): string {
  return field === '\\N' ? 'NULL' : `'${field.replaceAll("'", "''")}'`;
}

describe.skipIf(scaleFactor === 0)('TPC-H joins, column path vs row path', () => {
  it(`at scale factor ${scaleFactor}`, async () => {
    const t = await openColumnTestEngine();
    const s = t.session();
    for (const table of tpchTableNames) {
      await run(s, tpchSchema[table]);
      for (const chunk of tpchCopyText(table, { scaleFactor, chunkRows: 2000 })) {
        const values = chunk.trimEnd().split('\n').map((line) => `(${line.split('\t').map(literal).join(', ')})`);
        await run(s, `INSERT INTO ${table} VALUES ${values.join(', ')}`);
      }
    }
    const canonical = (r: readonly unknown[]): string => JSON.stringify(r.map((v) => (v instanceof Decimal ? v.toString() : typeof v === 'bigint' ? String(v) : v)));
    for (const q of tpchQueries.filter((x) => only.includes(x.id))) {
      const times: Record<string, number> = {};
      const answers: Record<string, string[]> = {};
      for (const path of ['row', 'column']) {
        await run(s, `SET thunderdb.read_path = '${path}'`);
        await rows(s, q.sql);
        const started = performance.now();
        answers[path] = (await rows(s, q.sql)).map(canonical);
        times[path] = performance.now() - started;
      }
      const joinsBefore = vectorizedCounters.joinRuns;
      const plan = (await rows(s, `EXPLAIN ANALYZE ${q.sql}`)).map((r) => String(r[0])).join('\n');
      console.log(`Q${q.id}: row ${times.row?.toFixed(1)} ms, column ${times.column?.toFixed(1)} ms, vectorized join ${vectorizedCounters.joinRuns > joinsBefore}\n${plan}`);
      expect(answers.column, `Q${q.id}`).toEqual(answers.row);
    }
    await t.close();
  }, 600_000);
});
