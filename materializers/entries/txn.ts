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
//
// A transaction too large for one entry is proposed as parts (EntryType.TxnPart):
//
//   [u8 flags: bit 0 = continues (more parts follow)][varuint part number][txn payload as above]
//
// Part numbers count from 0; every part but the last has `continues` set, all
// carry the same txnId, and the leader appends them at consecutive indexes
// (one synchronous propose loop, so one term). The row store buffers parts and
// applies the whole transaction at the last part's index (see
// rowstore/txn-parts.ts for the rule that drops an unfinished one). A
// transaction that fits in one entry stays a plain EntryType.Txn entry.
//
// An abort marker (EntryType.TxnAbort) is `[u64 txnId]`.

import { unreachable } from '../assert.js';
import { ByteReader } from './byte-reader.js';
import { ByteWriter } from './byte-writer.js';
import { EffectTooLargeError, EntryDecodeError, EntryEncodeError } from './errors.js';
import { keyBytesMax, txnEffectsMax, txnPartsMax, txnSequencesMax, valueBytesMax } from './limits.js';
import { decodeRow, writeRow, type DecodedRow, type LayoutResolver, type RowLayout } from './row-codec.js';
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
  /** decodeAfterRow's memo: the after row decoded by the first consumer of a shared decoded entry. */
  afterDecoded?: DecodedRow | undefined;
}

/**
 * The effect's after row decoded, once for every consumer of a decoded entry
 * they share (decodeCommittedEntry): the row store decodes it, the column
 * store reuses it. A layout id names the same layout in every catalog that
 * knows it (layouts are never changed or reused), so the first consumer's
 * resolver gives what the others' would.
 */
export function decodeAfterRow(effect: RawTxnEffect, resolve: LayoutResolver): DecodedRow | null {
  if (effect.after === null) return null;
  let decoded = effect.afterDecoded;
  if (decoded === undefined) {
    decoded = decodeRow(effect.after, resolve);
    effect.afterDecoded = decoded;
  }
  return decoded;
}

export interface RawTxnEntry {
  readonly txnId: bigint;
  readonly sessionId: number;
  readonly commitTsMicros: bigint;
  readonly effects: readonly RawTxnEffect[];
  readonly sequences: readonly SequenceMark[];
}

/** Where a part sits in a multi-part transaction. */
export interface TxnPartInfo {
  /** 0 for the first part. */
  readonly number: number;
  /** More parts follow (false: the last part). */
  readonly continues: boolean;
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
  if (effect.after !== undefined) writeRowWithLength(w, layout, effect.after);
  if (effect.before !== undefined) writeRowWithLength(w, layout, effect.before);
}

/** Reused by writeEffect (never re-entered). */
const effectRowScratch = new ByteWriter();

/** A length-prefixed row: encoded into a scratch writer (the length comes first), then copied, with no array per row. */
function writeRowWithLength(w: ByteWriter, layout: RowLayout, row: Row): void {
  const scratch = effectRowScratch;
  scratch.reset();
  writeRow(scratch, layout, row);
  w.bytesWithLength(scratch.written());
}

/** Part header flag bits. Written to the log: never renumber. */
const partContinuesFlag = 1;

/**
 * The log entry data of one transaction. `layoutOf` gives each table's
 * current layout (catalog TableDef.layout): rows are in its column order.
 * With `part`, the entry is one part of a multi-part transaction (TxnPart).
 */
export function encodeTxnEntry(txn: TxnEntry, layoutOf: (tableId: number) => RowLayout, part?: TxnPartInfo): Uint8Array {
  if (txn.txnId < 0n || txn.txnId > u64Max) throw new EntryEncodeError(`txnId ${txn.txnId} beyond u64`);
  if (txn.commitTsMicros < int64Min || txn.commitTsMicros > int64Max) throw new EntryEncodeError('commitTsMicros beyond int64');
  if (txn.effects.length > txnEffectsMax) throw new EntryEncodeError(`${txn.effects.length} effects (at most ${txnEffectsMax})`);
  if (txn.sequences.length > txnSequencesMax) throw new EntryEncodeError(`${txn.sequences.length} sequence marks (at most ${txnSequencesMax})`);
  const w = startEnvelope(part === undefined ? EntryType.Txn : EntryType.TxnPart, 64 + txn.effects.length * 64);
  if (part !== undefined) writePartHeader(w, part);
  writeTxnHeader(w, txn);
  w.varuint(txn.effects.length);
  for (const effect of txn.effects) writeEffect(w, effect, layoutOf);
  return sealEnvelope(w);
}

/** txnId, session, commit timestamp and sequence marks: what precedes the effects. */
function writeTxnHeader(w: ByteWriter, txn: Omit<TxnEntry, 'effects'>): void {
  if (txn.txnId < 0n || txn.txnId > u64Max) throw new EntryEncodeError(`txnId ${txn.txnId} beyond u64`);
  if (txn.commitTsMicros < int64Min || txn.commitTsMicros > int64Max) throw new EntryEncodeError('commitTsMicros beyond int64');
  w.u64(txn.txnId);
  w.varuint(txn.sessionId);
  w.i64(txn.commitTsMicros);
  w.varuint(txn.sequences.length);
  for (const mark of txn.sequences) {
    if (mark.value < int64Min || mark.value > int64Max) throw new EntryEncodeError(`sequence ${mark.sequenceId} value beyond int64`);
    w.varuint(mark.sequenceId);
    w.i64(mark.value);
  }
}

