// The catalog as a deterministic fold of DDL entries: applyDdl(catalog, entry)
// returns a new Catalog or throws CatalogError, and depends on nothing else.
// The leader folds each DDL entry into its overlay catalog before proposing
// (that is the validation); every replica folds it again when it commits.

import { unreachable } from '../assert.js';
import type { DdlChange, DdlEntry, SequenceDef } from '../entries/index.js';
import { CatalogBuilder } from './builder.js';
import { schemaKey, systemSchemaNames, type Catalog } from './catalog.js';
import { CatalogError, CatalogSqlState } from './errors.js';
import { alterTableDef, createTableDef } from './table-rules.js';

const sequenceRanges = {
  int2: [-(2n ** 15n), 2n ** 15n - 1n],
  int4: [-(2n ** 31n), 2n ** 31n - 1n],
  int8: [-(2n ** 63n), 2n ** 63n - 1n],
} as const;

/** Folds one DDL entry (all its changes, atomically) into a new catalog. */
export function applyDdl(catalog: Catalog, ddl: DdlEntry): Catalog {
  const b = new CatalogBuilder(catalog.contents);
  for (const change of ddl.changes) applyChange(b, change);
  checkReferences(b);
  return b.build();
}

function applyChange(b: CatalogBuilder, change: DdlChange): void {
  switch (change.kind) {
    case 'createDatabase': return createDatabase(b, change.database.id, change.database.name);
    case 'dropDatabase': return dropDatabase(b, change.databaseId);
    case 'createSchema': return createSchema(b, change.schema.id, change.schema.databaseName, change.schema.name);
    case 'dropSchema': return dropSchema(b, change.schemaId);
    case 'createTable': {
      const table = createTableDef(b, change.table);
      b.tables.set(table.id, table);
      return;
    }
    case 'alterTable': {
      const table = alterTableDef(b, b.requireTable(change.table.id), change.table);
      b.tables.set(table.id, table);
      return;
    }
    case 'dropTable': return dropTable(b, change.tableId);
    case 'truncateTable':
      b.requireTable(change.tableId);
      return;
    case 'createSequence': return putSequence(b, change.sequence, true);
    case 'alterSequence': return putSequence(b, change.sequence, false);
    case 'dropSequence': return dropSequence(b, change.sequenceId);
    default: return unreachable(change, 'ddl change');
  }
}

function createDatabase(b: CatalogBuilder, id: number, name: string): void {
  if (b.databases.has(name)) throw new CatalogError(CatalogSqlState.duplicateDatabase, `database "${name}" already exists`);
  b.claimId(id, `database "${name}"`);
  b.databases.set(name, { id, name });
}

function dropDatabase(b: CatalogBuilder, id: number): void {
  const database = [...b.databases.values()].find((d) => d.id === id);
  if (database === undefined) throw new CatalogError(CatalogSqlState.undefinedDatabase, `database with id ${id} does not exist`);
  const holdsObjects = [...b.tables.values(), ...b.sequences.values()].some((o) => o.databaseName === database.name);
  if (holdsObjects) {
    throw new CatalogError(CatalogSqlState.dependentObjectsStillExist, `database "${database.name}" still holds tables or sequences`);
  }
  for (const [key, schema] of b.schemas) if (schema.databaseName === database.name) b.schemas.delete(key);
  b.databases.delete(database.name);
}

function createSchema(b: CatalogBuilder, id: number, databaseName: string, name: string): void {
  b.requireDatabase(databaseName);
  if (systemSchemaNames.includes(name) || name.startsWith('pg_')) {
    throw new CatalogError(CatalogSqlState.reservedName, `unacceptable schema name "${name}"`, 'The prefix "pg_" is reserved for system schemas.');
  }
  const key = schemaKey(databaseName, name);
  if (b.schemas.has(key)) throw new CatalogError(CatalogSqlState.duplicateSchema, `schema "${name}" already exists`);
  b.claimId(id, `schema "${name}"`);
  b.schemas.set(key, { id, databaseName, name });
}

