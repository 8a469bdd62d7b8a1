// A bounded hand-off from a gRPC stream's 'data' events to an async
// consumer (SnapshotSink.write): push() chunks, end() or fail(); the consumer
// iterates. `onLow` fires when the consumer has drained it below `lowMark`,
// so the producer can pause the stream above it and resume then.

export class ChunkQueue implements AsyncIterable<Uint8Array> {
  private readonly chunks: Uint8Array[] = [];
  private ended = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;

  constructor(readonly lowMark: number, private readonly onLow: () => void) {}

  get length(): number {
    return this.chunks.length;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  push(chunk: Uint8Array): void {
    if (this.ended || this.failure !== undefined) return;
    this.chunks.push(chunk);
    this.wakeUp();
  }

  end(): void {
    this.ended = true;
    this.wakeUp();
  }

  fail(error: Error): void {
    if (this.ended || this.failure !== undefined) return;
    this.failure = error;
    this.wakeUp();
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    while (true) {
      if (this.failure !== undefined) throw this.failure;
      const chunk = this.chunks.shift();
      if (chunk !== undefined) {
        if (this.chunks.length === this.lowMark) this.onLow();
        yield chunk;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}
