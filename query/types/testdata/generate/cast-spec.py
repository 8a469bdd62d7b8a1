OPS = {'explicit': '$2::$1::$3', 'assignment': "try_assign($1, $2, $3)"}
# explicit template: value::from::to  (args: from, value, to) -> need literal types unquoted
CASES = []
def ex(f, v, t): CASES.append(('explicit', [f, v, t]))
def asg(f, v, t): CASES.append(('assignment', [f, v, t]))
ints = ['int2','int4','int8']
for f in ints:
    for t in ints + ['float4','float8','numeric','text','varchar(3)','bool']:
        for v in ['0','1','-1','32767','-32768','2147483647','-2147483648','123456']:
            ex(f, v, t)
for f in ['float4','float8']:
    for t in ['int2','int4','int8','numeric','float4','float8','text','numeric(5,2)']:
        for v in ['0','-0','0.5','1.5','2.5','-2.5','-0.5','0.1','1e10','1e20','3.4e38','1e300','NaN','Infinity','-Infinity','123.456','2147483647.5','-2147483648.5','0.0009765625','1.234375','9.99999e-5','1e-40']:
            ex(f, v, t)
for t in ['int2','int4','int8','float4','float8','numeric(5,2)','numeric(3)','numeric(10,-2)','text','varchar(4)']:
    for v in ['0','1.5','2.5','-2.5','-0.5','12345.678','999.995','0.005','NaN','Infinity','-Infinity','123456789012345678901234567890','1e-20','0.1','32767.5','9223372036854775807','9223372036854775808']:
        ex('numeric', v, t)
for v in ['t','f']:
    for t in ['int4','text','varchar(3)','char(3)','char(10)','int8']: ex('bool', v, t)
for v, t in [('abc','varchar(2)'),('abc','char(2)'),('ab','char(4)'),('ab  ','varchar(3)'),('a😀b','varchar(2)'),('abc','char'),('12','int4'),(' 12 ','int2'),('x','int4'),('1.5','numeric'),('t','bool'),('yes','bool'),('2024-01-02','date'),('2024-01-02 03:04','timestamp'),('{1,2}','int4[]'),('\\x01','bytea'),('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11','uuid'),('{"a":1}','jsonb'),('1 day','interval'),('12:00','time'),('nope','date')]:
    ex('text', v, t)
for v, t in [('abc  ','text'),('abc  ','varchar'),('abc  ','char(2)'),('abc','char(5)'),('12 ','int4'),('a','varchar(5)')]:
    ex('char(5)', v, t)
for v, t in [('2024-01-02','timestamp'),('2024-01-02','timestamptz'),('2024-01-02','text'),('infinity','timestamp'),('5874897-12-31','timestamp'),('2024-01-02','varchar(5)')]:
    ex('date', v, t)
for v, t in [('2024-01-02 03:04:05.678','date'),('2024-01-02 03:04:05.678','time'),('2024-01-02 03:04:05.678','timestamptz'),('2024-01-02 03:04:05.678','timestamp(0)'),('2024-01-02 03:04:05.678','timestamp(2)'),('-infinity','date'),('infinity','time'),('1999-12-31 23:59:59.5','timestamp(0)'),('0001-01-01 BC 12:00','date'),('2024-01-02 03:04:05.678','text')]:
    ex('timestamp', v, t)
for v, t in [('2024-01-02 03:04:05+05','date'),('2024-01-02 03:04:05+05','time'),('2024-01-02 03:04:05+05','timestamp'),('2024-01-02 23:04:05-05','date'),('2024-01-02 03:04:05.5+00','timestamptz(0)'),('2024-01-02 03:04:05+05','text')]:
    ex('timestamptz', v, t)
for v, t in [('1 day 25:00:00','time'),('-1 hour','time'),('1 year 2 mons 3 days 04:05:06.789','interval(1)'),('1 year 2 mons 3 days 04:05:06.789','interval year to month'),('1 year 2 mons 3 days 04:05:06.789','interval day to hour'),('1 year 2 mons 3 days 04:05:06.789','interval minute'),('1 day','text')]:
    ex('interval', v, t)
ex('time', '10:11:12.5', 'interval'); ex('time', '10:11:12.5', 'time(0)'); ex('time', '23:59:59.9', 'time(0)')
for v, t in [('{"b":1,"a":2}','jsonb'),('{"b":1,"a":2}','text')]: ex('json', v, t)
for v, t in [('{"b":1,"a":2}','json'),('1.5','numeric'),('1.5','int4'),('2.5','int2'),('"a"','numeric'),('true','bool'),('1','bool'),('null','int4'),('[1]','float8'),('{}','int8'),('1e10','int4'),('123.456','float4'),('12.5','numeric(3,1)'),('{"a":1}','text'),('"x"','varchar(2)')]:
    ex('jsonb', v, t)
for v, t in [('{1.5,2.5}','int4[]'),('{1,NULL}','text[]'),('{abc,de}','varchar(2)[]'),('{1,2}','text'),('{1,2}','numeric(3,1)[]'),('{{1,2},{3,4}}','int8[]')]:
    ex('numeric[]' if '.' in v else 'int4[]' if t != 'varchar(2)[]' else 'text[]', v, t)
# assignment
for f, v, t in [('int4','123','varchar(2)'),('int4','12','varchar(2)'),('text','abc','varchar(2)'),('text','ab   ','varchar(2)'),('text','abc','char(2)'),('text','a','char(3)'),('numeric','123.456','numeric(5,2)'),('numeric','12345.6','numeric(5,2)'),('float8','2.5','int4'),('numeric','2.5','int4'),('int8','3000000000','int4'),('bool','t','text'),('bool','t','varchar(2)'),('timestamp','2024-01-02 03:04:05.678','timestamp(1)'),('date','2024-01-02','timestamp'),('timestamptz','2024-01-02 03:04:05+05','date'),('text[]','{abc,de}','varchar(2)[]'),('varchar','abcd','char(3)'),('char(4)','ab','text'),('float8','1e300','float4'),('float8','1e-300','float4'),('numeric','NaN','numeric(3,1)'),('numeric','Infinity','numeric(3,1)'),('interval','1 day 02:03:04','interval day to hour'),('jsonb','{"a":1}','json'),('json','{"a":1,"a":2}','jsonb'),('int4','5','bool')]:
    asg(f, v, t)
