// Startup checks for the data and WAL directories: they exist (created if
// needed), are writable, and are not in use by another ThunderDB process.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { StartupError } from './startup-error.js';

/** Creates `dir` if missing and proves it writable by writing and fsyncing a probe file. */
export function ensureWritableDir(dir: string, configKey: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    const probe = join(dir, `.write-probe-${process.pid}`);
    const fd = openSync(probe, 'w');
    try {
      writeSync(fd, 'probe');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    unlinkSync(probe);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new StartupError(
      `${configKey} = "${dir}": the directory cannot be created or written (${code}: ${(err as Error).message}); ` +
        `choose a writable path or fix its permissions`,
    );
  }
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes `dir/LOCK` for this process. Two servers appending to one WAL would
 * corrupt it, so a live owner is refused; a stale lock (its pid gone, e.g.
 * after kill -9) is taken over. Returns the function that releases it.
 */
export function lockDir(dir: string, configKey: string): () => void {
  const lockPath = join(dir, 'LOCK');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockPath, `${process.pid}\n`, { flag: 'wx' });
      return () => {
        try {
          if (readFileSync(lockPath, 'utf8').trim() === String(process.pid)) unlinkSync(lockPath);
        } catch {
          // Already gone: nothing to release.
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const ownerPid = Number.parseInt(readFileSync(lockPath, 'utf8').trim(), 10);
      if (Number.isInteger(ownerPid) && ownerPid !== process.pid && processIsAlive(ownerPid)) {
        throw new StartupError(
          `${configKey} = "${dir}" is in use by another ThunderDB process (pid ${ownerPid}, see ${lockPath}); ` +
            `stop it or give this node its own directory`,
        );
      }
      unlinkSync(lockPath);
    }
  }
  throw new StartupError(`${configKey} = "${dir}": could not take ${lockPath}; remove it if no ThunderDB runs there`);
}
