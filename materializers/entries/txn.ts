// The transaction entry: one committed transaction's row effects, in execution
// order, and the sequence high-water marks it moved.
//
//   [u64 txnId][varuint sessionId][i64 commitTsMicros]
//   [varuint nSequences] { [varuint sequenceId][i64 value] }
//   [varuint nEffects]   { [varuint tableId][u8 op][varuint keyBytes][key]
//                          [varuint rowBytes][after row]   (insert, update)
//                          [varuint rowBytes][before row]  (update, delete) }
//
// Rows are length-prefixed so the envelope decodes without the catalog; the
// row store decodes each row with its table's layouts at apply time.

import { unreachable } from '../assert.js';
import type { ByteReader } from './byte-reader.js';
import type { ByteWriter } from './byte-writer.js';
import { EntryDecodeError, EntryEncodeError } from './errors.js';
import { keyBytesMax, txnEffectsMax, txnSequencesMax, valueBytesMax } from './limits.js';
import { decodeRow, encodeRow, type LayoutResolver, type RowLayout } from './row-codec.js';
import type { Row } from './query-types.js';
import { EntryType, sealEnvelope, startEnvelope } from './envelope.js';

export type EffectOp = 'insert' | 'update' | 'delete';

/** One row-level effect. `before` is required for update and delete, `after` for insert and update. */
export interface TxnEffect {
  readonly tableId: number;
  readonly op: EffectOp;
  /** The memcomparable primary key (keys/encodeKey), or the encoded hidden row id. No table prefix. */
  readonly key: Uint8Array;
  /** The full new row, in the table's current column order. */
  readonly after?: Row;
  /** The full old row, in the table's current column order. */
  readonly before?: Row;
}

/** A new high-water mark of a sequence: the last value handed out (or reserved) by the leader. */
export interface SequenceMark {
  readonly sequenceId: number;
  readonly value: bigint;
}

export interface TxnEntry {
  readonly txnId: bigint;
  readonly sessionId: number;
  /** Taken by the leader when the transaction executed: replay never reads a clock. */
  readonly commitTsMicros: bigint;
  readonly effects: readonly TxnEffect[];
  readonly sequences: readonly SequenceMark[];
}

/** An effect with its rows still encoded (layout-prefixed row bytes, views into the entry). */
export interface RawTxnEffect {
  readonly tableId: number;
  readonly op: EffectOp;
  readonly key: Uint8Array;
  readonly after: Uint8Array | null;
  readonly before: Uint8Array | null;
}

export interface RawTxnEntry {
  readonly txnId: bigint;
  readonly sessionId: number;
  readonly commitTsMicros: bigint;
  readonly effects: readonly RawTxnEffect[];
  readonly sequences: readonly SequenceMark[];
}

/** Op codes. Written to the log: never renumber. */
const opCodes = { insert: 1, update: 2, delete: 3 } as const satisfies Record<EffectOp, number>;
const u64Max = 2n ** 64n - 1n;
const int64Min = -(2n ** 63n);
const int64Max = 2n ** 63n - 1n;

function hasAfter(op: EffectOp): boolean {
  return op !== 'delete';
}
function hasBefore(op: EffectOp): boolean {
  return op !== 'insert';
}

function writeEffect(w: ByteWriter, effect: TxnEffect, layoutOf: (tableId: number) => RowLayout): void {
  if (effect.key.length === 0 || effect.key.length > keyBytesMax) {
    throw new EntryEncodeError(`effect key of ${effect.key.length} bytes (1 to ${keyBytesMax})`);
  }
  if (hasAfter(effect.op) !== (effect.after !== undefined) || hasBefore(effect.op) !== (effect.before !== undefined)) {
    throw new EntryEncodeError(`${effect.op} effect on table ${effect.tableId}: after is required for insert and update, before for update and delete`);
  }
  const layout = layoutOf(effect.tableId);
  w.varuint(effect.tableId);
  w.u8(opCodes[effect.op]);
  w.bytesWithLength(effect.key);
  if (effect.after !== undefined) w.bytesWithLength(encodeRow(layout, effect.after));
  if (effect.before !== undefined) w.bytesWithLength(encodeRow(layout, effect.before));
}

