// The envelope of every Raft entry's data (rqlite's { version, type, payload }):
//
//   [u8 format version][u8 entry type][payload ...][u32 CRC-32C of all bytes before it]
//
// The CRC trailer is part of format version 1: entries leave the WAL (Raft
// transport, snapshots, backups, change streams), and a flipped bit must fail
// loudly at decode rather than apply as a different row.

import { crc32c } from '@node-rs/crc32';
import { ByteReader } from './byte-reader.js';
import { ByteWriter } from './byte-writer.js';
import { EntryDecodeError } from './errors.js';

export const entryFormatVersion = 1;

/** The entry types. Written to the log: never renumber. */
export const EntryType = {
  /** One committed transaction: its row effects and sequence high-water marks. */
  Txn: 1,
  /** One atomic catalog change (a list of create/alter/drop/truncate changes). */
  Ddl: 2,
  /**
   * One part of a transaction too large for one entry: a txn payload behind a
   * part header (txn.ts). Parts are applied together when the last one is.
   */
  TxnPart: 3,
  /** The leader gave up a multi-part transaction it began proposing: its parts are dropped. */
  TxnAbort: 4,
  /**
   * One part of a multi-part transaction that is a catalog change (DDL in a
   * transaction block): `[part header][u64 txnId][ddl payload]`, applied with
   * the other parts, in part order, at the last part's index.
   */
  DdlPart: 5,
} as const;
export type EntryType = (typeof EntryType)[keyof typeof EntryType];

const headerBytes = 2;
const crcBytes = 4;
const knownTypes: ReadonlySet<number> = new Set(Object.values(EntryType));

/** A writer with the envelope header written; finish it with sealEnvelope(). */
export function startEnvelope(type: EntryType, capacityBytes?: number): ByteWriter {
  const w = new ByteWriter(capacityBytes);
  w.u8(entryFormatVersion);
  w.u8(type);
  return w;
}

/** Appends the CRC trailer and returns the entry's bytes. */
export function sealEnvelope(w: ByteWriter): Uint8Array {
  // One copy: the CRC of the written bytes is appended in the writer, then
  // the whole entry is copied out once (an 8 MiB part was copied three times).
  w.u32(crc32c(w.written()));
  return w.finish();
}

export interface OpenedEnvelope {
  readonly type: EntryType;
  /** A reader positioned at the payload, bounded before the CRC trailer. */
  readonly payload: ByteReader;
}

/** Checks length, CRC, version and type; the payload is decoded by the type's codec. */
export function openEnvelope(data: Uint8Array): OpenedEnvelope {
  if (data.length < headerBytes + crcBytes) {
    throw new EntryDecodeError('truncated', `entry of ${data.length} bytes is shorter than its envelope`);
  }
  const bodyBytes = data.length - crcBytes;
  const body = data.subarray(0, bodyBytes);
  // Little-endian u32 read in place (no DataView per entry).
  const stored = ((data[bodyBytes] ?? 0) | ((data[bodyBytes + 1] ?? 0) << 8) | ((data[bodyBytes + 2] ?? 0) << 16) | ((data[bodyBytes + 3] ?? 0) << 24)) >>> 0;
  if (crc32c(body) !== stored) throw new EntryDecodeError('checksum', 'entry CRC-32C mismatch');
  const version = body[0];
  if (version !== entryFormatVersion) throw new EntryDecodeError('version', `entry format version ${version}`);
  const type = body[1] ?? 0;
  if (!knownTypes.has(type)) throw new EntryDecodeError('version', `entry type ${type}`);
  return { type: type as EntryType, payload: new ByteReader(body, headerBytes) };
}
