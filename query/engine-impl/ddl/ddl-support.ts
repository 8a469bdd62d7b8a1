// What every DDL statement shares: the DDL lock (one DDL at a time, so ids
// assigned from the catalog cannot collide), exclusive table locks (so no
// writer has effects on a table that changes under it), name resolution,
// fresh ids, PostgreSQL's generated names, and the proposal: the entry is
// folded into the current catalog first (that is the validation; replay
// then never fails) and proposed; it is applied when propose resolves.
//
// In an explicit transaction block, DDL is part of the transaction
// (DESIGN.md, "DDL"): the DDL lock and the exclusive table locks are held
// until the transaction ends, the entry folds into the transaction's private
// catalog instead of being proposed, and COMMIT proposes it with the
// transaction's writes. Statements not covered refuse to run in a block
// (refuseInBlock) rather than commit on their own.

import {
  applyDdl, encodeDdlEntry, type Catalog, type DdlChange, type TableDef, type TableDefinition,
} from '../../../materializers/index.js';
import type { QualifiedName } from '../../ast/index.js';
import type { EngineCore } from '../engine-core.js';
import { EngineSqlState, invariant, sqlError } from '../errors.js';
import { ddlResource, tableResource } from '../keys.js';
import { identifierBytesMax } from '../limits.js';
import type { LockFunction, SessionHost } from '../session-host.js';
import type { Transaction } from '../transaction.js';

/** The explicit transaction block DDL joins, or null (DDL then commits at once). */
export function ddlBlock(host: SessionHost): Transaction | null {
  const txn = host.transaction();
  return txn !== null && txn.explicit ? txn : null;
}

/** 0A000 for DDL that cannot (yet) be part of a transaction block: never run it outside the transaction silently. */
export function refuseInBlock(host: SessionHost, what: string): void {
  if (ddlBlock(host) === null) return;
  throw sqlError(EngineSqlState.featureNotSupported, `${what} cannot run inside a transaction block`, {
    hint: 'Run it outside BEGIN ... COMMIT. In a block, CREATE/DROP TABLE, CREATE/DROP INDEX, ALTER TABLE (but ADD PRIMARY KEY), TRUNCATE (without RESTART IDENTITY), CREATE/DROP SCHEMA are transactional.',
  });
}

/**
 * Takes the DDL lock, then runs `body` with the catalog it changes: the
 * committed one, or in a transaction block the transaction's own. In a block
 * the locks `body` takes are the transaction's until it ends.
 */
export function withDdl<T>(host: SessionHost, body: (catalog: Catalog, lock: LockFunction) => Promise<T>): Promise<T> {
  return host.withStatementLocks(async (statementLock) => {
    const block = ddlBlock(host);
    if (block?.readOnly === true) throw sqlError(EngineSqlState.readOnlySqlTransaction, 'cannot execute DDL in a read-only transaction');
    const lock: LockFunction = block === null ? statementLock : async (resource, mode) => {
      // Taken for the transaction's owner outside the statement's list: released by Transaction.end.
      const wait = host.core.locks.acquire(block.owner, resource, mode);
      if (wait !== null) await wait;
    };
    await lock(ddlResource, 'exclusive');
    return body(block?.catalog() ?? host.core.catalog(), lock);
  });
}

/**
 * Locks tables exclusively for a DDL statement. A table this transaction
 * wrote (or holds for writing) cannot change under its buffered rows.
 */
export async function lockTablesForDdl(host: SessionHost, lock: LockFunction, tables: readonly TableDef[], verb: string): Promise<void> {
  const txn = host.transaction();
  for (const table of tables) {
    if (txn !== null && (txn.writes.touchesTable(table.id) || txn.lockedTables.has(table.id))) {
      throw sqlError(EngineSqlState.objectInUse, `cannot ${verb} table "${table.name}" because it has pending changes in this transaction`, {
        hint: 'Commit or roll back the transaction first.',
      });
    }
  }
  for (const table of tables) await lock(tableResource(table.id), 'exclusive');
}

/**
 * Runs a DDL statement's changes: in a transaction block, folds them into the
 * transaction's private catalog (proposed at COMMIT); otherwise proposes them
 * now (proposeDdl). Returns the catalog after them.
 */
export async function runDdl(host: SessionHost, catalog: Catalog, changes: readonly DdlChange[]): Promise<Catalog> {
  const block = ddlBlock(host);
  if (block === null) return proposeDdl(host.core, catalog, changes);
  if (changes.length === 0) return catalog;
  invariant(block.catalog() === catalog, 'the transaction\'s catalog changed while this statement held the DDL lock');
  return block.addDdl({ changes });
}

