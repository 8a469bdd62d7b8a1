// ALTER TABLE: ADD/DROP COLUMN, ADD UNIQUE/CHECK, DROP CONSTRAINT, SET/DROP DEFAULT,
// SET/DROP NOT NULL, RENAME table and column: the actions are applied in
// order to a working copy of the definition and proposed as one alterTable
// change (with the sequences they create or drop). ADD PRIMARY KEY rewrites
// the table (add-primary-key.ts) and must be the statement's only action.

import type { Catalog, ColumnDef, DdlChange, SequenceDef, TableDef, TableDefinition } from '../../../materializers/index.js';
import type { AlterTable, AlterTableAction, ColumnDef as AstColumnDef, Expr, Option, TableConstraint } from '../../ast/index.js';
import { parseSql } from '../../parser/index.js';
import type { StatementResult } from '../../engine.js';
import { SqlTypes, type SqlValue } from '../../types/index.js';
import { columnContainsNulls } from '../constraint-errors.js';
import { EngineSqlState, featureNotSupported, sqlError, unreachable } from '../errors.js';
import type { RunMode, SessionHost } from '../session-host.js';
import { resolveTypeName, serialKind } from '../type-names.js';
import { evaluate } from '../utility/sql-prepared.js';
import { command, notice } from '../utility/results.js';
import { addPrimaryKey } from './add-primary-key.js';
import { checkUnique } from './create-index.js';
import {
  chooseName, definitionOf, findTable, IdAllocator, lockTablesForDdl, qualified, refuseInBlock, runDdl, withDdl,
} from './ddl-support.js';
import { deparseExpr, quoteIdent } from './deparse.js';
import { expressionMentions, renameColumnInText } from './expression-text.js';
import { hasRows, latestRows } from './existing-rows.js';
import { sequenceDef } from './sequence-options.js';

export function alterTable(host: SessionHost, statement: AlterTable, mode: RunMode): Promise<StatementResult> {
  return withDdl(host, async (catalog, lock) => {
    const table = findTable(host, catalog, statement.table);
    if (table === undefined) {
      if (!statement.ifExists) throw sqlError(EngineSqlState.undefinedTable, `relation "${qualified(statement.table)}" does not exist`);
      host.notice(notice(EngineSqlState.successfulCompletion, `relation "${qualified(statement.table)}" does not exist, skipping`));
      return command('ALTER TABLE');
    }
    // In a block the block's reads of committed rows project them onto its private definition (projection.ts).
    await lockTablesForDdl(host, lock, [table], 'ALTER');
    const pk = statement.actions.find((a) => a.kind === 'addConstraint' && a.constraint.kind === 'primaryKey');
    if (pk !== undefined) {
      // A rewrite of several entries of its own.
      refuseInBlock(host, 'ALTER TABLE ... ADD PRIMARY KEY');
      if (statement.actions.length !== 1) throw featureNotSupported('ADD PRIMARY KEY must be the only action of its ALTER TABLE');
      if (pk.kind === 'addConstraint' && pk.constraint.kind === 'primaryKey') await addPrimaryKey(host, catalog, table, pk.constraint.name, pk.constraint.columns);
      return command('ALTER TABLE');
    }
    const work = new AlterWork(host, catalog, table, mode);
    for (const action of statement.actions) await work.apply(action);
    await runDdl(host, catalog, work.changes());
    return command('ALTER TABLE');
  });
}

class AlterWork {
  private def: TableDefinition;
  private readonly ids: IdAllocator;
  private nextColumnId: number;
  private readonly extra: DdlChange[] = [];
  private readonly taken = new Set<string>();

  constructor(private readonly host: SessionHost, private readonly catalog: Catalog, private readonly table: TableDef, private readonly mode: RunMode) {
    this.def = definitionOf(table);
    this.ids = new IdAllocator(catalog);
    this.nextColumnId = table.columnIdMax + 1;
  }

  changes(): DdlChange[] {
    // New sequences first (the table names them), drops after (nothing names them any more).
    const creates = this.extra.filter((c) => c.kind === 'createSequence');
    const rest = this.extra.filter((c) => c.kind !== 'createSequence');
    return [...creates, { kind: 'alterTable', table: this.def }, ...rest];
  }

