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

/** Recent committed entries kept decoded: more than a column store batch lags behind the row store under load (~100 at 2k commits/s). */
const sharedSlots = 512;
/**
 * Larger entries (bulk loads, parts of large transactions) are not kept:
 * their rows would stay decoded long after apply. OLTP entries are a few
 * hundred bytes; at most 512 × 4 KiB of entries and their decoded effects stay.
 */
const sharedBytesMax = 4096;
const slotData: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(sharedSlots).fill(undefined);
const slotDecoded: (DecodedEntry | undefined)[] = new Array<DecodedEntry | undefined>(sharedSlots).fill(undefined);

/**
 * decodeEntry, once per committed entry. Every node hands each committed
 * entry to several consumers of committed$ (the row store, the engine's
 * modification tracker, the column store), and each decoded it, CRC
 * included: the first call decodes and the others get the same (immutable)
 * object. The last `sharedSlots` entries are kept, by log index, and a hit
 * must be the same buffer (identity), so another entry at that index (a
 * replay, another store in the same process) decodes its own bytes. Bounded
 * on purpose: keyed weakly by the bytes, decoded entries would live as long
 * as the WAL's tail cache holds the bytes (16 MiB of entries). Entry bytes
 * are never written after they are sealed. A decode error is not kept:
 * every consumer meets it.
 */
export function decodeCommittedEntry(index: number, data: Uint8Array): DecodedEntry {
  const slot = index % sharedSlots;
  if (slotData[slot] === data) {
    const known = slotDecoded[slot];
    if (known !== undefined) return known;
  }
  const decoded = decodeEntry(data);
  if (data.length <= sharedBytesMax) {
    slotData[slot] = data;
    slotDecoded[slot] = decoded;
  }
  return decoded;
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
