// The statement union: everything `parseSql` can return.

import type {
  AlterTable, CreateDatabase, CreateIndex, CreateSchema, CreateTable, DropDatabase, DropIndex,
  DropSchema, DropTable, Truncate,
} from './ddl.js';
import type { Delete, Insert, Update } from './dml.js';
import type { Select } from './select.js';
import type {
  Begin, Checkpoint, Commit, Copy, Deallocate, Discard, Execute, Explain, Listen, Notify, Prepare,
  ReleaseSavepoint, Reset, Rollback, RollbackToSavepoint, Savepoint, SetTransaction, SetVariable,
  Show, Unlisten, Vacuum,
} from './utility.js';

export type Statement =
  | Select | Insert | Update | Delete
  | CreateTable | DropTable | CreateIndex | DropIndex | AlterTable | Truncate
  | CreateDatabase | DropDatabase | CreateSchema | DropSchema
  | Begin | Commit | Rollback | Savepoint | RollbackToSavepoint | ReleaseSavepoint
  | SetVariable | SetTransaction | Show | Reset
  | Explain | Copy | Vacuum | Checkpoint | Prepare | Execute | Deallocate | Discard
  | Listen | Notify | Unlisten;

export type StatementKind = Statement['kind'];
