// Checkpoints: the state as of one index, written so a restart replays only
// the log after it.
//
// Rule: the checkpoint index is the core's checkpointable index (its applied
// index, or just before a multi-part transaction still pending). Everything is
// captured synchronously at that index — new sealed segments and the open
// segment's rows are encoded, each changed delete list copied — then written:
// segment and delete files (temp + fdatasync + rename), a directory fsync, and
// the manifest (temp + fdatasync + rename + directory fsync), which names
// every live file and holds the index and the catalog. The manifest rename is
// the commit point; files it does not name are deleted afterwards (and at open).
// The open segment is written as it stands (a file named by its row count) and
// loads back as a small sealed segment that compaction later merges.

import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { invariant } from '../assert.js';
import type { Catalog} from '../catalog/index.js';
import { decodeCatalog, encodeCatalog } from '../catalog/index.js';
import { ByteReader, ByteWriter } from '../entries/index.js';
import { ColumnCore } from './core.js';
import { ColumnStoreCorruptionError } from './errors.js';
import { frameFile, syncDirectory, unframeFile, writeFileDurably, type ColumnStoreCompression } from './file-format.js';
import { decodeDeletes, decodeSegment, encodeDeletes, encodeSegment } from './segment-codec.js';
import { Segment } from './segment.js';
import { TableColumns, type TableConfig } from './table.js';

export const manifestName = 'MANIFEST';
const manifestMagic = 'TDCM';
const segmentMagic = 'TDCS';
const deletesMagic = 'TDCD';
const manifestVersion = 1;

interface PlannedSegment {
  readonly segment: Segment;
  readonly file: string;
  readonly rowCount: number;
  /** Encoded rows when the file must be written. */
  readonly body: Uint8Array | null;
  /** Written by compaction (cold data): compressed with the cold algorithm. */
  readonly cold: boolean;
  readonly deletesFile: string | null;
  readonly deletesBody: Uint8Array | null;
  readonly deleteCount: number;
}

interface PlannedTable {
  readonly id: number;
  readonly nextSegmentId: number;
  readonly scanHorizon: number;
  readonly columnsChangedAt: number;
  readonly segments: readonly PlannedSegment[];
}

export interface CheckpointPlan {
  readonly index: number;
  readonly catalog: Uint8Array;
  readonly tables: readonly PlannedTable[];
}

function segmentFileName(tableId: number, segment: Segment, rowCount: number): string {
  return `t${tableId}-s${segment.id}-n${rowCount}.seg`;
}

function planSegment(tableId: number, segment: Segment, index: number): PlannedSegment {
  const rowCount = segment.rowCount;
  const reuse = segment.persistedFile !== null && segment.persistedRowCount === rowCount;
  const file = reuse ? segment.persistedFile as string : segmentFileName(tableId, segment, rowCount);
  const parts = reuse ? null : segment.parts(rowCount, index);
  const writeDeletes = segment.deletedCount > 0 && (segment.deletesDirty || segment.persistedDeletesFile === null || !reuse);
  const deletesFile = segment.deletedCount === 0 ? null : writeDeletes ? `t${tableId}-s${segment.id}-d${index}.del` : segment.persistedDeletesFile;
  return {
    segment, file, rowCount, body: parts === null ? null : encodeSegment(parts), cold: segment.compacted,
    deletesFile, deletesBody: writeDeletes ? encodeDeletes(segment.deletes) : null, deleteCount: segment.deletedCount,
  };
}

/** Captures the state as of core.checkpointableIndex(), synchronously. */
export function planCheckpoint(core: ColumnCore): CheckpointPlan {
  const index = core.checkpointableIndex();
  const tables = [...core.tables.values()].map((t) => ({
    id: t.id, nextSegmentId: t.nextSegmentId, scanHorizon: t.scanHorizon, columnsChangedAt: t.columnsChangedAt,
    segments: t.segments.filter((s) => s.rowCount > 0).map((s) => planSegment(t.id, s, index)),
  }));
  return { index, catalog: encodeCatalog(core.catalog), tables };
}

function encodeManifest(plan: CheckpointPlan): Uint8Array {
  const w = new ByteWriter(1024);
  w.u8(manifestVersion);
  w.f64(plan.index);
  w.bytesWithLength(plan.catalog);
  w.varuint(plan.tables.length);
  for (const t of plan.tables) {
    w.varuint(t.id);
    w.varuint(t.nextSegmentId);
    w.f64(t.scanHorizon);
    w.f64(t.columnsChangedAt);
    w.varuint(t.segments.length);
    for (const s of t.segments) {
      w.utf8(s.file);
      w.utf8(s.deletesFile ?? '');
    }
  }
  return w.finish();
}

/**
 * Writes a planned checkpoint; then marks what it wrote as persisted and deletes unreferenced files.
 * Segments compaction wrote are compressed with `coldCompression` (rarely rewritten, read in full:
 * zstd's smaller files), the others with `compression` (lz4's speed while data is fresh).
 */
