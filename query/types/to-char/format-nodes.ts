// Parsing of to_char() format strings into nodes (formatting.c's
// parse_format): keywords matched by first character in table order,
// FM/TM/FX prefixes and TH/th/SP suffixes, "quoted" and \-escaped literals.

import { ProgramLimitExceededError } from '../errors.js';

export interface KeywordNode<K extends string> {
  readonly kind: 'keyword';
  readonly keyword: K;
  /** FM (fill mode): no padding. */
  readonly fillMode: boolean;
  /** TH / th ordinal suffix. */
  readonly ordinal: 'TH' | 'th' | null;
}
export interface LiteralNode { readonly kind: 'literal'; readonly text: string }
export type FormatNode<K extends string> = KeywordNode<K> | LiteralNode;

/** Longest format string accepted (PostgreSQL's practical bound is memory). */
export const formatCharsMax = 10_000;

export interface FormatGrammar<K extends string> {
  /** Keywords in PostgreSQL's table order: the first that prefixes the input wins. */
  readonly keywords: readonly K[];
  /** Whether FM/TM prefixes and TH/th/SP suffixes apply (datetime formats). */
  readonly suffixes: boolean;
}

function keywordAt<K extends string>(format: string, i: number, keywords: readonly K[]): K | undefined {
  for (const k of keywords) if (format.startsWith(k, i)) return k;
  return undefined;
}

export function parseFormat<K extends string>(format: string, grammar: FormatGrammar<K>): FormatNode<K>[] {
  if (format.length > formatCharsMax) throw new ProgramLimitExceededError(`to_char format longer than ${formatCharsMax} characters`);
  const nodes: FormatNode<K>[] = [];
  let i = 0;
  while (i < format.length) {
    let fillMode = false;
    if (grammar.suffixes) {
      const prefix = ['FM', 'fm', 'TM', 'tm'].find((p) => format.startsWith(p, i));
      if (prefix !== undefined) { fillMode = prefix.toLowerCase() === 'fm'; i += 2; }
    }
    const keyword = i < format.length ? keywordAt(format, i, grammar.keywords) : undefined;
    if (keyword !== undefined) {
      i += keyword.length;
      let ordinal: 'TH' | 'th' | null = null;
      if (grammar.suffixes) {
        const suffix = ['TH', 'th', 'SP'].find((p) => format.startsWith(p, i));
        if (suffix !== undefined) { ordinal = suffix === 'SP' ? null : (suffix as 'TH' | 'th'); i += 2; }
      }
      nodes.push({ kind: 'keyword', keyword, fillMode, ordinal });
      continue;
    }
    if (i >= format.length) break;
    i = readLiteral(format, i, nodes);
  }
  return nodes;
}

/** A "quoted string" (with \ escapes) or one character; a \ before " makes the quote literal. */
function readLiteral<K extends string>(format: string, start: number, nodes: FormatNode<K>[]): number {
  let i = start;
  const push = (text: string): void => { nodes.push({ kind: 'literal', text }); };
  if (format[i] === '"') {
    i++;
    while (i < format.length) {
      if (format[i] === '"') return i + 1;
      if (format[i] === '\\' && i + 1 < format.length) i++;
      const cp = String.fromCodePoint(format.codePointAt(i) ?? 0);
      push(cp);
      i += cp.length;
    }
    return i;
  }
  if (format[i] === '\\' && format[i + 1] === '"') i++;
  const cp = String.fromCodePoint(format.codePointAt(i) ?? 0);
  push(cp);
  return i + cp.length;
}

/** get_th(): st/nd/rd/th for the number's last digit (teens take th). */
export function ordinalSuffix(digits: string, upper: boolean): string {
  const last = digits.charAt(digits.length - 1);
  const teen = digits.length > 1 && digits.charAt(digits.length - 2) === '1';
  const suffix = teen ? 'th' : last === '1' ? 'st' : last === '2' ? 'nd' : last === '3' ? 'rd' : 'th';
  return upper ? suffix.toUpperCase() : suffix;
}
