import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Subject } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { EntryKind, type LogEntry } from '../log/index.js';
import { openColumnStoreService, skipApplied } from './columnstore-service.js';

const logger = pino({ level: 'silent' });
const dirs: string[] = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'thunder-cs-service-'));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

const empty = (index: number): LogEntry => ({ index, term: 1, kind: EntryKind.Empty, data: new Uint8Array(0) });

describe('column store service', () => {
  it('applies committed entries after its checkpoint, skips ones it holds, and reopens at its checkpoint', async () => {
    const dataDir = await tempDir();
    const service = await openColumnStoreService({ dataDir, compression: 'lz4', logger, compactionIntervalMs: 0 }, 1);
    expect(service).toBeDefined();
    if (service === undefined) return;
    const committed = new Subject<LogEntry>();
    service.attach(committed, (error) => { throw error; });
    for (let i = 1; i <= 3; i++) committed.next(empty(i));
    await service.store.waitApplied(3, 1000);
    await service.view.checkpoint();
    await service.close();
    const again = await openColumnStoreService({ dataDir, compression: 'lz4', logger, compactionIntervalMs: 0 }, 1);
    expect(again?.checkpointIndex()).toBe(3);
    const replay = new Subject<LogEntry>();
    again?.attach(replay, (error) => { throw error; });
    for (let i = 2; i <= 5; i++) replay.next(empty(i));
    await again?.store.waitApplied(5, 1000);
    expect(again?.store.appliedIndex()).toBe(5);
    await again?.close();
  });

  it('is not used when the WAL no longer holds the entries after its checkpoint', async () => {
    const dataDir = await tempDir();
    expect(await openColumnStoreService({ dataDir, compression: 'none', logger }, 10)).toBeUndefined();
  });

  it('skipApplied drops entries at or below the applied index', () => {
    const seen: number[] = [];
    const source = new Subject<LogEntry>();
    skipApplied(source, () => 2).subscribe((e) => seen.push(e.index));
    for (let i = 1; i <= 4; i++) source.next(empty(i));
    expect(seen).toEqual([3, 4]);
  });
});
