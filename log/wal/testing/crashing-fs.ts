// A simulated disk for power-loss tests (the `WalFileSystem` seam, DESIGN.md).
//
// Everything lives in memory. Each file (an inode) keeps what is durable and
// the writes and truncations made since its last datasync; each directory
// keeps its durable entries and the creations, renames and unlinks made since
// its last syncDir. `crash()` (or the operation budget `crashAtOperation`)
// stops the machine: every later call, on the file system or on a file opened
// before, rejects with `SimulatedCrashError`. `restart()` then builds the disk
// a rebooted machine would see: only what datasync and syncDir made durable,
// or, when torn, that plus a random prefix of each file's and directory's
// pending operations, the last write possibly cut short at any byte. Pending
// operations survive in order, never a later one without an earlier one: the
// WAL refuses (as corruption) a torn batch that persisted out of order, see
// DESIGN.md's trade-off, so an out-of-order model would only test that refusal.
//
// Simplifications, all on the safe side for what is being tested: `mkdirp` is
// durable at once; an unlinked file stays readable through handles opened
// before (POSIX), and its data is forgotten at the crash.
import { basename, dirname } from 'node:path';
import type { WalFile, WalFileSystem, WalOpenMode } from '../fs.js';

/** Every call on a crashed disk, and on files opened before the crash, rejects with this. */
export class SimulatedCrashError extends Error {
  constructor() {
    super('simulated power loss: this disk is gone');
    this.name = 'SimulatedCrashError';
  }
}

type FileOp = { readonly kind: 'write'; readonly position: number; readonly bytes: Buffer } | { readonly kind: 'truncate'; readonly lengthBytes: number };

type DirOp =
  | { readonly kind: 'link'; readonly name: string; readonly inode: Inode }
  | { readonly kind: 'rename'; readonly from: string; readonly to: string }
  | { readonly kind: 'unlink'; readonly name: string };

class Inode {
  pending: FileOp[] = [];
  constructor(
    public durable: Buffer,
    public current: Buffer,
  ) {}

  static empty(): Inode {
    return new Inode(Buffer.alloc(0), Buffer.alloc(0));
  }

  apply(op: FileOp): void {
    this.current = applyFileOp(this.current, op);
    this.pending.push(op);
  }

  sync(): void {
    this.durable = Buffer.from(this.current);
    this.pending = [];
  }
}

class Directory {
  pending: DirOp[] = [];
  constructor(
    public durable: Map<string, Inode>,
    public current: Map<string, Inode>,
  ) {}

  apply(op: DirOp): void {
    applyDirOp(this.current, op);
    this.pending.push(op);
  }

  sync(): void {
    this.durable = new Map(this.current);
    this.pending = [];
  }
}

function applyFileOp(bytes: Buffer, op: FileOp): Buffer {
  if (op.kind === 'truncate') {
    if (op.lengthBytes <= bytes.length) return Buffer.from(bytes.subarray(0, op.lengthBytes));
    return Buffer.concat([bytes, Buffer.alloc(op.lengthBytes - bytes.length)]);
  }
  const endBytes = Math.max(bytes.length, op.position + op.bytes.length);
  const next = Buffer.alloc(endBytes);
  bytes.copy(next);
  op.bytes.copy(next, op.position);
  return next;
}

function applyDirOp(entries: Map<string, Inode>, op: DirOp): void {
  switch (op.kind) {
    case 'link':
      entries.set(op.name, op.inode);
      return;
    case 'rename': {
      const inode = entries.get(op.from);
      if (inode === undefined) return; // its creation did not survive: nothing to rename
      entries.delete(op.from);
      entries.set(op.to, inode);
      return;
    }
    case 'unlink':
      entries.delete(op.name);
      return;
    default: {
      const unreachable: never = op;
      throw new Error(String(unreachable));
    }
  }
}

