// bytea: output in hex format ('\x0102'), input in hex or escape format.

import { InvalidParameterValueError, InvalidTextRepresentationError } from './errors.js';
import { encodeUtf8 } from './character.js';

const hexDigits = '0123456789abcdef';

export function formatBytea(bytes: Uint8Array): string {
  let out = '\\x';
  for (const b of bytes) out += (hexDigits[b >> 4] ?? '') + (hexDigits[b & 15] ?? '');
  return out;
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  return -1;
}

function isHexWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x09 || code === 0x0d;
}

function hexDigitAt(text: string, i: number): number {
  const v = hexValue(text.charCodeAt(i));
  if (v < 0) {
    const ch = String.fromCodePoint(text.codePointAt(i) ?? 0);
    throw new InvalidParameterValueError(`invalid hexadecimal digit: "${ch}"`);
  }
  return v;
}

function parseHex(text: string): Uint8Array {
  const out = new Uint8Array((text.length - 2) >> 1);
  let n = 0;
  for (let i = 2; i < text.length;) {
    if (isHexWhitespace(text.charCodeAt(i))) { i++; continue; }
    const high = hexDigitAt(text, i);
    if (i + 1 >= text.length) throw new InvalidParameterValueError('invalid hexadecimal data: odd number of digits');
    const low = hexDigitAt(text, i + 1);
    out[n++] = (high << 4) | low;
    i += 2;
  }
  return out.subarray(0, n);
}

function isOctal(code: number, max = 0x37): boolean {
  return code >= 0x30 && code <= max;
}

/** The traditional escape format: \\ and \ooo escapes, other characters as their UTF-8 bytes. */
function parseEscape(text: string): Uint8Array {
  const bytes = encodeUtf8(text);
  const out = new Uint8Array(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i] ?? 0;
    if (b !== 0x5c) { out[n++] = b; i++; continue; }
    const [b1 = 0, b2 = 0, b3 = 0] = [bytes[i + 1], bytes[i + 2], bytes[i + 3]];
    if (isOctal(b1, 0x33) && isOctal(b2) && isOctal(b3)) {
      out[n++] = ((b1 - 0x30) << 6) | ((b2 - 0x30) << 3) | (b3 - 0x30);
      i += 4;
    } else if (b1 === 0x5c) {
      out[n++] = 0x5c;
      i += 2;
    } else {
      throw new InvalidTextRepresentationError('invalid input syntax for type bytea');
    }
  }
  return out.slice(0, n);
}

export function parseBytea(text: string): Uint8Array {
  if (text.startsWith('\\x')) return parseHex(text);
  return parseEscape(text);
}

