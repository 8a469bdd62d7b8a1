// The DDL a test script needs (CREATE/DROP TABLE, CREATE/DROP INDEX,
// TRUNCATE, CREATE SCHEMA) applied to the test catalog. DDL is the engine's
// job in ThunderDB; this only builds TableInfo the way the engine would.

import type { ColumnDef, CreateIndex, CreateTable, Statement, TableConstraint } from '../ast/index.js';
import type { CheckInfo, ColumnInfo, IndexInfo, TableInfo } from '../contract.js';
import { resolveTypeName } from '../binder/type-name.js';
import { SqlError } from '../types/errors.js';
import { SqlTypes } from '../types/sql-type.js';
import type { SqlType } from '../types/sql-type.js';
import { exprText } from './ast-text.js';
import type { MemoryCatalog } from './memory-catalog.js';
import type { MemoryStore } from './memory-access.js';

const serialTypes: Record<string, SqlType> = { serial: SqlTypes.int4, serial4: SqlTypes.int4, bigserial: SqlTypes.int8, serial8: SqlTypes.int8, smallserial: SqlTypes.int2, serial2: SqlTypes.int2 };

function columnInfo(def: ColumnDef, position: number, id: number): ColumnInfo {
  const serial = def.type.schema === null ? serialTypes[def.type.name] : undefined;
  let identity: ColumnInfo['identity'] = serial === undefined ? null : 'byDefault';
  let notNull = serial !== undefined;
  let defaultExpr: string | null = null;
  for (const c of def.constraints) {
    if (c.kind === 'notNull' || c.kind === 'primaryKey') notNull = true;
    if (c.kind === 'default') defaultExpr = exprText(c.expr);
    if (c.kind === 'identity') { identity = c.generated; notNull = true; }
  }
  return { id, name: def.name, type: serial ?? resolveTypeName(def.type), position, notNull, defaultExpr, identity };
}

function indexOn(table: string, columns: readonly ColumnInfo[], names: readonly string[], id: number, kind: 'primary' | 'unique' | 'plain', name: string | null): IndexInfo {
  const positions = names.map((n) => {
    const c = columns.find((col) => col.name === n);
    if (c === undefined) throw new SqlError('42703', `column "${n}" named in key does not exist`);
    return c.position;
  });
  const suffix = kind === 'primary' ? 'pkey' : kind === 'unique' ? 'key' : 'idx';
  return { id, name: name ?? (kind === 'primary' ? `${table}_pkey` : `${table}_${names.join('_')}_${suffix}`), columnPositions: positions, unique: kind !== 'plain', primary: kind === 'primary' };
}

function tableConstraints(stmt: CreateTable): TableConstraint[] {
  const out: TableConstraint[] = [...stmt.constraints];
  for (const def of stmt.columns) {
    for (const c of def.constraints) {
      if (c.kind === 'primaryKey') out.push({ kind: 'primaryKey', columns: [def.name], name: c.name, position: c.position });
      if (c.kind === 'unique') out.push({ kind: 'unique', columns: [def.name], nullsNotDistinct: c.nullsNotDistinct, name: c.name, position: c.position });
      if (c.kind === 'check') out.push({ kind: 'check', expr: c.expr, name: c.name ?? `${stmt.name.name}_${def.name}_check`, position: c.position });
    }
  }
  return out;
}

function createTable(stmt: CreateTable, catalog: MemoryCatalog, searchPath: readonly string[]): void {
  const schema = stmt.name.schema ?? searchPath[0] ?? 'public';
  if (catalog.lookupTable(schema, stmt.name.name, []) !== undefined) {
    if (stmt.ifNotExists) return;
    throw new SqlError('42P07', `relation "${stmt.name.name}" already exists`);
  }
  const columns = stmt.columns.map((def, i) => columnInfo(def, i, catalog.nextId()));
  const indexes: IndexInfo[] = [];
  const checks: CheckInfo[] = [];
  let checkNumber = 0;
  for (const c of tableConstraints(stmt)) {
    if (c.kind === 'primaryKey') indexes.unshift(indexOn(stmt.name.name, columns, c.columns, catalog.nextId(), 'primary', c.name));
    if (c.kind === 'unique') indexes.push(indexOn(stmt.name.name, columns, c.columns, catalog.nextId(), 'unique', c.name));
    if (c.kind === 'check') checks.push({ name: c.name ?? `${stmt.name.name}_check${checkNumber++ === 0 ? '' : checkNumber}`, expr: exprText(c.expr) });
  }
  const primaryKey = indexes.find((i) => i.primary) ?? null;
  const pkPositions = new Set(primaryKey?.columnPositions ?? []);
  const finalColumns = columns.map((c) => (pkPositions.has(c.position) ? { ...c, notNull: true } : c));
  catalog.putTable({ id: catalog.nextId(), schema, name: stmt.name.name, columns: finalColumns, primaryKey, indexes, checks });
}

function createIndex(stmt: CreateIndex, catalog: MemoryCatalog, searchPath: readonly string[]): void {
  const table = catalog.lookupTable(stmt.table.schema, stmt.table.name, searchPath);
  if (table === undefined) throw new SqlError('42P01', `relation "${stmt.table.name}" does not exist`);
  const names = stmt.columns.map((c) => {
    if (c.key.kind !== 'column') throw new SqlError('0A000', 'expression indexes are not supported by the test catalog');
    return c.key.name;
  });
  const index = indexOn(table.name, table.columns, names, catalog.nextId(), stmt.unique ? 'unique' : 'plain', stmt.name);
  catalog.putTable({ ...table, indexes: [...table.indexes, index] } satisfies TableInfo);
}

/** Applies a DDL statement; returns its command tag, or undefined when `statement` is not DDL. */
export function applyDdl(statement: Statement, catalog: MemoryCatalog, store: MemoryStore, searchPath: readonly string[]): string | undefined {
  switch (statement.kind) {
    case 'createTable': createTable(statement, catalog, searchPath); return 'CREATE TABLE';
    case 'createIndex': createIndex(statement, catalog, searchPath); return 'CREATE INDEX';
    case 'createSchema': catalog.addSchema(statement.name ?? statement.authorization ?? 'public'); return 'CREATE SCHEMA';
    case 'dropTable':
      for (const name of statement.names) {
        const table = catalog.lookupTable(name.schema, name.name, searchPath);
        if (table === undefined) {
          if (statement.ifExists) continue;
          throw new SqlError('42P01', `table "${name.name}" does not exist`);
        }
        catalog.dropTable(table.id);
        store.drop(table.id);
      }
      return 'DROP TABLE';
    case 'truncate':
      for (const t of statement.tables) {
        const table = catalog.lookupTable(t.name.schema, t.name.name, searchPath);
        if (table !== undefined) store.drop(table.id);
      }
      return 'TRUNCATE TABLE';
    default: return undefined;
  }
}
