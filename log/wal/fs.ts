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
  constructor(private readonly handle: FileHandle) {}

  async read(target: Buffer, position: number): Promise<number> {
    let filledBytes = 0;
    while (filledBytes < target.length) {
      const { bytesRead } = await this.handle.read(target, filledBytes, target.length - filledBytes, position + filledBytes);
      if (bytesRead === 0) break;
      filledBytes += bytesRead;
    }
    return filledBytes;
  }

  async writev(buffers: readonly Buffer[], position: number): Promise<void> {
    let pending = buffers.filter((buffer) => buffer.length > 0);
    let writePosition = position;
    while (pending.length > 0) {
      const slice = pending.slice(0, iovecsMax);
      const { bytesWritten } = await this.handle.writev(slice, writePosition);
      if (bytesWritten <= 0) throw new Error(`writev wrote no bytes at offset ${writePosition}`);
      writePosition += bytesWritten;
      pending = skipWritten(pending, bytesWritten);
    }
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

  close(): Promise<void> {
    return this.handle.close();
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
    return new NodeWalFile(await open(path, openFlags[mode], 0o644));
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
