// DuckDB in process (@duckdb/node-api), the analytic anchor beside ThunderDB.
// Values come back as text in the form PostgreSQL's text protocol uses, so
// a benchmark compares them with the same code for every system.
import { DuckDBInstance } from '@duckdb/node-api';

export interface DuckdbResult {
  readonly columns: readonly string[];
  /** Per column, whether it is a binary floating-point type (compared with a tolerance). */
  readonly floats: readonly boolean[];
  readonly rows: readonly (readonly (string | null)[])[];
}

export interface DuckdbDatabase {
  readonly version: string;
  exec(sql: string): Promise<void>;
  query(sql: string): Promise<DuckdbResult>;
  close(): void;
}

function valueText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** An in-memory DuckDB limited to `threads` threads. */
export async function startDuckdb(threads: number): Promise<DuckdbDatabase> {
  const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
  const connection = await instance.connect();
  const versionReader = await connection.runAndReadAll('SELECT version()');
  const version = valueText(versionReader.getRowsJson()[0]?.[0]) ?? 'unknown';
  return {
    version,
    async exec(sql) {
      await connection.run(sql);
    },
    async query(sql) {
      const reader = await connection.runAndReadAll(sql);
      const types = reader.columnTypes().map((t) => String(t));
      return {
        columns: reader.columnNames(),
        floats: types.map((t) => t === 'DOUBLE' || t === 'FLOAT'),
        rows: reader.getRowsJson().map((row) => row.map(valueText)),
      };
    },
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}
