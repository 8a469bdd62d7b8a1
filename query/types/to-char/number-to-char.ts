// to_char() for numbers (formatting.c's NUMDesc_prepare + NUM_processor) in
// the C locale: 9 0 . , D G S MI PL SG PR L FM B TH. V, EEEE and RN are
// not implemented (FeatureNotSupportedError).

import { FeatureNotSupportedError, InvalidTextRepresentationError, SqlSyntaxError } from '../errors.js';
import { formatFixed } from '../float.js';
import { Decimal, formatNumeric } from '../numeric/decimal.js';
import { numericRound } from '../numeric/numeric-math.js';
import { ordinalSuffix, parseFormat } from './format-nodes.js';
import type { FormatNode } from './format-nodes.js';

const keywords = [
  ',', '.', '0', '9', 'B', 'C', 'D', 'EEEE', 'FM', 'G', 'L', 'MI', 'PL', 'PR', 'RN', 'SG', 'SP', 'S', 'TH', 'V',
  'b', 'c', 'd', 'eeee', 'fm', 'g', 'l', 'mi', 'pl', 'pr', 'rn', 'sg', 'sp', 's', 'th', 'v',
] as const;
type Keyword = (typeof keywords)[number];
type Id = Uppercase<Keyword>;

/** NUMDesc: what the format asks for. */
interface Desc {
  pre: number; post: number;
  decimal: boolean; localeDecimal: boolean; fill: boolean; zero: boolean; zeroStart: number; zeroEnd: number;
  lsign: 'none' | 'pre' | 'post'; preLsignNum: number; minus: boolean; plus: boolean; bracket: boolean;
}

function syntax(message: string): SqlSyntaxError {
  return new SqlSyntaxError(message);
}

/** NUMDesc_prepare() over all keyword nodes. */
function describe(nodes: readonly FormatNode<Keyword>[]): Desc {
  const d: Desc = {
    pre: 0, post: 0, decimal: false, localeDecimal: false, fill: false, zero: false, zeroStart: 0, zeroEnd: 0,
    lsign: 'none', preLsignNum: 0, minus: false, plus: false, bracket: false,
  };
  for (const n of nodes) {
    if (n.kind !== 'keyword') continue;
    const id = n.keyword.toUpperCase() as Id;
    switch (id) {
      case '9':
        if (d.bracket) throw syntax('"9" must be ahead of "PR"');
        if (d.decimal) d.post++; else d.pre++;
        break;
      case '0':
        if (d.bracket) throw syntax('"0" must be ahead of "PR"');
        if (!d.zero && !d.decimal) { d.zero = true; d.zeroStart = d.pre + 1; }
        if (d.decimal) d.post++; else d.pre++;
        d.zeroEnd = d.pre + d.post;
        break;
      case 'D': case '.':
        if (d.decimal) throw syntax('multiple decimal points');
        d.decimal = true;
        if (id === 'D') d.localeDecimal = true;
        break;
      case 'FM': d.fill = true; break;
      case 'S':
        if (d.lsign !== 'none' && !d.decimal) throw syntax('cannot use "S" twice');
        if (d.plus || d.minus || d.bracket) throw syntax('cannot use "S" and "PL"/"MI"/"SG"/"PR" together');
        if (!d.decimal) { d.lsign = 'pre'; d.preLsignNum = d.pre; } else if (d.lsign === 'none') d.lsign = 'post';
        break;
      case 'MI': if (d.lsign !== 'none') throw syntax('cannot use "S" and "MI" together'); d.minus = true; break;
      case 'PL': if (d.lsign !== 'none') throw syntax('cannot use "S" and "PL" together'); d.plus = true; break;
      case 'SG': if (d.lsign !== 'none') throw syntax('cannot use "S" and "SG" together'); d.minus = true; d.plus = true; break;
      case 'PR':
        if (d.lsign !== 'none' || d.plus || d.minus) throw syntax('cannot use "PR" and "S"/"PL"/"MI"/"SG" together');
        d.bracket = true;
        break;
      case 'V': case 'EEEE': case 'RN':
        throw new FeatureNotSupportedError(`to_char format "${n.keyword}" is not supported`);
      default: break;
    }
  }
  return d;
}

