// The PostgreSQL v3 wire codec, server side: pure, no sockets. See ../DESIGN.md.
export {
  ArrayTypeOid,
  AuthCode,
  BackendType,
  EncryptionAnswer,
  FormatCode,
  FrontendType,
  SqlState,
  StartupCode,
  TransactionStatus,
  TypeOid,
  protocolMajorVersion,
  protocolMinorVersionLatest,
  typeSizeByOid,
} from './constants.js';
export {
  authMessageBytesMax,
  cancelRequestBytes,
  messageBytesMaxCeiling,
  messageBytesMaxDefault,
  messageBytesMin,
  smallMessageBytesMax,
  startupPacketBytesMax,
  startupPacketBytesMin,
} from './limits.js';
export { ProtocolViolation } from './violation.js';
export type * from './frontend-messages.js';
export { formatCodeAt } from './frontend-messages.js';
export { FrontendDecoder } from './frontend-decoder.js';
export type { DecoderPhase, FrontendDecoderOptions } from './frontend-decoder.js';
export { decodePassword, decodeSaslInitialResponse, decodeSaslResponse } from './auth-bodies.js';
export type { PasswordResponse, SaslInitialResponse, SaslResponse } from './auth-bodies.js';
export { decodeUtf8 } from './body-reader.js';
export { BufferWriter, writerSlabBytesDefault } from './buffer-writer.js';
export * from './backend-messages.js';
export * from './error-fields.js';
