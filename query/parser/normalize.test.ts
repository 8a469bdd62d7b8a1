import fc from 'fast-check';
import { scanSync } from 'libpg-query';
import { beforeAll, describe, expect, test } from 'vitest';
import { decodeString, normalizeForCache, tokenType } from './normalize.js';
import { loadSqlParser, parseSql } from './parse.js';
import { noPositions } from './test-support.js';

beforeAll(async () => {
  await loadSqlParser();
});

const literal = (type: string, field: string, v: string): unknown => ({ kind: 'literal', value: { type, [field]: v } });

describe('normalizeForCache', () => {
  test('the same statement with other constants has the same key', () => {
    const a = normalizeForCache('SELECT abalance FROM pgbench_accounts WHERE aid = 42');
    const b = normalizeForCache('SELECT abalance FROM pgbench_accounts WHERE aid = 7');
    expect(a.key).toBe(b.key);
    expect(a.key).toBe('SELECT abalance FROM pgbench_accounts WHERE aid = $i');
    expect(noPositions(a.literals)).toEqual([literal('integer', 'text', '42')]);
    expect(noPositions(b.literals)).toEqual([literal('integer', 'text', '7')]);
  });

  test('whitespace and comments do not matter; structure, identifiers and constant kinds do', () => {
    const key = (sql: string): string => normalizeForCache(sql).key;
    expect(key('SELECT a FROM t WHERE b = 1')).toBe(key('SELECT  a\nFROM t /* c */ WHERE b=1 -- x'));
    expect(key('SELECT a FROM t WHERE b = 1')).not.toBe(key('SELECT a FROM t WHERE c = 1'));
    expect(key('SELECT a FROM t WHERE b = 1')).not.toBe(key('SELECT a FROM t WHERE b < 1'));
    expect(key('SELECT a FROM t WHERE b = 1')).not.toBe(key("SELECT a FROM t WHERE b = '1'"));
    expect(key('SELECT a FROM t WHERE b = 1')).not.toBe(key('SELECT a FROM t WHERE b = 1.5'));
    expect(key('SELECT a FROM t WHERE b = 1')).not.toBe(key('SELECT a FROM t WHERE b = $1'));
    expect(key('SELECT a FROM t WHERE b = 1')).not.toBe(key('SELECT a FROM t WHERE b = 1 AND c = 2'));
    expect(key('SELECT a FROM t WHERE b = -1')).not.toBe(key('SELECT a FROM t WHERE b = 1'));
  });

  test('literals come out in order: negative numbers folded, strings unquoted', () => {
    const text = "SELECT 'it''s', -5, 1.5, $$x$$, E'a\\nb', B'101', 12345678901 FROM t WHERE a = - 2.5 AND b IN (1, 'x') AND c = 3 - 4";
    const n = normalizeForCache(text);
    expect(noPositions(n.literals)).toEqual([
      literal('string', 'value', "it's"),
      literal('integer', 'text', '-5'),
      literal('numeric', 'text', '1.5'),
      literal('string', 'value', 'x'),
      literal('string', 'value', 'a\nb'),
      literal('bitString', 'text', 'b101'),
      literal('integer', 'text', '12345678901'),
      literal('numeric', 'text', '-2.5'),
      literal('integer', 'text', '1'),
      literal('string', 'value', 'x'),
      literal('integer', 'text', '3'),
      literal('integer', 'text', '4'),
    ]);
    expect(n.literals.map((l) => l.position)).toEqual([
      text.indexOf("'it"), text.indexOf('-5'), text.indexOf('1.5'), text.indexOf('$$'), text.indexOf("E'"), text.indexOf("B'"),
      text.indexOf('1234'), text.indexOf('- 2.5'), text.indexOf('1,'), text.lastIndexOf("'x'"), text.indexOf('3 -'), text.indexOf('4', text.indexOf('3 -')),
    ]);
  });

  test('literals equal what the parser builds for the same text', () => {
    const text = "SELECT -1, 'a''b', 0x1F, 1_000, -2147483648, .5e1 FROM t WHERE x = -7";
    const fromParser = parseSql(text)[0]?.statement;
    const targets = fromParser?.kind === 'select' && fromParser.body.kind === 'selectCore' ? fromParser.body.targets.map((t) => t.expr) : [];
    expect(normalizeForCache(text).literals.slice(0, targets.length)).toEqual(targets);
  });

  test('throws the scanner’s syntax error', () => {
    expect(() => normalizeForCache("SELECT 'abc")).toThrow(expect.objectContaining({ sqlState: '42601', message: 'unterminated quoted string at or near "\'abc"' }));
  });

  test('token numbers match this libpg-query build', () => {
    const types = scanSync("x 1.5 'a' U&'b' B'1' X'2' + 3 $1 :: -- c\n/* d */ ; - ( , [ .").tokens.map((t) => t.tokenType);
    expect(types).toEqual([
      tokenType.ident, tokenType.fconst, tokenType.sconst, tokenType.usconst, tokenType.bconst, tokenType.xconst, 43,
      tokenType.iconst, tokenType.param, tokenType.typecast, tokenType.sqlComment, tokenType.cComment, tokenType.semicolon,
      tokenType.minus, tokenType.leftParen, tokenType.comma, tokenType.leftBracket, tokenType.dot,
    ]);
    expect(scanSync('a->>b').tokens[1]?.tokenType).toBe(tokenType.op);
  });
});

describe('decodeString agrees with PostgreSQL', () => {
  const parsedString = (sql: string): string | undefined => {
    const statement = parseSql(`SELECT ${sql}`)[0]?.statement;
    const target = statement?.kind === 'select' && statement.body.kind === 'selectCore' ? statement.body.targets[0]?.expr : undefined;
    return target?.kind === 'literal' && target.value.type === 'string' ? target.value.value : undefined;
  };
  const fragments = fc.constantFrom('a', 'é', '😀', ' ', "''", '\\\\', "\\'", '\\n', '\\t', '\\b', '\\x41', '\\x7', '\\101', '\\7', '\\u00e9', '\\U0001F600', '\\q', '\\x', '$', '\n');

  test('for E-strings', () => {
    fc.assert(fc.property(fc.array(fragments, { maxLength: 12 }), (parts) => {
      const sql = `E'${parts.join('')}'`;
      const decoded = decodeString(sql);
      if (decoded !== null) expect(decoded).toBe(parsedString(sql));
    }), { numRuns: 300 });
  });

  test('for standard strings, continuations and dollar quotes', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom('a', "''", '\\', 'é', ' ', '$'), { maxLength: 10 }), (parts) => {
      const body = parts.join('');
      expect(decodeString(`'${body}'`)).toBe(parsedString(`'${body}'`));
      expect(decodeString(`'${body}' \n '${body}'`)).toBe(parsedString(`'${body}' \n '${body}'`));
      const dollarBody = body.replaceAll('$', '');
      expect(decodeString(`$q$${dollarBody}$q$`)).toBe(parsedString(`$q$${dollarBody}$q$`));
    }), { numRuns: 200 });
  });
});
