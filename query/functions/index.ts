// The function library: a registry of scalar functions, operators,
// aggregates, window functions and table functions with PostgreSQL's names,
// signatures, result types, strictness and volatility.

export * from './registry.js';
export type * from './signature.js';
export type { FunctionEnv } from './env.js';
export { anyArg, anyArray, anyElement, anyNonArray, isPolymorphic } from './signature.js';
export { likePatternToRegExp, LikeCache } from './like.js';
export { comparisonTest, comparisonSymbols } from './comparison-operators.js';
export type { ComparisonSymbol } from './comparison-operators.js';
export { sessionTimeZone } from './session-zone.js';
export { currentDate, currentSchema, currentTimestamp, localTime, localTimestamp, serverVersionText } from './exports.js';
