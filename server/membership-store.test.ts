// The membership record: atomic save, load, and clear errors for a damaged file.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadMembership, membershipFileName, saveMembership } from './membership-store.js';
import { StartupError } from './startup-error.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'thunderdb-membership-'));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('membership store', () => {
  it('has no record in a new data directory', () => {
    expect(loadMembership(tempDir())).toBeUndefined();
  });

  it('saves and loads the latest record, leaving no temporary file', () => {
    const dir = tempDir();
    saveMembership(dir, { index: 0, voters: [1, 2, 3], learners: [] });
    saveMembership(dir, { index: 42, voters: [1, 2, 3], learners: [4] });
    expect(loadMembership(dir)).toEqual({ index: 42, voters: [1, 2, 3], learners: [4] });
    expect(readdirSync(dir)).toEqual([membershipFileName]);
  });

  it('refuses a damaged or foreign file with what to do next', () => {
    const dir = tempDir();
    writeFileSync(join(dir, membershipFileName), '{"version":1,"index":3,');
    expect(() => loadMembership(dir)).toThrow(StartupError);
    expect(() => loadMembership(dir)).toThrow(/cannot read the saved Raft membership .*restore it from a backup or remove the node and join it again/);
    for (const body of ['{"version":2,"index":1,"voters":[1],"learners":[]}', '{"version":1,"index":1,"voters":[],"learners":[]}', '{"version":1,"index":1,"voters":[0],"learners":[]}']) {
      writeFileSync(join(dir, membershipFileName), body);
      expect(() => loadMembership(dir)).toThrow(/not a membership record of this version/);
    }
  });
});
