// Rows of the pg_catalog relations, computed from a CatalogModel. Each
// producer yields records keyed by column name; relations.ts turns them into
// rows and fills what a producer leaves out (0, false, NULL).

import type { SessionContext, TableInfo } from '../contract.js';
import { allOverloads } from '../functions/registry.js';
import type { ArgType, ResultRule } from '../functions/signature.js';
import { typeLength, typeModifier, typeOid } from '../types/sql-type.js';
import type { SqlType } from '../types/sql-type.js';
import type { SqlValue } from '../types/value.js';
import { indexDefinition } from './deparse.js';
import { attrdefOidOf } from './model.js';
import type { CatalogModel, RelationEntry } from './model.js';
import { functionOid, Oid } from './oids.js';
import { builtinType, builtinTypes } from './pg-types.js';
import type { SystemColumn } from './relation-defs.js';

const pgClassOid = 1259;

export type RowRecord = Readonly<Record<string, SqlValue>>;

export interface RowContext {
  readonly model: CatalogModel;
  readonly session: SessionContext;
}

export type RowProducer = (ctx: RowContext) => Iterable<RowRecord>;

/** Oid columns hold int8 values. */
export const oid = (n: number): bigint => BigInt(n);

function collationOf(type: SqlType): number {
  const t = type.kind === 'array' ? type.element : type;
  return t.kind === 'text' || t.kind === 'varchar' || t.kind === 'bpchar' ? Oid.defaultCollation : 0;
}

interface AttributeSource {
  readonly name: string;
  readonly typeOid: number;
  readonly type: SqlType;
  readonly typmod: number;
  readonly notNull: boolean;
  readonly hasDefault: boolean;
  readonly identity: string;
}

function attributeRecord(relationOid: number, attnum: number, a: AttributeSource): RowRecord {
  const builtin = builtinType(a.typeOid);
  return {
    attrelid: oid(relationOid), attname: a.name, atttypid: oid(a.typeOid), attstattarget: -1,
    attlen: builtin?.length ?? typeLength(a.type), attnum, attndims: a.type.kind === 'array' ? 1 : 0, attcacheoff: -1,
    atttypmod: a.typmod, attbyval: builtin?.byValue ?? false, attalign: builtin?.align ?? 'i', attstorage: builtin?.storage ?? 'x',
    attcompression: '', attnotnull: a.notNull, atthasdef: a.hasDefault, atthasmissing: false, attidentity: a.identity,
    attgenerated: '', attisdropped: false, attislocal: true, attinhcount: 0, attcollation: oid(collationOf(a.type)),
  };
}

function tableAttributes(table: TableInfo): AttributeSource[] {
  return table.columns.map((c) => ({
    name: c.name, typeOid: typeOid(c.type), type: c.type, typmod: typeModifier(c.type), notNull: c.notNull,
    hasDefault: c.defaultExpr !== null, identity: c.identity === 'always' ? 'a' : c.identity === 'byDefault' ? 'd' : '',
  }));
}

function systemAttributes(columns: readonly SystemColumn[]): AttributeSource[] {
  return columns.map((c) => ({ name: c.name, typeOid: c.typeOid, type: c.type, typmod: -1, notNull: false, hasDefault: false, identity: '' }));
}

function attributesOf(r: RelationEntry): AttributeSource[] {
  switch (r.kind) {
    case 'table': return tableAttributes(r.table);
    case 'index': {
      const all = tableAttributes(r.table);
      return r.index.columnPositions.map((p) => ({ ...(all[p] as AttributeSource), notNull: false, hasDefault: false, identity: '' }));
    }
    case 'sequence': return [];
    case 'system': return systemAttributes(r.def.columns);
  }
}

function* pgAttribute({ model }: RowContext): Iterable<RowRecord> {
  for (const r of model.relations) {
    const attributes = attributesOf(r);
    for (let i = 0; i < attributes.length; i++) yield attributeRecord(r.oid, i + 1, attributes[i] as AttributeSource);
  }
}

