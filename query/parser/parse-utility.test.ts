import { beforeAll, describe, expect, test } from 'vitest';
import { loadSqlParser } from './parse.js';
import { col, int, noPositions, num, one, param, str } from './test-support.js';

beforeAll(async () => {
  await loadSqlParser();
});

const noModes = { isolationLevel: null, readOnly: null, deferrable: null };

describe('transactions', () => {
  test('BEGIN / START TRANSACTION with modes', () => {
    expect(one('BEGIN')).toEqual({ kind: 'begin', options: noModes });
    expect(one('BEGIN ISOLATION LEVEL SERIALIZABLE, READ ONLY, DEFERRABLE')).toEqual({
      kind: 'begin', options: { isolationLevel: 'serializable', readOnly: true, deferrable: true },
    });
    expect(one('START TRANSACTION READ WRITE ISOLATION LEVEL REPEATABLE READ')).toEqual({
      kind: 'begin', options: { isolationLevel: 'repeatable read', readOnly: false, deferrable: null },
    });
    expect(one('BEGIN TRANSACTION ISOLATION LEVEL READ UNCOMMITTED NOT DEFERRABLE')).toEqual({
      kind: 'begin', options: { isolationLevel: 'read uncommitted', readOnly: null, deferrable: false },
    });
  });

  test('COMMIT / END / ROLLBACK / ABORT, AND CHAIN', () => {
    expect(one('COMMIT')).toEqual({ kind: 'commit', chain: false });
    expect(one('END')).toEqual({ kind: 'commit', chain: false });
    expect(one('COMMIT AND CHAIN')).toEqual({ kind: 'commit', chain: true });
    expect(one('ROLLBACK')).toEqual({ kind: 'rollback', chain: false });
    expect(one('ABORT')).toEqual({ kind: 'rollback', chain: false });
  });

  test('savepoints', () => {
    expect(one('SAVEPOINT s')).toEqual({ kind: 'savepoint', name: 's' });
    expect(one('ROLLBACK TO SAVEPOINT s')).toEqual({ kind: 'rollbackToSavepoint', name: 's' });
    expect(one('ROLLBACK TO s')).toEqual({ kind: 'rollbackToSavepoint', name: 's' });
    expect(one('RELEASE SAVEPOINT s')).toEqual({ kind: 'releaseSavepoint', name: 's' });
    expect(one('RELEASE s')).toEqual({ kind: 'releaseSavepoint', name: 's' });
  });
});

describe('SET / SHOW / RESET', () => {
  test('SET [SESSION | LOCAL] name = value / TO value', () => {
    expect(noPositions(one('SET search_path TO public, "My Schema"'))).toEqual({
      kind: 'set', name: 'search_path', value: { kind: 'values', values: [str('public'), str('My Schema')] }, local: false,
    });
    expect(noPositions(one('SET LOCAL statement_timeout = 5000'))).toEqual({ kind: 'set', name: 'statement_timeout', value: { kind: 'values', values: [int('5000')] }, local: true });
    expect(noPositions(one('SET SESSION x.y = 1.5'))).toMatchObject({ name: 'x.y', value: { values: [num('1.5')] }, local: false });
    expect(noPositions(one("SET application_name = 'pgbench'"))).toMatchObject({ value: { values: [str('pgbench')] } });
    expect(noPositions(one('SET enable_seqscan = off'))).toMatchObject({ value: { values: [str('off')] } });
    expect(one('SET x TO DEFAULT')).toEqual({ kind: 'set', name: 'x', value: { kind: 'default' }, local: false });
    expect(noPositions(one("SET NAMES 'UTF8'"))).toMatchObject({ name: 'client_encoding' });
  });

  test('SET TIME ZONE', () => {
    expect(noPositions(one("SET TIME ZONE 'UTC'"))).toEqual({ kind: 'set', name: 'timezone', value: { kind: 'values', values: [str('UTC')] }, local: false });
    expect(noPositions(one('SET TIME ZONE -7'))).toMatchObject({ name: 'timezone', value: { values: [int('-7')] } });
    expect(one('SET TIME ZONE LOCAL')).toEqual({ kind: 'set', name: 'timezone', value: { kind: 'default' }, local: false });
  });

  test('SET TRANSACTION and SET SESSION CHARACTERISTICS', () => {
    expect(one('SET TRANSACTION ISOLATION LEVEL READ COMMITTED')).toEqual({
      kind: 'setTransaction', scope: 'transaction', options: { ...noModes, isolationLevel: 'read committed' },
    });
    expect(one('SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY')).toEqual({
      kind: 'setTransaction', scope: 'session', options: { ...noModes, readOnly: true },
    });
  });

  test('SHOW and RESET', () => {
    expect(one('SHOW search_path')).toEqual({ kind: 'show', name: 'search_path' });
    expect(one('SHOW ALL')).toEqual({ kind: 'show', name: 'all' });
    expect(one('SHOW TIME ZONE')).toEqual({ kind: 'show', name: 'timezone' });
    expect(one('SHOW TRANSACTION ISOLATION LEVEL')).toEqual({ kind: 'show', name: 'transaction_isolation' });
    expect(one('RESET x')).toEqual({ kind: 'reset', name: 'x' });
    expect(one('RESET ALL')).toEqual({ kind: 'reset', name: null });
  });
});

