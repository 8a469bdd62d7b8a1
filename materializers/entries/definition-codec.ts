// Binary codecs of the catalog object definitions, shared by DDL entries and
// the catalog the row store persists at checkpoints. Binary rather than JSON
// because definitions hold typed values (missingValue, bigint sequence
// bounds) that JSON cannot carry without a second encoding.

import type { ByteReader } from './byte-reader.js';
import type { ByteWriter } from './byte-writer.js';
import type {
  CheckConstraintDef, ColumnDef, DatabaseDef, IndexDef, PrimaryKeyDef, SchemaDef, SequenceDataType, SequenceDef,
  TableDefinition, UniqueConstraintDef,
} from './definitions.js';
import { EntryDecodeError } from './errors.js';
import { expressionBytesMax, identifierBytesMax, rowColumnsMax, tableConstraintsMax } from './limits.js';
import { readSqlType, writeSqlType } from './sql-type-codec.js';
import { valueCodecFor } from './value-codec.js';

/** Object ids fit in the u32 key prefix of the row store. */
const objectIdMax = 0xffff_ffff;

export function writeName(w: ByteWriter, name: string): void {
  w.utf8(name);
}
export function readName(r: ByteReader, what: string): string {
  return r.utf8(identifierBytesMax, what);
}

export function readObjectId(r: ByteReader, what: string): number {
  const id = r.varuint();
  if (id > objectIdMax) throw new EntryDecodeError('malformed', `${what} ${id} beyond u32`);
  return id;
}

function writeIds(w: ByteWriter, ids: readonly number[]): void {
  w.varuint(ids.length);
  for (const id of ids) w.varuint(id);
}
function readIds(r: ByteReader, what: string): number[] {
  const n = r.count(rowColumnsMax, what);
  return Array.from({ length: n }, () => readObjectId(r, what));
}

function writeList<T>(w: ByteWriter, items: readonly T[], write: (w: ByteWriter, item: T) => void): void {
  w.varuint(items.length);
  for (const item of items) write(w, item);
}
function readList<T>(r: ByteReader, max: number, what: string, read: (r: ByteReader) => T): T[] {
  const n = r.count(Math.min(max, r.remaining), what);
  return Array.from({ length: n }, () => read(r));
}

const ColumnFlag = { NotNull: 1, Default: 2, Identity: 4, IdentityAlways: 8, Sequence: 16, Missing: 32 } as const;
const columnFlagsAll = 63;

function writeColumn(w: ByteWriter, c: ColumnDef): void {
  w.varuint(c.id);
  writeName(w, c.name);
  writeSqlType(w, c.type);
  const hasMissing = c.missingValue !== undefined && c.missingValue !== null;
  let flags = c.notNull ? ColumnFlag.NotNull : 0;
  if (c.defaultExpr !== undefined) flags |= ColumnFlag.Default;
  if (c.identity !== undefined) flags |= ColumnFlag.Identity | (c.identity === 'always' ? ColumnFlag.IdentityAlways : 0);
  if (c.sequenceId !== undefined) flags |= ColumnFlag.Sequence;
  if (hasMissing) flags |= ColumnFlag.Missing;
  w.u8(flags);
  if (c.defaultExpr !== undefined) w.utf8(c.defaultExpr);
  if (c.sequenceId !== undefined) w.varuint(c.sequenceId);
  if (hasMissing && c.missingValue !== undefined && c.missingValue !== null) valueCodecFor(c.type).write(w, c.missingValue);
}

function readColumn(r: ByteReader): ColumnDef {
  const id = readObjectId(r, 'column id');
  const name = readName(r, 'column name');
  const type = readSqlType(r);
  const flags = r.u8();
  if ((flags & ~columnFlagsAll) !== 0 || ((flags & ColumnFlag.IdentityAlways) !== 0 && (flags & ColumnFlag.Identity) === 0)) {
    throw new EntryDecodeError('malformed', `column flags ${flags}`);
  }
  const column: { -readonly [K in keyof ColumnDef]: ColumnDef[K] } = { id, name, type, notNull: (flags & ColumnFlag.NotNull) !== 0 };
  if ((flags & ColumnFlag.Default) !== 0) column.defaultExpr = r.utf8(expressionBytesMax, 'default expression');
  if ((flags & ColumnFlag.Identity) !== 0) column.identity = (flags & ColumnFlag.IdentityAlways) !== 0 ? 'always' : 'by default';
  if ((flags & ColumnFlag.Sequence) !== 0) column.sequenceId = readObjectId(r, 'column sequence id');
  if ((flags & ColumnFlag.Missing) !== 0) column.missingValue = valueCodecFor(type).read(r);
  return column;
}

function writeIndex(w: ByteWriter, index: IndexDef): void {
  w.varuint(index.id);
  writeName(w, index.name);
  writeIds(w, index.columnIds);
  w.u8(index.unique ? 1 : 0);
}
function readIndex(r: ByteReader): IndexDef {
  const id = readObjectId(r, 'index id');
  const name = readName(r, 'index name');
  const columnIds = readIds(r, 'index columns');
  return { id, name, columnIds, unique: readBool(r, 'index unique flag') };
}

