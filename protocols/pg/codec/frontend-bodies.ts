// Decoding the body of one correctly framed typed message. A bad body is a
// non-fatal violation: the frame boundary is known, so the decoder can go on
// with the next message, as PostgreSQL does (it reports ERROR, not FATAL).
import { FrontendType, SqlState } from './constants.js';
import type { DescribeTarget, TypedFrontendMessage } from './frontend-messages.js';
import { BodyError, BodyReader } from './body-reader.js';
import { unreachable } from './assert.js';
import { ProtocolViolation } from './violation.js';

/** Decodes `body` (the bytes after the length word) of a message of type `type`. */
export function decodeTypedBody(type: FrontendType, body: Buffer): TypedFrontendMessage | ProtocolViolation {
  try {
    return decodeFields(type, new BodyReader(body));
  } catch (error) {
    if (!(error instanceof BodyError)) throw error;
    return new ProtocolViolation(error.sqlState, error.message, false, type);
  }
}

function decodeFields(type: FrontendType, r: BodyReader): TypedFrontendMessage {
  switch (type) {
    case FrontendType.Query:
      return ended(r, { kind: 'query', sql: r.cstring() });
    case FrontendType.Parse:
      return ended(r, { kind: 'parse', statementName: r.cstring(), sql: r.cstring(), parameterTypeOids: r.oids() });
    case FrontendType.Bind:
      return readBind(r);
    case FrontendType.Describe:
      return readDescribeOrClose(r, 'describe');
    case FrontendType.Close:
      return readDescribeOrClose(r, 'close');
    case FrontendType.Execute: {
      const portalName = r.cstring();
      const rows = r.int32();
      return ended(r, { kind: 'execute', portalName, rowsMax: rows > 0 ? rows : 0 });
    }
    case FrontendType.Sync:
      return ended(r, { kind: 'sync' });
    case FrontendType.Flush:
      return ended(r, { kind: 'flush' });
    case FrontendType.Terminate:
      return ended(r, { kind: 'terminate' });
    case FrontendType.CopyData:
      return { kind: 'copyData', data: r.rest() };
    case FrontendType.CopyDone:
      return ended(r, { kind: 'copyDone' });
    case FrontendType.CopyFail:
      return ended(r, { kind: 'copyFail', reason: r.cstring() });
    case FrontendType.AuthResponse:
      return { kind: 'authResponse', body: r.rest() };
    case FrontendType.FunctionCall:
      return readFunctionCall(r);
    default:
      return unreachable(type);
  }
}

function ended<M extends TypedFrontendMessage>(r: BodyReader, message: M): M {
  r.expectEnd();
  return message;
}

function readBind(r: BodyReader): TypedFrontendMessage {
  const portalName = r.cstring();
  const statementName = r.cstring();
  const parameterFormats = r.formatCodes();
  const parameterValues = r.values();
  if (parameterFormats.length > 1 && parameterFormats.length !== parameterValues.length) {
    throw formatCountError(`bind message has ${parameterFormats.length} parameter formats but ${parameterValues.length} parameters`);
  }
  const resultFormats = r.formatCodes();
  return ended(r, { kind: 'bind', portalName, statementName, parameterFormats, parameterValues, resultFormats });
}

function readFunctionCall(r: BodyReader): TypedFrontendMessage {
  const functionOid = r.uint32();
  const argumentFormats = r.formatCodes();
  const argumentValues = r.values();
  if (argumentFormats.length > 1 && argumentFormats.length !== argumentValues.length) {
    throw formatCountError(
      `function call message contains ${argumentFormats.length} argument formats but ${argumentValues.length} arguments`,
    );
  }
  const resultFormat = r.formatCode();
  return ended(r, { kind: 'functionCall', functionOid, argumentFormats, argumentValues, resultFormat });
}

/** The protocol allows 0 format codes (all text), 1 (all the same) or exactly one per value. */
function formatCountError(message: string): BodyError {
  return new BodyError(SqlState.ProtocolViolation, message);
}

function readDescribeOrClose(r: BodyReader, kind: 'describe' | 'close'): TypedFrontendMessage {
  const subtype = r.byte();
  const name = r.cstring();
  r.expectEnd();
  const target = describeTargetOf(subtype);
  if (target === undefined) {
    throw new BodyError(SqlState.ProtocolViolation, `invalid ${kind.toUpperCase()} message subtype ${subtype}`);
  }
  return { kind, target, name };
}

function describeTargetOf(subtype: number): DescribeTarget | undefined {
  if (subtype === 0x53) return 'statement'; // 'S'
  if (subtype === 0x50) return 'portal'; // 'P'
  return undefined;
}
