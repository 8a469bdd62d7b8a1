// DROP TABLE (with the sequences it owns) and DROP INDEX, with IF EXISTS
// notices as PostgreSQL words them.

import type { Catalog, DdlChange, TableDef } from '../../../materializers/index.js';
import type { DropIndex, DropTable } from '../../ast/index.js';
import type { StatementResult } from '../../engine.js';
import { EngineSqlState, sqlError } from '../errors.js';
import type { SessionHost } from '../session-host.js';
import { command, notice } from '../utility/results.js';
import {
  definitionOf, findRelation, findTable, lockTablesForDdl, qualified, runDdl, withDdl,
} from './ddl-support.js';

/** The changes that drop a table and the sequences it owns. */
export function dropTableChanges(catalog: Catalog, table: TableDef): DdlChange[] {
  const owned = catalog.sequences().filter((s) => s.ownedBy?.tableId === table.id);
  return [{ kind: 'dropTable', tableId: table.id }, ...owned.map((s): DdlChange => ({ kind: 'dropSequence', sequenceId: s.id }))];
}

export function dropTable(host: SessionHost, statement: DropTable): Promise<StatementResult> {
  return withDdl(host, async (catalog, lock) => {
    const tables: TableDef[] = [];
    for (const name of statement.names) {
      const table = findTable(host, catalog, name);
      if (table !== undefined) {
        if (!tables.includes(table)) tables.push(table);
        continue;
      }
      if (findRelation(host, catalog, name) !== undefined) throw sqlError(EngineSqlState.wrongObjectType, `"${name.name}" is not a table`, { hint: 'Use DROP INDEX or DROP SEQUENCE to remove it.' });
      if (!statement.ifExists) throw sqlError(EngineSqlState.undefinedTable, `table "${qualified(name)}" does not exist`);
      host.notice(notice(EngineSqlState.successfulCompletion, `table "${qualified(name)}" does not exist, skipping`));
    }
    await lockTablesForDdl(host, lock, tables, 'DROP');
    await runDdl(host, catalog, tables.flatMap((t) => dropTableChanges(catalog, t)));
    return command('DROP TABLE');
  });
}

export function dropIndex(host: SessionHost, statement: DropIndex): Promise<StatementResult> {
  return withDdl(host, async (catalog, lock) => {
    const altered = new Map<number, TableDef>();
    for (const name of statement.names) {
      const relation = findRelation(host, catalog, name);
      if (relation === undefined) {
        if (!statement.ifExists) throw sqlError(EngineSqlState.undefinedObject, `index "${qualified(name)}" does not exist`);
        host.notice(notice(EngineSqlState.successfulCompletion, `index "${qualified(name)}" does not exist, skipping`));
        continue;
      }
      if (relation.kind !== 'index') throw sqlError(EngineSqlState.wrongObjectType, `"${name.name}" is not an index`);
      const found = catalog.indexById(relation.id);
      if (found === undefined) throw sqlError(EngineSqlState.undefinedObject, `index "${qualified(name)}" does not exist`);
      const table = altered.get(found.table.id) ?? found.table;
      const constraint = table.uniqueConstraints.find((u) => u.indexId === relation.id);
      if (constraint !== undefined) {
        throw sqlError(EngineSqlState.dependentObjectsStillExist, `cannot drop index ${name.name} because constraint ${constraint.name} on table ${table.name} requires it`, {
          hint: `You can drop constraint ${constraint.name} on table ${table.name} instead.`,
        });
      }
      altered.set(table.id, { ...table, indexes: table.indexes.filter((i) => i.id !== relation.id) });
    }
    await lockTablesForDdl(host, lock, [...altered.keys()].map((id) => catalog.tableById(id) as TableDef), 'ALTER');
    await runDdl(host, catalog, [...altered.values()].map((table): DdlChange => ({ kind: 'alterTable', table: definitionOf(table) })));
    return command('DROP INDEX');
  });
}
