// One PostgreSQL-protocol connection from this node to the leader, opened for
// one client session that sends it writes (forwarding-session.ts). It speaks
// the protocol as a client with pg-protocol (node-postgres's codec) and turns
// the leader's answers back into StatementResults and SqlErrors, so the
// client's own session encodes them exactly as it encodes local results.
// Values travel in text format both ways: the leader formats with the same
// settings (the session's are replayed at startup) and query/types parses
// them back, so what the client sees matches a direct connection.
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import type { BackendMessage, CommandCompleteMessage, DataRowMessage, DatabaseError, NoticeMessage, RowDescriptionMessage } from 'pg-protocol/dist/messages.js';
import { Parser } from 'pg-protocol/dist/parser.js';
import { serialize } from 'pg-protocol/dist/serializer.js';
import type { CopyInSink, CopyOutSource, EngineNotice, ResultColumn, ResultRow, StatementResult, TransactionState } from '../../../query/engine.js';
import { formatText, parseText, SqlError, SqlTypes, typeFromOid, typeOid, type SqlType, type SqlValue, type TypeSession } from '../../../query/types/index.js';

/** The connection to the leader broke; `sent` says whether the statement may have reached it. */
export class LinkLostError extends Error {
  override readonly name = 'LinkLostError';
  constructor(readonly sent: boolean, reason: string) {
    super(reason);
  }
}

/** What forwarding needs from a connection to the leader (a fake in unit tests). */
export interface LeaderLink {
  readonly leaderId: number;
  /** False once the socket closed or the protocol lost sync: open a new one. */
  usable(): boolean;
  /** Runs a simple Query; yields each result as it completes, throws the leader's error after its ReadyForQuery. */
  simpleQuery(sql: string, types: TypeSession): AsyncIterable<StatementResult>;
  /** Parse (unnamed) + Bind + Execute + Sync with text parameters; the one result, or the leader's error. */
  extendedQuery(sql: string, parameterTypes: readonly SqlType[], parameters: readonly SqlValue[], types: TypeSession): Promise<StatementResult>;
  /** From the last ReadyForQuery. */
  transactionState(): TransactionState;
  takeNotices(): EngineNotice[];
  /** CancelRequest to the leader for the running statement. */
  cancel(): void;
  close(): void;
}

export interface LeaderLinkOptions {
  readonly leaderId: number;
  readonly host: string;
  readonly port: number;
  /** StartupMessage parameters: user, database, replayed settings. */
  readonly startup: Readonly<Record<string, string>>;
  /** The superuser's password for SCRAM; undefined when only trust can work. */
  readonly password: string | undefined;
  readonly connectTimeoutMs: number;
}

/** Bounds what one forwarded result may buffer before the link gives up (rows are materialized, as local results are). */
const noticesMax = 100;

export async function openLeaderLink(options: LeaderLinkOptions): Promise<LeaderLink> {
  const link = new PgLeaderLink(options);
  try {
    await link.start();
  } catch (error) {
    link.close();
    throw error;
  }
  return link;
}

type Waiter = { resolve: (m: BackendMessage) => void; reject: (e: Error) => void };

class PgLeaderLink implements LeaderLink {
  readonly leaderId: number;
  private readonly socket: Socket;
  private readonly parser = new Parser();
  private readonly inbox: BackendMessage[] = [];
  private waiter: Waiter | undefined;
  private lost: LinkLostError | undefined;
  private state: TransactionState = 'idle';
  private notices: EngineNotice[] = [];
  private backendKey: { processId: number; secretKey: number } | undefined;
  /** A statement is in flight: its answer up to ReadyForQuery has not been read yet. */
  private busy = false;

  constructor(private readonly options: LeaderLinkOptions) {
    this.leaderId = options.leaderId;
    this.socket = connect({ host: options.host, port: options.port, noDelay: true });
    this.socket.on('data', (chunk: Buffer) => this.parser.parse(chunk, (m) => this.deliver(m)));
    this.socket.on('error', (error) => this.fail(`connection to the leader at ${options.host}:${options.port} failed: ${error.message}`));
    this.socket.on('close', () => this.fail(`connection to the leader at ${options.host}:${options.port} closed`));
  }

  usable(): boolean {
    return this.lost === undefined && !this.busy;
  }

  transactionState(): TransactionState {
    return this.state;
  }

  takeNotices(): EngineNotice[] {
    const out = this.notices;
    this.notices = [];
    return out;
  }

