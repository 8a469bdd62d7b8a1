import { beforeAll, describe, expect, test } from 'vitest';
import { loadSqlParser } from './parse.js';
import { bin, call, col, core, expr, int, num, param, sqlCall, str, type } from './test-support.js';

beforeAll(async () => {
  await loadSqlParser();
});

describe('literals', () => {
  test('integers keep their text; overflowing int4 stays an integer; hex, underscores and minus fold', () => {
    expect(expr('42')).toEqual(int('42'));
    expect(expr('0')).toEqual(int('0'));
    expect(expr('12345678901')).toEqual(int('12345678901'));
    expect(expr('-2147483648')).toEqual(int('-2147483648'));
    expect(expr('0x1F')).toEqual(int('31'));
    expect(expr('0x1FFFFFFFFF')).toEqual(int('137438953471'));
    expect(expr('1_000')).toEqual(int('1000'));
    expect(expr('- 5')).toEqual(int('-5'));
  });

  test('numerics keep their text without underscores', () => {
    expect(expr('1.5')).toEqual(num('1.5'));
    expect(expr('.5')).toEqual(num('.5'));
    expect(expr('1.5e3')).toEqual(num('1.5e3'));
    expect(expr('-1.5')).toEqual(num('-1.5'));
    expect(expr('1_000.5')).toEqual(num('1000.5'));
  });

  test('strings in every spelling, booleans, NULL, bit strings', () => {
    expect(expr("'it''s'")).toEqual(str("it's"));
    expect(expr("E'a\\tb'")).toEqual(str('a\tb'));
    expect(expr('$$dollar$$')).toEqual(str('dollar'));
    expect(expr("'a'\n'b'")).toEqual(str('ab'));
    expect(expr('true')).toEqual({ kind: 'literal', value: { type: 'boolean', value: true } });
    expect(expr('FALSE')).toEqual({ kind: 'literal', value: { type: 'boolean', value: false } });
    expect(expr('NULL')).toEqual({ kind: 'literal', value: { type: 'null' } });
    expect(expr("B'101'")).toEqual({ kind: 'literal', value: { type: 'bitString', text: 'b101' } });
    expect(expr("X'1F'")).toEqual({ kind: 'literal', value: { type: 'bitString', text: 'x1F' } });
  });

  test('typed literals', () => {
    expect(expr("date '2024-01-01'")).toEqual({ kind: 'typedLiteral', typeName: type(null, 'date'), literal: str('2024-01-01') });
    expect(expr("interval '1 day'")).toEqual({ kind: 'typedLiteral', typeName: type('pg_catalog', 'interval'), literal: str('1 day') });
    expect(expr("interval '1:2' hour to minute")).toEqual({
      kind: 'typedLiteral', typeName: type('pg_catalog', 'interval', { intervalFields: 'hour to minute' }), literal: str('1:2'),
    });
    expect(expr("interval(3) '1 s'")).toMatchObject({ typeName: { name: 'interval', modifiers: [int('3')], intervalFields: null } });
    expect(expr("timestamp(3) with time zone 'now'")).toMatchObject({ typeName: { schema: 'pg_catalog', name: 'timestamptz', modifiers: [int('3')] } });
  });

  test('parameters', () => {
    expect(expr('$3')).toEqual(param(3));
  });
});

