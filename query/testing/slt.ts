// sqllogictest scripts: `statement ok`, `statement error <SQLSTATE>`, and
// `query <types> [rowsort|nosort]` followed by the SQL, `----` and the
// expected rows (tab-separated, PostgreSQL's text format, NULL and (empty)).
// The same files are meant to run through the wire protocols later, so they
// hold nothing protocol-specific.

export type SltRecord =
  | { readonly kind: 'statement'; readonly line: number; readonly sql: string; readonly expectError: string | null }
  | {
    readonly kind: 'query'; readonly line: number; readonly sql: string; readonly types: string;
    readonly sort: 'nosort' | 'rowsort'; readonly expected: readonly string[];
  };

/** Parses a script; throws with the line number on a malformed record. */
export function parseSlt(text: string): SltRecord[] {
  const lines = text.split('\n');
  const records: SltRecord[] = [];
  let i = 0;
  const blank = (s: string | undefined): boolean => s === undefined || s.trim() === '';
  while (i < lines.length) {
    const header = (lines[i] ?? '').trim();
    if (header === '' || header.startsWith('#')) { i++; continue; }
    const line = i + 1;
    const words = header.split(/\s+/);
    i++;
    const sqlLines: string[] = [];
    while (!blank(lines[i]) && lines[i] !== '----') sqlLines.push(lines[i++] ?? '');
    const sql = sqlLines.join('\n');
    if (words[0] === 'statement') {
      const expectError = words[1] === 'error' ? words[2] ?? '' : null;
      if (words[1] !== 'ok' && words[1] !== 'error') throw new Error(`line ${line}: statement ok|error expected`);
      records.push({ kind: 'statement', line, sql, expectError });
      continue;
    }
    if (words[0] !== 'query') throw new Error(`line ${line}: unknown record "${header}"`);
    const expected: string[] = [];
    if (lines[i] === '----') {
      i++;
      while (!blank(lines[i])) expected.push(lines[i++] ?? '');
    }
    const sort = words[2] === 'rowsort' ? 'rowsort' : 'nosort';
    records.push({ kind: 'query', line, sql, types: words[1] ?? '', sort, expected });
  }
  return records;
}
