// What one statement runs with: its transaction, its command number, the
// snapshot its reads see (the statement's own under READ COMMITTED, the
// transaction's otherwise), the session's value-formatting settings and the
// cancel check.

import type { RowSnapshot } from '../../materializers/index.js';
import type { TypeSession } from '../types/index.js';
import type { EngineCore } from './engine-core.js';
import type { Transaction } from './transaction.js';

export interface StatementScope {
  readonly core: EngineCore;
  readonly txn: Transaction;
  readonly command: number;
  readonly snapshot: RowSnapshot;
  readonly typeSession: TypeSession;
  /** Throws 57014 once the statement was cancelled or timed out. */
  checkCancelled(): void;
}
