// Incremental decoder of what a PostgreSQL client sends. push() chunks as they
// arrive (split anywhere, many frames per chunk), then poll() until it returns
// undefined. Pure: no sockets, no timers; it never throws on any input.
import { FrontendType, SqlState } from './constants.js';
import type { FrontendMessage } from './frontend-messages.js';
import {
  authMessageBytesMax,
  messageBytesMaxCeiling,
  messageBytesMaxDefault,
  messageBytesMin,
  smallMessageBytesMax,
  startupPacketBytesMax,
  startupPacketBytesMin,
} from './limits.js';
import { ChunkQueue } from './chunk-queue.js';
import { decodeStartupPacket } from './startup.js';
import { decodeTypedBody } from './frontend-bodies.js';
import { invariant, unreachable } from './assert.js';
import type { ProtocolViolation } from './violation.js';
import { fatalViolation } from './violation.js';

export interface FrontendDecoderOptions {
  /**
   * Bound on Query, Parse, Bind, FunctionCall and CopyData, length word
   * included. Default `messageBytesMaxDefault` (64 MiB); at most
   * `messageBytesMaxCeiling` (just under 1 GiB, as in PostgreSQL).
   */
  readonly messageBytesMax?: number;
}

/**
 * - `startup`: expecting a startup packet (no type byte).
 * - `encryptionRequested`: an SSLRequest or GSSENCRequest was decoded; nothing
 *   more is decoded until the session calls `resumeStartup`.
 * - `messages`: after StartupMessage, expecting typed messages.
 * - `ended`: after CancelRequest or Terminate; further input is discarded.
 * - `failed`: after a fatal violation; further input is discarded.
 */
export type DecoderPhase = 'startup' | 'encryptionRequested' | 'messages' | 'ended' | 'failed';

const headerBytes = 5; // type byte + Int32 length

export class FrontendDecoder {
  private readonly input = new ChunkQueue();
  private readonly messageBytesMax: number;
  private phaseNow: DecoderPhase = 'startup';
  private encryptionRequest: 'ssl' | 'gss' = 'ssl';

  constructor(options: FrontendDecoderOptions = {}) {
    const bytesMax = options.messageBytesMax ?? messageBytesMaxDefault;
    if (!Number.isSafeInteger(bytesMax) || bytesMax < smallMessageBytesMax || bytesMax > messageBytesMaxCeiling) {
      throw new RangeError(
        `messageBytesMax must be an integer from ${smallMessageBytesMax} to ${messageBytesMaxCeiling}, got ${bytesMax}`,
      );
    }
    this.messageBytesMax = bytesMax;
  }

  get phase(): DecoderPhase {
    return this.phaseNow;
  }

  /** Bytes pushed and not yet decoded: at most one partial frame once poll() has returned undefined. */
  get bufferedBytes(): number {
    return this.input.byteCount;
  }

  /**
   * Queues a chunk. It is kept, not copied, until its frames are decoded, and
   * messages may hold views into it: the caller must not modify it afterwards.
   */
  push(chunk: Buffer): void {
    if (this.phaseNow === 'ended' || this.phaseNow === 'failed') return;
    this.input.push(chunk);
  }

  /**
   * The next message, a violation, or undefined when more input is needed (or
   * the decoder is paused, ended or failed). A fatal violation is returned
   * once; after it the decoder is `failed` and returns undefined.
   */
  poll(): FrontendMessage | ProtocolViolation | undefined {
    switch (this.phaseNow) {
      case 'startup':
        return this.pollStartup();
      case 'messages':
        return this.pollTyped();
      case 'encryptionRequested':
      case 'ended':
      case 'failed':
        return undefined;
      default:
        return unreachable(this.phaseNow);
    }
  }

  /**
   * After SSLRequest or GSSENCRequest, the session answers 'S' or 'N' and
   * calls this. Refused: the client goes on in plaintext with another startup
   * packet. Accepted: the session pushes the decrypted stream from now on, and
   * any byte already buffered arrived in plaintext before the handshake, so it
   * may have been injected by a man in the middle (CVE-2021-23214): that is a
   * fatal violation, which the session must act on.
   */
  resumeStartup(encryptionAccepted: boolean): ProtocolViolation | undefined {
    invariant(this.phaseNow === 'encryptionRequested', 'resumeStartup() only right after an encryption request');
    if (encryptionAccepted && this.input.byteCount > 0) {
      const what = this.encryptionRequest === 'ssl' ? 'SSL' : 'GSSAPI encryption';
      return this.fail(fatalViolation(SqlState.ProtocolViolation, `received unencrypted data after ${what} request`));
    }
    this.phaseNow = 'startup';
    return undefined;
  }

