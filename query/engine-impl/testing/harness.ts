// Test harness: a real replicated log over an in-memory WAL, a real row
// store in a temporary directory, and the engine on top, with helpers to
// run SQL and collect results.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { ManualScheduler, openReplicatedLog, type ReplicatedLog } from '../../../log/index.js';
import { MemoryWal } from '../../../log/raft/testing/memory-wal.js';
import { openRowStore, type RowStore } from '../../../materializers/index.js';
import type { CompileStatement } from '../../contract.js';
import type { EngineSession, ResultRow, StatementResult } from '../../engine.js';
import { loadSqlParser } from '../../parser/index.js';
import type { EngineClock } from '../engine-core.js';
import { createQueryEngine, type ThunderQueryEngine } from '../query-engine.js';

export const silentLogger = pino({ level: 'silent' });

export interface TestEngine {
  readonly dir: string;
  wal: MemoryWal;
  store: RowStore;
  log: ReplicatedLog;
  engine: ThunderQueryEngine;
  session(user?: string, database?: string, parameters?: Record<string, string>): EngineSession;
  /** Closes everything and opens the row store and log again from the same directory and WAL (a restart). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export interface TestEngineOptions {
  readonly compile?: CompileStatement;
  readonly clock?: EngineClock;
  readonly txnEntryBytesMax?: number;
  readonly bufferPoolBytes?: number;
  readonly linearizableReads?: boolean;
  /** What the engine sees of the log (e.g. a Proxy claiming more voters). */
  readonly wrapLog?: (log: ReplicatedLog) => ReplicatedLog;
}

async function start(dir: string, wal: MemoryWal, options: TestEngineOptions): Promise<{ store: RowStore; log: ReplicatedLog; engine: ThunderQueryEngine }> {
  await loadSqlParser();
  const store = await openRowStore({ directory: dir, bufferPoolBytes: options.bufferPoolBytes ?? 64 * 1024 * 1024 });
  const log = await openReplicatedLog({
    nodeId: 1, peers: [1], wal, electionTimeoutTicks: 10, heartbeatTicks: 1, tickIntervalMs: 10, logger: silentLogger,
    scheduler: new ManualScheduler(), random: () => 0.5, appliedIndex: store.checkpointIndex(),
  });
  store.attachToLog(log.committed$, (error) => {
    throw error;
  });
  await log.waitReady();
  const engine = createQueryEngine({
    log: options.wrapLog === undefined ? log : options.wrapLog(log), rowStore: store, logger: silentLogger,
    ...(options.linearizableReads === undefined ? {} : { linearizableReads: options.linearizableReads }),
    ...(options.compile === undefined ? {} : { compile: options.compile }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.txnEntryBytesMax === undefined ? {} : { txnEntryBytesMax: options.txnEntryBytesMax }),
  });
  return { store, log, engine };
}

export async function openTestEngine(options: TestEngineOptions = {}): Promise<TestEngine> {
  const dir = await mkdtemp(join(tmpdir(), 'thunder-engine-'));
  const wal = new MemoryWal();
  let parts = await start(dir, wal, options);
  const sessions: EngineSession[] = [];
  const t: TestEngine = {
    dir, wal, ...parts,
    session(user = 'tester', database = 'thunderdb', parameters = {}) {
      const s = t.engine.openSession({ user, database, parameters });
      sessions.push(s);
      return s;
    },
    async restart() {
      for (const s of sessions.splice(0)) s.close();
      t.engine.close();
      await t.store.checkpoint();
      await t.log.close();
      await t.store.close();
      t.wal = t.wal.crashCopy();
      parts = await start(dir, t.wal, options);
      Object.assign(t, parts);
    },
    async close() {
      for (const s of sessions.splice(0)) s.close();
      t.engine.close();
      await t.log.close();
      await t.store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return t;
}

/** Every result of a simple query. */
export async function runAll(session: EngineSession, sql: string): Promise<StatementResult[]> {
  const out: StatementResult[] = [];
  for await (const r of session.executeSimple(sql)) out.push(r);
  return out;
}

/** The last result of a simple query. */
export async function run(session: EngineSession, sql: string): Promise<StatementResult> {
  const all = await runAll(session, sql);
  const last = all.at(-1);
  if (last === undefined) throw new Error(`no result for ${sql}`);
  return last;
}

/** The rows of the last result. */
export async function rows(session: EngineSession, sql: string): Promise<ResultRow[]> {
  const r = await run(session, sql);
  if (r.kind !== 'rows') throw new Error(`expected rows from ${sql}, got ${r.kind}`);
  return [...r.rows];
}

/** The tag of the last result. */
export async function tag(session: EngineSession, sql: string): Promise<string> {
  const r = await run(session, sql);
  if (r.kind === 'rows' || r.kind === 'command') return r.tag;
  throw new Error(`no tag for ${r.kind}`);
}

/** The SQLSTATE an SQL text fails with (throws if it succeeds). */
export async function failsWith(session: EngineSession, sql: string): Promise<{ sqlState: string; message: string; detail?: string }> {
  try {
    await runAll(session, sql);
  } catch (error) {
    const e = error as { sqlState?: string; message: string; detail?: string };
    if (e.sqlState === undefined) throw error;
    return { sqlState: e.sqlState, message: e.message, ...(e.detail === undefined ? {} : { detail: e.detail }) };
  }
  throw new Error(`expected ${sql} to fail`);
}

/** COPY FROM STDIN with `data`, in chunks of `chunkBytes`. */
export async function copyIn(session: EngineSession, sql: string, data: string, chunkBytes = 7): Promise<string> {
  const r = await run(session, sql);
  if (r.kind !== 'copyIn') throw new Error(`expected copyIn from ${sql}`);
  const bytes = Buffer.from(data, 'utf8');
  try {
    for (let i = 0; i < bytes.length; i += chunkBytes) r.copy.write(bytes.subarray(i, i + chunkBytes));
  } catch (error) {
    r.copy.abort('write failed');
    throw error;
  }
  return r.copy.finish();
}

/** COPY TO STDOUT's text. */
export async function copyOut(session: EngineSession, sql: string): Promise<string> {
  const r = await run(session, sql);
  if (r.kind !== 'copyOut') throw new Error(`expected copyOut from ${sql}`);
  const parts: Buffer[] = [];
  for await (const chunk of r.copy.chunks()) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts).toString('utf8');
}
