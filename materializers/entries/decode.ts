// Decoding of whole entries: the envelope, then the payload of its type.

import { unreachable } from '../assert.js';
import { readDdlPartPayload, readDdlPayload } from './ddl.js';
import type { DdlEntry } from './definitions.js';
import { EntryType, openEnvelope } from './envelope.js';
import { EntryDecodeError } from './errors.js';
import type { LayoutResolver } from './row-codec.js';
import {
  decodeEffectRows, readTxnAbortPayload, readTxnPartPayload, readTxnPayload, type RawTxnEntry, type TxnEntry, type TxnPartInfo,
} from './txn.js';

export type DecodedEntry =
  | { readonly type: 'txn'; readonly txn: RawTxnEntry }
  | { readonly type: 'ddl'; readonly ddl: DdlEntry }
  /** One part of a multi-part transaction (its effects apply with the last part's). */
  | { readonly type: 'txnPart'; readonly txn: RawTxnEntry; readonly part: TxnPartInfo }
  | { readonly type: 'txnAbort'; readonly txnId: bigint }
  /** A catalog change that is one part of a multi-part transaction (DDL in a transaction block). */
  | { readonly type: 'ddlPart'; readonly ddl: DdlEntry; readonly txnId: bigint; readonly part: TxnPartInfo };

/** Decodes any entry; txn rows stay encoded (see decodeEffectRows). Throws EntryDecodeError. */
export function decodeEntry(data: Uint8Array): DecodedEntry {
  const { type, payload } = openEnvelope(data);
  switch (type) {
    case EntryType.Txn: return { type: 'txn', txn: readTxnPayload(payload) };
    case EntryType.Ddl: return { type: 'ddl', ddl: readDdlPayload(payload) };
    case EntryType.TxnPart: return { type: 'txnPart', ...readTxnPartPayload(payload) };
    case EntryType.TxnAbort: return { type: 'txnAbort', txnId: readTxnAbortPayload(payload) };
    case EntryType.DdlPart: return { type: 'ddlPart', ...readDdlPartPayload(payload) };
    default: return unreachable(type, 'entry type');
  }
}

/** Decodes a txn entry (or one txn part's effects) with its rows; `layoutsOf(tableId)` resolves that table's layouts. */
export function decodeTxnEntry(data: Uint8Array, layoutsOf: (tableId: number) => LayoutResolver): TxnEntry {
  const decoded = decodeEntry(data);
  if (decoded.type !== 'txn' && decoded.type !== 'txnPart') throw new EntryDecodeError('version', `expected a txn entry, found ${decoded.type}`);
  const { txn } = decoded;
  return { ...txn, effects: txn.effects.map((effect) => decodeEffectRows(effect, layoutsOf(effect.tableId))) };
}

/** Decodes a DDL entry. */
export function decodeDdlEntry(data: Uint8Array): DdlEntry {
  const decoded = decodeEntry(data);
  if (decoded.type !== 'ddl' && decoded.type !== 'ddlPart') throw new EntryDecodeError('version', `expected a ddl entry, found ${decoded.type}`);
  return decoded.ddl;
}
