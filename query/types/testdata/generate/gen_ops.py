#!/usr/bin/env python3
# usage: gen_ops.py spec.py out.json [timezone]
# spec.py defines OPS = {op: sql template with $1,$2,...} and CASES = [(op, [args...]), ...]
import json, subprocess, sys
spec = {}
exec(open(sys.argv[1]).read(), spec)
OPS, CASES = spec['OPS'], spec['CASES']
tz = sys.argv[3] if len(sys.argv) > 3 else 'UTC'
def lit(s): return "'" + s.replace("'", "''") + "'"
exprs = []
for op, args in CASES:
    e = OPS[op]
    for i in range(len(args), 0, -1):
        e = e.replace('$%d' % i, lit(args[i-1]))
    exprs.append(e)
values = ",".join("(%d,%s)" % (i, lit(e)) for i, e in enumerate(exprs))
sql = "set timezone=%s;\nselect json_agg(try_expr(e) order by i) from (values %s) as c(i,e);\n" % (lit(tz), values)
res = subprocess.run(['psql','-h','/tmp/pgtypes','-p','54329','-U','postgres','-X','-At','-q','-f','-'], input=sql, capture_output=True, text=True)
if res.returncode != 0 or not res.stdout.strip():
    print(res.stderr); sys.exit(1)
rows = json.loads(res.stdout)
with open(sys.argv[2], 'w', encoding='utf-8') as f:
    f.write('[\n' + ',\n'.join(json.dumps([op, args, r], ensure_ascii=False) for (op, args), r in zip(CASES, rows)) + '\n]\n')
print(len(rows), 'cases ->', sys.argv[2])
