// Drives a PgSession without sockets, as a client would: bytes from
// pg-protocol's serializer in, backend messages read back with pg-protocol's
// own Parser. Also a SCRAM client, so authentication is tested end to end.
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { pino, type Logger } from 'pino';
import { Parser } from 'pg-protocol/dist/parser.js';
import type { BackendMessage } from 'pg-protocol/dist/messages.js';
import { serialize } from 'pg-protocol/dist/serializer.js';
import { createAuthenticator, type PgAuthenticationOptions, type RandomBytes } from '../authenticator.js';
import { CancelRegistry } from '../cancel-registry.js';
import { PgSession } from '../pg-session.js';
import { FakeEngine } from './fake-engine.js';

export { serialize };
export type { BackendMessage };

export interface HarnessOptions {
  readonly engine?: FakeEngine;
  readonly authentication?: PgAuthenticationOptions;
  readonly registry?: CancelRegistry;
  readonly tooManyClients?: boolean;
  readonly messageBytesMax?: number;
  readonly random?: RandomBytes;
  /** Makes every send() wait this long before "draining", to exercise backpressure. */
  readonly slowSend?: () => Promise<void>;
}

export class SessionHarness {
  readonly engine: FakeEngine;
  readonly registry: CancelRegistry;
  readonly session: PgSession;
  /** Every batch the session sent, in order (one transport write each). */
  readonly batches: Buffer[] = [];
  /** Error-level log lines (JSON), to check that bugs are logged. */
  readonly logs: string[] = [];
  closed = false;
  private parsedBatches = 0;
  private readonly parser = new Parser();

  constructor(options: HarnessOptions = {}) {
    this.engine = options.engine ?? new FakeEngine();
    this.registry = options.registry ?? new CancelRegistry();
    const logger: Logger = pino({ level: 'error' }, { write: (line: string) => this.logs.push(line) });
    this.session = new PgSession({
      engine: this.engine,
      authenticator: createAuthenticator(options.authentication ?? { enabled: false, superuser: 'admin' }),
      cancelRegistry: this.registry,
      logger,
      transport: {
        send: (bytes) => {
          this.batches.push(Buffer.from(bytes));
          return options.slowSend?.();
        },
        close: () => {
          this.closed = true;
        },
      },
      tooManyClients: options.tooManyClients ?? false,
      ...(options.random === undefined ? {} : { random: options.random }),
      ...(options.messageBytesMax === undefined ? {} : { messageBytesMax: options.messageBytesMax }),
    });
  }

  /** Pushes each chunk (waiting until the session is idle again) and returns what it answered. */
  async send(...chunks: Buffer[]): Promise<BackendMessage[]> {
    for (const chunk of chunks) await this.session.receive(chunk);
    return this.take();
  }

  /** Messages written since the last take(). */
  take(): BackendMessage[] {
    const messages: BackendMessage[] = [];
    for (; this.parsedBatches < this.batches.length; this.parsedBatches++) {
      this.parser.parse(this.batches[this.parsedBatches] as Buffer, (m) => messages.push(m));
    }
    return messages;
  }

  /** Raw bytes written since the last take() (for unframed answers such as the 'N' to SSLRequest). */
  takeRaw(): Buffer {
    const raw = Buffer.concat(this.batches.slice(this.parsedBatches));
    this.parsedBatches = this.batches.length;
    return raw;
  }

  /** Startup without a password (trust); returns everything up to ReadyForQuery. */
  async connect(parameters: Record<string, string> = { user: 'admin', database: 'thunderdb' }): Promise<BackendMessage[]> {
    return this.send(serialize.startup(parameters));
  }

  /** Runs a simple query and returns the answer. */
  query(sql: string): Promise<BackendMessage[]> {
    return this.send(serialize.query(sql));
  }
}

/** A StartupMessage with exactly these parameters (pg-protocol's serializer adds client_encoding). */
export function startupPacket(parameters: Record<string, string>, minorVersion = 0): Buffer {
  const body = Buffer.from(Object.entries(parameters).map(([k, v]) => `${k}\0${v}\0`).join('') + '\0', 'utf8');
  const packet = Buffer.alloc(8 + body.length);
  packet.writeInt32BE(packet.length, 0);
  packet.writeInt32BE((3 << 16) | minorVersion, 4);
  body.copy(packet, 8);
  return packet;
}

/**
 * DataRow cells as raw bytes, read straight from the batches: pg-protocol's
 * Parser decodes every cell as UTF-8 text and has no binary mode.
 */
export function rawDataRows(batches: readonly Buffer[]): (Buffer | null)[][] {
  const bytes = Buffer.concat(batches);
  const rows: (Buffer | null)[][] = [];
  for (let at = 0; at + 5 <= bytes.length; at += 1 + bytes.readInt32BE(at + 1)) {
    if (bytes[at] !== 0x44) continue; // 'D'
    const cells: (Buffer | null)[] = [];
    let cursor = at + 7;
    for (let i = bytes.readInt16BE(at + 5); i > 0; i--) {
      const length = bytes.readInt32BE(cursor);
      cursor += 4;
      cells.push(length < 0 ? null : bytes.subarray(cursor, cursor + length));
      cursor += Math.max(length, 0);
    }
    rows.push(cells);
  }
  return rows;
}

/** Message names, the compact way to assert a conversation. */
export function names(messages: readonly BackendMessage[]): string[] {
  return messages.map((m) => m.name);
}

/** The fields of a message, for toMatchObject. */
export function fields(message: BackendMessage | undefined): Record<string, unknown> {
  return (message ?? {}) as unknown as Record<string, unknown>;
}

/** Text of each DataRow (pg-protocol gives text-format fields as strings, NULL as null). */
export function dataRows(messages: readonly BackendMessage[]): unknown[][] {
  return messages.filter((m) => m.name === 'dataRow').map((m) => fields(m)['fields'] as unknown[]);
}

/** The client side of SCRAM-SHA-256, as libpq computes it. */
export class ScramClient {
  readonly clientNonce: string;
  private clientFirstBare = '';
  private expectedServerSignature = '';

  constructor(private readonly password: string, nonce: string = randomBytes(18).toString('base64')) {
    this.clientNonce = nonce;
  }

  clientFirst(): string {
    this.clientFirstBare = `n=*,r=${this.clientNonce}`;
    return `n,,${this.clientFirstBare}`;
  }

  clientFinal(serverFirst: string): string {
    const attributes = new Map(serverFirst.split(',').map((part) => [part[0], part.slice(2)] as const));
    const nonce = attributes.get('r') ?? '';
    const salt = Buffer.from(attributes.get('s') ?? '', 'base64');
    const iterations = Number(attributes.get('i'));
    const salted = pbkdf2Sync(this.password, salt, iterations, 32, 'sha256');
    const clientKey = createHmac('sha256', salted).update('Client Key').digest();
    const storedKey = createHash('sha256').update(clientKey).digest();
    const withoutProof = `c=biws,r=${nonce}`;
    const authMessage = `${this.clientFirstBare},${serverFirst},${withoutProof}`;
    const signature = createHmac('sha256', storedKey).update(authMessage).digest();
    const proof = Buffer.from(clientKey.map((b, i) => b ^ (signature[i] ?? 0)));
    const serverKey = createHmac('sha256', salted).update('Server Key').digest();
    this.expectedServerSignature = createHmac('sha256', serverKey).update(authMessage).digest('base64');
    return `${withoutProof},p=${proof.toString('base64')}`;
  }

  /** Whether server-final proves the server knew the verifier. */
  verifyServerFinal(serverFinal: string): boolean {
    return serverFinal === `v=${this.expectedServerSignature}`;
  }
}
