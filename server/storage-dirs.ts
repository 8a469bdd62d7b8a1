// Startup checks for the data and WAL directories: they exist (created if
// needed), are writable, and are not in use by another ThunderDB process.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
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

function readOwnerPid(lockPath: string): string {
  try {
    return readFileSync(lockPath, 'utf8').trim() || 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * Takes an exclusive lock on `dir` for this process's lifetime. Two servers
 * appending to one WAL would corrupt it. The lock is a Linux abstract-namespace
 * socket named after the directory's device and inode: the kernel releases it
 * when the process dies (even by kill -9), so there is no stale lock to judge
 * and no PID-reuse or takeover race, unlike a PID file. `dir/LOCK` holds the
 * owner's pid for people and error messages only. Abstract sockets are per
 * network namespace: containers sharing one volume need separate directories.
 */
export async function lockDir(dir: string, configKey: string): Promise<() => void> {
  const { dev, ino } = statSync(dir);
  const lockPath = join(dir, 'LOCK');
  const server: Server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(`\0thunderdb-dir-lock-${dev}-${ino}`, () => resolve());
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new StartupError(
        `${configKey} = "${dir}" is in use by another ThunderDB process (pid ${readOwnerPid(lockPath)}, see ${lockPath}); ` +
          `stop it or give this node its own directory`,
      );
    }
    throw new StartupError(`${configKey} = "${dir}": cannot take the directory lock (${(err as Error).message})`);
  }
  server.unref();
  writeFileSync(lockPath, `${process.pid}\n`);
  return () => {
    server.close();
    try {
      if (readFileSync(lockPath, 'utf8').trim() === String(process.pid)) unlinkSync(lockPath);
    } catch {
      // Already gone: nothing to release.
    }
  };
}