/** Validates `changes` by folding them into `catalog`, then proposes them. Returns the new catalog. */
export async function proposeDdl(core: EngineCore, catalog: Catalog, changes: readonly DdlChange[]): Promise<Catalog> {
  if (changes.length === 0) return catalog;
  const entry = { changes };
  const next = applyDdl(catalog, entry);
  invariant(core.catalog() === catalog, 'the catalog changed while this statement held the DDL lock');
  await core.propose(encodeDdlEntry(entry));
  return next;
}

/** Fresh object ids: above every id the catalog assigned. */
export class IdAllocator {
  private next: number;
  constructor(catalog: Catalog) {
    this.next = catalog.maxObjectId + 1;
  }
  take(): number {
    return this.next++;
  }
}

/** The schema a new object goes into: the one named, or the first existing schema of search_path. */
export function creationSchema(host: SessionHost, catalog: Catalog, schema: string | null): string {
  if (schema !== null) {
    if (catalog.schema(host.database, schema) === undefined) throw sqlError(EngineSqlState.undefinedSchema, `schema "${schema}" does not exist`);
    return schema;
  }
  for (const s of host.settings.searchPath()) {
    if (s !== 'pg_catalog' && s !== 'information_schema' && catalog.schema(host.database, s) !== undefined) return s;
  }
  throw sqlError(EngineSqlState.undefinedSchema, 'no schema has been selected to create in');
}

/** A table by (possibly qualified) name, as a statement would see it. */
export function findTable(host: SessionHost, catalog: Catalog, name: QualifiedName): TableDef | undefined {
  if (name.schema !== null) return catalog.table(name.schema, name.name, host.database);
  for (const s of host.settings.searchPath()) {
    const t = catalog.table(s, name.name, host.database);
    if (t !== undefined) return t;
  }
  return undefined;
}

/** What a name refers to among tables, indexes and sequences, with its schema. */
export function findRelation(
  host: SessionHost, catalog: Catalog, name: QualifiedName,
): { readonly schema: string; readonly kind: 'table' | 'index' | 'sequence'; readonly id: number } | undefined {
  const schemas = name.schema !== null ? [name.schema] : host.settings.searchPath();
  for (const s of schemas) {
    const r = catalog.relation(s, name.name, host.database);
    if (r !== undefined) return { schema: s, ...r };
  }
  return undefined;
}

export function requireTable(host: SessionHost, catalog: Catalog, name: QualifiedName): TableDef {
  const table = findTable(host, catalog, name);
  if (table !== undefined) return table;
  const other = findRelation(host, catalog, name);
  if (other !== undefined) throw sqlError(EngineSqlState.wrongObjectType, `"${name.name}" is not a table`);
  throw sqlError(EngineSqlState.undefinedTable, `relation "${qualified(name)}" does not exist`);
}

export function qualified(name: QualifiedName): string {
  return name.schema === null ? name.name : `${name.schema}.${name.name}`;
}

function cutToBytes(text: string, bytes: number): string {
  let out = text;
  while (Buffer.byteLength(out, 'utf8') > bytes) out = out.slice(0, -1);
  return out;
}

/**
 * PostgreSQL's ChooseRelationName: `table_col_suffix`, shortened to 63
 * bytes, with a number appended until no relation (nor a name in `taken`)
 * has it.
 */
export function chooseName(catalog: Catalog, database: string, schema: string, parts: readonly string[], suffix: string, taken: Set<string>): string {
  for (let n = 0; ; n++) {
    const tail = `${suffix}${n === 0 ? '' : String(n)}`;
    const room = identifierBytesMax - Buffer.byteLength(tail, 'utf8') - (tail === '' ? 0 : 1);
    const head = cutToBytes(parts.join('_'), room);
    const name = tail === '' ? head : `${head}_${tail}`;
    if (!taken.has(name) && catalog.relation(schema, name, database) === undefined) {
      taken.add(name);
      return name;
    }
  }
}

/** A TableDef's definition part, as an alterTable change carries it (the catalog derives the layouts). */
export function definitionOf(t: TableDef): TableDefinition {
  return {
    id: t.id, databaseName: t.databaseName, schemaName: t.schemaName, name: t.name, columns: t.columns, primaryKey: t.primaryKey,
    rowIdSequenceId: t.rowIdSequenceId, uniqueConstraints: t.uniqueConstraints, checkConstraints: t.checkConstraints, indexes: t.indexes,
  };
}
