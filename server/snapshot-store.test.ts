import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Membership, SnapshotMeta } from '../log/index.js';
import { fullRange } from '../materializers/keys/index.js';
import { openRowStore, type RowStore } from '../materializers/index.js';
import { accounts, accountsId, collect, EntryLog } from '../materializers/testing/fixtures.js';
import { finishInterruptedInstall, NodeSnapshots } from './snapshot-store.js';

const logger = pino({ level: 'silent' });
const dirs: string[] = [];
const stores: RowStore[] = [];

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function node(rowCount: number): Promise<{ dataDir: string; rowStore: RowStore; resets: [number, number][]; memberships: Membership[]; rebuilds: number[] }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'thunder-snapshots-'));
  dirs.push(dataDir);
  const rowStore = await openRowStore({ directory: join(dataDir, 'rowstore'), bufferPoolBytes: 1 << 20 });
  stores.push(rowStore);
  const log = new EntryLog();
  log.ddl({ kind: 'createTable', table: accounts });
  for (let k = 0; k < rowCount; k++) log.txn([log.insert(accountsId, [k, 'o', BigInt(k), null])]);
  if (rowCount > 0) for (const e of log.entries) rowStore.apply(e);
  await rowStore.checkpoint();
  return { dataDir, rowStore, resets: [], memberships: [], rebuilds: [] };
}

function snapshotsOf(n: Awaited<ReturnType<typeof node>>): NodeSnapshots {
  return new NodeSnapshots({
    dataDir: n.dataDir, rowStore: n.rowStore, logger,
    wal: { term: () => 4, reset: (index, term) => { n.resets.push([index, term]); return Promise.resolve(); } },
    membership: () => ({ voters: [1, 2, 3], learners: [] }),
    rebuildDerivedViews: () => { n.rebuilds.push(n.rowStore.appliedIndex()); return Promise.resolve(); },
    onMembershipInstalled: (m) => { n.memberships.push(m); },
  });
}

async function bytesOf(source: NodeSnapshots, meta: SnapshotMeta): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of source.read(meta)) chunks.push(Buffer.from(chunk));
  return chunks;
}

async function* iterate(chunks: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  yield* chunks;
}

describe('node snapshots over the row store', () => {
  it('a leader streams its checkpoint; a follower stores, verifies and installs it (rows, WAL reset, membership, views rebuilt)', async () => {
    const leader = await node(40);
    const follower = await node(0);
    const meta = snapshotsOf(leader).latest();
    expect(meta).toEqual({ index: 41, term: 4, membership: { voters: [1, 2, 3], learners: [] } });
    if (meta === undefined) return;
    const sink = snapshotsOf(follower);
    await sink.write(meta, iterate(await bytesOf(snapshotsOf(leader), meta)));
    await sink.install(meta);
    expect((await collect(follower.rowStore.scan(accountsId, fullRange, 41))).length).toBe(40);
    expect([follower.resets, follower.memberships, follower.rebuilds]).toEqual([[[41, 4]], [{ voters: [1, 2, 3], learners: [] }], [41]]);
    expect(await readdir(follower.dataDir)).not.toContain('snapshot-install.json');
    expect(await readdir(join(follower.dataDir, 'snapshots'))).toEqual([]);
  });

  it('refuses a corrupt or mislabelled stream and keeps nothing of it', async () => {
    const leader = await node(10);
    const follower = await node(0);
    const source = snapshotsOf(leader);
    const meta = source.latest();
    if (meta === undefined) throw new Error('no snapshot');
    const chunks = await bytesOf(source, meta);
    const bad = chunks.map((c) => Buffer.from(c));
    const last = bad[bad.length - 1];
    if (last !== undefined) last[Math.floor(last.length / 2)] = (last[Math.floor(last.length / 2)] ?? 0) ^ 0xff;
    const sink = snapshotsOf(follower);
    await expect(sink.write(meta, iterate(bad))).rejects.toThrow(/checksum|snapshot/);
    await expect(sink.write({ ...meta, index: 99 }, iterate(chunks))).rejects.toThrow(/holds 11\/4, the leader announced 99\/4/);
    await expect(sink.install(meta)).rejects.toThrow(/last one received is none/);
    expect(await readdir(join(follower.dataDir, 'snapshots'))).toEqual([]);
    expect(follower.rowStore.appliedIndex()).toBe(0);
  });

  it('a stale pin is refused: the leader retries with a newer snapshot', async () => {
    const leader = await node(5);
    const source = snapshotsOf(leader);
    const meta = source.latest();
    if (meta === undefined) throw new Error('no snapshot');
    await expect(bytesOf(source, { ...meta, index: meta.index - 1 })).rejects.toThrow(/no longer available/);
    source.close();
  });

  it('a start after a crash in the middle of an install finishes it', async () => {
    const leader = await node(20);
    const follower = await node(3);
    const meta = snapshotsOf(leader).latest();
    if (meta === undefined) throw new Error('no snapshot');
    await snapshotsOf(follower).write(meta, iterate(await bytesOf(snapshotsOf(leader), meta)));
    // As if the process died right after recording the install.
    const marker = { version: 1, index: meta.index, term: meta.term, voters: [1, 2, 3], learners: [], file: `snapshot-${meta.index}-${meta.term}.tdbsnap` };
    await writeFile(join(follower.dataDir, 'snapshot-install.json'), JSON.stringify(marker));
    const wal = { term: () => 4, reset: (index: number, term: number) => { follower.resets.push([index, term]); return Promise.resolve(); } };
    expect(await finishInterruptedInstall({ dataDir: follower.dataDir, rowStore: follower.rowStore, wal, logger }, join(follower.dataDir, 'columnstore'))).toBe(true);
    expect([follower.rowStore.checkpointIndex(), (await collect(follower.rowStore.scan(accountsId, fullRange, meta.index))).length]).toEqual([21, 20]);
    expect(follower.resets).toEqual([[21, 4]]);
    expect(await finishInterruptedInstall({ dataDir: follower.dataDir, rowStore: follower.rowStore, wal, logger }, join(follower.dataDir, 'columnstore'))).toBe(false);
  });
});
