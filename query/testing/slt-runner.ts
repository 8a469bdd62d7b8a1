// Runs a sqllogictest script against a TestDatabase and lists every mismatch
// (with its line) instead of stopping at the first, so one run shows all.

import { SqlError } from '../types/errors.js';
import { sessionTimeZone } from '../functions/index.js';
import { makeSession } from '../types/session.js';
import { formatRow } from './format.js';
import { parseSlt } from './slt.js';
import type { SltRecord } from './slt.js';
import type { TestDatabase } from './test-database.js';

export interface SltOutcome {
  readonly records: number;
  readonly statements: number;
  readonly queries: number;
  readonly failures: readonly string[];
}

const typeLetters: Record<string, string> = {
  int2: 'I', int4: 'I', int8: 'I', float4: 'R', float8: 'R', numeric: 'R', bool: 'B',
};

function describeError(error: unknown): string {
  return error instanceof SqlError ? `${error.sqlState} ${error.message}` : String(error instanceof Error ? error.stack : error);
}

async function runRecord(db: TestDatabase, record: SltRecord): Promise<string | null> {
  if (record.kind === 'statement') {
    try {
      await db.run(record.sql);
    } catch (error) {
      if (record.expectError !== null && error instanceof SqlError && (record.expectError === '' || error.sqlState === record.expectError)) return null;
      return `line ${record.line}: ${record.sql}\n  unexpected error: ${describeError(error)}`;
    }
    return record.expectError === null ? null : `line ${record.line}: ${record.sql}\n  expected error ${record.expectError}, statement succeeded`;
  }
  let results;
  try {
    results = await db.run(record.sql);
  } catch (error) {
    return `line ${record.line}: ${record.sql}\n  unexpected error: ${describeError(error)}`;
  }
  const last = results[results.length - 1];
  if (last?.kind !== 'rows') return `line ${record.line}: ${record.sql}\n  returned no rows`;
  // Values print in the session's time zone, as the wire protocol's text format does.
  const session = makeSession(sessionTimeZone(db.session().timeZone), 0n);
  let actual = last.rows.map((row) => formatRow(row, last.columns, session));
  let expected = [...record.expected];
  if (record.sort === 'rowsort') { actual = [...actual].sort(); expected = expected.sort(); }
  const types = last.columns.map((c) => typeLetters[c.type.kind] ?? 'T').join('');
  const problems: string[] = [];
  if (types.length !== record.types.length) problems.push(`  ${record.types.length} columns expected, got ${types.length} (${types})`);
  else if (types !== record.types) problems.push(`  column types ${record.types} expected, got ${types}`);
  if (actual.join('\n') !== expected.join('\n')) problems.push(`  expected:\n    ${expected.join('\n    ')}\n  got:\n    ${actual.join('\n    ')}`);
  return problems.length === 0 ? null : `line ${record.line}: ${record.sql}\n${problems.join('\n')}`;
}

export async function runSlt(db: TestDatabase, text: string): Promise<SltOutcome> {
  const records = parseSlt(text);
  const failures: string[] = [];
  for (const record of records) {
    const failure = await runRecord(db, record);
    if (failure !== null) failures.push(failure);
  }
  return {
    records: records.length,
    statements: records.filter((r) => r.kind === 'statement').length,
    queries: records.filter((r) => r.kind === 'query').length,
    failures,
  };
}
