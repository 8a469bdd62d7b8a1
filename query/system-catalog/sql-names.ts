// Identifier quoting and qualified-name splitting as PostgreSQL's
// quote_identifier() and stringToQualifiedNameList() do them.

/** PostgreSQL 15's reserved keywords (and the type/function names quote_identifier also quotes). */
const reservedWords = new Set((
  'all analyse analyze and any array as asc asymmetric authorization between bigint binary bit boolean both case cast ' +
  'char character check coalesce collate collation column concurrently constraint create cross current_catalog ' +
  'current_date current_role current_schema current_time current_timestamp current_user dec decimal default ' +
  'deferrable desc distinct do else end except exists extract false fetch float for foreign freeze from full grant ' +
  'greatest group grouping having ilike in initially inner inout int integer intersect interval into is isnull join ' +
  'lateral leading least left like limit localtime localtimestamp national natural nchar none normalize not notnull ' +
  'null nullif numeric offset on only or order out outer overlaps overlay placing position precision primary real ' +
  'references returning right row select session_user setof similar smallint some substring symmetric system_user ' +
  'table tablesample then time timestamp to trailing treat trim true union unique user using values varchar variadic ' +
  'verbose when where window with xmlattributes xmlconcat xmlelement xmlexists xmlforest xmlnamespaces xmlparse xmlpi ' +
  'xmlroot xmlserialize xmltable'
).split(' '));

export function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) && !reservedWords.has(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

export function quoteQualified(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

/** `a.b`, `"A"."b.c"`, `t` → [schema or null, name]; unquoted parts fold to lower case. */
export function splitQualifiedName(input: string): [string | null, string] {
  const parts: string[] = [];
  let i = 0;
  const s = input.trim();
  while (i <= s.length) {
    if (s[i] === '"') {
      let part = '';
      i++;
      while (i < s.length) {
        if (s[i] === '"' && s[i + 1] === '"') { part += '"'; i += 2; continue; }
        if (s[i] === '"') { i++; break; }
        part += s[i];
        i++;
      }
      parts.push(part);
    } else {
      const end = s.indexOf('.', i);
      parts.push(s.slice(i, end < 0 ? s.length : end).trim().toLowerCase());
      i = end < 0 ? s.length : end;
    }
    if (s[i] === '.') i++; else break;
  }
  const name = parts[parts.length - 1] ?? '';
  return [parts.length > 1 ? parts[parts.length - 2] ?? null : null, name];
}