/** State of NUM_processor while writing. */
interface Proc {
  d: Desc; out: string; number: string; pos: number; sign: '+' | '-';
  signWrote: boolean; numIn: boolean; numCurr: number; numCount: number; outPreSpaces: number; lastRelevant: number;
}

function isPredecSpace(p: Proc): boolean {
  return !p.d.zero && p.pos === 0 && p.number.charAt(0) === '0' && p.d.post !== 0;
}

function lastRelevantIs(p: Proc, ch: string): boolean {
  return p.lastRelevant >= 0 && p.number.charAt(p.lastRelevant) === ch;
}

/** NUM_numpart_to_char(): one digit or decimal-point position. */
function numpart(p: Proc, id: Id): void {
  const d = p.d;
  p.numIn = false;
  if (!p.signWrote && (p.numCurr >= p.outPreSpaces || (d.zero && d.zeroStart === p.numCurr)) && (!isPredecSpace(p) || lastRelevantIs(p, '.'))) {
    if (d.lsign !== 'none') {
      if (d.lsign === 'pre') { p.out += p.sign; p.signWrote = true; }
    } else if (d.bracket) {
      p.out += p.sign === '+' ? ' ' : '<'; p.signWrote = true;
    } else if (p.sign === '+') {
      if (!d.fill) p.out += ' ';
      p.signWrote = true;
    } else {
      p.out += '-'; p.signWrote = true;
    }
  }
  if (p.numCurr < p.outPreSpaces && (d.zeroStart > p.numCurr || !d.zero)) {
    if (!d.fill) p.out += ' ';
  } else if (d.zero && p.numCurr < p.outPreSpaces && d.zeroStart <= p.numCurr) {
    p.out += '0';
    p.numIn = true;
  } else {
    writeDigit(p, id);
  }
  let end = p.numCount + (p.outPreSpaces ? 1 : 0) + (d.decimal ? 1 : 0);
  if (p.lastRelevant >= 0 && p.lastRelevant === p.pos) end = p.numCurr;
  if (p.numCurr + 1 === end) {
    if (p.signWrote && d.bracket) p.out += p.sign === '+' ? ' ' : '>';
    else if (d.lsign === 'post') p.out += p.sign;
  }
  p.numCurr++;
}

function writeDigit(p: Proc, id: Id): void {
  const ch = p.number.charAt(p.pos);
  if (ch === '.') {
    if (!lastRelevantIs(p, '.') || p.d.fill) p.out += '.';
  } else if (p.lastRelevant >= 0 && p.pos > p.lastRelevant && id !== '0') {
    // trailing zeros after the last relevant digit are dropped in fill mode
  } else if (isPredecSpace(p)) {
    if (!p.d.fill) p.out += ' ';
    else if (lastRelevantIs(p, '.')) p.out += '0';
  } else {
    // Past the end of the number C writes its NUL terminator, which ends the output (see process()).
    p.out += ch === '' ? '\0' : ch;
    p.numIn = true;
  }
  if (p.pos < p.number.length) p.pos++;
}

function lastRelevantDigit(number: string): number {
  const dot = number.indexOf('.');
  if (dot < 0) return -1;
  let result = dot;
  for (let i = dot + 1; i < number.length; i++) if (number[i] !== '0') result = i;
  return result;
}