  async start(): Promise<void> {
    const timer = setTimeout(() => {
      this.fail(`the leader at ${this.options.host}:${this.options.port} did not answer within ${this.options.connectTimeoutMs} ms`);
      this.socket.destroy();
    }, this.options.connectTimeoutMs);
    try {
      await new Promise<void>((resolve, reject) => {
        this.socket.once('connect', resolve);
        this.socket.once('error', reject);
        this.socket.once('close', () => reject(this.lost ?? new LinkLostError(false, 'closed')));
      });
      this.socket.write(serialize.startup({ ...this.options.startup }));
      await this.authenticate();
    } catch (error) {
      throw error instanceof LinkLostError || error instanceof SqlError ? error : new LinkLostError(false, (error as Error).message);
    } finally {
      clearTimeout(timer);
    }
  }

  private async authenticate(): Promise<void> {
    let scram: ScramClient | undefined;
    for (;;) {
      const m = await this.next();
      switch (m.name) {
        case 'authenticationOk': case 'parameterStatus': case 'notice': break;
        case 'authenticationSASL': {
          if (this.options.password === undefined) throw new LinkLostError(false, 'the leader asks for a password but only security.superuser_password_hash is configured here');
          scram = new ScramClient(this.options.password);
          this.socket.write(serialize.sendSASLInitialResponseMessage('SCRAM-SHA-256', scram.clientFirst()));
          break;
        }
        case 'authenticationSASLContinue':
          if (scram === undefined) throw new LinkLostError(false, 'SASLContinue before SASL');
          this.socket.write(serialize.sendSCRAMClientFinalMessage(scram.clientFinal((m as unknown as { data: string }).data)));
          break;
        case 'authenticationSASLFinal': break;
        case 'authenticationCleartextPassword':
          this.socket.write(serialize.password(this.options.password ?? ''));
          break;
        case 'backendKeyData': {
          const k = m as unknown as { processID: number; secretKey: number };
          this.backendKey = { processId: k.processID, secretKey: k.secretKey };
          break;
        }
        case 'error': throw toSqlError(m as DatabaseError);
        case 'readyForQuery': return;
        default: throw new LinkLostError(false, `unexpected ${m.name} from the leader during startup`);
      }
    }
  }

  async *simpleQuery(sql: string, types: TypeSession): AsyncIterable<StatementResult> {
    this.begin(serialize.query(sql));
    let columns: ResultColumn[] | undefined;
    let rows: ResultRow[] = [];
    let error: SqlError | undefined;
    try {
      for (;;) {
        const m = await this.next();
        switch (m.name) {
          case 'rowDescription':
            columns = resultColumns(m as RowDescriptionMessage);
            rows = [];
            break;
          case 'dataRow':
            rows.push(decodeRow(m as DataRowMessage, columns ?? [], types));
            break;
          case 'commandComplete': {
            const tag = (m as CommandCompleteMessage).text;
            const result: StatementResult = columns === undefined ? { kind: 'command', tag } : { kind: 'rows', columns, rows, tag };
            columns = undefined;
            rows = [];
            yield result;
            break;
          }
          case 'emptyQuery':
            yield { kind: 'empty' };
            break;
          case 'copyInResponse':
            yield { kind: 'copyIn', copy: this.copyInSink(m as unknown as { binary: boolean; columnTypes: number[] }) };
            break;
          case 'copyOutResponse':
            yield { kind: 'copyOut', copy: await this.copyOutSource(m as unknown as { binary: boolean; columnTypes: number[] }) };
            break;
          case 'error':
            error = toSqlError(m as DatabaseError);
            break;
          default:
            if (this.ended(m)) {
              if (error !== undefined) throw error;
              return;
            }
        }
      }
    } finally {
      // The consumer stopped early (its client went away, a COPY failed): read up to ReadyForQuery so the link stays in step.
      if (this.busy) await this.drain();
    }
  }

