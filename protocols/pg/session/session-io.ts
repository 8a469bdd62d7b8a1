// The session's two ends, still without sockets: a pull-style source of
// decoded client messages (so COPY and authentication read their next
// message in line instead of spreading over a state table) and a batched
// output that hands one Buffer per batch to a transport.
import type { FrontendMessage, FrontendDecoderOptions } from '../codec/index.js';
import { BufferWriter, FrontendDecoder, type ProtocolViolation } from '../codec/index.js';

/** Where the session's bytes go: a socket in production, an array in unit tests. */
export interface SessionTransport {
  /**
   * One batch of backend messages. Returns a promise when the peer is slow
   * (the socket's buffer is full): the session waits for it before writing
   * more. The buffer is never modified afterwards, so it may be kept.
   */
  send(bytes: Buffer): Promise<void> | undefined;
  /** Ends the connection once what was sent has gone out. */
  close(): void;
}

/**
 * While streaming a large result, a batch is sent once it holds this much:
 * memory per connection stays bounded and the client sees rows early.
 * Matches the writer's default slab, so batches rarely reallocate.
 */
export const outputBatchBytesMax = 64 * 1024;

export type Inbound = FrontendMessage | ProtocolViolation;

/** Why `next()` returned no message. */
export type InputEnd = 'closed' | 'interrupted';

export class MessageSource {
  private readonly decoder: FrontendDecoder;
  private inputArrived: (() => void) | undefined;
  private idleWaiters: (() => void)[] = [];
  private idleListener: (() => void) | undefined;
  /** The peer sent EOF: frames already buffered are still read. */
  private inputEnded = false;
  /** The session is over: nothing more is read. */
  private closed = false;
  private interruptRequested = false;

  constructor(options: FrontendDecoderOptions) {
    this.decoder = new FrontendDecoder(options);
  }

  /** Queues client bytes; resolves once they are consumed and the session waits for more (or has ended). */
  push(chunk: Buffer): Promise<void> {
    if (!this.pushWithoutWaiter(chunk)) return Promise.resolve();
    return new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * `push` for a caller that listens with `onIdle` instead of a promise per
   * chunk (the socket adapter: one chunk per round trip). False when the
   * bytes were dropped at once (input ended or closed): no idle will follow for them.
   */
  pushWithoutWaiter(chunk: Buffer): boolean {
    if (this.inputEnded || this.closed) return false;
    this.decoder.push(chunk);
    this.wake();
    return true;
  }

  /** Called each time the session has consumed what was pushed and waits for more (or has ended). */
  onIdle(listener: () => void): void {
    this.idleListener = listener;
  }

  /** Answers an encryption request with 'N': the decoder resumes reading the plaintext startup. */
  resumeStartup(): ProtocolViolation | undefined {
    return this.decoder.resumeStartup(false);
  }

  /**
   * The next message or violation. 'closed' once the input has ended;
   * 'interrupted' after `interrupt()` when `interruptible` (COPY IN is not:
   * its statement finishes first).
   */
  async next(interruptible: boolean): Promise<Inbound | InputEnd> {
    for (;;) {
      if (this.closed) return 'closed';
      if (interruptible && this.interruptRequested) return 'interrupted';
      const message = this.decoder.poll();
      if (message !== undefined) return message;
      if (this.inputEnded || this.decoder.phase === 'ended' || this.decoder.phase === 'failed') return 'closed';
      this.settleIdle();
      await new Promise<void>((resolve) => {
        this.inputArrived = resolve;
      });
    }
  }

  /**
   * `next()` without waiting: a message already decoded (or the end), else
   * undefined and the caller awaits `next()`. The message loop takes this
   * path while a client's bytes hold whole messages, so a round trip costs
   * no promise per message.
   */
  poll(interruptible: boolean): Inbound | InputEnd | undefined {
    if (this.closed) return 'closed';
    if (interruptible && this.interruptRequested) return 'interrupted';
    const message = this.decoder.poll();
    if (message !== undefined) return message;
    if (this.inputEnded || this.decoder.phase === 'ended' || this.decoder.phase === 'failed') return 'closed';
    return undefined;
  }

  /** The peer sent EOF: what is buffered is still read, then 'closed'. */
  endInput(): void {
    this.inputEnded = true;
    this.wake();
  }

  /** Stops reading at once; settles every waiter. Idempotent. */
  close(): void {
    this.closed = true;
    this.settleIdle();
    this.wake();
  }

  /** Makes an interruptible `next()` return 'interrupted' instead of reading on. */
  interrupt(): void {
    this.interruptRequested = true;
    this.wake();
  }

  private wake(): void {
    const resolve = this.inputArrived;
    this.inputArrived = undefined;
    resolve?.();
  }

  private settleIdle(): void {
    this.idleListener?.();
    if (this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

export class SessionOutput {
  readonly writer = new BufferWriter();
  private open = true;

  constructor(private readonly transport: SessionTransport) {}

  get isOpen(): boolean {
    return this.open;
  }

  /** Sends the pending batch; resolves when the transport can take more. */
  async flush(): Promise<void> {
    const wait = this.send();
    if (wait !== undefined) await wait;
  }

  /** `flush()` without a promise when the transport took the batch at once (the usual case). */
  flushNow(): Promise<void> | undefined {
    return this.send();
  }

  /** Flushes only a large pending batch: the streaming path's memory bound. */
  async flushIfLarge(): Promise<void> {
    if (this.writer.pendingBytes >= outputBatchBytesMax) await this.flush();
  }

  /** Sends what is pending without waiting, then closes. Idempotent. */
  close(): void {
    if (!this.open) return;
    void this.send();
    this.open = false;
    this.transport.close();
  }

  /** After the peer is gone nothing more is sent; pending bytes are dropped. */
  discard(): void {
    this.writer.flush();
    this.open = false;
  }

  private send(): Promise<void> | undefined {
    if (this.writer.pendingBytes === 0) return undefined;
    const bytes = this.writer.flush();
    return this.open ? this.transport.send(bytes) : undefined;
  }
}
