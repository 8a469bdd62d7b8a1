// Named limits of the frontend decoder. Every length a client sends is checked
// against one of these before a byte of its body is buffered. Lengths here are
// the protocol's own: they include the Int32 length field and exclude the type
// byte, exactly as PostgreSQL compares them.

/** A length field counts itself, so no frame is shorter than this. */
export const messageBytesMin = 4;

/** Startup packets: PostgreSQL's MAX_STARTUP_PACKET_LENGTH (length field included). */
export const startupPacketBytesMax = 10_000;

/** Length word plus the Int32 code: the smallest startup packet (SSLRequest). */
export const startupPacketBytesMin = 8;

/** CancelRequest: length, code, process id and a 4-byte secret key (protocol 3.0). */
export const cancelRequestBytes = 16;

/**
 * Messages that carry only names and small numbers (Describe, Close, Execute,
 * Sync, Flush, Terminate, CopyDone, CopyFail): PostgreSQL's
 * PQ_SMALL_MESSAGE_LIMIT. Bounding them separately keeps a bogus length on a
 * Sync from pinning `messageBytesMax` of memory.
 */
export const smallMessageBytesMax = 10_000;

/** PasswordMessage / SASL responses: PostgreSQL's PG_MAX_AUTH_TOKEN_LENGTH. */
export const authMessageBytesMax = 65_535;

/** Default bound for Query, Parse, Bind, FunctionCall and CopyData. */
export const messageBytesMaxDefault = 64 * 1024 * 1024;

/**
 * The highest `messageBytesMax` an operator may configure: PostgreSQL's
 * PQ_LARGE_MESSAGE_LIMIT (MaxAllocSize - 1, just under 1 GiB).
 */
export const messageBytesMaxCeiling = 0x3fff_fffe;