  async extendedQuery(sql: string, parameterTypes: readonly SqlType[], parameters: readonly SqlValue[], types: TypeSession): Promise<StatementResult> {
    const values = parameters.map((v, i) => (v === null ? null : formatText(v, parameterTypes[i] ?? SqlTypes.text, types)));
    this.begin(Buffer.concat([
      serialize.parse({ text: sql, types: parameterTypes.map(typeOid) }),
      serialize.bind({ values }),
      serialize.describe({ type: 'P' }),
      serialize.execute({}),
      serialize.sync(),
    ]));
    let columns: ResultColumn[] | undefined;
    const rows: ResultRow[] = [];
    let result: StatementResult | undefined;
    let error: SqlError | undefined;
    try {
      for (;;) {
        const m = await this.next();
        switch (m.name) {
          case 'parseComplete': case 'bindComplete': case 'noData': break;
          case 'rowDescription': columns = resultColumns(m as RowDescriptionMessage); break;
          case 'dataRow': rows.push(decodeRow(m as DataRowMessage, columns ?? [], types)); break;
          case 'commandComplete': {
            const tag = (m as CommandCompleteMessage).text;
            result = columns === undefined ? { kind: 'command', tag } : { kind: 'rows', columns, rows, tag };
            break;
          }
          case 'emptyQuery': result = { kind: 'empty' }; break;
          case 'error': error = toSqlError(m as DatabaseError); break;
          case 'copyInResponse':
            // COPY through Parse/Execute: end it at once rather than leave the leader waiting for data.
            this.socket.write(Buffer.concat([serialize.copyFail(`COPY FROM STDIN is forwarded to the leader only in the simple query protocol: send it as a simple query, or connect to the leader (node ${this.leaderId} at ${this.options.host}:${this.options.port})`), serialize.sync()]));
            break;
          default:
            if (this.ended(m)) {
              if (error !== undefined) throw error;
              return result ?? { kind: 'empty' };
            }
        }
      }
    } finally {
      if (this.busy) await this.drain();
    }
  }

  cancel(): void {
    const key = this.backendKey;
    if (key === undefined || !this.busy) return;
    const socket = connect({ host: this.options.host, port: this.options.port });
    socket.on('error', () => socket.destroy());
    socket.on('connect', () => socket.end(serialize.cancel(key.processId, key.secretKey)));
  }

  close(): void {
    if (this.lost === undefined && !this.socket.destroyed) this.socket.end(serialize.end());
    this.fail('closed by this node');
    this.socket.destroy();
  }

  // ------------------------------------------------------------------ internals

  private begin(bytes: Buffer): void {
    if (this.lost !== undefined) throw new LinkLostError(false, this.lost.message);
    if (this.busy) throw new Error('invariant: a statement is already in flight on this leader link');
    this.busy = true;
    this.socket.write(bytes);
  }

  /** Notices, ParameterStatus and ReadyForQuery, handled the same in every cycle; true at ReadyForQuery. */
  private ended(m: BackendMessage): boolean {
    if (m.name === 'notice') {
      const n = m as NoticeMessage;
      if (this.notices.length < noticesMax) {
        this.notices.push({
          severity: noticeSeverity(n.severity), sqlState: n.code ?? '00000', message: n.message ?? '',
          ...(n.detail === undefined ? {} : { detail: n.detail }), ...(n.hint === undefined ? {} : { hint: n.hint }),
        });
      }
      return false;
    }
    if (m.name !== 'readyForQuery') return false;
    const status = (m as unknown as { status: string }).status;
    this.state = status === 'T' ? 'inTransaction' : status === 'E' ? 'failed' : 'idle';
    this.busy = false;
    return true;
  }

  private async drain(): Promise<void> {
    try {
      while (!this.ended(await this.next()));
    } catch {
      // Lost: the link is unusable and will be replaced.
    }
  }

