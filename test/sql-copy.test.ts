// COPY through psql's \copy (COPY FROM STDIN / TO STDOUT on the wire) against
// the real server: BINARY both ways, text and CSV with their options, and
// malformed binary data. Where PostgreSQL is installed, the same commands run
// on a throwaway PostgreSQL 15 cluster and the files and tables must match
// byte for byte.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import postgresJs from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresCluster } from '../bench/support/postgres.js';
import { removeDir, startServer, type TestServer } from './helpers/server.js';

const hasPostgres = existsSync('/usr/lib/postgresql');

interface Target {
  readonly name: string;
  readonly port: number;
  readonly user: string;
  readonly database: string;
}

interface PsqlRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a psql script (meta-commands allowed) on stdin; errors verbose, so they show their SQLSTATE. */
function psql(target: Target, script: string, stopOnError = true): PsqlRun {
  const result = spawnSync('psql', [
    '-X', '-q', '-A', '-t', '-v', `ON_ERROR_STOP=${stopOnError ? 1 : 0}`, '-v', 'VERBOSITY=verbose',
    '-h', '127.0.0.1', '-p', String(target.port), '-U', target.user, '-d', target.database,
  ], { input: script, encoding: 'utf8', env: { ...process.env, PGOPTIONS: '-c timezone=UTC', PGCONNECT_TIMEOUT: '10' }, timeout: 30_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The first ERROR line psql printed (notices come before it). */
function errorLine(run: PsqlRun): string {
  return run.stderr.split('\n').find((l) => l.startsWith('ERROR:')) ?? `no error; stderr: ${run.stderr}`;
}

function psqlOk(target: Target, script: string): string {
  const run = psql(target, script);
  if (run.status !== 0) throw new Error(`psql on ${target.name} failed (${String(run.status)}):\n${run.stderr}\nscript:\n${script}`);
  return run.stdout;
}

/** Every column type query/types encodes in binary, with edge values and NULLs. */
const typesTable = `(
  id int PRIMARY KEY, s smallint, b bigint, r real, d double precision, n numeric(12,3), n2 numeric,
  t text, v varchar(10), c char(4), ok boolean, dt date, tm time, ts timestamp, tz timestamptz, iv interval,
  u uuid, by bytea, j json, jb jsonb, ia int[], ta text[])`;
const typesRows = `
(1, 1, 9007199254740993, 1.5, 0.1, 12.345, 123456789.000000001, 'héllo', 'abc', 'ab', true, '2024-02-29', '12:34:56.789',
 '2024-01-02 03:04:05.678901', '2024-01-02 03:04:05+02', '1 year 2 mons 3 days 04:05:06.7',
 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '\\x00ff10', '{"b": 1,  "a": [1, 2]}', '{"b": 1, "a": [1, 2]}', '{1,NULL,3}', '{"a b",c}'),
(2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
(3, -32768, -9223372036854775808, -0.25, -1e300, -0.5, 0, '', '', '', false, '1999-12-31', '00:00', '1970-01-01 00:00:00',
 '1999-12-31 23:59:59.999999+00', '-1 days', '00000000-0000-0000-0000-000000000000', '\\x', '[]', '{}', '{}', '{{1,2},{3,4}}'),
(4, 32767, 9223372036854775807, 'Infinity', 'NaN', 999999999.999, 'NaN', 'tab\there', 'x', 'abcd', true, '2000-01-01', '23:59:59.999999',
 'infinity', '-infinity', '178000000 years', 'ffffffff-ffff-ffff-ffff-ffffffffffff', '\\xdeadbeef', '"s"', 'null', '{-1}', '{NULL,""}')`;

/** Text values that quoting and escaping must get right. */
const textTable = '(id int PRIMARY KEY, a text, b text)';
const textRows = `
(1, 'plain', 'comma, here'),
(2, 'quote " inside', 'back\\slash'),
(3, E'tab\\tand\\nnewline', E'cr\\rlf'),
(4, '', NULL),
(5, 'NULL', 'NIL?'),
(6, '\\.', 'semi;colon|pipe'),
(7, 'ünïcødé ✓', '''single''')`;

let server: TestServer;
let thunder: Target;
let postgres: PostgresCluster | undefined;
let reference: Target | undefined;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'thunderdb-copy-'));
  server = await startServer({ toml: { storage: 'sync_commit = false' } });
  thunder = { name: 'ThunderDB', port: server.pgPort, user: 'admin', database: 'thunderdb' };
  if (hasPostgres) {
    postgres = await startPostgres({ fsync: 'off', synchronous_commit: 'off' });
    reference = { name: 'PostgreSQL', port: postgres.port, user: 'postgres', database: 'postgres' };
  }
});

