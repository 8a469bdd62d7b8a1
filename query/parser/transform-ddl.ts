// CREATE / DROP / ALTER of tables, indexes, schemas and databases; TRUNCATE.

import type {
  AlterTableCmd, AlterTableStmt, ColumnDef as PgColumnDef, Constraint, CreateSchemaStmt, CreateStmt,
  CreatedbStmt, DropStmt, DropdbStmt, IndexStmt, RenameStmt, TruncateStmt,
} from 'libpg-query';
import type {
  AlterTable, AlterTableAction, ColumnConstraint, ColumnDef, CreateDatabase, CreateIndex,
  CreateSchema, CreateTable, DropDatabase, QualifiedName, ReferentialAction, References, Statement,
  TableConstraint, Truncate,
} from '../ast/index.js';
import { notSupported, syntaxError } from './errors.js';
import { checkFields, errorPos, pgAs, pgExpect, pgList, pgString, pgStrings, pgTag, pos } from './pg-nodes.js';
import type { TransformContext } from './pg-nodes.js';
import { indexKey } from './transform-dml.js';
import { required, transformExpr, transformOptionalExpr } from './transform-expr.js';
import { qualifiedName, transformTypeName } from './transform-func.js';
import { transformOptions } from './transform-options.js';
import { transformRangeVarName } from './transform-select.js';

export function transformCreateStmt(s: CreateStmt, ctx: TransformContext): CreateTable {
  checkFields(s, ['relation', 'tableElts', 'options', 'oncommit', 'if_not_exists', 'inhRelations', 'partbound',
    'partspec', 'ofTypename', 'tablespacename', 'accessMethod'], 'CREATE TABLE', ctx, -1);
  const relation = required(s.relation, 'table name');
  const at = errorPos(ctx, relation.location);
  if (s.inhRelations !== undefined) throw notSupported('INHERITS', at);
  if (s.partbound !== undefined) throw notSupported('CREATE TABLE ... PARTITION OF', at);
  if (s.partspec !== undefined) throw notSupported('PARTITION BY', at);
  if (s.ofTypename !== undefined) throw notSupported('CREATE TABLE ... OF type', at);
  if (s.tablespacename !== undefined) throw notSupported('TABLESPACE', at);
  if (s.accessMethod !== undefined) throw notSupported('CREATE TABLE ... USING', at);
  if ((s.oncommit ?? 'ONCOMMIT_NOOP') !== 'ONCOMMIT_NOOP') throw notSupported('ON COMMIT', at);
  const columns: ColumnDef[] = [];
  const constraints: TableConstraint[] = [];
  for (const element of pgList(s.tableElts)) {
    const column = pgAs(element, 'ColumnDef');
    const constraint = pgAs(element, 'Constraint');
    if (column !== undefined) columns.push(transformColumnDef(column, ctx));
    else if (constraint !== undefined) constraints.push(transformTableConstraint(constraint, ctx));
    else throw notSupported(pgTag(element) === 'TableLikeClause' ? 'LIKE in CREATE TABLE' : `table element ${String(pgTag(element))}`, at);
  }
  const persistence = relation.relpersistence === 't' ? 'temporary' : relation.relpersistence === 'u' ? 'unlogged' : 'permanent';
  return {
    kind: 'createTable',
    name: transformRangeVarName(relation, ctx),
    ifNotExists: s.if_not_exists === true,
    persistence,
    columns,
    constraints,
    options: transformOptions(s.options, ctx, 'WITH'),
  };
}

function transformColumnDef(c: PgColumnDef, ctx: TransformContext): ColumnDef {
  checkFields(c, ['colname', 'typeName', 'is_local', 'collClause', 'constraints', 'location'], 'column definition', ctx, c.location);
  const constraints: ColumnConstraint[] = [];
  for (const n of pgList(c.constraints)) {
    const constraint = transformColumnConstraint(pgExpect(n, 'Constraint', 'column constraint'), ctx);
    if (constraint !== null) constraints.push(constraint);
  }
  return {
    name: c.colname ?? '',
    type: transformTypeName(required(c.typeName, 'column type'), ctx),
    constraints,
    collation: c.collClause === undefined ? null : pgStrings(c.collClause.collname, 'collation name'),
    position: pos(ctx, c.location),
  };
}