export function readBool(r: ByteReader, what: string): boolean {
  const b = r.u8();
  if (b > 1) throw new EntryDecodeError('malformed', `${what} ${b}`);
  return b === 1;
}

function writeOptionalId(w: ByteWriter, id: number | null): void {
  w.varuint(id === null ? 0 : id);
}
function readOptionalId(r: ByteReader, what: string): number | null {
  const id = readObjectId(r, what);
  return id === 0 ? null : id;
}

export function writeTableDefinition(w: ByteWriter, t: TableDefinition): void {
  w.varuint(t.id);
  writeName(w, t.databaseName);
  writeName(w, t.schemaName);
  writeName(w, t.name);
  writeList(w, t.columns, writeColumn);
  w.u8(t.primaryKey === null ? 0 : 1);
  if (t.primaryKey !== null) {
    writeName(w, t.primaryKey.name);
    writeIds(w, t.primaryKey.columnIds);
  }
  writeOptionalId(w, t.rowIdSequenceId);
  writeList(w, t.uniqueConstraints, (w2, u) => {
    writeName(w2, u.name);
    writeIds(w2, u.columnIds);
    w2.varuint(u.indexId);
  });
  writeList(w, t.checkConstraints, (w2, c) => {
    writeName(w2, c.name);
    w2.utf8(c.expr);
  });
  writeList(w, t.indexes, writeIndex);
}

export function readTableDefinition(r: ByteReader): TableDefinition {
  const id = readObjectId(r, 'table id');
  const databaseName = readName(r, 'database name');
  const schemaName = readName(r, 'schema name');
  const name = readName(r, 'table name');
  const columns = readList(r, rowColumnsMax, 'columns', readColumn);
  let primaryKey: PrimaryKeyDef | null = null;
  if (readBool(r, 'primary key flag')) primaryKey = { name: readName(r, 'primary key name'), columnIds: readIds(r, 'primary key columns') };
  const rowIdSequenceId = readOptionalId(r, 'row id sequence');
  const uniqueConstraints = readList(r, tableConstraintsMax, 'unique constraints', (r2): UniqueConstraintDef => ({
    name: readName(r2, 'constraint name'), columnIds: readIds(r2, 'constraint columns'), indexId: readObjectId(r2, 'index id'),
  }));
  const checkConstraints = readList(r, tableConstraintsMax, 'check constraints', (r2): CheckConstraintDef => ({
    name: readName(r2, 'constraint name'), expr: r2.utf8(expressionBytesMax, 'check expression'),
  }));
  const indexes = readList(r, tableConstraintsMax, 'indexes', readIndex);
  return { id, databaseName, schemaName, name, columns, primaryKey, rowIdSequenceId, uniqueConstraints, checkConstraints, indexes };
}

export function writeDatabase(w: ByteWriter, d: DatabaseDef): void {
  w.varuint(d.id);
  writeName(w, d.name);
}
export function readDatabase(r: ByteReader): DatabaseDef {
  return { id: readObjectId(r, 'database id'), name: readName(r, 'database name') };
}

export function writeSchema(w: ByteWriter, s: SchemaDef): void {
  w.varuint(s.id);
  writeName(w, s.databaseName);
  writeName(w, s.name);
}
export function readSchema(r: ByteReader): SchemaDef {
  return { id: readObjectId(r, 'schema id'), databaseName: readName(r, 'database name'), name: readName(r, 'schema name') };
}

const sequenceDataTypes: readonly SequenceDataType[] = ['int2', 'int4', 'int8'];

export function writeSequence(w: ByteWriter, s: SequenceDef): void {
  w.varuint(s.id);
  writeName(w, s.databaseName);
  writeName(w, s.schemaName);
  writeName(w, s.name);
  w.u8(sequenceDataTypes.indexOf(s.dataType));
  for (const v of [s.start, s.increment, s.min, s.max]) w.i64(v);
  w.u8(s.cycle ? 1 : 0);
  w.u8(s.ownedBy === null ? 0 : 1);
  if (s.ownedBy !== null) {
    w.varuint(s.ownedBy.tableId);
    w.varuint(s.ownedBy.columnId);
  }
}

export function readSequence(r: ByteReader): SequenceDef {
  const id = readObjectId(r, 'sequence id');
  const databaseName = readName(r, 'database name');
  const schemaName = readName(r, 'schema name');
  const name = readName(r, 'sequence name');
  const typeIndex = r.u8();
  const dataType = sequenceDataTypes[typeIndex];
  if (dataType === undefined) throw new EntryDecodeError('malformed', `sequence data type ${typeIndex}`);
  const [start, increment, min, max] = [r.i64(), r.i64(), r.i64(), r.i64()];
  const cycle = readBool(r, 'sequence cycle flag');
  const ownedBy = readBool(r, 'sequence owner flag')
    ? { tableId: readObjectId(r, 'owner table id'), columnId: readObjectId(r, 'owner column id') }
    : null;
  return { id, databaseName, schemaName, name, dataType, start, increment, min, max, cycle, ownedBy };
}
