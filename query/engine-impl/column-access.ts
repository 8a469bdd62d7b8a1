// The contract's ColumnAccess for one statement: the engine's column store
// (when it has one) read at the statement's snapshot index, and what the
// transaction wrote itself (not in the column store: such tables take the
// row path, query/vectorized).

import type { ColumnAccess } from '../contract.js';
import type { StatementScope } from './statement-scope.js';

export function columnAccessFor(scope: StatementScope): ColumnAccess | undefined {
  const store = scope.core.columnStore;
  if (store === undefined) return undefined;
  const txn = scope.txn;
  return {
    readIndex: scope.snapshot.readIndex,
    store,
    hasOwnWrites: (tableId) => txn.writes.touchesTable(tableId) || txn.createdTables.has(tableId) || txn.catalog() !== scope.core.catalog(),
    noteTableRead: (tableId) => txn.noteTableRead(tableId),
  };
}
