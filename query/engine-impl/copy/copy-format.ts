// COPY TO's output: rows as text-format or CSV lines, PostgreSQL's quoting
// and escaping (CopyAttributeOutText / CopyAttributeOutCSV).

import { appliesTo, type CopyFormat } from './copy-options.js';

const textEscapeOut: Readonly<Record<string, string>> = { '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '\\': '\\\\' };

function textField(value: string, delimiter: string): string {
  let out = '';
  for (const c of value) {
    const escaped = textEscapeOut[c];
    if (escaped !== undefined) out += escaped;
    else if (c === delimiter) out += `\\${c}`;
    else out += c;
  }
  return out;
}

/** `single`: the row has one column, so a `\.` value would read as the end-of-data line. */
function csvField(value: string, format: CopyFormat, force: boolean, single: boolean): string {
  const { delimiter, quote, escape, nullText } = format;
  const needsQuotes = force || value === nullText || value.includes(delimiter) || value.includes(quote) ||
    value.includes('\n') || value.includes('\r') || (single && value === '\\.');
  if (!needsQuotes) return value;
  let out = quote;
  for (const c of value) {
    if (c === quote || c === escape) out += escape;
    out += c;
  }
  return out + quote;
}

/** One output line (with its newline). `values` are already in text form; null is SQL NULL. */
export function formatCopyLine(values: readonly (string | null)[], columns: readonly string[], format: CopyFormat): string {
  const fields = values.map((v, i) => {
    if (v === null) return format.nullText;
    return format.csv ? csvField(v, format, appliesTo(format.forceQuote, columns[i] ?? ''), values.length === 1) : textField(v, format.delimiter);
  });
  return `${fields.join(format.delimiter)}\n`;
}

/** The header line of COPY TO ... HEADER. */
export function formatCopyHeader(columns: readonly string[], format: CopyFormat): string {
  return formatCopyLine(columns, columns.map(() => ''), { ...format, forceQuote: new Set() });
}
