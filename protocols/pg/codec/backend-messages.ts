// Encoders of the messages the server sends. Each appends one message to a
// BufferWriter; the session flushes the writer once per batch.
import {
  AuthCode,
  BackendType,
  EncryptionAnswer,
  FormatCode,
  type TransactionStatus,
} from './constants.js';
import type { BufferWriter } from './buffer-writer.js';
import { invariant } from './assert.js';

/** One column of a RowDescription. */
export interface FieldDescription {
  readonly name: string;
  /** OID of the table the column comes from, else 0. */
  readonly tableOid: number;
  /** Attribute number of that column, else 0. */
  readonly columnNumber: number;
  readonly typeOid: number;
  /** pg_type.typlen: bytes of a fixed-size type, -1 variable length, -2 C string (see typeSizeByOid). */
  readonly typeSize: number;
  /** pg_attribute.atttypmod, -1 when none (e.g. varchar(10) is 14). */
  readonly typeModifier: number;
  readonly format: FormatCode;
}

// ---- startup and authentication ----

export function writeAuthenticationOk(w: BufferWriter): void {
  writeAuthentication(w, AuthCode.Ok);
}

export function writeAuthenticationCleartextPassword(w: BufferWriter): void {
  writeAuthentication(w, AuthCode.CleartextPassword);
}

/** `salt` is 4 random bytes. */
export function writeAuthenticationMd5Password(w: BufferWriter, salt: Uint8Array): void {
  invariant(salt.length === 4, 'an MD5 salt is 4 bytes');
  w.beginMessage(BackendType.Authentication);
  w.int32(AuthCode.Md5Password);
  w.bytes(salt);
  w.endMessage();
}

/** The SASL mechanisms offered, in order of preference (e.g. SCRAM-SHA-256). */
export function writeAuthenticationSasl(w: BufferWriter, mechanisms: readonly string[]): void {
  w.beginMessage(BackendType.Authentication);
  w.int32(AuthCode.Sasl);
  for (const mechanism of mechanisms) w.cstring(mechanism);
  w.uint8(0);
  w.endMessage();
}

export function writeAuthenticationSaslContinue(w: BufferWriter, data: Uint8Array | string): void {
  writeSaslData(w, AuthCode.SaslContinue, data);
}

export function writeAuthenticationSaslFinal(w: BufferWriter, data: Uint8Array | string): void {
  writeSaslData(w, AuthCode.SaslFinal, data);
}

export function writeParameterStatus(w: BufferWriter, name: string, value: string): void {
  w.beginMessage(BackendType.ParameterStatus);
  w.cstring(name);
  w.cstring(value);
  w.endMessage();
}

export function writeBackendKeyData(w: BufferWriter, processId: number, secretKey: number): void {
  w.beginMessage(BackendType.BackendKeyData);
  w.int32(processId);
  w.int32(secretKey);
  w.endMessage();
}

/**
 * The answer to a StartupMessage asking for a newer minor version or sending
 * `_pq_.` options we do not know: the newest minor we speak, and those options.
 */
export function writeNegotiateProtocolVersion(
  w: BufferWriter,
  protocolMinorVersionLatest: number,
  unrecognizedOptions: readonly string[],
): void {
  w.beginMessage(BackendType.NegotiateProtocolVersion);
  w.int32(protocolMinorVersionLatest);
  w.int32(unrecognizedOptions.length);
  for (const option of unrecognizedOptions) w.cstring(option);
  w.endMessage();
}

/** The one unframed byte answering SSLRequest / GSSENCRequest: 'S' accept, 'N' refuse. */
export function writeEncryptionAnswer(w: BufferWriter, accepted: boolean): void {
  w.uint8(accepted ? EncryptionAnswer.Accept : EncryptionAnswer.Refuse);
}

// ---- query results ----

export function writeReadyForQuery(w: BufferWriter, status: TransactionStatus): void {
  w.beginMessage(BackendType.ReadyForQuery);
  w.uint8(status.charCodeAt(0));
  w.endMessage();
}

