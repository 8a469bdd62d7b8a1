// Named limits of the entry formats. Every length or count read from bytes is
// checked against one of these before anything is allocated for it.

/** Bytes of one string, bytea or jsonb value (PostgreSQL's 1 GB varlena limit, kept lower). */
export const valueBytesMax = 256 * 1024 * 1024;
/** Columns of one row (PostgreSQL's MaxHeapAttributeNumber). */
export const rowColumnsMax = 1600;
/** Elements of one array level (PostgreSQL's MaxArraySize is larger; we hold arrays in memory). */
export const arrayElementsMax = 16 * 1024 * 1024;
/** Array nesting (PostgreSQL's MAXDIM). */
export const arrayDimensionsMax = 6;
/** jsonb nesting (query/types' jsonNestingDepthMax). */
export const jsonbDepthMax = 1000;
/** Effects of one transaction entry. */
export const txnEffectsMax = 1_000_000;
/** Parts of one multi-part transaction (each at most the log's entry size: far beyond any write set held in memory). */
export const txnPartsMax = 65_536;
/** Sequence high-water marks of one transaction entry. */
export const txnSequencesMax = 65_536;
/** Changes of one DDL entry. */
export const ddlChangesMax = 65_536;
/** Bytes of one memcomparable key (primary or index key). */
export const keyBytesMax = 64 * 1024;
/** Objects (databases, schemas, tables, sequences) in one catalog. */
export const catalogObjectsMax = 1_000_000;
/** Indexes, unique or check constraints of one table. */
export const tableConstraintsMax = 4096;
/** Characters of an identifier (PostgreSQL's NAMEDATALEN - 1 is 63 bytes; we bound the encoded bytes). */
export const identifierBytesMax = 1024;
/** Bytes of an SQL expression text (default, check). */
export const expressionBytesMax = 1024 * 1024;