  async apply(action: AlterTableAction): Promise<void> {
    switch (action.kind) {
      case 'addColumn': return this.addColumn(action.column, action.ifNotExists);
      case 'dropColumn': return this.dropColumn(action.column, action.ifExists);
      case 'addConstraint': return this.addConstraint(action.constraint);
      case 'dropConstraint': return this.dropConstraint(action.name, action.ifExists);
      case 'setDefault':
        return this.editColumn(action.column, (c) => ({ ...c, defaultExpr: deparseExpr(action.expr, 'DEFAULT expression') }));
      case 'dropDefault':
        return this.editColumn(action.column, ({ defaultExpr: _dropped, ...c }) => c);
      case 'setNotNull': return this.setNotNull(action.column);
      case 'dropNotNull': return this.editColumn(action.column, (c) => {
        if (this.def.primaryKey?.columnIds.includes(c.id) === true) throw sqlError(EngineSqlState.invalidTableDefinition, `column "${c.name}" is in a primary key`);
        if (c.identity !== undefined) throw sqlError(EngineSqlState.invalidTableDefinition, `column "${c.name}" of relation "${this.def.name}" is an identity column`);
        return { ...c, notNull: false };
      });
      case 'renameTable':
        if (this.catalog.relation(this.def.schemaName, action.newName, this.host.database) !== undefined) {
          throw sqlError(EngineSqlState.duplicateTable, `relation "${action.newName}" already exists`);
        }
        this.def = { ...this.def, name: action.newName };
        return;
      case 'renameColumn': return this.renameColumn(action.column, action.newName);
      default: return unreachable(action, 'ALTER TABLE action');
    }
  }

  private column(name: string): ColumnDef {
    const c = this.def.columns.find((col) => col.name === name);
    if (c === undefined) throw sqlError(EngineSqlState.undefinedColumn, `column "${name}" of relation "${this.def.name}" does not exist`);
    return c;
  }

  private editColumn(name: string, edit: (c: ColumnDef) => ColumnDef): void {
    const target = this.column(name);
    this.def = { ...this.def, columns: this.def.columns.map((c) => (c === target ? edit(c) : c)) };
  }

  private async addColumn(column: AstColumnDef, ifNotExists: boolean): Promise<void> {
    if (this.def.columns.some((c) => c.name === column.name)) {
      const message = `column "${column.name}" of relation "${this.def.name}" already exists`;
      if (!ifNotExists) throw sqlError(EngineSqlState.duplicateColumn, message);
      this.host.notice(notice(EngineSqlState.duplicateColumn, `${message}, skipping`));
      return;
    }
    const id = this.nextColumnId++;
    const serial = serialKind(column.type);
    const type = serial === undefined ? resolveTypeName(column.type) : SqlTypes[serial];
    let added: ColumnDef = { id, name: column.name, type, notNull: false };
    const populated = await hasRows(this.host.core, this.table);
    for (const c of column.constraints) {
      switch (c.kind) {
        case 'notNull': added = { ...added, notNull: true }; break;
        case 'null': break;
        case 'default': {
          const missingValue = await this.evaluateDefault(column, c.expr);
          added = { ...added, defaultExpr: deparseExpr(c.expr, 'DEFAULT expression'), missingValue };
          break;
        }
        case 'unique': this.addUnique(c.name, [id]); break;
        case 'references': break;
        case 'primaryKey': throw featureNotSupported('adding a primary key column needs a table rewrite; add the column, then ADD PRIMARY KEY');
        case 'check':
          if (populated) throw featureNotSupported('ADD COLUMN with a CHECK constraint on a table with rows is not supported; add the constraint separately');
          this.def = { ...this.def, checkConstraints: [...this.def.checkConstraints, { name: c.name ?? `${this.def.name}_${column.name}_check`, expr: deparseExpr(c.expr, 'check constraint') }] };
          break;
        case 'identity': added = this.identityColumn(added, c.generated === 'always' ? 'always' : 'by default', c.options, populated); break;
        case 'generated': throw featureNotSupported('generated columns are not supported');
        default: return unreachable(c, 'column constraint');
      }
    }
    if (serial !== undefined) added = this.identityColumn(added, 'by default', [], populated);
    if (added.notNull && populated && (added.missingValue ?? null) === null) throw columnContainsNulls(column.name, this.def.name);
    this.def = { ...this.def, columns: [...this.def.columns, added] };
    if (populated) await this.checkNewUniques();
  }