const constraintFields: readonly (keyof Constraint)[] = [
  'contype', 'conname', 'is_enforced', 'initially_valid', 'raw_expr', 'generated_when', 'generated_kind',
  'nulls_not_distinct', 'keys', 'options', 'pktable', 'fk_attrs', 'pk_attrs', 'fk_matchtype', 'fk_upd_action',
  'fk_del_action', 'location',
];

/**
 * Refuses constraint properties ThunderDB does not model: DEFERRABLE, NOT
 * VALID, NOT ENFORCED, NO INHERIT, INCLUDE, index storage options.
 */
function checkConstraint(c: Constraint, ctx: TransformContext): void {
  const at = errorPos(ctx, c.location);
  if (c.deferrable === true || c.initdeferred === true) throw notSupported('DEFERRABLE constraint', at);
  if (c.is_no_inherit === true) throw notSupported('NO INHERIT constraint', at);
  if (c.skip_validation === true) throw notSupported('NOT VALID constraint', at);
  const type = c.contype ?? 'CONSTR_NULL';
  const enforceable = type === 'CONSTR_CHECK' || type === 'CONSTR_FOREIGN' || type === 'CONSTR_NOTNULL';
  if (enforceable && c.is_enforced !== true) throw notSupported('NOT ENFORCED constraint', at);
  if (enforceable && c.initially_valid !== true) throw notSupported('NOT VALID constraint', at);
  if (type !== 'CONSTR_IDENTITY' && c.options !== undefined) throw notSupported('index storage option in a constraint', at);
  checkFields(c, constraintFields, 'constraint', ctx, c.location);
}

/** A column constraint, or null for clauses that restate the default (NOT DEFERRABLE, INITIALLY IMMEDIATE, ENFORCED). */
function transformColumnConstraint(c: Constraint, ctx: TransformContext): ColumnConstraint | null {
  checkConstraint(c, ctx);
  const base = { name: c.conname ?? null, position: pos(ctx, c.location) };
  const at = errorPos(ctx, c.location);
  const type = c.contype ?? 'CONSTR_NULL';
  switch (type) {
    case 'CONSTR_NULL': return { ...base, kind: 'null' };
    case 'CONSTR_NOTNULL': return { ...base, kind: 'notNull' };
    case 'CONSTR_DEFAULT': return { ...base, kind: 'default', expr: transformExpr(required(c.raw_expr, 'DEFAULT'), ctx) };
    case 'CONSTR_CHECK': return { ...base, kind: 'check', expr: transformExpr(required(c.raw_expr, 'CHECK'), ctx) };
    case 'CONSTR_PRIMARY': return { ...base, kind: 'primaryKey' };
    case 'CONSTR_UNIQUE': return { ...base, kind: 'unique', nullsNotDistinct: c.nulls_not_distinct === true };
    case 'CONSTR_FOREIGN': return { ...base, kind: 'references', references: transformReferences(c, ctx) };
    case 'CONSTR_IDENTITY':
      return {
        ...base, kind: 'identity', generated: c.generated_when === 'd' ? 'byDefault' : 'always',
        options: transformOptions(c.options, ctx, 'identity option'),
      };
    case 'CONSTR_GENERATED':
      return {
        ...base, kind: 'generated', expr: transformExpr(required(c.raw_expr, 'GENERATED'), ctx),
        storage: c.generated_kind === 'v' ? 'virtual' : 'stored',
      };
    case 'CONSTR_ATTR_NOT_DEFERRABLE':
    case 'CONSTR_ATTR_IMMEDIATE':
    case 'CONSTR_ATTR_ENFORCED':
      return null;
    case 'CONSTR_ATTR_DEFERRABLE':
    case 'CONSTR_ATTR_DEFERRED':
      throw notSupported('DEFERRABLE constraint', at);
    case 'CONSTR_ATTR_NOT_ENFORCED': throw notSupported('NOT ENFORCED constraint', at);
    case 'CONSTR_EXCLUSION': throw notSupported('EXCLUDE constraint', at);
  }
}

