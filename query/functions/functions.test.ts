// Direct checks of function-library pieces whose PostgreSQL behaviour is easy
// to get subtly wrong: LIKE and SIMILAR TO translation, to_char templates,
// jsonb containment, string edge cases, and the registry's coverage.

import { describe, expect, test } from 'vitest';
import { parseJsonb } from '../types/json.js';
import { Decimal } from '../types/numeric/decimal.js';
import { jsonbContains } from './json-functions.js';
import { likePatternToRegExp } from './like.js';
import { aggregateOverloads, scalarOverloads, tableFunctionOverloads, windowOverloads } from './registry.js';
import { similarToRegex } from './similar-to.js';
import { substringChars } from './string-functions.js';
import { formatDateTime, formatNumber } from './to-char.js';

describe('LIKE', () => {
  test.each([
    ['abc', 'a%', true], ['abc', 'a_c', true], ['abc', '_', false], ['a\nb', 'a%b', true], ['a%', 'a\\%', true],
    ['ax', 'a\\%', false], ['(x)', '(%)', true], ['a.c', 'a.c', true], ['abc', 'a.c', false],
  ])('%j LIKE %j is %s', (text, pattern, expected) => {
    expect(likePatternToRegExp(pattern, false).test(text)).toBe(expected);
  });

  test('custom and empty escapes; a trailing escape is 22025', () => {
    expect(likePatternToRegExp('a#_', false, '#').test('a_')).toBe(true);
    expect(likePatternToRegExp('a\\%', false, '').test('a\\x')).toBe(true);
    expect(() => likePatternToRegExp('a\\', false)).toThrow(expect.objectContaining({ sqlState: '22025' }) as Error);
  });
});

describe('SIMILAR TO', () => {
  test('translates to an anchored POSIX pattern', () => {
    expect(similarToRegex('a%|b_', '\\')).toBe('^(?:a.*|b.)$');
    expect(similarToRegex('a.b', '\\')).toBe('^(?:a\\.b)$');
    expect(new RegExp(similarToRegex('[a-c]+x?', '\\'), 'u').test('abcx')).toBe(true);
  });
});

describe('to_char', () => {
  const fields = { year: 2024, month: 3, day: 5, hour: 0, minute: 7, second: 9, micros: 120000, zone: 'UTC', offsetSeconds: 0 };
  test.each([
    ['YYYY-MM-DD HH24:MI:SS.MS', '2024-03-05 00:07:09.120'], ['HH12 AM', '12 AM'], ['Day, DD Month', 'Tuesday  , 05 March    '],
    ['FMDay FMMonth FMDDth', 'Tuesday March 5th'], ['"week" IW, "quarter" Q', 'week 10, quarter 1'], ['DDD J', '065 2460375'],
  ])('%s', (template, expected) => {
    expect(formatDateTime(fields, template)).toBe(expected);
  });

  test.each([
    [Decimal.of(12345n, 2), '9999.99', '  123.45'], [Decimal.of(-5n, 0), '999', '  -5'], [Decimal.of(123456n, 0), '999', ' ###'],
    [Decimal.of(1234567n, 1), '9,999,999.9', '   123,456.7'], [Decimal.of(5n, 1), 'FM0.99', '0.5'], [Decimal.of(42n, 0), 'S999', ' +42'],
  ])('%s with %j', (value, template, expected) => {
    expect(formatNumber(value, template)).toBe(expected);
  });
});

describe('jsonb containment', () => {
  const j = (s: string): ReturnType<typeof parseJsonb>['root'] => parseJsonb(s).root;
  test.each([
    ['{"a": 1, "b": [1, 2]}', '{"b": [2]}', true], ['{"a": 1}', '{"a": 1, "b": 2}', false], ['[1, [2, 3]]', '[[3]]', true],
    ['[1, 2]', '1', true], ['1', '[1]', false], ['{"a": {"b": 1}}', '{"a": {}}', true], ['[{"a": 1}]', '[{}]', true], ['"x"', '"x"', true],
    ['{"n": 1.0}', '{"n": 1}', true],
  ])('%s @> %s is %s', (a, b, expected) => {
    expect(jsonbContains(j(a), j(b))).toBe(expected);
  });
});

describe('strings', () => {
  test('substring counts characters and clamps a start before 1', () => {
    expect(substringChars('héllo😀x', 5, 2)).toBe('o😀');
    expect(substringChars('hello', -1, 3)).toBe('h');
    expect(() => substringChars('x', 1, -1)).toThrow(expect.objectContaining({ sqlState: '22011' }) as Error);
  });
});

describe('registry', () => {
  test('has every function the SQL surface promises', () => {
    const scalars = ['lower', 'upper', 'length', 'char_length', 'substring', 'substr', 'position', 'strpos', 'replace', 'btrim', 'ltrim', 'rtrim',
      'concat', 'concat_ws', 'left', 'right', 'repeat', 'lpad', 'rpad', 'split_part', 'initcap', 'md5', 'abs', 'round', 'ceil', 'ceiling', 'floor',
      'trunc', 'mod', 'power', 'sqrt', 'exp', 'ln', 'log', 'sign', 'random', 'now', 'transaction_timestamp', 'clock_timestamp', 'date_trunc',
      'extract', 'date_part', 'age', 'to_char', 'make_date', 'version', 'current_database', 'current_schema', 'current_setting', 'gen_random_uuid',
      'array_length', 'array_position', 'string_to_array', 'array_to_string', 'jsonb_build_object', 'json_build_object', 'to_json', 'to_jsonb'];
    expect(scalars.filter((name) => scalarOverloads(name).length === 0)).toEqual([]);
    expect(['count', 'sum', 'avg', 'min', 'max', 'string_agg', 'array_agg', 'bool_and', 'bool_or', 'every'].filter((n) => aggregateOverloads(n).length === 0)).toEqual([]);
    expect(['row_number', 'rank', 'dense_rank', 'lag', 'lead', 'first_value', 'last_value'].filter((n) => windowOverloads(n).length === 0)).toEqual([]);
    expect(['generate_series', 'unnest'].filter((n) => tableFunctionOverloads(n).length === 0)).toEqual([]);
  });
});
