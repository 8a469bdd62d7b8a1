// The fake engine's canned data: a `users` table that INSERT, DELETE and COPY
// change, and a one-row `types` table holding a value of every common type
// (plus a row of NULLs) for text and binary formatting tests.
import type { CopyInSink, CopyOutSource, ResultColumn } from '../../../../query/engine.js';
import type { SqlType, SqlValue } from '../../../../query/types/index.js';
import { SqlError, SqlTypes, arrayOf, defaultSession, parseText, parseTypeName } from '../../../../query/types/index.js';
import type { FakeEngine } from './fake-engine.js';
import type { FakePlan } from './fake-statements.js';

/** The catalog id the fake reports for `users` (PostgreSQL's first user OID). */
export const usersTableId = 16384;

export const usersColumns: readonly ResultColumn[] = [
  { name: 'id', type: SqlTypes.int4, tableId: usersTableId, columnNumber: 1 },
  { name: 'name', type: SqlTypes.text, tableId: usersTableId, columnNumber: 2 },
];

/** [column name, type, text of the value] for every type the binary format covers. */
const typeSamples: readonly (readonly [string, SqlType, string])[] = [
  ['bool', SqlTypes.bool, 't'],
  ['int2', SqlTypes.int2, '-12'],
  ['int4', SqlTypes.int4, '123456'],
  ['int8', SqlTypes.int8, '9007199254740993'],
  ['float4', SqlTypes.float4, '1.5'],
  ['float8', SqlTypes.float8, '-2.25'],
  ['numeric', SqlTypes.numeric, '12345.6789'],
  ['text', SqlTypes.text, 'héllo wörld'],
  ['varchar', parseTypeName('varchar(10)'), 'short'],
  ['bytea', SqlTypes.bytea, '\\xdeadbeef'],
  ['date', SqlTypes.date, '2024-02-29'],
  ['time', SqlTypes.time, '12:34:56.789'],
  ['timestamp', SqlTypes.timestamp, '2024-02-29 12:34:56.789012'],
  ['timestamptz', SqlTypes.timestamptz, '2024-02-29 12:34:56.789+00'],
  ['uuid', SqlTypes.uuid, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'],
  ['interval', SqlTypes.interval, '1 year 2 mons 3 days 04:05:06.5'],
  ['json', SqlTypes.json, '{"a": [1, 2]}'],
  ['jsonb', SqlTypes.jsonb, '{"b": true, "a": 1}'],
  ['int4_array', arrayOf(SqlTypes.int4), '{1,NULL,3}'],
  ['text_array', arrayOf(SqlTypes.text), '{{a,b},{"c d",NULL}}'],
];

export const typesTable: { readonly columns: readonly ResultColumn[]; readonly rows: readonly (readonly SqlValue[])[] } = {
  columns: typeSamples.map(([name, type], i) => ({ name, type, tableId: usersTableId + 1, columnNumber: i + 1 })),
  rows: [
    typeSamples.map(([, type, text]) => parseText(text, type, defaultSession)),
    typeSamples.map(() => null),
  ],
};

/** The text each sample prints as (PostgreSQL's output for it). */
export const typeSampleTexts: ReadonlyMap<string, string> = new Map(typeSamples.map(([name, , text]) => [name, text]));

/** COPY users FROM STDIN: buffers everything, loads it all at CopyDone, or nothing. */
export function copyInPlan(engine: FakeEngine, format: 'text' | 'csv'): FakePlan {
  return {
    parameterTypes: [],
    resultColumns: undefined,
    run: () => ({ kind: 'copyIn', copy: new FakeCopyIn(engine, format) }),
  };
}

class FakeCopyIn implements CopyInSink {
  readonly columnCount = 2;
  private readonly chunks: Uint8Array[] = [];

  constructor(private readonly engine: FakeEngine, readonly format: 'text' | 'csv') {}

  write(chunk: Uint8Array): void {
    this.chunks.push(chunk);
  }

  async finish(): Promise<string> {
    const text = Buffer.concat(this.chunks).toString('utf8');
    const separator = this.format === 'csv' ? ',' : '\t';
    const rows: [number, string][] = [];
    for (const line of text.split('\n')) {
      if (line === '' || line === '\\.') continue;
      const [idText = '', name = ''] = line.split(separator);
      if (!/^-?\d+$/.test(idText)) throw new SqlError('22P02', `invalid input syntax for type integer: "${idText}"`);
      rows.push([Number(idText), name]);
    }
    for (const [id, name] of rows) this.engine.insertUser(id, name);
    return `COPY ${rows.length}`;
  }

  abort(reason: string): void {
    this.engine.copyAborts.push(reason);
  }
}

/** COPY users TO STDOUT: one CopyData per row. */
export function copyOutPlan(engine: FakeEngine, format: 'text' | 'csv'): FakePlan {
  const separator = format === 'csv' ? ',' : '\t';
  return {
    parameterTypes: [],
    resultColumns: undefined,
    run: () => {
      const rows = engine.users();
      const copy: CopyOutSource = {
        format,
        columnCount: 2,
        chunks: async function* () {
          for (const [id, name] of rows) yield Buffer.from(`${id}${separator}${name}\n`);
        },
        tag: () => `COPY ${rows.length}`,
      };
      return { kind: 'copyOut', copy };
    },
  };
}
