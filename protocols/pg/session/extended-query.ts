// The extended query protocol's state: prepared statements and portals by
// name, and what each of Parse, Bind, Describe, Execute and Close does to
// them. Errors are thrown (SqlError); the caller reports them and starts
// skipping until Sync. A portal keeps its result rows, so Execute with a row
// limit hands them out in slices (PortalSuspended between slices).
import type {
  BindMessage,
  CloseMessage,
  DescribeMessage,
  ExecuteMessage,
  FieldDescription,
  ParseMessage,
} from '../codec/index.js';
import {
  FormatCode,
  formatCodeAt,
  writeBindComplete,
  writeCloseComplete,
  writeCommandComplete,
  writeEmptyQueryResponse,
  writeNoData,
  writeParameterDescription,
  writeParseComplete,
  writePortalSuspended,
  writeRowDescription,
} from '../codec/index.js';
import type { PreparedStatement, ResultColumn, RowsResult, SyncResult, TransactionState } from '../../../query/engine.js';
import type { SqlType, SqlValue } from '../../../query/types/index.js';
import { unreachable } from './assert.js';
import { sessionError, SessionSqlState } from './errors.js';
import type { CellEncoder } from './format.js';
import { cellEncoders, checkResultFormats, decodeParameter, fieldDescriptions, parameterType, parameterTypeOids, resultFormats } from './format.js';
import type { StatementContext } from './results.js';
import { runCopyIn, runCopyOut, writeDataRows, writeDataRowsNow, writeNotices } from './results.js';

/** Rows a result may have to be written without the streaming path's flushes (point reads have one). */
const rowsWrittenAtOnceMax = 16;

/** Every portal starts here; the state holds nothing, so one object serves all. */
const unexecuted: PortalCursor = { kind: 'unexecuted' };

/** A portal whose statement ran and returned rows, handed out from `nextRow` on. */
interface RowsCursor {
  readonly kind: 'rows';
  readonly result: RowsResult;
  readonly encoders: readonly CellEncoder[];
  nextRow: number;
}

type PortalCursor = { readonly kind: 'unexecuted' } | RowsCursor | { readonly kind: 'done' };

interface Portal {
  readonly name: string;
  readonly statement: PreparedStatement;
  readonly parameters: readonly SqlValue[];
  /** Result formats as Bind sent them; checked against the columns when they are known. */
  readonly requestedFormats: readonly FormatCode[];
  cursor: PortalCursor;
}

/**
 * Named statements and portals a session may hold. PostgreSQL has no such
 * bound (only memory); ours keeps one client from holding the process's
 * memory. Drivers that prepare every distinct text (postgres.js) stay far
 * below it; past it, Parse and Bind fail with 54000 and the session goes on.
 */
export const preparedStatementsMax = 100_000;
export const portalsMax = 10_000;

export class ExtendedQuery {
  private readonly statements = new Map<string, PreparedStatement>();
  private readonly portals = new Map<string, Portal>();
  /** RowDescription fields in text format, per statement's result columns. */
  private readonly textDescriptions = new WeakMap<readonly ResultColumn[], readonly FieldDescription[]>();
  /** After an error: discard every message until Sync (PostgreSQL's rule). */
  ignoringTillSync = false;

  constructor(private readonly ctx: StatementContext) {}

  async parse(m: ParseMessage): Promise<void> {
    // PostgreSQL drops the unnamed statement first, even if the new one fails to parse.
    if (m.statementName === '') {
      this.statements.delete('');
    } else if (this.statements.has(m.statementName)) {
      throw sessionError(SessionSqlState.DuplicatePreparedStatement, `prepared statement "${m.statementName}" already exists`);
    } else if (this.statements.size >= preparedStatementsMax) {
      throw sessionError(SessionSqlState.ProgramLimitExceeded, `too many prepared statements (at most ${preparedStatementsMax})`,
        'Close prepared statements that are no longer needed.');
    }
    const types = m.parameterTypeOids.map(parameterType);
    let prepared: PreparedStatement;
    try {
      prepared = this.ctx.engine.prepare(m.sql, types);
    } catch (error) {
      // A follower may describe against a catalog a moment old: catch up once, then try again.
      const caughtUp = this.ctx.engine.catchUpAfterPrepareError?.(error);
      if (caughtUp === undefined || !(await caughtUp)) throw error;
      prepared = this.ctx.engine.prepare(m.sql, types);
    }
    this.statements.set(m.statementName, prepared);
    writeParseComplete(this.ctx.output.writer);
  }

