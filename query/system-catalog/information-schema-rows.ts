// Rows of the information_schema views, from the same CatalogModel as
// pg_catalog's (PostgreSQL defines them as views over pg_catalog; here they
// are computed directly, with the same values).

import type { ColumnInfo, TableInfo } from '../contract.js';
import { formatTypeName } from '../types/sql-type.js';
import type { SqlType } from '../types/sql-type.js';
import { functionCatalog } from './pg-catalog-rows.js';
import type { RowContext, RowProducer, RowRecord } from './pg-catalog-rows.js';
import { builtinType, formatType } from './pg-types.js';

const yesNo = (b: boolean): string => b ? 'YES' : 'NO';

function* schemata({ model, session }: RowContext): Iterable<RowRecord> {
  for (const n of model.namespaces) yield { catalog_name: session.database, schema_name: n.name, schema_owner: session.user };
}

function* tables({ model, session }: RowContext): Iterable<RowRecord> {
  for (const r of model.relations) {
    if (r.kind !== 'table' && r.kind !== 'system') continue;
    const view = r.kind === 'system' && r.def.relkind === 'v';
    yield {
      table_catalog: session.database, table_schema: r.schema, table_name: r.name, table_type: view ? 'VIEW' : 'BASE TABLE',
      is_insertable_into: yesNo(r.kind === 'table'), is_typed: 'NO',
    };
  }
}

/** information_schema's data_type: the SQL-standard spelling, without modifiers. */
function dataType(type: SqlType): string {
  if (type.kind === 'array') return 'ARRAY';
  switch (type.kind) {
    case 'numeric': return 'numeric';
    case 'varchar': return 'character varying';
    case 'bpchar': return 'character';
    case 'time': return 'time without time zone';
    case 'timestamp': return 'timestamp without time zone';
    case 'timestamptz': return 'timestamp with time zone';
    case 'interval': return 'interval';
    default: return formatTypeName(type);
  }
}

const udtNames: Readonly<Record<string, string>> = {
  bool: 'bool', int2: 'int2', int4: 'int4', int8: 'int8', float4: 'float4', float8: 'float8', numeric: 'numeric', text: 'text',
  varchar: 'varchar', bpchar: 'bpchar', bytea: 'bytea', uuid: 'uuid', date: 'date', time: 'time', timestamp: 'timestamp',
  timestamptz: 'timestamptz', interval: 'interval', json: 'json', jsonb: 'jsonb',
};

function numericFacts(type: SqlType): RowRecord {
  switch (type.kind) {
    case 'int2': return { numeric_precision: 16, numeric_precision_radix: 2, numeric_scale: 0 };
    case 'int4': return { numeric_precision: 32, numeric_precision_radix: 2, numeric_scale: 0 };
    case 'int8': return { numeric_precision: 64, numeric_precision_radix: 2, numeric_scale: 0 };
    case 'float4': return { numeric_precision: 24, numeric_precision_radix: 2 };
    case 'float8': return { numeric_precision: 53, numeric_precision_radix: 2 };
    case 'numeric': return { numeric_precision: type.precision, numeric_precision_radix: 10, numeric_scale: type.scale };
    case 'varchar': case 'bpchar':
      return { character_maximum_length: type.length, character_octet_length: type.length === null ? 1073741824 : type.length * 4 };
    case 'text': return { character_octet_length: 1073741824 };
    case 'date': return { datetime_precision: 0 };
    case 'time': case 'timestamp': case 'timestamptz': case 'interval': return { datetime_precision: type.precision ?? 6 };
    default: return {};
  }
}

function columnRecord(database: string, table: TableInfo, c: ColumnInfo): RowRecord {
  const udt = c.type.kind === 'array' ? `_${udtNames[c.type.element.kind] ?? ''}` : udtNames[c.type.kind] ?? '';
  return {
    table_catalog: database, table_schema: table.schema, table_name: table.name, column_name: c.name,
    ordinal_position: c.position + 1, column_default: c.defaultExpr, is_nullable: yesNo(!c.notNull), data_type: dataType(c.type),
    ...numericFacts(c.type),
    udt_catalog: database, udt_schema: 'pg_catalog', udt_name: udt, dtd_identifier: String(c.position + 1),
    is_self_referencing: 'NO', is_identity: yesNo(c.identity !== null),
    identity_generation: c.identity === null ? null : c.identity === 'always' ? 'ALWAYS' : 'BY DEFAULT',
    identity_cycle: c.identity === null ? null : 'NO', is_generated: 'NEVER', is_updatable: 'YES',
  };
}

