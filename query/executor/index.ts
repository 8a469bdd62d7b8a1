// The executor: physical plans become async operators over batches of rows,
// expressions become closures; DML runs through TableAccess.

export { buildExecutable, buildExplain, explainColumns } from './statement.js';
export type { Executable } from './statement.js';
export type { ExecEnv, Row } from './env.js';
