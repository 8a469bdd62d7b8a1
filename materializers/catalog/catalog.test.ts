import { describe, expect, it } from 'vitest';
import { Decimal, decodeRow, encodeDdlEntry, decodeDdlEntry, encodeRow, type DdlChange, type SequenceDef, type TableDefinition } from '../entries/index.js';
import { applyDdl } from './apply-ddl.js';
import { Catalog } from './catalog.js';
import { decodeCatalog, encodeCatalog } from './catalog-codec.js';
import { CatalogError } from './errors.js';
import { indexKeyOf, layoutResolverOf, primaryKeyOf, projectRow } from './rows.js';

const users: TableDefinition = {
  id: 16385, databaseName: 'thunderdb', schemaName: 'public', name: 'users',
  columns: [
    { id: 1, name: 'id', type: { kind: 'int4' }, notNull: true },
    { id: 2, name: 'email', type: { kind: 'text' }, notNull: true },
  ],
  primaryKey: { name: 'users_pkey', columnIds: [1] },
  rowIdSequenceId: null,
  uniqueConstraints: [{ name: 'users_email_key', columnIds: [2], indexId: 16386 }],
  checkConstraints: [],
  indexes: [{ id: 16386, name: 'users_email_key', columnIds: [2], unique: true }],
};

const apply = (catalog: Catalog, ...changes: DdlChange[]): Catalog => applyDdl(catalog, { changes });

function sqlState(f: () => unknown): string {
  try {
    f();
    return 'ok';
  } catch (error) {
    if (error instanceof CatalogError) return error.sqlState;
    throw error;
  }
}