  bind(m: BindMessage): void {
    const statement = this.statement(m.statementName);
    if (m.portalName !== '' && this.portals.has(m.portalName)) {
      throw sessionError(SessionSqlState.DuplicateCursor, `cursor "${m.portalName}" already exists`);
    }
    if (!this.portals.has(m.portalName) && this.portals.size >= portalsMax) {
      throw sessionError(SessionSqlState.ProgramLimitExceeded, `too many open portals (at most ${portalsMax})`);
    }
    const types = statement.parameterTypes;
    const values = m.parameterValues;
    if (m.parameterFormats.length > 1 && m.parameterFormats.length !== values.length) {
      throw sessionError(SessionSqlState.ProtocolViolation,
        `bind message has ${m.parameterFormats.length} parameter formats but ${values.length} parameters`);
    }
    if (values.length !== types.length) {
      throw sessionError(SessionSqlState.ProtocolViolation,
        `bind message supplies ${values.length} parameters, but prepared statement "${m.statementName}" requires ${types.length}`);
    }
    const session = this.ctx.typeSession();
    const parameters = new Array<SqlValue>(types.length);
    for (let i = 0; i < types.length; i++) {
      parameters[i] = decodeParameter(values[i] ?? null, formatCodeAt(m.parameterFormats, i), types[i] as SqlType, session, i);
    }
    const columns = statement.resultColumns;
    // Checked now when the columns are known, as PostgreSQL does at Bind.
    if (columns !== undefined) checkResultFormats(m.resultFormats, columns.length);
    this.portals.set(m.portalName, {
      name: m.portalName,
      statement,
      parameters,
      // The decoder builds a new array per message: the portal may keep it.
      requestedFormats: m.resultFormats,
      cursor: unexecuted,
    });
    writeBindComplete(this.ctx.output.writer);
  }

  describe(m: DescribeMessage): void {
    const w = this.ctx.output.writer;
    if (m.target === 'statement') {
      const statement = this.statement(m.name);
      writeParameterDescription(w, parameterTypeOids(statement.parameterTypes));
      // Result formats are not chosen until Bind: a statement is described in text.
      this.writeDescription(statement.resultColumns, []);
      return;
    }
    const portal = this.portal(m.name);
    this.writeDescription(portal.statement.resultColumns, portal.requestedFormats);
  }

  /** Undefined when it finished synchronously (the engine's point-read path), else a promise. */
  execute(m: ExecuteMessage): Promise<void> | undefined {
    const portal = this.portal(m.portalName);
    if (portal.cursor.kind === 'unexecuted' && this.ctx.engine.executePreparedSync !== undefined) {
      let result: SyncResult | undefined;
      try {
        result = this.ctx.engine.executePreparedSync(portal.statement, portal.parameters);
      } catch (error) {
        this.portals.delete(portal.name);
        throw error;
      }
      if (result?.kind === 'rows') return this.startRows(portal, result, m.rowsMax);
      if (result !== undefined) {
        // A point write in a transaction block, or BEGIN: its tag is the whole answer.
        portal.cursor = { kind: 'done' };
        writeCommandComplete(this.ctx.output.writer, result.tag);
        return undefined;
      }
    }
    return this.executeAsync(portal, m);
  }

  private async executeAsync(portal: Portal, m: ExecuteMessage): Promise<void> {
    const cursor = portal.cursor;
    try {
      switch (cursor.kind) {
        case 'unexecuted':
          return await this.runPortal(portal, m.rowsMax);
        case 'rows':
          return await this.fetchRows(portal, cursor, m.rowsMax);
        case 'done':
          throw sessionError(SessionSqlState.ObjectNotInPrerequisiteState, `portal "${portal.name}" cannot be run`);
        default:
          return unreachable(cursor);
      }
    } catch (error) {
      // A failed portal cannot be resumed (PostgreSQL marks it failed; we drop it).
      this.portals.delete(portal.name);
      throw error;
    }
  }

  close(m: CloseMessage): void {
    // Closing something that does not exist is not an error.
    if (m.target === 'statement') this.statements.delete(m.name);
    else this.portals.delete(m.name);
    writeCloseComplete(this.ctx.output.writer);
  }

  /** A simple Query replaces the unnamed statement, as in PostgreSQL. */
  dropUnnamedStatement(): void {
    this.statements.delete('');
  }