function* columns({ model, session }: RowContext): Iterable<RowRecord> {
  for (const table of model.catalog.tables()) {
    for (const c of table.columns) yield columnRecord(session.database, table, c);
  }
}

const constraintTypes = { p: 'PRIMARY KEY', u: 'UNIQUE', c: 'CHECK' } as const;

function* tableConstraints({ model, session }: RowContext): Iterable<RowRecord> {
  for (const c of model.constraints) {
    yield {
      constraint_catalog: session.database, constraint_schema: c.table.schema, constraint_name: c.name,
      table_catalog: session.database, table_schema: c.table.schema, table_name: c.table.name,
      constraint_type: constraintTypes[c.type], is_deferrable: 'NO', initially_deferred: 'NO', enforced: 'YES',
      nulls_distinct: c.type === 'u' ? 'YES' : null,
    };
  }
}

function* keyColumnUsage({ model, session }: RowContext): Iterable<RowRecord> {
  for (const c of model.constraints) {
    if (c.index === null) continue;
    let position = 0;
    for (const p of c.index.columnPositions) {
      position++;
      yield {
        constraint_catalog: session.database, constraint_schema: c.table.schema, constraint_name: c.name,
        table_catalog: session.database, table_schema: c.table.schema, table_name: c.table.name,
        column_name: c.table.columns[p]?.name ?? null, ordinal_position: position,
      };
    }
  }
}

function* constraintColumnUsage({ model, session }: RowContext): Iterable<RowRecord> {
  for (const c of model.constraints) {
    if (c.index === null) continue;
    for (const p of c.index.columnPositions) {
      yield {
        table_catalog: session.database, table_schema: c.table.schema, table_name: c.table.name, column_name: c.table.columns[p]?.name ?? null,
        constraint_catalog: session.database, constraint_schema: c.table.schema, constraint_name: c.name,
      };
    }
  }
}

function* checkConstraints({ model, session }: RowContext): Iterable<RowRecord> {
  for (const c of model.constraints) {
    if (c.type !== 'c') continue;
    yield { constraint_catalog: session.database, constraint_schema: c.table.schema, constraint_name: c.name, check_clause: c.expr };
  }
}

function* sequences({ model, session }: RowContext): Iterable<RowRecord> {
  for (const r of model.relations) {
    if (r.kind !== 'sequence') continue;
    const s = r.sequence;
    const precision = s.dataType === 'int2' ? 16 : s.dataType === 'int4' ? 32 : 64;
    yield {
      sequence_catalog: session.database, sequence_schema: s.schema, sequence_name: s.name,
      data_type: s.dataType === 'int2' ? 'smallint' : s.dataType === 'int4' ? 'integer' : 'bigint',
      numeric_precision: precision, numeric_precision_radix: 2, numeric_scale: 0, start_value: String(s.start),
      minimum_value: String(s.min), maximum_value: String(s.max), increment: String(s.increment), cycle_option: yesNo(s.cycle),
    };
  }
}

/** The registry's functions, all in pg_catalog. */
function* routines({ session }: RowContext): Iterable<RowRecord> {
  for (const f of functionCatalog()) {
    if (f.kind !== 'f') continue;
    const specific = `${f.name}_${f.oid}`;
    yield {
      specific_catalog: session.database, specific_schema: 'pg_catalog', specific_name: specific, routine_catalog: session.database,
      routine_schema: 'pg_catalog', routine_name: f.name, routine_type: 'FUNCTION', data_type: formatType(f.result, null),
      type_udt_catalog: session.database, type_udt_schema: 'pg_catalog', type_udt_name: builtinType(f.result)?.name ?? null,
      routine_body: 'EXTERNAL', external_name: f.name, external_language: 'INTERNAL', parameter_style: 'GENERAL',
      is_deterministic: yesNo(f.volatility === 'i'), sql_data_access: 'MODIFIES', is_null_call: yesNo(f.strict),
      security_type: 'INVOKER', is_user_defined_cast: 'NO', is_implicitly_invocable: 'NO', is_udt_dependent: 'NO',
    };
  }
}

export const informationSchemaProducers: ReadonlyMap<string, RowProducer> = new Map<string, RowProducer>([
  ['schemata', schemata], ['tables', tables], ['columns', columns], ['table_constraints', tableConstraints],
  ['key_column_usage', keyColumnUsage], ['constraint_column_usage', constraintColumnUsage],
  ['check_constraints', checkConstraints], ['sequences', sequences], ['routines', routines],
]);
