// The planner: logical plan → physical plan (predicate pushdown, access
// paths, join algorithms) and EXPLAIN's text.

export { planLogical, planStatement } from './plan-statement.js';
export { explainLines } from './explain.js';
export type { NodeStats, StatsLookup } from './explain.js';
export type * from './physical-plan.js';
export { deparseLookupKey } from './explain.js';
export { nodeExpressions, physicalChildren, readsTable, subqueryIds } from './physical-utils.js';
export { deparse } from './deparse.js';