export function transformTableConstraint(c: Constraint, ctx: TransformContext): TableConstraint {
  checkConstraint(c, ctx);
  const base = { name: c.conname ?? null, position: pos(ctx, c.location) };
  const type = c.contype ?? 'CONSTR_NULL';
  switch (type) {
    case 'CONSTR_PRIMARY': return { ...base, kind: 'primaryKey', columns: pgStrings(c.keys, 'PRIMARY KEY') };
    case 'CONSTR_UNIQUE':
      return { ...base, kind: 'unique', columns: pgStrings(c.keys, 'UNIQUE'), nullsNotDistinct: c.nulls_not_distinct === true };
    case 'CONSTR_CHECK': return { ...base, kind: 'check', expr: transformExpr(required(c.raw_expr, 'CHECK'), ctx) };
    case 'CONSTR_FOREIGN':
      return { ...base, kind: 'foreignKey', columns: pgStrings(c.fk_attrs, 'FOREIGN KEY'), references: transformReferences(c, ctx) };
    case 'CONSTR_NOTNULL': throw notSupported('table-level NOT NULL constraint', errorPos(ctx, c.location));
    case 'CONSTR_EXCLUSION': throw notSupported('EXCLUDE constraint', errorPos(ctx, c.location));
    default: throw notSupported(`table constraint ${type}`, errorPos(ctx, c.location));
  }
}

const referentialActions: Record<string, ReferentialAction> = {
  a: 'noAction', r: 'restrict', c: 'cascade', n: 'setNull', d: 'setDefault',
};

function transformReferences(c: Constraint, ctx: TransformContext): References {
  const match = c.fk_matchtype === 'f' ? 'full' : c.fk_matchtype === 'p' ? 'partial' : 'simple';
  return {
    table: transformRangeVarName(required(c.pktable, 'REFERENCES table'), ctx),
    columns: pgStrings(c.pk_attrs, 'REFERENCES'),
    match,
    onDelete: referentialActions[c.fk_del_action ?? 'a'] ?? 'noAction',
    onUpdate: referentialActions[c.fk_upd_action ?? 'a'] ?? 'noAction',
  };
}

/** DROP TABLE / INDEX / SCHEMA; other object types are refused by name. */
export function transformDropStmt(s: DropStmt, ctx: TransformContext): Statement {
  checkFields(s, ['objects', 'removeType', 'behavior', 'missing_ok', 'concurrent'], 'DROP', ctx, -1);
  const ifExists = s.missing_ok === true;
  const cascade = s.behavior === 'DROP_CASCADE';
  const type = s.removeType ?? 'OBJECT_ACCESS_METHOD';
  const objectNames = (): QualifiedName[] => pgList(s.objects).map((o) => {
    const parts = pgStrings(pgExpect(o, 'List', 'DROP').items, 'DROP');
    return qualifiedName(parts, -1, ctx, 'object name');
  });
  if (s.concurrent === true && type !== 'OBJECT_INDEX') throw notSupported('DROP ... CONCURRENTLY', errorPos(ctx, -1));
  switch (type) {
    case 'OBJECT_TABLE': return { kind: 'dropTable', names: objectNames(), ifExists, cascade };
    case 'OBJECT_INDEX': return { kind: 'dropIndex', names: objectNames(), ifExists, cascade, concurrently: s.concurrent === true };
    case 'OBJECT_SCHEMA':
      return { kind: 'dropSchema', names: pgList(s.objects).map((o) => pgString(o, 'DROP SCHEMA')), ifExists, cascade };
    default: throw notSupported(`DROP ${type.slice('OBJECT_'.length).replaceAll('_', ' ')}`, errorPos(ctx, -1));
  }
}

export function transformIndexStmt(s: IndexStmt, ctx: TransformContext): CreateIndex {
  checkFields(s, ['idxname', 'relation', 'accessMethod', 'indexParams', 'indexIncludingParams', 'options', 'whereClause',
    'unique', 'nulls_not_distinct', 'concurrent', 'if_not_exists', 'tableSpace'], 'CREATE INDEX', ctx, -1);
  const relation = required(s.relation, 'index table');
  if (s.indexIncludingParams !== undefined) throw notSupported('INCLUDE in CREATE INDEX', errorPos(ctx, relation.location));
  if (s.tableSpace !== undefined) throw notSupported('TABLESPACE', errorPos(ctx, relation.location));
  if (relation.inh !== true) throw notSupported('CREATE INDEX ON ONLY', errorPos(ctx, relation.location));
  return {
    kind: 'createIndex',
    name: s.idxname ?? null,
    table: transformRangeVarName(relation, ctx),
    unique: s.unique === true,
    nullsNotDistinct: s.nulls_not_distinct === true,
    ifNotExists: s.if_not_exists === true,
    concurrently: s.concurrent === true,
    method: s.accessMethod ?? 'btree',
    columns: pgList(s.indexParams).map((p) => {
      const e = pgExpect(p, 'IndexElem', 'index column');
      const dir = e.ordering ?? 'SORTBY_DEFAULT';
      const nulls = e.nulls_ordering ?? 'SORTBY_NULLS_DEFAULT';
      return {
        key: indexKey(e, ctx, false),
        direction: dir === 'SORTBY_ASC' ? 'asc' : dir === 'SORTBY_DESC' ? 'desc' : 'default',
        nulls: nulls === 'SORTBY_NULLS_FIRST' ? 'first' : nulls === 'SORTBY_NULLS_LAST' ? 'last' : 'default',
      };
    }),
    where: transformOptionalExpr(s.whereClause, ctx),
    options: transformOptions(s.options, ctx, 'index option'),
  };
}

