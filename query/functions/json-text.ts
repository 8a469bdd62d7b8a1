// Navigation inside json (not jsonb) values: json keeps its text verbatim, so
// `->` must return the member's original text (spacing, key order and
// duplicates intact), as PostgreSQL does. The input is valid JSON (json_in
// checked it), so the scanner only skips values.

function skipSpace(text: string, i: number): number {
  let p = i;
  while (p < text.length && ' \t\n\r'.includes(text.charAt(p))) p++;
  return p;
}

function skipString(text: string, i: number): number {
  let p = i + 1;
  while (p < text.length && text.charAt(p) !== '"') p += text.charAt(p) === '\\' ? 2 : 1;
  return p + 1;
}

/** The index just past the value starting at `i`. */
function skipValue(text: string, i: number): number {
  const c = text.charAt(i);
  if (c === '"') return skipString(text, i);
  if (c !== '{' && c !== '[') {
    let p = i;
    while (p < text.length && !',}] \t\n\r'.includes(text.charAt(p))) p++;
    return p;
  }
  let depth = 0;
  let p = i;
  while (p < text.length) {
    const ch = text.charAt(p);
    if (ch === '"') { p = skipString(text, p); continue; }
    if (ch === '{' || ch === '[') depth++;
    if (ch === '}' || ch === ']') { depth--; if (depth === 0) return p + 1; }
    p++;
  }
  return p;
}

/** Each member of the object or array at the top of `text`: its key (objects) and value text. */
function members(text: string): { key: string | null; value: string }[] {
  let p = skipSpace(text, 0);
  const open = text.charAt(p);
  if (open !== '{' && open !== '[') return [];
  const out: { key: string | null; value: string }[] = [];
  p = skipSpace(text, p + 1);
  while (p < text.length && text.charAt(p) !== '}' && text.charAt(p) !== ']') {
    let key: string | null = null;
    if (open === '{') {
      const end = skipString(text, p);
      key = JSON.parse(text.slice(p, end)) as string;
      p = skipSpace(text, skipSpace(text, end) + 1);
    }
    const end = skipValue(text, p);
    out.push({ key, value: text.slice(p, end) });
    p = skipSpace(text, end);
    if (text.charAt(p) === ',') p = skipSpace(text, p + 1);
  }
  return out;
}

/** `json -> 'key'`: the last member of that name, as PostgreSQL's json_object_field finds it. */
export function jsonField(text: string, key: string): string | undefined {
  if (skipSpace(text, 0) >= text.length || text.charAt(skipSpace(text, 0)) !== '{') return undefined;
  let found: string | undefined;
  for (const m of members(text)) if (m.key === key) found = m.value;
  return found;
}

/** `json -> n`: an array element, negative counting from the end. */
export function jsonElement(text: string, index: number): string | undefined {
  if (text.charAt(skipSpace(text, 0)) !== '[') return undefined;
  const items = members(text);
  return items[index < 0 ? items.length + index : index]?.value;
}

/** `json ->> ...`: strings unescaped, JSON null as SQL NULL, anything else as its text. */
export function jsonText(value: string | undefined): string | null {
  if (value === undefined || value === 'null') return null;
  return value.startsWith('"') ? (JSON.parse(value) as string) : value;
}