export async function writeCheckpoint(directory: string, plan: CheckpointPlan, compression: ColumnStoreCompression, coldCompression = compression): Promise<void> {
  await mkdir(directory, { recursive: true });
  for (const t of plan.tables) {
    for (const s of t.segments) {
      if (s.body !== null) await writeFileDurably(directory, s.file, await frameFile(segmentMagic, s.body, s.cold ? coldCompression : compression));
      if (s.deletesBody !== null && s.deletesFile !== null) await writeFileDurably(directory, s.deletesFile, await frameFile(deletesMagic, s.deletesBody, 'none'));
    }
  }
  await syncDirectory(directory);
  await writeFileDurably(directory, manifestName, await frameFile(manifestMagic, encodeManifest(plan), 'none'));
  await syncDirectory(directory);
  for (const t of plan.tables) {
    for (const s of t.segments) {
      s.segment.persistedFile = s.file;
      s.segment.persistedRowCount = s.rowCount;
      s.segment.persistedDeletesFile = s.deletesFile;
      // Deletes applied while the files were written stay dirty.
      s.segment.deletesDirty = s.segment.deletedCount !== s.deleteCount;
    }
  }
  await removeUnreferenced(directory, referencedFiles(plan));
}

function referencedFiles(plan: CheckpointPlan): Set<string> {
  const names = new Set<string>([manifestName]);
  for (const t of plan.tables) {
    for (const s of t.segments) {
      names.add(s.file);
      if (s.deletesFile !== null) names.add(s.deletesFile);
    }
  }
  return names;
}

async function removeUnreferenced(directory: string, keep: ReadonlySet<string>): Promise<void> {
  for (const name of await readdir(directory)) {
    if (!keep.has(name) && (name.endsWith('.seg') || name.endsWith('.del') || name.endsWith('.tmp'))) {
      await rm(join(directory, name), { force: true });
    }
  }
}

interface ManifestTable {
  readonly id: number;
  readonly nextSegmentId: number;
  readonly scanHorizon: number;
  readonly columnsChangedAt: number;
  readonly segments: readonly { readonly file: string; readonly deletesFile: string | null }[];
}

function decodeManifest(bytes: Uint8Array): { index: number; catalog: Catalog; tables: ManifestTable[] } {
  const r = new ByteReader(bytes);
  const version = r.u8();
  if (version !== manifestVersion) throw new ColumnStoreCorruptionError(`manifest version ${version}`);
  const index = r.f64();
  if (!Number.isSafeInteger(index) || index < 0) throw new ColumnStoreCorruptionError(`manifest index ${index}`);
  const catalog = decodeCatalog(r.bytesWithLength(r.remaining, 'catalog bytes'));
  const nTables = r.count(r.remaining, 'tables');
  const tables: ManifestTable[] = [];
  for (let i = 0; i < nTables; i++) {
    const id = r.varuint();
    const nextSegmentId = r.varuint();
    const scanHorizon = r.f64();
    const columnsChangedAt = r.f64();
    const n = r.count(r.remaining, 'segments');
    const segments = Array.from({ length: n }, () => {
      const file = r.utf8(1024, 'file name');
      const deletesFile = r.utf8(1024, 'file name');
      return { file, deletesFile: deletesFile === '' ? null : deletesFile };
    });
    tables.push({ id, nextSegmentId, scanHorizon, columnsChangedAt, segments });
  }
  r.expectEnd('manifest');
  return { index, catalog, tables };
}

async function readFramed(directory: string, name: string, magic: string): Promise<Uint8Array> {
  if (name.includes('/') || name.includes('\\')) throw new ColumnStoreCorruptionError(`file name ${name}`);
  return unframeFile(magic, await readFile(join(directory, name)), name);
}

async function loadSegment(directory: string, file: string, deletesFile: string | null): Promise<Segment> {
  const deletes = deletesFile === null ? new Map<number, number>() : decodeDeletes(await readFramed(directory, deletesFile, deletesMagic));
  const segment = Segment.sealed(decodeSegment(await readFramed(directory, file, segmentMagic), deletes));
  segment.persistedFile = file;
  segment.persistedRowCount = segment.rowCount;
  segment.persistedDeletesFile = deletesFile;
  return segment;
}

/** Loads the last checkpoint; a missing directory or manifest gives an empty core at index 0. */
export async function loadCheckpoint(directory: string, config: TableConfig): Promise<ColumnCore> {
  let manifestFile: Buffer;
  try {
    manifestFile = await readFile(join(directory, manifestName));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new ColumnCore(config);
    throw error;
  }
  const manifest = decodeManifest(await unframeFile(manifestMagic, manifestFile, manifestName));
  const core = new ColumnCore(config, manifest.catalog, manifest.index);
  for (const mt of manifest.tables) {
    const def = manifest.catalog.tableById(mt.id);
    if (def === undefined) throw new ColumnStoreCorruptionError(`manifest table ${mt.id} is not in its catalog`);
    const table = new TableColumns(def, mt.scanHorizon, config);
    table.columnsChangedAt = mt.columnsChangedAt;
    for (const s of mt.segments) table.addSegment(await loadSegment(directory, s.file, s.deletesFile));
    table.nextSegmentId = Math.max(table.nextSegmentId, mt.nextSegmentId);
    table.rebuildKeyIndex();
    // Columns dropped before the checkpoint that segments still hold, so older read indexes can read them
    // (their missingValue is not kept: rows older than such a column read it as NULL).
    for (const segment of table.segments) {
      for (const c of segment.columns) {
        if (table.columnById(c.id) === undefined) table.droppedColumns.set(c.id, { id: c.id, name: `dropped_${c.id}`, type: c.type, notNull: false });
      }
    }
    invariant(table.segments.every((s) => s.sealed), 'loaded segments are sealed');
    core.tables.set(mt.id, table);
  }
  await removeUnreferenced(directory, new Set([manifestName, ...manifest.tables.flatMap((t) => t.segments.flatMap((s) => (s.deletesFile === null ? [s.file] : [s.file, s.deletesFile])))]));
  return core;
}