describe('references and operators', () => {
  test('column references, qualified and starred', () => {
    expect(expr('a')).toEqual(col('a'));
    expect(expr('s.t.a')).toEqual(col('s', 't', 'a'));
    expect(expr('"Mixed Case"')).toEqual(col('Mixed Case'));
    expect(expr('*')).toEqual({ kind: 'star', qualifier: [] });
    expect(expr('t.*')).toEqual({ kind: 'star', qualifier: ['t'] });
  });

  test('subscripts, slices and field selection', () => {
    expect(expr('a[1]')).toEqual({ kind: 'subscript', arg: col('a'), subscript: { kind: 'index', index: int('1') } });
    expect(expr('a[1:2]')).toEqual({ kind: 'subscript', arg: col('a'), subscript: { kind: 'slice', lower: int('1'), upper: int('2') } });
    expect(expr('a[:3]')).toEqual({ kind: 'subscript', arg: col('a'), subscript: { kind: 'slice', lower: null, upper: int('3') } });
    expect(expr('(r).f')).toEqual({ kind: 'fieldSelect', arg: col('r'), field: 'f' });
  });

  test('unary and binary operators keep their symbols', () => {
    expect(expr('-a')).toEqual({ kind: 'unaryOp', op: '-', operand: col('a') });
    expect(expr('|/ a')).toEqual({ kind: 'unaryOp', op: '|/', operand: col('a') });
    expect(expr('a + b * 2')).toEqual(bin('+', col('a'), bin('*', col('b'), int('2'))));
    expect(expr("j->>'k'")).toEqual(bin('->>', col('j'), str('k')));
    expect(expr('a -> 1')).toEqual(bin('->', col('a'), int('1')));
    expect(expr('a @> b')).toEqual(bin('@>', col('a'), col('b')));
    expect(expr('a || b')).toEqual(bin('||', col('a'), col('b')));
    expect(expr('a <> b')).toEqual(bin('<>', col('a'), col('b')));
    expect(expr('a != b')).toEqual(bin('<>', col('a'), col('b')));
    expect(expr('1 - 5')).toEqual(bin('-', int('1'), int('5')));
  });

  test('AND/OR are n-ary, NOT wraps', () => {
    expect(expr('a AND b AND c OR NOT d')).toEqual({
      kind: 'or', args: [{ kind: 'and', args: [col('a'), col('b'), col('c')] }, { kind: 'not', arg: col('d') }],
    });
  });

  test('IS [NOT] NULL / TRUE / FALSE / UNKNOWN / DISTINCT FROM', () => {
    expect(expr('a IS NULL')).toEqual({ kind: 'nullTest', arg: col('a'), negated: false });
    expect(expr('a IS NOT NULL')).toEqual({ kind: 'nullTest', arg: col('a'), negated: true });
    expect(expr('a ISNULL')).toEqual({ kind: 'nullTest', arg: col('a'), negated: false });
    expect(expr('a IS TRUE')).toEqual({ kind: 'booleanTest', arg: col('a'), test: 'true', negated: false });
    expect(expr('a IS NOT FALSE')).toEqual({ kind: 'booleanTest', arg: col('a'), test: 'false', negated: true });
    expect(expr('a IS UNKNOWN')).toEqual({ kind: 'booleanTest', arg: col('a'), test: 'unknown', negated: false });
    expect(expr('a IS DISTINCT FROM b')).toEqual({ kind: 'distinctFrom', left: col('a'), right: col('b'), negated: false });
    expect(expr('a IS NOT DISTINCT FROM b')).toEqual({ kind: 'distinctFrom', left: col('a'), right: col('b'), negated: true });
  });

  test('BETWEEN [SYMMETRIC], IN lists', () => {
    expect(expr('a BETWEEN 1 AND 2')).toEqual({ kind: 'between', arg: col('a'), low: int('1'), high: int('2'), negated: false, symmetric: false });
    expect(expr('a NOT BETWEEN SYMMETRIC 2 AND 1')).toEqual({ kind: 'between', arg: col('a'), low: int('2'), high: int('1'), negated: true, symmetric: true });
    expect(expr('a IN (1, 2)')).toEqual({ kind: 'inList', arg: col('a'), list: [int('1'), int('2')], negated: false });
    expect(expr('a NOT IN (1)')).toEqual({ kind: 'inList', arg: col('a'), list: [int('1')], negated: true });
  });

  test('LIKE / ILIKE / SIMILAR TO with ESCAPE', () => {
    expect(expr("a LIKE 'x%'")).toEqual({ kind: 'like', caseInsensitive: false, arg: col('a'), pattern: str('x%'), escape: null, negated: false });
    expect(expr("a NOT ILIKE 'y' ESCAPE '!'")).toEqual({ kind: 'like', caseInsensitive: true, arg: col('a'), pattern: str('y'), escape: str('!'), negated: true });
    expect(expr("a SIMILAR TO 'z'")).toEqual({ kind: 'similarTo', arg: col('a'), pattern: str('z'), escape: null, negated: false });
    expect(expr("a NOT SIMILAR TO 'q' ESCAPE '#'")).toEqual({ kind: 'similarTo', arg: col('a'), pattern: str('q'), escape: str('#'), negated: true });
    expect(expr("a ~~ 'b'")).toEqual(bin('~~', col('a'), str('b')));
  });
});

