// Opening the row store: read the meta keys the last checkpoint wrote (applied
// index, catalog, markers, sequences, unfinished index builds) and build the
// table and index states. Rows are not loaded: reads fall through to RocksDB
// and fill the cache. A missing directory opens empty at applied index 0.

import { Catalog, decodeCatalog } from '../catalog/index.js';
import { metaKey, MetaKind, metaRange, objectIdBytes, objectRange } from '../keys/index.js';
import { StoreCore } from './core.js';
import type { KvStore } from './kv-store.js';
import { decodeI64, decodeIds, decodeMarkers, decodeVaruint } from './storage-format.js';
import { IndexState, TableState } from './state.js';

async function isEmpty(kv: KvStore, objectId: number): Promise<boolean> {
  const iterator = kv.iterate(objectRange(objectId));
  try {
    return (await iterator.next()) === undefined;
  } finally {
    await iterator.close();
  }
}

async function loadSequences(kv: KvStore, core: StoreCore): Promise<void> {
  const iterator = kv.iterate(metaRange(MetaKind.Sequence));
  try {
    for (let kv2 = await iterator.next(); kv2 !== undefined; kv2 = await iterator.next()) {
      // The key is [meta prefix][kind][u32 big-endian sequence id].
      const key = kv2[0];
      const id = new DataView(key.buffer, key.byteOffset + objectIdBytes + 1, objectIdBytes).getUint32(0, false);
      core.sequences.set(id, decodeI64(kv2[1]));
    }
  } finally {
    await iterator.close();
  }
}

export interface OpenedCore {
  readonly core: StoreCore;
  /** Indexes whose backfill must (re)start at the applied index. */
  readonly building: readonly IndexState[];
}

export async function openCore(kv: KvStore, budgetBytes: number): Promise<OpenedCore> {
  const appliedValue = await kv.get(metaKey(MetaKind.AppliedIndex));
  const catalogValue = await kv.get(metaKey(MetaKind.Catalog));
  const markersValue = await kv.get(metaKey(MetaKind.Markers));
  const buildsValue = await kv.get(metaKey(MetaKind.IndexBuilds));
  const aheadValue = await kv.get(metaKey(MetaKind.BulkAhead));
  const appliedIndex = appliedValue === undefined ? 0 : decodeVaruint(appliedValue);
  const catalog = catalogValue === undefined ? Catalog.initial() : decodeCatalog(catalogValue);
  const core = new StoreCore(kv, budgetBytes, appliedIndex, catalog);
  core.markers = markersValue === undefined ? [] : decodeMarkers(markersValue);
  if (aheadValue !== undefined) {
    // Bulk rows were written above the checkpoint before a crash (bulk-write.ts): replay writes them again.
    core.aheadAtOpenMax = decodeVaruint(aheadValue);
    core.storedAhead = true;
  }
  const unfinished = new Set(buildsValue === undefined ? [] : decodeIds(buildsValue));
  await loadSequences(kv, core);
  const building: IndexState[] = [];
  for (const def of catalog.tables()) {
    const table = new TableState(def, await isEmpty(kv, def.id));
    table.truncations = core.markers.filter((m) => m.kind === 'truncate' && m.objectIds[0] === def.id).map((m) => m.index);
    core.tables.set(def.id, table);
    for (const index of def.indexes) {
      const state = new IndexState(index, def.id, !unfinished.has(index.id));
      core.indexes.set(index.id, state);
      if (!state.ready) building.push(state);
    }
  }
  return { core, building };
}
