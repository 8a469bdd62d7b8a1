// materializers/entries: the versioned envelope of every log entry and the
// binary codecs of its payloads (transactions, DDL) and of rows.

export { EffectTooLargeError, EntryDecodeError, EntryEncodeError, type EntryDecodeReason } from './errors.js';
export * from './limits.js';
export { ByteReader } from './byte-reader.js';
export { ByteWriter } from './byte-writer.js';
export { EntryType, entryFormatVersion, openEnvelope, type OpenedEnvelope } from './envelope.js';
export {
  Decimal, Jsonb, JsonbObject, sameType, SqlError, type Interval, type JsonbValue, type Row, type ScalarSqlType, type SqlType, type SqlValue,
} from './query-types.js';
export type {
  CheckConstraintDef, ColumnDef, DatabaseDef, DdlChange, DdlChangeKind, DdlEntry, IdentityKind, IndexDef, PrimaryKeyDef,
  SchemaDef, SequenceDataType, SequenceDef, TableDefinition, UniqueConstraintDef,
} from './definitions.js';
export {
  readDatabase, readSchema, readSequence, readTableDefinition, writeDatabase, writeSchema, writeSequence, writeTableDefinition,
} from './definition-codec.js';
export { readSqlType, writeSqlType } from './sql-type-codec.js';
export { valueCodecFor, type ValueCodec } from './value-codec.js';
export {
  decodeRow, encodeRow, readRow, rowLayoutId, writeRow, type DecodedRow, type LayoutColumn, type LayoutResolver, type RowLayout,
} from './row-codec.js';
export {
  decodeAfterRow, decodeEffectRows, EncodedEffects, encodeTxnAbortEntry, encodeTxnEntry, readEncodedEffects, TxnStreamEncoder, type EncodedEffectChunk, type EffectOp, type RawTxnEffect, type RawTxnEntry, type SequenceMark,
  type TxnEffect, type TxnEntry, type TxnPartInfo,
} from './txn.js';
export { TxnPartAssembler, type AssembledEntry, type DecodedPart } from './txn-parts.js';
export { encodeDdlEntry } from './ddl.js';
export { decodeCommittedEntry, decodeDdlEntry, decodeEntry, decodeTxnEntry, type DecodedEntry } from './decode.js';