function dropSchema(b: CatalogBuilder, id: number): void {
  const entry = [...b.schemas].find(([, s]) => s.id === id);
  if (entry === undefined) throw new CatalogError(CatalogSqlState.undefinedSchema, `schema with id ${id} does not exist`);
  const [key, schema] = entry;
  const inSchema = (o: { databaseName: string; schemaName: string }): boolean => o.databaseName === schema.databaseName && o.schemaName === schema.name;
  if ([...b.tables.values(), ...b.sequences.values()].some(inSchema)) {
    throw new CatalogError(CatalogSqlState.dependentObjectsStillExist, `cannot drop schema "${schema.name}" because other objects depend on it`);
  }
  b.schemas.delete(key);
}

function dropTable(b: CatalogBuilder, id: number): void {
  const table = b.requireTable(id);
  b.releaseRelationName(table.databaseName, table.schemaName, table.name, table.id);
  for (const index of table.indexes) {
    b.releaseRelationName(table.databaseName, table.schemaName, index.name, index.id);
    b.indexTables.delete(index.id);
  }
  b.tables.delete(id);
}

function checkSequenceBounds(s: SequenceDef): void {
  const [typeMin, typeMax] = sequenceRanges[s.dataType];
  const fail = (message: string): never => {
    throw new CatalogError(CatalogSqlState.invalidParameterValue, `sequence "${s.name}": ${message}`);
  };
  if (s.increment === 0n) fail('INCREMENT must not be zero');
  if (s.min < typeMin || s.max > typeMax) fail(`MINVALUE and MAXVALUE must lie within ${s.dataType}`);
  if (s.min >= s.max) fail(`MINVALUE (${s.min}) must be less than MAXVALUE (${s.max})`);
  if (s.start < s.min || s.start > s.max) fail(`START value (${s.start}) must lie between MINVALUE and MAXVALUE`);
}

function putSequence(b: CatalogBuilder, s: SequenceDef, create: boolean): void {
  b.requireUserSchema(s.databaseName, s.schemaName);
  checkSequenceBounds(s);
  if (create) {
    b.claimId(s.id, `sequence "${s.name}"`);
  } else {
    const old = b.requireSequence(s.id);
    if (old.databaseName !== s.databaseName) throw new CatalogError(CatalogSqlState.featureNotSupported, 'sequences cannot move between databases');
    b.releaseRelationName(old.databaseName, old.schemaName, old.name, old.id);
  }
  b.claimRelationName(s.databaseName, s.schemaName, s.name, 'sequence', s.id);
  b.sequences.set(s.id, s);
}

function dropSequence(b: CatalogBuilder, id: number): void {
  const s = b.requireSequence(id);
  b.releaseRelationName(s.databaseName, s.schemaName, s.name, s.id);
  b.sequences.delete(id);
}

/** After the whole entry: every sequence a table uses exists, and every owner exists. */
function checkReferences(b: CatalogBuilder): void {
  const dependent = (sequenceId: number, what: string): void => {
    if (!b.sequences.has(sequenceId)) {
      throw new CatalogError(CatalogSqlState.dependentObjectsStillExist, `${what} depends on sequence id ${sequenceId}, which does not exist`);
    }
  };
  for (const table of b.tables.values()) {
    if (table.rowIdSequenceId !== null) dependent(table.rowIdSequenceId, `table "${table.name}"`);
    for (const c of table.columns) if (c.sequenceId !== undefined) dependent(c.sequenceId, `column "${table.name}.${c.name}"`);
  }
  for (const s of b.sequences.values()) {
    if (s.ownedBy === null) continue;
    const owner = b.tables.get(s.ownedBy.tableId);
    const columnId = s.ownedBy.columnId;
    if (owner === undefined || (columnId !== 0 && !owner.columns.some((c) => c.id === columnId))) {
      throw new CatalogError(CatalogSqlState.dependentObjectsStillExist, `sequence "${s.name}" is owned by a table or column that does not exist; drop it with its owner`);
    }
  }
}