function relationRecord(model: CatalogModel, r: RelationEntry): RowRecord {
  const common = {
    oid: oid(r.oid), relname: r.name, relnamespace: oid(model.namespaceOid(r.schema)), relowner: oid(Oid.bootstrapRole),
    relfilenode: oid(r.oid), reltuples: -1, relpersistence: 'p', relreplident: 'd', relispopulated: true,
  };
  switch (r.kind) {
    case 'table':
      return {
        ...common, relkind: 'r', relam: oid(Oid.heapAm), relnatts: r.table.columns.length, relchecks: r.table.checks.length,
        relhasindex: r.table.indexes.length > 0,
      };
    case 'index': return { ...common, relkind: 'i', relam: oid(Oid.btreeAm), relnatts: r.index.columnPositions.length };
    case 'sequence': return { ...common, relkind: 'S', relnatts: 3 };
    case 'system': return { ...common, relkind: r.def.relkind, relam: oid(r.def.relkind === 'r' ? Oid.heapAm : 0), relnatts: r.def.columns.length, relfilenode: oid(0) };
  }
}

function* pgClass({ model }: RowContext): Iterable<RowRecord> {
  for (const r of model.relations) yield relationRecord(model, r);
}

function* pgNamespace({ model }: RowContext): Iterable<RowRecord> {
  for (const n of model.namespaces) yield { oid: oid(n.oid), nspname: n.name, nspowner: oid(Oid.bootstrapRole) };
}

function* pgType({ model }: RowContext): Iterable<RowRecord> {
  const pgCatalog = oid(model.namespaceOid('pg_catalog') || Oid.pgCatalog);
  for (const t of builtinTypes) {
    yield {
      oid: oid(t.oid), typname: t.name, typnamespace: pgCatalog, typowner: oid(Oid.bootstrapRole), typlen: t.length,
      typbyval: t.byValue, typtype: t.typeType, typcategory: t.category, typispreferred: t.preferred, typisdefined: true,
      typdelim: ',', typelem: oid(t.element), typarray: oid(t.array), typalign: t.align, typstorage: t.storage,
      typtypmod: -1, typcollation: oid(t.collation),
    };
  }
}

function* pgIndex({ model }: RowContext): Iterable<RowRecord> {
  for (const r of model.relations) {
    if (r.kind !== 'index') continue;
    const keys = r.index.columnPositions.map((p) => p + 1);
    yield {
      indexrelid: oid(r.oid), indrelid: oid(r.table.id), indnatts: keys.length, indnkeyatts: keys.length,
      indisunique: r.index.unique, indisprimary: r.index.primary, indimmediate: true, indisvalid: true, indisready: true,
      indislive: true, indkey: keys, indcollation: r.index.columnPositions.map((p) => oid(collationOf(r.table.columns[p]?.type ?? { kind: 'int4' }))),
      indclass: keys.map(() => oid(0)), indoption: keys.map(() => 0),
    };
  }
}

function* pgConstraint({ model }: RowContext): Iterable<RowRecord> {
  for (const c of model.constraints) {
    const conkey = c.index !== null ? c.index.columnPositions.map((p) => p + 1) : null;
    yield {
      oid: oid(c.oid), conname: c.name, connamespace: oid(model.namespaceOid(c.table.schema)), contype: c.type,
      convalidated: true, conrelid: oid(c.table.id), conindid: oid(c.index === null ? 0 : model.indexOid(c.table, c.index)),
      confupdtype: ' ', confdeltype: ' ', confmatchtype: ' ', conislocal: true, connoinherit: c.type === 'c' ? false : true,
      conkey, conbin: c.expr,
    };
  }
}

function* pgAttrdef({ model }: RowContext): Iterable<RowRecord> {
  for (const table of model.catalog.tables()) {
    for (const column of table.columns) {
      if (column.defaultExpr === null) continue;
      yield { oid: oid(attrdefOidOf(table, column)), adrelid: oid(table.id), adnum: column.position + 1, adbin: column.defaultExpr };
    }
  }
}

function* pgDatabase({ model, session }: RowContext): Iterable<RowRecord> {
  const databases = model.databases.length > 0 ? model.databases : [{ oid: 1, name: session.database }];
  for (const d of databases) {
    yield {
      oid: oid(d.oid), datname: d.name, datdba: oid(Oid.bootstrapRole), encoding: 6, datlocprovider: 'c', datistemplate: false,
      datallowconn: true, datconnlimit: -1, dattablespace: oid(Oid.defaultTablespace), datcollate: 'C', datctype: 'C',
    };
  }
}

