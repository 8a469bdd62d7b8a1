// The catalog functions psql, pgbench and drivers call: format_type,
// pg_get_indexdef / constraintdef / expr, visibility tests, the reg* input
// and output functions, privileges (ThunderDB has one all-powerful role),
// sizes and descriptions. They read the statement's catalog snapshot through
// FunctionEnv.runtime, so they answer for the snapshot the statement uses.

import { scalar, scalarTyped } from '../functions/define.js';
import type { FunctionEnv } from '../functions/env.js';
import type { ScalarOverload, TableFunctionOverload } from '../functions/signature.js';
import { SqlError } from '../types/errors.js';
import { arrayOf, SqlTypes } from '../types/sql-type.js';
import type { SqlValue } from '../types/value.js';
import { catalogModel, effectiveSearchPath, relationIsVisible } from './model.js';
import type { CatalogModel, RelationEntry } from './model.js';
import { Oid } from './oids.js';
import { functionCatalog } from './pg-catalog-rows.js';
import { builtinType, builtinTypeByName, formatType } from './pg-types.js';
import { constraintDefinition, indexDefinition } from './deparse.js';
import { quoteIdent, quoteQualified, splitQualifiedName } from './sql-names.js';

const { int4, int8, text, bool } = SqlTypes;

const model = (env: FunctionEnv): CatalogModel => catalogModel(env.runtime.catalog);
const oidArg = (args: readonly SqlValue[], i: number): number => Number(args[i] as bigint);

function relationName(m: CatalogModel, env: FunctionEnv, r: RelationEntry): string {
  return relationIsVisible(m, env.runtime.session, r.oid) ? quoteIdent(r.name) : quoteQualified(r.schema, r.name);
}

function undefinedObject(kind: string, name: string, sqlState = '42704'): SqlError {
  return new SqlError(sqlState, `${kind} "${name}" does not exist`);
}

/** regclassin: an oid in digits, or a relation name (qualified or found along search_path). */
function regclassIn(env: FunctionEnv, input: string, missingOk: boolean): bigint | null {
  if (/^\d+$/.test(input)) return BigInt(input);
  const m = model(env);
  const [schema, name] = splitQualifiedName(input);
  const schemas = schema === null ? effectiveSearchPath(env.runtime.session) : [schema];
  for (const s of schemas) {
    const r = m.relationByName(s, name);
    if (r !== undefined) return BigInt(r.oid);
  }
  if (missingOk) return null;
  throw undefinedObject('relation', input, '42P01');
}

function regtypeIn(input: string, missingOk: boolean): bigint | null {
  if (/^\d+$/.test(input)) return BigInt(input);
  const name = input.trim().toLowerCase().replace(/^pg_catalog\./, '');
  const aliases: Readonly<Record<string, string>> = {
    integer: 'int4', int: 'int4', smallint: 'int2', bigint: 'int8', boolean: 'bool', real: 'float4', 'double precision': 'float8',
    'character varying': 'varchar', character: 'bpchar', 'timestamp without time zone': 'timestamp',
    'timestamp with time zone': 'timestamptz', 'time without time zone': 'time', decimal: 'numeric', '"char"': 'char',
  };
  const array = name.endsWith('[]');
  const base = array ? name.slice(0, -2) : name;
  const t = builtinTypeByName(aliases[base] ?? base);
  if (t !== undefined) return BigInt(array ? t.array : t.oid);
  if (missingOk) return null;
  throw undefinedObject('type', input);
}

function regnamespaceIn(env: FunctionEnv, input: string, missingOk: boolean): bigint | null {
  if (/^\d+$/.test(input)) return BigInt(input);
  const [, name] = splitQualifiedName(input);
  const n = model(env).namespaces.find((ns) => ns.name === name);
  if (n !== undefined) return BigInt(n.oid);
  if (missingOk) return null;
  throw undefinedObject('schema', input, '3F000');
}