export function writeRowDescription(w: BufferWriter, fields: readonly FieldDescription[]): void {
  w.beginMessage(BackendType.RowDescription);
  w.int16(fields.length);
  for (const field of fields) {
    w.cstring(field.name);
    w.uint32(field.tableOid);
    w.int16(field.columnNumber);
    w.uint32(field.typeOid);
    w.int16(field.typeSize);
    w.int32(field.typeModifier);
    w.int16(field.format);
  }
  w.endMessage();
}

/**
 * Values already formatted by the caller: a string is text-format data
 * (written straight into the buffer as UTF-8), bytes are written as they are
 * (binary format, or pre-encoded text), null is SQL NULL.
 */
export function writeDataRow(w: BufferWriter, values: readonly (Uint8Array | string | null)[]): void {
  w.beginMessage(BackendType.DataRow);
  w.int16(values.length);
  for (const value of values) w.lengthPrefixed(value);
  w.endMessage();
}

/** `tag` such as "SELECT 3", "INSERT 0 1", "BEGIN". */
export function writeCommandComplete(w: BufferWriter, tag: string): void {
  w.beginMessage(BackendType.CommandComplete);
  w.cstring(tag);
  w.endMessage();
}

export function writeEmptyQueryResponse(w: BufferWriter): void {
  w.emptyMessage(BackendType.EmptyQueryResponse);
}

export function writeParseComplete(w: BufferWriter): void {
  w.emptyMessage(BackendType.ParseComplete);
}

export function writeBindComplete(w: BufferWriter): void {
  w.emptyMessage(BackendType.BindComplete);
}

export function writeCloseComplete(w: BufferWriter): void {
  w.emptyMessage(BackendType.CloseComplete);
}

export function writeNoData(w: BufferWriter): void {
  w.emptyMessage(BackendType.NoData);
}

export function writePortalSuspended(w: BufferWriter): void {
  w.emptyMessage(BackendType.PortalSuspended);
}

export function writeParameterDescription(w: BufferWriter, typeOids: readonly number[]): void {
  w.beginMessage(BackendType.ParameterDescription);
  w.int16(typeOids.length);
  for (const oid of typeOids) w.uint32(oid);
  w.endMessage();
}

// ---- COPY and notifications ----

export function writeCopyInResponse(w: BufferWriter, format: FormatCode, columnFormats: readonly FormatCode[]): void {
  writeCopyResponse(w, BackendType.CopyInResponse, format, columnFormats);
}

export function writeCopyOutResponse(w: BufferWriter, format: FormatCode, columnFormats: readonly FormatCode[]): void {
  writeCopyResponse(w, BackendType.CopyOutResponse, format, columnFormats);
}

export function writeCopyData(w: BufferWriter, data: Uint8Array | string): void {
  w.beginMessage(BackendType.CopyData);
  if (typeof data === 'string') w.string(data);
  else w.bytes(data);
  w.endMessage();
}

export function writeCopyDone(w: BufferWriter): void {
  w.emptyMessage(BackendType.CopyDone);
}

export function writeNotificationResponse(w: BufferWriter, processId: number, channel: string, payload: string): void {
  w.beginMessage(BackendType.NotificationResponse);
  w.int32(processId);
  w.cstring(channel);
  w.cstring(payload);
  w.endMessage();
}

function writeAuthentication(w: BufferWriter, code: number): void {
  w.beginMessage(BackendType.Authentication);
  w.int32(code);
  w.endMessage();
}

function writeSaslData(w: BufferWriter, code: number, data: Uint8Array | string): void {
  w.beginMessage(BackendType.Authentication);
  w.int32(code);
  if (typeof data === 'string') w.string(data);
  else w.bytes(data);
  w.endMessage();
}

function writeCopyResponse(
  w: BufferWriter,
  type: typeof BackendType.CopyInResponse | typeof BackendType.CopyOutResponse,
  format: FormatCode,
  columnFormats: readonly FormatCode[],
): void {
  // In text format every column must be text too (protocol rule).
  invariant(format === FormatCode.Binary || columnFormats.every((f) => f === FormatCode.Text), 'text COPY has text columns');
  w.beginMessage(type);
  w.int8(format);
  w.int16(columnFormats.length);
  for (const columnFormat of columnFormats) w.int16(columnFormat);
  w.endMessage();
}