function process(nodes: readonly FormatNode<Keyword>[], d: Desc, number: string, sign: '+' | '-', outPreSpaces: number): string {
  const p: Proc = {
    d, out: '', number, pos: 0, sign, signWrote: false, numIn: false, numCurr: 0,
    numCount: d.post + d.pre - 1, outPreSpaces, lastRelevant: -1,
  };
  if (d.zeroStart > 0) d.zeroStart--;
  if (d.plus || d.minus) {
    p.signWrote = !(d.plus && !d.minus);
  } else {
    if (sign !== '-' && d.bracket && d.fill) d.bracket = false;
    p.signWrote = sign === '+' && d.fill && d.lsign === 'none';
    if (d.lsign === 'pre' && d.pre === d.preLsignNum) d.lsign = 'post';
  }
  if (d.fill && d.decimal) {
    p.lastRelevant = lastRelevantDigit(number);
    if (p.lastRelevant >= 0 && d.zeroEnd > outPreSpaces) {
      const lastZero = Math.min(number.length - 1, d.zeroEnd - outPreSpaces);
      if (p.lastRelevant < lastZero) p.lastRelevant = lastZero;
    }
  }
  if (!p.signWrote && outPreSpaces === 0) p.numCount++;
  for (const n of nodes) {
    if (n.kind === 'literal') { p.out += n.text; continue; }
    writeKeyword(p, n.keyword);
  }
  const nul = p.out.indexOf('\0');
  return nul < 0 ? p.out : p.out.slice(0, nul);
}

function writeKeyword(p: Proc, keyword: Keyword): void {
  const id = keyword.toUpperCase() as Id;
  switch (id) {
    case '9': case '0': case '.': case 'D': numpart(p, id); return;
    case ',': case 'G':
      if (!p.numIn) { if (!p.d.fill) p.out += ' '; } else p.out += ',';
      return;
    case 'L': p.out += ' '; return;
    case 'MI': if (p.sign === '-') p.out += '-'; else if (!p.d.fill) p.out += ' '; return;
    case 'PL': if (p.sign === '+') p.out += '+'; else if (!p.d.fill) p.out += ' '; return;
    case 'SG': p.out += p.sign; return;
    case 'TH':
      if (p.number.startsWith('#') || p.sign === '-' || p.d.decimal) return;
      if (!/[0-9]$/.test(p.number)) throw new InvalidTextRepresentationError(`"${p.number}" is not a number`);
      p.out += ordinalSuffix(p.number, keyword === 'TH');
      return;
    default: return;
  }
}

/** to_char(numeric | integer, format). */
export function numericToChar(value: Decimal, format: string): string {
  const nodes = parseFormat(format, { keywords, suffixes: false });
  if (nodes.length === 0) return '';
  const d = describe(nodes);
  return processNumberText(nodes, d, formatNumeric(numericRound(value, d.post)));
}

/** Pads or overflows the printed number against the format, then runs the processor. */
function processNumberText(nodes: readonly FormatNode<Keyword>[], d: Desc, text: string): string {
  const sign = text.startsWith('-') ? '-' : '+';
  let digits = sign === '-' ? text.slice(1) : text;
  const dot = digits.indexOf('.');
  const preLength = dot < 0 ? digits.length : dot;
  let outPreSpaces = 0;
  if (preLength < d.pre) {
    outPreSpaces = d.pre - preLength;
  } else if (preLength > d.pre) {
    // Too many integer digits: every digit position shows '#', the point stays.
    digits = `${'#'.repeat(d.pre)}.${'#'.repeat(d.post)}`;
  }
  return process(nodes, d, digits, sign, outPreSpaces);
}

/** Significant digits printf keeps for float8 and real (DBL_DIG, FLT_DIG). */
const floatDigits = { float8: 15, float4: 6 } as const;

/** to_char(double precision | real, format): printf('%.*f') with the digits capped at DBL_DIG/FLT_DIG. */
export function floatToChar(value: number, kind: 'float4' | 'float8', format: string): string {
  const nodes = parseFormat(format, { keywords, suffixes: false });
  if (nodes.length === 0) return '';
  const d = describe(nodes);
  const maxDigits = floatDigits[kind];
  const integerLength = formatFixed(Math.abs(value), 0).length;
  if (integerLength >= maxDigits) d.post = 0;
  else if (integerLength + d.post > maxDigits) d.post = maxDigits - integerLength;
  return processNumberText(nodes, d, formatFixed(value, d.post));
}

/** to_char(integer, format): the integer printed with `post` zero decimals. */
export function integerToChar(value: number | bigint, format: string): string {
  return numericToChar(Decimal.fromInteger(value), format);
}
