OPS = {}
for t in ['int2', 'int4', 'int8']:
    for op, sym in [('add', '+'), ('sub', '-'), ('mul', '*'), ('div', '/'), ('mod', '%')]:
        OPS['%s_%s' % (t, op)] = '$1::%s %s $2::%s' % (t, sym, t)
    OPS[t + '_neg'] = '-($1::%s)' % t
    OPS[t + '_abs'] = '@($1::%s)' % t
for t in ['float4', 'float8']:
    for op, sym in [('add', '+'), ('sub', '-'), ('mul', '*'), ('div', '/')]:
        OPS['%s_%s' % (t, op)] = '$1::%s %s $2::%s' % (t, sym, t)
OPS['pow'] = 'power($1::float8, $2::float8)'
OPS['sqrt'] = 'sqrt($1::float8)'
OPS['ln'] = 'ln($1::float8)'
OPS['exp'] = 'exp($1::float8)'
OPS['round'] = 'round($1::float8)'
OPS['f4tof8'] = '$1::float4::float8'
OPS['f8tof4'] = '$1::float8::float4'
OPS['fcmp'] = 'case when $1::float8 < $2::float8 then -1 when $1::float8 = $2::float8 then 0 else 1 end'
CASES = []
lim = {'int2': ['32767', '-32768', '1', '-1', '0', '2', '181', '182', '100'], 'int4': ['2147483647', '-2147483648', '1', '-1', '0', '2', '46341', '46340', '65536'], 'int8': ['9223372036854775807', '-9223372036854775808', '1', '-1', '0', '2', '3037000500', '3037000499', '7']}
for t, vals in lim.items():
    for op in ['add', 'sub', 'mul', 'div', 'mod']:
        for a in vals:
            for b in vals:
                CASES.append(('%s_%s' % (t, op), [a, b]))
    for a in vals: CASES.append((t + '_neg', [a])); CASES.append((t + '_abs', [a]))
fv = ['0', '-0', '1', '-1', '1.5', '0.1', '3', '1e308', '-1e308', '1e-308', '4.9e-324', 'NaN', 'Infinity', '-Infinity', '3.4e38', '1e-45', '2']
for t in ['float4', 'float8']:
    for op in ['add', 'sub', 'mul', 'div']:
        for a in fv:
            for b in fv:
                CASES.append(('%s_%s' % (t, op), [a, b]))
for a, b in [('2', '10'), ('0', '-1'), ('-8', '1.0/3'), ('-8', '0.5'), ('-1', 'Infinity'), ('1', 'NaN'), ('NaN', '0'), ('10', '400'), ('10', '-400'), ('0', '0'), ('-2', '3'), ('2', '0.5'), ('-0', '-1'), ('0.5', '-Infinity')]:
    CASES.append(('pow', [a, b]))
for a in ['4', '2', '-1', '0', '-0', 'NaN', 'Infinity', '1e-320']: CASES.append(('sqrt', [a]))
for a in ['1', '0', '-1', '2.718281828459045', 'Infinity', 'NaN']: CASES.append(('ln', [a]))
for a in ['0', '1', '709', '710', '-745', '-746', 'NaN', '-Infinity']: CASES.append(('exp', [a]))
for a in ['0.5', '1.5', '2.5', '-0.5', '-1.5', '-2.5', '0.49999999999999994', '4503599627370497', '-0.0']: CASES.append(('round', [a]))
for a in ['0.1', '3.4028235e38', '16777217', '1e-45']: CASES.append(('f4tof8', [a]))
for a in ['0.1', '3.5e38', '1e-50', '16777217', '1e300', 'NaN', '-Infinity', '1.401298464324817e-45']: CASES.append(('f8tof4', [a]))
for a, b in [('NaN', 'NaN'), ('NaN', 'Infinity'), ('-0', '0'), ('1', '2'), ('Infinity', 'NaN'), ('-Infinity', '-1e308')]: CASES.append(('fcmp', [a, b]))
