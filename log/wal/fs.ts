// The disk seam (STYLE.md: disk behind one interface, a real and a simulated
// implementation). The WAL touches files only through `WalFileSystem`, so a
// simulated disk that loses unsynced writes can be swapped in for crash tests.
import { constants } from 'node:fs';
import { mkdir, open, readdir, rename, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';

/**
 * `read`: existing file, read only. `readWrite`: existing file, positional reads
 * and writes. `createTruncate`: create or empty a file for writing.
 */
export type WalOpenMode = 'read' | 'readWrite' | 'createTruncate';

export interface WalFile {
  /** Fills `target` from `position`; returns the bytes read (fewer only at end of file). */
  read(target: Buffer, position: number): Promise<number>;
  /** Writes every byte of `buffers` contiguously at `position`, or throws. */
  writev(buffers: readonly Buffer[], position: number): Promise<void>;
  /** fdatasync: the data and the metadata needed to read it back are durable. */
  datasync(): Promise<void>;
  /**
   * Optional: `writev` then `datasync` as ONE operation (O_DSYNC). Without it
   * the WAL makes the two calls. The point is latency: each asynchronous file
   * call is a trip through the libuv pool and back to the event loop, and on
   * a busy machine each trip waits for a core (see DESIGN.md, Group commit).
   */
  writevDurable?(buffers: readonly Buffer[], position: number): Promise<void>;
  truncate(lengthBytes: number): Promise<void>;
  sizeBytes(): Promise<number>;
  close(): Promise<void>;
}

export interface WalFileSystem {
  /** Creates `dir` and its parents when missing. */
  mkdirp(dir: string): Promise<void>;
  open(path: string, mode: WalOpenMode): Promise<WalFile>;
  /** Names (not paths) of the entries of `dir`. */
  readdir(dir: string): Promise<string[]>;
  /** Atomically replaces `to`. */
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /** fsync of the directory itself, making creates, renames and unlinks in it durable. */
  syncDir(dir: string): Promise<void>;
}

/** Linux IOV_MAX: libuv caps one pwritev at this many buffers. */
const iovecsMax = 1024;

class NodeWalFile implements WalFile {
  /** A second descriptor opened O_WRONLY | O_DSYNC on first use, for writevDurable. */
  private durableHandle: Promise<FileHandle> | undefined;
  /** The same descriptor once open, so later writes start without awaiting anything. */
  private durableOpen: FileHandle | undefined;

  constructor(
    private readonly handle: FileHandle,
    private readonly path: string,
  ) {}

  async read(target: Buffer, position: number): Promise<number> {
    let filledBytes = 0;
    while (filledBytes < target.length) {
      const { bytesRead } = await this.handle.read(target, filledBytes, target.length - filledBytes, position + filledBytes);
      if (bytesRead === 0) break;
      filledBytes += bytesRead;
    }
    return filledBytes;
  }

  writev(buffers: readonly Buffer[], position: number): Promise<void> {
    return writevAll(this.handle, buffers, position);
  }

  writevDurable(buffers: readonly Buffer[], position: number): Promise<void> {
    // Each pwritev on an O_DSYNC descriptor returns once its bytes (and the
    // size change) are on stable storage, as write + fdatasync would.
    // Once the descriptor is open the write is submitted synchronously, in
    // the caller's turn (no await before it): the commit queue relies on it
    // to start a follower's write before that Ready's entries are applied.
    if (this.durableOpen !== undefined) return writevAll(this.durableOpen, buffers, position);
    return this.openDurable().then((handle) => writevAll(handle, buffers, position));
  }

  private openDurable(): Promise<FileHandle> {
    this.durableHandle ??= open(this.path, constants.O_WRONLY | constants.O_DSYNC).then((handle) => {
      if (this.durableHandle !== undefined) this.durableOpen = handle;
      return handle;
    });
    return this.durableHandle;
  }

  datasync(): Promise<void> {
    return this.handle.datasync();
  }

  truncate(lengthBytes: number): Promise<void> {
    return this.handle.truncate(lengthBytes);
  }

  async sizeBytes(): Promise<number> {
    return (await this.handle.stat()).size;
  }

  async close(): Promise<void> {
    const durable = this.durableHandle;
    this.durableHandle = undefined;
    this.durableOpen = undefined;
    try {
      if (durable !== undefined) await (await durable).close();
    } finally {
      await this.handle.close();
    }
  }
}

/** Writes every byte of `buffers` at `position`, resuming after short writes. */
async function writevAll(handle: FileHandle, buffers: readonly Buffer[], position: number): Promise<void> {
  let pending = buffers.filter((buffer) => buffer.length > 0);
  let writePosition = position;
  while (pending.length > 0) {
    const slice = pending.slice(0, iovecsMax);
    const { bytesWritten } = await handle.writev(slice, writePosition);
    if (bytesWritten <= 0) throw new Error(`writev wrote no bytes at offset ${writePosition}`);
    writePosition += bytesWritten;
    pending = skipWritten(pending, bytesWritten);
  }
}

/** Drops the first `bytesWritten` bytes from `buffers` (a short write resumes mid-buffer). */
function skipWritten(buffers: readonly Buffer[], bytesWritten: number): Buffer[] {
  let skipBytes = bytesWritten;
  let first = 0;
  while (first < buffers.length && skipBytes >= (buffers[first]?.length ?? 0)) {
    skipBytes -= buffers[first]?.length ?? 0;
    first += 1;
  }
  const rest = buffers.slice(first);
  const head = rest[0];
  if (head !== undefined && skipBytes > 0) rest[0] = head.subarray(skipBytes);
  return rest;
}

const openFlags: Readonly<Record<WalOpenMode, number>> = {
  read: constants.O_RDONLY,
  readWrite: constants.O_RDWR,
  createTruncate: constants.O_RDWR | constants.O_CREAT | constants.O_TRUNC,
};

/** The real disk, through node:fs/promises. */
export const nodeFileSystem: WalFileSystem = {
  async mkdirp(dir) {
    await mkdir(dir, { recursive: true });
  },
  async open(path, mode) {
    return new NodeWalFile(await open(path, openFlags[mode], 0o644), path);
  },
  readdir(dir) {
    return readdir(dir);
  },
  rename(from, to) {
    return rename(from, to);
  },
  unlink(path) {
    return unlink(path);
  },
  async syncDir(dir) {
    const handle = await open(dir, constants.O_RDONLY);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
};
