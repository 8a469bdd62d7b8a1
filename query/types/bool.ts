// boolean: PostgreSQL's accepted spellings on input, 't'/'f' on output.

import { invalidInputSyntax } from './errors.js';
import { isCSpace } from './integer.js';

/** parse_bool_with_len(): a case-insensitive prefix of true/false/yes/no, 'on'/'off' (>= 2 letters), '1'/'0'. */
export function parseBoolean(text: string): boolean {
  let start = 0;
  let end = text.length;
  while (start < end && isCSpace(text.charCodeAt(start))) start++;
  while (end > start && isCSpace(text.charCodeAt(end - 1))) end--;
  const value = text.slice(start, end).toLowerCase();
  const result = booleanOf(value);
  if (result === undefined) throw invalidInputSyntax('boolean', text);
  return result;
}

function isPrefixOf(value: string, word: string, minLength = 1): boolean {
  return value.length >= minLength && value.length <= word.length && word.startsWith(value);
}

function booleanOf(value: string): boolean | undefined {
  switch (value.charAt(0)) {
    case 't': return isPrefixOf(value, 'true') ? true : undefined;
    case 'f': return isPrefixOf(value, 'false') ? false : undefined;
    case 'y': return isPrefixOf(value, 'yes') ? true : undefined;
    case 'n': return isPrefixOf(value, 'no') ? false : undefined;
    case 'o':
      if (value === 'on') return true;
      return isPrefixOf(value, 'off', 2) ? false : undefined;
    case '1': return value.length === 1 ? true : undefined;
    case '0': return value.length === 1 ? false : undefined;
    default: return undefined;
  }
}

export function formatBoolean(value: boolean): string {
  return value ? 't' : 'f';
}

/** bool → text casts spell the words out ('true'), unlike the output function. */
export function booleanToText(value: boolean): string {
  return value ? 'true' : 'false';
}