/** Envelope, part header, txn header, effect count and CRC, with room to spare; sequence marks come on top. */
const streamFixedBytes = 64;
const streamBytesPerSequence = 16;

/**
 * Encodes a transaction effect by effect, cutting it into TxnPart entries of
 * at most `bytesMax` bytes and `effectsMax` effects as it goes (a plain Txn
 * entry if everything fits in one). For transactions too large to hold as
 * rows and effects first (ADD PRIMARY KEY's copy of a whole table): each row
 * is encoded once, straight into the part it lands in, and the caller's rows
 * can be dropped as soon as they are added. Sequence marks go in the first
 * part, as in encodeTxnEntry.
 */
export class TxnStreamEncoder {
  private readonly effectBytes = new ByteWriter();
  private readonly scratch = new ByteWriter();
  private count = 0;
  private added = 0;
  private readonly parts: Uint8Array[] = [];

  constructor(
    private readonly header: Omit<TxnEntry, 'effects'>,
    private readonly layoutOf: (tableId: number) => RowLayout,
    private readonly bytesMax: number,
    private readonly effectsMax: number,
    /** Parts before these (DdlPart entries of the same transaction): numbering starts here, and even one part is a TxnPart. */
    private readonly firstPartNumber = 0,
  ) {
    if (header.sequences.length > txnSequencesMax) throw new EntryEncodeError(`${header.sequences.length} sequence marks (at most ${txnSequencesMax})`);
    if (effectsMax < 1 || effectsMax > txnEffectsMax) throw new EntryEncodeError(`effectsMax ${effectsMax} (1 to ${txnEffectsMax})`);
  }

  /** Effect bytes one entry can take beside its headers. */
  private budgetBytes(): number {
    return this.bytesMax - streamFixedBytes - (this.parts.length === 0 ? this.header.sequences.length * streamBytesPerSequence : 0);
  }

  /** Effects added so far. */
  get effectCount(): number {
    return this.added;
  }

  add(effect: TxnEffect): void {
    const s = this.scratch;
    s.reset();
    writeEffect(s, effect, this.layoutOf);
    if (this.count > 0 && (this.count >= this.effectsMax || this.effectBytes.offset + s.offset > this.budgetBytes())) this.seal(true);
    if (s.offset > this.budgetBytes()) throw new EffectTooLargeError(s.offset, this.bytesMax);
    this.effectBytes.raw(s.written());
    this.count++;
    this.added++;
  }

  /**
   * Effects encoded before the transaction's header was known
   * (EncodedEffects, a bulk COPY's rows): copied in as they are, cutting a
   * part before the chunk if it does not fit beside what the part holds.
   */
  addEncoded(chunk: EncodedEffectChunk): void {
    if (chunk.count === 0) return;
    if (this.count > 0 && (this.count + chunk.count > this.effectsMax || this.effectBytes.offset + chunk.bytes.length > this.budgetBytes())) this.seal(true);
    // Part 0 also carries the sequence marks: with many, it goes alone, without effects.
    if (this.count === 0 && chunk.bytes.length > this.budgetBytes() && this.parts.length === 0 && this.header.sequences.length > 0) this.seal(true);
    if (chunk.bytes.length > this.budgetBytes()) throw new EffectTooLargeError(chunk.bytes.length, this.bytesMax);
    if (chunk.count > this.effectsMax) throw new EntryEncodeError(`an encoded chunk of ${chunk.count} effects (at most ${this.effectsMax} a part)`);
    this.effectBytes.raw(chunk.bytes);
    this.count += chunk.count;
    this.added += chunk.count;
  }

  /** The entries to propose, in order, in one synchronous loop (all parts, or one Txn entry). */
  finish(): Uint8Array[] {
    if (this.parts.length === 0 && this.firstPartNumber === 0) return [this.encode(undefined)];
    this.seal(false);
    return this.parts;
  }

  private seal(continues: boolean): void {
    this.parts.push(this.encode({ number: this.firstPartNumber + this.parts.length, continues }));
    this.effectBytes.reset(Number.POSITIVE_INFINITY);
    this.count = 0;
  }

  private encode(part: TxnPartInfo | undefined): Uint8Array {
    const sequences = part === undefined || part.number === this.firstPartNumber ? this.header.sequences : [];
    const w = startEnvelope(part === undefined ? EntryType.Txn : EntryType.TxnPart, streamFixedBytes + sequences.length * streamBytesPerSequence + this.effectBytes.offset);
    if (part !== undefined) writePartHeader(w, part);
    writeTxnHeader(w, { ...this.header, sequences });
    w.varuint(this.count);
    w.raw(this.effectBytes.written());
    return sealEnvelope(w);
  }
}

/** Effects encoded ahead of their transaction: concatenated effect encodings and how many. */
export interface EncodedEffectChunk {
  readonly bytes: Uint8Array;
  readonly count: number;
}