describe('subqueries', () => {
  const sub = { kind: 'select', body: { kind: 'selectCore', targets: [{ expr: int('1') }] } };

  test('EXISTS, scalar, IN, ANY/ALL, ARRAY()', () => {
    expect(expr('EXISTS (SELECT 1)')).toMatchObject({ kind: 'exists', query: sub });
    expect(expr('(SELECT 1)')).toMatchObject({ kind: 'subquery', query: sub });
    expect(expr('a IN (SELECT 1)')).toMatchObject({ kind: 'inSubquery', arg: col('a'), query: sub });
    expect(expr('a NOT IN (SELECT 1)')).toMatchObject({ kind: 'not', arg: { kind: 'inSubquery', arg: col('a'), query: sub } });
    expect(expr('a = ANY (SELECT 1)')).toMatchObject({ kind: 'quantifiedSubquery', op: '=', quantifier: 'any', left: col('a'), query: sub });
    expect(expr('a < ALL (SELECT 1)')).toMatchObject({ kind: 'quantifiedSubquery', op: '<', quantifier: 'all' });
    expect(expr('ARRAY(SELECT 1)')).toMatchObject({ kind: 'arraySubquery', query: sub });
  });

  test('ANY/ALL over arrays', () => {
    expect(expr('a = ANY (ARRAY[1, 2])')).toEqual({
      kind: 'quantifiedArray', op: '=', quantifier: 'any', left: col('a'), array: { kind: 'array', elements: [int('1'), int('2')] },
    });
    expect(expr("a <> ALL ('{1}'::int[])")).toMatchObject({ kind: 'quantifiedArray', op: '<>', quantifier: 'all', array: { kind: 'cast' } });
    expect(expr('a = SOME ($1)')).toMatchObject({ kind: 'quantifiedArray', quantifier: 'any', array: param(1) });
  });
});

