import random
random.seed(42)
OPS = {
  'add': '$1::numeric + $2::numeric', 'sub': '$1::numeric - $2::numeric', 'mul': '$1::numeric * $2::numeric',
  'div': '$1::numeric / $2::numeric', 'mod': '$1::numeric % $2::numeric', 'divtrunc': 'div($1::numeric, $2::numeric)',
  'round': 'round($1::numeric, $2::int)', 'trunc': 'trunc($1::numeric, $2::int)', 'round0': 'round($1::numeric)',
  'ceil': 'ceil($1::numeric)', 'floor': 'floor($1::numeric)', 'abs': 'abs($1::numeric)', 'sign': 'sign($1::numeric)',
  'sqrt': 'sqrt($1::numeric)', 'power': 'power($1::numeric, $2::numeric)', 'ln': 'ln($1::numeric)',
  'exp': 'exp($1::numeric)', 'log10': 'log($1::numeric)', 'log': 'log($1::numeric, $2::numeric)', 'neg': '-($1::numeric)',
  'cmp': 'case when $1::numeric < $2::numeric then -1 when $1::numeric = $2::numeric then 0 else 1 end',
  'avg_int': '(select avg(x) from unnest($1::int[]) x)',
  'to_int4': '$1::numeric::int4', 'to_int8': '$1::numeric::int8', 'to_int2': '$1::numeric::int2',
  'to_float8': '$1::numeric::float8', 'to_float4': '$1::numeric::float4',
}
def rnd():
    kind = random.random()
    if kind < 0.1: return random.choice(['0', '1', '-1', '0.00', 'NaN', 'Infinity', '-Infinity', '10000', '0.0001', '9999.9999'])
    ip = str(random.randint(0, 10 ** random.randint(0, 25)))
    sc = random.randint(0, 12)
    fp = ''.join(random.choice('0123456789') for _ in range(sc))
    s = ip + ('.' + fp if sc else '')
    if random.random() < 0.2: s = '0.' + '0' * random.randint(0, 10) + ip
    return ('-' if random.random() < 0.4 else '') + s
CASES = []
fixed = [('1','3'),('2','3'),('1','7'),('10','4'),('1.5','2'),('0','5'),('5','0'),('0','0'),('NaN','0'),('Infinity','0'),('Infinity','Infinity'),('1','Infinity'),('-Infinity','2'),('123.456','-0.01'),('1e20','3'),('1','1e20'),('0.0000001','3'),('99999999999999999999','0.000001'),('-7','2'),('7','-2'),('-7.5','2'),('1.00','1.0'),('NaN','NaN'),('Infinity','-Infinity')]
for op in ['add','sub','mul','div','mod','divtrunc','cmp']:
    for a, b in fixed: CASES.append((op, [a, b]))
    for _ in range(60): CASES.append((op, [rnd(), rnd()]))
for op in ['round','trunc']:
    for a in ['1.5','2.5','-1.5','-2.5','1.45','123.456','0.5','-0.5','999.999','NaN','Infinity','0.000']:
        for s in ['0','1','2','-1','-2','5']: CASES.append((op, [a, s]))
    for _ in range(40): CASES.append((op, [rnd(), str(random.randint(-5, 8))]))
for op in ['round0','ceil','floor','abs','sign','neg','to_int4','to_int8','to_int2','to_float8','to_float4']:
    for a in ['1.5','2.5','-1.5','-2.5','0','-0.0','1.4999','NaN','Infinity','-Infinity','2147483647.4','2147483647.5','-2147483648.5','32767.5','9223372036854775807.4','9223372036854775807.5','0.1','1e400','123.456789012345678901234567890']:
        CASES.append((op, [a]))
    for _ in range(20): CASES.append((op, [rnd()]))
for a in ['0','1','2','4','0.0','0.25','100','1e-10','2e-20','1e100','123456789','0.5','NaN','Infinity','-1','-Infinity','15241578750190521','0.00000000000000000001','10000','99.99']:
    CASES.append(('sqrt', [a]))
for _ in range(40): CASES.append(('sqrt', [rnd().lstrip('-')]))
pw = [('2','10'),('2','-2'),('2','0'),('0','0'),('0','-1'),('-2','3'),('-2','0.5'),('1.5','2'),('1.5','3'),('10','-3'),('2','0.5'),('2','1.5'),('10','0.1'),('0.5','0.5'),('1.1','100'),('3','-0.5'),('NaN','0'),('1','NaN'),('Infinity','2'),('-Infinity','3'),('-Infinity','2'),('0.5','Infinity'),('2','-Infinity'),('-1','Infinity'),('1.000001','1000000'),('9','0.5'),('2.5','2.5'),('0','2.5'),('1e-5','3'),('12.34','-1'),('7','1'),('-3','-3'),('10','20'),('2','100')]
for a, b in pw: CASES.append(('power', [a, b]))
for a in ['1','2','10','0.5','100','1e10','1e-10','2.718281828459045','0','-1','NaN','Infinity','1.000001','0.999','123456.789']:
    CASES.append(('ln', [a])); CASES.append(('log10', [a]))
for a in ['0','1','-1','2','10','0.5','100','-100','1.5','-0.001','NaN','Infinity','-Infinity','700','-700','5000','-5000','0.000001']:
    CASES.append(('exp', [a]))
for a, b in [('2','8'),('10','1000'),('2','3'),('0.5','4'),('1','2'),('10','0.001'),('3','3')]:
    CASES.append(('log', [a, b]))
for arr in ['{1,2}','{1,2,3}','{1,2,3,4}','{-1,5}','{100,200,301}','{1}','{7,7,7}','{2147483647,2147483647}','{1,1,1,1,1,1,2}']:
    CASES.append(('avg_int', [arr]))
for a, b in [('1.0000001', '100000000'), ('-1.0000001', '99999999'), ('1.0000001', '-100000000'), ('0.99', '1000'), ('1.5', '2000'), ('1.00000000000000000001', '100000'), ('123.456', '-7'), ('0.5', '-60'), ('9.99', '200'), ('2', '-2147483648'), ('1', '2147483647'), ('-1', '2147483647'), ('0.1', '2147483647'), ('10', '2147483647'), ('3', '2147483648')]:
    CASES.append(('power', [a, b]))