/**
 * Effects encoded one at a time into chunks that each fit a part
 * (TxnStreamEncoder.addEncoded), before the transaction's id, timestamp and
 * sequence marks are known: a bulk COPY keeps its rows as these bytes, not
 * as row objects, until COMMIT wraps them into parts. `chunkBytesMax` leaves
 * room for a part's headers.
 */
export class EncodedEffects {
  private readonly current = new ByteWriter();
  private currentCount = 0;
  private sealedBytes = 0;
  readonly chunks: EncodedEffectChunk[] = [];

  constructor(private readonly layoutOf: (tableId: number) => RowLayout, private readonly chunkBytesMax: number, private readonly effectsMax: number) {
    if (chunkBytesMax < 1024) throw new EntryEncodeError(`chunkBytesMax ${chunkBytesMax} (at least 1024)`);
    if (effectsMax < 1 || effectsMax > txnEffectsMax) throw new EntryEncodeError(`effectsMax ${effectsMax} (1 to ${txnEffectsMax})`);
  }

  /** Effects added. */
  get count(): number {
    let n = this.currentCount;
    for (const c of this.chunks) n += c.count;
    return n;
  }

  /** Encoded bytes held. */
  get bytes(): number {
    return this.sealedBytes + this.current.offset;
  }

  add(effect: TxnEffect): void {
    const w = this.current;
    const start = w.offset;
    writeEffect(w, effect, this.layoutOf);
    if (w.offset <= this.chunkBytesMax && this.currentCount < this.effectsMax) {
      this.currentCount++;
      return;
    }
    if (start === 0) throw new EffectTooLargeError(w.offset, this.chunkBytesMax);
    // Over the chunk: seal what came before, then this effect starts the next chunk.
    const last = w.written().slice(start);
    this.chunks.push({ bytes: w.written().slice(0, start), count: this.currentCount });
    this.sealedBytes += start;
    w.reset(0);
    w.raw(last);
    this.currentCount = 1;
  }

  /** The keys of the effects added so far, the open chunk's too (views, valid until the next add). */
  *keys(): Generator<Uint8Array> {
    for (const chunk of this.chunks) for (const effect of readEncodedEffects(chunk)) yield effect.key;
    const open = readEncodedEffects({ bytes: this.current.written(), count: this.currentCount });
    for (const effect of open) yield effect.key;
  }

  /** Every chunk, the open one sealed; the caller owns them (nothing more may be added). */
  finish(): EncodedEffectChunk[] {
    if (this.currentCount > 0) {
      this.chunks.push({ bytes: this.current.finish(), count: this.currentCount });
      this.sealedBytes += this.current.offset;
      this.current.reset(0);
      this.currentCount = 0;
    }
    return this.chunks;
  }
}

/** The effects of a chunk, rows still encoded (views into the chunk). */
export function readEncodedEffects(chunk: EncodedEffectChunk): RawTxnEffect[] {
  const r = new ByteReader(chunk.bytes);
  const out: RawTxnEffect[] = [];
  for (let i = 0; i < chunk.count; i++) out.push(readRawEffect(r));
  r.expectEnd('encoded effects');
  return out;
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
  // afterDecoded present from the start: one object shape for every effect.
  return { tableId, op, key, after, before, afterDecoded: undefined };
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

/** Writes the part header shared by TxnPart and DdlPart entries. */
export function writePartHeader(w: ByteWriter, part: TxnPartInfo): void {
  if (!Number.isSafeInteger(part.number) || part.number < 0 || part.number >= txnPartsMax) {
    throw new EntryEncodeError(`part number ${part.number} (0 to ${txnPartsMax - 1})`);
  }
  w.u8(part.continues ? partContinuesFlag : 0);
  w.varuint(part.number);
}

export function readPartHeader(r: ByteReader): TxnPartInfo {
  const flags = r.u8();
  if ((flags & ~partContinuesFlag) !== 0) throw new EntryDecodeError('malformed', `txn part flags ${flags}`);
  const number = r.varuint();
  if (number >= txnPartsMax) throw new EntryDecodeError('malformed', `txn part number ${number} (at most ${txnPartsMax - 1})`);
  return { number, continues: (flags & partContinuesFlag) !== 0 };
}

/** Decodes a TxnPart payload: the part header, then the txn payload. */
export function readTxnPartPayload(r: ByteReader): { readonly part: TxnPartInfo; readonly txn: RawTxnEntry } {
  const part = readPartHeader(r);
  return { part, txn: readTxnPayload(r) };
}

/** An abort marker: the leader gave up the multi-part transaction `txnId`. */
export function encodeTxnAbortEntry(txnId: bigint): Uint8Array {
  if (txnId < 0n || txnId > u64Max) throw new EntryEncodeError(`txnId ${txnId} beyond u64`);
  const w = startEnvelope(EntryType.TxnAbort, 8);
  w.u64(txnId);
  return sealEnvelope(w);
}

export function readTxnAbortPayload(r: ByteReader): bigint {
  const txnId = r.u64();
  r.expectEnd('txn abort entry');
  return txnId;
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
