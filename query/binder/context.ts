// State shared by everything bound for one statement: the catalog snapshot,
// the session, parameter types, tables touched and id counters.

import type { CatalogView, CompileContext, SessionContext } from '../contract.js';
import { sessionTimeZone } from '../functions/index.js';
import { makeSession } from '../types/session.js';
import type { TypeSession } from '../types/session.js';
import { ParameterTypes } from './parameters.js';

export class BindContext {
  readonly catalog: CatalogView;
  readonly session: SessionContext;
  /**
   * For reading literals while binding. 'now' has no meaning yet (the
   * transaction has not started), so literals naming it are read at run time.
   */
  readonly typeSession: TypeSession;
  readonly params: ParameterTypes;
  readonly tablesRead = new Set<number>();
  readonly tablesWritten = new Set<number>();
  private nextIdValue = 1;

  constructor(context: CompileContext) {
    this.catalog = context.catalog;
    this.session = context.session;
    this.typeSession = makeSession(sessionTimeZone(context.session.timeZone), 0n);
    this.params = new ParameterTypes(context.declaredParameterTypes);
  }

  /** Ids for subqueries and CTEs, unique within the statement. */
  nextId(): number {
    return this.nextIdValue++;
  }
}
