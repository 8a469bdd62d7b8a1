// The messages a PostgreSQL client sends, as the decoder hands them to the
// session. Buffers in them are views into the pushed chunks (see DESIGN.md).
import { FormatCode } from './constants.js';

/** StartupMessage. `parameters` is a Map so keys like `__proto__` stay plain data. */
export interface StartupMessage {
  readonly kind: 'startup';
  readonly protocolMajorVersion: 3;
  /** A minor version above 0 asks for NegotiateProtocolVersion, not an error. */
  readonly protocolMinorVersion: number;
  /** In packet order; a repeated key keeps its last value, as in PostgreSQL. */
  readonly parameters: ReadonlyMap<string, string>;
}

/** SSLRequest. The decoder waits for `resumeStartup` before reading on. */
export interface SslRequestMessage {
  readonly kind: 'sslRequest';
}

/** GSSENCRequest. The decoder waits for `resumeStartup` before reading on. */
export interface GssEncRequestMessage {
  readonly kind: 'gssEncRequest';
}

/** CancelRequest, sent on a fresh connection; nothing else is read after it. */
export interface CancelRequestMessage {
  readonly kind: 'cancelRequest';
  readonly processId: number;
  readonly secretKey: number;
}

export interface QueryMessage {
  readonly kind: 'query';
  readonly sql: string;
}

export interface ParseMessage {
  readonly kind: 'parse';
  /** '' is the unnamed statement. */
  readonly statementName: string;
  readonly sql: string;
  /** 0 leaves a parameter's type to be inferred. May be shorter than the parameters used. */
  readonly parameterTypeOids: readonly number[];
}

export interface BindMessage {
  readonly kind: 'bind';
  /** '' is the unnamed portal. */
  readonly portalName: string;
  readonly statementName: string;
  /** Length 0 (all text), 1 (applies to all) or one per value: use `formatCodeAt`. */
  readonly parameterFormats: readonly FormatCode[];
  /** null is SQL NULL. Text-format values are unvalidated bytes: see `decodeUtf8`. */
  readonly parameterValues: readonly (Buffer | null)[];
  /** Length 0 (all text), 1 (applies to all) or one per result column. */
  readonly resultFormats: readonly FormatCode[];
}

export type DescribeTarget = 'statement' | 'portal';

export interface DescribeMessage {
  readonly kind: 'describe';
  readonly target: DescribeTarget;
  readonly name: string;
}

export interface ExecuteMessage {
  readonly kind: 'execute';
  readonly portalName: string;
  /** 0 means all rows (PostgreSQL treats every value <= 0 so; it is normalised to 0). */
  readonly rowsMax: number;
}

export interface SyncMessage {
  readonly kind: 'sync';
}

export interface FlushMessage {
  readonly kind: 'flush';
}

export interface CloseMessage {
  readonly kind: 'close';
  readonly target: DescribeTarget;
  readonly name: string;
}

/** Terminate. The decoder reads nothing after it. */
export interface TerminateMessage {
  readonly kind: 'terminate';
}

export interface CopyDataMessage {
  readonly kind: 'copyData';
  readonly data: Buffer;
}

export interface CopyDoneMessage {
  readonly kind: 'copyDone';
}

export interface CopyFailMessage {
  readonly kind: 'copyFail';
  readonly reason: string;
}

/**
 * A 'p' message: PasswordMessage, SASLInitialResponse, SASLResponse or
 * GSSResponse. Which one depends on the authentication exchange the session
 * started, so the body stays raw: decode it with `decodePassword`,
 * `decodeSaslInitialResponse` or `decodeSaslResponse`.
 */
export interface AuthResponseMessage {
  readonly kind: 'authResponse';
  readonly body: Buffer;
}

/** FunctionCall (the legacy fast-path interface): decoded so the session can reject it politely. */
export interface FunctionCallMessage {
  readonly kind: 'functionCall';
  readonly functionOid: number;
  readonly argumentFormats: readonly FormatCode[];
  readonly argumentValues: readonly (Buffer | null)[];
  readonly resultFormat: FormatCode;
}

/** Messages that may only be the first on a connection (they have no type byte). */
export type StartupPhaseMessage =
  | StartupMessage
  | SslRequestMessage
  | GssEncRequestMessage
  | CancelRequestMessage;

/** Messages with a type byte, after the startup packet. */
export type TypedFrontendMessage =
  | QueryMessage
  | ParseMessage
  | BindMessage
  | DescribeMessage
  | ExecuteMessage
  | SyncMessage
  | FlushMessage
  | CloseMessage
  | TerminateMessage
  | CopyDataMessage
  | CopyDoneMessage
  | CopyFailMessage
  | AuthResponseMessage
  | FunctionCallMessage;

export type FrontendMessage = StartupPhaseMessage | TypedFrontendMessage;

/** The format that applies to value `index` of a Bind or FunctionCall, per the protocol's 0/1/n rule. */
export function formatCodeAt(formats: readonly FormatCode[], index: number): FormatCode {
  const code = formats.length === 1 ? formats[0] : formats[index];
  return code ?? FormatCode.Text;
}
