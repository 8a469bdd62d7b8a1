// Turning the engine's StatementResults into backend messages, shared by the
// simple and extended protocols: DataRows (streamed in bounded batches),
// COPY IN (reading CopyData in line) and COPY OUT, and notices.
import type { Logger } from 'pino';
import {
  FormatCode,
  FrontendType,
  ProtocolViolation,
  writeCommandComplete,
  writeCopyData,
  writeCopyDone,
  writeCopyInResponse,
  writeCopyOutResponse,
  writeDataRow,
  writeNoticeResponse,
} from '../codec/index.js';
import type { CopyInSink, CopyOutSource, EngineSession, ResultRow } from '../../../query/engine.js';
import type { TypeSession } from '../../../query/types/index.js';
import { invariant } from './assert.js';
import { sessionError, SessionSqlState } from './errors.js';
import type { CellEncoder } from './format.js';
import { outputBatchBytesMax } from './session-io.js';
import type { Inbound, MessageSource, SessionOutput } from './session-io.js';

/** What statement execution needs from the session around it. */
export interface StatementContext {
  readonly engine: EngineSession;
  readonly output: SessionOutput;
  readonly source: MessageSource;
  readonly logger: Logger;
  /** A CancelRequest arrived while this message was being handled. */
  cancelRequested(): boolean;
  /** Time zone and 'now' for value I/O, as the engine's settings say now. */
  typeSession(): TypeSession;
}

export function queryCanceled(): Error {
  return sessionError(SessionSqlState.QueryCanceled, 'canceling statement due to user request');
}

/** A fatal violation must end the connection: statement-level handlers rethrow it. */
export function isFatalViolation(error: unknown): error is ProtocolViolation {
  return error instanceof ProtocolViolation && error.fatal;
}

/** DataRows for rows [from, to). Large results go out in batches; a cancel between batches stops them (57014). */
export async function writeDataRows(
  ctx: StatementContext,
  rows: readonly ResultRow[],
  from: number,
  to: number,
  encoders: readonly CellEncoder[],
): Promise<void> {
  const w = ctx.output.writer;
  const cells = cellScratch(encoders);
  for (let i = from; i < to; i++) {
    writeEncodedRow(w, cells, rows, i, encoders);
    if (w.pendingBytes >= outputBatchBytesMax) {
      await ctx.output.flush();
      if (ctx.cancelRequested()) throw queryCanceled();
    }
  }
}

/**
 * DataRows for rows [from, to) into the pending batch, without flushing in
 * between: for the few rows of a synchronous point read (the batch bound of
 * `writeDataRows` matters only for large results).
 */
export function writeDataRowsNow(ctx: StatementContext, rows: readonly ResultRow[], from: number, to: number, encoders: readonly CellEncoder[]): void {
  const w = ctx.output.writer;
  const cells = cellScratch(encoders);
  for (let i = from; i < to; i++) writeEncodedRow(w, cells, rows, i, encoders);
}

type Cells = (string | Uint8Array | null)[];

/** One scratch array for every row of a result: writeDataRow reads it synchronously. */
function cellScratch(encoders: readonly CellEncoder[]): Cells {
  return new Array<string | Uint8Array | null>(encoders.length);
}

function writeEncodedRow(w: StatementContext['output']['writer'], cells: Cells, rows: readonly ResultRow[], i: number, encoders: readonly CellEncoder[]): void {
  const row = rows[i];
  invariant(row !== undefined && row.length === encoders.length, `row ${i} has one value per column`);
  for (let c = 0; c < encoders.length; c++) cells[c] = (encoders[c] as CellEncoder)(row[c] ?? null);
  writeDataRow(w, cells);
}

/** NoticeResponse for each notice the engine raised since the last call. */
export function writeNotices(ctx: StatementContext): void {
  for (const notice of ctx.engine.takeNotices()) {
    writeNoticeResponse(ctx.output.writer, {
      severity: notice.severity,
      code: notice.sqlState,
      message: notice.message,
      detail: notice.detail,
      hint: notice.hint,
    });
  }
}