function noEntry(path: string): Error {
  return Object.assign(new Error(`ENOENT: no such file or directory, '${path}'`), { code: 'ENOENT' });
}

export interface CrashingFileSystemOptions {
  /**
   * The machine crashes when this many disk operations have been attempted
   * (the operation that hits the budget does not happen). Counted: open,
   * writev, datasync, truncate, rename, unlink, syncDir. Undefined: only crash().
   */
  readonly crashAtOperation?: number;
  /**
   * Event-loop turns (setImmediate) each call waits before it takes effect, so
   * reads, writes and the WAL's own turns interleave in varied orders. Draw it
   * from a seeded PRNG to keep runs replayable. Default: none (a microtask).
   */
  readonly turnsPerOperation?: () => number;
}

export interface RestartOptions {
  /** Uniform in [0, 1): which pending operations survive when torn. */
  readonly random: () => number;
  /** Keep a random prefix of pending operations (and a byte prefix of the next write) instead of none. */
  readonly torn: boolean;
}

export class CrashingFileSystem implements WalFileSystem {
  private readonly dirs: Map<string, Directory>;
  private operationCount = 0;
  private crashed = false;

  constructor(
    private readonly options: CrashingFileSystemOptions = {},
    dirs: Map<string, Directory> = new Map(),
  ) {
    this.dirs = dirs;
  }

  get isCrashed(): boolean {
    return this.crashed;
  }

  /** Operations attempted so far (see `crashAtOperation`). */
  get operations(): number {
    return this.operationCount;
  }

  /** Power loss now. Idempotent. */
  crash(): void {
    this.crashed = true;
  }

  /**
   * The disk after a reboot: durable state, plus (torn) a random prefix of
   * what was pending. Crashes this instance first if it is still running.
   */
  restart(restart: RestartOptions, options: CrashingFileSystemOptions = {}): CrashingFileSystem {
    this.crash();
    const survivors = new Map<Inode, Inode>();
    const survivor = (inode: Inode): Inode => {
      let copy = survivors.get(inode);
      if (copy === undefined) {
        const bytes = restart.torn ? tornBytes(inode, restart.random) : Buffer.from(inode.durable);
        copy = new Inode(bytes, Buffer.from(bytes));
        survivors.set(inode, copy);
      }
      return copy;
    };
    const dirs = new Map<string, Directory>();
    for (const [path, dir] of this.dirs) {
      const entries = new Map(dir.durable);
      const kept = restart.torn ? Math.floor(restart.random() * (dir.pending.length + 1)) : 0;
      for (const op of dir.pending.slice(0, kept)) applyDirOp(entries, op);
      const rebooted = new Map([...entries].map(([name, inode]) => [name, survivor(inode)]));
      dirs.set(path, new Directory(rebooted, new Map(rebooted)));
    }
    return new CrashingFileSystem(options, dirs);
  }

  /** Current (not necessarily durable) content of a file, for assertions. */
  contentOf(path: string): Buffer | undefined {
    const inode = this.dirs.get(dirname(path))?.current.get(basename(path));
    return inode === undefined ? undefined : Buffer.from(inode.current);
  }

  async mkdirp(dir: string): Promise<void> {
    await this.step(false);
    if (!this.dirs.has(dir)) this.dirs.set(dir, new Directory(new Map(), new Map()));
  }

  async open(path: string, mode: WalOpenMode): Promise<WalFile> {
    await this.step(true);
    const dir = this.directory(path);
    const name = basename(path);
    let inode = dir.current.get(name);
    if (mode === 'createTruncate') {
      if (inode === undefined) {
        inode = Inode.empty();
        dir.apply({ kind: 'link', name, inode });
      } else {
        inode.apply({ kind: 'truncate', lengthBytes: 0 });
      }
    }
    if (inode === undefined) throw noEntry(path);
    return new CrashingFile(this, inode, mode !== 'read');
  }

