// CREATE TABLE: columns (types, serial and identity sequences, NOT NULL,
// DEFAULT, CHECK), PRIMARY KEY and UNIQUE (each UNIQUE gets its index), a
// hidden row-id sequence for tables without a primary key. One DDL entry.
// Storage options (WITH (fillfactor = 100)) and foreign keys are accepted
// and not kept.

import type {
  ColumnDef as AstColumnDef, CreateTable, Option, TableConstraint,
} from '../../ast/index.js';
import type {
  CheckConstraintDef, ColumnDef, DdlChange, IdentityKind, IndexDef, SequenceDef, TableDefinition, UniqueConstraintDef, Catalog,
} from '../../../materializers/index.js';
import type { StatementResult } from '../../engine.js';
import { SqlTypes, type SqlType } from '../../types/index.js';
import { EngineSqlState, featureNotSupported, sqlError } from '../errors.js';
import type { SessionHost } from '../session-host.js';
import { resolveTypeName, serialKind } from '../type-names.js';
import { command, notice } from '../utility/results.js';
import { chooseName, creationSchema, IdAllocator, runDdl, withDdl } from './ddl-support.js';
import { deparseExpr, referencedColumns } from './deparse.js';
import { sequenceDef } from './sequence-options.js';

export async function createTable(host: SessionHost, statement: CreateTable): Promise<StatementResult> {
  if (statement.persistence === 'temporary') throw featureNotSupported('temporary tables are not supported');
  return withDdl(host, async (catalog) => {
    const schema = creationSchema(host, catalog, statement.name.schema);
    if (catalog.relation(schema, statement.name.name, host.database) !== undefined) {
      if (!statement.ifNotExists) throw sqlError(EngineSqlState.duplicateTable, `relation "${statement.name.name}" already exists`);
      host.notice(notice(EngineSqlState.duplicateTable, `relation "${statement.name.name}" already exists, skipping`));
      return command('CREATE TABLE');
    }
    const built = new TableBuilder(catalog, host.database, schema, statement.name.name);
    for (const column of statement.columns) built.addColumn(column);
    for (const constraint of statement.constraints) built.addTableConstraint(constraint);
    await runDdl(host, catalog, built.changes());
    return command('CREATE TABLE');
  });
}

interface PendingUnique {
  readonly name: string | null;
  readonly columns: readonly string[];
}

/** Collects one CREATE TABLE into its definition and sequences. */
export class TableBuilder {
  readonly ids: IdAllocator;
  readonly tableId: number;
  private readonly columns: ColumnDef[] = [];
  private readonly sequences: SequenceDef[] = [];
  private readonly checks: CheckConstraintDef[] = [];
  private readonly uniques: PendingUnique[] = [];
  private primaryKey: { readonly name: string | null; readonly columns: readonly string[] } | null = null;
  private readonly taken: Set<string>;

  constructor(private readonly catalog: Catalog, private readonly database: string, private readonly schema: string, private readonly name: string) {
    this.ids = new IdAllocator(catalog);
    this.tableId = this.ids.take();
    this.taken = new Set([name]);
  }

  addColumn(column: AstColumnDef): void {
    if (this.columns.some((c) => c.name === column.name)) {
      throw sqlError(EngineSqlState.duplicateColumn, `column "${column.name}" specified more than once`);
    }
    const id = this.columns.length + 1;
    const serial = serialKind(column.type);
    const type: SqlType = serial === undefined ? resolveTypeName(column.type) : SqlTypes[serial];
    let notNull = serial !== undefined;
    let explicitNull = false;
    let defaultExpr: string | undefined;
    let identity: IdentityKind | undefined = serial === undefined ? undefined : 'by default';
    let identityOptions: readonly Option[] = [];
    for (const c of column.constraints) {
      switch (c.kind) {
        case 'notNull': notNull = true; break;
        case 'null': explicitNull = true; break;
        case 'primaryKey': this.setPrimaryKey(c.name, [column.name]); break;
        case 'unique': this.uniques.push({ name: c.name, columns: [column.name] }); break;
        case 'default':
          if (serial !== undefined || defaultExpr !== undefined) throw sqlError(EngineSqlState.syntaxError, `multiple default values specified for column "${column.name}" of table "${this.name}"`);
          defaultExpr = deparseExpr(c.expr, 'DEFAULT expression');
          break;
        case 'check': this.addCheck(c.name, `${this.name}_${column.name}_check`, deparseExpr(c.expr, 'check constraint')); break;
        case 'references': break;
        case 'identity':
          if (serial !== undefined) throw sqlError(EngineSqlState.syntaxError, `both default and identity specified for column "${column.name}" of table "${this.name}"`);
          identity = c.generated === 'always' ? 'always' : 'by default';
          identityOptions = c.options;
          notNull = true;
          break;
        case 'generated': throw featureNotSupported('generated columns are not supported');
        default: { const never: never = c; throw new Error(`unreachable column constraint ${JSON.stringify(never)}`); }
      }
    }
    if (notNull && explicitNull) throw sqlError(EngineSqlState.syntaxError, `conflicting NULL/NOT NULL declarations for column "${column.name}" of table "${this.name}"`);
    if (identity !== undefined && defaultExpr !== undefined) throw sqlError(EngineSqlState.syntaxError, `both default and identity specified for column "${column.name}" of table "${this.name}"`);
    let sequenceId: number | undefined;
    if (identity !== undefined) {
      if (type.kind !== 'int2' && type.kind !== 'int4' && type.kind !== 'int8') throw sqlError(EngineSqlState.invalidParameterValue, 'identity column type must be smallint, integer, or bigint');
      sequenceId = this.ids.take();
      this.sequences.push(sequenceDef({
        id: sequenceId, databaseName: this.database, schemaName: this.schema, name: chooseName(this.catalog, this.database, this.schema, [this.name, column.name], 'seq', this.taken),
        dataType: type.kind, ownedBy: { tableId: this.tableId, columnId: id },
      }, identityOptions));
    }
    this.columns.push({
      id, name: column.name, type, notNull, ...(defaultExpr === undefined ? {} : { defaultExpr }),
      ...(identity === undefined ? {} : { identity, sequenceId }),
    });
  }