export function transformAlterTableStmt(s: AlterTableStmt, ctx: TransformContext): AlterTable {
  checkFields(s, ['relation', 'cmds', 'objtype', 'missing_ok'], 'ALTER TABLE', ctx, -1);
  const relation = required(s.relation, 'ALTER TABLE table');
  const objtype = s.objtype ?? 'OBJECT_ACCESS_METHOD';
  if (objtype !== 'OBJECT_TABLE') {
    throw notSupported(`ALTER ${objtype.slice('OBJECT_'.length).replaceAll('_', ' ')}`, errorPos(ctx, relation.location));
  }
  return {
    kind: 'alterTable',
    table: transformRangeVarName(relation, ctx),
    ifExists: s.missing_ok === true,
    only: relation.inh !== true,
    actions: pgList(s.cmds).map((c) => transformAlterTableCmd(pgExpect(c, 'AlterTableCmd', 'ALTER TABLE'), ctx)),
  };
}

/** ALTER TABLE subcommands PostgreSQL has and ThunderDB refuses, by their SQL spelling. */
const alterTableNames: Record<string, string> = {
  AT_AlterColumnType: 'ALTER COLUMN ... TYPE',
  AT_ChangeOwner: 'OWNER TO',
  AT_SetRelOptions: 'SET (storage options)',
  AT_ResetRelOptions: 'RESET (storage options)',
  AT_AddIdentity: 'ADD GENERATED AS IDENTITY',
  AT_DropIdentity: 'DROP IDENTITY',
  AT_SetIdentity: 'SET identity options',
  AT_ValidateConstraint: 'VALIDATE CONSTRAINT',
  AT_AlterConstraint: 'ALTER CONSTRAINT',
  AT_SetStatistics: 'SET STATISTICS',
  AT_SetStorage: 'SET STORAGE',
  AT_SetLogged: 'SET LOGGED',
  AT_SetUnLogged: 'SET UNLOGGED',
  AT_AddIndexConstraint: 'ADD CONSTRAINT ... USING INDEX',
};

function transformAlterTableCmd(c: AlterTableCmd, ctx: TransformContext): AlterTableAction {
  const subtype = c.subtype ?? 'AT_AddColumn';
  const column = c.name ?? '';
  switch (subtype) {
    case 'AT_AddColumn':
      checkFields(c, ['subtype', 'def', 'behavior', 'missing_ok'], 'ADD COLUMN', ctx, -1);
      return { kind: 'addColumn', column: transformColumnDef(pgExpect(c.def, 'ColumnDef', 'ADD COLUMN'), ctx), ifNotExists: c.missing_ok === true };
    case 'AT_DropColumn':
      checkFields(c, ['subtype', 'name', 'behavior', 'missing_ok'], 'DROP COLUMN', ctx, -1);
      return { kind: 'dropColumn', column, ifExists: c.missing_ok === true, cascade: c.behavior === 'DROP_CASCADE' };
    case 'AT_AddConstraint':
      checkFields(c, ['subtype', 'def', 'behavior'], 'ADD CONSTRAINT', ctx, -1);
      return { kind: 'addConstraint', constraint: transformTableConstraint(pgExpect(c.def, 'Constraint', 'ADD CONSTRAINT'), ctx) };
    case 'AT_DropConstraint':
      checkFields(c, ['subtype', 'name', 'behavior', 'missing_ok'], 'DROP CONSTRAINT', ctx, -1);
      return { kind: 'dropConstraint', name: column, ifExists: c.missing_ok === true, cascade: c.behavior === 'DROP_CASCADE' };
    case 'AT_ColumnDefault':
      checkFields(c, ['subtype', 'name', 'def', 'behavior'], 'ALTER COLUMN ... DEFAULT', ctx, -1);
      return c.def === undefined ? { kind: 'dropDefault', column } : { kind: 'setDefault', column, expr: transformExpr(c.def, ctx) };
    case 'AT_SetNotNull':
      checkFields(c, ['subtype', 'name', 'behavior'], 'SET NOT NULL', ctx, -1);
      return { kind: 'setNotNull', column };
    case 'AT_DropNotNull':
      checkFields(c, ['subtype', 'name', 'behavior'], 'DROP NOT NULL', ctx, -1);
      return { kind: 'dropNotNull', column };
    default:
      throw notSupported(`ALTER TABLE ${alterTableNames[subtype] ?? subtype.slice('AT_'.length)}`, errorPos(ctx, -1));
  }
}