/** One role: the session's user, as the bootstrap superuser (ThunderDB has no roles yet). */
function roleRecord(session: SessionContext): RowRecord {
  return {
    oid: oid(Oid.bootstrapRole), rolname: session.user, rolsuper: true, rolinherit: true, rolcreaterole: true,
    rolcreatedb: true, rolcanlogin: true, rolreplication: true, rolbypassrls: true, rolconnlimit: -1, rolpassword: '********',
  };
}

function* pgRoles({ session }: RowContext): Iterable<RowRecord> {
  yield roleRecord(session);
}

function* pgAuthid({ session }: RowContext): Iterable<RowRecord> {
  yield { ...roleRecord(session), rolpassword: null };
}

function* pgUser({ session }: RowContext): Iterable<RowRecord> {
  yield {
    usename: session.user, usesysid: oid(Oid.bootstrapRole), usecreatedb: true, usesuper: true, userepl: true,
    usebypassrls: true, passwd: '********',
  };
}

/** The settings SHOW knows (query/engine-impl/settings.ts), as the session sees them. */
export const settingNames: readonly string[] = [
  'application_name', 'bytea_output', 'check_function_bodies', 'client_encoding', 'client_min_messages', 'datestyle',
  'default_transaction_isolation', 'default_transaction_read_only', 'escape_string_warning', 'extra_float_digits',
  'idle_in_transaction_session_timeout', 'in_hot_standby', 'integer_datetimes', 'intervalstyle', 'is_superuser', 'jit',
  'lock_timeout', 'maintenance_work_mem', 'max_identifier_length', 'row_security', 'search_path', 'server_encoding',
  'server_version', 'server_version_num', 'session_authorization', 'standard_conforming_strings', 'statement_timeout',
  'synchronous_commit', 'timezone', 'transaction_isolation', 'work_mem', 'xmloption',
];

function* pgSettings({ session }: RowContext): Iterable<RowRecord> {
  for (const name of settingNames) {
    const setting = session.setting(name);
    if (setting === undefined) continue;
    yield {
      name, setting, category: 'Client Connection Defaults', short_desc: '', context: 'user', vartype: 'string',
      source: 'default', boot_val: setting, reset_val: setting, pending_restart: false,
    };
  }
}

function* pgStatActivity({ model, session }: RowContext): Iterable<RowRecord> {
  const database = model.databases.find((d) => d.name === session.database);
  yield {
    datid: oid(database?.oid ?? 0), datname: session.database, pid: null, leader_pid: null, usesysid: oid(Oid.bootstrapRole),
    usename: session.user, application_name: session.setting('application_name') ?? '', client_port: null,
    backend_xid: null, backend_xmin: null, query_id: null, state: 'active', backend_type: 'client backend',
  };
}

const pseudoTypeOids = { any: 2276, anycompatible: 5077, anycompatiblearray: 5078, anynonarray: 5079 } as const;

function argTypeOid(arg: ArgType): number {
  return arg.kind === 'poly' ? pseudoTypeOids[arg.poly] : typeOid(arg);
}

function resultTypeOid(result: ResultRule): number {
  switch (result.kind) {
    case 'polyElement': return pseudoTypeOids.anycompatible;
    case 'polyArray': return pseudoTypeOids.anycompatiblearray;
    case 'computed': return pseudoTypeOids.anycompatible;
    default: return typeOid(result);
  }
}

export interface FunctionEntry {
  readonly oid: number;
  readonly name: string;
  readonly kind: 'f' | 'a' | 'w';
  readonly args: readonly number[];
  readonly variadic: number;
  readonly result: number;
  readonly returnsSet: boolean;
  readonly strict: boolean;
  readonly volatility: string;
}

let functionEntries: readonly FunctionEntry[] | undefined;

