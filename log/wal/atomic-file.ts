// Atomic replacement of a small file: write a temporary, fdatasync it, rename
// it over the target, fsync the directory. A crash leaves the old or the new
// content, never a mix; a leftover temporary is removed at the next open.
import { join } from 'node:path';
import type { WalFileSystem } from './fs.js';

export const tmpSuffix = '.tmp';

export async function writeFileAtomic(fs: WalFileSystem, dir: string, name: string, bytes: Buffer): Promise<void> {
  const tmpPath = join(dir, name + tmpSuffix);
  const file = await fs.open(tmpPath, 'createTruncate');
  try {
    await file.writev([bytes], 0);
    await file.datasync();
  } finally {
    await file.close();
  }
  await fs.rename(tmpPath, join(dir, name));
  await fs.syncDir(dir);
}

/** Reads a whole small file; `sizeBytesMax` bounds the allocation. */
export async function readSmallFile(fs: WalFileSystem, path: string, sizeBytesMax: number): Promise<Buffer> {
  const file = await fs.open(path, 'read');
  try {
    const sizeBytes = Math.min(await file.sizeBytes(), sizeBytesMax);
    const bytes = Buffer.alloc(sizeBytes);
    const readBytes = await file.read(bytes, 0);
    return bytes.subarray(0, readBytes);
  } finally {
    await file.close();
  }
}
