OPS = {
 'ts+iv': "$1::timestamp + $2::interval", 'ts-iv': "$1::timestamp - $2::interval",
 'tstz+iv': "$1::timestamptz + $2::interval", 'tstz-iv': "$1::timestamptz - $2::interval",
 'date+iv': "$1::date + $2::interval", 'date+int': "$1::date + $2::int", 'date-date': "$1::date - $2::date",
 'ts-ts': "$1::timestamp - $2::timestamp", 'tstz-tstz': "$1::timestamptz - $2::timestamptz",
 'age': "age($1::timestamp, $2::timestamp)", 'agetz': "age($1::timestamptz, $2::timestamptz)",
 'time+iv': "$1::time + $2::interval", 'time-time': "$1::time - $2::time",
 'iv+iv': "$1::interval + $2::interval", 'iv-iv': "$1::interval - $2::interval", 'neg': "-($1::interval)",
 'iv*f': "$1::interval * $2::float8", 'iv/f': "$1::interval / $2::float8",
 'jh': "justify_hours($1::interval)", 'jd': "justify_days($1::interval)", 'ji': "justify_interval($1::interval)",
 'ivcmp': "case when $1::interval < $2::interval then -1 when $1::interval = $2::interval then 0 else 1 end",
 'x_ts': "extract($1 from $2::timestamp)", 'x_tstz': "extract($1 from $2::timestamptz)", 'x_date': "extract($1 from $2::date)",
 'x_time': "extract($1 from $2::time)", 'x_iv': "extract($1 from $2::interval)",
 'dp_ts': "date_part($1, $2::timestamp)", 'dp_date': "date_part($1, $2::date)",
 'tr_ts': "date_trunc($1, $2::timestamp)", 'tr_tstz': "date_trunc($1, $2::timestamptz)", 'tr_iv': "date_trunc($1, $2::interval)",
}
CASES = []
tss = ['2024-01-31 10:00', '2024-02-29 23:59:59.999999', '2023-12-31 00:00', '2000-03-01 12:34:56.789', '0001-01-01 00:00', '0044-03-15 12:00 BC', 'infinity', '-infinity', '1999-12-31 23:00', '2024-03-10 01:30', '2024-11-03 00:30']
ivs = ['1 month', '-1 month', '1 year', '13 months', '1 day', '-1 day', '25 hours', '1 mon 1 day 1 hour', '-1 year -2 mons +3 days -04:05:06', '0', '1.5 days', '30 days', '2 years 11 months', '100000 years', '1 day -1 second']
for t in tss:
    for i in ivs:
        CASES.append(('ts+iv', [t, i])); CASES.append(('tstz+iv', [t, i]))
    CASES.append(('ts-iv', [t, '1 month'])); CASES.append(('tstz-iv', [t, '1 day']))
for d in ['2024-01-31', '2024-02-29', '2023-01-31', 'infinity', '5874897-12-31', '4714-11-24 BC', '2000-01-01']:
    for i in ['1 month', '-1 day', '1 year 1 day 1 hour', '12:00']: CASES.append(('date+iv', [d, i]))
    for n in ['1', '-1', '365', '100000000']: CASES.append(('date+int', [d, n]))
    for e in ['2000-01-01', 'infinity', '2024-01-01']: CASES.append(('date-date', [d, e]))
pairs = [('2024-01-03', '2024-01-01'), ('2024-01-01', '2024-01-03'), ('2024-01-01 12:00', '2023-12-31 13:00'), ('2024-03-01', '2024-02-01'), ('2025-01-01 00:00:00.5', '2024-01-01'), ('2024-01-01', 'infinity'), ('2024-06-15 10:30', '1990-02-28 23:45:12.3'), ('2000-02-29', '2024-02-28'), ('2024-03-31', '2024-02-29'), ('2024-01-31', '2024-03-01'), ('0001-01-01', '2024-01-01')]
for a, b in pairs:
    for op in ['ts-ts', 'tstz-tstz', 'age', 'agetz']: CASES.append((op, [a, b]))
