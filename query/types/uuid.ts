// uuid: held as the canonical lowercase hyphenated string, so equality, order
// (byte order = order of lowercase hex) and hashing are plain string operations.

import { invalidInputSyntax } from './errors.js';

export const uuidBytes = 16;

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  return -1;
}

/** string_to_uuid(): optional braces, a hyphen allowed after any group of four digits, any case. */
export function parseUuid(text: string): string {
  let i = 0;
  const braces = text.startsWith('{');
  if (braces) i++;
  let hex = '';
  for (let byte = 0; byte < uuidBytes; byte++) {
    const high = hexValue(text.charCodeAt(i));
    const low = hexValue(text.charCodeAt(i + 1));
    if (high < 0 || low < 0) throw invalidInputSyntax('uuid', text);
    hex += text.slice(i, i + 2);
    i += 2;
    if (text[i] === '-' && byte % 2 === 1 && byte < uuidBytes - 1) i++;
  }
  if (braces) {
    if (text[i] !== '}') throw invalidInputSyntax('uuid', text);
    i++;
  }
  if (i !== text.length) throw invalidInputSyntax('uuid', text);
  return canonicalUuid(hex.toLowerCase());
}

function canonicalUuid(hex32: string): string {
  return `${hex32.slice(0, 8)}-${hex32.slice(8, 12)}-${hex32.slice(12, 16)}-${hex32.slice(16, 20)}-${hex32.slice(20)}`;
}

export function uuidToBytes(uuid: string): Uint8Array {
  const hex = uuid.replace(/-/g, '');
  const out = new Uint8Array(uuidBytes);
  for (let i = 0; i < uuidBytes; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function uuidFromBytes(bytes: Uint8Array): string {
  let hex = '';
  for (const b of bytes) hex += b.toString(16).padStart(2, '0');
  return canonicalUuid(hex);
}
