// ErrorResponse and NoticeResponse: a list of (field code, string) pairs.
import { BackendType } from './constants.js';
import type { BufferWriter } from './buffer-writer.js';

export type ErrorSeverity = 'ERROR' | 'FATAL' | 'PANIC';
export type NoticeSeverity = 'WARNING' | 'NOTICE' | 'DEBUG' | 'INFO' | 'LOG';

/** Fields of an ErrorResponse or NoticeResponse, named as in PostgreSQL's docs. */
export interface ReportFields<Severity extends string> {
  /** Written twice: localized (S) and not (V); we do not localize. */
  readonly severity: Severity;
  /** SQLSTATE (C). */
  readonly code: string;
  /** Primary message (M): one line, no trailing period. */
  readonly message: string;
  readonly detail?: string | undefined; // D
  readonly hint?: string | undefined; // H
  /** 1-based character index into the query string (P). */
  readonly position?: number | undefined;
  /** Like position, into `internalQuery` (p). */
  readonly internalPosition?: number | undefined;
  readonly internalQuery?: string | undefined; // q
  readonly where?: string | undefined; // W
  readonly schemaName?: string | undefined; // s
  readonly tableName?: string | undefined; // t
  readonly columnName?: string | undefined; // c
  readonly dataTypeName?: string | undefined; // d
  readonly constraintName?: string | undefined; // n
  readonly file?: string | undefined; // F
  readonly line?: number | undefined; // L
  readonly routine?: string | undefined; // R
}

export type ErrorFields = ReportFields<ErrorSeverity>;
export type NoticeFields = ReportFields<NoticeSeverity>;

export function writeErrorResponse(w: BufferWriter, fields: ErrorFields): void {
  writeReport(w, BackendType.ErrorResponse, fields);
}

export function writeNoticeResponse(w: BufferWriter, fields: NoticeFields): void {
  writeReport(w, BackendType.NoticeResponse, fields);
}

/** Field codes in the order PostgreSQL sends them. */
const optionalFields = [
  [0x44, 'detail'], // D
  [0x48, 'hint'], // H
  [0x50, 'position'], // P
  [0x70, 'internalPosition'], // p
  [0x71, 'internalQuery'], // q
  [0x57, 'where'], // W
  [0x73, 'schemaName'], // s
  [0x74, 'tableName'], // t
  [0x63, 'columnName'], // c
  [0x64, 'dataTypeName'], // d
  [0x6e, 'constraintName'], // n
  [0x46, 'file'], // F
  [0x4c, 'line'], // L
  [0x52, 'routine'], // R
] as const satisfies readonly (readonly [number, keyof ReportFields<string>])[];

function writeReport(
  w: BufferWriter,
  type: typeof BackendType.ErrorResponse | typeof BackendType.NoticeResponse,
  fields: ReportFields<string>,
): void {
  w.beginMessage(type);
  writeField(w, 0x53, fields.severity); // S
  writeField(w, 0x56, fields.severity); // V
  writeField(w, 0x43, fields.code); // C
  writeField(w, 0x4d, fields.message); // M
  for (const [code, key] of optionalFields) {
    const value = fields[key];
    if (value !== undefined) writeField(w, code, String(value));
  }
  w.uint8(0);
  w.endMessage();
}

function writeField(w: BufferWriter, code: number, value: string): void {
  w.uint8(code);
  w.cstring(value);
}
