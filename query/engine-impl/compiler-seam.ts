// The one place the engine reaches the SQL compiler (query/compiler.ts). The
// engine also takes `compile` as an option, so tests can hand in their own.

import { compileStatement } from '../compiler.js';
import type { CompileStatement } from '../contract.js';

export const defaultCompile: CompileStatement = compileStatement;
