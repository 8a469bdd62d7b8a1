// Raft's hard state in its own tiny file, replaced atomically on every save.
//
//   0  6  magic "TDBHST"
//   6  1  format version
//   7  1  reserved, zero
//   8  8  term
//   16 8  vote
//   24 8  commit
//   32 4  crc32c of bytes 0..31
import { join } from 'node:path';
import { crc32c } from '@node-rs/crc32';
import { emptyHardState } from '../types.js';
import type { HardState } from '../types.js';
import { readSmallFile, writeFileAtomic } from './atomic-file.js';
import { WalCorruptionError } from './errors.js';
import type { WalFileSystem } from './fs.js';
import { indexMax, walFormatVersion } from './limits.js';

export const hardStateFileName = 'hardstate';
const hardStateBytes = 36;
const magic = Buffer.from('TDBHST', 'latin1');
const fields = ['term', 'vote', 'commit'] as const;
const twoPow32 = 2 ** 32;

export function checkHardState(state: HardState): void {
  for (const field of fields) {
    const value = state[field];
    if (!Number.isSafeInteger(value) || value < 0 || value > indexMax) {
      throw new RangeError(`hard state ${field} = ${String(value)}: expected an integer in [0, 2^53)`);
    }
  }
}

export function encodeHardState(state: HardState): Buffer {
  const buf = Buffer.alloc(hardStateBytes);
  magic.copy(buf, 0);
  buf[6] = walFormatVersion;
  fields.forEach((field, position) => {
    buf.writeUInt32LE(state[field] >>> 0, 8 + position * 8);
    buf.writeUInt32LE(Math.floor(state[field] / twoPow32), 12 + position * 8);
  });
  buf.writeUInt32LE(crc32c(buf.subarray(0, 32)), 32);
  return buf;
}

/** The hard state, or why the bytes are not one. */
export function decodeHardState(buf: Buffer): HardState | string {
  if (buf.length !== hardStateBytes) return `hard state file is ${buf.length} bytes, expected ${hardStateBytes}`;
  if (!buf.subarray(0, 6).equals(magic)) return 'hard state file has a bad magic';
  if (crc32c(buf.subarray(0, 32)) !== buf.readUInt32LE(32)) return 'hard state checksum mismatch';
  if (buf[6] !== walFormatVersion) return `unsupported hard state format version ${buf[6] ?? 0}`;
  const values = fields.map((_, position) => {
    const high = buf.readUInt32LE(12 + position * 8);
    return high >= 2 ** 21 ? -1 : high * twoPow32 + buf.readUInt32LE(8 + position * 8);
  });
  const [term = -1, vote = -1, commit = -1] = values;
  if (term < 0 || vote < 0 || commit < 0) return 'hard state value out of range';
  return { term, vote, commit };
}

function hardStateAdvice(path: string): string {
  return (
    'Restore this data directory from a backup, or wipe this node and let it re-replicate from the ' +
    `leader. Moving ${path} aside starts the node with no term and no vote, which can let it vote ` +
    'twice in one term: do that only if the node is removed from the cluster first.'
  );
}

/** Missing file: the empty hard state. Damaged file: WalCorruptionError naming it. */
export async function loadHardState(fs: WalFileSystem, dir: string, names: readonly string[]): Promise<HardState> {
  if (!names.includes(hardStateFileName)) return emptyHardState;
  const path = join(dir, hardStateFileName);
  const decoded = decodeHardState(await readSmallFile(fs, path, hardStateBytes + 1));
  if (typeof decoded === 'string') throw new WalCorruptionError(path, 0, decoded, hardStateAdvice(path));
  return decoded;
}

/**
 * Serialises saves and coalesces them: while one write is in flight, later
 * calls wait and only the newest state is written next; every caller resolves
 * once a state at least as new as its own is durable.
 */
export class HardStateStore {
  private saved: HardState;
  private next: HardState | undefined;
  private waiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  private writing = false;
  private loop: Promise<void> = Promise.resolve();

  constructor(
    private readonly fs: WalFileSystem,
    private readonly dir: string,
    initial: HardState,
  ) {
    this.saved = initial;
  }

  get current(): HardState {
    return this.saved;
  }

  save(state: HardState): Promise<void> {
    checkHardState(state);
    this.next = { term: state.term, vote: state.vote, commit: state.commit };
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.writing) this.loop = this.writeLoop();
    return done;
  }

  /** Resolves once no save is in flight. */
  idle(): Promise<void> {
    return this.loop;
  }

  /** Never rejects: failures go to the waiters. */
  private async writeLoop(): Promise<void> {
    this.writing = true;
    while (this.next !== undefined) {
      const state = this.next;
      const waiters = this.waiters;
      this.next = undefined;
      this.waiters = [];
      try {
        await writeFileAtomic(this.fs, this.dir, hardStateFileName, encodeHardState(state));
        this.saved = state;
        for (const waiter of waiters) waiter.resolve();
      } catch (error) {
        for (const waiter of waiters) waiter.reject(error);
      }
    }
    this.writing = false;
  }
}
