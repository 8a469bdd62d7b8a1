// compileStatement: the contract's entry point (query/contract.ts). Binds the
// AST against the catalog snapshot, plans it, and builds the executable once;
// the result runs many times against different runtimes and parameters.

import type { Statement } from './ast/index.js';
import { bindStatement } from './binder/index.js';
import type { CompileContext, CompiledKind, CompiledStatement, CompileStatement } from './contract.js';
import type { ResultColumn } from './engine.js';
import { buildExecutable, buildExplain, explainColumns } from './executor/index.js';
import { planStatement } from './planner/index.js';
import type { PlannedExplain, PlannedStatement } from './planner/index.js';
import { withColumnPath } from './vectorized/index.js';

function kindOf(statement: Statement): CompiledKind {
  switch (statement.kind) {
    case 'select': return statement.body.kind === 'values' ? 'values' : 'select';
    case 'insert': case 'update': case 'delete': case 'explain': return statement.kind;
    default: return 'select';
  }
}

function resultColumnsOf(planned: PlannedStatement | PlannedExplain): readonly ResultColumn[] | undefined {
  if (planned.kind === 'explain') return explainColumns;
  if (planned.kind === 'query') return planned.columns;
  return planned.returning?.columns;
}

export const compileStatement: CompileStatement = (statement: Statement, context: CompileContext): CompiledStatement => {
  const bound = bindStatement(statement, context);
  const planned = planStatement(bound.statement);
  const rowExecutable = planned.kind === 'explain' ? buildExplain(planned, bound.parameterTypes) : buildExecutable(planned, bound.parameterTypes);
  // The read path (row vs column) is chosen per execution; see query/vectorized/DESIGN.md.
  const executable = withColumnPath(planned, bound.parameterTypes, rowExecutable);
  return {
    kind: kindOf(statement),
    catalogVersion: context.catalog.version,
    parameterTypes: bound.parameterTypes,
    resultColumns: resultColumnsOf(planned),
    tablesRead: bound.tablesRead,
    tablesWritten: bound.tablesWritten,
    execute: (runtime) => executable.execute(runtime),
    // Only when the row path is the only path: a column-path choice is made per execution.
    ...(executable === rowExecutable && rowExecutable.executeCached !== undefined ? { executeCached: rowExecutable.executeCached } : {}),
    ...(rowExecutable.executeWriteCached !== undefined ? { executeWriteCached: rowExecutable.executeWriteCached } : {}),
  };
};