for t, i in [('23:00', '2 hours'), ('01:00', '-3 hours'), ('12:00', '1 day 01:00'), ('00:00', '-00:00:00.000001')]: CASES.append(('time+iv', [t, i]))
for a, b in [('12:00', '13:30:00.5'), ('24:00', '00:00')]: CASES.append(('time-time', [a, b]))
ivpairs = [('1 day', '24 hours'), ('1 mon', '30 days'), ('1 year', '360 days'), ('-1 day', '1 day'), ('1 day 1 second', '1 day'), ('2147483647 days', '1 day'), ('1 mon -1 day', '29 days')]
for a, b in ivpairs:
    for op in ['iv+iv', 'iv-iv', 'ivcmp']: CASES.append((op, [a, b]))
for a in ['1 day', '-1 mon', '1 year 2 mons 3 days 04:05:06', '-2147483648 days', '0']: CASES.append(('neg', [a]))
for a in ['1 mon', '1 year 1 mon 1 day 01:00:00', '3 days', '1 hour', '-1 mon 2 days', '2147483647 mons']:
    for f in ['2', '0.5', '1.5', '-1', '0', '3.14159', '1e-7', '1e10', 'NaN']:
        CASES.append(('iv*f', [a, f])); CASES.append(('iv/f', [a, f]))
for a in ['25 hours', '-25 hours', '1 day -1 hour', '-1 day 1 hour', '35 days', '-35 days', '1 mon -1 day', '1 mon 35 days -49 hours', '-1 mon 40 days 50:00', '0', '29 days 23:59:59', '1 year -400 days']:
    for op in ['jh', 'jd', 'ji']: CASES.append((op, [a]))
fields = ['microseconds', 'milliseconds', 'second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year', 'decade', 'century', 'millennium', 'julian', 'isoyear', 'dow', 'isodow', 'doy', 'epoch', 'timezone', 'timezone_hour', 'timezone_minute', 'fortnight', 'Hours', 'secs', 'mon', 'y']
for t in ['2024-01-02 03:04:05.678901', '2021-01-03 00:00', '2020-12-31 23:59:59', '0001-01-01 00:00', '0044-03-15 12:00 BC', 'infinity', '-infinity', '1970-01-01', '2008-12-29', '1900-01-01 12:00']:
    for f in fields: CASES.append(('x_ts', [f, t])); CASES.append(('x_tstz', [f, t]))
    for f in ['second', 'day', 'epoch', 'julian', 'week', 'dow']: CASES.append(('dp_ts', [f, t]))
for d in ['2024-01-02', '2021-01-03', '0044-03-15 BC', 'infinity', '-infinity', '1970-01-01']:
    for f in fields: CASES.append(('x_date', [f, d]))
    for f in ['day', 'epoch', 'hour']: CASES.append(('dp_date', [f, d]))
for t in ['03:04:05.678901', '24:00', '00:00']:
    for f in ['microseconds', 'milliseconds', 'second', 'minute', 'hour', 'day', 'epoch', 'timezone']: CASES.append(('x_time', [f, t]))
for i in ['1 year 2 mons 3 days 04:05:06.789', '-1 year -2 mons -3 days -04:05:06.789', '14 months', '100 hours', '0', '-1 mons']:
    for f in ['microseconds', 'milliseconds', 'second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year', 'decade', 'century', 'millennium', 'epoch', 'dow']: CASES.append(('x_iv', [f, i]))
units = ['microseconds', 'milliseconds', 'second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year', 'decade', 'century', 'millennium', 'dow', 'epoch']
for t in ['2024-05-17 13:45:56.789012', '2021-01-02 00:00', '2019-12-30 10:00', '0044-03-15 12:00 BC', '0001-06-01', 'infinity', '2000-01-01', '2024-11-03 01:30', '2024-03-10 03:30']:
    for u in units: CASES.append(('tr_ts', [u, t])); CASES.append(('tr_tstz', [u, t]))
for i in ['1234 years 5 mons 6 days 07:08:09.123456', '-1 year -2 mons -3 days -04:05:06.789']:
    for u in units: CASES.append(('tr_iv', [u, i]))
