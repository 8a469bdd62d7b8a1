// Every script in query/testing/sql runs against a fresh in-memory database.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { loadSqlParser } from '../parser/index.js';
import { runSlt } from './slt-runner.js';
import { TestDatabase } from './test-database.js';

const directory = join(fileURLToPath(new URL('.', import.meta.url)), 'sql');
const scripts = readdirSync(directory).filter((f) => f.endsWith('.slt')).sort();

beforeAll(async () => {
  await loadSqlParser();
});

describe('sqllogictest scripts', () => {
  for (const script of scripts) {
    test(script, async () => {
      const outcome = await runSlt(new TestDatabase(), readFileSync(join(directory, script), 'utf8'));
      expect(outcome.failures.join('\n\n')).toBe('');
      expect(outcome.records).toBeGreaterThan(0);
    });
  }
});
