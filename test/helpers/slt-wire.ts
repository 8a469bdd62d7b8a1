// Runs the sqllogictest scripts of query/testing/sql through the PostgreSQL
// wire protocol with real clients, and compares what they get the way
// query/testing/slt-runner.ts does (rowsort, type letters, NULL and (empty)).
//
// Each client runs a whole script and returns one Outcome per record; psql
// runs it as one process, with an `\echo` marker and the SQLSTATE after each
// record, so 600-odd records cost one psql start.

import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import postgres from 'postgres';
import { parseSlt, type SltRecord } from '../../query/testing/slt.js';
import { projectRoot } from './server.js';

export const sltDirectory = join(projectRoot, 'query', 'testing', 'sql');

export interface SltScript {
  readonly name: string;
  readonly records: readonly SltRecord[];
}

export function loadSltScripts(): SltScript[] {
  return readdirSync(sltDirectory).filter((f) => f.endsWith('.slt')).sort()
    .map((name) => ({ name, records: parseSlt(readFileSync(join(sltDirectory, name), 'utf8')) }));
}

/** What one record got: rows (possibly none) in the slt text form, or an error. */
export type Outcome =
  | { readonly kind: 'rows'; readonly types: string | null; readonly rows: readonly string[] }
  | { readonly kind: 'error'; readonly sqlState: string; readonly message: string };

export interface Target {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly database: string;
}

export interface WireClient {
  readonly name: string;
  runScript(target: Target, records: readonly SltRecord[]): Promise<Outcome[]>;
}

// PostgreSQL type OIDs → slt type letters (slt-runner's typeLetters by kind).
const typeLetters = new Map<number, string>([[20, 'I'], [21, 'I'], [23, 'I'], [700, 'R'], [701, 'R'], [1700, 'R'], [16, 'B']]);

function lettersOf(oids: readonly number[]): string {
  return oids.map((oid) => typeLetters.get(oid) ?? 'T').join('');
}

function cell(value: string | null): string {
  if (value === null) return 'NULL';
  return value === '' ? '(empty)' : value;
}

function errorOutcome(error: unknown): Outcome {
  const e = error as { code?: unknown; message?: unknown };
  return { kind: 'error', sqlState: typeof e.code === 'string' ? e.code : `no SQLSTATE (${String(error)})`, message: String(e.message ?? error) };
}

/** The same checks as slt-runner: null when the record passed, else a description. */
export function checkRecord(record: SltRecord, outcome: Outcome): string | null {
  const head = `line ${record.line}: ${record.sql}`;
  if (record.kind === 'statement') {
    if (outcome.kind === 'error') {
      if (record.expectError !== null && (record.expectError === '' || outcome.sqlState === record.expectError)) return null;
      return `${head}\n  unexpected error: ${outcome.sqlState} ${outcome.message}`;
    }
    return record.expectError === null ? null : `${head}\n  expected error ${record.expectError}, statement succeeded`;
  }
  if (outcome.kind === 'error') return `${head}\n  unexpected error: ${outcome.sqlState} ${outcome.message}`;
  let actual = [...outcome.rows];
  let expected = [...record.expected];
  if (record.sort === 'rowsort') { actual = actual.sort(); expected = expected.sort(); }
  const problems: string[] = [];
  const types = outcome.types;
  if (types !== null && types.length !== record.types.length) problems.push(`  ${record.types.length} columns expected, got ${types.length} (${types})`);
  else if (types !== null && types !== record.types) problems.push(`  column types ${record.types} expected, got ${types}`);
  if (actual.join('\n') !== expected.join('\n')) problems.push(`  expected:\n    ${expected.join('\n    ')}\n  got:\n    ${actual.join('\n    ')}`);
  return problems.length === 0 ? null : `${head}\n${problems.join('\n')}`;
}

// ---- node-postgres ----

/** Every type parser returns the text as the server sent it. */
const rawTypes = { getTypeParser: () => (value: string): string => value };

type PgQueryConfig = pg.QueryArrayConfig & {
  /** 'extended' forces Parse/Bind/Describe/Execute/Sync even without parameters (not in @types/pg). */
  readonly queryMode?: 'extended';
};

export function nodePostgres(mode: 'simple' | 'extended'): WireClient {
  return {
    name: `pg-${mode}`,
    async runScript(target, records) {
      const client = new pg.Client({ ...target, options: '-c timezone=UTC' });
      client.on('error', () => undefined);
      await client.connect();
      try {
        const outcomes: Outcome[] = [];
        for (const record of records) {
          const config: PgQueryConfig = { text: record.sql, rowMode: 'array', types: rawTypes, ...(mode === 'extended' ? { queryMode: 'extended' } : {}) };
          try {
            const results = (await client.query(config)) as pg.QueryArrayResult | pg.QueryArrayResult[];
            // A multi-statement simple query returns one result per statement; slt-runner takes the last.
            const last = Array.isArray(results) ? results[results.length - 1] : results;
            const rows = (last?.rows ?? []).map((row) => row.map((v) => cell(v as string | null)).join('\t'));
            outcomes.push({ kind: 'rows', types: lettersOf((last?.fields ?? []).map((f) => f.dataTypeID)), rows });
          } catch (error) {
            outcomes.push(errorOutcome(error));
          }
        }
        return outcomes;
      } finally {
        await client.end();
      }
    },
  };
}