/** ALTER TABLE ... RENAME TO / RENAME [COLUMN] a TO b; other renames are refused. */
export function transformRenameStmt(s: RenameStmt, ctx: TransformContext): AlterTable {
  checkFields(s, ['renameType', 'relationType', 'relation', 'subname', 'newname', 'behavior', 'missing_ok'], 'RENAME', ctx, -1);
  const type = s.renameType ?? 'OBJECT_ACCESS_METHOD';
  const relation = s.relation;
  let action: AlterTableAction;
  if (type === 'OBJECT_TABLE') action = { kind: 'renameTable', newName: s.newname ?? '' };
  else if (type === 'OBJECT_COLUMN' && s.relationType === 'OBJECT_TABLE') {
    action = { kind: 'renameColumn', column: s.subname ?? '', newName: s.newname ?? '' };
  } else {
    throw notSupported(`ALTER ... RENAME of ${type.slice('OBJECT_'.length).toLowerCase()}`, errorPos(ctx, relation?.location ?? -1));
  }
  const table = required(relation, 'RENAME table');
  return { kind: 'alterTable', table: transformRangeVarName(table, ctx), ifExists: s.missing_ok === true, only: table.inh !== true, actions: [action] };
}

export function transformTruncateStmt(s: TruncateStmt, ctx: TransformContext): Truncate {
  checkFields(s, ['relations', 'restart_seqs', 'behavior'], 'TRUNCATE', ctx, -1);
  return {
    kind: 'truncate',
    tables: pgList(s.relations).map((n) => {
      const r = pgExpect(n, 'RangeVar', 'TRUNCATE');
      return { name: transformRangeVarName(r, ctx), only: r.inh !== true };
    }),
    restartIdentity: s.restart_seqs === true,
    cascade: s.behavior === 'DROP_CASCADE',
  };
}

export function transformCreatedbStmt(s: CreatedbStmt, ctx: TransformContext): CreateDatabase {
  checkFields(s, ['dbname', 'options'], 'CREATE DATABASE', ctx, -1);
  return { kind: 'createDatabase', name: s.dbname ?? '', options: transformOptions(s.options, ctx, 'CREATE DATABASE') };
}

export function transformDropdbStmt(s: DropdbStmt, ctx: TransformContext): DropDatabase {
  checkFields(s, ['dbname', 'missing_ok', 'options'], 'DROP DATABASE', ctx, -1);
  let force = false;
  for (const option of transformOptions(s.options, ctx, 'DROP DATABASE')) {
    // PostgreSQL's DropDatabase accepts FORCE alone and reports anything else this way.
    if (option.name !== 'force') throw syntaxError(`unrecognized DROP DATABASE option "${option.name}"`, ctx.source.errorPosition(option.position));
    force = true;
  }
  return { kind: 'dropDatabase', name: s.dbname ?? '', ifExists: s.missing_ok === true, force };
}

export function transformCreateSchemaStmt(s: CreateSchemaStmt, ctx: TransformContext): CreateSchema {
  checkFields(s, ['schemaname', 'authrole', 'schemaElts', 'if_not_exists'], 'CREATE SCHEMA', ctx, -1);
  if (s.schemaElts !== undefined) throw notSupported('CREATE SCHEMA with schema elements', errorPos(ctx, -1));
  let authorization: string | null = null;
  if (s.authrole !== undefined) {
    if (s.authrole.roletype !== 'ROLESPEC_CSTRING') {
      throw notSupported('CREATE SCHEMA AUTHORIZATION with a role keyword', errorPos(ctx, s.authrole.location));
    }
    authorization = s.authrole.rolename ?? '';
  }
  return { kind: 'createSchema', name: s.schemaname ?? null, ifNotExists: s.if_not_exists === true, authorization };
}

