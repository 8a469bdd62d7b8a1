// The rules a table definition must satisfy, and how a new definition
// becomes a TableDef with row layouts. Shared by CREATE and ALTER TABLE.

import {
  EntryEncodeError, rowColumnsMax, sameType, tableConstraintsMax, valueCodecFor, ByteWriter, type ColumnDef, type IndexDef, type RowLayout,
  type TableDefinition,
} from '../entries/index.js';
import { isKeyableType } from '../keys/index.js';
import type { CatalogBuilder } from './builder.js';
import type { TableDef } from './catalog.js';
import { CatalogError, CatalogSqlState } from './errors.js';

const integerKinds: ReadonlySet<string> = new Set(['int2', 'int4', 'int8']);

function fail(state: CatalogSqlState, message: string): never {
  throw new CatalogError(state, message);
}

function checkColumns(t: TableDefinition): ReadonlyMap<number, ColumnDef> {
  if (t.columns.length > rowColumnsMax) fail(CatalogSqlState.invalidTableDefinition, `tables can have at most ${rowColumnsMax} columns`);
  const byId = new Map<number, ColumnDef>();
  const names = new Set<string>();
  for (const c of t.columns) {
    if (!Number.isInteger(c.id) || c.id < 1 || byId.has(c.id)) fail(CatalogSqlState.internalError, `column "${c.name}" has id ${c.id}, not a fresh positive id`);
    if (names.has(c.name)) fail(CatalogSqlState.duplicateColumn, `column "${c.name}" specified more than once`);
    byId.set(c.id, c);
    names.add(c.name);
    if (c.identity !== undefined) {
      if (!integerKinds.has(c.type.kind)) fail(CatalogSqlState.invalidParameterValue, `identity column type must be smallint, integer, or bigint`);
      if (!c.notNull) fail(CatalogSqlState.invalidTableDefinition, `identity column "${c.name}" must be NOT NULL`);
      if (c.sequenceId === undefined) fail(CatalogSqlState.invalidTableDefinition, `identity column "${c.name}" has no sequence`);
    }
    if (c.missingValue !== undefined && c.missingValue !== null) {
      try {
        valueCodecFor(c.type).write(new ByteWriter(), c.missingValue);
      } catch (error) {
        if (!(error instanceof EntryEncodeError)) throw error;
        fail(CatalogSqlState.datatypeMismatch, `column "${c.name}": the value for existing rows does not fit its type`);
      }
    }
  }
  return byId;
}

function checkKeyColumns(byId: ReadonlyMap<number, ColumnDef>, columnIds: readonly number[], what: string): void {
  if (columnIds.length === 0) fail(CatalogSqlState.invalidTableDefinition, `${what} has no columns`);
  if (new Set(columnIds).size !== columnIds.length) fail(CatalogSqlState.duplicateColumn, `${what} names a column twice`);
  for (const id of columnIds) {
    const c = byId.get(id);
    if (c === undefined) fail(CatalogSqlState.undefinedColumn, `${what} names column id ${id}, which the table does not have`);
    if (!isKeyableType(c.type)) fail(CatalogSqlState.featureNotSupported, `column "${c.name}" of type ${c.type.kind} cannot be in ${what}`);
  }
}

function checkKeys(t: TableDefinition, byId: ReadonlyMap<number, ColumnDef>): void {
  if (t.primaryKey === null) {
    if (t.rowIdSequenceId === null) fail(CatalogSqlState.invalidTableDefinition, `table "${t.name}" has neither a primary key nor a row id sequence`);
  } else {
    if (t.rowIdSequenceId !== null) fail(CatalogSqlState.invalidTableDefinition, `table "${t.name}" has a primary key and a row id sequence`);
    checkKeyColumns(byId, t.primaryKey.columnIds, `primary key "${t.primaryKey.name}"`);
    for (const id of t.primaryKey.columnIds) {
      if (byId.get(id)?.notNull !== true) fail(CatalogSqlState.invalidTableDefinition, `primary key column id ${id} must be NOT NULL`);
    }
  }
  const counts = [t.indexes.length, t.uniqueConstraints.length, t.checkConstraints.length];
  if (counts.some((n) => n > tableConstraintsMax)) fail(CatalogSqlState.invalidTableDefinition, `more than ${tableConstraintsMax} indexes or constraints`);
  const indexes = new Map<number, IndexDef>();
  for (const index of t.indexes) {
    checkKeyColumns(byId, index.columnIds, `index "${index.name}"`);
    if (indexes.has(index.id)) fail(CatalogSqlState.internalError, `index id ${index.id} used twice`);
    indexes.set(index.id, index);
  }
  const constraintNames = new Set<string>(t.primaryKey === null ? [] : [t.primaryKey.name]);
  const claimName = (name: string): void => {
    if (constraintNames.has(name)) fail(CatalogSqlState.duplicateObject, `constraint "${name}" for relation "${t.name}" already exists`);
    constraintNames.add(name);
  };
  for (const u of t.uniqueConstraints) {
    claimName(u.name);
    const index = indexes.get(u.indexId);
    const same = index !== undefined && index.unique && index.columnIds.length === u.columnIds.length && index.columnIds.every((id, i) => id === u.columnIds[i]);
    if (!same) fail(CatalogSqlState.invalidTableDefinition, `unique constraint "${u.name}" is not backed by a unique index on its columns`);
  }
  for (const c of t.checkConstraints) claimName(c.name);
}