/**
 * CopyInResponse, then CopyData into the sink until CopyDone (CommandComplete
 * with the sink's tag) or a failure (the sink is aborted and the error
 * thrown for the caller to report). Flush and Sync are ignored meanwhile, as
 * the protocol says; any other message fails the COPY.
 */
export async function runCopyIn(ctx: StatementContext, sink: CopyInSink): Promise<void> {
  const format = sink.format === 'binary' ? FormatCode.Binary : FormatCode.Text;
  writeCopyInResponse(ctx.output.writer, format, new Array<FormatCode>(sink.columnCount).fill(format));
  await ctx.output.flush();
  for (;;) {
    // Not interruptible: a shutdown lets a COPY in progress finish (within the grace period).
    const message = await ctx.source.next(false);
    if (typeof message === 'string') {
      // Nobody will read the error; throwing just unwinds the statement.
      sink.abort('connection closed during COPY');
      throw sessionError(SessionSqlState.ProtocolViolation, 'connection closed during COPY from stdin');
    }
    const outcome = copyInStep(ctx, sink, message);
    if (outcome === 'more') continue;
    const tag = await outcome;
    writeCommandComplete(ctx.output.writer, tag);
    return;
  }
}

/** One message during COPY IN: 'more', or the sink's finish() after CopyDone. Throws after aborting the sink. */
function copyInStep(ctx: StatementContext, sink: CopyInSink, message: Inbound): 'more' | Promise<string> {
  if (ctx.cancelRequested()) return abortCopy(sink, 'canceled', queryCanceled());
  switch (message.kind) {
    case 'copyData':
      // The chunk is a view into a socket read that is never reused: the sink may keep it.
      try {
        sink.write(message.data);
      } catch (error) {
        return abortCopy(sink, 'write failed', error);
      }
      return 'more';
    case 'copyDone':
      return sink.finish();
    case 'copyFail':
      return abortCopy(sink, message.reason, sessionError(SessionSqlState.QueryCanceled, `COPY from stdin failed: ${message.reason}`));
    case 'flush':
    case 'sync':
      return 'more';
    case 'violation':
      return abortCopy(sink, message.message, message);
    default:
      return abortCopy(sink, 'unexpected message', sessionError(
        SessionSqlState.ProtocolViolation,
        `unexpected message type 0x${typeByteOf(message.kind).toString(16).toUpperCase().padStart(2, '0')} during COPY from stdin`,
      ));
  }
}

function abortCopy(sink: CopyInSink, reason: string, error: unknown): never {
  sink.abort(reason);
  throw error;
}

/** CopyOutResponse, a CopyData per chunk (flushed in batches), CopyDone, CommandComplete. */
export async function runCopyOut(ctx: StatementContext, source: CopyOutSource): Promise<void> {
  const w = ctx.output.writer;
  const format = source.format === 'binary' ? FormatCode.Binary : FormatCode.Text;
  writeCopyOutResponse(w, format, new Array<FormatCode>(source.columnCount).fill(format));
  for await (const chunk of source.chunks()) {
    writeCopyData(w, chunk);
    await ctx.output.flushIfLarge();
    // Leaving the loop calls the iterator's return(): the engine stops producing.
    if (ctx.cancelRequested()) throw queryCanceled();
  }
  writeCopyDone(w);
  writeCommandComplete(w, source.tag());
}

const typeBytes: Readonly<Record<string, number>> = {
  query: FrontendType.Query,
  parse: FrontendType.Parse,
  bind: FrontendType.Bind,
  describe: FrontendType.Describe,
  execute: FrontendType.Execute,
  close: FrontendType.Close,
  terminate: FrontendType.Terminate,
  functionCall: FrontendType.FunctionCall,
  authResponse: FrontendType.AuthResponse,
};

/** The wire type byte of a decoded message, for error texts in PostgreSQL's wording. */
export function typeByteOf(kind: string): number {
  return typeBytes[kind] ?? 0;
}
