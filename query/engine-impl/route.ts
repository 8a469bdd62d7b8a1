// Where a statement must run in a cluster, decided from its syntax tree alone
// (no catalog): the forwarding layer (protocols/pg/forwarding) runs 'write'
// and 'begin' statements on the leader and everything else on this node.
// The same tree tells the session whether a data statement only reads, so
// it awaits the linearizable-read barrier (DESIGN.md, "Linearizable reads").
import type { Statement } from '../ast/index.js';
import type { StatementRoute } from '../engine.js';

/** A SELECT (or EXPLAIN of one) that takes no row locks and has no data-modifying WITH. */
export function isReadOnlyQuery(statement: Statement): boolean {
  switch (statement.kind) {
    case 'select':
      return statement.locking.length === 0 && (statement.with?.ctes.every((cte) => cte.query.kind === 'select' && isReadOnlyQuery(cte.query)) ?? true);
    case 'explain':
      return !statement.analyze || (statement.statement.kind === 'select' && isReadOnlyQuery(statement.statement));
    default:
      return false;
  }
}

/** The body of a SQL-level prepared statement by name, to route its EXECUTE; undefined when there is none. */
export type PreparedBodies = (name: string) => Statement | undefined;

const noPreparedBodies: PreparedBodies = () => undefined;

/**
 * The route of one statement; a text of several takes the strongest (begin >
 * write > session > read). EXECUTE takes its prepared body's route when that
 * writes (so a follower forwards it), else stays 'session'.
 */
export function statementRoute(statement: Statement, preparedBodies: PreparedBodies = noPreparedBodies): StatementRoute {
  switch (statement.kind) {
    case 'select': case 'explain':
      return isReadOnlyQuery(statement) ? 'read' : 'write';
    case 'show':
      return 'read';
    case 'copy':
      // COPY TO reads; COPY FROM loads rows.
      return statement.direction === 'to' && (statement.source.kind === 'table' || isReadOnlyQuery(statement.source.query)) ? 'read' : 'write';
    case 'execute': {
      const body = preparedBodies(statement.name);
      return body !== undefined && statementRoute(body) === 'write' ? 'write' : 'session';
    }
    // Each node checkpoints its own views (as a PostgreSQL standby makes its own restartpoints).
    case 'set': case 'reset': case 'discard': case 'prepare': case 'deallocate': case 'checkpoint':
    case 'listen': case 'unlisten': case 'notify': case 'setTransaction':
      return 'session';
    case 'begin':
      // A READ ONLY block never needs the leader: it stays here, each read behind the barrier.
      return statement.options.readOnly === true ? 'session' : 'begin';
    // Outside a forwarded block these end nothing (a warning); inside one they are forwarded anyway.
    case 'commit': case 'rollback': case 'savepoint': case 'rollbackToSavepoint': case 'releaseSavepoint':
      return 'session';
    case 'insert': case 'update': case 'delete':
    case 'createTable': case 'dropTable': case 'createIndex': case 'dropIndex': case 'alterTable': case 'truncate':
    case 'createDatabase': case 'dropDatabase': case 'createSchema': case 'dropSchema': case 'vacuum':
      return 'write';
    default: {
      const unreachable: never = statement;
      return unreachable;
    }
  }
}

const strength: Readonly<Record<StatementRoute, number>> = { read: 0, session: 1, write: 2, begin: 3 };

export function strongestRoute(statements: readonly Statement[], preparedBodies: PreparedBodies = noPreparedBodies): StatementRoute {
  let route: StatementRoute = 'read';
  for (const statement of statements) {
    const r = statementRoute(statement, preparedBodies);
    if (strength[r] > strength[route]) route = r;
  }
  return route;
}
