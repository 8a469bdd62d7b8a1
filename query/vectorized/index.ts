// query/vectorized: the column path. Operators over per-segment typed-array
// batches from the column store (scan with zone-map pruning, filter into
// selection vectors, projection, hash aggregation), the read-path choice,
// and the fallback to the row path. See DESIGN.md.

export {
  autoRowsMin, choosePath, columnFallbackSetting, columnWaitTimeoutMsDefault, columnWaitTimeoutSetting, planColumnPath, readPathSetting, vectorizedCounters, withColumnPath,
  type ColumnPathPlan, type PathChoice, type PlacedLeaf,
} from './path.js';
export { VectorFallback } from './vec.js';
export { setParallelScanWorkers, startParallelScanWorkers } from './parallel/pool.js';
