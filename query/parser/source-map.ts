// PostgreSQL reports locations as byte offsets into the UTF-8 text; the AST
// wants JavaScript string offsets. For ASCII text (nearly all SQL) the two
// agree and no table is built.

import type { SourcePosition } from '../ast/index.js';
import { errorPosition } from './errors.js';

// Non-ASCII text is the exception: a regexp test is cheaper than always mapping.
const nonAscii = /[\u0080-\uffff]/;

export class SourceMap {
  /** utf16ByByte[b] is the string offset of the character holding byte b; null for ASCII text. */
  private readonly utf16ByByte: Uint32Array | null;

  constructor(readonly text: string) {
    this.utf16ByByte = nonAscii.test(text) ? buildTable(text) : null;
  }

  /**
   * A PostgreSQL location (byte offset) as an AST position. libpg-query omits
   * fields equal to zero, so an absent location is offset 0; -1 stays -1.
   */
  position(byteOffset: number | undefined): SourcePosition {
    const offset = byteOffset ?? 0;
    if (offset < 0) return -1;
    if (this.utf16ByByte === null) return offset;
    return this.utf16ByByte[Math.min(offset, this.utf16ByByte.length - 1)] ?? this.text.length;
  }

  /** The 1-based character position PostgreSQL puts in an ErrorResponse, for an AST position. */
  errorPosition(position: SourcePosition): number | undefined {
    return errorPosition(this.text, position);
  }
}

function buildTable(text: string): Uint32Array {
  const table = new Uint32Array(Buffer.byteLength(text, 'utf8') + 1);
  let byte = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.codePointAt(i) ?? 0;
    const width = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    for (let k = 0; k < width; k++) table[byte + k] = i;
    byte += width;
    if (code >= 0x10000) i++; // the low surrogate belongs to the same character
  }
  table[byte] = text.length;
  return table;
}
