// A database for tests: the in-memory catalog and table access, a session,
// and `run(sql)`, which parses, applies DDL itself and sends everything else
// through compileStatement → execute, as the engine will.

import type { CompiledStatement, RuntimeContext, SessionContext } from '../contract.js';
import type { StatementResult } from '../engine.js';
import { compileStatement } from '../compiler.js';
import { parseSql } from '../parser/index.js';
import { SqlError } from '../types/errors.js';
import type { SqlType } from '../types/sql-type.js';
import type { SqlValue } from '../types/value.js';
import { MemoryAccess, MemoryStore } from './memory-access.js';
import { MemoryCatalog } from './memory-catalog.js';
import { applyDdl } from './memory-ddl.js';

/** 2024-01-02 03:04:05.678901 UTC as µs since 2000-01-01: what now() says in tests. */
export const testNowMicros = 757_479_845_678_901n;

export class TestDatabase {
  readonly catalog = new MemoryCatalog();
  readonly store = new MemoryStore();
  readonly access = new MemoryAccess(this.store);
  readonly settings = new Map<string, string>([
    ['timezone', 'UTC'], ['search_path', 'public'], ['datestyle', 'ISO, MDY'], ['server_version', '15.6'],
    ['client_encoding', 'UTF8'], ['application_name', ''], ['statement_timeout', '0'],
  ]);
  private clock = 0n;

  session(): SessionContext {
    const settings = this.settings;
    return {
      user: 'tester',
      database: 'thunder',
      searchPath: (settings.get('search_path') ?? 'public').split(',').map((s) => s.trim().replace(/^"|"$/g, '')),
      timeZone: settings.get('timezone') ?? 'UTC',
      setting: (name) => settings.get(name),
    };
  }

  compile(sql: string, declared: readonly (SqlType | undefined)[] = []): CompiledStatement {
    const [parsed] = parseSql(sql);
    if (parsed === undefined) throw new Error('no statement');
    return compileStatement(parsed.statement, { catalog: this.catalog, session: this.session(), declaredParameterTypes: declared });
  }

  runtime(parameters: readonly SqlValue[] = []): RuntimeContext {
    return {
      access: this.access, catalog: this.catalog, session: this.session(), parameters,
      transactionTimestampMicros: testNowMicros,
      clockMicros: () => testNowMicros + this.clock++,
      checkCancelled: () => undefined,
    };
  }

  /** Runs every statement of `sql` in order; DDL and session statements are handled here. */
  async run(sql: string, parameters: readonly SqlValue[] = []): Promise<StatementResult[]> {
    const results: StatementResult[] = [];
    for (const parsed of parseSql(sql)) {
      const statement = parsed.statement;
      const ddl = applyDdl(statement, this.catalog, this.store, this.session().searchPath);
      if (ddl !== undefined) { results.push({ kind: 'command', tag: ddl }); continue; }
      if (statement.kind === 'begin' || statement.kind === 'commit' || statement.kind === 'rollback') {
        results.push({ kind: 'command', tag: statement.kind === 'begin' ? 'BEGIN' : statement.kind === 'commit' ? 'COMMIT' : 'ROLLBACK' });
        continue;
      }
      if (statement.kind === 'set') {
        const value = statement.value.kind === 'default' ? undefined : statement.value.values.map((v) => (v.value.type === 'string' ? v.value.value : v.value.type === 'integer' || v.value.type === 'numeric' ? v.value.text : '')).join(', ');
        if (value === undefined) this.settings.delete(statement.name); else this.settings.set(statement.name, value);
        results.push({ kind: 'command', tag: 'SET' });
        continue;
      }
      const compiled = compileStatement(statement, { catalog: this.catalog, session: this.session(), declaredParameterTypes: [] });
      results.push(await compiled.execute(this.runtime(parameters)));
    }
    return results;
  }

  /** Runs one statement and returns its rows (throws for commands). */
  async query(sql: string, parameters: readonly SqlValue[] = []): Promise<readonly (readonly SqlValue[])[]> {
    const results = await this.run(sql, parameters);
    const last = results[results.length - 1];
    if (last?.kind !== 'rows') throw new Error(`expected rows from ${sql}`);
    return last.rows;
  }
}

export function sqlStateOf(error: unknown): string | undefined {
  return error instanceof SqlError ? error.sqlState : undefined;
}
