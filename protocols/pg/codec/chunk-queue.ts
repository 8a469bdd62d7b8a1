// The decoder's input: the chunks pushed so far, not yet consumed. Chunks are
// kept as they arrived and never copied until a whole frame is present, so a
// client that announces a large message and then stalls costs only what it
// actually sent.

export class ChunkQueue {
  /** Consumed chunks are shifted out at once, so nothing keeps them alive. */
  private readonly chunks: Buffer[] = [];
  /** Bytes of `chunks[0]` already consumed. */
  private headOffset = 0;
  private bytes = 0;

  /** Bytes pushed and not yet taken. */
  get byteCount(): number {
    return this.bytes;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.bytes += chunk.length;
  }

  /** The byte at `index` from the front. The caller checks `index < byteCount`. */
  byteAt(index: number): number {
    let at = this.headOffset + index;
    for (const chunk of this.chunks) {
      if (at < chunk.length) return chunk[at] ?? 0;
      at -= chunk.length;
    }
    return 0;
  }

  /** Big-endian Int32 at `index` from the front. The caller checks `index + 4 <= byteCount`. */
  int32At(index: number): number {
    const head = this.chunks[0];
    const at = this.headOffset + index;
    if (head !== undefined && at + 4 <= head.length) return head.readInt32BE(at);
    // The rare case of a length field split across chunks.
    return (
      ((this.byteAt(index) << 24) |
        (this.byteAt(index + 1) << 16) |
        (this.byteAt(index + 2) << 8) |
        this.byteAt(index + 3)) |
      0
    );
  }

  /**
   * Removes the first `count` bytes (the caller checks `count <= byteCount`)
   * and returns them: a view when they lie in one chunk, else one new buffer
   * of exactly `count` bytes. Either way the result is never written to again.
   */
  take(count: number): Buffer {
    const head = this.chunks[0];
    if (head !== undefined && this.headOffset + count <= head.length) {
      const view = head.subarray(this.headOffset, this.headOffset + count);
      this.consume(count);
      return view;
    }
    const frame = Buffer.allocUnsafe(count);
    let filled = 0;
    while (filled < count) {
      const chunk = this.chunks[0];
      if (chunk === undefined) break;
      const n = Math.min(count - filled, chunk.length - this.headOffset);
      chunk.copy(frame, filled, this.headOffset, this.headOffset + n);
      filled += n;
      this.consume(n);
    }
    return frame;
  }

  /** Removes the first `count` bytes (the caller checks `count <= byteCount`) without copying them. */
  skip(count: number): void {
    let left = count;
    while (left > 0) {
      const head = this.chunks[0];
      if (head === undefined) break;
      const n = Math.min(left, head.length - this.headOffset);
      this.consume(n);
      left -= n;
    }
  }

  /** Drops everything, releasing the chunks. */
  clear(): void {
    this.chunks.length = 0;
    this.headOffset = 0;
    this.bytes = 0;
  }

  /** Advances within the head chunk (`count` never passes its end). */
  private consume(count: number): void {
    this.bytes -= count;
    this.headOffset += count;
    const head = this.chunks[0];
    if (head === undefined || this.headOffset < head.length) return;
    this.chunks.shift();
    this.headOffset = 0;
  }
}
