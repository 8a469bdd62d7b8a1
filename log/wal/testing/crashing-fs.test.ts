// The simulated disk must lose exactly what a real one may lose, or the
// power-loss tests built on it prove nothing.
import { describe, expect, it } from 'vitest';
import { createPrng } from '../../raft/testing/prng.js';
import { CrashingFileSystem, SimulatedCrashError } from './crashing-fs.js';

const clean = { random: Math.random, torn: false };
const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');

async function withFile(fs: CrashingFileSystem, name: string, content: string, sync: { data: boolean; dir: boolean }): Promise<void> {
  const file = await fs.open(`/d/${name}`, 'createTruncate');
  await file.writev([bytes(content)], 0);
  if (sync.data) await file.datasync();
  await file.close();
  if (sync.dir) await fs.syncDir('/d');
}

async function newDisk(): Promise<CrashingFileSystem> {
  const fs = new CrashingFileSystem();
  await fs.mkdirp('/d');
  return fs;
}

describe('CrashingFileSystem', () => {
  it('keeps data only once fdatasynced, and a new name only once the directory is fsynced', async () => {
    const fs = await newDisk();
    await withFile(fs, 'synced', 'abc', { data: true, dir: true });
    await withFile(fs, 'unsynced-data', 'abc', { data: false, dir: true });
    await withFile(fs, 'unsynced-name', 'abc', { data: true, dir: false });
    const file = await fs.open('/d/synced', 'readWrite');
    await file.writev([bytes('def')], 3);
    const rebooted = fs.restart(clean);
    expect((await rebooted.readdir('/d')).sort()).toEqual(['synced', 'unsynced-data']);
    expect(rebooted.contentOf('/d/synced')?.toString('latin1')).toBe('abc');
    expect(rebooted.contentOf('/d/unsynced-data')?.length).toBe(0);
  });

  it('undoes renames and unlinks the directory fsync did not cover; truncations need a datasync', async () => {
    const fs = await newDisk();
    await withFile(fs, 'a', 'old', { data: true, dir: true });
    await withFile(fs, 'b', 'gone?', { data: true, dir: true });
    await withFile(fs, 'a.tmp', 'new', { data: true, dir: false });
    await fs.rename('/d/a.tmp', '/d/a');
    await fs.unlink('/d/b');
    const c = await fs.open('/d/a', 'readWrite');
    await c.truncate(1);
    const rebooted = fs.restart(clean);
    expect((await rebooted.readdir('/d')).sort()).toEqual(['a', 'b']);
    expect(rebooted.contentOf('/d/a')?.toString('latin1')).toBe('old');
  });

  it('keeps an unlinked file readable through a handle opened before', async () => {
    const fs = await newDisk();
    await withFile(fs, 'a', 'data', { data: true, dir: true });
    const reader = await fs.open('/d/a', 'read');
    await fs.unlink('/d/a');
    const target = Buffer.alloc(4);
    expect(await reader.read(target, 0)).toBe(4);
    expect(target.toString('latin1')).toBe('data');
    await expect(fs.open('/d/a', 'read')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('torn: keeps the durable bytes plus a prefix of the pending writes, in order', async () => {
    for (let seed = 0; seed < 200; seed += 1) {
      const fs = await newDisk();
      await withFile(fs, 'log', 'AAAA', { data: true, dir: true });
      const file = await fs.open('/d/log', 'readWrite');
      await file.writev([bytes('BBBB')], 4);
      await file.writev([bytes('CCCC')], 8);
      const kept = fs.restart({ random: createPrng(seed).next, torn: true }).contentOf('/d/log')?.toString('latin1') ?? '';
      expect('AAAABBBBCCCC'.startsWith(kept) && kept.length >= 4, `seed ${seed} kept ${kept}`).toBe(true);
    }
  });

  it('crashes at the operation budget: that call and every later one, on old handles too, reject', async () => {
    const fs = new CrashingFileSystem({ crashAtOperation: 3 });
    await fs.mkdirp('/d');
    const file = await fs.open('/d/a', 'createTruncate'); // operation 1
    await file.writev([bytes('x')], 0); // operation 2
    await expect(file.datasync()).rejects.toBeInstanceOf(SimulatedCrashError);
    expect(fs.isCrashed).toBe(true);
    await expect(file.read(Buffer.alloc(1), 0)).rejects.toBeInstanceOf(SimulatedCrashError);
    await expect(fs.readdir('/d')).rejects.toBeInstanceOf(SimulatedCrashError);
    expect(await fs.restart(clean).readdir('/d')).toEqual([]);
  });
});