  async readdir(dir: string): Promise<string[]> {
    await this.step(false);
    const directory = this.dirs.get(dir);
    if (directory === undefined) throw noEntry(dir);
    return [...directory.current.keys()];
  }

  async rename(from: string, to: string): Promise<void> {
    await this.step(true);
    const dir = this.directory(from);
    if (dirname(to) !== dirname(from)) throw new Error(`rename across directories is not simulated: ${from} -> ${to}`);
    if (!dir.current.has(basename(from))) throw noEntry(from);
    dir.apply({ kind: 'rename', from: basename(from), to: basename(to) });
  }

  async unlink(path: string): Promise<void> {
    await this.step(true);
    const dir = this.directory(path);
    if (!dir.current.has(basename(path))) throw noEntry(path);
    dir.apply({ kind: 'unlink', name: basename(path) });
  }

  async syncDir(dir: string): Promise<void> {
    await this.step(true);
    const directory = this.dirs.get(dir);
    if (directory === undefined) throw noEntry(dir);
    directory.sync();
  }

  /**
   * Every call goes through here: a microtask and `turnsPerOperation` turns of
   * the event loop (so callers interleave as with a real disk), then the crash check.
   */
  async step(counted: boolean): Promise<void> {
    await Promise.resolve();
    const turns = this.options.turnsPerOperation?.() ?? 0;
    for (let turn = 0; turn < turns; turn += 1) await new Promise((resolve) => setImmediate(resolve));
    if (!this.crashed && counted) {
      this.operationCount += 1;
      if (this.options.crashAtOperation !== undefined && this.operationCount >= this.options.crashAtOperation) this.crashed = true;
    }
    if (this.crashed) throw new SimulatedCrashError();
  }

  private directory(path: string): Directory {
    const dir = this.dirs.get(dirname(path));
    if (dir === undefined) throw noEntry(dirname(path));
    return dir;
  }
}

/** The durable bytes plus a random prefix of the pending operations, the last write possibly cut short. */
function tornBytes(inode: Inode, random: () => number): Buffer {
  let bytes: Buffer = Buffer.from(inode.durable);
  const kept = Math.floor(random() * (inode.pending.length + 1));
  for (const op of inode.pending.slice(0, kept)) bytes = applyFileOp(bytes, op);
  const next = inode.pending[kept];
  if (next?.kind === 'write') {
    const keptBytes = Math.floor(random() * next.bytes.length);
    bytes = applyFileOp(bytes, { kind: 'write', position: next.position, bytes: next.bytes.subarray(0, keptBytes) });
  }
  return bytes;
}

class CrashingFile implements WalFile {
  private closed = false;

  constructor(
    private readonly fs: CrashingFileSystem,
    private readonly inode: Inode,
    private readonly writable: boolean,
  ) {}

  async read(target: Buffer, position: number): Promise<number> {
    await this.check(false, false);
    const available = Math.max(0, Math.min(target.length, this.inode.current.length - position));
    this.inode.current.copy(target, 0, position, position + available);
    return available;
  }

  async writev(buffers: readonly Buffer[], position: number): Promise<void> {
    await this.check(true, true);
    this.inode.apply({ kind: 'write', position, bytes: Buffer.concat(buffers) });
  }

  async datasync(): Promise<void> {
    await this.check(true, false);
    this.inode.sync();
  }

  async truncate(lengthBytes: number): Promise<void> {
    await this.check(true, true);
    this.inode.apply({ kind: 'truncate', lengthBytes });
  }

  async sizeBytes(): Promise<number> {
    await this.check(false, false);
    return this.inode.current.length;
  }

  async close(): Promise<void> {
    await this.fs.step(false);
    this.closed = true;
  }

  private async check(counted: boolean, writes: boolean): Promise<void> {
    await this.fs.step(counted);
    if (this.closed) throw new Error('EBADF: file already closed');
    if (writes && !this.writable) throw new Error('EBADF: file opened read-only');
  }
}
