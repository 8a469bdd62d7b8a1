// The Raft configuration last applied on this node, in
// data_dir/cluster-membership.json: {version, index, voters, learners}.
//
// Why a file beside the WAL: a ConfigChange entry carries the whole
// configuration, but once the WAL below the views' checkpoint is compacted
// (or replaced by a snapshot) the last one may be gone, and the Raft core
// must be opened with the configuration in force before its recovered tail.
// The server writes this record whenever a ConfigChange entry is applied
// (and when a snapshot is installed: call saveMembership with its
// membership), so at start it is at least as new as every compacted entry;
// ConfigChange entries still in the WAL tail override it inside the core.
// Written atomically: tmp file, fsync, rename, fsync of the directory.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { StartupError } from './startup-error.js';

export const membershipFileName = 'cluster-membership.json';

export interface MembershipRecord {
  /** Log index of the ConfigChange entry (or snapshot) it comes from; 0 for the bootstrap configuration. */
  readonly index: number;
  readonly voters: readonly number[];
  readonly learners: readonly number[];
}

interface MembershipFile extends MembershipRecord {
  readonly version: 1;
}

function isIdList(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((id) => Number.isSafeInteger(id) && (id as number) > 0);
}

/** Writes the record atomically (tmp + fsync + rename + directory fsync). Throws on I/O errors. */
export function saveMembership(dataDir: string, record: MembershipRecord): void {
  const path = join(dataDir, membershipFileName);
  const body: MembershipFile = { version: 1, index: record.index, voters: [...record.voters], learners: [...record.learners] };
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, JSON.stringify(body) + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  // The rename itself must survive a power loss.
  const dirFd = openSync(dataDir, 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}

/** The saved record, or undefined if none. Throws StartupError for an unreadable or malformed file. */
export function loadMembership(dataDir: string): MembershipRecord | undefined {
  const path = join(dataDir, membershipFileName);
  if (!existsSync(path)) return undefined;
  let parsed: Partial<MembershipFile>;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<MembershipFile>;
  } catch (err) {
    throw new StartupError(`${path}: cannot read the saved Raft membership (${(err as Error).message}); restore it from a backup or remove the node and join it again`);
  }
  const { version, index, voters, learners } = parsed;
  if (version !== 1 || !Number.isSafeInteger(index) || (index ?? -1) < 0 || !isIdList(voters) || voters.length === 0 || !isIdList(learners)) {
    throw new StartupError(
      `${path}: not a membership record of this version (expected {"version":1,"index":N,"voters":[...],"learners":[...]}); ` +
        'restore it from a backup or remove the node and join it again',
    );
  }
  return { index: index ?? 0, voters, learners };
}
