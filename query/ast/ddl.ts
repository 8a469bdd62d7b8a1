// Data-definition statements: tables, indexes, schemas, databases.

import type { Expr, QualifiedName, SortDirection, NullsOrder, SourcePosition, TypeName } from './expr.js';
import type { IndexKey } from './dml.js';

/**
 * A `name = value` option (WITH (...) storage options, VACUUM options,
 * CREATE DATABASE options, identity sequence options). `value` is the
 * written value as text, as PostgreSQL's defGetString reads it: `100`,
 * `false`, `UTF8`; null when only the name was written (`WITH (FORCE)`).
 * Namespaced options keep their namespace: `toast.autovacuum_enabled`.
 */
export interface Option {
  readonly name: string;
  readonly value: string | null;
  readonly position: SourcePosition;
}

export type ReferentialAction = 'noAction' | 'restrict' | 'cascade' | 'setNull' | 'setDefault';

export interface References {
  readonly table: QualifiedName;
  /** Empty: the referenced table's primary key. */
  readonly columns: readonly string[];
  readonly match: 'simple' | 'full' | 'partial';
  readonly onDelete: ReferentialAction;
  readonly onUpdate: ReferentialAction;
}

/** A constraint written on a column. `name` is the CONSTRAINT name, if any. */
export type ColumnConstraint = { readonly name: string | null; readonly position: SourcePosition } & (
  | { readonly kind: 'notNull' }
  | { readonly kind: 'null' }
  | { readonly kind: 'primaryKey' }
  | { readonly kind: 'unique'; readonly nullsNotDistinct: boolean }
  | { readonly kind: 'default'; readonly expr: Expr }
  | { readonly kind: 'check'; readonly expr: Expr }
  /** Parsed so schemas load; the engine may not enforce it. */
  | { readonly kind: 'references'; readonly references: References }
  | { readonly kind: 'identity'; readonly generated: 'always' | 'byDefault'; readonly options: readonly Option[] }
  | { readonly kind: 'generated'; readonly expr: Expr; readonly storage: 'stored' | 'virtual' }
);

export interface ColumnDef {
  readonly name: string;
  /** `serial` and `bigserial` arrive as type names; the binder expands them. */
  readonly type: TypeName;
  readonly constraints: readonly ColumnConstraint[];
  readonly collation: readonly string[] | null;
  readonly position: SourcePosition;
}

export type TableConstraint = { readonly name: string | null; readonly position: SourcePosition } & (
  | { readonly kind: 'primaryKey'; readonly columns: readonly string[] }
  | { readonly kind: 'unique'; readonly columns: readonly string[]; readonly nullsNotDistinct: boolean }
  | { readonly kind: 'check'; readonly expr: Expr }
  | { readonly kind: 'foreignKey'; readonly columns: readonly string[]; readonly references: References }
);

export interface CreateTable {
  readonly kind: 'createTable';
  readonly name: QualifiedName;
  readonly ifNotExists: boolean;
  readonly persistence: 'permanent' | 'temporary' | 'unlogged';
  readonly columns: readonly ColumnDef[];
  readonly constraints: readonly TableConstraint[];
  /** `WITH (fillfactor = 100)`, kept as written. */
  readonly options: readonly Option[];
}

export interface DropTable {
  readonly kind: 'dropTable';
  readonly names: readonly QualifiedName[];
  readonly ifExists: boolean;
  readonly cascade: boolean;
}

export interface IndexColumn {
  readonly key: IndexKey;
  readonly direction: SortDirection;
  readonly nulls: NullsOrder;
}

export interface CreateIndex {
  readonly kind: 'createIndex';
  /** Null when PostgreSQL would choose the name. */
  readonly name: string | null;
  readonly table: QualifiedName;
  readonly unique: boolean;
  readonly nullsNotDistinct: boolean;
  readonly ifNotExists: boolean;
  readonly concurrently: boolean;
  /** `USING hash`; `btree` when not written. */
  readonly method: string;
  readonly columns: readonly IndexColumn[];
  /** A partial index's predicate. */
  readonly where: Expr | null;
  readonly options: readonly Option[];
}

export interface DropIndex {
  readonly kind: 'dropIndex';
  readonly names: readonly QualifiedName[];
  readonly ifExists: boolean;
  readonly cascade: boolean;
  readonly concurrently: boolean;
}

export type AlterTableAction =
  | { readonly kind: 'addColumn'; readonly column: ColumnDef; readonly ifNotExists: boolean }
  | { readonly kind: 'dropColumn'; readonly column: string; readonly ifExists: boolean; readonly cascade: boolean }
  | { readonly kind: 'addConstraint'; readonly constraint: TableConstraint }
  | { readonly kind: 'dropConstraint'; readonly name: string; readonly ifExists: boolean; readonly cascade: boolean }
  | { readonly kind: 'setDefault'; readonly column: string; readonly expr: Expr }
  | { readonly kind: 'dropDefault'; readonly column: string }
  | { readonly kind: 'setNotNull'; readonly column: string }
  | { readonly kind: 'dropNotNull'; readonly column: string }
  /** RENAME TO and RENAME COLUMN are always the only action of their statement. */
  | { readonly kind: 'renameTable'; readonly newName: string }
  | { readonly kind: 'renameColumn'; readonly column: string; readonly newName: string };

export interface AlterTable {
  readonly kind: 'alterTable';
  readonly table: QualifiedName;
  readonly ifExists: boolean;
  readonly only: boolean;
  readonly actions: readonly AlterTableAction[];
}

export interface Truncate {
  readonly kind: 'truncate';
  readonly tables: readonly { readonly name: QualifiedName; readonly only: boolean }[];
  readonly restartIdentity: boolean;
  readonly cascade: boolean;
}

export interface CreateDatabase {
  readonly kind: 'createDatabase';
  readonly name: string;
  readonly options: readonly Option[];
}

export interface DropDatabase {
  readonly kind: 'dropDatabase';
  readonly name: string;
  readonly ifExists: boolean;
  /** `WITH (FORCE)`. */
  readonly force: boolean;
}

export interface CreateSchema {
  readonly kind: 'createSchema';
  /** Null for `CREATE SCHEMA AUTHORIZATION bob`, which names the schema after the role. */
  readonly name: string | null;
  readonly ifNotExists: boolean;
  readonly authorization: string | null;
}

export interface DropSchema {
  readonly kind: 'dropSchema';
  readonly names: readonly string[];
  readonly ifExists: boolean;
  readonly cascade: boolean;
}