describe('EXPLAIN', () => {
  test('bare, ANALYZE VERBOSE, and the parenthesised option list', () => {
    expect(one('EXPLAIN SELECT 1')).toMatchObject({ kind: 'explain', analyze: false, verbose: false, format: 'text', options: [], statement: { kind: 'select' } });
    expect(one('EXPLAIN ANALYZE VERBOSE SELECT 1')).toMatchObject({ analyze: true, verbose: true });
    expect(noPositions(one('EXPLAIN (ANALYZE false, VERBOSE, FORMAT JSON, COSTS off, BUFFERS) UPDATE t SET a = 1'))).toMatchObject({
      analyze: false, verbose: true, format: 'json', options: [{ name: 'costs', value: 'off' }, { name: 'buffers', value: null }],
      statement: { kind: 'update' },
    });
    expect(one('EXPLAIN EXECUTE p(1)')).toMatchObject({ statement: { kind: 'execute', name: 'p' } });
  });
});

describe('COPY', () => {
  const defaults = {
    format: 'text', header: false, delimiter: null, null: null, default: null, quote: null, escape: null,
    forceQuote: null, forceNotNull: null, forceNull: null, freeze: false, encoding: null,
  };

  test('FROM STDIN with a column list and every option', () => {
    const copy = one("COPY t (a, b) FROM STDIN WITH (FORMAT csv, HEADER true, DELIMITER ',', NULL '', QUOTE '\"', ESCAPE '\\', "
      + "FORCE_NOT_NULL (a), FORCE_NULL *, ENCODING 'UTF8', DEFAULT '\\D')");
    expect(noPositions(copy)).toEqual({
      kind: 'copy', direction: 'from', where: null,
      source: { kind: 'table', table: { schema: null, name: 't' }, columns: ['a', 'b'] },
      options: {
        ...defaults, format: 'csv', header: true, delimiter: ',', null: '', quote: '"', escape: '\\',
        forceNotNull: { kind: 'columns', columns: ['a'] }, forceNull: { kind: 'all' }, encoding: 'UTF8', default: '\\D',
      },
    });
  });

  test('TO STDOUT from a query; old-style options; HEADER MATCH; FORCE_QUOTE', () => {
    expect(one('COPY (SELECT 1) TO STDOUT WITH (FORMAT binary)')).toMatchObject({ direction: 'to', source: { kind: 'query', query: { kind: 'select' } }, options: { format: 'binary' } });
    expect(one("COPY t TO STDOUT WITH CSV HEADER DELIMITER ';' FORCE QUOTE *")).toMatchObject({
      options: { format: 'csv', header: true, delimiter: ';', forceQuote: { kind: 'all' } },
    });
    expect(one('COPY t FROM STDIN BINARY')).toMatchObject({ options: { format: 'binary' } });
    expect(one('COPY t TO STDOUT (FORCE_QUOTE (a, b), HEADER match)')).toMatchObject({
      options: { forceQuote: { kind: 'columns', columns: ['a', 'b'] }, header: 'match' },
    });
    expect(noPositions(one('COPY t FROM STDIN WHERE a > 1'))).toMatchObject({ where: { kind: 'binaryOp', op: '>', left: col('a') } });
  });
});

describe('maintenance and session statements', () => {
  test('VACUUM and ANALYZE', () => {
    expect(noPositions(one('VACUUM (FULL, VERBOSE) t (a, b), u'))).toEqual({
      kind: 'vacuum', command: 'vacuum', options: [{ name: 'full', value: null }, { name: 'verbose', value: null }],
      tables: [{ table: { schema: null, name: 't' }, columns: ['a', 'b'] }, { table: { schema: null, name: 'u' }, columns: [] }],
    });
    expect(one('ANALYZE')).toEqual({ kind: 'vacuum', command: 'analyze', options: [], tables: [] });
    expect(one('ANALYZE t')).toMatchObject({ command: 'analyze', tables: [{ table: { name: 't' } }] });
  });

  test('PREPARE / EXECUTE / DEALLOCATE', () => {
    expect(noPositions(one('PREPARE p (int, text) AS SELECT $1'))).toMatchObject({
      kind: 'prepare', name: 'p', paramTypes: [{ schema: 'pg_catalog', name: 'int4' }, { schema: null, name: 'text' }],
      statement: { kind: 'select', body: { targets: [{ expr: param(1) }] } },
    });
    expect(noPositions(one("EXECUTE p (1, 'x')"))).toEqual({ kind: 'execute', name: 'p', params: [int('1'), str('x')] });
    expect(one('DEALLOCATE p')).toEqual({ kind: 'deallocate', name: 'p' });
    expect(one('DEALLOCATE PREPARE p')).toEqual({ kind: 'deallocate', name: 'p' });
    expect(one('DEALLOCATE ALL')).toEqual({ kind: 'deallocate', name: null });
  });

  test('DISCARD, LISTEN, NOTIFY, UNLISTEN', () => {
    expect(one('DISCARD ALL')).toEqual({ kind: 'discard', target: 'all' });
    expect(one('DISCARD PLANS')).toEqual({ kind: 'discard', target: 'plans' });
    expect(one('DISCARD TEMP')).toEqual({ kind: 'discard', target: 'temp' });
    expect(one('LISTEN c')).toEqual({ kind: 'listen', channel: 'c' });
    expect(one("NOTIFY c, 'payload'")).toEqual({ kind: 'notify', channel: 'c', payload: 'payload' });
    expect(one('NOTIFY c')).toEqual({ kind: 'notify', channel: 'c', payload: null });
    expect(one('UNLISTEN c')).toEqual({ kind: 'unlisten', channel: 'c' });
    expect(one('UNLISTEN *')).toEqual({ kind: 'unlisten', channel: null });
  });
});