  addTableConstraint(c: TableConstraint): void {
    switch (c.kind) {
      case 'primaryKey': return this.setPrimaryKey(c.name, c.columns);
      case 'unique':
        this.uniques.push({ name: c.name, columns: c.columns });
        return;
      case 'check': {
        const refs = referencedColumns(c.expr);
        const first = this.columns.find((col) => refs.has(col.name));
        this.addCheck(c.name, first === undefined ? `${this.name}_check` : `${this.name}_${first.name}_check`, deparseExpr(c.expr, 'check constraint'));
        return;
      }
      case 'foreignKey': return;
      default: { const never: never = c; throw new Error(`unreachable table constraint ${JSON.stringify(never)}`); }
    }
  }

  /** The changes of this CREATE TABLE: the table, then its sequences. Call once: it assigns index and sequence ids. */
  changes(): DdlChange[] {
    const table = this.definition();
    return [{ kind: 'createTable', table }, ...this.sequences.map((sequence): DdlChange => ({ kind: 'createSequence', sequence }))];
  }

  definition(): TableDefinition {
    const columnId = (name: string): number => {
      const c = this.columns.find((col) => col.name === name);
      if (c === undefined) throw sqlError(EngineSqlState.undefinedColumn, `column "${name}" named in key does not exist`);
      return c.id;
    };
    const pkIds = this.primaryKey?.columns.map(columnId) ?? null;
    const columns = this.columns.map((c) => (pkIds?.includes(c.id) === true ? { ...c, notNull: true } : c));
    const indexes: IndexDef[] = [];
    const uniqueConstraints: UniqueConstraintDef[] = this.uniques.map((u) => {
      const columnIds = u.columns.map(columnId);
      const indexId = this.ids.take();
      const name = u.name ?? chooseName(this.catalog, this.database, this.schema, [this.name, ...u.columns], 'key', this.taken);
      indexes.push({ id: indexId, name, columnIds, unique: true });
      return { name, columnIds, indexId };
    });
    let rowIdSequenceId: number | null = null;
    if (pkIds === null) {
      rowIdSequenceId = this.ids.take();
      this.sequences.push(sequenceDef({
        id: rowIdSequenceId, databaseName: this.database, schemaName: this.schema, name: chooseName(this.catalog, this.database, this.schema, [this.name, 'rowid'], 'seq', this.taken),
        dataType: 'int8', ownedBy: { tableId: this.tableId, columnId: 0 },
      }, []));
    }
    const primaryKey = pkIds === null ? null : { name: this.primaryKey?.name ?? chooseName(this.catalog, this.database, this.schema, [this.name], 'pkey', this.taken), columnIds: pkIds };
    return {
      id: this.tableId, databaseName: this.database, schemaName: this.schema, name: this.name, columns, primaryKey, rowIdSequenceId,
      uniqueConstraints, checkConstraints: this.checks, indexes,
    };
  }

  /** Generated check names get a number when taken, as PostgreSQL's do. */
  private addCheck(written: string | null, generated: string, expr: string): void {
    let name = written ?? generated;
    for (let n = 1; written === null && this.checks.some((c) => c.name === name); n++) name = `${generated}${n}`;
    this.checks.push({ name, expr });
  }

  private setPrimaryKey(name: string | null, columns: readonly string[]): void {
    if (this.primaryKey !== null) throw sqlError(EngineSqlState.invalidTableDefinition, `multiple primary keys for table "${this.name}" are not allowed`);
    this.primaryKey = { name, columns };
  }
}
