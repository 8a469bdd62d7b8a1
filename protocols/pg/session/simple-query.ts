// The simple query protocol: one Query message may hold several statements;
// each result is sent in text format as it comes, the first error stops the
// rest, and the caller ends the cycle with ReadyForQuery.
import {
  FormatCode,
  writeCommandComplete,
  writeEmptyQueryResponse,
  writeRowDescription,
} from '../codec/index.js';
import type { StatementResult } from '../../../query/engine.js';
import { unreachable } from './assert.js';
import { writeError } from './errors.js';
import { cellEncoders, fieldDescriptions } from './format.js';
import type { StatementContext } from './results.js';
import { isFatalViolation, runCopyIn, runCopyOut, writeDataRows, writeDataRowsNow, writeNotices } from './results.js';

/** Runs `sql`; reports its results and at most one error. Rethrows only what must end the connection. */
export async function runSimpleQuery(ctx: StatementContext, sql: string): Promise<void> {
  let resultCount = 0;
  try {
    for await (const result of ctx.engine.executeSimple(sql)) {
      resultCount++;
      // Raised while the statement ran: sent before its result, where PostgreSQL sends them.
      writeNotices(ctx);
      await writeSimpleResult(ctx, result);
    }
    writeNotices(ctx);
    // An empty string, or only semicolons and comments: PostgreSQL answers EmptyQueryResponse.
    if (resultCount === 0) writeEmptyQueryResponse(ctx.output.writer);
  } catch (error) {
    if (isFatalViolation(error)) throw error;
    writeNotices(ctx);
    writeError(ctx.output.writer, error, ctx.logger);
  }
}

/**
 * The engine's synchronous path for a one-statement text (a point read; in
 * a transaction block also BEGIN and a point write): true
 * when it answered (its rows or its error are written), false when the text
 * must go through `runSimpleQuery`.
 */
export function runSimpleQuerySync(ctx: StatementContext, sql: string): boolean {
  if (ctx.engine.executeSimpleSync === undefined) return false;
  try {
    const result = ctx.engine.executeSimpleSync(sql);
    if (result === undefined) return false;
    writeNotices(ctx);
    if (result.kind === 'command') {
      writeCommandComplete(ctx.output.writer, result.tag);
      return true;
    }
    const formats = new Array<FormatCode>(result.columns.length).fill(FormatCode.Text);
    writeRowDescription(ctx.output.writer, fieldDescriptions(result.columns, formats));
    writeDataRowsNow(ctx, result.rows, 0, result.rows.length, cellEncoders(result.columns, formats, ctx.typeSession()));
    writeCommandComplete(ctx.output.writer, result.tag);
  } catch (error) {
    if (isFatalViolation(error)) throw error;
    writeNotices(ctx);
    writeError(ctx.output.writer, error, ctx.logger);
  }
  return true;
}

async function writeSimpleResult(ctx: StatementContext, result: StatementResult): Promise<void> {
  const w = ctx.output.writer;
  switch (result.kind) {
    case 'rows': {
      const formats = new Array<FormatCode>(result.columns.length).fill(FormatCode.Text);
      writeRowDescription(w, fieldDescriptions(result.columns, formats));
      await writeDataRows(ctx, result.rows, 0, result.rows.length, cellEncoders(result.columns, formats, ctx.typeSession()));
      return writeCommandComplete(w, result.tag);
    }
    case 'command':
      return writeCommandComplete(w, result.tag);
    case 'empty':
      return writeEmptyQueryResponse(w);
    case 'copyIn':
      return runCopyIn(ctx, result.copy);
    case 'copyOut':
      return runCopyOut(ctx, result.copy);
    default:
      return unreachable(result);
  }
}