/** The function registry as pg_proc rows, numbered in registry order (stable for a build). */
export function functionCatalog(): readonly FunctionEntry[] {
  if (functionEntries !== undefined) return functionEntries;
  const { scalars, aggregates, windows, tables } = allOverloads();
  const entries: FunctionEntry[] = [];
  const add = (name: string, kind: FunctionEntry['kind'], args: readonly ArgType[], variadic: ArgType | null, result: number,
    returnsSet: boolean, strict: boolean, volatility: string): void => {
    const allArgs = variadic === null ? args : [...args, variadic];
    entries.push({
      oid: functionOid(entries.length), name, kind, args: allArgs.map(argTypeOid), variadic: variadic === null ? 0 : argTypeOid(variadic),
      result, returnsSet, strict, volatility: volatility[0] ?? 'v',
    });
  };
  for (const f of scalars) add(f.name, 'f', f.args, f.variadic, resultTypeOid(f.result), false, f.strict, f.volatility);
  for (const f of aggregates) add(f.name, 'a', f.args, f.variadic, resultTypeOid(f.result), false, f.strict, 'immutable');
  for (const f of windows) add(f.name, 'w', f.args, f.variadic, resultTypeOid(f.result), false, false, 'immutable');
  for (const f of tables) add(f.name, 'f', f.args, f.variadic, 2249, true, f.strict, f.volatility);
  functionEntries = entries;
  return entries;
}

function* pgProc({ model }: RowContext): Iterable<RowRecord> {
  const pgCatalog = oid(model.namespaceOid('pg_catalog') || Oid.pgCatalog);
  for (const f of functionCatalog()) {
    yield {
      oid: oid(f.oid), proname: f.name, pronamespace: pgCatalog, proowner: oid(Oid.bootstrapRole), prolang: oid(Oid.internalLanguage),
      procost: 1, prorows: f.returnsSet ? 1000 : 0, provariadic: oid(f.variadic), prosupport: oid(0), prokind: f.kind,
      proisstrict: f.strict, proretset: f.returnsSet, provolatile: f.volatility, proparallel: 's', pronargs: f.args.length,
      pronargdefaults: 0, prorettype: oid(f.result), proargtypes: f.args.map(oid), prosrc: f.name,
    };
  }
}

function* pgAm(): Iterable<RowRecord> {
  yield { oid: oid(Oid.heapAm), amname: 'heap', amhandler: oid(3), amtype: 't' };
  yield { oid: oid(Oid.btreeAm), amname: 'btree', amhandler: oid(330), amtype: 'i' };
  yield { oid: oid(Oid.hashAm), amname: 'hash', amhandler: oid(331), amtype: 'i' };
}

function* pgCollation(): Iterable<RowRecord> {
  const common = { collnamespace: oid(Oid.pgCatalog), collowner: oid(Oid.bootstrapRole), collisdeterministic: true, collencoding: -1 };
  yield { ...common, oid: oid(Oid.defaultCollation), collname: 'default', collprovider: 'd' };
  yield { ...common, oid: oid(Oid.cCollation), collname: 'C', collprovider: 'c', collcollate: 'C', collctype: 'C' };
  yield { ...common, oid: oid(Oid.posixCollation), collname: 'POSIX', collprovider: 'c', collcollate: 'POSIX', collctype: 'POSIX' };
}

function* pgLanguage(): Iterable<RowRecord> {
  const common = { lanowner: oid(Oid.bootstrapRole), lanispl: false, lanpltrusted: false };
  yield { ...common, oid: oid(Oid.internalLanguage), lanname: 'internal' };
  yield { ...common, oid: oid(13), lanname: 'c' };
  yield { ...common, oid: oid(Oid.sqlLanguage), lanname: 'sql', lanpltrusted: true };
}

function* pgTablespace(): Iterable<RowRecord> {
  yield { oid: oid(Oid.defaultTablespace), spcname: 'pg_default', spcowner: oid(Oid.bootstrapRole) };
  yield { oid: oid(Oid.globalTablespace), spcname: 'pg_global', spcowner: oid(Oid.bootstrapRole) };
}

function* pgSequence({ model }: RowContext): Iterable<RowRecord> {
  for (const r of model.relations) {
    if (r.kind !== 'sequence') continue;
    const s = r.sequence;
    yield {
      seqrelid: oid(s.id), seqtypid: oid(s.dataType === 'int2' ? 21 : s.dataType === 'int4' ? 23 : 20), seqstart: s.start,
      seqincrement: s.increment, seqmax: s.max, seqmin: s.min, seqcache: 1n, seqcycle: s.cycle,
    };
  }
}

