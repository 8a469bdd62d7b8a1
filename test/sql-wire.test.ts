// The sqllogictest scripts of query/testing/sql (expected rows from a real
// PostgreSQL 15) through the PostgreSQL wire protocol of one real server,
// with real clients: node-postgres (simple and extended protocol),
// postgres.js (simple protocol, unnamed and named prepared statements) and
// psql. Each script runs in a database of its own per client (CREATE
// DATABASE), so scripts that create the same tables never meet. psql shows
// no column types, so its type letters are not checked.

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseSlt } from '../query/testing/slt.js';
import { removeDir, startServer, type TestServer } from './helpers/server.js';
import { checkRecord, loadSltScripts, nodePostgres, postgresJs, psqlClient, type Target, type WireClient } from './helpers/slt-wire.js';

const clients: readonly WireClient[] = [nodePostgres('simple'), nodePostgres('extended'), postgresJs('simple'), postgresJs('unnamed'), postgresJs('prepared'), psqlClient()];
const scripts = loadSltScripts();

/**
 * Records a client is known to get wrong, keyed `client script:line`, each
 * with the reason. A skipped record still runs (later records may depend on
 * it) but is not compared; one that now passes fails the test, so this list
 * only shrinks.
 */
const knownFailures: ReadonlyMap<string, string> = new Map<string, string>([
]);

let server: TestServer;
let admin: pg.Client;

beforeAll(async () => {
  server = await startServer({ toml: { storage: 'sync_commit = false' } });
  admin = new pg.Client({ host: '127.0.0.1', port: server.pgPort, user: 'admin', database: 'thunderdb' });
  await admin.connect();
});

afterAll(async () => {
  await admin.end();
  const status = await server.stop();
  removeDir(server.dir);
  expect(status.code).toBe(0);
});

clients.forEach((client, index) => describe(`.slt scripts through ${client.name}`, () => {
  scripts.forEach((script, scriptIndex) => test(script.name, async () => {
    const database = `slt_${index}_${scriptIndex}`;
    await admin.query(`CREATE DATABASE ${database}`);
    const target: Target = { host: '127.0.0.1', port: server.pgPort, user: 'admin', database };
    const outcomes = await client.runScript(target, script.records);
    const failures: string[] = [];
    script.records.forEach((record, i) => {
      const outcome = outcomes[i];
      const failure = outcome === undefined ? `line ${record.line}: no outcome` : checkRecord(record, outcome);
      const known = knownFailures.get(`${client.name} ${script.name}:${record.line}`);
      if (known === undefined && failure !== null) failures.push(failure);
      if (known !== undefined && failure === null) failures.push(`line ${record.line}: passes now; remove it from knownFailures (${known})`);
    });
    expect(failures.join('\n\n')).toBe('');
    expect(outcomes.length).toBe(script.records.length);
  }));
}));

describe('the harness itself', () => {
  // A wrong row, type letter or SQLSTATE must be caught by every client, and NULL, '' and
  // the session after an error must come through as the slt format says.
  const probe = parseSlt([
    'query ITB', "SELECT 1, NULL::text, true UNION ALL SELECT 2, '', false", '----', '1\tNULL\tt', '2\t(empty)\tf', '',
    'statement error 22012', 'SELECT 1/0', '',
    'query T', 'SELECT 1', '----', 'x', '',
    'query I', "SELECT 'a'", '----', 'a', '',
    'statement error 42P01', 'SELECT 1/0', '',
    'statement ok', 'SELECT 1', '',
    // Two statements in one Parse are refused: proves which clients use the extended protocol.
    'statement error 42601', 'SELECT 1; SELECT 2', '',
  ].join('\n'));
  clients.forEach((client, index) => test(client.name, async () => {
    const database = `slt_probe_${index}`;
    await admin.query(`CREATE DATABASE ${database}`);
    const outcomes = await client.runScript({ host: '127.0.0.1', port: server.pgPort, user: 'admin', database }, probe);
    const failures = probe.map((record, i) => checkRecord(record, outcomes[i] ?? { kind: 'error', sqlState: '?', message: 'missing' }));
    expect(failures[0]).toBeNull();
    expect(failures[1]).toBeNull();
    expect(failures[2]).toContain('expected:\n    x\n  got:\n    1');
    if (client.name === 'psql') expect(failures[3]).toBeNull(); // psql shows no types
    else expect(failures[3]).toContain('column types I expected, got T');
    expect(failures[4]).toContain('unexpected error: 22012');
    expect(failures[5]).toBeNull();
    if (['pg-simple', 'postgres.js-simple', 'psql'].includes(client.name)) expect(failures[6]).toContain('expected error 42601, statement succeeded');
    else expect(failures[6]).toBeNull();
  }));
});
