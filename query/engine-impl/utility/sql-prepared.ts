// SQL-level PREPARE, EXECUTE and DEALLOCATE. EXECUTE's arguments are
// expressions: the compiler evaluates them (as one SELECT) in the same
// statement as the prepared one, then they are cast to the parameter types.

import type { Catalog } from '../../../materializers/index.js';
import type { Deallocate, Execute, Expr, Prepare, Select } from '../../ast/index.js';
import type { StatementResult } from '../../engine.js';
import { castExplicit, type SqlType, type SqlValue } from '../../types/index.js';
import { EngineSqlState, invariant, sqlError } from '../errors.js';
import { sqlPreparedStatementsMax } from '../limits.js';
import { isReadOnlyQuery } from '../route.js';
import type { RunMode, SessionHost } from '../session-host.js';
import type { StatementScope } from '../statement-scope.js';
import { resolveTypeName } from '../type-names.js';
import { command } from './results.js';

export function prepare(host: SessionHost, statement: Prepare): StatementResult {
  if (host.sqlPrepared.has(statement.name)) {
    throw sqlError(EngineSqlState.duplicatePreparedStatement, `prepared statement "${statement.name}" already exists`);
  }
  if (host.sqlPrepared.size >= sqlPreparedStatementsMax) {
    throw sqlError(EngineSqlState.programLimitExceeded, `too many prepared statements (at most ${sqlPreparedStatementsMax})`);
  }
  const declared = statement.paramTypes.map(resolveTypeName);
  const cache = { compiled: undefined, settingsKey: '', fixedShape: true };
  const compiled = host.compile(statement.statement, host.core.catalog(), declared, cache);
  host.sqlPrepared.set(statement.name, { statement: statement.statement, parameterTypes: compiled.parameterTypes, cache });
  return command('PREPARE');
}

export function execute(host: SessionHost, statement: Execute, mode: RunMode): Promise<StatementResult> {
  const prepared = host.sqlPrepared.get(statement.name);
  if (prepared === undefined) throw sqlError(EngineSqlState.undefinedPreparedStatement, `prepared statement "${statement.name}" does not exist`);
  const expected = prepared.parameterTypes.length;
  if (statement.params.length !== expected) {
    throw sqlError(EngineSqlState.syntaxError, `wrong number of parameters for prepared statement "${statement.name}"`, {
      detail: `Expected ${expected} parameters but got ${statement.params.length}.`,
    });
  }
  // An EXECUTE of a read waits for the read barrier as the same SELECT sent as a query does (linearizable on a follower).
  const reads = host.core.linearizableReads && isReadOnlyQuery(prepared.statement);
  return host.runInStatement(mode, async (scope, catalog) => {
    const values = await evaluate(host, statement.params, prepared.parameterTypes, scope, catalog);
    const compiled = host.compile(prepared.statement, catalog, prepared.parameterTypes, prepared.cache);
    return host.execute(compiled, scope, catalog, values);
  }, reads);
}

export function deallocate(host: SessionHost, statement: Deallocate): StatementResult {
  if (statement.name === null) {
    host.sqlPrepared.clear();
    return command('DEALLOCATE ALL');
  }
  if (!host.sqlPrepared.delete(statement.name)) {
    throw sqlError(EngineSqlState.undefinedPreparedStatement, `prepared statement "${statement.name}" does not exist`);
  }
  return command('DEALLOCATE');
}

/** `SELECT e1, e2, ...` as a syntax tree. */
export function selectOf(exprs: readonly Expr[]): Select {
  return {
    kind: 'select', with: null, orderBy: [], limit: null, limitWithTies: false, offset: null, locking: [],
    body: {
      kind: 'selectCore', distinct: { kind: 'all' }, targets: exprs.map((expr) => ({ expr, alias: null, position: -1 })),
      from: [], where: null, groupBy: [], having: null, windows: [],
    },
  };
}

/** Evaluates expressions that refer to no table, cast to `types`. */
export async function evaluate(
  host: SessionHost, exprs: readonly Expr[], types: readonly SqlType[], scope: StatementScope, catalog: Catalog,
): Promise<SqlValue[]> {
  if (exprs.length === 0) return [];
  const compiled = host.compile(selectOf(exprs), catalog, []);
  const result = await host.execute(compiled, scope, catalog, []);
  invariant(result.kind === 'rows' && result.rows.length === 1, 'a SELECT of expressions returns one row');
  const row = result.rows[0] ?? [];
  return types.map((type, i) => {
    const from = result.columns[i]?.type;
    const value = row[i] ?? null;
    return from === undefined ? value : castExplicit(value, from, type, scope.typeSession);
  });
}
