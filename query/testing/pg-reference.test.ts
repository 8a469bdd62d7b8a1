// Holds the .slt scripts against a real PostgreSQL: every `statement` must
// succeed or fail with the same SQLSTATE there, and every `query` must give
// the same rows. Skipped unless THUNDER_PG_REFERENCE names a server, e.g.
//   THUNDER_PG_REFERENCE=postgres://postgres@%2Ftmp%2Fpg:5432/postgres
// With THUNDER_PG_REWRITE=1 the expected rows are rewritten from
// PostgreSQL's answers, to be reviewed as a diff. The server should run with
// the C.UTF-8 locale: ThunderDB orders text by code point (C collation) and
// case-maps all of Unicode.

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { describe, expect, test } from 'vitest';
import { parseSlt } from './slt.js';
import type { SltRecord } from './slt.js';

const server = process.env.THUNDER_PG_REFERENCE;
const rewrite = process.env.THUNDER_PG_REWRITE === '1';
const directory = join(fileURLToPath(new URL('.', import.meta.url)), 'sql');
const scripts = readdirSync(directory).filter((f) => f.endsWith('.slt')).sort();
const typeLetters = new Map<number, string>([[20, 'I'], [21, 'I'], [23, 'I'], [700, 'R'], [701, 'R'], [1700, 'R'], [16, 'B']]);

type QueryRecord = SltRecord & { kind: 'query' };

async function runQuery(client: pg.Client, record: QueryRecord): Promise<{ types: string; rows: string[] } | string> {
  try {
    const result = await client.query<unknown[]>({ text: record.sql, rowMode: 'array', types: { getTypeParser: () => (v: string) => v } });
    const rows = result.rows.map((row) => row.map((v) => (v === null ? 'NULL' : v === '' ? '(empty)' : String(v))).join('\t'));
    return { types: result.fields.map((f) => typeLetters.get(f.dataTypeID) ?? 'T').join(''), rows: record.sort === 'rowsort' ? rows.sort() : rows };
  } catch (error) {
    return `error ${(error as { code?: string }).code ?? '?'}`;
  }
}

/** Replaces a query record's header and expected rows with PostgreSQL's. */
function rewriteRecord(lines: string[], record: QueryRecord, outcome: { types: string; rows: string[] }): void {
  const start = record.line - 1;
  let end = start + 1;
  while (end < lines.length && (lines[end] ?? '').trim() !== '') end++;
  const sql = lines.slice(start + 1, start + 1 + record.sql.split('\n').length);
  lines.splice(start, end - start, `query ${outcome.types}${record.sort === 'rowsort' ? ' rowsort' : ''}`, ...sql, '----', ...outcome.rows);
}

async function checkScript(client: pg.Client, text: string): Promise<{ problems: string[]; rewritten: string }> {
  const problems: string[] = [];
  const answers: { record: QueryRecord; outcome: { types: string; rows: string[] } }[] = [];
  for (const record of parseSlt(text)) {
    if (record.kind === 'statement') {
      const code = await client.query(record.sql).then(() => null, (e: { code?: string }) => e.code ?? '?');
      if ((record.expectError === null) !== (code === null) || (record.expectError !== null && record.expectError !== '' && record.expectError !== code)) {
        problems.push(`line ${record.line}: expected ${record.expectError ?? 'ok'}, PostgreSQL: ${code ?? 'ok'}`);
      }
      continue;
    }
    const outcome = await runQuery(client, record);
    if (typeof outcome === 'string') { problems.push(`line ${record.line}: ${outcome}`); continue; }
    const expected = record.sort === 'rowsort' ? [...record.expected].sort() : record.expected;
    if (outcome.types !== record.types || outcome.rows.join('\n') !== expected.join('\n')) problems.push(`line ${record.line}: PostgreSQL answers differently`);
    answers.push({ record, outcome });
  }
  const lines = text.split('\n');
  // From the end, so earlier records keep their line numbers.
  for (const { record, outcome } of answers.reverse()) rewriteRecord(lines, record, outcome);
  return { problems, rewritten: lines.join('\n') };
}

describe.skipIf(server === undefined)('.slt scripts against PostgreSQL', () => {
  for (const script of scripts) {
    test(script, async () => {
      const admin = new pg.Client({ connectionString: server });
      await admin.connect();
      const database = `thunder_slt_${process.pid}_${scripts.indexOf(script)}`;
      await admin.query(`CREATE DATABASE ${database} TEMPLATE template0`);
      // node-postgres lets a connection string win over a separate `database`, so the URL itself names it.
      const url = new URL(server ?? '');
      url.pathname = `/${database}`;
      const client = new pg.Client({ connectionString: url.toString(), options: '-c timezone=UTC -c extra_float_digits=1' });
      await client.connect();
      try {
        const file = join(directory, script);
        const { problems, rewritten } = await checkScript(client, readFileSync(file, 'utf8'));
        if (rewrite) writeFileSync(file, rewritten); else expect(problems).toEqual([]);
      } finally {
        await client.end();
        await admin.query(`DROP DATABASE ${database}`);
        await admin.end();
      }
    });
  }
});
