// The SQL front-end: PostgreSQL's grammar (libpg-query) → ThunderDB's AST
// (query/ast). Nothing outside this folder sees libpg-query's node types.

export { isSqlParserLoaded, loadSqlParser, parseSql } from './parse.js';
export type { ParsedStatement } from './parse.js';
export { normalizeForCache } from './normalize.js';
export type { NormalizedStatement } from './normalize.js';
export { StatementCache } from './statement-cache.js';
export type { StatementCacheOptions, StatementCacheStats } from './statement-cache.js';
export { mapOffset, scanShape } from './shape-scan.js';
export type { ShapeScan } from './shape-scan.js';
export type { ShapedStatement, ShapeTemplate } from './shape-template.js';
export { errorPosition, FeatureNotSupportedError, SqlSyntaxError } from './errors.js';