  private identityColumn(column: ColumnDef, kind: 'always' | 'by default', options: readonly Option[], populated: boolean): ColumnDef {
    if (populated) throw featureNotSupported(`adding an identity or serial column to table "${this.def.name}", which has rows, needs a table rewrite`);
    if (column.type.kind !== 'int2' && column.type.kind !== 'int4' && column.type.kind !== 'int8') {
      throw sqlError(EngineSqlState.invalidParameterValue, 'identity column type must be smallint, integer, or bigint');
    }
    const sequence: SequenceDef = sequenceDef({
      id: this.ids.take(), databaseName: this.def.databaseName, schemaName: this.def.schemaName,
      name: chooseName(this.catalog, this.host.database, this.def.schemaName, [this.def.name, column.name], 'seq', this.taken),
      dataType: column.type.kind, ownedBy: { tableId: this.def.id, columnId: column.id },
    }, options);
    this.extra.push({ kind: 'createSequence', sequence });
    return { ...column, notNull: true, identity: kind, sequenceId: sequence.id };
  }

  /** The ADD COLUMN default, evaluated once for the rows already there (PostgreSQL's attmissingval). */
  private async evaluateDefault(column: AstColumnDef, expr: Expr): Promise<SqlValue> {
    const cast = { kind: 'cast', arg: expr, typeName: column.type, syntax: 'cast', position: -1 } as const;
    const type = resolveTypeName(column.type);
    const [value] = await this.host.runInStatement(this.mode, (scope, catalog) => evaluate(this.host, [cast], [type], scope, catalog));
    return value ?? null;
  }

  private addUnique(name: string | null, columnIds: readonly number[]): void {
    const columnNames = columnIds.map((cid) => this.def.columns.find((c) => c.id === cid)?.name ?? '');
    const indexName = name ?? chooseName(this.catalog, this.host.database, this.def.schemaName, [this.def.name, ...columnNames], 'key', this.taken);
    const indexId = this.ids.take();
    this.def = {
      ...this.def,
      indexes: [...this.def.indexes, { id: indexId, name: indexName, columnIds, unique: true }],
      uniqueConstraints: [...this.def.uniqueConstraints, { name: indexName, columnIds, indexId }],
    };
  }

  private async checkNewUniques(): Promise<void> {
    const view: TableDef = { ...this.table, ...this.def };
    for (const index of this.def.indexes) {
      if (index.unique && !this.table.indexes.some((i) => i.id === index.id)) await checkUnique(this.host, this.catalog, view, index);
    }
  }

  private async addConstraint(constraint: TableConstraint): Promise<void> {
    switch (constraint.kind) {
      case 'unique': {
        this.addUnique(constraint.name, constraint.columns.map((n) => this.column(n).id));
        return this.checkNewUniques();
      }
      case 'check': {
        const expr = deparseExpr(constraint.expr, 'check constraint');
        const name = constraint.name ?? `${this.def.name}_check`;
        await this.validateCheck(name, expr);
        this.def = { ...this.def, checkConstraints: [...this.def.checkConstraints, { name, expr }] };
        return;
      }
      case 'foreignKey': return;
      case 'primaryKey': throw featureNotSupported('ADD PRIMARY KEY must be the only action of its ALTER TABLE');
      default: return unreachable(constraint, 'table constraint');
    }
  }

