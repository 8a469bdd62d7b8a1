// The body of a 'p' message means different things depending on which
// authentication request the session sent, so the decoder leaves it raw and
// the session picks one of these. Violations here are fatal: a failed or
// garbled authentication ends the connection in PostgreSQL too.
import { FrontendType } from './constants.js';
import { BodyError, BodyReader } from './body-reader.js';
import type { ProtocolViolation } from './violation.js';
import { fatalViolation } from './violation.js';

export interface PasswordResponse {
  /** Cleartext password, or "md5" + 32 hex digits after AuthenticationMD5Password. */
  readonly password: string;
}

export interface SaslInitialResponse {
  readonly mechanism: string;
  /** null when the client sent length -1 (no initial response). A view into the body. */
  readonly initialResponse: Buffer | null;
}

export interface SaslResponse {
  /** The whole body: the mechanism's next message. A view into the body. */
  readonly data: Buffer;
}

/** PasswordMessage: one NUL-terminated string filling the body. */
export function decodePassword(body: Buffer): PasswordResponse | ProtocolViolation {
  return decodeAuthBody(body, (r) => {
    const password = r.cstring();
    r.expectEnd();
    return { password };
  });
}

/** SASLInitialResponse: mechanism name, Int32 length (-1 for none), response bytes. */
export function decodeSaslInitialResponse(body: Buffer): SaslInitialResponse | ProtocolViolation {
  return decodeAuthBody(body, (r) => {
    const mechanism = r.cstring();
    const length = r.int32();
    const initialResponse = length === -1 ? null : r.bytes(length);
    r.expectEnd();
    return { mechanism, initialResponse };
  });
}

/** SASLResponse: the body is the mechanism's data, with no framing of its own. */
export function decodeSaslResponse(body: Buffer): SaslResponse {
  return { data: body };
}

function decodeAuthBody<T>(body: Buffer, read: (r: BodyReader) => T): T | ProtocolViolation {
  try {
    return read(new BodyReader(body));
  } catch (error) {
    if (!(error instanceof BodyError)) throw error;
    return fatalViolation(error.sqlState, error.message, FrontendType.AuthResponse);
  }
}
