// The DDL entry: [varuint n][n changes], each [u8 change code][definition or id].

import { unreachable } from '../assert.js';
import type { ByteReader } from './byte-reader.js';
import type { ByteWriter } from './byte-writer.js';
import {
  readDatabase, readObjectId, readSchema, readSequence, readTableDefinition, writeDatabase, writeSchema, writeSequence,
  writeTableDefinition,
} from './definition-codec.js';
import type { DdlChange, DdlChangeKind, DdlEntry } from './definitions.js';
import { EntryDecodeError, EntryEncodeError } from './errors.js';
import { ddlChangesMax } from './limits.js';
import { EntryType, sealEnvelope, startEnvelope } from './envelope.js';
import { readPartHeader, writePartHeader, type TxnPartInfo } from './txn.js';

/** Change codes. Written to the log: never renumber. */
const changeCodes = {
  createDatabase: 1, dropDatabase: 2, createSchema: 3, dropSchema: 4, createTable: 5, alterTable: 6, dropTable: 7,
  truncateTable: 8, createSequence: 9, alterSequence: 10, dropSequence: 11,
} as const satisfies Record<DdlChangeKind, number>;
const kindByCode = new Map<number, DdlChangeKind>(
  (Object.entries(changeCodes) as [DdlChangeKind, number][]).map(([kind, code]) => [code, kind]));

function writeChange(w: ByteWriter, change: DdlChange): void {
  w.u8(changeCodes[change.kind]);
  switch (change.kind) {
    case 'createDatabase': return writeDatabase(w, change.database);
    case 'dropDatabase': return w.varuint(change.databaseId);
    case 'createSchema': return writeSchema(w, change.schema);
    case 'dropSchema': return w.varuint(change.schemaId);
    case 'createTable':
    case 'alterTable': return writeTableDefinition(w, change.table);
    case 'dropTable':
    case 'truncateTable': return w.varuint(change.tableId);
    case 'createSequence':
    case 'alterSequence': return writeSequence(w, change.sequence);
    case 'dropSequence': return w.varuint(change.sequenceId);
    default: return unreachable(change, 'ddl change');
  }
}

function readChange(r: ByteReader): DdlChange {
  const code = r.u8();
  const kind = kindByCode.get(code);
  if (kind === undefined) throw new EntryDecodeError('malformed', `ddl change code ${code}`);
  switch (kind) {
    case 'createDatabase': return { kind, database: readDatabase(r) };
    case 'dropDatabase': return { kind, databaseId: readObjectId(r, 'database id') };
    case 'createSchema': return { kind, schema: readSchema(r) };
    case 'dropSchema': return { kind, schemaId: readObjectId(r, 'schema id') };
    case 'createTable':
    case 'alterTable': return { kind, table: readTableDefinition(r) };
    case 'dropTable':
    case 'truncateTable': return { kind, tableId: readObjectId(r, 'table id') };
    case 'createSequence':
    case 'alterSequence': return { kind, sequence: readSequence(r) };
    case 'dropSequence': return { kind, sequenceId: readObjectId(r, 'sequence id') };
    default: return unreachable(kind, 'ddl change kind');
  }
}

export function writeDdlPayload(w: ByteWriter, ddl: DdlEntry): void {
  if (ddl.changes.length === 0 || ddl.changes.length > ddlChangesMax) {
    throw new EntryEncodeError(`a DDL entry holds 1 to ${ddlChangesMax} changes, not ${ddl.changes.length}`);
  }
  w.varuint(ddl.changes.length);
  for (const change of ddl.changes) writeChange(w, change);
}

export function readDdlPayload(r: ByteReader): DdlEntry {
  const n = r.count(ddlChangesMax, 'ddl changes');
  if (n === 0) throw new EntryDecodeError('malformed', 'ddl entry without changes');
  const changes = Array.from({ length: n }, () => readChange(r));
  r.expectEnd('ddl entry');
  return { changes };
}

/**
 * The log entry data of one DDL entry; with `part`, one DdlPart of the
 * multi-part transaction `part.txnId` (DDL in a transaction block).
 */
export function encodeDdlEntry(ddl: DdlEntry, part?: TxnPartInfo & { readonly txnId: bigint }): Uint8Array {
  const w = startEnvelope(part === undefined ? EntryType.Ddl : EntryType.DdlPart);
  if (part !== undefined) {
    writePartHeader(w, part);
    if (part.txnId < 0n || part.txnId >= 2n ** 64n) throw new EntryEncodeError(`txnId ${part.txnId} beyond u64`);
    w.u64(part.txnId);
  }
  writeDdlPayload(w, ddl);
  return sealEnvelope(w);
}

/** Decodes a DdlPart payload: part header, txnId, DDL payload. */
export function readDdlPartPayload(r: ByteReader): { readonly part: TxnPartInfo; readonly txnId: bigint; readonly ddl: DdlEntry } {
  const part = readPartHeader(r);
  const txnId = r.u64();
  return { part, txnId, ddl: readDdlPayload(r) };
}
