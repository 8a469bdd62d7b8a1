import { beforeAll, describe, expect, test } from 'vitest';
import type { Statement } from '../ast/index.js';
import { loadSqlParser } from './parse.js';
import { mapOffset, scanShape } from './shape-scan.js';
import { StatementCache } from './statement-cache.js';

beforeAll(async () => {
  await loadSqlParser();
});

const keyOf = (text: string): string | undefined => scanShape(text)?.key;

describe('scanShape', () => {
  test('texts that differ only in numeric constants share a key', () => {
    const a = scanShape('SELECT abalance FROM pgbench_accounts WHERE aid = 48213;');
    const b = scanShape('SELECT abalance FROM pgbench_accounts WHERE aid = 7;');
    expect(a?.key).toBe(b?.key);
    expect(a?.constants.map((c) => c.text)).toEqual(['48213']);
    expect(b?.constants[0]).toMatchObject({ start: 50, end: 51, minusAt: -1, numeric: false });
  });

  test('the key keeps each constant\'s class: int4, int8, numeric and the magnitudes a minus changes', () => {
    const k = (n: string): string | undefined => keyOf(`SELECT ${n}`);
    expect(k('1')).toBe(k('2147483647'));
    expect(k('0000000000001')).toBe(k('1'));
    expect(k('2147483648')).not.toBe(k('2147483649'));
    expect(k('2147483649')).toBe(k('9223372036854775807'));
    expect(k('9223372036854775808')).not.toBe(k('9223372036854775807'));
    expect(k('9223372036854775809')).toBe(k('1.5'));
    expect(k('1.5')).toBe(k('.5'));
    expect(k('1e5')).toBe(k('1.5'));
    expect(k('1')).not.toBe(k('1.5'));
  });

  test('whitespace runs collapse, but a line break stays one (it joins string constants)', () => {
    expect(keyOf('SELECT  1 ,\t2')).toBe(keyOf('SELECT 1 , 2'));
    expect(keyOf("SELECT 'a'\n'b'")).not.toBe(keyOf("SELECT 'a' 'b'"));
    expect(keyOf('SELECT 1,2')).not.toBe(keyOf('SELECT 1, 2'));
  });

  test('strings and identifiers are part of the key', () => {
    expect(keyOf("SELECT 'a' = 'b'")).not.toBe(keyOf("SELECT 'a' = 'c'"));
    expect(keyOf('SELECT t1.a FROM t1')).not.toBe(keyOf('SELECT t2.a FROM t2'));
    expect(scanShape('SELECT "x""1" FROM t WHERE a = 5')?.constants.map((c) => c.text)).toEqual(['5']);
    expect(scanShape("SELECT 'it''s 5' WHERE a = 6")?.constants.map((c) => c.text)).toEqual(['6']);
  });

  test('a minus before a constant is noted (the grammar may fold it in)', () => {
    const s = scanShape('UPDATE t SET b = b + -42 WHERE a = - 7');
    expect(s?.constants.map((c) => [c.text, c.minusAt])).toEqual([['42', 21], ['7', 35]]);
    expect(scanShape('SELECT a-1 FROM t')?.constants[0]?.minusAt).toBe(8);
    expect(scanShape('SELECT (1) FROM t')?.constants[0]?.minusAt).toBe(-1);
  });

  test('gives up on what only the real lexer should read', () => {
    for (const text of [
      'SELECT 1 -- comment', 'SELECT /* c */ 1', 'SELECT $1', 'SELECT $$x$$', "SELECT E'a\\n'", "SELECT B'101'",
      "SELECT X'1F'", "SELECT U&'d\\0061t'", "SELECT N'x'", 'SELECT 0x1F', 'SELECT 1_000', 'SELECT 1abc',
      'SELECT 1; SELECT 2', "SELECT 'unterminated", "SELECT 'a\\'", 'SELECT 1..2', 'SELECT 1e', 'SELECT \\x',
    ]) {
      expect(scanShape(text), text).toBeNull();
    }
    expect(scanShape('SELECT 1;  ')).not.toBeNull();
  });

  test('maps offsets between texts of one key token by token', () => {
    const a = scanShape('SELECT x / 5 FROM t WHERE y = 123')!;
    const b = scanShape('SELECT x / 12345 FROM t WHERE y = 1')!;
    expect(a.key).toBe(b.key);
    expect(mapOffset(a, b, 'SELECT x / 5 FROM t WHERE '.length)).toBe('SELECT x / 12345 FROM t WHERE '.length);
    expect(mapOffset(a, b, 'SELECT x / '.length)).toBe('SELECT x / '.length);
    expect(mapOffset(a, b, 'SELECT x / 5 FROM t WHERE y = '.length)).toBe('SELECT x / 12345 FROM t WHERE y = '.length);
  });
});