afterAll(async () => {
  postgres?.stop();
  await server.stop();
  removeDir(server.dir);
  rmSync(dir, { recursive: true, force: true });
});

/** Both servers, or ThunderDB alone when PostgreSQL is not installed. */
function targets(): Target[] {
  return reference === undefined ? [thunder] : [thunder, reference];
}

function file(name: string): string {
  return join(dir, name);
}

describe('COPY BINARY through psql \\copy', () => {
  it('round-trips every type: \\copy to a file, \\copy from it, same rows', () => {
    const out = file('types.bin');
    psqlOk(thunder, `
      CREATE TABLE bin_types ${typesTable};
      INSERT INTO bin_types VALUES ${typesRows};
      CREATE TABLE bin_types2 ${typesTable};
      \\copy bin_types to '${out}' with (format binary)
      \\copy bin_types2 from '${out}' with (format binary)
    `);
    const original = psqlOk(thunder, 'SELECT * FROM bin_types ORDER BY id');
    expect(original.split('\n').length).toBe(5);
    expect(psqlOk(thunder, 'SELECT * FROM bin_types2 ORDER BY id')).toBe(original);
    // A query's result and a column list, binary too.
    const part = file('part.bin');
    psqlOk(thunder, `
      CREATE TABLE bin_part (id int, t text, ia int[]);
      \\copy (SELECT id, t, ia FROM bin_types WHERE id < 3 ORDER BY id) to '${part}' with (format binary)
      \\copy bin_part (id, t, ia) from '${part}' with (format binary)
    `);
    expect(psqlOk(thunder, 'SELECT id, t, ia FROM bin_part ORDER BY id')).toBe('1|héllo|{1,NULL,3}\n2||\n');
  });

  it.skipIf(!hasPostgres)('writes the bytes PostgreSQL writes, and loads PostgreSQL\'s file', () => {
    const ours = file('ours.bin');
    const theirs = file('theirs.bin');
    psqlOk(thunder, `CREATE TABLE bin_ref ${typesTable}; INSERT INTO bin_ref VALUES ${typesRows};\n\\copy bin_ref to '${ours}' with (format binary)\n`);
    const pg = reference as Target;
    psqlOk(pg, `CREATE TABLE bin_ref ${typesTable}; INSERT INTO bin_ref VALUES ${typesRows};\n\\copy bin_ref to '${theirs}' with (format binary)\n`);
    expect(readFileSync(ours).toString('hex')).toBe(readFileSync(theirs).toString('hex'));
    psqlOk(thunder, `CREATE TABLE bin_from_pg ${typesTable};\n\\copy bin_from_pg from '${theirs}' with (format binary)\n`);
    expect(psqlOk(thunder, 'SELECT * FROM bin_from_pg ORDER BY id')).toBe(psqlOk(pg, 'SELECT * FROM bin_ref ORDER BY id'));
  });

  // Not a malformed stream here: postgres.js's writable() never finishes when the server
  // answers CopyDone with an error (it waits for CommandComplete), against PostgreSQL too.
  it('postgres.js streams COPY BINARY both ways (extended protocol)', async () => {
    const sql = postgresJs({ host: '127.0.0.1', port: server.pgPort, user: 'admin', database: 'thunderdb', max: 1, fetch_types: false, onnotice: () => undefined });
    try {
      await sql.unsafe(`CREATE TABLE js_types ${typesTable}`);
      await sql.unsafe(`INSERT INTO js_types VALUES ${typesRows}`);
      await sql.unsafe(`CREATE TABLE js_types2 ${typesTable}`);
      const chunks: Buffer[] = [];
      for await (const chunk of await sql`COPY js_types TO STDOUT (FORMAT binary)`.readable()) chunks.push(chunk as Buffer);
      const data = Buffer.concat(chunks);
      expect(data.subarray(0, 11).toString('latin1')).toBe('PGCOPY\n\xff\r\n\0');
      await pipeline(Readable.from([data.subarray(0, 7), data.subarray(7, 100), data.subarray(100)]), await sql`COPY js_types2 FROM STDIN (FORMAT binary)`.writable());
      expect(psqlOk(thunder, 'SELECT * FROM js_types2 ORDER BY id')).toBe(psqlOk(thunder, 'SELECT * FROM js_types ORDER BY id'));
      expect(await sql`SELECT count(*)::int AS n FROM js_types2`).toEqual([{ n: 4 }]);
    } finally {
      await sql.end({ timeout: 5 });
    }
  });

  const header = Buffer.from('PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0', 'latin1');
  const int16 = (n: number): Buffer => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
  const int32 = (n: number): Buffer => { const b = Buffer.alloc(4); b.writeInt32BE(n); return b; };
  const goodTuple = Buffer.concat([int16(2), int32(4), int32(1), int32(1), Buffer.from('a')]);
  const malformed: readonly { readonly name: string; readonly data: Buffer; readonly error: string }[] = [
    { name: 'text data', data: Buffer.from('1\ta\n'), error: '22P04: COPY file signature not recognized' },
    { name: 'WITH OIDS flag', data: Buffer.concat([header.subarray(0, 11), int32(1 << 16), int32(0)]), error: '22P04: invalid COPY file header (WITH OIDS)' },
    { name: 'extension cut short', data: Buffer.concat([header.subarray(0, 15), int32(8), Buffer.from('ab')]), error: '22P04: invalid COPY file header (wrong length)' },
    { name: 'wrong field count', data: Buffer.concat([header, goodTuple, int16(3), int32(-1), int32(-1), int32(-1)]), error: '22P04: row field count is 3, expected 2' },
    { name: 'bad field size', data: Buffer.concat([header, goodTuple, int16(2), int32(-7)]), error: '22P04: invalid field size' },
    { name: 'cut tuple', data: Buffer.concat([header, goodTuple, goodTuple.subarray(0, 9)]), error: '22P04: unexpected EOF in COPY data' },
    { name: 'data after the trailer', data: Buffer.concat([header, goodTuple, int16(-1), goodTuple]), error: '22P04: received copy data after EOF marker' },
    { name: 'int4 of 5 bytes', data: Buffer.concat([header, goodTuple, int16(2), int32(5), Buffer.alloc(5), int32(-1)]), error: '22P03: incorrect binary data format' },
    { name: 'int4 of 2 bytes', data: Buffer.concat([header, goodTuple, int16(2), int32(2), Buffer.alloc(2), int32(-1)]), error: '08P01: insufficient data left in message' },
  ];

  it('refuses malformed binary data with PostgreSQL\'s SQLSTATE and loads nothing; the session goes on', () => {
    for (const target of targets()) psqlOk(target, 'CREATE TABLE bin_bad (id int, t text)');
    for (const { name, data, error } of malformed) {
      const path = file(`bad-${name.replace(/\W+/g, '-')}.bin`);
      writeFileSync(path, data);
      for (const target of targets()) {
        const run = psql(target, `\\copy bin_bad from '${path}' with (format binary)\nSELECT count(*) FROM bin_bad;\n`, false);
        expect(`${name} on ${target.name}: ${errorLine(run)}`).toBe(`${name} on ${target.name}: ERROR:  ${error}`);
        expect(run.stdout).toBe('0\n');
        // PostgreSQL says where in CONTEXT, ThunderDB in DETAIL.
        if (name.startsWith('int4')) expect(run.stderr).toContain('COPY bin_bad, line 2, column id');
      }
    }
    // The good tuple alone, with and without the trailer, loads.
    writeFileSync(file('good.bin'), Buffer.concat([header, goodTuple, int16(-1)]));
    writeFileSync(file('good-no-trailer.bin'), Buffer.concat([header, goodTuple]));
    expect(psqlOk(thunder, `\\copy bin_bad from '${file('good.bin')}' with (format binary)\n\\copy bin_bad from '${file('good-no-trailer.bin')}' with (format binary)\nSELECT * FROM bin_bad`))
      .toBe('1|a\n1|a\n');
  });

  it('refuses text options in BINARY mode', () => {
    for (const target of targets()) psqlOk(target, 'CREATE TABLE bin_opt (id int)');
    for (const [options, error] of [
      ['format binary, delimiter \',\'', '42601: cannot specify DELIMITER in BINARY mode'],
      ['format binary, null \'x\'', '42601: cannot specify NULL in BINARY mode'],
      ['format binary, header', '0A000: cannot specify HEADER in BINARY mode'],
    ] as const) {
      for (const target of targets()) {
        const run = psql(target, `\\copy bin_opt to '${file('opt.bin')}' with (${options})\n`, false);
        expect(`${target.name}: ${errorLine(run)}`).toBe(`${target.name}: ERROR:  ${error}`);
      }
    }
  });
});