function regprocIn(input: string, missingOk: boolean): bigint | null {
  if (/^\d+$/.test(input)) return BigInt(input);
  const [, withArgs] = splitQualifiedName(input);
  const name = withArgs.replace(/\(.*$/, '');
  const f = functionCatalog().find((e) => e.name === name);
  if (f !== undefined) return BigInt(f.oid);
  if (missingOk) return null;
  throw undefinedObject('function', input, '42883');
}

function regroleIn(env: FunctionEnv, input: string, missingOk: boolean): bigint | null {
  if (/^\d+$/.test(input)) return BigInt(input);
  if (input === env.runtime.session.user) return BigInt(Oid.bootstrapRole);
  if (missingOk) return null;
  throw undefinedObject('role', input);
}

function regclassOut(env: FunctionEnv, oid: number): string {
  const m = model(env);
  const r = m.relation(oid);
  return r === undefined ? String(oid) : relationName(m, env, r);
}

function regtypeOut(oid: number): string {
  return builtinType(oid) === undefined ? String(oid) : formatType(oid, null);
}

function regnamespaceOut(env: FunctionEnv, oid: number): string {
  const name = model(env).namespaceName(oid);
  return name === undefined ? String(oid) : quoteIdent(name);
}

function regprocOut(oid: number): string {
  return functionCatalog().find((f) => f.oid === oid)?.name ?? (oid === 0 ? '-' : String(oid));
}

function roleName(env: FunctionEnv, oid: number): string {
  return oid === Oid.bootstrapRole ? env.runtime.session.user : `unknown (OID=${oid})`;
}

/** pg_size_pretty(bigint), PostgreSQL 15's units and half-rounding. */
export function sizePretty(bytes: bigint): string {
  const limit = 10n * 1024n;
  const limit2 = limit * 2n - 1n;
  const abs = (v: bigint): bigint => v < 0n ? -v : v;
  const halfRounded = (v: bigint): bigint => (v + (v < 0n ? -1n : 1n)) / 2n;
  if (abs(bytes) < limit) return `${bytes} bytes`;
  let size = bytes >> 9n; // one extra bit for rounding
  for (const unit of ['kB', 'MB', 'GB', 'TB']) {
    if (abs(size) < limit2 || unit === 'TB') return `${halfRounded(size)} ${unit}`;
    size >>= 10n;
  }
  return `${halfRounded(size)} PB`;
}

function serialSequence(env: FunctionEnv, tableName: string, column: string): string | null {
  const m = model(env);
  const oid = regclassIn(env, tableName, false);
  const r = m.relation(Number(oid));
  if (r === undefined || r.kind !== 'table') throw undefinedObject('relation', tableName, '42P01');
  const c = r.table.columns.find((col) => col.name === column);
  if (c === undefined) throw new SqlError('42703', `column "${column}" of relation "${r.name}" does not exist`);
  const s = m.relations.find((x) => x.kind === 'sequence' && x.sequence.ownedBy?.tableId === r.table.id && x.sequence.ownedBy.columnId === c.id);
  return s === undefined ? null : quoteQualified(s.schema, s.name);
}

function functionArguments(oid: number): string | null {
  const f = functionCatalog().find((e) => e.oid === oid);
  return f === undefined ? null : f.args.map((a) => formatType(a, null)).join(', ');
}

function functionResult(oid: number): string | null {
  const f = functionCatalog().find((e) => e.oid === oid);
  if (f === undefined) return null;
  return `${f.returnsSet ? 'SETOF ' : ''}${formatType(f.result, null)}`;
}

/** pg_get_functiondef() of a built-in (LANGUAGE internal) function. */
function functionDefinition(oid: number): string | null {
  const f = functionCatalog().find((e) => e.oid === oid);
  if (f === undefined) return null;
  const volatility = f.volatility === 'i' ? 'IMMUTABLE' : f.volatility === 's' ? 'STABLE' : 'VOLATILE';
  return `CREATE OR REPLACE FUNCTION pg_catalog.${quoteIdent(f.name)}(${functionArguments(oid) ?? ''})\n RETURNS ${functionResult(oid) ?? ''}\n`
    + ` LANGUAGE internal\n ${volatility}${f.strict ? ' STRICT' : ''}\nAS $function$${f.name}$function$\n`;
}

const always = (): boolean => true;
const stable = { volatility: 'stable' } as const;

function privilegeOverloads(name: string): ScalarOverload[] {
  return [
    scalar(name, [text, text], bool, always, stable), scalar(name, [int8, text], bool, always, stable),
    scalar(name, [text, text, text], bool, always, stable), scalar(name, [text, int8, text], bool, always, stable),
    scalar(name, [int8, int8, text], bool, always, stable), scalar(name, [int8, text, text], bool, always, stable),
  ];
}

function regOverloads(name: string, input: (env: FunctionEnv, s: string, missingOk: boolean) => bigint | null, output: (env: FunctionEnv, oid: number) => string): ScalarOverload[] {
  return [
    scalar(`${name}in`, [text], int8, (a, env) => input(env, a[0] as string, false), stable),
    scalar(`${name}out`, [int8], text, (a, env) => output(env, oidArg(a, 0)), stable),
    scalar(`to_${name}`, [text], int8, (a, env) => input(env, a[0] as string, true), stable),
  ];
}

export const catalogFunctions: readonly ScalarOverload[] = [
  ...regOverloads('regclass', regclassIn, regclassOut),
  ...regOverloads('regtype', (_env, s, ok) => regtypeIn(s, ok), (_env, oid) => regtypeOut(oid)),
  ...regOverloads('regnamespace', regnamespaceIn, regnamespaceOut),
  ...regOverloads('regproc', (_env, s, ok) => regprocIn(s, ok), (_env, oid) => regprocOut(oid)),
  ...regOverloads('regrole', regroleIn, roleName),
  scalar('format_type', [int8, int4], text, (a) => a[0] === null ? null : formatType(oidArg(a, 0), a[1] === null ? null : a[1] as number), { strict: false }),
  scalar('pg_get_indexdef', [int8], text, (a, env) => indexDefinition(model(env), oidArg(a, 0)), stable),
  scalar('pg_get_indexdef', [int8, int4, bool], text, (a, env) => indexDefinition(model(env), oidArg(a, 0), a[1] as number), stable),
  scalar('pg_get_constraintdef', [int8], text, (a, env) => nullable(model(env).constraint(oidArg(a, 0)), (c) => constraintDefinition(c, false)), stable),
  scalar('pg_get_constraintdef', [int8, bool], text, (a, env) => nullable(model(env).constraint(oidArg(a, 0)), (c) => constraintDefinition(c, a[1] === true)), stable),
  // Expressions are stored as SQL text (pg_node_tree columns hold it), so deparsing is the identity.
  scalar('pg_get_expr', [text, int8], text, (a) => a[0] as string, stable),
  scalar('pg_get_expr', [text, int8, bool], text, (a) => a[0] as string, stable),
  scalar('pg_table_is_visible', [int8], bool, (a, env) => relationIsVisible(model(env), env.runtime.session, oidArg(a, 0)), stable),
  scalar('pg_type_is_visible', [int8], bool, (a) => builtinType(oidArg(a, 0)) !== undefined, stable),
  scalar('pg_function_is_visible', [int8], bool, (a) => functionCatalog().some((f) => f.oid === oidArg(a, 0)), stable),
  ...['pg_operator_is_visible', 'pg_opclass_is_visible', 'pg_opfamily_is_visible', 'pg_collation_is_visible', 'pg_conversion_is_visible',
    'pg_statistics_obj_is_visible', 'pg_ts_parser_is_visible', 'pg_ts_dict_is_visible', 'pg_ts_template_is_visible',
    'pg_ts_config_is_visible'].map((n) => scalar(n, [int8], bool, always, stable)),
  scalar('pg_is_other_temp_schema', [int8], bool, () => false, stable),
  scalar('pg_my_temp_schema', [], int8, () => 0n, stable),
  scalarTyped('current_schemas', [bool], arrayOf(text), () => (a, env) => currentSchemas(env, a[0] === true), stable),
  scalar('obj_description', [int8, text], text, () => null, stable),
  scalar('obj_description', [int8], text, () => null, stable),
  scalar('col_description', [int8, int4], text, () => null, stable),
  scalar('shobj_description', [int8, text], text, () => null, stable),
  scalar('pg_get_userbyid', [int8], text, (a, env) => roleName(env, oidArg(a, 0)), stable),
  ...privilegeOverloads('has_table_privilege'), ...privilegeOverloads('has_schema_privilege'),
  ...privilegeOverloads('has_database_privilege'), ...privilegeOverloads('has_column_privilege'),
  ...privilegeOverloads('has_sequence_privilege'), ...privilegeOverloads('has_function_privilege'),
  scalar('pg_has_role', [text, text], bool, always, stable), scalar('pg_has_role', [int8, text], bool, always, stable),
  scalar('pg_encoding_to_char', [int4], text, (a) => a[0] === 6 ? 'UTF8' : a[0] === 0 ? 'SQL_ASCII' : ''),
  scalar('pg_char_to_encoding', [text], int4, (a) => (a[0] as string).toUpperCase() === 'UTF8' ? 6 : -1),
  scalar('pg_get_partkeydef', [int8], text, () => null, stable),
  scalar('pg_get_viewdef', [int8], text, () => null, stable),
  scalar('pg_get_viewdef', [int8, bool], text, () => null, stable),
  scalar('pg_get_triggerdef', [int8], text, () => null, stable),
  scalar('pg_get_triggerdef', [int8, bool], text, () => null, stable),
  scalar('pg_get_statisticsobjdef_columns', [int8], text, () => null, stable),
  scalar('pg_get_function_arguments', [int8], text, (a) => functionArguments(oidArg(a, 0)), stable),
  scalar('pg_get_function_identity_arguments', [int8], text, (a) => functionArguments(oidArg(a, 0)), stable),
  scalar('pg_get_function_result', [int8], text, (a) => functionResult(oidArg(a, 0)), stable),
  scalar('pg_get_function_sqlbody', [int8], text, () => null, stable),
  scalar('pg_get_functiondef', [int8], text, (a) => functionDefinition(oidArg(a, 0)), stable),
  scalar('pg_relation_is_publishable', [int8], bool, () => false, stable),
  scalar('pg_tablespace_location', [int8], text, () => '', stable),
  scalar('getdatabaseencoding', [], text, () => 'UTF8', stable),
  // Sizes on disk are not tracked per relation (one RocksDB holds every table): reported as 0.
  ...['pg_relation_size', 'pg_total_relation_size', 'pg_table_size', 'pg_indexes_size'].map((n) => scalar(n, [int8], int8, () => 0n, stable)),
  scalar('pg_database_size', [text], int8, () => 0n, stable),
  scalar('pg_size_pretty', [int8], text, (a) => sizePretty(a[0] as bigint)),
  scalar('pg_get_serial_sequence', [text, text], text, (a, env) => serialSequence(env, a[0] as string, a[1] as string), stable),
  scalar('pg_backend_pid', [], int4, (_a, env) => Number(env.runtime.session.setting('thunderdb.backend_pid') ?? 0), stable),
  scalar('pg_is_in_recovery', [], bool, () => false, { volatility: 'volatile' }),
  scalar('inet_server_addr', [], text, () => null, stable),
  scalar('inet_server_port', [], int4, () => null, stable),
  scalar('inet_client_addr', [], text, () => null, stable),
  scalar('inet_client_port', [], int4, () => null, stable),
  scalar('pg_postmaster_start_time', [], SqlTypes.timestamptz, () => null, stable),
  scalar('pg_jit_available', [], bool, () => false, stable),
];

function nullable<T>(value: T | undefined, f: (v: T) => string): string | null {
  return value === undefined ? null : f(value);
}

/** current_schemas(include_implicit): the search path's existing schemas, pg_catalog first when implicit ones are asked for. */
function currentSchemas(env: FunctionEnv, implicit: boolean): string[] {
  const m = model(env);
  const path = implicit ? effectiveSearchPath(env.runtime.session) : env.runtime.session.searchPath.map((s) => s === '$user' ? env.runtime.session.user : s);
  return path.filter((s, i) => path.indexOf(s) === i && m.namespaces.some((n) => n.name === s));
}

/** pg_partition_ancestors(regclass): the relation itself (ThunderDB has no partitions). */
export const catalogTableFunctions: readonly TableFunctionOverload[] = [{
  name: 'pg_partition_ancestors', args: [int8], variadic: null, result: int8, strict: true, volatility: 'stable',
  columns: () => [{ name: 'relid', type: int8 }],
  implement: () => (a) => [[a[0] as bigint]],
}];
