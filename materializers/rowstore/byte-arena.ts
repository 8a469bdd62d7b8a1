// Copies of encoded rows that stay in memory until a checkpoint writes them,
// packed into shared slabs instead of one ArrayBuffer each. V8 tracks every
// ArrayBuffer with an extension it sweeps at each GC; `slice()` per row left
// millions of them after a bulk load (pgbench -i -s 10: 1M rows, twice with
// ADD PRIMARY KEY's rewrite), and one mark-compact then spent 3.8 s in
// finish.sweep_array_buffers (--trace-gc-nvp, issue 4). A slab is freed once
// no version holds a view of it (versions drop their bytes when written, the
// newest once its entry is packed: state.ts), so a row that stays dirty pins
// at most one slab.

/** Size of a fresh slab. */
export const arenaSlabBytes = 16 * 1024;
/** Rows larger than this get their own buffer: they would waste most of a slab. */
const arenaCopyBytesMax = arenaSlabBytes / 4;

export class ByteArena {
  private slab = new Uint8Array(0);
  private used = 0;

  constructor(private readonly slabBytes: number = arenaSlabBytes) {}

  /** A copy of `bytes` that does not pin the source's buffer (a view into a slab, or its own buffer if large). */
  copy(bytes: Uint8Array): Uint8Array {
    const n = bytes.length;
    if (n > arenaCopyBytesMax || n > this.slabBytes) return bytes.slice();
    if (this.used + n > this.slab.length) {
      this.slab = new Uint8Array(this.slabBytes);
      this.used = 0;
    }
    const out = this.slab.subarray(this.used, this.used + n);
    out.set(bytes);
    this.used += n;
    return out;
  }
}