  private pollStartup(): FrontendMessage | ProtocolViolation | undefined {
    if (this.input.byteCount < 4) return undefined;
    const length = this.input.int32At(0);
    if (length > startupPacketBytesMax) {
      return this.fail(fatalViolation(SqlState.ProgramLimitExceeded, tooLarge('startup packet', length, startupPacketBytesMax)));
    }
    if (length < startupPacketBytesMin) {
      return this.fail(fatalViolation(SqlState.ProtocolViolation, 'invalid length of startup packet'));
    }
    if (this.input.byteCount < length) return undefined;
    const result = decodeStartupPacket(this.input.take(length));
    switch (result.kind) {
      case 'violation':
        return this.fail(result);
      case 'startup':
        this.phaseNow = 'messages';
        break;
      case 'sslRequest':
      case 'gssEncRequest':
        this.phaseNow = 'encryptionRequested';
        this.encryptionRequest = result.kind === 'sslRequest' ? 'ssl' : 'gss';
        break;
      case 'cancelRequest':
        this.end();
        break;
      default:
        return unreachable(result);
    }
    return result;
  }

  private pollTyped(): FrontendMessage | ProtocolViolation | undefined {
    if (this.input.byteCount < 1) return undefined;
    const typeByte = this.input.byteAt(0);
    const type = frontendTypeOf(typeByte);
    // Judged on the first byte alone, so garbage is refused before we wait for a length.
    if (type === undefined) {
      return this.fail(fatalViolation(SqlState.ProtocolViolation, `invalid frontend message type ${typeByte}`, typeByte));
    }
    if (this.input.byteCount < headerBytes) return undefined;
    const length = this.input.int32At(1);
    const bytesMax = this.bytesMaxOf(type);
    if (length > bytesMax) {
      return this.fail(fatalViolation(SqlState.ProgramLimitExceeded, tooLarge('message', length, bytesMax), type));
    }
    if (length < messageBytesMin) {
      return this.fail(fatalViolation(SqlState.ProtocolViolation, `invalid message length ${length}`, type));
    }
    if (this.input.byteCount < 1 + length) return undefined;
    // The header is already read; taking only the body saves a Buffer view per message.
    this.input.skip(headerBytes);
    const message = decodeTypedBody(type, this.input.take(length - 4));
    if (message.kind === 'terminate') this.end();
    return message;
  }

  /** Per-type bounds as in PostgreSQL: only messages that carry SQL or data may be large. */
  private bytesMaxOf(type: FrontendType): number {
    switch (type) {
      case FrontendType.Query:
      case FrontendType.Parse:
      case FrontendType.Bind:
      case FrontendType.FunctionCall:
      case FrontendType.CopyData:
        return this.messageBytesMax;
      case FrontendType.AuthResponse:
        return authMessageBytesMax;
      case FrontendType.Describe:
      case FrontendType.Close:
      case FrontendType.Execute:
      case FrontendType.Sync:
      case FrontendType.Flush:
      case FrontendType.Terminate:
      case FrontendType.CopyDone:
      case FrontendType.CopyFail:
        return smallMessageBytesMax;
      default:
        return unreachable(type);
    }
  }

  private fail(violation: ProtocolViolation): ProtocolViolation {
    this.phaseNow = 'failed';
    this.input.clear();
    return violation;
  }

  private end(): void {
    this.phaseNow = 'ended';
    this.input.clear();
  }
}

const frontendTypes: ReadonlySet<number> = new Set<number>(Object.values(FrontendType));

function frontendTypeOf(byte: number): FrontendType | undefined {
  return frontendTypes.has(byte) ? (byte as FrontendType) : undefined;
}

function tooLarge(what: string, length: number, bytesMax: number): string {
  return `${what} of ${length} bytes exceeds the limit of ${bytesMax} bytes`;
}