// ---- postgres.js ----

type UnsafeOptions = postgres.UnsafeQueryOptions & {
  /** Not in postgres.js's types: false forces the extended protocol for a query without parameters. */
  readonly simple: boolean;
};

/**
 * postgres.js: `sql.unsafe(text).raw()` (values as the server's text bytes),
 * through the simple protocol, or the extended one with unnamed or named
 * (prepared) statements.
 */
export function postgresJs(mode: 'simple' | 'unnamed' | 'prepared'): WireClient {
  const prepare = mode === 'prepared';
  return {
    name: `postgres.js-${mode}`,
    async runScript(target, records) {
      // max: 1 so BEGIN/COMMIT in a script stay on one connection; no type fetch at connect.
      const sql = postgres({
        ...target, max: 1, fetch_types: false, prepare, onnotice: () => undefined,
        connection: { TimeZone: 'UTC' },
      });
      const options: UnsafeOptions = { prepare, simple: mode === 'simple' };
      try {
        const outcomes: Outcome[] = [];
        for (const record of records) {
          try {
            const result = lastResult(await sql.unsafe(record.sql, [], options).raw());
            const rows = result.map((row) => row.map((v) => cell(v === null ? null : Buffer.from(v).toString('utf8'))).join('\t'));
            outcomes.push({ kind: 'rows', types: lettersOf((result.columns ?? []).map((c) => c.type)), rows });
          } catch (error) {
            outcomes.push(errorOutcome(error));
          }
        }
        return outcomes;
      } finally {
        await sql.end({ timeout: 5 });
      }
    },
  };
}

/** What `.raw()` gives: rows of raw values, and the columns (null for a command). */
type RawResult = readonly (readonly (Uint8Array | null)[])[] & { readonly columns: readonly { readonly type: number }[] | null };

/**
 * postgres.js resolves a multi-statement simple query to an array of results
 * (plain arrays have no `columns`); slt-runner takes the last.
 */
function lastResult(value: readonly (readonly unknown[])[]): RawResult {
  // The shapes are postgres.js's Result class (src/result.js), which its types do not describe for .raw().
  const results = value as RawResult | readonly RawResult[];
  if ('columns' in results) return results;
  const last = results[results.length - 1];
  if (last === undefined) throw new Error('postgres.js returned no result');
  return last;
}

// ---- psql ----

const fieldSeparator = '\x1f';
const recordSeparator = '\x1e';
const marker = '@@slt-record-end@@';
const markerLine = new RegExp(`^${marker} (\\S+) ?(.*)$`, 'gm');

/**
 * One psql process runs every record: the SQL (its trailing semicolons
 * replaced by one), then `\echo marker :SQLSTATE :LAST_ERROR_MESSAGE`.
 * Unaligned, tuples only, fields and rows split by ASCII unit and record
 * separators, NULL printed as NULL. psql shows no column types.
 */
export function psqlClient(): WireClient {
  return {
    name: 'psql',
    async runScript(target, records) {
      const input = records.map((r) => `${r.sql.replace(/[\s;]+$/, '')}\n;\n\\echo ${marker} :SQLSTATE :LAST_ERROR_MESSAGE\n`).join('');
      const stdout = await runPsql(target, input);
      const outcomes: Outcome[] = [];
      let start = 0;
      for (const match of stdout.matchAll(markerLine)) {
        const output = stdout.slice(start, match.index);
        start = match.index + match[0].length + 1;
        const sqlState = match[1] ?? '';
        if (sqlState !== '00000') {
          outcomes.push({ kind: 'error', sqlState, message: match[2] ?? '' });
          continue;
        }
        // Rows end with a newline after the last one; no rows print nothing.
        const rows = output === '' ? [] : output.replace(/\n$/, '').split(recordSeparator)
          .map((row) => row.split(fieldSeparator).map((v) => (v === '' ? '(empty)' : v)).join('\t'));
        outcomes.push({ kind: 'rows', types: null, rows });
      }
      if (outcomes.length !== records.length) throw new Error(`psql printed ${outcomes.length} record markers for ${records.length} records:\n${stdout}`);
      return outcomes;
    },
  };
}

function runPsql(target: Target, input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('psql', [
      '-X', '-q', '-A', '-t', '-F', fieldSeparator, '-R', recordSeparator, '-P', 'null=NULL', '-v', 'ON_ERROR_STOP=0',
      '-h', target.host, '-p', String(target.port), '-U', target.user, '-d', target.database,
    ], { env: { ...process.env, PGOPTIONS: '-c timezone=UTC', PGCONNECT_TIMEOUT: '10' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => { stdout += c; });
    child.stderr.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`psql exited with ${String(code)}:\n${stderr}`));
      else resolve(stdout);
    });
    child.stdin.end(input);
  });
}