describe('COPY text and CSV through psql \\copy', () => {
  /** COPY TO options, each written by both servers and compared byte for byte, then read back. */
  const outVariants: readonly string[] = [
    'format text',
    'format text, header',
    "format text, delimiter '|', null 'NIL'",
    'format csv',
    'format csv, header',
    "format csv, header true, delimiter ';', null 'NULL'",
    "format csv, quote '''', escape '\\'",
    'format csv, force_quote *',
    'format csv, force_quote (b)',
    "format csv, delimiter '|', quote '!', escape '~', force_quote (a, b)",
  ];

  it('TO: the files PostgreSQL writes; FROM: those files load back to the same rows', () => {
    for (const target of targets()) psqlOk(target, `CREATE TABLE copy_text ${textTable}; INSERT INTO copy_text VALUES ${textRows};`);
    const original = psqlOk(thunder, 'SELECT * FROM copy_text ORDER BY id');
    outVariants.forEach((options, i) => {
      const ours = file(`out-${i}-thunder.txt`);
      psqlOk(thunder, `\\copy copy_text to '${ours}' with (${options})\n`);
      if (reference !== undefined) {
        const theirs = file(`out-${i}-pg.txt`);
        psqlOk(reference, `\\copy copy_text to '${theirs}' with (${options})\n`);
        expect(`${options}:\n${readFileSync(ours, 'utf8')}`).toBe(`${options}:\n${readFileSync(theirs, 'utf8')}`);
      }
      const inOptions = options.replace(/, force_quote (\*|\([^)]*\))/, '');
      psqlOk(thunder, `CREATE TABLE copy_text_${i} ${textTable};\n\\copy copy_text_${i} from '${ours}' with (${inOptions})\n`);
      expect(`${options}:\n${psqlOk(thunder, `SELECT * FROM copy_text_${i} ORDER BY id`)}`).toBe(`${options}:\n${original}`);
    });
  });

  /** COPY FROM inputs, loaded by both servers; the tables must match (NULL shown as <null>). */
  const inVariants: readonly { readonly options: string; readonly data: string }[] = [
    { options: 'format text', data: '1\tx\t\\N\n2\t\\\\t\\x41\\101\t\\N\n3\ta\\\tb\tlast' },
    { options: 'format text', data: '1\tx\ty\r\n2\ta\\\r\\\nb\t\\N\r\n\\.\r\n' },
    { options: 'format text', data: '1\tx\ty\r2\tz\t\\N\r' },
    { options: 'format csv', data: '1,"multi\r\nline",x\r\n2,,\r\n' },
    { options: 'format text, header match', data: 'id\ta\tb\n1\tx\ty\n' },
    { options: "format text, delimiter ',', null ''", data: '1,,x\n2,a\\,b,\n\\.\n9,ignored,after end\n' },
    { options: 'format csv', data: '1,"a,b",\n2,"",x\n3,"multi\nline","say ""hi"""\n' },
    { options: 'format csv, header', data: 'id,a,b\n1,x,y\n' },
    { options: 'format csv, header match', data: 'id,a,b\n1,x,y\n' },
    { options: "format csv, null 'NULL', delimiter ';'", data: '1;NULL;"NULL"\n2;;x\n' },
    { options: "format csv, quote '''', escape '\\'", data: "1,'it\\'s','a\\\\b'\n" },
    { options: 'format csv, force_not_null (a)', data: '1,,\n2,"",""\n' },
    { options: 'format csv, force_null (a, b)', data: '1,,\n2,"",""\n' },
    { options: 'format csv, force_not_null (a), force_null (b)', data: '1,,\n2,"",""\n' },
  ];

  it('FROM: options and inputs load as they do in PostgreSQL', () => {
    inVariants.forEach(({ options, data }, i) => {
      const path = file(`in-${i}.txt`);
      writeFileSync(path, data);
      const tables = targets().map((target) => {
        psqlOk(target, `CREATE TABLE copy_in_${i} ${textTable};\n\\copy copy_in_${i} from '${path}' with (${options})\n`);
        return psqlOk(target, `SELECT id, coalesce(a, '<null>'), coalesce(b, '<null>') FROM copy_in_${i} ORDER BY id`);
      });
      expect(tables[0]?.length).toBeGreaterThan(0);
      if (tables.length > 1) expect(`${options}:\n${tables[0] ?? ''}`).toBe(`${options}:\n${tables[1] ?? ''}`);
    });
  });

  it('FROM: a bad line fails the whole COPY with PostgreSQL\'s SQLSTATE', () => {
    const cases: readonly { readonly options: string; readonly data: string; readonly error: string }[] = [
      { options: 'format csv', data: '1,x,y\n2,"open\n', error: '22P04: unterminated CSV quoted field' },
      { options: 'format csv, header match', data: 'id,b,a\n1,x,y\n', error: '22P04: column name mismatch in header line field 2: got "b", expected "a"' },
      { options: 'format text', data: '1\tx\ty\n2\tx\n', error: '22P04: missing data for column "b"' },
      { options: 'format text', data: '1\tx\ty\n2\tx\ty\r\n', error: '22P04: literal carriage return found in data' },
      { options: 'format text', data: '1\tx\ty\r\n2\tx\ty\n', error: '22P04: literal newline found in data' },
      { options: 'format csv', data: '1,x,y\r\n2,x,y\n', error: '22P04: unquoted newline found in data' },
      { options: 'format text', data: '1\tx\ty\nz\tx\ty\n', error: '22P02: invalid input syntax for type integer: "z"' },
    ];
    cases.forEach(({ options, data, error }, i) => {
      const path = file(`in-bad-${i}.txt`);
      writeFileSync(path, data);
      for (const target of targets()) {
        const run = psql(target, `CREATE TABLE copy_bad_${i} ${textTable};\n\\copy copy_bad_${i} from '${path}' with (${options})\nSELECT count(*) FROM copy_bad_${i};\n`, false);
        expect(`${target.name}: ${errorLine(run)}`).toBe(`${target.name}: ERROR:  ${error}`);
        expect(run.stdout).toBe('0\n');
      }
    });
  });
});
