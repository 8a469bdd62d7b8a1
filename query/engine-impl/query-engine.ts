// createQueryEngine: the QueryEngine the protocols call.

import type { QueryEngine, RoutableSession, SessionStartup } from '../engine.js';
import { EngineCore, type QueryEngineOptions } from './engine-core.js';
import { EngineSqlState, sqlError } from './errors.js';
import { EngineSessionImpl } from './session.js';

/** The engine as the rest of the server sees it, plus what a server needs for shutdown and tests. */
export interface ThunderQueryEngine extends QueryEngine {
  openSession(startup: SessionStartup): RoutableSession;
  /** Live snapshots (0 when idle: statements must release theirs). */
  snapshotCount(): number;
  /** Stops following the log. Sessions still open fail their next commit. */
  close(): void;
}

export function createQueryEngine(options: QueryEngineOptions): ThunderQueryEngine {
  const core = new EngineCore(options);
  return {
    openSession(startup: SessionStartup): RoutableSession {
      if (!this.databaseExists(startup.database)) throw sqlError(EngineSqlState.undefinedDatabase, `database "${startup.database}" does not exist`);
      return new EngineSessionImpl(core, startup);
    },
    databaseExists(name: string): boolean {
      return core.catalog().database(name) !== undefined;
    },
    snapshotCount: () => core.snapshotCount(),
    close: () => core.close(),
  };
}
