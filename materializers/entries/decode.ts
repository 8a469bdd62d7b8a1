// Decoding of whole entries: the envelope, then the payload of its type.

import { unreachable } from '../assert.js';
import { readDdlPayload } from './ddl.js';
import type { DdlEntry } from './definitions.js';
import { EntryType, openEnvelope } from './envelope.js';
import { EntryDecodeError } from './errors.js';
import type { LayoutResolver } from './row-codec.js';
import { decodeEffectRows, readTxnPayload, type RawTxnEntry, type TxnEntry } from './txn.js';

export type DecodedEntry =
  | { readonly type: 'txn'; readonly txn: RawTxnEntry }
  | { readonly type: 'ddl'; readonly ddl: DdlEntry };

/** Decodes any entry; txn rows stay encoded (see decodeEffectRows). Throws EntryDecodeError. */
export function decodeEntry(data: Uint8Array): DecodedEntry {
  const { type, payload } = openEnvelope(data);
  switch (type) {
    case EntryType.Txn: return { type: 'txn', txn: readTxnPayload(payload) };
    case EntryType.Ddl: return { type: 'ddl', ddl: readDdlPayload(payload) };
    default: return unreachable(type, 'entry type');
  }
}

/** Decodes a txn entry with its rows; `layoutsOf(tableId)` resolves that table's layouts. */
export function decodeTxnEntry(data: Uint8Array, layoutsOf: (tableId: number) => LayoutResolver): TxnEntry {
  const decoded = decodeEntry(data);
  if (decoded.type !== 'txn') throw new EntryDecodeError('version', `expected a txn entry, found ${decoded.type}`);
  const { txn } = decoded;
  return { ...txn, effects: txn.effects.map((effect) => decodeEffectRows(effect, layoutsOf(effect.tableId))) };
}

/** Decodes a DDL entry. */
export function decodeDdlEntry(data: Uint8Array): DdlEntry {
  const decoded = decodeEntry(data);
  if (decoded.type !== 'ddl') throw new EntryDecodeError('version', `expected a ddl entry, found ${decoded.type}`);
  return decoded.ddl;
}