/**
 * The log entry data of one transaction. `layoutOf` gives each table's
 * current layout (catalog TableDef.layout): rows are in its column order.
 */
export function encodeTxnEntry(txn: TxnEntry, layoutOf: (tableId: number) => RowLayout): Uint8Array {
  if (txn.txnId < 0n || txn.txnId > u64Max) throw new EntryEncodeError(`txnId ${txn.txnId} beyond u64`);
  if (txn.commitTsMicros < int64Min || txn.commitTsMicros > int64Max) throw new EntryEncodeError('commitTsMicros beyond int64');
  if (txn.effects.length > txnEffectsMax) throw new EntryEncodeError(`${txn.effects.length} effects (at most ${txnEffectsMax})`);
  if (txn.sequences.length > txnSequencesMax) throw new EntryEncodeError(`${txn.sequences.length} sequence marks (at most ${txnSequencesMax})`);
  const w = startEnvelope(EntryType.Txn, 64 + txn.effects.length * 64);
  w.u64(txn.txnId);
  w.varuint(txn.sessionId);
  w.i64(txn.commitTsMicros);
  w.varuint(txn.sequences.length);
  for (const mark of txn.sequences) {
    if (mark.value < int64Min || mark.value > int64Max) throw new EntryEncodeError(`sequence ${mark.sequenceId} value beyond int64`);
    w.varuint(mark.sequenceId);
    w.i64(mark.value);
  }
  w.varuint(txn.effects.length);
  for (const effect of txn.effects) writeEffect(w, effect, layoutOf);
  return sealEnvelope(w);
}

function readOp(r: ByteReader): EffectOp {
  const code = r.u8();
  switch (code) {
    case opCodes.insert: return 'insert';
    case opCodes.update: return 'update';
    case opCodes.delete: return 'delete';
    default: throw new EntryDecodeError('malformed', `effect op code ${code}`);
  }
}

function readRawEffect(r: ByteReader): RawTxnEffect {
  const tableId = r.varuint();
  const op = readOp(r);
  const key = r.bytesWithLength(keyBytesMax, 'effect key bytes');
  if (key.length === 0) throw new EntryDecodeError('malformed', 'empty effect key');
  const after = hasAfter(op) ? r.bytesWithLength(valueBytesMax, 'row bytes') : null;
  const before = hasBefore(op) ? r.bytesWithLength(valueBytesMax, 'row bytes') : null;
  return { tableId, op, key, after, before };
}

/** Decodes a txn payload, leaving rows encoded. */
export function readTxnPayload(r: ByteReader): RawTxnEntry {
  const txnId = r.u64();
  const sessionId = r.varuint();
  const commitTsMicros = r.i64();
  const nSequences = r.count(Math.min(txnSequencesMax, r.remaining), 'sequence marks');
  const sequences: SequenceMark[] = [];
  for (let i = 0; i < nSequences; i++) sequences.push({ sequenceId: r.varuint(), value: r.i64() });
  const nEffects = r.count(Math.min(txnEffectsMax, r.remaining), 'effects');
  const effects: RawTxnEffect[] = [];
  for (let i = 0; i < nEffects; i++) effects.push(readRawEffect(r));
  r.expectEnd('txn entry');
  return { txnId, sessionId, commitTsMicros, effects, sequences };
}

/** Decodes the rows of a raw effect with its table's layouts (rows keep the layout they were written with). */
export function decodeEffectRows(effect: RawTxnEffect, layouts: LayoutResolver): TxnEffect {
  const decode = (bytes: Uint8Array | null): Row | undefined => (bytes === null ? undefined : decodeRow(bytes, layouts).row);
  const after = decode(effect.after);
  const before = decode(effect.before);
  const base = { tableId: effect.tableId, op: effect.op, key: effect.key.slice() };
  switch (effect.op) {
    case 'insert': return { ...base, after };
    case 'update': return { ...base, after, before };
    case 'delete': return { ...base, before };
    default: return unreachable(effect.op, 'effect op');
  }
}