function layoutChanged(a: RowLayout, t: TableDefinition): boolean {
  return a.columns.length !== t.columns.length || a.columns.some((c, i) => c.id !== t.columns[i]?.id || !sameType(c.type, t.columns[i]?.type ?? c.type));
}

/** Checks a CREATE TABLE definition and claims its ids and names. */
export function createTableDef(b: CatalogBuilder, t: TableDefinition): TableDef {
  b.requireUserSchema(t.databaseName, t.schemaName);
  b.claimId(t.id, `table "${t.name}"`);
  const byId = checkColumns(t);
  checkKeys(t, byId);
  b.claimRelationName(t.databaseName, t.schemaName, t.name, 'table', t.id);
  for (const index of t.indexes) {
    b.claimId(index.id, `index "${index.name}"`);
    b.claimRelationName(t.databaseName, t.schemaName, index.name, 'index', index.id);
    b.indexTables.set(index.id, t.id);
  }
  const layout: RowLayout = { id: 1, columns: t.columns.map((c) => ({ id: c.id, type: c.type })) };
  return { ...t, layout, layouts: [layout], columnIdMax: Math.max(0, ...t.columns.map((c) => c.id)) };
}

function checkAlteredColumns(old: TableDef, t: TableDefinition): void {
  const oldById = new Map(old.columns.map((c) => [c.id, c]));
  for (const c of t.columns) {
    const before = oldById.get(c.id);
    if (before === undefined && c.id <= old.columnIdMax) fail(CatalogSqlState.internalError, `column "${c.name}" reuses column id ${c.id}`);
    if (before !== undefined && !sameType(before.type, c.type)) {
      fail(CatalogSqlState.featureNotSupported, `column "${c.name}" cannot change type in place; a new type needs a new column id and a rewrite`);
    }
  }
  const samePk = (old.primaryKey === null && t.primaryKey === null) ||
    (old.primaryKey !== null && t.primaryKey !== null && old.primaryKey.columnIds.join() === t.primaryKey.columnIds.join());
  if (!samePk || old.rowIdSequenceId !== t.rowIdSequenceId) fail(CatalogSqlState.featureNotSupported, `changing the primary key of "${t.name}" needs a rewrite`);
}

/** Checks an ALTER TABLE definition against the table it replaces; claims new ids and names. */
export function alterTableDef(b: CatalogBuilder, old: TableDef, t: TableDefinition): TableDef {
  b.requireUserSchema(t.databaseName, t.schemaName);
  if (t.databaseName !== old.databaseName) fail(CatalogSqlState.featureNotSupported, 'tables cannot move between databases');
  const byId = checkColumns(t);
  checkKeys(t, byId);
  checkAlteredColumns(old, t);
  const oldIndexes = new Map(old.indexes.map((i) => [i.id, i]));
  b.releaseRelationName(old.databaseName, old.schemaName, old.name, old.id);
  for (const index of old.indexes) {
    b.releaseRelationName(old.databaseName, old.schemaName, index.name, index.id);
    b.indexTables.delete(index.id);
  }
  b.claimRelationName(t.databaseName, t.schemaName, t.name, 'table', t.id);
  for (const index of t.indexes) {
    const before = oldIndexes.get(index.id);
    if (before === undefined) b.claimId(index.id, `index "${index.name}"`);
    else if (before.unique !== index.unique || before.columnIds.join() !== index.columnIds.join()) {
      fail(CatalogSqlState.featureNotSupported, `index "${index.name}" cannot change its columns in place`);
    }
    b.claimRelationName(t.databaseName, t.schemaName, index.name, 'index', index.id);
    b.indexTables.set(index.id, t.id);
  }
  const changed = layoutChanged(old.layout, t);
  const layout: RowLayout = changed ? { id: old.layout.id + 1, columns: t.columns.map((c) => ({ id: c.id, type: c.type })) } : old.layout;
  return {
    ...t, layout, layouts: changed ? [...old.layouts, layout] : old.layouts,
    columnIdMax: Math.max(old.columnIdMax, ...t.columns.map((c) => c.id)),
  };
}
