// CREATE/DROP SCHEMA and CREATE/DROP DATABASE. Dropping a schema or a
// database with CASCADE (or a database at all, as PostgreSQL does) emits
// the drops of what it holds in the same entry.

import type { Catalog, DdlChange } from '../../../materializers/index.js';
import type { CreateDatabase, CreateSchema, DropDatabase, DropSchema } from '../../ast/index.js';
import type { StatementResult } from '../../engine.js';
import { EngineSqlState, sqlError } from '../errors.js';
import type { LockFunction, SessionHost } from '../session-host.js';
import { command, notice } from '../utility/results.js';
import { IdAllocator, lockTablesForDdl, proposeDdl, runDdl, withDdl } from './ddl-support.js';
import { dropTableChanges } from './drop.js';

export function createSchema(host: SessionHost, statement: CreateSchema): Promise<StatementResult> {
  const name = statement.name ?? statement.authorization ?? host.user;
  return withDdl(host, async (catalog) => {
    if (catalog.schema(host.database, name) !== undefined) {
      if (!statement.ifNotExists) throw sqlError(EngineSqlState.duplicateSchema, `schema "${name}" already exists`);
      host.notice(notice(EngineSqlState.duplicateSchema, `schema "${name}" already exists, skipping`));
      return command('CREATE SCHEMA');
    }
    const id = new IdAllocator(catalog).take();
    await runDdl(host, catalog, [{ kind: 'createSchema', schema: { id, databaseName: host.database, name } }]);
    return command('CREATE SCHEMA');
  });
}

/** Drops of the tables (with their sequences) and remaining sequences in a schema. */
function schemaContents(catalog: Catalog, database: string, schema: string): DdlChange[] {
  const tables = catalog.tables().filter((t) => t.databaseName === database && t.schemaName === schema);
  const changes = tables.flatMap((t) => dropTableChanges(catalog, t));
  const dropped = new Set(changes.flatMap((c) => (c.kind === 'dropSequence' ? [c.sequenceId] : [])));
  for (const s of catalog.sequences()) {
    if (s.databaseName === database && s.schemaName === schema && !dropped.has(s.id)) changes.push({ kind: 'dropSequence', sequenceId: s.id });
  }
  return changes;
}

/** Locks every table a cascading drop removes. */
async function lockDropped(host: SessionHost, catalog: Catalog, lock: LockFunction, changes: readonly DdlChange[]): Promise<void> {
  const tables = changes.flatMap((c) => (c.kind === 'dropTable' ? [catalog.tableById(c.tableId)] : [])).filter((t) => t !== undefined);
  await lockTablesForDdl(host, lock, tables, 'DROP');
}

export function dropSchema(host: SessionHost, statement: DropSchema): Promise<StatementResult> {
  return withDdl(host, async (catalog, lock) => {
    const changes: DdlChange[] = [];
    for (const name of statement.names) {
      const schema = catalog.schema(host.database, name);
      if (schema === undefined) {
        if (!statement.ifExists) throw sqlError(EngineSqlState.undefinedSchema, `schema "${name}" does not exist`);
        host.notice(notice(EngineSqlState.successfulCompletion, `schema "${name}" does not exist, skipping`));
        continue;
      }
      const contents = schemaContents(catalog, host.database, name);
      if (contents.length > 0 && !statement.cascade) {
        throw sqlError(EngineSqlState.dependentObjectsStillExist, `cannot drop schema ${name} because other objects depend on it`, {
          hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
        });
      }
      if (contents.length > 0) host.notice(notice(EngineSqlState.successfulCompletion, `drop cascades to ${contents.length} other objects`));
      changes.push(...contents, { kind: 'dropSchema', schemaId: schema.id });
    }
    await lockDropped(host, catalog, lock, changes);
    await runDdl(host, catalog, changes);
    return command('DROP SCHEMA');
  });
}

function refuseInBlock(host: SessionHost, what: string): void {
  if (host.transaction() !== null) throw sqlError(EngineSqlState.activeSqlTransaction, `${what} cannot run inside a transaction block`);
}

export function createDatabase(host: SessionHost, statement: CreateDatabase, inBlock: boolean): Promise<StatementResult> {
  if (inBlock) throw sqlError(EngineSqlState.activeSqlTransaction, 'CREATE DATABASE cannot run inside a transaction block');
  refuseInBlock(host, 'CREATE DATABASE');
  return withDdl(host, async (catalog) => {
    if (catalog.database(statement.name) !== undefined) throw sqlError(EngineSqlState.duplicateDatabase, `database "${statement.name}" already exists`);
    const ids = new IdAllocator(catalog);
    const databaseId = ids.take();
    await proposeDdl(host.core, catalog, [
      { kind: 'createDatabase', database: { id: databaseId, name: statement.name } },
      { kind: 'createSchema', schema: { id: ids.take(), databaseName: statement.name, name: 'public' } },
    ]);
    return command('CREATE DATABASE');
  });
}

export function dropDatabase(host: SessionHost, statement: DropDatabase, inBlock: boolean): Promise<StatementResult> {
  if (inBlock) throw sqlError(EngineSqlState.activeSqlTransaction, 'DROP DATABASE cannot run inside a transaction block');
  refuseInBlock(host, 'DROP DATABASE');
  return withDdl(host, async (catalog, lock) => {
    const database = catalog.database(statement.name);
    if (database === undefined) {
      if (!statement.ifExists) throw sqlError(EngineSqlState.undefinedDatabase, `database "${statement.name}" does not exist`);
      host.notice(notice(EngineSqlState.successfulCompletion, `database "${statement.name}" does not exist, skipping`));
      return command('DROP DATABASE');
    }
    if (statement.name === host.database) throw sqlError(EngineSqlState.objectInUse, 'cannot drop the currently open database');
    const others = host.core.sessionsByDatabase.get(statement.name) ?? 0;
    if (others > 0 && !statement.force) {
      throw sqlError(EngineSqlState.objectInUse, `database "${statement.name}" is being accessed by other users`, {
        detail: `There ${others === 1 ? 'is 1 other session' : `are ${others} other sessions`} using the database.`,
      });
    }
    const changes = catalog.schemas(statement.name).flatMap((s) => schemaContents(catalog, statement.name, s.name));
    await lockDropped(host, catalog, lock, changes);
    await proposeDdl(host.core, catalog, [...changes, { kind: 'dropDatabase', databaseId: database.id }]);
    return command('DROP DATABASE');
  });
}
