// The first packet of a connection has no type byte: Int32 length, Int32 code,
// then a body that depends on the code. Everything wrong here is fatal, as in
// PostgreSQL: there is no session yet to keep usable.
import { SqlState, StartupCode, protocolMajorVersion, protocolMinorVersionLatest } from './constants.js';
import type { StartupPhaseMessage } from './frontend-messages.js';
import { cancelRequestBytes, startupPacketBytesMin } from './limits.js';
import { BodyError, BodyReader } from './body-reader.js';
import type { ProtocolViolation } from './violation.js';
import { fatalViolation } from './violation.js';

/**
 * Decodes one whole startup packet, length word included. The caller has
 * already bounded the length to [startupPacketBytesMin, startupPacketBytesMax].
 */
export function decodeStartupPacket(packet: Buffer): StartupPhaseMessage | ProtocolViolation {
  const code = packet.readInt32BE(4);
  switch (code) {
    case StartupCode.SslRequest:
      return packet.length === startupPacketBytesMin
        ? { kind: 'sslRequest' }
        : fatalViolation(SqlState.ProtocolViolation, 'invalid length of SSL request packet');
    case StartupCode.GssEncRequest:
      return packet.length === startupPacketBytesMin
        ? { kind: 'gssEncRequest' }
        : fatalViolation(SqlState.ProtocolViolation, 'invalid length of GSSAPI encryption request packet');
    case StartupCode.CancelRequest:
      return packet.length === cancelRequestBytes
        ? { kind: 'cancelRequest', processId: packet.readInt32BE(8), secretKey: packet.readInt32BE(12) }
        : fatalViolation(SqlState.ProtocolViolation, 'invalid length of cancel request packet');
    default:
      return decodeStartupMessage(code, packet.subarray(8));
  }
}

function decodeStartupMessage(code: number, body: Buffer): StartupPhaseMessage | ProtocolViolation {
  const major = code >>> 16;
  const minor = code & 0xffff;
  if (major !== protocolMajorVersion) {
    // PostgreSQL's wording; 0A000 lets a client fall back to an older protocol.
    return fatalViolation(
      SqlState.FeatureNotSupported,
      `unsupported frontend protocol ${major}.${minor}: server supports ` +
        `${protocolMajorVersion}.0 to ${protocolMajorVersion}.${protocolMinorVersionLatest}`,
    );
  }
  try {
    return { kind: 'startup', protocolMajorVersion, protocolMinorVersion: minor, parameters: readParameters(body) };
  } catch (error) {
    if (!(error instanceof BodyError)) throw error;
    return fatalViolation(error.sqlState, error.message);
  }
}

/** name\0value\0 pairs, then a final \0 that must be the packet's last byte. */
function readParameters(body: Buffer): Map<string, string> {
  const layoutError = new BodyError(
    SqlState.ProtocolViolation,
    'invalid startup packet layout: expected terminator as last byte',
  );
  // With the last byte a NUL, every cstring() below finds its terminator.
  if (body[body.length - 1] !== 0) throw layoutError;
  const parameters = new Map<string, string>();
  const reader = new BodyReader(body);
  for (;;) {
    if (reader.remainingBytes === 0) throw layoutError;
    const name = reader.cstring();
    if (name === '') break;
    if (reader.remainingBytes === 0) throw layoutError;
    parameters.set(name, reader.cstring());
  }
  if (reader.remainingBytes !== 0) throw layoutError;
  return parameters;
}