  /**
   * DROP CONSTRAINT of a UNIQUE constraint (with its index) or a CHECK. The
   * primary key cannot go (the rows are stored under it: a rewrite). Foreign
   * keys are accepted and not kept, so their names are unknown here: 42704,
   * as for any constraint that does not exist (IF EXISTS skips it).
   */
  private dropConstraint(name: string, ifExists: boolean): void {
    if (this.def.primaryKey?.name === name) {
      throw featureNotSupported(`dropping the primary key of table "${this.def.name}" needs a table rewrite`);
    }
    const unique = this.def.uniqueConstraints.find((u) => u.name === name);
    if (unique !== undefined) {
      this.def = {
        ...this.def,
        uniqueConstraints: this.def.uniqueConstraints.filter((u) => u !== unique),
        indexes: this.def.indexes.filter((i) => i.id !== unique.indexId),
      };
      return;
    }
    const check = this.def.checkConstraints.find((c) => c.name === name);
    if (check !== undefined) {
      this.def = { ...this.def, checkConstraints: this.def.checkConstraints.filter((c) => c !== check) };
      return;
    }
    const message = `constraint "${name}" of relation "${this.def.name}" does not exist`;
    if (!ifExists) throw sqlError(EngineSqlState.undefinedObject, message);
    this.host.notice(notice(EngineSqlState.successfulCompletion, `${message}, skipping`));
  }

  /** 23514 when a row already violates the new check (NULL passes, as in PostgreSQL). */
  private async validateCheck(name: string, expr: string): Promise<void> {
    const target = `${quoteIdent(this.table.schemaName)}.${quoteIdent(this.table.name)}`;
    const parsed = parseSql(`SELECT 1 FROM ${target} WHERE NOT (${expr}) LIMIT 1`)[0];
    if (parsed === undefined) return;
    const found = await this.host.runInStatement(this.mode, async (scope, catalog) => {
      const result = await this.host.execute(this.host.compile(parsed.statement, catalog, []), scope, catalog, []);
      return result.kind === 'rows' && result.rows.length > 0;
    });
    if (found) throw sqlError(EngineSqlState.checkViolation, `check constraint "${name}" of relation "${this.def.name}" is violated by some row`);
  }

  private async setNotNull(name: string): Promise<void> {
    const target = this.column(name);
    const position = this.table.columns.findIndex((c) => c.id === target.id);
    if (position >= 0) {
      for await (const { row } of latestRows(this.host.core, this.table)) {
        if ((row[position] ?? null) === null) throw columnContainsNulls(name, this.def.name);
      }
    } else if ((target.missingValue ?? null) === null && await hasRows(this.host.core, this.table)) {
      throw columnContainsNulls(name, this.def.name);
    }
    this.editColumn(name, (c) => ({ ...c, notNull: true }));
  }

  private dropColumn(name: string, ifExists: boolean): void {
    const target = this.def.columns.find((c) => c.name === name);
    if (target === undefined) {
      const message = `column "${name}" of relation "${this.def.name}" does not exist`;
      if (!ifExists) throw sqlError(EngineSqlState.undefinedColumn, message);
      this.host.notice(notice(EngineSqlState.successfulCompletion, `${message}, skipping`));
      return;
    }
    if (this.def.primaryKey?.columnIds.includes(target.id) === true) {
      throw featureNotSupported(`cannot drop column "${name}" of table "${this.def.name}" because it is part of the primary key`);
    }
    const dropIndexes = new Set(this.def.indexes.filter((i) => i.columnIds.includes(target.id)).map((i) => i.id));
    this.def = {
      ...this.def,
      columns: this.def.columns.filter((c) => c !== target),
      indexes: this.def.indexes.filter((i) => !dropIndexes.has(i.id)),
      uniqueConstraints: this.def.uniqueConstraints.filter((u) => !dropIndexes.has(u.indexId)),
      checkConstraints: this.def.checkConstraints.filter((c) => !expressionMentions(c.expr, name)),
    };
    if (target.sequenceId !== undefined) this.extra.push({ kind: 'dropSequence', sequenceId: target.sequenceId });
  }

  private renameColumn(name: string, newName: string): void {
    if (this.def.columns.some((c) => c.name === newName)) {
      throw sqlError(EngineSqlState.duplicateColumn, `column "${newName}" of relation "${this.def.name}" already exists`);
    }
    this.editColumn(name, (c) => ({ ...c, name: newName }));
    this.def = {
      ...this.def,
      checkConstraints: this.def.checkConstraints.map((c) => ({ ...c, expr: renameColumnInText(c.expr, name, newName, 'check constraint') })),
    };
  }
}