  private copyInSink(response: { binary: boolean; columnTypes: number[] }): CopyInSink {
    return {
      format: response.binary ? 'binary' : 'text',
      columnCount: response.columnTypes.length,
      write: (chunk) => {
        if (this.lost === undefined) this.socket.write(serialize.copyData(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
      },
      finish: async () => {
        this.socket.write(serialize.copyDone());
        for (;;) {
          const m = await this.next();
          if (m.name === 'commandComplete') return (m as CommandCompleteMessage).text;
          if (m.name === 'error') throw toSqlError(m as DatabaseError);
          if (this.ended(m)) throw new LinkLostError(true, 'ReadyForQuery before the end of COPY');
        }
      },
      abort: (reason) => {
        if (this.lost === undefined) this.socket.write(serialize.copyFail(reason));
      },
    };
  }

  /** COPY TO inside a forwarded block: collected, then handed out as the local COPY OUT would. */
  private async copyOutSource(response: { binary: boolean; columnTypes: number[] }): Promise<CopyOutSource> {
    const chunks: Buffer[] = [];
    let tag = 'COPY';
    for (;;) {
      const m = await this.next();
      if (m.name === 'copyData') chunks.push(Buffer.from((m as unknown as { chunk: Buffer }).chunk));
      else if (m.name === 'commandComplete') {
        tag = (m as CommandCompleteMessage).text;
        break;
      } else if (m.name === 'error') throw toSqlError(m as DatabaseError);
    }
    return {
      format: response.binary ? 'binary' : 'text',
      columnCount: response.columnTypes.length,
      chunks: async function* () {
        yield* chunks;
      },
      tag: () => tag,
    };
  }

  private deliver(m: BackendMessage): void {
    const waiter = this.waiter;
    if (waiter !== undefined) {
      this.waiter = undefined;
      waiter.resolve(m);
    } else {
      this.inbox.push(m);
    }
  }

  private fail(reason: string): void {
    this.lost ??= new LinkLostError(this.busy, reason);
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.reject(new LinkLostError(this.busy, reason));
  }

  private next(): Promise<BackendMessage> {
    const m = this.inbox.shift();
    if (m !== undefined) return Promise.resolve(m);
    if (this.lost !== undefined) return Promise.reject(new LinkLostError(this.busy, this.lost.message));
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }
}

function noticeSeverity(severity: string | undefined): EngineNotice['severity'] {
  switch (severity) {
    case 'WARNING': case 'INFO': case 'DEBUG': case 'LOG': return severity;
    default: return 'NOTICE';
  }
}

function resultColumns(m: RowDescriptionMessage): ResultColumn[] {
  return m.fields.map((f) => ({
    name: f.name,
    // An OID this build has no type for cannot come from a ThunderDB leader of the same version; text keeps the value readable.
    type: typeFromOid(f.dataTypeID, f.dataTypeModifier) ?? SqlTypes.text,
    tableId: f.tableID,
    columnNumber: f.columnID,
  }));
}

function decodeRow(m: DataRowMessage, columns: readonly ResultColumn[], types: TypeSession): ResultRow {
  // pg-protocol decodes text-format cells as strings (or null).
  const fields = m.fields as (string | null)[];
  return fields.map((text, i) => (text === null ? null : parseText(text, columns[i]?.type ?? SqlTypes.text, types)));
}

/** The leader's ErrorResponse as the SqlError the client's session sends on unchanged. */
export function toSqlError(e: DatabaseError): SqlError {
  const position = e.position === undefined ? undefined : Number(e.position);
  return new SqlError(e.code ?? 'XX000', e.message, {
    ...(e.detail === undefined ? {} : { detail: e.detail }),
    ...(e.hint === undefined ? {} : { hint: e.hint }),
    ...(position === undefined || !Number.isFinite(position) ? {} : { position }),
  });
}

/** The client side of SCRAM-SHA-256 (RFC 5802/7677), without channel binding, as the listener offers it. */
class ScramClient {
  private readonly nonce = randomBytes(18).toString('base64');
  private readonly firstBare: string;

  constructor(private readonly password: string) {
    this.firstBare = `n=*,r=${this.nonce}`;
  }

  clientFirst(): string {
    return `n,,${this.firstBare}`;
  }

  clientFinal(serverFirst: string): string {
    const attrs = new Map(serverFirst.split(',').map((kv) => [kv.slice(0, 1), kv.slice(2)] as const));
    const nonce = attrs.get('r') ?? '';
    const salt = Buffer.from(attrs.get('s') ?? '', 'base64');
    const iterations = Number(attrs.get('i'));
    if (!nonce.startsWith(this.nonce) || !Number.isSafeInteger(iterations) || iterations < 1) throw new LinkLostError(false, 'bad SCRAM server-first message from the leader');
    const saltedPassword = pbkdf2Sync(this.password.normalize('NFKC'), salt, iterations, 32, 'sha256');
    const clientKey = createHmac('sha256', saltedPassword).update('Client Key').digest();
    const storedKey = createHash('sha256').update(clientKey).digest();
    const withoutProof = `c=biws,r=${nonce}`;
    const authMessage = `${this.firstBare},${serverFirst},${withoutProof}`;
    const signature = createHmac('sha256', storedKey).update(authMessage).digest();
    const proof = Buffer.from(clientKey.map((b, i) => b ^ (signature[i] ?? 0)));
    return `${withoutProof},p=${proof.toString('base64')}`;
  }
}
