#!/usr/bin/env python3
# usage: gen.py cases.tsv out.json [timezone] ; cases lines: type<TAB>input, or type<TAB>json:"..."
import json, subprocess, sys
src, out = sys.argv[1], sys.argv[2]
tz = sys.argv[3] if len(sys.argv) > 3 else 'UTC'
fn = sys.argv[4] if len(sys.argv) > 4 else 'try_in'
cases = []
for line in open(src, encoding='utf-8'):
    line = line.rstrip('\n')
    if not line or line.startswith('#'): continue
    t, v = line.split('\t', 1)
    if v.startswith('json:'): v = json.loads(v[5:])
    cases.append((t, v))
def lit(s): return "'" + s.replace("'", "''") + "'"
values = ",".join("(%d,%s,%s)" % (i, lit(t), lit(v)) for i, (t, v) in enumerate(cases))
sql = "set timezone=%s;\nselect json_agg(json_build_array(t, v, %s(t, v)) order by i) from (values %s) as c(i,t,v);\n" % (lit(tz), fn, values)
res = subprocess.run(['psql','-h','/tmp/pgtypes','-p','54329','-U','postgres','-X','-At','-q','-f','-'], input=sql, capture_output=True, text=True)
if res.returncode != 0 or not res.stdout.strip():
    print(res.stderr); sys.exit(1)
rows = json.loads(res.stdout)
with open(out, 'w', encoding='utf-8') as f:
    f.write('[\n' + ',\n'.join(json.dumps(r, ensure_ascii=False) for r in rows) + '\n]\n')
print(len(rows), 'cases ->', out)
