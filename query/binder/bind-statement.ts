// The binder's entry point: one AST statement → a bound statement, with the
// parameter types, tables read and written collected along the way.

import type { Explain, Statement } from '../ast/index.js';
import type { CompileContext } from '../contract.js';
import type { SqlType } from '../types/sql-type.js';
import { bindInsert } from './bind-insert.js';
import { bindQuery } from './bind-query.js';
import { bindDelete, bindUpdate } from './bind-update-delete.js';
import type { BoundDml, BoundQuery, BoundStatement } from './bound-statement.js';
import { BindContext } from './context.js';
import { notSupported } from './errors.js';
import { emptyNamespace, QueryScope } from './scope.js';

export interface BindResult {
  readonly statement: BoundStatement;
  readonly parameterTypes: readonly SqlType[];
  readonly tablesRead: readonly number[];
  readonly tablesWritten: readonly number[];
}

function bindPreparable(statement: Statement, bind: BindContext): BoundQuery | BoundDml {
  switch (statement.kind) {
    case 'select': {
      const result = bindQuery(statement, new QueryScope(emptyNamespace, null, null), bind);
      return { kind: 'query', plan: result.plan, columns: result.columns };
    }
    case 'insert': return bindInsert(statement, bind);
    case 'update': return bindUpdate(statement, bind);
    case 'delete': return bindDelete(statement, bind);
    default: throw notSupported(`${statement.kind} statements in the query compiler`);
  }
}

function bindExplain(statement: Explain, bind: BindContext): BoundStatement {
  if (statement.statement.kind === 'execute') throw notSupported('EXPLAIN EXECUTE');
  if (statement.format !== 'text') throw notSupported(`EXPLAIN (FORMAT ${statement.format.toUpperCase()})`);
  return { kind: 'explain', statement: bindPreparable(statement.statement, bind), analyze: statement.analyze, verbose: statement.verbose };
}

export function bindStatement(statement: Statement, context: CompileContext): BindResult {
  const bind = new BindContext(context);
  const bound = statement.kind === 'explain' ? bindExplain(statement, bind) : bindPreparable(statement, bind);
  return {
    statement: bound,
    parameterTypes: bind.params.finish(),
    tablesRead: [...bind.tablesRead],
    tablesWritten: [...bind.tablesWritten],
  };
}