describe('conditional, cast and constructor expressions', () => {
  test('CASE, searched and simple', () => {
    expect(expr('CASE WHEN a THEN 1 ELSE 2 END')).toEqual({ kind: 'case', operand: null, whens: [{ condition: col('a'), result: int('1') }], elseResult: int('2') });
    expect(expr("CASE a WHEN 1 THEN 'x' END")).toEqual({ kind: 'case', operand: col('a'), whens: [{ condition: int('1'), result: str('x') }], elseResult: null });
  });

  test('CAST and :: with type modifiers and arrays', () => {
    expect(expr('CAST(a AS numeric(10, 2))')).toEqual({ kind: 'cast', arg: col('a'), syntax: 'cast', typeName: type('pg_catalog', 'numeric', { modifiers: [int('10'), int('2')] }) });
    expect(expr('a::int[]')).toEqual({ kind: 'cast', arg: col('a'), syntax: '::', typeName: type('pg_catalog', 'int4', { arrayBounds: [-1] }) });
    expect(expr('b::varchar(3)[][]')).toMatchObject({ typeName: { name: 'varchar', modifiers: [int('3')], arrayBounds: [-1, -1] } });
    expect(expr('b::double precision')).toMatchObject({ typeName: { schema: 'pg_catalog', name: 'float8' } });
    expect(expr('b::s.my_type')).toMatchObject({ typeName: { schema: 's', name: 'my_type' } });
  });

  test('COALESCE, NULLIF, GREATEST, LEAST', () => {
    expect(expr('COALESCE(a, b, 1)')).toEqual({ kind: 'coalesce', args: [col('a'), col('b'), int('1')] });
    expect(expr('NULLIF(a, b)')).toEqual({ kind: 'nullIf', left: col('a'), right: col('b') });
    expect(expr('GREATEST(a, b)')).toEqual({ kind: 'greatest', args: [col('a'), col('b')] });
    expect(expr('LEAST(1, 2)')).toEqual({ kind: 'least', args: [int('1'), int('2')] });
  });

  test('ARRAY[...] nests; ROW and bare row constructors', () => {
    expect(expr('ARRAY[[1, 2], [3]]')).toEqual({
      kind: 'array', elements: [{ kind: 'array', elements: [int('1'), int('2')] }, { kind: 'array', elements: [int('3')] }],
    });
    expect(expr('ROW(1, a)')).toEqual({ kind: 'row', args: [int('1'), col('a')], explicit: true });
    expect(expr('(1, a)')).toEqual({ kind: 'row', args: [int('1'), col('a')], explicit: false });
  });

  test('COLLATE is kept for the binder', () => {
    expect(expr('a COLLATE "C"')).toEqual({ kind: 'collate', arg: col('a'), collation: ['C'] });
  });

  test('SQL value functions', () => {
    expect(expr('CURRENT_TIMESTAMP')).toEqual({ kind: 'sqlValueFunction', name: 'current_timestamp', precision: null });
    expect(expr('current_timestamp(3)')).toEqual({ kind: 'sqlValueFunction', name: 'current_timestamp', precision: 3 });
    expect(expr('current_date')).toEqual({ kind: 'sqlValueFunction', name: 'current_date', precision: null });
    expect(expr('localtimestamp')).toMatchObject({ name: 'localtimestamp' });
    expect(expr('current_user')).toMatchObject({ name: 'current_user' });
    expect(expr('session_user')).toMatchObject({ name: 'session_user' });
    expect(expr('current_schema')).toMatchObject({ name: 'current_schema' });
    expect(expr('now()')).toEqual(call('now', []));
  });
});

