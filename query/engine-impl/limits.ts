// Named limits of the engine (STYLE.md: every queue, batch and result has
// one). Each is checked where it applies; the reasons sit beside them.

/** Rows a scan hands the executor at a time (amortises per-batch async overhead). */
export const scanBatchRowsMax = 256;

/**
 * Times a READ COMMITTED statement restarts after a row it meant to write
 * changed under it. Each restart keeps the row locks it already holds, so
 * the same rows cannot change again; only new rows can. Beyond this the
 * statement fails with 40001 rather than spin.
 */
export const statementRestartsMax = 64;

/**
 * Bytes of one txn entry. The log refuses entries above its
 * entryDataBytesMax (16 MiB by default); a larger transaction is proposed as
 * several entries (see DESIGN.md, "Large transactions").
 */
export const txnEntryBytesMaxDefault = 8 * 1024 * 1024;

/** Effects of one txn entry (materializers' txnEffectsMax is 1,000,000). */
export const txnEntryEffectsMax = 100_000;

/** Parsed statement texts the engine's statement cache keeps. */
export const statementCacheEntriesMax = 4096;

/** SQL-level prepared statements per session (PREPARE). */
export const sqlPreparedStatementsMax = 10_000;

/** Savepoints open at once in one transaction. */
export const savepointsMax = 10_000;

/** Bytes of one COPY line (PostgreSQL's limit is 1 GB; ours is held in memory). */
export const copyLineBytesMax = 64 * 1024 * 1024;

/** Bytes of one COPY TO chunk handed to the protocol. */
export const copyOutChunkBytes = 64 * 1024;

/** Rows of one COPY FROM (the whole load is one transaction held in memory). */
export const copyRowsMax = 50_000_000;
/**
 * A COPY past this many rows streams into encoded effects under an exclusive
 * table lock (copy/copy-bulk.ts) instead of holding its rows; smaller ones
 * keep the ordinary path's row locks, so writers of other rows never wait.
 */
export const copyBulkRowsMin = 4096;

/** Notices queued for the client before the oldest are dropped. */
export const noticesQueuedMax = 1000;

/** Bytes PostgreSQL keeps of application_name (NAMEDATALEN - 1). */
export const applicationNameBytesMax = 63;

/** PostgreSQL's NAMEDATALEN - 1: identifiers the engine generates are cut to it. */
export const identifierBytesMax = 63;

/** Key or table modification records kept before the tracker prunes what no reader needs. */
export const trackerPruneThresholdMin = 4096;

/** Rows of one table a transaction may change and still be tracked key by key (more: the whole table counts as changed). */
export const trackerTxnKeysPerTableMax = 10_000;
