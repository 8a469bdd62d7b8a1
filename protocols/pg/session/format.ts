// The one place protocols/pg meets query/types' value I/O: RowDescription
// fields, text and binary cells (typoutput/typsend), Bind parameters
// (typinput/typreceive), parameter OIDs. A thin adapter over query/types'
// index: formatting lives there, protocol rules (format codes, parameter
// numbering in errors) here.
import type { FieldDescription, FormatCode } from '../codec/index.js';
import { decodeUtf8, FormatCode as Format, ProtocolViolation } from '../codec/index.js';
import type { ResultColumn } from '../../../query/engine.js';
import type { SqlType, SqlValue, TimeZone, TypeSession } from '../../../query/types/index.js';
import {
  decodeBinary,
  encodeBinary,
  formatText,
  LazyNowSession,
  parseText,
  parseTimeZoneSetting,
  SqlError,
  SqlTypes,
  typeFromOid,
  typeLength,
  typeModifier,
  typeOid,
  utcZone,
} from '../../../query/types/index.js';
import { sessionError, SessionSqlState } from './errors.js';

/** One cell of a DataRow: text, binary bytes, or NULL. */
export type CellEncoder = (value: SqlValue) => string | Uint8Array | null;

/** Parse's "leave it to the server" OIDs: 0, and `unknown` (705) which some drivers send. */
const inferredTypeOids: ReadonlySet<number> = new Set([0, 705]);

/**
 * PostgreSQL types ThunderDB has no type for but whose values it can hold:
 * drivers declare them for parameters (JDBC sends `name` and `oid`).
 */
const parameterTypeAliases: ReadonlyMap<number, SqlType> = new Map<number, SqlType>([
  [18, SqlTypes.text], // "char"
  [19, SqlTypes.text], // name
  [26, SqlTypes.int8], // oid: unsigned 32-bit
]);

/** A Parse parameter OID as an SqlType; undefined leaves it to the engine. Throws 42704 for OIDs we do not know. */
export function parameterType(oid: number): SqlType | undefined {
  if (inferredTypeOids.has(oid)) return undefined;
  const type = typeFromOid(oid) ?? parameterTypeAliases.get(oid);
  if (type === undefined) throw sessionError(SessionSqlState.UndefinedObject, `type with OID ${oid} does not exist`);
  return type;
}

/** ParameterDescription's OIDs. */
export function parameterTypeOids(types: readonly SqlType[]): number[] {
  return types.map(typeOid);
}

/** Bind's result formats, one per column, by the protocol's 0 / 1 / n rule. */
export function resultFormats(requested: readonly FormatCode[], columnCount: number): FormatCode[] {
  if (requested.length === 0) return new Array<FormatCode>(columnCount).fill(Format.Text);
  const only = requested[0];
  if (requested.length === 1 && only !== undefined) return new Array<FormatCode>(columnCount).fill(only);
  if (requested.length === columnCount) return [...requested];
  throw sessionError(
    SessionSqlState.ProtocolViolation,
    `bind message has ${requested.length} result formats but query has ${columnCount} columns`,
  );
}

/** The check `resultFormats` makes, without building the list (Bind, before the portal runs). */
export function checkResultFormats(requested: readonly FormatCode[], columnCount: number): void {
  if (requested.length > 1 && requested.length !== columnCount) resultFormats(requested, columnCount);
}

export function fieldDescriptions(columns: readonly ResultColumn[], formats: readonly FormatCode[]): FieldDescription[] {
  return columns.map((column, i) => ({
    name: column.name,
    tableOid: column.tableId,
    columnNumber: column.columnNumber,
    typeOid: typeOid(column.type),
    typeSize: typeLength(column.type),
    typeModifier: typeModifier(column.type),
    format: formats[i] ?? Format.Text,
  }));
}

/** One encoder per column, chosen once per result rather than per cell. */
export function cellEncoders(columns: readonly ResultColumn[], formats: readonly FormatCode[], session: TypeSession): CellEncoder[] {
  return columns.map((column, i) => {
    const type = column.type;
    if (formats[i] === Format.Binary) return (value) => (value === null ? null : encodeBinary(value, type));
    // Strings of text types are their own text form: skip the dispatch for the commonest cells.
    if (type.kind === 'text' || type.kind === 'varchar') return (value) => (value === null ? null : (value as string));
    return (value) => (value === null ? null : formatText(value, type, session));
  });
}

/** What query/types' receive functions say when a value has bytes left over (PostgreSQL's wording). */
const incorrectBinaryFormat = 'incorrect binary data format';

/** One Bind parameter: NULL, text through the type's input function, or binary through its receive function. */
export function decodeParameter(raw: Buffer | null, format: FormatCode, type: SqlType, session: TypeSession, index: number): SqlValue {
  if (raw === null) return null;
  if (format === Format.Text) {
    const text = decodeUtf8(raw);
    if (text instanceof ProtocolViolation) throw new SqlError(text.sqlState, text.message);
    return parseText(text, type, session);
  }
  try {
    // A plain Uint8Array view, not the Buffer: values decoded from it (bytea) are then copies made
    // with Uint8Array.slice, whereas Buffer.slice would return a view into the socket read.
    return decodeBinary(new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength), type);
  } catch (error) {
    // PostgreSQL names the parameter (1-based) when its binary form has bytes to spare.
    if (error instanceof SqlError && error.sqlState === SessionSqlState.InvalidBinaryRepresentation && error.message === incorrectBinaryFormat) {
      throw sessionError(SessionSqlState.InvalidBinaryRepresentation, `incorrect binary data format in bind parameter ${index + 1}`);
    }
    throw error;
  }
}

/** µs between 1970-01-01 and 2000-01-01, PostgreSQL's epoch. */
const postgresEpochUnixMicros = 946_684_800_000_000n;

/** The real clock in the unit TypeSession wants: µs since 2000-01-01 UTC. */
export function systemNowMicros(): bigint {
  return BigInt(Date.now()) * 1000n - postgresEpochUnixMicros;
}

/**
 * TypeSessions for the engine's reported TimeZone. The zone is parsed once
 * per distinct setting; a setting the engine accepted but we cannot parse
 * falls back to UTC rather than failing every statement.
 */
export class TypeSessions {
  private zoneSetting: string | undefined;
  private zone: TimeZone = utcZone;

  constructor(private readonly nowMicros: () => bigint = systemNowMicros) {}

  current(timeZoneSetting: string | undefined): TypeSession {
    if (timeZoneSetting !== this.zoneSetting) {
      this.zoneSetting = timeZoneSetting;
      this.zone = zoneOf(timeZoneSetting);
    }
    // 'now' only when a value asks for it (input of 'now'/'today'): most statements never do.
    return new LazyNowSession(this.zone, this.nowMicros);
  }
}

function zoneOf(setting: string | undefined): TimeZone {
  if (setting === undefined) return utcZone;
  try {
    return parseTimeZoneSetting(setting);
  } catch {
    return utcZone;
  }
}
