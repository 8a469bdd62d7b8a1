SEND = {'bool':'boolsend','bytea':'byteasend','int8':'int8send','int2':'int2send','int4':'int4send','text':'textsend','json':'json_send','float4':'float4send','float8':'float8send','bpchar':'bpcharsend','varchar':'varcharsend','date':'date_send','time':'time_send','timestamp':'timestamp_send','timestamptz':'timestamptz_send','interval':'interval_send','numeric':'numeric_send','uuid':'uuid_send','jsonb':'jsonb_send'}
OPS = {}
for t, f in SEND.items():
    OPS[t] = "(select encode(%s(v), 'hex') || '|' || concat(v) from (select $1::%s as v) s)" % (f, t)
    OPS[t + '[]'] = "(select encode(array_send(v), 'hex') || '|' || concat(v) from (select $1::%s[] as v) s)" % t
vals = {
 'bool': ['t','f'], 'int2': ['0','-1','32767','-32768'], 'int4': ['0','1','-2147483648','2147483647'], 'int8': ['0','-9223372036854775808','9223372036854775807','123456789012'],
 'float4': ['0','-0','1.5','NaN','Infinity','-Infinity','3.4028235e38','1e-45'], 'float8': ['0','-0','0.1','1e308','NaN','-Infinity','4.9e-324'],
 'numeric': ['0','0.00','1','-1','1.5','-12345.678','100000000','0.0001','NaN','Infinity','-Infinity','123456789.123456789','0.000000001','99999999','10000','1e-20','12.30','-0.5'],
 'text': ['','hello','héllo 😀'], 'varchar': ['abc'], 'bpchar': ['ab '], 'bytea': ['\\x','\\x00ff10'], 'uuid': ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'],
 'date': ['2000-01-01','2024-02-29','infinity','-infinity','4714-11-24 BC','5874897-12-31','1970-01-01'],
 'time': ['00:00:00','24:00:00','12:34:56.789012'],
 'timestamp': ['2000-01-01 00:00:00','2024-01-02 03:04:05.123456','infinity','-infinity','4714-11-24 00:00:00 BC','1969-12-31 23:59:59.999999'],
 'timestamptz': ['2000-01-01 00:00:00+00','2024-06-02 03:04:05.5+02','infinity'],
 'interval': ['0','1 year 2 mons 3 days 04:05:06.789','-1 days +02:00:00','-178956970 years -8 mons'],
 'json': ['{"a": 1}','[1,2]'], 'jsonb': ['{"b":1,"a":[1,2]}','"x"','null'],
}
CASES = []
for t, vs in vals.items():
    for v in vs: CASES.append((t, [v]))
arr = {'int4': ['{}','{1,2,3}','{1,NULL,3}','{{1,2},{3,4}}','{NULL}'], 'text': ['{a,"b c",NULL}','{}'], 'numeric': ['{1.5,NaN}'], 'bool': ['{t,f}'], 'float8': ['{1.5,-Infinity}'],
       'date': ['{2024-01-02}'], 'timestamp': ['{"2024-01-02 03:04:05"}'], 'uuid': ['{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}'], 'interval': ['{"1 day"}'], 'bytea': ['{"\\\\x01"}'],
       'int8': ['{{{1},{2}},{{3},{4}}}'], 'int2': ['{1,2}'], 'varchar': ['{x}'], 'jsonb': ['{"{\\"a\\": 1}"}'], 'float4': ['{0.5}'], 'time': ['{12:00}'], 'timestamptz': ['{"2024-01-02 03:04:05+00"}'], 'bpchar': ['{a}'], 'json': ['{"[1]"}']}
for t, vs in arr.items():
    for v in vs: CASES.append((t + '[]', [v]))
