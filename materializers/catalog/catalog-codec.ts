// The catalog as the row store persists it at checkpoints (one meta key):
//
//   [u8 format][varuint version][varuint maxObjectId]
//   [databases][schemas][tables: definition, columnIdMax, layouts][sequences]
//
// Name indexes (relations, index owners) are rebuilt on decode.

import {
  ByteReader, ByteWriter, EntryDecodeError, catalogObjectsMax, readDatabase, readSchema, readSequence, readSqlType,
  readTableDefinition, rowColumnsMax, writeDatabase, writeSchema, writeSequence, writeSqlType, writeTableDefinition,
  type LayoutColumn, type RowLayout,
} from '../entries/index.js';
import { Catalog, relationKey, schemaKey, type RelationKind, type TableDef } from './catalog.js';

const catalogFormatVersion = 1;
/** Layouts one table may accumulate (one per column-changing ALTER). */
const tableLayoutsMax = 65_536;

function writeLayout(w: ByteWriter, layout: RowLayout): void {
  w.varuint(layout.id);
  w.varuint(layout.columns.length);
  for (const c of layout.columns) {
    w.varuint(c.id);
    writeSqlType(w, c.type);
  }
}

function readLayout(r: ByteReader): RowLayout {
  const id = r.varuint();
  const n = r.count(rowColumnsMax, 'layout columns');
  const columns: LayoutColumn[] = [];
  for (let i = 0; i < n; i++) columns.push({ id: r.varuint(), type: readSqlType(r) });
  return { id, columns };
}

export function encodeCatalog(catalog: Catalog): Uint8Array {
  const s = catalog.contents;
  const w = new ByteWriter(4096);
  w.u8(catalogFormatVersion);
  w.varuint(s.version);
  w.varuint(s.maxObjectId);
  w.varuint(s.databases.size);
  for (const d of s.databases.values()) writeDatabase(w, d);
  w.varuint(s.schemas.size);
  for (const schema of s.schemas.values()) writeSchema(w, schema);
  w.varuint(s.tables.size);
  for (const t of s.tables.values()) {
    writeTableDefinition(w, t);
    w.varuint(t.columnIdMax);
    w.varuint(t.layouts.length);
    for (const layout of t.layouts) writeLayout(w, layout);
  }
  w.varuint(s.sequences.size);
  for (const seq of s.sequences.values()) writeSequence(w, seq);
  return w.finish();
}

function readTable(r: ByteReader): TableDef {
  const definition = readTableDefinition(r);
  const columnIdMax = r.varuint();
  const layouts = Array.from({ length: r.count(tableLayoutsMax, 'layouts') }, () => readLayout(r));
  const layout = layouts[layouts.length - 1];
  const matches = layout !== undefined && layout.columns.length === definition.columns.length &&
    layout.columns.every((c, i) => c.id === definition.columns[i]?.id);
  if (!matches) throw new EntryDecodeError('malformed', `table ${definition.id}: current layout does not match its columns`);
  return { ...definition, columnIdMax, layout, layouts };
}

export function decodeCatalog(bytes: Uint8Array): Catalog {
  const r = new ByteReader(bytes);
  const format = r.u8();
  if (format !== catalogFormatVersion) throw new EntryDecodeError('version', `catalog format ${format}`);
  const version = r.varuint();
  const maxObjectId = r.varuint();
  const list = <T>(read: (r: ByteReader) => T, what: string): T[] => Array.from({ length: r.count(catalogObjectsMax, what) }, () => read(r));
  const databases = list(readDatabase, 'databases');
  const schemas = list(readSchema, 'schemas');
  const tables = list(readTable, 'tables');
  const sequences = list(readSequence, 'sequences');
  r.expectEnd('catalog');
  const relations = new Map<string, { readonly kind: RelationKind; readonly id: number }>();
  const indexTables = new Map<number, number>();
  for (const t of tables) {
    relations.set(relationKey(t.databaseName, t.schemaName, t.name), { kind: 'table', id: t.id });
    for (const index of t.indexes) {
      relations.set(relationKey(t.databaseName, t.schemaName, index.name), { kind: 'index', id: index.id });
      indexTables.set(index.id, t.id);
    }
  }
  for (const s of sequences) relations.set(relationKey(s.databaseName, s.schemaName, s.name), { kind: 'sequence', id: s.id });
  return new Catalog({
    version, maxObjectId,
    databases: new Map(databases.map((d) => [d.name, d])),
    schemas: new Map(schemas.map((s) => [schemaKey(s.databaseName, s.name), s])),
    tables: new Map(tables.map((t) => [t.id, t])),
    sequences: new Map(sequences.map((s) => [s.id, s])),
    relations, indexTables,
  });
}
