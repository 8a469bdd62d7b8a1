OPS = {'ts': "to_char($1::timestamp, $2)", 'tstz': "to_char($1::timestamptz, $2)", 'iv': "to_char($1::interval, $2)",
       'num': "to_char($1::numeric, $2)", 'int': "to_char($1::int8, $2)", 'f8': "to_char($1::float8, $2)", 'f4': "to_char($1::float4, $2)"}
CASES = []
dfmts = ['YYYY-MM-DD HH24:MI:SS', 'YYYY-MM-DD"T"HH24:MI:SS.US', 'Mon DD, YYYY', 'Month DD YYYY', 'FMMonth FMDD, YYYY', 'Day, DD Mon YYYY', 'FMDay', 'DY dy Dy', 'MONTH month', 'HH12:MI AM', 'HH:MI:SS pm', 'hh24:mi:ss.ms', 'YYYY YYY YY Y', 'Y,YYY', 'IYYY-IW-ID', 'IDDD DDD', 'WW W Q', 'CC', 'J', 'RM rm FMRM', 'DDth DDTH FMDDth', 'MMth', 'SSSS', 'FF1 FF2 FF3 FF4 FF5 FF6', 'BC AD b.c. a.d.', 'A.M. p.m.', 'TZ tz TZH:TZM OF', '"text" \\"x', 'YYYY\\"MM', 'D ID', 'FMHH12', 'FMYYYY', 'FXYYYY', 'HH24MISS', '', 'Dy, DD Mon YYYY HH24:MI:SS TZ', 'IYY IY I', 'sssss']
for t in ['2024-01-02 03:04:05.678901', '2024-12-31 23:59:59', '2021-01-03 12:00', '0044-03-15 12:00 BC', '0001-01-01', '12345-06-07 08:09:10', 'infinity', '2000-02-29 00:00:00.5']:
    for f in dfmts:
        CASES.append(('ts', [t, f]))
for t in ['2024-01-02 03:04:05+00', '2024-07-02 03:04:05+00']:
    for f in ['YYYY-MM-DD HH24:MI:SS TZ', 'TZH:TZM', 'OF', 'FMOF', 'tz']:
        CASES.append(('tstz', [t, f]))
for i in ['1 year 2 mons 3 days 04:05:06.789', '-1 year -2 mons', '100 hours', '0', '14 months']:
    for f in ['YYYY MM DD HH24:MI:SS.MS', 'HH12 AM', 'Mon Month', 'CC Y,YYY', 'DDD', 'Day', 'RM', 'Q W WW']:
        CASES.append(('iv', [i, f]))
nfmts = ['999.99', '9999', '0000', '990.99', 'FM999.99', 'FM990.00', '9,999.99', 'FM9,999', 'S999.99', '999.99S', 'FMS999', '999MI', 'MI999', '999PL', 'SG999', '999PR', 'FM999PR', 'L999', 'D99', '99D99', '9G999', '999th', 'FM999TH', '0.99', 'FM0.99', '.99', '9.9', '"Total: "999', '99', '9990.99', '00.00', 'FM00.00', 'FM9.90', '999.999', '99V99', 'RN', '9.99EEEE', 'S9,999.99', 'FM9999999999999999999.999999', '9 9 9']
for v in ['0', '1', '-1', '1.5', '-1.5', '12.345', '0.5', '-0.5', '123.456', '1234.5', '12345', '0.005', '-0.001', '99.995', '1000000', 'NaN', 'Infinity', '-Infinity', '3', '11', '12', '13', '21', '102']:
    for f in nfmts:
        CASES.append(('num', [v, f]))
for v in ['0', '42', '-42', '1234567', '11', '112']:
    for f in ['999', 'FM999', '9,999,999', '0000', 'S9999', '999th', 'FM99th', '999.99']:
        CASES.append(('int', [v, f]))
for v in ['0', '1.5', '-1.5', '0.125', '2.675', '1e20', '123456789.123456789', '0.1', '1e-10', '-0.0', 'NaN', 'Infinity', '0.375']:
    for f in ['999.99', 'FM999.999', '9999999999999999999.99999', '990.0000000000000000', 'S9.99', 'FM999999999999999999999']:
        CASES.append(('f8', [v, f])); CASES.append(('f4', [v, f]))