  /** Sync or a simple Query ended; portals do not outlive their transaction. */
  endOfCycle(state: TransactionState): void {
    this.ignoringTillSync = false;
    if (state === 'idle') this.portals.clear();
  }

  private statement(name: string): PreparedStatement {
    const statement = this.statements.get(name);
    if (statement !== undefined) return statement;
    const message = name === '' ? 'unnamed prepared statement does not exist' : `prepared statement "${name}" does not exist`;
    throw sessionError(SessionSqlState.InvalidSqlStatementName, message);
  }

  private portal(name: string): Portal {
    const portal = this.portals.get(name);
    if (portal === undefined) throw sessionError(SessionSqlState.InvalidCursorName, `portal "${name}" does not exist`);
    return portal;
  }

  private writeDescription(columns: readonly ResultColumn[] | undefined, requested: readonly FormatCode[]): void {
    const w = this.ctx.output.writer;
    if (columns === undefined) return writeNoData(w);
    if (requested.length > 1 || (requested.length === 1 && requested[0] !== FormatCode.Text)) {
      return writeRowDescription(w, fieldDescriptions(columns, resultFormats(requested, columns.length)));
    }
    // All text (the usual case, described at every Execute by libpq's prepared mode): built once per statement.
    let fields = this.textDescriptions.get(columns);
    if (fields === undefined) {
      fields = fieldDescriptions(columns, resultFormats(requested, columns.length));
      this.textDescriptions.set(columns, fields);
    }
    writeRowDescription(w, fields);
  }

  private async runPortal(portal: Portal, rowsMax: number): Promise<void> {
    const result = await this.ctx.engine.executePrepared(portal.statement, portal.parameters);
    // Notices raised while it ran go before its result, as in PostgreSQL.
    writeNotices(this.ctx);
    const w = this.ctx.output.writer;
    switch (result.kind) {
      case 'rows':
        return this.startRows(portal, result, rowsMax);
      case 'command':
        portal.cursor = { kind: 'done' };
        return writeCommandComplete(w, result.tag);
      case 'empty':
        portal.cursor = { kind: 'done' };
        return writeEmptyQueryResponse(w);
      case 'copyIn':
        portal.cursor = { kind: 'done' };
        return runCopyIn(this.ctx, result.copy);
      case 'copyOut':
        portal.cursor = { kind: 'done' };
        return runCopyOut(this.ctx, result.copy);
      default:
        return unreachable(result);
    }
  }

  /** The portal's first rows; synchronous (undefined) when they are few enough to go into the pending batch at once. */
  private startRows(portal: Portal, result: RowsResult, rowsMax: number): Promise<void> | undefined {
    const formats = resultFormats(portal.requestedFormats, result.columns.length);
    const cursor: RowsCursor = { kind: 'rows', result, encoders: cellEncoders(result.columns, formats, this.ctx.typeSession()), nextRow: 0 };
    portal.cursor = cursor;
    if (result.rows.length > rowsWrittenAtOnceMax) return this.fetchRows(portal, cursor, rowsMax);
    const rows = result.rows;
    const to = rowsMax > 0 ? Math.min(rows.length, rowsMax) : rows.length;
    writeDataRowsNow(this.ctx, rows, 0, to, cursor.encoders);
    cursor.nextRow = to;
    const w = this.ctx.output.writer;
    if (to < rows.length) {
      writePortalSuspended(w);
      return undefined;
    }
    portal.cursor = { kind: 'done' };
    writeCommandComplete(w, result.tag);
    return undefined;
  }

  /** Up to `rowsMax` rows (0: all); PortalSuspended if rows remain, else CommandComplete. */
  private async fetchRows(portal: Portal, cursor: RowsCursor, rowsMax: number): Promise<void> {
    const rows = cursor.result.rows;
    const from = cursor.nextRow;
    const to = rowsMax > 0 ? Math.min(rows.length, from + rowsMax) : rows.length;
    await writeDataRows(this.ctx, rows, from, to, cursor.encoders);
    cursor.nextRow = to;
    const w = this.ctx.output.writer;
    if (to < rows.length) return writePortalSuspended(w);
    portal.cursor = { kind: 'done' };
    // Fetched in slices, the tag counts this Execute's rows, as PostgreSQL's does.
    writeCommandComplete(w, from > 0 ? cursor.result.tag.replace(/\d+$/, String(to - from)) : cursor.result.tag);
  }
}