function* pgSequences({ model }: RowContext): Iterable<RowRecord> {
  for (const r of model.relations) {
    if (r.kind !== 'sequence') continue;
    const s = r.sequence;
    yield {
      schemaname: s.schema, sequencename: s.name, sequenceowner: null, data_type: oid(s.dataType === 'int2' ? 21 : s.dataType === 'int4' ? 23 : 20),
      start_value: s.start, min_value: s.min, max_value: s.max, increment_by: s.increment, cycle: s.cycle, cache_size: 1n, last_value: null,
    };
  }
}

function* pgTables({ model, session }: RowContext): Iterable<RowRecord> {
  for (const t of model.catalog.tables()) {
    yield { schemaname: t.schema, tablename: t.name, tableowner: session.user, hasindexes: t.indexes.length > 0, hasrules: false, hastriggers: false, rowsecurity: false };
  }
}

/** Only what psql reads: an identity column's sequence depends on it internally ('i'). */
function* pgDepend({ model }: RowContext): Iterable<RowRecord> {
  for (const r of model.relations) {
    if (r.kind !== 'sequence' || r.sequence.ownedBy === null) continue;
    const owner = r.sequence.ownedBy;
    const table = model.catalog.tableById(owner.tableId);
    const column = table?.columns.find((c) => c.id === owner.columnId);
    if (table === undefined || column === undefined) continue;
    yield {
      classid: oid(pgClassOid), objid: oid(r.oid), objsubid: 0, refclassid: oid(pgClassOid), refobjid: oid(table.id),
      refobjsubid: column.position + 1, deptype: column.identity === null ? 'a' : 'i',
    };
  }
}

function* pgIndexes({ model }: RowContext): Iterable<RowRecord> {
  for (const r of model.relations) {
    if (r.kind !== 'index') continue;
    yield { schemaname: r.schema, tablename: r.table.name, indexname: r.name, tablespace: null, indexdef: indexDefinition(model, r.oid) };
  }
}

/** Activity counters are not kept: every table, with zeros. */
function* pgStatUserTables({ model }: RowContext): Iterable<RowRecord> {
  const zeros = Object.fromEntries(['seq_scan', 'seq_tup_read', 'idx_scan', 'idx_tup_fetch', 'n_tup_ins', 'n_tup_upd', 'n_tup_del', 'n_tup_hot_upd',
    'n_live_tup', 'n_dead_tup', 'n_mod_since_analyze', 'n_ins_since_vacuum', 'vacuum_count', 'autovacuum_count', 'analyze_count',
    'autoanalyze_count'].map((k) => [k, 0n]));
  for (const t of model.catalog.tables()) yield { ...zeros, relid: oid(t.id), schemaname: t.schema, relname: t.name };
}

function* pgDescriptionNone(): Iterable<RowRecord> {
  // Comments are not stored: COMMENT ON is not supported.
}

export const pgCatalogProducers: ReadonlyMap<string, RowProducer> = new Map<string, RowProducer>([
  ['pg_class', pgClass], ['pg_namespace', pgNamespace], ['pg_attribute', pgAttribute], ['pg_type', pgType],
  ['pg_index', pgIndex], ['pg_constraint', pgConstraint], ['pg_attrdef', pgAttrdef], ['pg_database', pgDatabase],
  ['pg_roles', pgRoles], ['pg_authid', pgAuthid], ['pg_user', pgUser], ['pg_settings', pgSettings], ['pg_proc', pgProc],
  ['pg_description', pgDescriptionNone], ['pg_am', pgAm], ['pg_collation', pgCollation], ['pg_tablespace', pgTablespace], ['pg_language', pgLanguage],
  ['pg_stat_activity', pgStatActivity], ['pg_sequence', pgSequence], ['pg_sequences', pgSequences], ['pg_tables', pgTables],
  ['pg_indexes', pgIndexes], ['pg_depend', pgDepend], ['pg_stat_user_tables', pgStatUserTables],
]);