describe('catalog', () => {
  const initial = Catalog.initial();
  const withUsers = apply(initial, { kind: 'createTable', table: users });

  it('starts with database thunderdb, schema public and the system schema names', () => {
    expect(initial.version).toBe(0);
    expect(initial.database('thunderdb')?.id).toBe(1);
    expect(initial.schema('thunderdb', 'public')?.id).toBe(2200);
    expect(initial.schema('thunderdb', 'pg_catalog')?.id).toBe(11);
    expect(initial.schema('thunderdb', 'information_schema')).toBeDefined();
    expect(initial.schema('nope', 'public')).toBeUndefined();
    expect(initial.maxObjectId).toBe(16383);
  });

  it('creates tables that are found by name and id, with their indexes, in a new snapshot', () => {
    expect(withUsers.version).toBe(1);
    expect(withUsers.table('public', 'users')?.id).toBe(16385);
    expect(withUsers.tableById(16385)?.layout).toEqual({ id: 1, columns: [{ id: 1, type: { kind: 'int4' } }, { id: 2, type: { kind: 'text' } }] });
    expect(withUsers.indexById(16386)?.index.name).toBe('users_email_key');
    expect(withUsers.relation('public', 'users_email_key')).toEqual({ kind: 'index', id: 16386 });
    expect(withUsers.maxObjectId).toBe(16386);
    expect(initial.table('public', 'users')).toBeUndefined();
  });

  it('gives a column-changing ALTER a new layout and projects old rows by column id', () => {
    const altered = apply(withUsers, {
      kind: 'alterTable',
      table: {
        ...users, name: 'people',
        columns: [users.columns[0]!, { id: 3, name: 'score', type: { kind: 'numeric', precision: null, scale: null }, notNull: false, missingValue: Decimal.of(5n, 0) }],
        uniqueConstraints: [], indexes: [],
      },
    });
    const table = altered.table('public', 'people')!;
    expect(table.layout.id).toBe(2);
    expect(table.layouts.map((l) => l.id)).toEqual([1, 2]);
    expect(altered.table('public', 'users')).toBeUndefined();
    expect(altered.indexById(16386)).toBeUndefined();
    const old = withUsers.tableById(16385)!;
    const oldRow = decodeRow(encodeRow(old.layout, [7, 'a@b']), layoutResolverOf(table));
    expect(projectRow(table, oldRow.layout, oldRow.row)).toEqual([7, Decimal.of(5n, 0)]);
    const renamed = apply(altered, { kind: 'alterTable', table: { ...table, name: 'persons' } });
    expect(renamed.tableById(16385)?.layout.id).toBe(2);
  });

  it('refuses what needs a rewrite or breaks a rule, with PostgreSQL SQLSTATEs', () => {
    const t = withUsers.tableById(16385)!;
    const col = (id: number, name: string): TableDefinition['columns'][number] => ({ id, name, type: { kind: 'int4' }, notNull: false });
    expect(sqlState(() => apply(withUsers, { kind: 'createTable', table: { ...users, id: 16400, indexes: [], uniqueConstraints: [] } }))).toBe('42P07');
    expect(sqlState(() => apply(withUsers, { kind: 'createTable', table: { ...users, id: 16386, name: 'x', indexes: [], uniqueConstraints: [] } }))).toBe('XX000');
    expect(sqlState(() => apply(initial, { kind: 'createTable', table: { ...users, schemaName: 'nope' } }))).toBe('3F000');
    expect(sqlState(() => apply(initial, { kind: 'createTable', table: { ...users, schemaName: 'pg_catalog' } }))).toBe('42501');
    expect(sqlState(() => apply(initial, { kind: 'createTable', table: { ...users, columns: [...users.columns, col(3, 'id')] } }))).toBe('42701');
    expect(sqlState(() => apply(initial, { kind: 'createTable', table: { ...users, indexes: [] } }))).toBe('42P16');
    expect(sqlState(() => apply(initial, { kind: 'createTable', table: { ...users, primaryKey: { name: 'p', columnIds: [9] } } }))).toBe('42703');
    expect(sqlState(() => apply(initial, { kind: 'createTable', table: { ...users, primaryKey: null } }))).toBe('42P16');
    expect(sqlState(() => apply(initial, {
      kind: 'createTable', table: { ...users, columns: [{ ...users.columns[0]!, type: { kind: 'jsonb' } }, users.columns[1]!] },
    }))).toBe('0A000');
    expect(sqlState(() => apply(withUsers, { kind: 'alterTable', table: { ...t, columns: [{ ...t.columns[0]!, type: { kind: 'int8' } }, t.columns[1]!] } }))).toBe('0A000');
    expect(sqlState(() => apply(withUsers, { kind: 'alterTable', table: { ...t, primaryKey: { name: 'p', columnIds: [2] } } }))).toBe('0A000');
    const dropped = apply(withUsers, { kind: 'alterTable', table: { ...t, columns: [t.columns[0]!], uniqueConstraints: [], indexes: [] } });
    expect(sqlState(() => apply(dropped, { kind: 'alterTable', table: { ...t, columns: [t.columns[0]!, col(2, 'again')], uniqueConstraints: [], indexes: [] } }))).toBe('XX000');
    expect(sqlState(() => apply(initial, { kind: 'createSchema', schema: { id: 16400, databaseName: 'thunderdb', name: 'pg_mine' } }))).toBe('42939');
    expect(sqlState(() => apply(initial, { kind: 'createSchema', schema: { id: 16400, databaseName: 'thunderdb', name: 'public' } }))).toBe('42P06');
    expect(sqlState(() => apply(initial, { kind: 'createDatabase', database: { id: 16400, name: 'thunderdb' } }))).toBe('42P04');
    expect(sqlState(() => apply(withUsers, { kind: 'dropSchema', schemaId: 2200 }))).toBe('2BP01');
    expect(sqlState(() => apply(initial, { kind: 'dropTable', tableId: 16385 }))).toBe('42P01');
  });

  it('applies an entry atomically: a failing change leaves the old catalog as it was', () => {
    const before = encodeCatalog(withUsers);
    expect(sqlState(() => apply(withUsers, { kind: 'dropTable', tableId: 16385 }, { kind: 'dropTable', tableId: 16385 }))).toBe('42P01');
    expect(encodeCatalog(withUsers)).toEqual(before);
    expect(withUsers.table('public', 'users')).toBeDefined();
  });

  it('keeps sequences consistent with the columns and tables that use them', () => {
    const seq: SequenceDef = {
      id: 16390, databaseName: 'thunderdb', schemaName: 'public', name: 'items_id_seq', dataType: 'int8', start: 1n, increment: 1n,
      min: 1n, max: 2n ** 63n - 1n, cycle: false, ownedBy: { tableId: 16391, columnId: 1 },
    };
    const items: TableDefinition = {
      id: 16391, databaseName: 'thunderdb', schemaName: 'public', name: 'items',
      columns: [{ id: 1, name: 'id', type: { kind: 'int8' }, notNull: true, identity: 'always', sequenceId: 16390 }],
      primaryKey: null, rowIdSequenceId: 16390, uniqueConstraints: [], checkConstraints: [], indexes: [],
    };
    const c = apply(initial, { kind: 'createSequence', sequence: seq }, { kind: 'createTable', table: items });
    expect(c.sequence('public', 'items_id_seq')?.id).toBe(16390);
    expect(sqlState(() => apply(c, { kind: 'dropSequence', sequenceId: 16390 }))).toBe('2BP01');
    expect(sqlState(() => apply(c, { kind: 'dropTable', tableId: 16391 }))).toBe('2BP01');
    const gone = apply(c, { kind: 'dropTable', tableId: 16391 }, { kind: 'dropSequence', sequenceId: 16390 });
    expect(gone.sequences()).toEqual([]);
    expect(sqlState(() => apply(initial, { kind: 'createSequence', sequence: { ...seq, ownedBy: null, min: 5n, start: 1n } }))).toBe('22023');
    expect(sqlState(() => apply(initial, { kind: 'createSequence', sequence: { ...seq, ownedBy: null, increment: 0n } }))).toBe('22023');
  });

  it('creates and drops databases with their schemas', () => {
    const c = apply(initial,
      { kind: 'createDatabase', database: { id: 16400, name: 'shop' } },
      { kind: 'createSchema', schema: { id: 16401, databaseName: 'shop', name: 'public' } });
    expect(c.schemas('shop').map((s) => s.name)).toEqual(['public']);
    expect(c.schema('shop', 'pg_catalog')).toBeDefined();
    const d = apply(c, { kind: 'dropDatabase', databaseId: 16400 });
    expect(d.database('shop')).toBeUndefined();
    expect(d.schemas('shop')).toEqual([]);
  });

  it('persists and restores exactly, and folds deterministically through the entry codec', () => {
    const entries = [
      { changes: [{ kind: 'createTable', table: users }] },
      { changes: [{ kind: 'alterTable', table: { ...users, columns: [...users.columns, { id: 3, name: 'n', type: { kind: 'int8' }, notNull: false, missingValue: 3n }] } }] },
    ] as const;
    const fold = (): Catalog => entries.reduce<Catalog>((c, e) => applyDdl(c, decodeDdlEntry(encodeDdlEntry(e))), Catalog.initial());
    const a = fold();
    expect(encodeCatalog(a)).toEqual(encodeCatalog(fold()));
    const restored = decodeCatalog(encodeCatalog(a));
    expect(encodeCatalog(restored)).toEqual(encodeCatalog(a));
    expect(restored.table('public', 'users')?.layouts.length).toBe(2);
    expect(restored.indexById(16386)?.table.id).toBe(16385);
  });

  it('encodes primary and index keys of current-layout rows', () => {
    const t = withUsers.tableById(16385)!;
    expect(primaryKeyOf(t, [5, 'x']).length).toBeGreaterThan(0);
    expect(indexKeyOf(t, t.indexes[0]!, [5, 'x'])).not.toEqual(indexKeyOf(t, t.indexes[0]!, [5, 'y']));
  });

  it('withVersion keeps every object (by identity) under another version', () => {
    const c = applyDdl(Catalog.initial(), { changes: [{ kind: 'createTable', table: users }] });
    const v = c.withVersion(-7);
    expect(v.version).toBe(-7);
    expect(v.tableById(users.id)).toBe(c.tableById(users.id));
    expect(v.maxObjectId).toBe(c.maxObjectId);
    expect(applyDdl(v, { changes: [{ kind: 'dropTable', tableId: users.id }] }).tableById(users.id)).toBeUndefined();
  });
});
