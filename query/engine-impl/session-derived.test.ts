// What a session derives from its settings is cached by settings version:
// the same reportedParameters() map until a setting changes (the protocol
// skips ParameterStatus work by identity), a new one after SET, RESET,
// ROLLBACK of a SET, or the end of SET LOCAL.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { EngineSession } from '../engine.js';
import { openTestEngine, rows, run, type TestEngine } from './testing/harness.js';

let t: TestEngine;
let s: EngineSession;

beforeAll(async () => {
  t = await openTestEngine();
  s = t.session();
});

afterAll(async () => {
  await t.close();
});

test('reportedParameters is the same map until a setting changes', async () => {
  const first = s.reportedParameters();
  await run(s, 'SELECT 1');
  expect(s.reportedParameters()).toBe(first);
  await run(s, "SET TimeZone = 'Europe/Paris'");
  const paris = s.reportedParameters();
  expect(paris).not.toBe(first);
  expect(paris.get('TimeZone')).toBe('Europe/Paris');
  expect(first.get('TimeZone')).not.toBe('Europe/Paris');
  await run(s, 'BEGIN');
  await run(s, "SET LOCAL TimeZone = 'Asia/Tokyo'");
  expect(s.reportedParameters().get('TimeZone')).toBe('Asia/Tokyo');
  await run(s, 'COMMIT');
  expect(s.reportedParameters().get('TimeZone')).toBe('Europe/Paris');
  await run(s, 'BEGIN');
  await run(s, "SET TimeZone = 'UTC'");
  await run(s, 'ROLLBACK');
  expect(s.reportedParameters().get('TimeZone')).toBe('Europe/Paris');
  await run(s, 'RESET TimeZone');
  expect(s.reportedParameters().get('TimeZone')).toBe(first.get('TimeZone'));
});

test('statement_timeout and search_path changes reach the next statement', async () => {
  await run(s, 'CREATE SCHEMA other');
  await run(s, 'CREATE TABLE other.v (id int PRIMARY KEY)');
  await run(s, 'INSERT INTO other.v VALUES (1)');
  await expect(run(s, 'SELECT id FROM v WHERE id = 1')).rejects.toMatchObject({ sqlState: '42P01' });
  await run(s, 'SET search_path = other, public');
  expect(await rows(s, 'SELECT id FROM v WHERE id = 1')).toEqual([[1]]);
  await run(s, "SET statement_timeout = '1ms'");
  expect(await rows(s, 'SHOW statement_timeout')).toEqual([['1ms']]);
  await run(s, 'RESET statement_timeout');
  await run(s, 'RESET search_path');
  await expect(run(s, 'SELECT id FROM v WHERE id = 1')).rejects.toMatchObject({ sqlState: '42P01' });
});