/** The constants a template kept as literals (pinned), in text order. */
function literalTexts(statement: Statement): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === 'object' && v !== null) {
      const node = v as Record<string, unknown>;
      const value = node['value'] as { type?: string; text?: string } | undefined;
      if (node['kind'] === 'literal' && value?.text !== undefined) out.push(value.text);
      Object.values(node).forEach(walk);
    }
  };
  walk(statement);
  return out;
}

describe('StatementCache.shape', () => {
  const cache = (): StatementCache => new StatementCache({ entriesMax: 100, normalizeLiterals: false });

  test('one tree per shape; constants become typed parameters in order', () => {
    const c = cache();
    const a = c.shape('SELECT abalance FROM pgbench_accounts WHERE aid = 48213');
    const b = c.shape('SELECT abalance FROM pgbench_accounts WHERE aid = 7');
    expect(a).not.toBeNull();
    expect(b?.statement).toBe(a?.statement);
    expect(b?.parameters).toEqual([{ kind: 'literal', value: { type: 'integer', text: '7' }, position: 50 }]);
    expect(c.stats).toMatchObject({ shapeHits: 1, shapeMisses: 1 });
    expect(literalTexts(a!.statement)).toEqual([]);
  });

  test('a folded minus is part of the parameter', () => {
    const c = cache();
    c.shape('UPDATE pgbench_accounts SET abalance = abalance + -4178 WHERE aid = 93322');
    const s = c.shape('UPDATE pgbench_accounts SET abalance = abalance + -12 WHERE aid = 5');
    expect(s?.parameters.map((p) => p.value)).toEqual([{ type: 'integer', text: '-12' }, { type: 'integer', text: '5' }]);
    const n = c.shape('SELECT 2 - 1.5');
    expect(n?.parameters.map((p) => p.value)).toEqual([{ type: 'integer', text: '2' }, { type: 'numeric', text: '1.5' }]);
  });

  test('ordinals, LIMIT/OFFSET, type modifiers and cast operands stay literals and pin the template', () => {
    const c = cache();
    const s = c.shape('SELECT a::numeric(10, 2), 5::int2, a + 1 FROM t WHERE b > 3 GROUP BY 1, 2 ORDER BY 1 DESC LIMIT 10 OFFSET 4');
    expect(s?.parameters.map((p) => p.value)).toEqual([{ type: 'integer', text: '1' }, { type: 'integer', text: '3' }]);
    expect(literalTexts(s!.statement)).toEqual(['10', '2', '5', '1', '2', '1', '10', '4']);
    // Another ordinal is another statement: the pinned template does not serve it.
    expect(c.shape('SELECT a::numeric(10, 2), 5::int2, a + 1 FROM t WHERE b > 3 GROUP BY 1, 2 ORDER BY 2 DESC LIMIT 10 OFFSET 4')).toBeNull();
    const t = c.shape('SELECT a::numeric(10, 2), 5::int2, a + 7 FROM t WHERE b > 9 GROUP BY 1, 2 ORDER BY 1 DESC LIMIT 10 OFFSET 4');
    expect(t?.statement).toBe(s?.statement);
    expect(t?.parameters.map((p) => p.value)).toEqual([{ type: 'integer', text: '7' }, { type: 'integer', text: '9' }]);
  });

  test('a constant the tree does not hold as a literal is pinned (float(24) chooses float4)', () => {
    const c = cache();
    const s = c.shape('SELECT a::float(24) FROM t');
    expect(s?.parameters).toEqual([]);
    expect(c.shape('SELECT a::float(25) FROM t')).toBeNull();
  });

  test('only SELECT, INSERT, UPDATE and DELETE are templated; parse errors are left to parse()', () => {
    const c = cache();
    expect(c.shape('EXPLAIN SELECT 1')).toBeNull();
    expect(c.shape('SET statement_timeout = 5')).toBeNull();
    expect(c.shape('SELEC 1')).toBeNull();
    expect(c.shape('INSERT INTO t VALUES (1, 2.5)')?.parameters.length).toBe(2);
    expect(c.shape('DELETE FROM t WHERE a = 1')?.parameters.length).toBe(1);
  });
});

describe('StatementCache.shape after a parse error', () => {
  test('the key takes the ordinary path from then on; parse() reports the error', () => {
    const c = new StatementCache({ entriesMax: 100, normalizeLiterals: false });
    expect(c.shape('SELECT 1 +')).toBeNull();
    expect(c.shape('SELECT 2 +')).toBeNull();
    expect(c.stats).toMatchObject({ shapeMisses: 1, shapeHits: 1 });
    expect(() => c.parse('SELECT 2 +')).toThrow(/syntax error/);
  });
});