describe('function calls', () => {
  test('plain, qualified, count(*), DISTINCT', () => {
    expect(expr('lower(a)')).toEqual(call('lower', [col('a')]));
    expect(expr('s.f(1)')).toEqual({ ...(call('f', [int('1')]) as object), name: { schema: 's', name: 'f' } });
    expect(expr('count(*)')).toEqual(call('count', [], { star: true }));
    expect(expr('count(DISTINCT a)')).toEqual(call('count', [col('a')], { distinct: true }));
  });

  test('aggregate ORDER BY, FILTER, WITHIN GROUP', () => {
    expect(expr("string_agg(x, ',' ORDER BY y DESC NULLS FIRST)")).toEqual(call('string_agg', [col('x'), str(',')], {
      orderBy: [{ expr: col('y'), direction: 'desc', nulls: 'first' }],
    }));
    expect(expr('sum(x) FILTER (WHERE x > 0)')).toEqual(call('sum', [col('x')], { filter: bin('>', col('x'), int('0')) }));
    expect(expr('percentile_cont(0.5) WITHIN GROUP (ORDER BY x)')).toEqual(call('percentile_cont', [num('0.5')], {
      withinGroup: true, orderBy: [{ expr: col('x'), direction: 'default', nulls: 'default' }],
    }));
  });

  test('OVER with PARTITION BY, ORDER BY and frames', () => {
    expect(expr('sum(x) OVER (PARTITION BY a ORDER BY b ROWS BETWEEN 1 PRECEDING AND UNBOUNDED FOLLOWING)')).toEqual(call('sum', [col('x')], {
      over: {
        kind: 'windowSpec',
        spec: {
          baseWindow: null, partitionBy: [col('a')], orderBy: [{ expr: col('b'), direction: 'default', nulls: 'default' }],
          frame: { mode: 'rows', start: { kind: 'preceding', offset: int('1') }, end: { kind: 'unboundedFollowing' }, exclude: 'noOthers' },
        },
      },
    }));
    expect(expr('row_number() OVER w')).toEqual(call('row_number', [], { over: { kind: 'windowName', name: 'w' } }));
    expect(expr('avg(x) OVER (w RANGE 5 PRECEDING)')).toMatchObject({
      over: { spec: { baseWindow: 'w', frame: { mode: 'range', start: { kind: 'preceding', offset: int('5') }, end: { kind: 'currentRow' } } } },
    });
    expect(expr('max(x) OVER (GROUPS BETWEEN CURRENT ROW AND 2 FOLLOWING EXCLUDE TIES)')).toMatchObject({
      over: { spec: { frame: { mode: 'groups', start: { kind: 'currentRow' }, end: { kind: 'following', offset: int('2') }, exclude: 'ties' } } },
    });
    expect(expr('max(x) OVER (ROWS UNBOUNDED PRECEDING EXCLUDE CURRENT ROW)')).toMatchObject({
      over: { spec: { frame: { start: { kind: 'unboundedPreceding' }, end: { kind: 'currentRow' }, exclude: 'currentRow' } } },
    });
    expect(expr('count(*) OVER ()')).toMatchObject({ over: { kind: 'windowSpec', spec: { baseWindow: null, partitionBy: [], orderBy: [], frame: null } } });
  });

  test('SQL-syntax functions become PostgreSQL’s calls', () => {
    expect(expr('EXTRACT(year FROM d)')).toEqual(sqlCall('extract', [str('year'), col('d')]));
    expect(expr("POSITION('a' IN b)")).toEqual(sqlCall('position', [col('b'), str('a')]));
    expect(expr('SUBSTRING(x FROM 2 FOR 3)')).toEqual(sqlCall('substring', [col('x'), int('2'), int('3')]));
    expect(expr("TRIM(BOTH 'x' FROM y)")).toEqual(sqlCall('btrim', [col('y'), str('x')]));
    expect(expr('TRIM(LEADING FROM y)')).toEqual(sqlCall('ltrim', [col('y')]));
    expect(expr("TRIM(TRAILING 'x' FROM y)")).toEqual(sqlCall('rtrim', [col('y'), str('x')]));
    expect(expr('OVERLAY(a PLACING b FROM 2 FOR 3)')).toEqual(sqlCall('overlay', [col('a'), col('b'), int('2'), int('3')]));
    expect(expr("d AT TIME ZONE 'UTC'")).toEqual(sqlCall('timezone', [str('UTC'), col('d')]));
  });
});

describe('positions', () => {
  test('are 0-based offsets of the construct in the whole input', () => {
    const text = "SELECT t.a, f(1), 'x' FROM s.t";
    const c = core(text);
    const [a, f, x] = c.targets;
    expect(a?.expr).toMatchObject({ kind: 'columnRef', position: 7 });
    expect(f?.expr).toMatchObject({ kind: 'functionCall', position: text.indexOf('f(1)'), args: [{ position: text.indexOf('1)') }] });
    expect(x?.expr).toMatchObject({ kind: 'literal', position: text.indexOf("'x'") });
    expect(c.from[0]).toMatchObject({ kind: 'table', name: { schema: 's', name: 't', position: text.indexOf('s.t') } });
  });

  test('count UTF-16 code units after non-ASCII text, not UTF-8 bytes', () => {
    const text = "SELECT 'é😀', x FROM t";
    const c = core(text);
    expect(c.targets[1]?.expr).toMatchObject({ kind: 'columnRef', position: text.indexOf('x') });
    expect(c.from[0]).toMatchObject({ name: { position: text.indexOf('t', text.indexOf('FROM')) } });
  });
});
