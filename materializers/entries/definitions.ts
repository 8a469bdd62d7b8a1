// Catalog object definitions as DDL entries carry them. Ids (database, schema,
// table, index, sequence: one namespace; columns: per table) are assigned by
// the leader and recorded here, so replay assigns nothing.

import type { SqlType, SqlValue } from './query-types.js';

export interface DatabaseDef {
  readonly id: number;
  readonly name: string;
}

export interface SchemaDef {
  readonly id: number;
  readonly databaseName: string;
  readonly name: string;
}

export type IdentityKind = 'always' | 'by default';

export interface ColumnDef {
  /** Positive, unique in its table and never reused after a drop (rows are projected by id). */
  readonly id: number;
  readonly name: string;
  readonly type: SqlType;
  readonly notNull: boolean;
  /** The DEFAULT expression as SQL text, evaluated by the executor on insert. */
  readonly defaultExpr?: string;
  readonly identity?: IdentityKind;
  /** The sequence behind an identity or serial column. */
  readonly sequenceId?: number;
  /**
   * What rows written before this column was added read as (PostgreSQL's
   * attmissingval: the ADD COLUMN default, evaluated once by the leader).
   * Absent or null: such rows read NULL.
   */
  readonly missingValue?: SqlValue;
}

export interface PrimaryKeyDef {
  /** Constraint name, e.g. `t_pkey`. */
  readonly name: string;
  /** Key columns in key order. */
  readonly columnIds: readonly number[];
}

export interface IndexDef {
  /** From the object id namespace: the index's keys start with it in the row store. */
  readonly id: number;
  readonly name: string;
  /** Key columns in key order (ascending, NULLs last). */
  readonly columnIds: readonly number[];
  readonly unique: boolean;
}

export interface UniqueConstraintDef {
  readonly name: string;
  readonly columnIds: readonly number[];
  /** The unique index that enforces it (same columns, same order). */
  readonly indexId: number;
}

export interface CheckConstraintDef {
  readonly name: string;
  /** The boolean expression as SQL text. */
  readonly expr: string;
}

/** A whole table definition, as CREATE TABLE and every ALTER TABLE carry it. */
export interface TableDefinition {
  readonly id: number;
  readonly databaseName: string;
  readonly schemaName: string;
  readonly name: string;
  readonly columns: readonly ColumnDef[];
  /** null: rows are keyed by a hidden int8 row id drawn from rowIdSequenceId. */
  readonly primaryKey: PrimaryKeyDef | null;
  /** Required exactly when primaryKey is null. */
  readonly rowIdSequenceId: number | null;
  readonly uniqueConstraints: readonly UniqueConstraintDef[];
  readonly checkConstraints: readonly CheckConstraintDef[];
  readonly indexes: readonly IndexDef[];
}

export type SequenceDataType = 'int2' | 'int4' | 'int8';

export interface SequenceDef {
  readonly id: number;
  readonly databaseName: string;
  readonly schemaName: string;
  readonly name: string;
  readonly dataType: SequenceDataType;
  readonly start: bigint;
  readonly increment: bigint;
  readonly min: bigint;
  readonly max: bigint;
  readonly cycle: boolean;
  /** The column (identity, serial) or table (hidden row id: columnId 0) that owns it. */
  readonly ownedBy: { readonly tableId: number; readonly columnId: number } | null;
}

/** One catalog change. A DDL entry applies a list of them atomically, in order. */
export type DdlChange =
  | { readonly kind: 'createDatabase'; readonly database: DatabaseDef }
  /** The database must hold no tables or sequences; its schemas go with it. */
  | { readonly kind: 'dropDatabase'; readonly databaseId: number }
  | { readonly kind: 'createSchema'; readonly schema: SchemaDef }
  /** The schema must be empty (the leader emits the drops of its objects first). */
  | { readonly kind: 'dropSchema'; readonly schemaId: number }
  | { readonly kind: 'createTable'; readonly table: TableDefinition }
  /** The whole new definition; same id. Columns may be added, dropped or renamed, not retyped. */
  | { readonly kind: 'alterTable'; readonly table: TableDefinition }
  | { readonly kind: 'dropTable'; readonly tableId: number }
  /** Every row of the table becomes invisible at this entry's index. */
  | { readonly kind: 'truncateTable'; readonly tableId: number }
  | { readonly kind: 'createSequence'; readonly sequence: SequenceDef }
  | { readonly kind: 'alterSequence'; readonly sequence: SequenceDef }
  | { readonly kind: 'dropSequence'; readonly sequenceId: number };

export type DdlChangeKind = DdlChange['kind'];

export interface DdlEntry {
  readonly changes: readonly DdlChange[];
}
