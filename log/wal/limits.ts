// Named limits of the WAL. Every queue, frame and buffer has one; options are
// checked against them at open (see options.ts).

/** Format version written in every record, segment header and hard state file. */
export const walFormatVersion = 1;

/** Largest `data` of one entry. Bounds the length field before anything is allocated. */
export const entryDataBytesMax = 16 * 1024 * 1024;

/** Fixed part of a record: u32 bodyBytes, u32 crc, u8 version, u8 flags, u8 kind, u64 term, u64 index. */
export const recordHeaderBytes = 27;
/** Bytes covered by the CRC when the payload is empty (everything after the crc field). */
export const recordBodyBytesMin = recordHeaderBytes - 8;
/** A compressed payload is only kept when smaller than the raw one, so the raw size bounds it. */
export const recordBodyBytesMax = recordBodyBytesMin + entryDataBytesMax;
/** Compressed payloads start with the u32 uncompressed size. */
export const compressedSizePrefixBytes = 4;
/** Below this a payload is stored raw: compression rarely helps and costs a call. */
export const compressPayloadBytesMin = 64;
/** zstd level 1: the WAL sits on the commit path, so speed matters more than ratio. */
export const zstdLevel = 1;

/** magic(6) version(1) reserved(1) firstIndex(8) prevTerm(8) reserved(4) crc(4). */
export const segmentHeaderBytes = 32;
export const segmentBytesMin = 1024;
/** Record offsets are kept as u32, and a segment may be scanned in one pass. */
export const segmentBytesMax = 1024 * 1024 * 1024;

export const bufferBytesMin = 1;
export const bufferBytesMax = 1024 * 1024 * 1024;
/** One writev per batch; Linux IOV_MAX is 1024, bigger batches gain nothing. */
export const batchRecordsMax = 1024;

export const syncIntervalMsDefault = 10;
export const syncIntervalMsMin = 1;
export const syncIntervalMsMax = 10_000;

/** Recent entries kept in memory so the Raft driver's tail reads do not hit disk. */
export const cacheBytesDefault = 16 * 1024 * 1024;
export const cacheBytesMax = 1024 * 1024 * 1024;
/** Rough per-entry bookkeeping cost counted against the cache budget. */
export const cacheEntryOverheadBytes = 64;

/** Recovery reads segments in chunks of this size. */
export const scanChunkBytes = 1024 * 1024;
/** One disk read covers at most this many bytes of whole records (one record may exceed it). */
export const readChunkBytesMax = 4 * 1024 * 1024;

/** Indexes and terms are positive integers below 2^53. */
export const indexMax = Number.MAX_SAFE_INTEGER;
/** Segment file names are the first index zero-padded to this width. */
export const segmentNameDigits = 20;
